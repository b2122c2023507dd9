"""Today reproduced? Each published figure of the district (``configs/observed/``) against the
status-quo run's mean and 95% CI.

A figure is a band [low, high] on a KPI (either bound may be open). Its verdict is *reproduced*
when the run's whole 95% CI lies inside the band, *not reproduced* when the CI lies wholly
outside it, *inconclusive* when the CI straddles an edge, and *not measured* when the run has no
value for the KPI. A run of one replication has no CI: its mean alone is judged.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.format import interval, number
from sim.analysis.labels import kpi_label, text

REPRODUCED, NOT_REPRODUCED = "reproduced", "not reproduced"
INCONCLUSIVE, NOT_MEASURED = "inconclusive", "not measured"
COLUMNS = ["figure", "kpi", "low", "high", "value", "year", "scope", "source", "tag", "mean",
           "ci_low", "ci_high", "n", "verdict", "gap", "text_en", "text_zh"]


def _finite(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


def judge(mean: float, lo: float, hi: float, low: float | None, high: float | None) -> str:
    """The verdict of a simulated mean and CI against a band; a missing bound is open.

    Without a CI (one replication) the mean alone decides: in the band → reproduced."""
    if not _finite(mean):
        return NOT_MEASURED
    low = low if _finite(low) else -math.inf
    high = high if _finite(high) else math.inf
    if not (_finite(lo) and _finite(hi)):
        return REPRODUCED if low <= mean <= high else NOT_REPRODUCED
    if low <= lo and hi <= high:
        return REPRODUCED
    if hi < low or lo > high:
        return NOT_REPRODUCED
    return INCONCLUSIVE


def _figures(observed: Any) -> Any:
    """``observed`` (an ``ObservedConfig``, its DictConfig or a plain dict) on the schema, so
    unset keys read as their defaults."""
    from omegaconf import OmegaConf

    from sim.config.schema import ObservedConfig
    return OmegaConf.merge(OmegaConf.structured(ObservedConfig), observed).figures


def _nan(v: Any) -> float:
    return float(v) if v is not None else np.nan


def reproduced(summary: pd.DataFrame, observed: Any) -> pd.DataFrame:
    """One row per observed figure: its band and source, the run's mean and 95% CI of its KPI
    (``summary`` is ``summary.csv``: index kpi; mean, ci_low, ci_high, sd, n) and the verdict.

    With n == 1 there is no CI and the mean alone is judged (in the band → reproduced)."""
    rows = []
    for fid, f in _figures(observed).items():
        have = f.kpi in summary.index
        r = summary.loc[f.kpi] if have else None
        mean, lo, hi, n = ((float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]),
                            int(r["n"])) if have else (np.nan, np.nan, np.nan, 0))
        rows.append([fid, f.kpi, _nan(f.low), _nan(f.high), _nan(f.value), f.year, f.scope,
                     f.source, f.tag, mean, lo, hi, n, judge(mean, lo, hi, f.low, f.high),
                     f.gap, f.text_en, f.text_zh])
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["year"] = table["year"].astype("Int64")
    return table


def band_text(low: float, high: float) -> str:
    """``0.52–0.62``, ``≥ 0.8`` or ``≤ 10``."""
    if _finite(low) and _finite(high):
        return f"{number(low)}–{number(high)}"
    return f"≥ {number(low)}" if _finite(low) else f"≤ {number(high)}"


def to_text(table: pd.DataFrame) -> str:
    """A console table: figure, observed band, simulated mean [95% CI], verdict."""
    width = max([len(f) for f in table["figure"]] + [6])
    bands = [band_text(lo, hi) for lo, hi in zip(table["low"], table["high"])]
    means = [interval(m, lo, hi) for m, lo, hi in zip(table["mean"], table.ci_low,
                                                      table.ci_high)]
    bw, mw = max([len(b) for b in bands] + [13]), max([len(m) for m in means] + [23])
    out = [f"{'figure':<{width}}  {'observed band':<{bw}}  {'simulated mean [95% CI]':<{mw}}  "
           "verdict"]
    for fid, band, mean, v, gap in zip(table["figure"], bands, means, table["verdict"],
                                       table["gap"]):
        known = " (known gap: see the report)" if v != REPRODUCED and gap else ""
        out.append(f"{fid:<{width}}  {band:<{bw}}  {mean:<{mw}}  {v}{known}")
    return "\n".join(out)


def figure_label(r: Any, lang: str) -> str:
    """A figure's own text in ``lang`` (else its KPI's label)."""
    own = r.text_zh if lang == "zh" else r.text_en
    return own if isinstance(own, str) and own.strip() else kpi_label(r.kpi, lang)


def table_rows(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table for reports, in ``lang``: figure, band (with the published value and year),
    source, scope, tag, simulated mean [95% CI], verdict."""
    rows = []
    for r in table.itertuples():
        band = band_text(r.low, r.high)
        if _finite(r.value):
            value = f"{text('published value', lang)} {number(r.value)}"
            band += f"（{value}）" if lang == "zh" else f" ({value})"
        year = "" if pd.isna(r.year) else f"，{int(r.year)}年" if lang == "zh" else \
            f", {int(r.year)}"
        rows.append((figure_label(r, lang), band, r.source,
                     text(f"scope:{r.scope}", lang) + year, text(r.tag, lang),
                     interval(r.mean, r.ci_low, r.ci_high), _verdict(r, lang)))
    return pd.DataFrame(rows, columns=[text(c, lang) for c in
                                       ("figure", "observed band", "source", "scope", "tag",
                                        "simulated", "verdict")])


def _verdict(r: Any, lang: str) -> str:
    """The verdict, with the mechanism the model lacks when a known gap keeps it from matching."""
    v = text(r.verdict, lang)
    if r.verdict != REPRODUCED and isinstance(r.gap, str) and r.gap:
        v += f"（{text('known gap', lang)}：{r.gap}）" if lang == "zh" else \
            f" ({text('known gap', lang)}: {r.gap})"
    return v


def to_markdown(table: pd.DataFrame, lang: str = "en") -> str:
    """The table as Markdown in ``lang``."""
    rows = table_rows(table, lang)
    cell = lambda v: str(v).replace("|", "\\|").replace("\n", " ")   # noqa: E731
    lines = ["| " + " | ".join(rows.columns) + " |", "|" + "---|" * len(rows.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in rows.itertuples(index=False)]
    return "\n".join(lines) + "\n"
