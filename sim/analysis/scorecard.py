"""The targets scorecard: the plan against today, each target judged by its type.

The scenario under test (the plan) and the reference (today) are tidy per-replication KPIs run
on common random numbers, so plan − today is taken replication by replication. By type:

* **reach**: the plan's 95% CI against the threshold: *met* when it lies wholly on the target's
  side, *not met* when wholly on the other, *inconclusive* otherwise (with the replications that
  would decide if the mean stayed where it is).
* **maintain**: today's level must hold under the plan: judged like reach on the plan; today
  itself missing the threshold is noted (a calibration finding).
* **raise**: no number in the plan: *met* when the paired difference's CI lies wholly on the
  good side of 0, *not met* when the plan does not improve (CI wholly on the other side or at
  0), *inconclusive* when it contains 0; a threshold, if any, is a yardstick in the note.
* **input**: a resource the plan sets: reported, not judged.

A target whose KPI has no value (a lever that is off, no today run for a raise) is *not
measured*. A reach or raise target that today already meets is flagged: the plan does not
need it.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.format import interval, number
from sim.metrics.catalogue import kpi_range
from sim.metrics.stats import clip, t_interval

MET, NOT_MET, INCONCLUSIVE, NOT_MEASURED, INPUT = ("met", "not met", "inconclusive",
                                                   "not measured", "input")
MAINTAIN, REACH, RAISE = "maintain", "reach", "raise"
COLUMNS = ["target", "type", "source", "kpi", "threshold", "today_mean", "today_ci_low",
           "today_ci_high", "plan_mean", "plan_ci_low", "plan_ci_high", "diff_mean",
           "diff_ci_low", "diff_ci_high", "verdict", "comparison", "year", "clause",
           "today_meets", "note", "replications_needed", "n", "text_en", "text_zh"]
# notes are fixed English phrases (translated by sim.analysis.labels.text), joined by "; "
TODAY_NOT_MET = "today does not meet the threshold: a calibration finding"
TODAY_UNSURE = "today's own level is inconclusive against the threshold"
ALREADY_MET = "already met today: the plan does not need this target"
NEEDS_TODAY = "needs today's run"
NO_CI = "one replication: no confidence interval"
YARDSTICK = {MET: "the plan reaches the yardstick",
             NOT_MET: "the plan falls short of the yardstick",
             INCONCLUSIVE: "whether the plan reaches the yardstick is inconclusive"}
NOTE_SEP = "; "
NAN5 = (np.nan, np.nan, np.nan, np.nan, 0)


def verdict(mean: float, lo: float, hi: float, comparison: str, threshold: float) -> str:
    """Met / not met / inconclusive from a confidence interval; not measured without one."""
    if threshold is None or not all(map(math.isfinite, (mean, lo, hi, threshold))):
        return NOT_MEASURED
    above = lo >= threshold if comparison == ">=" else hi <= threshold
    below = hi < threshold if comparison == ">=" else lo > threshold
    return MET if above else NOT_MET if below else INCONCLUSIVE


def raise_verdict(lo: float, hi: float, comparison: str) -> str:
    """A paired difference's CI (plan − today) against 0: met when wholly on the good side,
    not met when the plan does not improve, inconclusive when the CI contains 0."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return NOT_MEASURED
    if comparison == "<=":                       # lower is better: look at today − plan
        lo, hi = -hi, -lo
    return MET if lo > 0 else NOT_MET if hi <= 0 else INCONCLUSIVE


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


def _targets(targets: Any) -> Any:
    """``targets`` (a TargetsConfig, its DictConfig, a dict, or an old run's config) on the
    schema, so a target without a type or source reads as reach from the plan."""
    from omegaconf import OmegaConf

    from sim.config.schema import TargetsConfig
    return OmegaConf.merge(OmegaConf.structured(TargetsConfig), targets).targets


def _wide(kpis: pd.DataFrame | None) -> pd.DataFrame:
    """Tidy ``replication, kpi, value`` → one column per KPI, one row per replication."""
    if kpis is None or not len(kpis):
        return pd.DataFrame()
    return kpis.pivot(index="replication", columns="kpi", values="value")


def plan_column(kpi: str, year: int | None, plan_year: int | None, names: Any) -> str | None:
    """The plan run's KPI for a target: ``kpi@year`` if the run has it, plain ``kpi`` for a
    target without a year or a run lying in that year, else None."""
    if year is not None and f"{kpi}@{year}" in names:
        return f"{kpi}@{year}"
    if year is None or year == plan_year:
        return kpi if kpi in names else None
    return None


def _series(wide: pd.DataFrame, name: str | None) -> pd.Series | None:
    return wide[name] if name is not None and name in wide.columns else None


def _interval(x: pd.Series | None) -> tuple:
    """A KPI's t-interval clipped to the values it can take (``catalogue.kpi_range``)."""
    return clip(t_interval(x.to_numpy()), kpi_range(str(x.name))) if x is not None else NAN5


def _paired(plan: pd.Series | None, today: pd.Series | None) -> tuple:
    """t-interval of plan − today, replication by replication (common random numbers)."""
    if plan is None or today is None:
        return NAN5
    return t_interval((plan - today).dropna().to_numpy())


def _raise(t: Any, plan: tuple, today: tuple, diff: tuple) -> tuple[str, list, float]:
    """A raise target: the paired difference against 0; a threshold is a yardstick."""
    v, notes, need = raise_verdict(diff[1], diff[2], t.comparison), [], np.nan
    if math.isfinite(plan[0]) and not math.isfinite(today[0]):
        notes.append(NEEDS_TODAY)
    elif v == NOT_MEASURED and math.isfinite(diff[0]):
        notes.append(NO_CI)
    elif v == INCONCLUSIVE:
        need = replications_needed(diff[0], diff[3], 0.0)
    yard = verdict(*plan[:3], t.comparison, t.threshold)
    if t.threshold is not None and yard in YARDSTICK:
        notes.append(YARDSTICK[yard])
    return v, notes, need


def _against_threshold(t: Any, plan: tuple, today_v: str) -> tuple[str, list, float]:
    """A reach or maintain target: the plan's CI against the threshold; a maintain target
    whose today misses the threshold is noted."""
    v, notes, need = verdict(*plan[:3], t.comparison, t.threshold), [], np.nan
    if v == INCONCLUSIVE:
        need = replications_needed(plan[0], plan[3], t.threshold)
    if v == NOT_MEASURED and math.isfinite(plan[0]):
        notes.append(NO_CI)
    if t.type == MAINTAIN and today_v in (NOT_MET, INCONCLUSIVE):
        notes.append(TODAY_NOT_MET if today_v == NOT_MET else TODAY_UNSURE)
    return v, notes, need


def _judge(t: Any, plan: tuple, today: tuple, diff: tuple) -> tuple[str, Any, list, float]:
    """(verdict, today_meets, notes, replications_needed) of one target by its type."""
    if t.type == INPUT:
        return (INPUT if math.isfinite(plan[0]) else NOT_MEASURED), np.nan, [], np.nan
    today_v = verdict(*today[:3], t.comparison, t.threshold)
    meets = {MET: True, NOT_MET: False}.get(today_v, np.nan)
    v, notes, need = (_raise(t, plan, today, diff) if t.type == RAISE
                      else _against_threshold(t, plan, today_v))
    if t.type in (REACH, RAISE) and meets is True:
        notes.append(ALREADY_MET)
    return v, meets, notes, need


def scorecard(plan_kpis: pd.DataFrame, targets: Any, plan_year: int | None = None,
              today_kpis: pd.DataFrame | None = None, today_year: int | None = None
              ) -> pd.DataFrame:
    """One row per target: today's and the plan's means and 95% CIs, their paired difference
    and the verdict by the target's type (module docstring).

    ``*_kpis`` are tidy ``replication, kpi, value`` (``kpis.csv``); ``plan_year`` is the
    calendar year the plan's measured period lies in, if it lies in one (its KPIs then carry no
    ``@year`` suffix). Today is read over its whole period (``today_year`` is kept in
    ``attrs`` for labels)."""
    plan_w, today_w = _wide(plan_kpis), _wide(today_kpis)
    rows = []
    for tid, t in _targets(targets).items():
        p_s = _series(plan_w, plan_column(t.kpi, t.year, plan_year, plan_w.columns))
        t_s = _series(today_w, t.kpi)
        plan, today, diff = _interval(p_s), _interval(t_s), _paired(p_s, t_s)
        v, meets, notes, need = _judge(t, plan, today, diff)
        thr = np.nan if t.threshold is None else float(t.threshold)
        rows.append([tid, t.type, t.source, t.kpi, thr, *today[:3], *plan[:3], *diff[:3], v,
                     t.comparison, t.year, t.clause, meets, NOTE_SEP.join(notes), need,
                     int(plan[4]), t.text_en, t.text_zh])
    card = pd.DataFrame(rows, columns=COLUMNS)
    card["year"] = card["year"].astype("Int64")
    card.attrs.update(plan_year=plan_year, today_year=today_year)
    return card


def already_met(card: pd.DataFrame) -> pd.DataFrame:
    """The reach and raise targets today already meets: the plan does not need them."""
    return card[card["note"].fillna("").str.contains(ALREADY_MET, regex=False)]


RULE = {">=": "≥", "<=": "≤"}


def rule_text(r: Any, lang: str = "en") -> str:
    """A target's rule without units: ``≥ 0.8 (2027)``, ``> today, yardstick ≥ 0.65``, or an
    input's planned value."""
    from sim.analysis.labels import text
    thr = number(r.threshold) if pd.notna(r.threshold) else ""
    own = f"{RULE.get(r.comparison, r.comparison)} {thr}" if thr else ""
    if r.type == RAISE:
        rule = text("> today" if r.comparison == ">=" else "< today", lang)
        rule += text("yardstick_rule", lang, rule=own) if own else ""
    elif r.type == "input":
        rule = thr or "–"
    else:
        rule = own
    if pd.isna(r.year):
        return rule
    return rule + (f"，{int(r.year)}年" if lang == "zh" else f" ({int(r.year)})")


def to_text(card: pd.DataFrame) -> str:
    """A console table: target, type, rule, today, plan and plan − today with 95% CIs,
    verdict (and the replications that would decide an inconclusive one)."""
    cols = [("target", [str(t) for t in card["target"]]), ("type", list(card["type"])),
            ("rule", [rule_text(r) for r in card.itertuples()]),
            ("today [95% CI]", [interval(*x) for x in
                                zip(card.today_mean, card.today_ci_low, card.today_ci_high)]),
            ("plan [95% CI]", [interval(*x) for x in
                               zip(card.plan_mean, card.plan_ci_low, card.plan_ci_high)]),
            ("plan − today [95% CI]", [interval(*x, sign=True) for x in
                                       zip(card.diff_mean, card.diff_ci_low,
                                           card.diff_ci_high)])]
    widths = [max([len(h)] + [len(c) for c in cells]) for h, cells in cols]
    out = ["  ".join(h.ljust(w) for (h, _), w in zip(cols, widths)) + "  verdict"]
    for i, r in enumerate(card.itertuples()):
        need = (f" (≈{int(r.replications_needed)} reps)"
                if r.verdict == INCONCLUSIVE and np.isfinite(r.replications_needed) else "")
        flag = " *" if ALREADY_MET in str(r.note) else ""
        out.append("  ".join(cells[i].ljust(w) for (_, cells), w in zip(cols, widths))
                   + f"  {r.verdict}{need}{flag}")
    if len(already_met(card)):
        out.append(f"* {ALREADY_MET}")
    return "\n".join(out)


TYPES_EXPLAINED = ("types explained: maintain", "types explained: reach",
                   "types explained: raise", "types explained: input")


def note_text(note: Any, lang: str) -> str:
    """A row's notes in ``lang``."""
    from sim.analysis.labels import text
    parts = [p for p in str(note).split(NOTE_SEP) if p and p != "nan"]
    return ("；" if lang == "zh" else NOTE_SEP).join(text(p, lang) for p in parts)


def to_markdown(card: pd.DataFrame, plan: str, caveat: str | None = None) -> str:
    """The scorecard as Markdown: a reduced run's ``caveat`` first, then both languages' target
    texts, today, plan, difference, verdict and notes; the targets already met today; the types
    in one line each."""
    from sim.analysis.labels import kpi_label, text
    lines = [f"# Scorecard: {plan}", ""] + ([f"> {caveat}", ""] if caveat else []) + [
             "| target | 目标 | type | threshold from | clause | KPI | rule | today [95% CI] | "
             "plan [95% CI] | plan − today [95% CI] | verdict | note |",
             "|" + "---|" * 12]
    for r in card.itertuples():
        v = r.verdict
        if v == INCONCLUSIVE:
            v += (f" (≈{int(r.replications_needed)} replications would decide)"
                  if np.isfinite(r.replications_needed) else " (mean on the threshold)")
        cells = [r.text_en or r.target, r.text_zh, r.type, r.source, r.clause,
                 f"{kpi_label(r.kpi, 'en')} (`{r.kpi}`)", rule_text(r),
                 interval(r.today_mean, r.today_ci_low, r.today_ci_high),
                 interval(r.plan_mean, r.plan_ci_low, r.plan_ci_high),
                 interval(r.diff_mean, r.diff_ci_low, r.diff_ci_high, sign=True), v,
                 note_text(r.note, "en")]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    met = already_met(card)
    if len(met):
        lines += ["", "Already met today (the plan does not need these targets):", ""]
        lines += [f"- {r.text_en or r.target} (`{r.target}`)" for r in met.itertuples()]
    lines += [""] + [f"- {text(k, 'en')}" for k in TYPES_EXPLAINED]
    return "\n".join(lines) + "\n"
