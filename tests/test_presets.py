"""Every preset composes, validates and runs to a scorecard; presets reproduce their calibration
figures; timelines open facilities on their dates."""
from __future__ import annotations

import pandas as pd
import pytest

from sim.api import CONFIG_DIR, compose_config, simulate
from sim.config import validate
from sim.metrics.stats import t_interval

PRESETS = sorted(p.stem for p in (CONFIG_DIR / "preset").glob("*.yaml"))
QUICK = ["population.scale=0.03", "run.replications=2", "run.workers=1", "run.progress=false",
         "run.figures=false"]


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.slow
def test_every_preset_composes_validates_and_runs_to_a_scorecard(preset, tmp_path):
    cfg, sources = compose_config([f"preset={preset}"])
    validate(cfg, sources)
    short = [] if preset == "baoshui" else ["run.warmup_days=5", "run.horizon_days=21"]
    result = simulate([f"preset={preset}", *QUICK, *short], out_dir=tmp_path)
    assert (tmp_path / "summary.json").exists() and (tmp_path / "scorecard.md").exists()
    assert len(result.scorecard) == len(cfg.targets.targets) > 0


@pytest.mark.slow
def test_dongli_signed_residents_match_the_plan():
    """Seed 003 ch.1 (二)2: 332 thousand signed residents."""
    result = simulate(["run.warmup_days=1", "run.horizon_days=1", "run.replications=1",
                       "run.workers=1", "run.progress=false", "run.figures=false",
                       "population.scale=0.01"])
    signed = result.summary.loc["signed_residents", "mean"]      # the district's, at any scale
    assert abs(signed - 332_000) / 332_000 < 0.005


@pytest.mark.slow
def test_jinghai_2020_reproduces_the_plans_visit_volume():
    """Seed 004 ch.1 一(一): 2.172 million visits in 2019, +1.8% a year → 2.211 M in 2020, ±5%."""
    target = 2.172e6 * 1.018
    result = simulate(["preset=jinghai_2020", "population.scale=0.05", "run.warmup_days=14",
                       "run.horizon_days=91", "run.replications=3", "run.workers=1",
                       "run.progress=false", "run.figures=false"])
    cfg = result.config
    residents = sum(c.residents for c in cfg.population.catchments.values())
    k = result.kpis.pivot(index="replication", columns="kpi", values="value")
    mean, lo, hi, _, _ = t_interval((k["visits_per_resident_year"] * residents).to_numpy())
    assert abs(mean - target) / target < 0.05, f"{mean:,.0f} visits vs {target:,.0f}"
    assert target * 0.95 < lo and hi < target * 1.05


@pytest.mark.slow
def test_baoshui_opens_facilities_on_their_dates(tmp_path):
    timeline = ["preset=baoshui", "network=baoshui", "scenario.compare=false",
                "run.horizon_days=1095"]          # the plan's network over 2025-2027
    cfg, _ = compose_config(timeline)
    simulate([*timeline, *QUICK, "run.replications=1", "run.figures=true"], out_dir=tmp_path)
    ts = pd.read_parquet(tmp_path / "timeseries.parquet")
    cap = ts[(ts.metric == "capacity") & ts.service.isin(["gp", "outpatient"]) & (ts.value > 0)]
    first_open = cap.groupby("facility")["date"].min()
    start = pd.Timestamp(cfg.run.start_date)
    opened_later = {fid: pd.Timestamp(f.opens) for fid, f in cfg.network.facilities.items()
                    if f.opens and pd.Timestamp(f.opens) > start}
    assert len(opened_later) >= 3
    for fid, opens in opened_later.items():
        end = start + pd.Timedelta(days=cfg.run.horizon_days)
        if opens >= end:
            assert fid not in first_open.index
        else:   # first staffed day: the opening day, or the next weekday with a session
            assert opens <= first_open[fid] <= opens + pd.Timedelta(days=3), fid
    assert (tmp_path / "figures" / "capacity.png").exists()
