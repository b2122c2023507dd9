"""Standard figures of a run, drawn from its tidy outputs, each saved as PNG and SVG."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from sim.runner.outputs import atomic_path  # noqa: E402

# Okabe-Ito, colour-blind safe
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def save(fig: plt.Figure, out_dir: Path, name: str) -> list[Path]:
    """Write ``name``.png and .svg atomically under ``out_dir/figures``."""
    paths = []
    for ext in ("png", "svg"):
        path = Path(out_dir) / "figures" / f"{name}.{ext}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=ext, dpi=130, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths


def waits_figure(summary: pd.DataFrame, title: str) -> plt.Figure:
    """Mean wait per facility kind and service, with 95% CIs across replications."""
    rows = summary[summary.index.str.startswith("wait_mean_")].sort_values("mean")
    labels = [k.removeprefix("wait_mean_").replace("_", " ") for k in rows.index]
    err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
    err = np.nan_to_num(err)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.5))
    ax.barh(labels, rows["mean"], xerr=err, color=PALETTE[0], capsize=3)
    ax.set_xlabel("mean wait (minutes), 95% CI across replications")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return fig


def daily_figure(series: pd.DataFrame, title: str) -> plt.Figure:
    """Daily visits and utilisation per facility kind; bands are 95% CIs across replications."""
    fig, axes = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True)
    visits = series[(series.metric == "visits") &
                    series.service.isin(["gp", "outpatient", "emergency"])]
    _kind_lines(axes[0], visits.groupby(["replication", "date", "kind"])["value"].sum())
    axes[0].set_ylabel("visits per day")
    axes[0].set_title(title)
    util = series[series.metric.isin(["busy", "capacity"]) & (series.kind != "external")]
    util = util.assign(kind=util.kind + " " + util.service)
    agg = util.groupby(["replication", "date", "kind", "metric"])["value"].sum().unstack("metric")
    _kind_lines(axes[1], (agg["busy"] / agg["capacity"].where(agg["capacity"] > 0)).dropna())
    axes[1].set_ylabel("utilisation (busy / staffed)")
    axes[1].set_xlabel("date")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, ncol=3, loc="upper left")
    fig.autofmt_xdate()
    return fig


def _kind_lines(ax: plt.Axes, values: pd.Series) -> None:
    wide = values.unstack("replication")
    for i, (kind, block) in enumerate(wide.groupby(level="kind")):
        block = block.droplevel("kind").sort_index()
        mean = block.mean(axis=1)
        n = block.shape[1]
        color = PALETTE[i % len(PALETTE)]
        ax.plot(mean.index, mean.values, color=color, lw=1, label=kind)
        if n > 1:
            half = stats.t.ppf(0.975, n - 1) * block.std(axis=1, ddof=1) / np.sqrt(n)
            ax.fill_between(mean.index, mean - half, mean + half, color=color, alpha=0.25, lw=0)


def capacity_figure(series: pd.DataFrame, title: str) -> plt.Figure | None:
    """Staffed first-contact servers (outpatient doctors, GPs) per facility over time, for
    facilities whose capacity changes (openings, phases); None if none changes."""
    cap = series[(series.metric == "capacity") & series.service.isin(["gp", "outpatient"])
                 & (series.replication == series.replication.min())]
    # the series' capacity is a day's mean number of servers; a 7-day max smooths out weekends
    daily = cap.groupby(["facility", "date"])["value"].sum().unstack("facility")
    weekly = daily.rolling(7, min_periods=1).max()
    changing = [f for f in weekly.columns if weekly[f].nunique() > 1]
    if not changing:
        return None
    fig, ax = plt.subplots(figsize=(9, 0.25 * len(changing) + 3.5))
    for i, f in enumerate(changing):
        ax.step(weekly.index, weekly[f], where="post", color=PALETTE[i % len(PALETTE)],
                lw=1.5, label=f)
    ax.set_ylabel("staffed servers, daily mean (7-day max)")
    ax.set_xlabel("date")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    fig.autofmt_xdate()
    return fig


def standard_figures(summary: pd.DataFrame, series: pd.DataFrame, out_dir: Path,
                     label: str) -> list[Path]:
    """The run's standard figures; returns the files written."""
    paths = save(waits_figure(summary, f"Waits: {label}"), out_dir, "waits")
    paths += save(daily_figure(series, f"Daily activity: {label}"), out_dir, "daily")
    capacity = capacity_figure(series, f"Facilities opening and growing: {label}")
    if capacity is not None:
        paths += save(capacity, out_dir, "capacity")
    return paths
