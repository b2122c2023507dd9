"""The targets scorecard: each plan target against its KPI's confidence interval.

A verdict is *met* when the whole 95% interval lies on the target's side of the threshold,
*not met* when it lies wholly on the other side, *inconclusive* otherwise (then the scorecard
says how many replications would narrow the interval enough, if the mean stayed where it is),
and *not measured* when the run has no value for the KPI (e.g. a lever that is off).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

MET, NOT_MET, INCONCLUSIVE, NOT_MEASURED = "met", "not met", "inconclusive", "not measured"
COLUMNS = ["target", "clause", "kpi", "comparison", "threshold", "year", "mean", "ci_low",
           "ci_high", "n", "verdict", "replications_needed", "text_en", "text_zh"]


def verdict(mean: float, lo: float, hi: float, comparison: str, threshold: float) -> str:
    """Met / not met / inconclusive from a confidence interval; not measured without one."""
    if not all(map(math.isfinite, (mean, lo, hi))):
        return NOT_MEASURED
    above = lo >= threshold if comparison == ">=" else hi <= threshold
    below = hi < threshold if comparison == ">=" else lo > threshold
    return MET if above else NOT_MET if below else INCONCLUSIVE


def replications_needed(mean: float, sd: float, threshold: float, level: float = 0.95,
                        limit: int = 10_000) -> float:
    """Replications whose t-interval half-width would be below |mean − threshold|.

    Assumes the mean and sd stay as estimated; ``inf`` when the mean sits on the threshold or
    more than ``limit`` would be needed.
    """
    gap = abs(mean - threshold)
    if not (math.isfinite(sd) and gap > 0):
        return math.inf
    if sd == 0:
        return 2.0
    z = stats.norm.ppf(0.5 + level / 2)
    n = max(2, math.ceil((z * sd / gap) ** 2))
    while n <= limit:                        # the t quantile is wider than z: step up
        if stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n) < gap:
            return float(n)
        n += max(1, n // 20)
    return math.inf


def scorecard(summary: pd.DataFrame, targets: Any, single_year: int | None = None
              ) -> pd.DataFrame:
    """One row per target: its KPI's mean and CI (for its year if it has one) and the verdict.

    ``single_year``: the calendar year the whole measured period lies in, if it lies in one
    (its KPIs then carry no ``@year`` suffix)."""
    rows = []
    for tid, t in targets.targets.items():
        name = t.kpi if t.year is None or t.year == single_year else f"{t.kpi}@{t.year}"
        r = summary.loc[name] if name in summary.index else None
        mean, lo, hi, sd, n = ((r["mean"], r["ci_low"], r["ci_high"], r["sd"], r["n"])
                               if r is not None else (np.nan,) * 4 + (0,))
        v = verdict(mean, lo, hi, t.comparison, t.threshold)
        need = replications_needed(mean, sd, t.threshold) if v == INCONCLUSIVE else np.nan
        rows.append([tid, t.clause, t.kpi, t.comparison, t.threshold, t.year, mean, lo, hi,
                     int(n), v, need, t.text_en, t.text_zh])
    return pd.DataFrame(rows, columns=COLUMNS)


def to_markdown(card: pd.DataFrame, plan: str) -> str:
    """The scorecard as a Markdown table (English and Chinese target texts)."""
    lines = [f"# Scorecard: {plan}", "",
             "| target | clause | KPI | target value | mean [95% CI] | verdict | 目标 |",
             "|---|---|---|---|---|---|---|"]
    for r in card.itertuples():
        when = f" in {int(r.year)}" if pd.notna(r.year) else ""
        ci = (f"{r.mean:.4g} [{r.ci_low:.4g}, {r.ci_high:.4g}]"
              if np.isfinite(r.mean) and np.isfinite(r.ci_low) else "–")
        v = r.verdict
        if v == INCONCLUSIVE:
            v += (f" (≈{int(r.replications_needed)} replications would decide)"
                  if np.isfinite(r.replications_needed) else " (mean on the threshold)")
        lines.append(f"| {r.text_en} | {r.clause} | `{r.kpi}` | {r.comparison} {r.threshold:g}"
                     f"{when} | {ci} | {v} | {r.text_zh} |")
    return "\n".join(lines) + "\n"


def to_text(card: pd.DataFrame) -> str:
    """A short console table."""
    width = max([len(t) for t in card["target"]] + [6])
    out = [f"{'target':<{width}}  {'mean':>10}  {'95% CI':<22}  {'rule':<10}  verdict"]
    for r in card.itertuples():
        ci = f"[{r.ci_low:.4g}, {r.ci_high:.4g}]" if np.isfinite(r.ci_low) else "–"
        rule = f"{r.comparison} {r.threshold:g}"
        need = (f" (≈{int(r.replications_needed)} reps)"
                if r.verdict == INCONCLUSIVE and np.isfinite(r.replications_needed) else "")
        out.append(f"{r.target:<{width}}  {r.mean:>10.4g}  {ci:<22}  {rule:<10}  "
                   f"{r.verdict}{need}")
    return "\n".join(out)


RULE = {">=": "≥", "<=": "≤"}


def target_label(r: Any, lang: str) -> str:
    """A target's text in ``lang`` (the targets file's ``text_zh`` / ``text_en``, else the KPI's
    label), wrapped, with its rule and year."""
    from sim.analysis.labels import kpi_label
    from sim.analysis.plots import _wrap
    own = r.text_zh if lang == "zh" else r.text_en
    own = own if isinstance(own, str) and own.strip() else kpi_label(r.kpi, lang)
    rule = f"{RULE.get(r.comparison, r.comparison)} {r.threshold:g}"
    if lang == "zh":
        rule = f"（{rule}{f'，{int(r.year)}年' if pd.notna(r.year) else ''}）"
    else:
        rule = f"({rule}{f', {int(r.year)}' if pd.notna(r.year) else ''})"
    return f"{_wrap(own, lang, 44)}\n{rule}"


def scorecard_figure(card: pd.DataFrame, plan: str, lang: str = "en") -> Any:
    """Each target's KPI mean and 95% CI as a share of its threshold, coloured by verdict;
    targets not measured are listed in grey."""
    import matplotlib.pyplot as plt

    from sim.analysis.labels import text
    from sim.analysis.plots import PALETTE

    colours = {MET: PALETTE[2], NOT_MET: PALETTE[3], INCONCLUSIVE: PALETTE[1],
               NOT_MEASURED: "0.6"}
    labels = [target_label(r, lang) for r in card.itertuples()]
    height = sum(0.3 + 0.22 * lab.count("\n") for lab in labels) + 1.8
    fig, ax = plt.subplots(figsize=(9, height))
    for i, r in card.reset_index(drop=True).iterrows():
        if not np.isfinite(r["mean"]):
            ax.text(1.0, i, text(NOT_MEASURED, lang), ha="center", va="center", fontsize=8,
                    color="0.4", bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.7"))
            continue
        scale = r.threshold if r.threshold else 1.0
        lo = r.ci_low if np.isfinite(r.ci_low) else r["mean"]
        hi = r.ci_high if np.isfinite(r.ci_high) else r["mean"]
        ax.plot([lo / scale, hi / scale], [i, i], color=colours[r.verdict], lw=3)
        shown = ax.get_legend_handles_labels()[1]
        name = text(r.verdict, lang)
        ax.plot(r["mean"] / scale, i, "o", color=colours[r.verdict],
                label=name if name not in shown else None)
    ax.axvline(1.0, color="0.3", ls="--", lw=1)
    ax.set_yticks(range(len(card)))
    ax.set_yticklabels(labels, fontsize=8.5)
    ax.set_ylim(len(card) - 0.5, -0.5)
    ax.set_xlabel(text("scorecard_axis", lang))
    ax.set_title(text("title_scorecard", lang, plan=plan))
    ax.grid(axis="x", alpha=0.3)
    if ax.get_legend_handles_labels()[1]:
        ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def figure(card: pd.DataFrame, plan: str, out_dir: Path, lang: str = "en") -> None:
    """Save the scorecard chart as ``figures/scorecard`` (PNG and SVG)."""
    from sim.analysis.plots import save
    save(scorecard_figure(card, plan, lang), out_dir, "scorecard")


def write_scorecard(card: pd.DataFrame, plan: str, name: str, out_dir: Path,
                    figures: bool, lang: str = "en") -> None:
    """``scorecard.csv``, ``scorecard.md`` and (if ``figures``) ``figures/scorecard`` in
    ``lang``, titled with the plan (zh) or the targets' ``name`` (en)."""
    from sim.runner.outputs import atomic_path, write_text
    with atomic_path(out_dir / "scorecard.csv") as tmp:
        card.to_csv(tmp, index=False)
    write_text(out_dir / "scorecard.md", to_markdown(card, plan))
    if figures and len(card):
        figure(card, plan if lang == "zh" else name, out_dir, lang)
