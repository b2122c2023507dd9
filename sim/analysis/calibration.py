"""The calibration objective: how far a run's KPI means are from observed values.

A calibration search (``hydra/sweeper=optuna``, configs/experiment/calibrate_jinghai.yaml)
minimises it; the task function returns it when ``calibration.observed`` is set.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import pandas as pd

from sim.config.validate import ConfigError


def objective(summary: pd.DataFrame, observed: Mapping[str, float] | Any) -> float:
    """Sum over observed KPIs of ((mean − observed) / observed)²: relative errors, so KPIs of
    different units weigh alike. ``observed`` is ``{kpi: value}`` or a run config (its
    ``calibration.observed``). A KPI the run lacks, or whose mean is NaN, raises ConfigError."""
    if "calibration" in observed:
        observed = observed["calibration"]["observed"]
    if "kpi" in summary.columns:
        summary = summary.set_index("kpi")
    if not len(observed):
        raise ConfigError("calibration.observed", {}, "needs at least one KPI to fit")
    total = 0.0
    for kpi, target in observed.items():
        key = f"calibration.observed.{kpi}"
        target = float(target)
        if not math.isfinite(target) or target == 0:
            raise ConfigError(key, target, "an observed value must be finite and non-zero "
                              "(the error is relative to it)")
        if kpi not in summary.index:
            raise ConfigError(key, target, "the run reports no such KPI (see summary.csv for "
                              "the KPIs a run reports)")
        mean = float(summary.loc[kpi, "mean"])
        if not math.isfinite(mean):
            raise ConfigError(key, target, f"the run's mean of {kpi} is {mean}: it is not "
                              "measured in this configuration, so it cannot be fitted")
        total += ((mean - target) / target) ** 2
    return total


CENTRE_PULL = 0.01     # weight of the distance to a band's centre: ties inside the bands go to
                       # the most central fit, without trading a band away for it


def band_objective(summary: pd.DataFrame, observed: Any, skip: tuple[str, ...] = ()) -> float:
    """How far today's run is from reproducing the district's observed figures
    (``configs/observed``): per figure, the distance of the KPI's mean outside its band, plus
    ``CENTRE_PULL`` × its distance from the band's centre, both in band widths (a one-sided
    band's width is its bound's size), squared and summed. Zero distance outside every band is
    a fit that reproduces them all. Figures of ``skip`` KPIs (inputs, known gaps) are left out."""
    if "kpi" in summary.columns:
        summary = summary.set_index("kpi")
    total = 0.0
    for fid, f in observed.figures.items():
        if f.kpi in skip or f.get("gap"):
            continue
        if f.kpi not in summary.index or not math.isfinite(summary.loc[f.kpi, "mean"]):
            raise ConfigError(f"observed.figures.{fid}.kpi", f.kpi, "the run reports no value "
                              "for it, so it cannot be fitted")
        mean = float(summary.loc[f.kpi, "mean"])
        lo = -math.inf if f.low is None else f.low
        hi = math.inf if f.high is None else f.high
        bounded = [b for b in (f.low, f.high) if b is not None]
        width = (hi - lo) if len(bounded) == 2 else abs(bounded[0]) or 1.0
        centre = (lo + hi) / 2 if len(bounded) == 2 else bounded[0]
        outside = max(lo - mean, mean - hi, 0.0) / width
        pull = 0.0 if len(bounded) < 2 else (mean - centre) / width
        total += outside ** 2 + CENTRE_PULL * pull ** 2
    return total
