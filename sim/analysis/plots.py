"""Figures of a run and of a sweep, each saved as PNG and SVG, labelled in English or Chinese.

A run's figures read only its directory's tidy outputs (``summary.csv``, ``timeseries.parquet``,
``config.resolved.yaml``), so they can be redrawn for results produced elsewhere.
"""
from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Patch  # noqa: E402
from scipy import stats  # noqa: E402

from sim.analysis.fonts import use_cjk_font  # noqa: E402
from sim.analysis.labels import (BED_SERVICES, check_lang, kind_label,  # noqa: E402
                                 kpi_label, kpi_parts, kpi_unit, service_label, text)
from sim.domain.clock import measured_period  # noqa: E402
from sim.metrics.catalogue import declaration  # noqa: E402
from sim.runner.outputs import atomic_path  # noqa: E402

use_cjk_font()

# Okabe-Ito, colour-blind safe
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
# facility kind → (marker, colour, size) on the map
KIND_STYLE = {"hospital": ("s", PALETTE[3], 90), "centre": ("o", PALETTE[0], 55),
              "station": ("^", PALETTE[5], 30), "village": ("v", PALETTE[4], 30),
              "external": ("D", PALETTE[7], 70), "ems": ("P", PALETTE[1], 50)}
PRIMARY = ("centre", "station", "village")
FIRST_CONTACT = ("gp", "outpatient", "emergency")
SMOOTH_AFTER_DAYS = 120          # longer daily series are drawn as 7-day rolling means


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


# -- a run's outputs ------------------------------------------------------------------------

@dataclass
class RunOutputs:
    """What the run figures read from a run directory."""
    summary: pd.DataFrame          # index kpi; mean, ci_low, ci_high, sd, n
    series: pd.DataFrame           # replication, date, facility, kind, service, metric, value
    config: dict                   # config.resolved.yaml as plain data


def load_run(out_dir: Path) -> RunOutputs:
    """Read a run directory's summary, daily series and resolved config."""
    out = Path(out_dir)
    summary = pd.read_csv(out / "summary.csv", index_col=0)
    series = pd.read_parquet(out / "timeseries.parquet")
    config = yaml.safe_load((out / "config.resolved.yaml").read_text(encoding="utf-8"))
    return RunOutputs(summary, series, config)


def run_label(config: dict, lang: str) -> str:
    """Preset (or network) and policy, e.g. 'dongli, policy baseline'."""
    name = config.get("preset") or config.get("network", {}).get("name", "")
    return text("run_label", lang, name=name, policy=config.get("policy", {}).get("name", ""))


def facility_name(fid: str, f: dict, lang: str) -> str:
    """A facility's Chinese name (zh) or English name (en), else its id."""
    return (f.get("name") if lang == "zh" else f.get("name_en")) or fid


def _date(v: Any) -> pd.Timestamp:
    return pd.Timestamp(str(v))


def run_period(config: dict) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last measured day."""
    return tuple(pd.Timestamp(d) for d in measured_period(config["run"]))


def calendar_events(config: dict, first: pd.Timestamp, last: pd.Timestamp,
                    lang: str) -> list[tuple[pd.Timestamp, str]]:
    """Facility openings and capacity steps dated in (first, last], one label per date."""
    by_date: dict[pd.Timestamp, list[str]] = {}
    for fid, f in (config.get("network", {}).get("facilities") or {}).items():
        name = facility_name(fid, f, lang)
        if f.get("opens") and first < _date(f["opens"]) <= last:
            by_date.setdefault(_date(f["opens"]), []).append(text("opens", lang, name=name))
        steps: dict[pd.Timestamp, list[str]] = {}
        for sid, s in (f.get("services") or {}).items():
            for step in s.get("schedule") or []:
                d = _date(step["date"])
                if first < d <= last:
                    steps.setdefault(d, []).append(text(
                        "capacity_step", lang, service=service_label(sid, lang),
                        servers=step["servers"]))
        sep = "，" if lang == "zh" else ", "
        for d, items in steps.items():
            by_date.setdefault(d, []).append(f"{name}{'：' if lang == 'zh' else ': '}"
                                             f"{sep.join(items)}")
    sep = "；" if lang == "zh" else "; "
    return [(d, sep.join(labels)) for d, labels in sorted(by_date.items())]


def _ci_half(block: pd.DataFrame) -> pd.Series:
    n = block.shape[1]
    return stats.t.ppf(0.975, n - 1) * block.std(axis=1, ddof=1) / np.sqrt(n)


def _err(rows: pd.DataFrame, scale: float = 1.0) -> np.ndarray:
    """Asymmetric error bars from mean and CI columns (zero where there is no CI)."""
    err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]]) / scale
    return np.clip(np.nan_to_num(err), 0, None)


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_NO_LINE_START = set("，。、；：！？）》”’%）")


def _wrap(s: str, lang: str, width: int) -> str:
    """Wrap a label to ``width`` (a Chinese character counts two): by words in English; in
    Chinese between characters, keeping numbers and Latin words whole and punctuation off the
    start of a line."""
    if lang != "zh" and not _CJK.search(s):
        return "\n".join(textwrap.wrap(s, width)) or s
    tokens = re.findall(r"[A-Za-z0-9.%≥≤+\-]+|\s+|.", s)
    lines, line, used = [], "", 0
    for tok in tokens:
        w = sum(2 if _CJK.match(c) else 1 for c in tok)
        if used + w > width and line.strip() and tok not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = tok.lstrip(), w
        else:
            line, used = line + tok, used + w
    lines.append(line.rstrip())
    return "\n".join(x for x in lines if x)


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "–"
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:.2g}" if v else "0"


# -- waits ----------------------------------------------------------------------------------

def waits_figure(summary: pd.DataFrame, lang: str = "en", label: str = "") -> plt.Figure:
    """Mean wait per facility kind and service with 95% CIs: consultations in minutes, beds and
    community places in days."""
    check_lang(lang)
    rows = []
    for name in summary.index:
        parts = kpi_parts(name) if name.startswith("wait_mean_") and "@" not in name else None
        if parts is None or parts[3] is not None or not np.isfinite(summary.loc[name, "mean"]):
            continue
        _, kind, service, _ = parts
        rows.append((service in BED_SERVICES, name,
                     f"{kind_label(kind, lang)} · {service_label(service, lang)}"))
    panels = [(False, "wait_minutes", 1.0), (True, "wait_days", 1440.0)]
    panels = [(beds, key, scale, [(n, lab) for b, n, lab in rows if b == beds])
              for beds, key, scale in panels]
    panels = [p for p in panels if p[3]]
    heights = [len(p[3]) + 1.2 for p in panels] or [1]
    fig, axes = plt.subplots(len(panels) or 1, 1, figsize=(8, 0.36 * sum(heights) + 1.8),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, (_, key, scale, items) in zip(axes[:, 0], panels):
        block = summary.loc[[n for n, _ in items]].assign(label=[lab for _, lab in items])
        block = block.sort_values("mean")
        err = _err(block, scale)
        err[0] = np.minimum(err[0], block["mean"].to_numpy() / scale)   # waits are not negative
        ax.barh(block["label"], block["mean"] / scale, xerr=err,
                color=PALETTE[0] if key == "wait_minutes" else PALETTE[1], capsize=3)
        ax.set_xlabel(text(key, lang))
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="y", labelsize=9)
    axes[0, 0].set_title(text("title_waits", lang, label=label))
    fig.tight_layout()
    return fig


# -- daily series ---------------------------------------------------------------------------

def _kind_lines(ax: plt.Axes, values: pd.Series, names: dict[str, str], smooth: int = 1
                ) -> None:
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
            half = _ci_half(block)
            ax.fill_between(mean.index, (mean - half).clip(lower=0), mean + half, color=color,
                            alpha=0.25, lw=0)


def _mark_events(fig: plt.Figure, axes: list[plt.Axes], events: list, lang: str) -> None:
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


def daily_figure(series: pd.DataFrame, config: dict | None = None, lang: str = "en",
                 label: str = "") -> plt.Figure:
    """Daily visits and utilisation per facility kind, 95% CI bands across replications, with
    numbered markers at facility openings and capacity steps."""
    check_lang(lang)
    fig, axes = plt.subplots(2, 1, figsize=(11.5, 7), sharex=True)
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


def capacity_figure(series: pd.DataFrame, config: dict | None = None, lang: str = "en",
                    label: str = "") -> plt.Figure | None:
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
    fig, ax = plt.subplots(figsize=(10, 0.25 * len(changing) + 3.5))
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


# -- referral flows -------------------------------------------------------------------------

FLOW_BOX_W, FLOW_BOX_H = 2.1, 0.9
# box → (x, y, KPIs whose sum is its volume, label key or KPI, tint: a PALETTE index)
FLOW_BOXES = {
    "P": (1.2, 5.2, ("flow_first_primary",), "flow_first_primary", 5),
    "H": (1.2, 3.1, ("flow_first_hospital",), "flow_first_hospital", 1),
    "E": (1.2, 0.95, ("flow_emergency",), "flow_emergency", 3),
    "REM": (3.8, 6.45, ("teleconsults_per_10k", "remote_diagnoses_per_10k"), "settled_remotely", 5),
    "UP": (3.8, 5.2, ("up_referrals_per_10k",), "up_referrals_per_10k", 5),
    "ON": (3.8, 4.15, ("flow_onward",), "flow_onward", 5),
    "OP": (6.3, 3.1, ("flow_first_hospital", "up_referrals_per_10k", "flow_onward"),
           "hospital_outpatient", 1),
    "RO": (9.3, 5.2, ("flow_refer_out",), "flow_refer_out", 4),
    "ADM": (6.3, 0.95, ("flow_admit",), "flow_admit", 1),
    "DR": (9.3, 2.65, ("down_referrals_per_10k",), "down_referrals_per_10k", 2),
    "HB": (9.3, 1.5, ("home_beds_per_10k",), "home_beds_per_10k", 2),
    "DH": (9.3, 0.35, ("flow_discharge_home",), "flow_discharge_home", 2),
    "FU": (12.0, 0.35, ("flow_followup",), "flow_followup", 5),
    "LEFT": (12.0, 3.1, ("flow_left",), "flow_left", None),
}
# arrow: from, to, KPIs summed, KPIs subtracted, (side, offset) at each end, path, label at
FLOW_ARROWS = [
    ("P", "REM", ("teleconsults_per_10k", "remote_diagnoses_per_10k"), (), ("t", 0), ("l", 0), "up",
     0.0),
    ("P", "UP", ("up_referrals_per_10k",), (), ("r", 0), ("l", 0), "straight", 0.5),
    ("UP", "OP", ("up_referrals_per_10k",), (), ("r", 0), ("t", -0.3), "across", 0.0),
    ("P", "ON", ("flow_onward",), (), ("r", -0.3), ("l", 0), "straight", 0.5),
    ("ON", "OP", ("flow_onward",), (), ("r", 0), ("l", 0.3), "straight", 0.5),
    ("H", "OP", ("flow_first_hospital",), (), ("r", 0), ("l", 0), "straight", 0.5),
    ("OP", "RO", ("flow_refer_out",), (), ("t", 0.3), ("l", 0), "up", 0.0),
    ("OP", "ADM", ("flow_admit",), ("flow_admit_emergency",), ("b", 0), ("t", 0), "straight",
     0.5),
    ("E", "ADM", ("flow_admit_emergency",), (), ("r", 0), ("l", 0), "straight", 0.5),
    ("ADM", "DR", ("down_referrals_per_10k",), (), ("r", 0.3), ("l", 0), "straight", 0.55),
    ("ADM", "HB", ("home_beds_per_10k",), (), ("r", 0.1), ("l", 0), "straight", 0.55),
    ("ADM", "DH", ("flow_discharge_home",), (), ("r", -0.2), ("l", 0), "straight", 0.55),
    ("DH", "FU", ("flow_followup",), (), ("r", 0), ("l", 0), "straight", 0.5),
]


def _flow_value(summary: pd.DataFrame, kpis: tuple, column: str = "mean") -> float:
    vals = [summary.loc[k, column] if k in summary.index else np.nan for k in kpis]
    return float(np.sum(vals)) if vals and all(np.isfinite(vals)) else np.nan


def _anchor(box: str, side: str, offset: float) -> tuple[float, float]:
    """A point on a box's side (l, r, t, b), ``offset`` box-widths (or heights) from its middle."""
    x, y = FLOW_BOXES[box][:2]
    if side in "lr":
        return x + (1 if side == "r" else -1) * FLOW_BOX_W / 2, y + offset * FLOW_BOX_H
    return x + offset * FLOW_BOX_W, y + (1 if side == "t" else -1) * FLOW_BOX_H / 2


def flow_figure(summary: pd.DataFrame, lang: str = "en", label: str = "") -> plt.Figure:
    """The referral flow diagram: first contact → referral → hospital → outcome, arrow widths
    proportional to the flow KPIs' means (per 10,000 residents per year)."""
    check_lang(lang)
    fig, ax = plt.subplots(figsize=(13, 7.4))
    ax.set_xlim(-0.1, 13.15)
    ax.set_ylim(-0.45, 7.5)
    ax.axis("off")
    for x, key in ((1.2, "first_contact"), (3.8, "referral"), (6.3, "hospital_care"),
                   (10.55, "outcome")):
        ax.text(x, 7.25, text(key, lang), ha="center", va="center", fontsize=12.5,
                color="0.25")
    for box, (x, y, kpis, key, tint) in FLOW_BOXES.items():
        name = kpi_label(key, lang) if declaration(key) is not None else text(key, lang)
        name = "\n".join(_wrap(part, lang, 26) for part in name.split("\n"))
        mean = _flow_value(summary, kpis)
        lines = [_fmt(mean)]
        if len(kpis) == 1:
            lo, hi = (_flow_value(summary, kpis, c) for c in ("ci_low", "ci_high"))
            if np.isfinite(lo) and np.isfinite(hi) and hi > lo:    # volumes: not below 0
                lines.append(f"[{_fmt(max(lo, 0.0))}, {_fmt(hi)}]")
        if box == "E" and "flow_ambulance" in summary.index:
            lines.append(text("of_which_ambulance", lang,
                              n=_fmt(summary.loc["flow_ambulance", "mean"])))
        colour = "0.92" if tint is None else PALETTE[tint]
        ax.add_patch(FancyBboxPatch((x - FLOW_BOX_W / 2, y - FLOW_BOX_H / 2), FLOW_BOX_W,
                                    FLOW_BOX_H, boxstyle="round,pad=0.04", fc=colour,
                                    alpha=0.22 if tint is not None else 1.0,
                                    ec="0.3", lw=1, ls="--" if tint is None else "-"))
        ax.text(x, y, "\n".join([name] + lines), ha="center", va="center", fontsize=9,
                linespacing=1.15)
    values = [_flow_value(summary, k) - (_flow_value(summary, sub) if sub else 0.0)
              for _, _, k, sub, *_ in FLOW_ARROWS]
    top = max([v for v in values if np.isfinite(v)] + [1.0])
    for (a, b, _, _, ea, eb, path, at), v in zip(FLOW_ARROWS, values):
        p, q = _anchor(a, *ea), _anchor(b, *eb)
        v = v if np.isfinite(v) else 0.0
        lw = 0.8 + 12.0 * v / top
        style = {"straight": "arc3,rad=0", "up": "angle,angleA=90,angleB=0,rad=0",
                 "across": "angle,angleA=0,angleB=90,rad=0"}[path]
        ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=9 + 1.4 * lw,
                                     lw=lw, color=PALETTE[0] if v > 0 else "0.6",
                                     alpha=0.75, connectionstyle=style, capstyle="butt",
                                     joinstyle="miter", ls="-" if v > 0 else ":",
                                     shrinkA=1, shrinkB=1))
        if path == "up":            # the label on the corner of the bend
            mx, my = p[0], q[1]
        elif path == "across":
            mx, my = q[0], p[1]
        else:
            mx, my = p[0] + at * (q[0] - p[0]), p[1] + at * (q[1] - p[1])
        ax.text(mx, my, _fmt(v), ha="center", va="center", fontsize=8.5,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))
    n = int(summary.loc["flow_first_primary", "n"]) if "flow_first_primary" in summary.index \
        else 0
    ax.set_title(text("title_flow", lang, label=label), fontsize=13)
    ax.text(0.0, -0.35, text("flow_units", lang, n=n), fontsize=8.5, color="0.3",
            va="top")
    return fig


# -- network map ----------------------------------------------------------------------------

def map_figure(config: dict, summary: pd.DataFrame | None = None, lang: str = "en",
               label: str = "") -> plt.Figure | None:
    """Facilities by kind, catchment discs and the health circle (``access.circle_minutes`` at
    ``access.circle_speed_kmh``) around each primary facility open by the run's end; km axes.
    None when no facility has a location."""
    check_lang(lang)
    facilities = (config.get("network") or {}).get("facilities") or {}
    located = {fid: f for fid, f in facilities.items() if f.get("location")}
    if not located:
        return None
    access = config.get("access") or config.get("report") or {}   # report: older run folders
    minutes = float(access.get("circle_minutes", 15.0))
    speed = float(access.get("circle_speed_kmh", 4.0))
    reach = minutes / 60.0 * speed
    _, last = run_period(config)
    fig, ax = plt.subplots(figsize=(13, 9))
    for c in ((config.get("population") or {}).get("catchments") or {}).values():
        if c.get("location"):
            ax.add_patch(Circle(c["location"], c.get("radius", 2.0), fc="0.82", ec="0.45",
                                alpha=0.45, lw=0.8, zorder=1))
    closed = False
    for fid, f in located.items():
        open_by_end = not f.get("opens") or _date(f["opens"]) <= last
        if f["kind"] in PRIMARY and open_by_end:
            ax.add_patch(Circle(f["location"], reach, fc=PALETTE[2], ec=PALETTE[2],
                                alpha=0.18, lw=0.6, zorder=2))
    names: dict[tuple, list[tuple[str, bool]]] = {}
    for fid, f in located.items():
        marker, colour, size = KIND_STYLE.get(f["kind"], ("x", "0.3", 30))
        open_by_end = not f.get("opens") or _date(f["opens"]) <= last
        closed |= not open_by_end
        x, y = f["location"]
        ax.scatter([x], [y], marker=marker, s=size, zorder=4, linewidths=1.2,
                   facecolors=colour if open_by_end else "white", edgecolors=colour)
        if f["kind"] != "ems":          # ambulance stations share their sites: legend only
            names.setdefault((round(x, 3), round(y, 3)), []).append(
                (short_name(facility_name(fid, f, lang), lang),
                 f["kind"] in ("station", "village")))
    labels = []
    for (x, y), items in names.items():   # one label per site, co-located names stacked
        small = all(s for _, s in items)
        labels.append((small, x, y, "\n".join(n for n, _ in items)))
    labels.sort(key=lambda lab: lab[0])   # hospitals and centres first: they get the best spot
    handles = [Line2D([], [], marker=KIND_STYLE[k][0], color=KIND_STYLE[k][1], ls="",
                      markersize=7, label=kind_label(k, lang))
               for k in KIND_STYLE if any(f["kind"] == k for f in located.values())]
    handles += [Patch(fc="0.82", ec="0.45", alpha=0.45, label=text("catchment", lang)),
                Patch(fc=PALETTE[2], ec=PALETTE[2], alpha=0.25,
                      label=text("health_circle", lang, minutes=minutes, speed=speed))]
    if closed:
        handles.append(Line2D([], [], marker="o", color="0.3", mfc="white", ls="",
                              markersize=7, label=text("not_yet_open", lang)))
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              framealpha=0.9)
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_xlabel(text("km_east", lang))
    ax.set_ylabel(text("km_north", lang))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    _place_labels(fig, ax, [(x, y, name, 6 if small else 7.5, "0.35" if small else "0.05")
                            for small, x, y, name in labels])
    title = text("title_map", lang, label=label)
    if summary is not None and "health_circle_15min" in summary.index:
        value = summary.loc["health_circle_15min", "mean"]
        if np.isfinite(value):
            title += "\n" + text("circle_value", lang, minutes=minutes, value=f"{value:.1%}")
    ax.set_title(title)
    fig.tight_layout()
    return fig


MAP_SHORT = {"zh": (("社区卫生服务中心", "中心"), ("社区卫生服务站", "站")),
             "en": (("Community Health Service Centre", "CHC"), ("Central Township Hospital",
                                                                  "Central THC"),
                    ("Township Hospital", "THC"), ("village clinics (pooled)", "villages"))}


def short_name(name: str, lang: str) -> str:
    """A facility name shortened for the map (its kind is in the legend)."""
    for long, short in MAP_SHORT.get(lang, ()):
        name = name.replace(long, short)
    return name


def _place_labels(fig: plt.Figure, ax: plt.Axes, labels: list) -> None:
    """Greedy label placement: each label takes the first of eight spots around its point
    that overlaps no marker or label placed before it and stays inside the axes (else the
    spot that does least of either)."""
    spots = [(5, 2, "left", "bottom"), (5, -2, "left", "top"), (-5, 2, "right", "bottom"),
             (-5, -2, "right", "top"), (0, 6, "center", "bottom"), (0, -6, "center", "top"),
             (9, 0, "left", "center"), (-9, 0, "right", "center")]
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    frame = ax.get_window_extent(renderer)
    # the markers themselves: a label should not hide one
    placed: list = [Bbox.from_bounds(px - 4, py - 4, 8, 8)
                    for px, py in ax.transData.transform([(x, y) for x, y, *_ in labels])]
    for x, y, name, size, colour in labels:
        best, best_overlap = None, math.inf
        for dx, dy, ha, va in spots:
            t = ax.annotate(name, (x, y), xytext=(dx, dy), textcoords="offset points",
                            ha=ha, va=va, fontsize=size, color=colour, zorder=5,
                            linespacing=1.0)
            box = t.get_window_extent(renderer).expanded(1.02, 1.05)
            overlap = sum(max(0, min(box.x1, b.x1) - max(box.x0, b.x0))
                          * max(0, min(box.y1, b.y1) - max(box.y0, b.y0)) for b in placed)
            inside = (max(0, min(box.x1, frame.x1) - max(box.x0, frame.x0))
                      * max(0, min(box.y1, frame.y1) - max(box.y0, frame.y0)))
            overlap += 2 * (box.width * box.height - inside)     # sticking out of the axes
            if overlap < best_overlap:
                if best is not None:
                    best[0].remove()
                best, best_overlap = (t, box), overlap
            else:
                t.remove()
            if overlap == 0:
                break
        placed.append(best[1])


# -- the run's standard set -----------------------------------------------------------------

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


# -- sweeps ---------------------------------------------------------------------------------

def _panel_grid(n: int, ncols: int, width: float, height: float, **kw: Any):
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             squeeze=False, **kw)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _titled(fig: plt.Figure, title: str) -> plt.Figure:
    """A figure title above the panels: half an inch kept free for it, however tall the grid."""
    fig.suptitle(title, y=1 - 0.15 / fig.get_figheight())
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))
    return fig


def _forest(table: pd.DataFrame, kpis: list[str], lang: str, zero: bool) -> plt.Figure:
    """One panel per KPI: a dot and 95% CI bar per scenario, scenarios on the y axis."""
    kpis = [k for k in kpis if k in set(table["kpi"])] or list(dict.fromkeys(table["kpi"]))
    scenarios = list(dict.fromkeys(table["scenario"]))
    fig, axes = _panel_grid(max(1, len(kpis)), 3, 3.6, 0.32 * len(scenarios) + 1.6,
                            sharey=True)
    pos = {s: i for i, s in enumerate(scenarios)}
    for ax, kpi in zip(axes, kpis):
        rows = table[table["kpi"] == kpi]
        y = rows["scenario"].map(pos).to_numpy()
        err = _err(rows)
        if zero:
            ax.axvline(0, color="0.3", lw=1)
            sure = ((rows["ci_low"] > 0) | (rows["ci_high"] < 0)).to_numpy()
            colours = np.where(sure, PALETTE[0], "0.55")
        else:
            colours = np.array([PALETTE[0]] * len(rows))
        for c in dict.fromkeys(colours):
            m = colours == c
            ax.errorbar(rows["mean"].to_numpy()[m], y[m], xerr=err[:, m], fmt="o", color=c,
                        ms=4, capsize=2.5, lw=1.2)
        ax.set_title(_wrap(kpi_label(kpi, lang), lang, 34), fontsize=9)
        ax.set_xlabel(_wrap(kpi_unit(kpi, lang), lang, 40), fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(range(len(scenarios)))
    axes[0].set_yticklabels([_wrap(str(s), "en", 40) for s in scenarios])
    axes[0].set_ylim(len(scenarios) - 0.5, -0.5)
    return fig


def comparison_figure(table: pd.DataFrame, kpis: list[str], lang: str) -> plt.Figure:
    """Scenario comparison: per KPI, each scenario's mean and 95% CI (columns ``scenario, kpi,
    mean, ci_low, ci_high``)."""
    check_lang(lang)
    fig = _forest(table, kpis, lang, zero=False)
    return _titled(fig, text("scenario_comparison", lang) + " — " + text("comparison_axis", lang))


def paired_figure(diffs: pd.DataFrame, kpis: list[str], baseline: str, lang: str
                  ) -> plt.Figure:
    """Forest plot of paired differences against ``baseline`` (same columns as
    ``comparison_figure``); a CI clear of zero is drawn in colour."""
    check_lang(lang)
    rows = diffs[diffs["scenario"] != baseline]
    fig = _forest(rows if len(rows) else diffs, kpis, lang, zero=True)
    return _titled(fig, text("paired_differences", lang, baseline=baseline) + " — "
                   + text("paired_axis", lang, baseline=baseline))


def response_figure(points: pd.DataFrame, params: list[str], kpis: list[str], lang: str
                    ) -> plt.Figure:
    """Sensitivity: a scatter of each KPI (rows) against each parameter (columns), one point
    per design point, with its least-squares line and slope."""
    check_lang(lang)
    kpis = [k for k in kpis if k in points.columns]
    params = [p for p in params if p in points.columns]
    nr, nc = max(1, len(kpis)), max(1, len(params))
    fig, axes = plt.subplots(nr, nc, figsize=(3.1 * nc + 0.8, 2.5 * nr + 0.8), squeeze=False)
    for i, kpi in enumerate(kpis):
        for j, param in enumerate(params):
            ax = axes[i, j]
            x = points[param].to_numpy(dtype=float)
            y = points[kpi].to_numpy(dtype=float)
            ok = np.isfinite(x) & np.isfinite(y)
            ax.scatter(x[ok], y[ok], s=14, color=PALETTE[0], alpha=0.8)
            if ok.sum() >= 2 and np.ptp(x[ok]) > 0:
                slope, icept = np.polyfit(x[ok], y[ok], 1)
                xs = np.linspace(x[ok].min(), x[ok].max(), 2)
                ax.plot(xs, icept + slope * xs, color=PALETTE[3], lw=1.5)
                ax.set_title(text("slope", lang, slope=slope), fontsize=8.5)
            else:
                ax.set_title(text("no_data", lang), fontsize=8.5)
            ax.tick_params(labelsize=7.5)
            ax.grid(alpha=0.3)
            if i == nr - 1:
                ax.set_xlabel(param, fontsize=8.5)
            if j == 0:
                unit = kpi_unit(kpi, lang)
                unit = (f"\n{unit}" if lang == "zh" else f"\n({unit})") if unit else ""
                ax.set_ylabel(_wrap(kpi_label(kpi, lang), lang, 28) + unit, fontsize=8.5)
    return _titled(fig, text("title_response", lang))
