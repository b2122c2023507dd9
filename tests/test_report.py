"""Reports and comparisons read back from run folders (the output contract only)."""
from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from sim.analysis.compare import compare
from sim.analysis.report import write_run_report
from sim.analysis.sweep import find_jobs, paired_differences, select_baseline
from sim.api import simulate
from sim.compare import main as compare_main

pytestmark = pytest.mark.slow       # every test here reads the runs of one slow fixture


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Baseline and gatekeeping on the same seed, and the baseline on another seed."""
    from conftest import SMALL
    root = tmp_path_factory.mktemp("runs")
    for name, extra in {"base": [], "gate": ["policy=gatekeeping"],
                        "other_seed": ["run.seed=7"]}.items():
        figures = ["run.figures=true"] if name == "base" else []
        simulate(SMALL + extra + figures, out_dir=root / name)
    return root


def test_run_report_is_self_contained_and_bilingual(runs):
    page = (runs / "base" / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 3          # scorecard, flow, map, ...
    assert not re.search(r'src="(?!data:)', page)              # nothing fetched from elsewhere
    md = (runs / "base" / "report.md").read_text()
    for link in re.findall(r"\]\((figures/[^)]+)\)", md):
        assert (runs / "base" / link).exists()
    assert "## Scorecard" in md and "## Assumptions" in md
    assumptions = pd.read_csv(runs / "base" / "assumptions.csv")
    row = assumptions[(assumptions.file == "configs/policy/baseline.yaml")
                      & (assumptions.key == "choice.speed_kmh")]
    assert len(row) == 1 and "assumption" in row.note.iloc[0]
    write_run_report(runs / "base", "zh")
    zh = (runs / "base" / "report.md").read_text()
    assert "## 目标评分卡" in zh and "## 假设" in zh and "基层诊疗量占比" in zh


def test_paired_differences_use_common_random_numbers(runs, tmp_path):
    jobs = find_jobs([runs])
    base = select_baseline(jobs, "base")
    diffs = paired_differences(jobs, base).set_index(["job", "kpi"])
    assert diffs.loc[("gate", "primary_first_contact"), "paired"]
    assert not diffs.loc[("other_seed", "primary_first_contact"), "paired"]
    assert diffs.loc[("gate", "primary_first_contact"), "mean"] > 0
    # a run paired with its own copy differs by exactly 0, replication by replication
    copy = tmp_path / "copy"
    shutil.copytree(runs / "base", copy)
    both = find_jobs([runs / "base", copy])
    same = paired_differences(both, both[0]).dropna(subset=["ci_low"])
    assert len(same) > 50 and same.paired.all()
    assert (same["mean"] == 0).all() and (same.ci_low == 0).all() and (same.ci_high == 0).all()


def test_compare_across_sweeps_names_jobs_by_folder(runs, tmp_path):
    result = compare([runs / "base", runs / "gate"], tmp_path, baseline="base/base")
    assert result.complete == 2 and result.baseline.name == "base/base"
    table = pd.read_csv(tmp_path / "sweep_summary.csv")
    assert set(table.job) == {"base/base", "gate/gate"}
    assert (tmp_path / "figures" / "comparison.png").exists()
    assert (tmp_path / "report.html").exists()


def test_compare_command_refuses_clearly(runs, tmp_path, capsys):
    assert compare_main([str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith("error: no such sweep or run directory")
    assert compare_main([str(runs), "--baseline", "policy=nope"]) == 2
    err = capsys.readouterr().err
    assert "compare.baseline" in err and "gate" in err and err.count("\n") == 1
