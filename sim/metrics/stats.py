"""Confidence intervals across replications (Student t, 95 % by default).

A KPI's interval is clipped to the values the KPI can take (``ranges``: non-negative quantities
at 0, shares to [0, 1]; declared once per unit in ``sim.metrics.catalogue.kpi_range``). Clipping
keeps the t-interval's coverage (the true value lies inside the range, so it lies inside the
clipped interval whenever it lies inside the unclipped one) and leaves intervals already inside
the range unchanged; ``ci_note`` in the summary says when a bound was clipped. With fewer than
``MIN_REPLICATIONS`` values there is no interval: the bounds are NaN and ``ci_note`` says why.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

MIN_REPLICATIONS = 2          # an interval (and a verdict) needs at least this many
Range = tuple[float, float]
ANY: Range = (-math.inf, math.inf)
COLUMNS = ["mean", "ci_low", "ci_high", "sd", "n", "ci_note"]


def t_half_width(sd: float | np.ndarray, n: int | np.ndarray, level: float = 0.95
                 ) -> float | np.ndarray:
    """Half-width of the Student t interval of a mean of ``n`` replications with standard
    deviation ``sd`` (elementwise for arrays)."""
    return stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n)


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float, int]:
    """(mean, ci_low, ci_high, sd, n) of independent replications; NaN bounds when n < 2."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    if n == 0:
        return (np.nan, np.nan, np.nan, np.nan, 0)
    mean = float(x.mean())
    if n < MIN_REPLICATIONS:
        return (mean, np.nan, np.nan, np.nan, 1)
    sd = float(x.std(ddof=1))
    half = float(t_half_width(sd, n, level))
    return (mean, mean - half, mean + half, sd, n)


def clip(ci: tuple[float, float, float, float, int], bounds: Range
         ) -> tuple[float, float, float, float, int]:
    """``t_interval``'s (mean, ci_low, ci_high, sd, n) with its bounds clipped to ``bounds``
    (the values the quantity can take, e.g. ``sim.metrics.catalogue.kpi_range``)."""
    mean, lo, hi, sd, n = ci
    if n < MIN_REPLICATIONS:
        return ci
    return (mean, max(lo, bounds[0]), min(hi, bounds[1]), sd, n)


def interval_note(n: int, clipped_low: float | None = None, clipped_high: float | None = None
                  ) -> str:
    """What ``ci_note`` says: no value, too few replications for an interval, a bound clipped
    to the KPI's range, or '' for a plain t-interval."""
    if n == 0:
        return "no value"
    if n < MIN_REPLICATIONS:
        return f"{n} replication: an interval needs at least {MIN_REPLICATIONS}"
    clipped = [f"{b:g}" for b in (clipped_low, clipped_high) if b is not None]
    return f"clipped at {' and '.join(clipped)}" if clipped else ""


def summarise(kpis: pd.DataFrame, level: float = 0.95,
              ranges: Callable[[str], Range] | None = None) -> pd.DataFrame:
    """Tidy ``replication, kpi, value`` → one row per KPI: ``mean, ci_low, ci_high, sd, n,
    ci_note``, each interval clipped to ``ranges(kpi)`` (no clipping without ``ranges``)."""
    rows = {}
    for k, g in kpis.groupby("kpi", sort=True):
        bounds = ranges(k) if ranges else ANY
        free = t_interval(g["value"].to_numpy(), level)
        mean, lo, hi, sd, n = clip(free, bounds)
        clipped = n >= MIN_REPLICATIONS
        rows[k] = (mean, lo, hi, sd, n,
                   interval_note(n, bounds[0] if clipped and lo != free[1] else None,
                                 bounds[1] if clipped and hi != free[2] else None))
    out = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)
    out.index.name = "kpi"
    return out
