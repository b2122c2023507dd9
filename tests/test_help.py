"""``python -m sim --help`` (issue 15, item 5): what the tool is, the presets, policies and plans
read from configs/, ten examples that compose, where outputs go; short, not Hydra's config dump."""
from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from sim.api import CONFIG_DIR
from sim.cli_help import describe, options

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def help_text() -> str:
    out = subprocess.run([sys.executable, "-m", "sim", "--help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _names(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def _section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 1:end]


@pytest.mark.slow
def test_help_says_what_the_tool_is_and_is_short(help_text):
    lines = help_text.splitlines()
    assert lines[0].startswith("medgroup-sim: does a district's medical-group plan reach")
    assert len(lines) < 80
    assert "== Config ==" not in help_text and "facilities:" not in help_text   # no config dump
    for title in ("Usage:", "Presets", "Policies", "Plans", "Experiments", "Examples", "Outputs"):
        assert any(line.startswith(title) for line in lines), title


@pytest.mark.slow
@pytest.mark.parametrize("group, title", [("preset", "Presets"), ("policy", "Policies"),
                                          ("plan", "Plans"), ("experiment", "Experiments")])
def test_help_lists_every_config_of_its_groups_with_a_description(help_text, group, title):
    listed = [line.split()[0] for line in _section(help_text, title)]
    assert listed == _names(group)
    for line in _section(help_text, title):
        assert len(line.split(maxsplit=1)) == 2, f"{line!r} has no description"


@pytest.mark.slow
def test_help_shows_ten_examples_that_compose(help_text):
    from sim.cli import precheck
    examples = [line.strip() for line in _section(help_text, "Examples")]
    assert len(examples) == 10 and all(e.startswith("python -m sim") for e in examples)
    for example in examples:
        command = example.split("  ")[0]                     # the command, not its comment
        precheck(shlex.split(command)[3:])                  # raises ConfigError if it would fail


@pytest.mark.slow
def test_help_says_where_outputs_go(help_text):
    outputs = " ".join(_section(help_text, "Outputs"))
    assert "results/runs/<date>/<time>_<preset>_<policy>/" in outputs
    assert "results/sweeps/<sweep_name>/" in outputs and "summary.csv" in outputs


def test_a_new_config_file_is_listed_with_the_first_sentence_of_its_comment(tmp_path):
    (tmp_path / "preset").mkdir()
    (tmp_path / "preset" / "harbour.yaml").write_text(
        "# @package _global_\n# Harbour district (seed 009 ch.2 一(二)), a test: more words.\n"
        "preset: harbour\n", encoding="utf-8")
    assert describe("preset", "harbour", tmp_path) == "Harbour district, a test: more words"
    assert options("preset", tmp_path) == "  harbour  Harbour district, a test: more words"
