"""The calibration objective: sum of squared relative errors of KPI means, refusing gaps."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.analysis.calibration import objective
from sim.api import compose_config
from sim.config import ConfigError, validate


def _summary(**means: float) -> pd.DataFrame:
    return pd.DataFrame({"mean": means, "ci_low": means, "ci_high": means}).rename_axis("kpi")


def test_objective_is_the_sum_of_squared_relative_errors():
    s = _summary(visits_per_resident_year=3.0, primary_visit_share=0.4, arrived=10.0)
    obs = {"visits_per_resident_year": 2.5, "primary_visit_share": 0.5}
    assert objective(s, obs) == pytest.approx((0.5 / 2.5) ** 2 + (0.1 / 0.5) ** 2)
    assert objective(s, {"arrived": 10.0}) == 0.0
    # relative: the same relative miss costs the same whatever the KPI's unit
    assert objective(_summary(a=110.0), {"a": 100.0}) == pytest.approx(
        objective(_summary(b=0.11), {"b": 0.1}))


def test_objective_reads_a_run_config_and_a_summary_csv_layout():
    s = _summary(primary_visit_share=0.6)
    cfg = OmegaConf.create({"calibration": {"observed": {"primary_visit_share": 0.5}}})
    assert objective(s, cfg) == pytest.approx(0.04)
    assert objective(s.reset_index(), {"primary_visit_share": 0.5}) == pytest.approx(0.04)


@pytest.mark.parametrize("summary, observed, match", [
    (_summary(a=1.0), {"missing_kpi": 1.0},
     "calibration.observed.missing_kpi = 1.0: .*no such KPI"),
    (_summary(a=math.nan), {"a": 1.0}, "calibration.observed.a = 1.0: .*mean of a is nan"),
    (_summary(a=1.0), {"a": 0.0}, "calibration.observed.a = 0.0: .*non-zero"),
    (_summary(a=1.0), {}, "needs at least one KPI"),
])
def test_objective_refuses_what_it_cannot_compare(summary, observed, match):
    with pytest.raises(ValueError, match=match) as info:
        objective(summary, observed)
    assert isinstance(info.value, ConfigError) and "\n" not in str(info.value)


@pytest.mark.parametrize("value", ["0", "nan", "inf"])
def test_observed_values_are_validated_before_a_run(value):
    cfg, sources = compose_config([f"+calibration.observed.primary_visit_share={value}"])
    with pytest.raises(ConfigError) as info:
        validate(cfg, sources)
    assert info.value.key == "calibration.observed.primary_visit_share"


# Today's run of each preset reproduces its observed figures (configs/observed/*.yaml), judged on
# the mean over the replications (the bands' widths are the tolerance; full-scale CIs are in
# docs/calibration.md). Scales where docs/calibration.md's scale study shows these KPIs faithful;
# figures of staffed densities are checked at full scale on one day (they are inputs).
STATUS_QUO = {
    "dongli": ["population.scale=0.1"],
    "jinghai_2020": ["population.scale=0.1"],
    "baoshui": ["population.scale=0.5"],
}
DENSITIES = ("beds_per_1000", "gps_per_10k")


def _mean_in_band(row) -> bool:
    lo = -math.inf if pd.isna(row.low) else row.low
    hi = math.inf if pd.isna(row.high) else row.high
    return lo <= row["mean"] <= hi


@pytest.mark.parametrize("preset", sorted(STATUS_QUO))
@pytest.mark.slow
def test_status_quo_reproduces_its_observed_figures(preset):
    from sim.api import simulate
    r = simulate([f"preset={preset}", *STATUS_QUO[preset], "scenario.compare=false",
                  "run.replications=2", "run.workers=2", "run.warmup_days=14",
                  "run.progress=false", "run.figures=false"])
    table = r.observed[~r.observed.kpi.isin(DENSITIES)]
    assert len(table) >= 4
    known = table[table.gap.fillna("") != ""] if "gap" in table else table.iloc[:0]
    missed = [f"{f.figure}: {f['mean']:.4g} outside {f.low}-{f.high}"
              for _, f in table.drop(known.index).iterrows() if not _mean_in_band(f)]
    assert not missed, missed


@pytest.mark.slow
def test_jinghai_staffed_densities_match_the_indicator_table():
    from sim.api import simulate
    r = simulate(["preset=jinghai_2020", "scenario.compare=false", "run.replications=1",
                  "run.workers=1", "run.warmup_days=0", "run.horizon_days=1",
                  "run.progress=false", "run.figures=false"])
    table = r.observed[r.observed.kpi.isin(DENSITIES)]
    assert len(table) == 2 and all(_mean_in_band(f) for _, f in table.iterrows())


def test_every_target_has_a_type_and_a_source():
    from sim.api import CONFIG_DIR
    for path in sorted((CONFIG_DIR / "targets").glob("*.yaml")):
        for tid, t in (OmegaConf.load(path).get("targets") or {}).items():
            assert t.get("type") in ("maintain", "reach", "raise", "input"), (path.name, tid)
            assert t.get("source") in ("plan", "assumption"), (path.name, tid)
