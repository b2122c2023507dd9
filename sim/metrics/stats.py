"""Confidence intervals across replications (Student t, 95 % by default)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float, int]:
    """(mean, ci_low, ci_high, sd, n) of independent replications; NaN bounds when n < 2."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    if n == 0:
        return (np.nan, np.nan, np.nan, np.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return (mean, np.nan, np.nan, np.nan, 1)
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / np.sqrt(n)
    return (mean, mean - half, mean + half, sd, n)


def summarise(kpis: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Tidy ``replication, kpi, value`` → one row per KPI: ``mean, ci_low, ci_high, sd, n``."""
    rows = {k: t_interval(g["value"].to_numpy(), level)
            for k, g in kpis.groupby("kpi", sort=True)}
    out = pd.DataFrame.from_dict(rows, orient="index",
                                 columns=["mean", "ci_low", "ci_high", "sd", "n"])
    out.index.name = "kpi"
    return out
