"""A run's own figures (waits, daily series, capacity) and the standard set drawn from a run
directory's files alone."""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.analysis.figures.common import (PALETTE, calendar_events, ci_half, err, facility_name,
                                         fmt, load_run, new_figure, run_label, save, styled)
from sim.analysis.figures.flow import flow_figure
from sim.analysis.figures.map import map_figure
from sim.analysis.labels import (BED_SERVICES, check_lang, kind_label, kpi_parts, service_label,
                                 text)

FIRST_CONTACT = ("gp", "outpatient", "emergency")
SMOOTH_AFTER_DAYS = 120          # longer daily series are drawn as 7-day rolling means


# -- waits ----------------------------------------------------------------------------------

def _wait_rows(summary: pd.DataFrame, lang: str) -> list[tuple[bool, str, str]]:
    """(bed service?, KPI, label) of each kind × service mean wait with a value."""
    rows = []
    for name in summary.index:
        parts = kpi_parts(name) if name.startswith("wait_mean_") and "@" not in name else None
        if parts is None or parts[3] is not None or not np.isfinite(summary.loc[name, "mean"]):
            continue
        _, kind, service, _ = parts
        rows.append((service in BED_SERVICES, name,
                     f"{kind_label(kind, lang)} · {service_label(service, lang)}"))
    return rows


def _wait_panel(ax: Axes, block: pd.DataFrame, key: str, scale: float, lang: str) -> None:
    """One panel of bars with 95% CIs, each bar's mean written beside it (a 0 is a 0, not a
    blank), the axis starting at 0 even when every wait is 0."""
    block = block.sort_values("mean")
    mean = block["mean"].to_numpy() / scale
    e = err(block, scale)
    e[0] = np.minimum(e[0], mean)                    # waits are not negative
    ax.barh(block["label"], mean, xerr=e, capsize=3,
            color=PALETTE[0] if key == "wait_minutes" else PALETTE[1])
    right = float(np.nanmax(mean + e[1])) if len(mean) else 0.0
    right = right * 1.18 if right > 0 else 1.0
    ax.set_xlim(0, right)
    for y, (m, hi) in enumerate(zip(mean, mean + e[1])):
        ax.text(hi + right * 0.01, y, fmt(m), va="center", ha="left", fontsize=8, color="0.2")
    ax.set_xlabel(text(key, lang))
    ax.grid(axis="x", alpha=0.3)
    ax.tick_params(axis="y", labelsize=9)


@styled
def waits_figure(summary: pd.DataFrame, lang: str = "en", label: str = "") -> Figure:
    """Mean wait per facility kind and service with 95% CIs: consultations in minutes, beds and
    community places in days."""
    check_lang(lang)
    rows = _wait_rows(summary, lang)
    panels = [(beds, key, scale, [(n, lab) for b, n, lab in rows if b == beds])
              for beds, key, scale in ((False, "wait_minutes", 1.0), (True, "wait_days", 1440.0))]
    panels = [p for p in panels if p[3]]
    heights = [len(p[3]) + 1.2 for p in panels] or [1]
    fig = new_figure(figsize=(8, 0.36 * sum(heights) + 1.8))
    axes = fig.subplots(len(panels) or 1, 1, gridspec_kw={"height_ratios": heights},
                        squeeze=False)
    for ax, (_, key, scale, items) in zip(axes[:, 0], panels):
        block = summary.loc[[n for n, _ in items]].assign(label=[lab for _, lab in items])
        _wait_panel(ax, block, key, scale, lang)
    axes[0, 0].set_title(text("title_waits", lang, label=label))
    fig.tight_layout()
    return fig


# -- daily series ---------------------------------------------------------------------------

def _kind_lines(ax: Axes, values: pd.Series, names: dict[str, str], smooth: int = 1) -> None:
    """One line per kind: the mean over replications (of ``smooth``-day rolling means) and its
    95% CI band."""
    wide = values.unstack("replication")
    for i, (kind, block) in enumerate(wide.groupby(level="kind")):
        block = block.droplevel("kind").sort_index()
        if smooth > 1:
            block = block.rolling(smooth, min_periods=1).mean()
        mean = block.mean(axis=1)
        color = PALETTE[i % len(PALETTE)]
        ax.plot(mean.index, mean.values, color=color, lw=1, label=names.get(kind, kind))
        if block.shape[1] > 1:          # counts and shares: a band below zero means nothing
            half = ci_half(block)
            ax.fill_between(mean.index, (mean - half).clip(lower=0), mean + half, color=color,
                            alpha=0.25, lw=0)


def _mark_events(fig: Figure, axes: list[Axes], events: list, lang: str) -> None:
    """Numbered vertical lines at each event date and a numbered list under the figure."""
    if not events:
        return
    for i, (d, _) in enumerate(events, 1):
        for ax in axes:
            ax.axvline(d, color="0.35", ls="--", lw=0.8, zorder=0)
        axes[0].annotate(str(i), (d, 1.0), xycoords=("data", "axes fraction"),
                         xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                         fontsize=8, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.35"))
    width = 60 if lang == "zh" else 110
    lines = [text("events_title", lang) + ("：" if lang == "zh" else ":")]
    for i, (d, what) in enumerate(events, 1):
        lines += textwrap.wrap(f"{i}  {d:%Y-%m-%d}  {what}", width, subsequent_indent="      ")
    fig.text(0.01, 0.0, "\n".join(lines), ha="left", va="top", fontsize=8)


@styled
def daily_figure(series: pd.DataFrame, config: dict | None = None, lang: str = "en",
                 label: str = "") -> Figure:
    """Daily visits and utilisation per facility kind, 95% CI bands across replications, with
    numbered markers at facility openings and capacity steps."""
    check_lang(lang)
    fig = new_figure(figsize=(11.5, 7))
    axes = fig.subplots(2, 1, sharex=True)
    smooth = 7 if series["date"].nunique() > SMOOTH_AFTER_DAYS else 1
    note = ("\n" + text("seven_day", lang)) if smooth > 1 else ""
    visits = series[(series.metric == "visits") & series.service.isin(FIRST_CONTACT)]
    kinds = {k: kind_label(k, lang) for k in series.kind.unique()}
    _kind_lines(axes[0], visits.groupby(["replication", "date", "kind"])["value"].sum(), kinds,
                smooth)
    axes[0].set_ylabel(text("visits_per_day", lang) + note)
    axes[0].set_title(text("title_daily", lang, label=label), pad=18)
    util = series[series.metric.isin(["busy", "capacity"])
                  & series.service.isin(FIRST_CONTACT + ("beds", "rehab_beds"))
                  & ~series.kind.isin(["external", "ems"])]
    util = util.assign(kind=util.kind + "|" + util.service)
    agg = util.groupby(["replication", "date", "kind", "metric"])["value"].sum().unstack("metric")
    names = {k: f"{kind_label(k.split('|')[0], lang)} · {service_label(k.split('|')[1], lang)}"
             for k in util.kind.unique()}
    _kind_lines(axes[1], (agg["busy"] / agg["capacity"].where(agg["capacity"] > 0)).dropna(),
                names, smooth)
    axes[1].set_ylabel(text("utilisation_axis", lang) + note)
    axes[1].set_xlabel(text("date", lang) + ("；" if lang == "zh" else "; ")
                       + text("band_ci", lang))
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), framealpha=0.9)
    fig.autofmt_xdate()
    fig.tight_layout()
    if config is not None and len(series):
        dates = pd.to_datetime(series["date"])
        events = calendar_events(config, dates.min(), dates.max(), lang)
        _mark_events(fig, list(axes), events, lang)
    return fig


@styled
def capacity_figure(series: pd.DataFrame, config: dict | None = None, lang: str = "en",
                    label: str = "") -> Figure | None:
    """Staffed first-contact servers (outpatient doctors, GPs) per facility over time, for
    facilities whose capacity changes (openings, phases); None if none changes."""
    check_lang(lang)
    cap = series[(series.metric == "capacity") & series.service.isin(["gp", "outpatient"])
                 & (series.replication == series.replication.min())]
    # the series' capacity is a day's mean number of servers; a 7-day max smooths out weekends
    daily = cap.groupby(["facility", "date"])["value"].sum().unstack("facility")
    weekly = daily.rolling(7, min_periods=1).max()
    changing = [f for f in weekly.columns if weekly[f].nunique() > 1]
    if not changing:
        return None
    facilities = (config or {}).get("network", {}).get("facilities") or {}
    fig = new_figure(figsize=(10, 0.25 * len(changing) + 3.5))
    ax = fig.subplots()
    for i, f in enumerate(changing):
        ax.step(weekly.index, weekly[f], where="post", color=PALETTE[i % len(PALETTE)],
                ls=("-", "--", ":")[i % 3], lw=2.2 - 0.5 * (i % 3),
                label=facility_name(f, facilities.get(f, {}), lang))
    ax.set_ylabel(text("servers_axis", lang))
    ax.set_xlabel(text("date", lang))
    ax.set_title(text("title_capacity", lang, label=label))
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), framealpha=0.9)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def standard_figures(out_dir: Path, lang: str = "en") -> list[Path]:
    """The run's standard figures (waits, daily, capacity if it changes, flow, map), drawn
    from the run directory's files alone; returns the files written."""
    check_lang(lang)
    run = load_run(out_dir)
    label = run_label(run.config, lang)
    paths = save(waits_figure(run.summary, lang, label), out_dir, "waits")
    paths += save(daily_figure(run.series, run.config, lang, label), out_dir, "daily")
    capacity = capacity_figure(run.series, run.config, lang, label)
    if capacity is not None:
        paths += save(capacity, out_dir, "capacity")
    if "flow_first_primary" in run.summary.index:
        paths += save(flow_figure(run.summary, lang, label), out_dir, "flow")
    network = map_figure(run.config, run.summary, lang, label)
    if network is not None:
        paths += save(network, out_dir, "map")
    return paths
