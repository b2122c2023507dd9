"""The targets scorecard: verdict logic, replications needed, per-year KPIs, files."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf
from scipy import stats

from sim.analysis.scorecard import (INCONCLUSIVE, MET, NOT_MEASURED, NOT_MET,
                                    replications_needed, scorecard, verdict)
from sim.api import simulate


@pytest.mark.parametrize("mean, lo, hi, comparison, threshold, expected", [
    (0.85, 0.82, 0.88, ">=", 0.80, MET),            # whole CI above
    (0.75, 0.72, 0.78, ">=", 0.80, NOT_MET),        # whole CI below
    (0.81, 0.78, 0.84, ">=", 0.80, INCONCLUSIVE),   # CI straddles the threshold
    (0.80, 0.80, 0.84, ">=", 0.80, MET),            # touching counts as meeting ">="
    (9.0, 8.5, 9.5, "<=", 10.0, MET),
    (11.0, 10.5, 11.5, "<=", 10.0, NOT_MET),
    (10.2, 9.5, 10.9, "<=", 10.0, INCONCLUSIVE),
    (np.nan, np.nan, np.nan, ">=", 0.8, NOT_MEASURED),
    (0.9, np.nan, np.nan, ">=", 0.8, NOT_MEASURED),  # one replication: no interval
])
def test_verdicts(mean, lo, hi, comparison, threshold, expected):
    assert verdict(mean, lo, hi, comparison, threshold) == expected


@pytest.mark.parametrize("sd, gap", [(0.05, 0.01), (1.0, 0.3), (0.02, 0.001)])
def test_replications_needed_is_the_smallest_n_that_decides(sd, gap):
    n = int(replications_needed(0.8 + gap, sd, 0.8))
    half = lambda k: stats.t.ppf(0.975, k - 1) * sd / math.sqrt(k)   # noqa: E731
    assert half(n) < gap
    # the search steps by ~5%: n is within that step of the smallest deciding n
    assert half(max(2, int(n / 1.06))) >= gap


def test_replications_needed_edge_cases():
    assert replications_needed(0.8, 0.1, 0.8) == math.inf     # on the threshold
    assert replications_needed(0.9, 0.0, 0.8) == 2.0          # no noise at all
    assert replications_needed(0.8 + 1e-9, 1.0, 0.8) == math.inf


def _summary(rows: dict) -> pd.DataFrame:
    df = pd.DataFrame.from_dict(rows, orient="index", columns=["mean", "ci_low", "ci_high", "sd",
                                                                "n"])
    df.index.name = "kpi"
    return df


def test_scorecard_reads_the_target_year_and_the_whole_period():
    targets = OmegaConf.create({"targets": {
        "a": {"kpi": "x", "comparison": ">=", "threshold": 1.0, "year": 2026, "clause": "c",
              "text_en": "A", "text_zh": "甲"},
        "b": {"kpi": "x", "comparison": ">=", "threshold": 1.0, "year": None, "clause": "c",
              "text_en": "B", "text_zh": "乙"},
        "c": {"kpi": "missing", "comparison": "<=", "threshold": 1.0, "year": None,
              "clause": "c", "text_en": "C", "text_zh": "丙"}}})
    summary = _summary({"x": (1.05, 0.98, 1.12, 0.05, 5), "x@2026": (1.2, 1.1, 1.3, 0.05, 5)})
    card = scorecard(summary, targets).set_index("target")
    assert card.loc["a", "verdict"] == MET and card.loc["a", "mean"] == 1.2
    assert card.loc["b", "verdict"] == INCONCLUSIVE and card.loc["b", "replications_needed"] > 5
    assert card.loc["c", "verdict"] == NOT_MEASURED
    # a run inside one calendar year has no @year KPIs: its whole period is that year
    one_year = scorecard(_summary({"x": (1.2, 1.1, 1.3, 0.05, 5)}), targets, single_year=2026)
    assert one_year.set_index("target").loc["a", "verdict"] == MET


@pytest.mark.slow
def test_a_run_writes_and_prints_its_scorecard(small, tmp_path):
    result = simulate(small, out_dir=tmp_path)
    card = pd.read_csv(tmp_path / "scorecard.csv")
    assert set(card["target"]) == set(result.config.targets.targets)
    assert set(card["verdict"]) <= {MET, NOT_MET, INCONCLUSIVE, NOT_MEASURED}
    md = (tmp_path / "scorecard.md").read_text(encoding="utf-8")
    assert "| verdict |" in md and "规范管理率" in md


@pytest.mark.slow
def test_multi_year_runs_report_kpis_per_calendar_year(small):
    over = [o for o in small if not o.startswith("run.horizon_days")]
    result = simulate(over + ["run.start_date=2025-12-20", "run.horizon_days=24"])
    names = set(result.summary.index)
    assert {"primary_visit_share@2025", "primary_visit_share@2026"} <= names
    assert "arrived@2025" not in names            # whole-run accounting is not split
    # the two years' visits add up to the whole period's
    k = result.kpis.pivot(index="replication", columns="kpi", values="value")
    whole = k["visits_per_resident_year"] * 24
    parts = k["visits_per_resident_year@2025"] * 12 + k["visits_per_resident_year@2026"] * 12
    np.testing.assert_allclose(whole, parts, rtol=1e-9)
