"""The targets scorecard: verdict logic by target type on constructed per-replication KPIs
(pairing, years, notes), replications needed, and a run's scorecard files."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from omegaconf import DictConfig, OmegaConf
from scipy import stats

from sim.analysis.scorecard import (ALREADY_MET, COLUMNS, INCONCLUSIVE, INPUT, MET, NEEDS_TODAY,
                                    NO_CI, NOT_MEASURED, NOT_MET, TODAY_NOT_MET, already_met,
                                    replications_needed, scorecard, to_markdown, to_text,
                                    verdict)
from sim.api import simulate
from sim.metrics.stats import t_interval


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


def _kpis(columns: dict[str, list[float]]) -> pd.DataFrame:
    """Tidy ``replication, kpi, value`` from per-replication lists."""
    return pd.DataFrame([(i, k, v) for k, vs in columns.items() for i, v in enumerate(vs)],
                        columns=["replication", "kpi", "value"])


def _targets(**targets: dict) -> DictConfig:
    base = {"kpi": "x", "comparison": ">=", "threshold": None, "year": None, "clause": "c",
            "text_en": "", "text_zh": "", "source": "plan"}
    return OmegaConf.create({"targets": {k: {**base, **v} for k, v in targets.items()}})


TODAY = [0.50, 0.60, 0.70, 0.55, 0.65]          # wide spread between replications ...
SMALL_UP = [0.010, 0.012, 0.011, 0.009, 0.013]  # ... a small, steady effect within each one


def _card(targets, plan: dict, today: dict | None = None, **kw) -> pd.DataFrame:
    return scorecard(_kpis(plan), targets, today_kpis=_kpis(today) if today else None,
                     **kw).set_index("target")


def test_columns_come_in_the_contracts_order():
    card = scorecard(_kpis({"x": TODAY}), _targets(a={"type": "reach", "threshold": 0.5}))
    assert list(card.columns) == COLUMNS
    assert COLUMNS[:15] == ["target", "type", "source", "kpi", "threshold", "today_mean",
                            "today_ci_low", "today_ci_high", "plan_mean", "plan_ci_low",
                            "plan_ci_high", "diff_mean", "diff_ci_low", "diff_ci_high",
                            "verdict"]


def test_reach_judges_the_plans_interval_against_the_threshold():
    targets = _targets(met={"type": "reach", "threshold": 0.45},
                       not_met={"type": "reach", "threshold": 0.75},
                       unsure={"type": "reach", "threshold": 0.62},
                       lower={"kpi": "w", "type": "reach", "comparison": "<=", "threshold": 10})
    card = _card(targets, {"x": TODAY, "w": [8.0, 8.5, 9.0, 8.2, 8.8]})
    mean, lo, hi, sd, n = t_interval(np.array(TODAY))
    assert (card.loc["met", "plan_mean"], card.loc["met", "plan_ci_low"]) == (mean, lo)
    assert card.loc["met", "verdict"] == MET and card.loc["not_met", "verdict"] == NOT_MET
    assert card.loc["unsure", "verdict"] == INCONCLUSIVE
    assert card.loc["unsure", "replications_needed"] == replications_needed(mean, sd, 0.62)
    assert np.isnan(card.loc["met", "replications_needed"])
    assert card.loc["lower", "verdict"] == MET                  # lower is better: 8.5 <= 10
    assert card["today_mean"].isna().all() and card["diff_mean"].isna().all()
    assert card["n"].eq(5).all() and card["today_meets"].isna().all()


def test_maintain_is_judged_on_the_plan_and_notes_a_today_below_the_threshold():
    targets = _targets(keep={"type": "maintain", "threshold": 0.45})
    today_low = [v - 0.3 for v in TODAY]                         # today misses 0.45 ...
    row = _card(targets, {"x": TODAY}, {"x": today_low}).loc["keep"]
    assert row["verdict"] == MET and row["today_meets"] == False   # noqa: E712
    assert row["note"] == TODAY_NOT_MET
    ok = _card(targets, {"x": [v + 0.2 for v in TODAY]}, {"x": [v + 0.1 for v in TODAY]})
    assert ok.loc["keep", "verdict"] == MET and ok.loc["keep", "note"] == ""   # ... or holds it
    assert ok.loc["keep", "today_meets"] == True                   # noqa: E712


@pytest.mark.parametrize("comparison, effect, expected", [
    (">=", SMALL_UP, MET),                                    # higher, replication by replication
    (">=", [-e for e in SMALL_UP], NOT_MET),                  # lower every time
    (">=", [0.02, -0.015, 0.01, -0.01, 0.005], INCONCLUSIVE),  # sometimes up, sometimes down
    (">=", [0.0] * 5, NOT_MET),                               # identical: no improvement
    ("<=", [-e for e in SMALL_UP], MET),                      # lower is better
    ("<=", SMALL_UP, NOT_MET),
])
def test_raise_judges_the_paired_difference(comparison, effect, expected):
    targets = _targets(up={"type": "raise", "comparison": comparison})
    plan = [t + e for t, e in zip(TODAY, effect)]
    row = _card(targets, {"x": plan}, {"x": TODAY}).loc["up"]
    assert row["verdict"] == expected
    diffs = np.array(plan) - np.array(TODAY)
    assert np.allclose([row["diff_mean"], row["diff_ci_low"], row["diff_ci_high"]],
                       t_interval(diffs)[:3])
    if effect is SMALL_UP:      # unpaired, the two intervals overlap: only pairing decides
        assert row["plan_ci_low"] < row["today_ci_high"]
        assert row["diff_ci_low"] > 0
    # an undecided raise says how many paired replications would decide it
    assert np.isfinite(row["replications_needed"]) == (expected == INCONCLUSIVE)
    if expected == INCONCLUSIVE:
        assert row["replications_needed"] == replications_needed(*t_interval(diffs)[:1],
                                                                 t_interval(diffs)[3], 0.0)


def test_raise_pairs_by_replication_not_by_row_order():
    targets = _targets(up={"type": "raise"})
    plan = _kpis({"x": [t + e for t, e in zip(TODAY, SMALL_UP)]})
    today = _kpis({"x": TODAY}).iloc[::-1]                      # same replications, shuffled
    assert scorecard(plan, targets, today_kpis=today).verdict.iloc[0] == MET


def test_raise_without_today_is_not_measured_and_says_why():
    targets = _targets(up={"type": "raise", "threshold": 0.5})
    row = _card(targets, {"x": TODAY}).loc["up"]
    assert row["verdict"] == NOT_MEASURED and row["note"].startswith(NEEDS_TODAY)
    assert "yardstick" in row["note"] and row["plan_mean"] == pytest.approx(0.6)


def test_raise_yardstick_and_already_met_today():
    targets = _targets(up={"type": "raise", "threshold": 0.9},
                       easy={"type": "reach", "threshold": 0.3})
    card = _card(targets, {"x": [t + e for t, e in zip(TODAY, SMALL_UP)]}, {"x": TODAY})
    assert card.loc["up", "verdict"] == MET
    assert "the plan falls short of the yardstick" in card.loc["up", "note"]
    assert card.loc["up", "today_meets"] == False                   # noqa: E712
    assert card.loc["easy", "today_meets"] == True                  # noqa: E712
    assert ALREADY_MET in card.loc["easy", "note"]
    assert list(already_met(card.reset_index())["target"]) == ["easy"]
    assert "* " + ALREADY_MET in to_text(card.reset_index())
    md = to_markdown(card.reset_index(), "plan")
    assert "Already met today" in md and "- easy (`easy`)" in md


def test_input_is_reported_not_judged():
    targets = _targets(beds={"kpi": "beds", "type": "input", "threshold": 3.96},
                       gone={"kpi": "missing", "type": "input"})
    card = _card(targets, {"beds": [3.0] * 5}, {"beds": [2.0] * 5})
    assert card.loc["beds", "verdict"] == INPUT and card.loc["beds", "plan_mean"] == 3.0
    assert card.loc["beds", "diff_mean"] == 1.0 and np.isnan(card.loc["beds", "today_meets"])
    assert card.loc["gone", "verdict"] == NOT_MEASURED


def test_the_plan_reads_the_targets_year_and_the_whole_period():
    targets = _targets(in_2026={"type": "reach", "threshold": 1.0, "year": 2026},
                       in_2027={"type": "reach", "threshold": 1.0, "year": 2027},
                       whole={"type": "reach", "threshold": 1.0},
                       missing={"kpi": "nope", "type": "reach", "threshold": 1.0})
    plan = {"x": [1.0, 1.1, 0.9, 1.05, 0.95], "x@2026": [1.2, 1.25, 1.3, 1.22, 1.28]}
    card = _card(targets, plan, {"x": [1.0] * 5, "x@2026": [5.0] * 5})
    assert card.loc["in_2026", "plan_mean"] == pytest.approx(1.25)
    assert card.loc["in_2026", "verdict"] == MET
    assert card.loc["in_2026", "today_mean"] == 1.0             # today: the whole period
    assert card.loc["whole", "verdict"] == INCONCLUSIVE
    assert card.loc["in_2027", "verdict"] == NOT_MEASURED       # the run does not reach 2027
    assert card.loc["missing", "verdict"] == NOT_MEASURED
    # a plan run inside 2027 has no @year KPIs: its whole period is that year
    one_year = _card(targets, {"x": [1.2, 1.25, 1.3, 1.22, 1.28]}, plan_year=2027)
    assert one_year.loc["in_2027", "verdict"] == MET
    assert one_year.loc["in_2026", "verdict"] == NOT_MEASURED


def test_one_replication_has_no_interval():
    targets = _targets(a={"type": "reach", "threshold": 0.5}, b={"type": "raise"})
    card = _card(targets, {"x": [0.7]}, {"x": [0.6]})
    assert (card["verdict"] == NOT_MEASURED).all()
    assert card.loc["a", "note"] == NO_CI and card.loc["b", "note"] == NO_CI


def test_old_targets_without_type_or_source_read_as_reach_from_the_plan():
    old = OmegaConf.create({"targets": {"a": {"kpi": "x", "comparison": ">=",
                                              "threshold": 0.45}}})
    card = scorecard(_kpis({"x": TODAY}), old)
    assert (card.loc[0, "type"], card.loc[0, "source"], card.loc[0, "verdict"]) == \
        ("reach", "plan", MET)


def test_text_shows_rules_and_intervals_without_units():
    targets = _targets(up={"type": "raise", "threshold": 0.65},
                       lower={"kpi": "w", "type": "reach", "comparison": "<=", "threshold": 10,
                              "year": 2026})
    card = scorecard(_kpis({"x": TODAY, "w": [8.0] * 5}), targets,
                     today_kpis=_kpis({"x": TODAY, "w": [9.0] * 5}), plan_year=2026)
    lines = to_text(card).splitlines()
    assert "> today, yardstick ≥ 0.65" in lines[1] and "≤ 10 (2026)" in lines[2]
    assert "0.600 [0.502, 0.698]" in lines[1] and "0 [0, 0]" in lines[1]   # same run: no change
    assert lines[1].rstrip().endswith(NOT_MET)
    assert lines[2].rstrip().endswith(f"{MET} *") and "-1 [-1, -1]" in lines[2]  # met today
    assert lines[-1] == f"* {ALREADY_MET}"


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
