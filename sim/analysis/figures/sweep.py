"""Figures of a sweep: scenarios compared (forest plots of means or of paired differences) and
a design's response of each KPI to each parameter; legends say what each colour means."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.analysis.figures.common import PALETTE, err, new_figure, styled, titled, wrap
from sim.analysis.format import number
from sim.analysis.labels import check_lang, kpi_label, kpi_unit, text

UNSURE = "0.55"                     # a paired difference whose CI contains 0


def _panel_grid(n: int, ncols: int, width: float, height: float,
                **kw: Any) -> tuple[Figure, list[Axes]]:
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = new_figure(figsize=(width * ncols, height * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _ticks(ax: Axes, axis: str = "x", bins: int = 4) -> None:
    """Few ticks with compact numbers (thousands separated, no exponent): they never collide
    in a narrow panel."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(nbins=bins, min_n_ticks=2))
    target.set_major_formatter(FuncFormatter(lambda v, _: number(v)))


def _forest(table: pd.DataFrame, kpis: list[str], lang: str, zero: bool) -> Figure:
    """One panel per KPI: a dot and 95% CI bar per scenario, scenarios on the y axis; with
    ``zero``, a line at 0 and the differences whose CI is clear of 0 in colour."""
    kpis = [k for k in kpis if k in set(table["kpi"])] or list(dict.fromkeys(table["kpi"]))
    scenarios = list(dict.fromkeys(table["scenario"]))
    fig, axes = _panel_grid(max(1, len(kpis)), 3, 3.6, 0.32 * len(scenarios) + 1.6,
                            sharey=True)
    pos = {s: i for i, s in enumerate(scenarios)}
    for ax, kpi in zip(axes, kpis):
        rows = table[table["kpi"] == kpi]
        y = rows["scenario"].map(pos).to_numpy()
        e = err(rows)
        if zero:
            ax.axvline(0, color="0.3", lw=1)
            sure = ((rows["ci_low"] > 0) | (rows["ci_high"] < 0)).to_numpy()
            colours = np.where(sure, PALETTE[0], UNSURE)
        else:
            colours = np.array([PALETTE[0]] * len(rows))
        for c in dict.fromkeys(colours):
            m = colours == c
            ax.errorbar(rows["mean"].to_numpy()[m], y[m], xerr=e[:, m], fmt="o", color=c,
                        ms=4, capsize=2.5, lw=1.2)
        ax.set_title(wrap(kpi_label(kpi, lang), lang, 34), fontsize=9)
        ax.set_xlabel(wrap(kpi_unit(kpi, lang), lang, 40), fontsize=8)
        ax.tick_params(labelsize=8)
        _ticks(ax)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(range(len(scenarios)))
    axes[0].set_yticklabels([wrap(str(s), "en", 40) for s in scenarios])
    axes[0].set_ylim(len(scenarios) - 0.5, -0.5)
    return fig


def _legend(fig: Figure, handles: list) -> None:
    """The colour key under the panels."""
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0.0))


def _bottom(fig: Figure, title: str) -> Figure:
    """Title on top, a strip kept at the bottom for the legend."""
    titled(fig, title)
    fig.tight_layout(rect=(0, 0.35 / fig.get_figheight(), 1, 1 - 0.5 / fig.get_figheight()))
    return fig


@styled
def comparison_figure(table: pd.DataFrame, kpis: list[str], lang: str) -> Figure:
    """Scenario comparison: per KPI, each scenario's mean and 95% CI (columns ``scenario, kpi,
    mean, ci_low, ci_high``)."""
    check_lang(lang)
    fig = _forest(table, kpis, lang, zero=False)
    _legend(fig, [Line2D([], [], marker="o", color=PALETTE[0], ms=4,
                         label=text("comparison_axis", lang))])
    return _bottom(fig, text("scenario_comparison", lang))


@styled
def paired_figure(diffs: pd.DataFrame, kpis: list[str], baseline: str, lang: str) -> Figure:
    """Forest plot of paired differences against ``baseline`` (same columns as
    ``comparison_figure``); a CI clear of zero is drawn in colour, one containing it in grey."""
    check_lang(lang)
    rows = diffs[diffs["scenario"] != baseline]
    fig = _forest(rows if len(rows) else diffs, kpis, lang, zero=True)
    _legend(fig, [Line2D([], [], marker="o", color=PALETTE[0], ms=4,
                         label=text("ci_clear_of_zero", lang)),
                  Line2D([], [], marker="o", color=UNSURE, ms=4,
                         label=text("ci_contains_zero", lang))])
    return _bottom(fig, text("paired_title", lang, baseline=baseline))


def _response_panel(ax: Axes, x: np.ndarray, y: np.ndarray, lang: str) -> None:
    """Design points and their least-squares line, its slope as the panel's title."""
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
    _ticks(ax, "x")
    _ticks(ax, "y")
    ax.grid(alpha=0.3)


@styled
def response_figure(points: pd.DataFrame, params: list[str], kpis: list[str], lang: str
                    ) -> Figure:
    """Sensitivity: a scatter of each KPI (rows) against each parameter (columns), one point
    per design point, with its least-squares line and slope."""
    check_lang(lang)
    kpis = [k for k in kpis if k in points.columns]
    params = [p for p in params if p in points.columns]
    nr, nc = max(1, len(kpis)), max(1, len(params))
    fig = new_figure(figsize=(3.1 * nc + 0.8, 2.5 * nr + 1.1))
    axes = fig.subplots(nr, nc, squeeze=False)
    for i, kpi in enumerate(kpis):
        for j, param in enumerate(params):
            ax = axes[i, j]
            _response_panel(ax, points[param].to_numpy(dtype=float),
                            points[kpi].to_numpy(dtype=float), lang)
            if i == nr - 1:
                ax.set_xlabel(param, fontsize=8.5)
            if j == 0:
                unit = kpi_unit(kpi, lang)
                unit = (f"\n{unit}" if lang == "zh" else f"\n({unit})") if unit else ""
                ax.set_ylabel(wrap(kpi_label(kpi, lang), lang, 28) + unit, fontsize=8.5)
    _legend(fig, [Line2D([], [], marker="o", ls="", color=PALETTE[0], ms=4,
                         label=text("design_point", lang)),
                  Line2D([], [], color=PALETTE[3], lw=1.5, label=text("ls_line", lang))])
    return _bottom(fig, text("title_response", lang))
