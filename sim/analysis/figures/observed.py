"""The "today reproduced?" chart: per published figure of the district, in its KPI's units,
the band, the published value and the simulated mean with its 95% CI."""
from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis.figures.common import PALETTE, new_figure, styled, unit_axis, wrap
from sim.analysis.labels import check_lang, text
from sim.analysis.observed import (INCONCLUSIVE, NOT_MEASURED, NOT_REPRODUCED, REPRODUCED,
                                   _finite, figure_label)


def _colours() -> dict[str, str]:
    return {REPRODUCED: PALETTE[2], NOT_REPRODUCED: PALETTE[3], INCONCLUSIVE: PALETTE[1],
            NOT_MEASURED: "0.6"}


def _limits(r: Any) -> tuple[float, float]:
    """The x range of one row: every finite bound, value, mean and CI, padded; a one-sided
    band gets extra room on its open side so its shading visibly runs on."""
    xs = [v for v in (r.low, r.high, r.value, r.mean, r.ci_low, r.ci_high) if _finite(v)]
    lo, hi = min(xs), max(xs)
    span = hi - lo or abs(hi) * 0.2 or 1.0
    open_lo = 0.35 if not _finite(r.low) else 0.12
    open_hi = 0.35 if not _finite(r.high) else 0.12
    return lo - open_lo * span, hi + open_hi * span


def _row(ax: Any, r: Any, lang: str) -> None:
    """One observed figure on its own axis, in its KPI's units."""
    left, right = _limits(r)
    ax.set_xlim(left, right)
    ax.axvspan(r.low if _finite(r.low) else left, r.high if _finite(r.high) else right,
               color=PALETTE[5], alpha=0.3, lw=0)
    if _finite(r.value):
        ax.plot([r.value], [0], marker="|", ms=18, mew=2.2, color="0.1", ls="")
    colour = _colours()[r.verdict]
    if _finite(r.mean):
        err = ([[r.mean - r.ci_low], [r.ci_high - r.mean]] if _finite(r.ci_low) else None)
        ax.errorbar([r.mean], [0], xerr=err, fmt="o", color=colour, ms=7, capsize=5, lw=2)
    else:
        ax.text(0.5, 0.5, text(NOT_MEASURED, lang), transform=ax.transAxes, ha="center",
                va="center", fontsize=8, color="0.35",
                bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="0.7"))
    ax.text(1.01, 0.5, text(r.verdict, lang), transform=ax.transAxes, ha="left",
            va="center", fontsize=9, color=colour)
    year = "" if pd.isna(r.year) else f"，{int(r.year)}年" if lang == "zh" else \
        f", {int(r.year)}"
    where = f"（{text(f'scope:{r.scope}', lang)}{year}）" if lang == "zh" else \
        f" ({text(f'scope:{r.scope}', lang)}{year})"
    ax.set_title(wrap(figure_label(r, lang) + where, lang, 90), loc="left", fontsize=9)
    ax.set_ylim(-1, 1)
    ax.set_yticks([])
    unit_axis(ax, r.kpi, lang)


@styled
def observed_figure(table: pd.DataFrame, title: str, lang: str = "en") -> Figure:
    """One row per observed figure, each on its own x axis in its KPI's units: the band shaded
    (to the edge when open), the published value as a tick, the simulated mean and 95% CI
    coloured by verdict; titled "Today reproduced? ``title``" (``title``: the district)."""
    check_lang(lang)
    n = max(1, len(table))
    fig = new_figure(figsize=(9, 1.05 * n + 1.1), layout="constrained")
    axes = fig.subplots(n, 1, squeeze=False)
    for ax, r in zip(axes[:, 0], table.itertuples()):
        _row(ax, r, lang)
    colours = _colours()
    handles = [Patch(fc=PALETTE[5], alpha=0.3, label=text("band_legend", lang)),
               Line2D([], [], marker="|", ms=12, mew=2, color="0.1", ls="",
                      label=text("published value", lang))]
    handles += [Line2D([], [], marker="o", color=colours[v], ls="-",
                       label=text("simulated_legend", lang) + ("：" if lang == "zh" else ": ")
                       + text(v, lang))
                for v in colours if v in set(table["verdict"]) and v != NOT_MEASURED]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(3, len(handles)),
               fontsize=8, frameon=False)
    fig.suptitle(text("title_observed", lang, district=title))
    return fig
