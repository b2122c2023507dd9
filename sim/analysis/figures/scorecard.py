"""The scorecard chart: per target, in its KPI's own units, today and the plan side by side
with 95% CIs and the threshold, so a met "≤" target reads as well as a met "≥" one."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.analysis.figures.common import PALETTE, new_figure, styled, unit_axis, wrap
from sim.analysis.format import interval
from sim.analysis.labels import check_lang, kpi_label, text
from sim.analysis.scorecard import (ALREADY_MET, INCONCLUSIVE, INPUT, MET, NEEDS_TODAY, NO_CI,
                                    NOT_MEASURED, NOT_MET, NOTE_SEP, RAISE, rule_text)


def target_label(r: Any, lang: str) -> str:
    """A target's type, text in ``lang`` (the targets file's ``text_zh`` / ``text_en``, else
    the KPI's label) and rule, wrapped."""
    own = r.text_zh if lang == "zh" else r.text_en
    own = own if isinstance(own, str) and own.strip() else kpi_label(r.kpi, lang)
    kind = text(f"type:{r.type}", lang)
    rule = rule_text(r, lang).replace("≥ ", "≥\u00a0").replace("≤ ", "≤\u00a0")   # kept whole
    label = f"{kind}｜{own}（{rule}）" if lang == "zh" else f"{kind} | {own} ({rule})"
    return wrap(label, lang, 100)


def _limits(r: Any) -> tuple[float, float] | None:
    """The x range of one target's row: its values, CIs and threshold, padded."""
    xs = [v for v in (r.today_mean, r.today_ci_low, r.today_ci_high, r.plan_mean,
                      r.plan_ci_low, r.plan_ci_high, r.threshold) if np.isfinite(v)]
    if not xs:
        return None
    lo, hi = min(xs), max(xs)
    pad = 0.12 * ((hi - lo) or abs(hi) * 0.2 or 1.0)
    return lo - pad, hi + pad


def _colours() -> dict[str, str]:
    return {MET: PALETTE[2], NOT_MET: PALETTE[3], INCONCLUSIVE: PALETTE[1], NOT_MEASURED: "0.6",
            INPUT: PALETTE[0]}


def _point(ax: Any, mean: float, lo: float, hi: float, y: float, colour: str) -> None:
    if not np.isfinite(mean):
        return
    err = [[mean - lo], [hi - mean]] if np.isfinite(lo) and np.isfinite(hi) else None
    ax.errorbar([mean], [y], xerr=err, fmt="o", color=colour, ms=6, capsize=4, lw=2)


def _target_row(ax: Any, r: Any, lang: str, today: bool = True) -> None:
    """One target on its own axis, in its KPI's units: today (grey, if the card has a today)
    and the plan (coloured by verdict) with 95% CIs, the threshold dashed, the verdict (and a
    raise's difference) on the right."""
    colour = _colours()[r.verdict]
    limits = _limits(r)
    if limits is not None:
        ax.set_xlim(*limits)
    _point(ax, r.today_mean, r.today_ci_low, r.today_ci_high, 1, "0.45")
    _point(ax, r.plan_mean, r.plan_ci_low, r.plan_ci_high, 0, colour)
    if np.isfinite(r.threshold):
        ax.axvline(r.threshold, color="0.2", ls="--", lw=1.2)
    right = text(r.verdict, lang)
    if r.type == RAISE and np.isfinite(r.diff_mean):
        right += "\nΔ " + interval(r.diff_mean, r.diff_ci_low, r.diff_ci_high, sign=True)
    if ALREADY_MET in str(r.note):
        right += "\n" + text("already met today", lang)
    ax.text(1.01, 0.5, right, transform=ax.transAxes, ha="left", va="center", fontsize=8.5,
            color=colour)
    if not np.isfinite(r.plan_mean) or r.verdict == NOT_MEASURED:
        missing = [text(p, lang) for p in str(r.note).split(NOTE_SEP) if p in (NEEDS_TODAY,
                                                                              NO_CI)]
        ax.text(0.5, 0.5, missing[0] if missing else text(NOT_MEASURED, lang),
                transform=ax.transAxes, ha="center", va="center", fontsize=8, color="0.35",
                bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="0.7"))
    ax.set_ylim(-0.7, 1.7 if today else 0.7)
    ax.set_yticks([0, 1][:1 + today], [text("plan", lang), text("today", lang)][:1 + today],
                  fontsize=8)
    ax.set_title(target_label(r, lang), loc="left", fontsize=9)
    unit_axis(ax, r.kpi, lang)


@styled
def scorecard_figure(card: pd.DataFrame, plan: str, lang: str = "en") -> Figure:
    """Per target its own axis in the KPI's units: today (grey) and the plan (coloured by
    verdict) means with 95% CIs, the threshold as a dashed line; reads alike for ≥ and ≤.
    Without any today value (a plan-only run) the today rows are left out."""
    check_lang(lang)
    n = max(1, len(card))
    today = bool(card["today_mean"].notna().any())       # a plan-only run has no today row
    fig = new_figure(figsize=(9.5, (1.3 if today else 1.05) * n + 1.1), layout="constrained")
    axes = fig.subplots(n, 1, squeeze=False)
    for ax, r in zip(axes[:, 0], card.itertuples()):
        _target_row(ax, r, lang, today)
    colours = _colours()
    handles = [Line2D([], [], marker="o", color="0.45", label=text("today_legend", lang))][
        :today] + [Line2D([], [], color="0.2", ls="--", label=text("threshold_legend", lang))]
    handles += [Line2D([], [], marker="o", color=colours[v],
                       label=text("plan_legend", lang) + ("：" if lang == "zh" else ": ")
                       + text(v, lang))
                for v in colours if v in set(card["verdict"]) and v != NOT_MEASURED]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(3, len(handles)),
               fontsize=8, frameon=False)
    fig.suptitle(text("title_scorecard", lang, plan=plan))
    return fig
