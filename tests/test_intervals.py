"""Intervals that respect their quantity (issue 15, item 4): a KPI's 95% CI is clipped to the values
it can take (non-negative, shares in [0, 1]), declared once per unit in sim.analysis.labels;
one replication gives no interval and says so."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.labels import kpi_unit_key
from sim.metrics.catalogue import DECLARED, kpi_range
from sim.metrics.stats import summarise, t_interval


def _tidy(values: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame([(r, k, v) for k, vs in values.items() for r, v in enumerate(vs)],
                        columns=["replication", "kpi", "value"])


def test_non_negative_and_share_intervals_are_clipped_and_say_so():
    kpis = _tidy({"wait_mean_hospital_beds": [0.0, 0.0, 0.0, 300.0],   # t-interval reaches < 0
                  "primary_first_contact": [0.99, 1.0, 0.97, 0.80],    # ... and > 1
                  "capitation_surplus": [-50.0, 10.0, 30.0, -5.0],     # may be negative
                  "primary_visit_share": [0.60, 0.62, 0.61, 0.63]})    # inside: unchanged
    s = summarise(kpis, ranges=kpi_range)
    raw = summarise(kpis)
    beds = s.loc["wait_mean_hospital_beds"]
    assert raw.loc["wait_mean_hospital_beds", "ci_low"] < 0
    assert beds.ci_low == 0 and beds.ci_high == raw.loc["wait_mean_hospital_beds", "ci_high"]
    assert beds.ci_note == "clipped at 0"
    share = s.loc["primary_first_contact"]
    assert raw.loc["primary_first_contact", "ci_high"] > 1 and share.ci_high == 1
    assert share.ci_note == "clipped at 1"
    assert s.loc["capitation_surplus", "ci_low"] == raw.loc["capitation_surplus", "ci_low"] < 0
    for k in ("capitation_surplus", "primary_visit_share"):
        assert s.loc[k, "ci_note"] == ""
        assert s.loc[k, ["mean", "ci_low", "ci_high", "sd", "n"]].equals(
            raw.loc[k, ["mean", "ci_low", "ci_high", "sd", "n"]])


def test_one_replication_has_no_interval_and_a_note_saying_why():
    s = summarise(_tidy({"wait_mean_centre_gp": [3.0], "ambulance_response_mean": [math.nan]}),
                  ranges=kpi_range)
    one = s.loc["wait_mean_centre_gp"]
    assert one["mean"] == 3.0 and np.isnan(one.ci_low) and np.isnan(one.ci_high)
    assert one.n == 1 and "needs at least 2" in one.ci_note
    assert s.loc["ambulance_response_mean", "ci_note"] == "no value"


def test_clipping_keeps_the_coverage_of_the_t_interval():
    """The true mean lies in the range, so it is inside the clipped interval exactly when it is
    inside the unclipped one: coverage is unchanged, here for a skewed quantity near zero."""
    rng = np.random.default_rng(7)
    true = 0.2
    inside = inside_clipped = 0
    for _ in range(2000):
        x = rng.exponential(true, size=3)
        _, lo, hi, _, _ = t_interval(x)
        inside += lo <= true <= hi
        inside_clipped += max(lo, 0.0) <= true <= hi
    assert inside == inside_clipped


def test_ranges_are_declared_per_unit_with_named_exceptions():
    for name, declared in DECLARED.items():
        unit = declared.unit
        lo, hi = kpi_range(name.replace("*", "hospital_outpatient"))
        if name == "capitation_surplus":
            assert (lo, hi) == (-math.inf, math.inf)
        elif unit == "share" and "occupancy" not in name and "utilisation" not in name:
            assert (lo, hi) == (0.0, 1.0), name
        else:
            assert lo == 0.0, name
    assert kpi_range("chronic_management@2027") == (0.0, 1.0)
    assert kpi_range("wait_p90_hospital_beds_priority") == (0.0, math.inf)
    assert kpi_range("utilisation_centre_gp") == (0.0, math.inf)   # busy past closing time
    assert kpi_range("not_a_kpi") == (-math.inf, math.inf)         # nothing assumed
    assert kpi_unit_key("utilisation_centre_gp") == "share"


@pytest.mark.slow
def test_a_run_writes_intervals_inside_each_kpis_range(tmp_path, small):
    from sim.api import simulate
    result = simulate(small + ["run.replications=3"], out_dir=tmp_path)
    on_disk = pd.read_csv(tmp_path / "summary.csv", index_col="kpi", keep_default_na=False,
                          na_values=[""])
    assert "ci_note" in on_disk.columns
    s = result.summary
    measured = s[s.n >= 2]
    for k, r in measured.iterrows():
        lo, hi = kpi_range(k)
        assert lo <= r.ci_low <= r["mean"] <= r.ci_high <= hi, k
    undeclared = [k for k in s.index if not kpi_unit_key(k)]
    assert undeclared == [], "KPIs without a declaration in @kpi (so no unit, range or label)"
    clipped = measured[measured.ci_note.str.startswith("clipped")]
    assert len(clipped), "a small run has waits whose t-interval reaches below 0"
    assert (clipped.ci_low == 0).any()


def test_the_scorecard_clips_today_and_the_plan_but_not_their_difference():
    from sim.analysis.scorecard import scorecard
    plan = _tidy({"wait_mean_centre_gp": [0.0, 0.0, 0.0, 30.0]})
    today = _tidy({"wait_mean_centre_gp": [0.0, 0.0, 0.0, 60.0]})
    targets = {"targets": {"gp_wait": {"kpi": "wait_mean_centre_gp", "comparison": "<=",
                                       "threshold": 20.0}}}
    card = scorecard(plan, targets, None, today, None).iloc[0]
    assert card.plan_ci_low == 0 and card.today_ci_low == 0
    assert card.diff_ci_low < 0                     # plan − today may be negative
