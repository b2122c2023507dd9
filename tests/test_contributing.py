"""CONTRIBUTING.md's worked examples are the repository's own code, and do what it says."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.analysis.labels import kpi_label, kpi_unit
from sim.api import simulate

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
SNIPPETS = re.findall(r"^\s*file: (\S+)\n\s*```\w*\n(.*?)^\s*```", GUIDE, re.M | re.S)
SMALL = ["population.scale=0.05", "run.warmup_days=5", "run.horizon_days=30",
         "run.replications=2", "run.workers=1", "run.progress=false", "run.figures=false",
         "scenario.compare=false"]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_the_guide_has_its_worked_examples():
    files = [f for f, _ in SNIPPETS]
    assert len(files) >= 5 and "sim/metrics/kpis.py" in files


@pytest.mark.parametrize("path, snippet", SNIPPETS, ids=[f for f, _ in SNIPPETS])
def test_every_snippet_is_in_the_file_it_names(path, snippet):
    """The snippet's lines, in order and together, are lines of the file (indentation aside)."""
    want, have = _lines(snippet), _lines((ROOT / path).read_text(encoding="utf-8"))
    assert any(have[i:i + len(want)] == want for i in range(len(have))), path


def test_the_lever_recipe_touches_at_most_four_files():
    lever = GUIDE[GUIDE.index("## A lever"):GUIDE.index("## A pathway step")]
    assert len(set(re.findall(r"^\s*file: (\S+)", lever, re.M))) <= 4


@pytest.mark.slow
def test_the_worked_lever_moves_return_visits_online_and_keeps_first_contacts_paired():
    today = simulate(SMALL).summary["mean"]
    online = simulate(SMALL + ["+lever@policy=online_returns"]).summary["mean"]
    assert online["hospital_visit_share"] < today["hospital_visit_share"]
    assert online["wait_mean_hospital_outpatient"] < today["wait_mean_hospital_outpatient"]
    for first in ("flow_first_primary", "flow_first_hospital", "flow_emergency"):
        assert online[first] == today[first], first           # the lever draws its own numbers


@pytest.mark.slow
def test_the_worked_kpi_is_declared_and_moved_by_drug_linkage():
    assert kpi_unit("refill_primary_share", "en") == "share (0–1)"
    assert kpi_label("refill_primary_share", "zh") == "基层续方比例"
    today = simulate(SMALL).summary
    linked = simulate(SMALL + ["policy=drug_linkage"]).summary
    assert 0 < today.loc["refill_primary_share", "mean"] < 1
    assert linked.loc["refill_primary_share", "ci_low"] > today.loc["refill_primary_share",
                                                                    "ci_high"]
