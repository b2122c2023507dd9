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
