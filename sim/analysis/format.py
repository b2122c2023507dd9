"""Numbers for people: one formatter for the terminal, the scorecard and the reports.

No exponents (``5,277,000``, not ``5.277e+06``), thousands separators, and one precision per
estimate (``estimate_places``): at least ``SIGNIFICANT`` significant digits of the mean, more
when its 95% interval is narrow enough to warrant them, at most ``MOST``; the bounds are shown
to the same decimal place as the mean, less the trailing zeros all three share.
"""
from __future__ import annotations

import math
import numbers

import pandas as pd

from sim.analysis.labels import check_lang, kpi_unit_key
from sim.metrics.catalogue import UNITS
from sim.metrics.stats import MIN_REPLICATIONS

SIGNIFICANT = 3               # digits of a mean, at least
MOST = 6                      # digits of a mean, at most
NOTHING = "–"                 # a value that is not there (NaN)

DIMENSIONLESS = ("share", "ratio")   # a rule needs no unit: ">= 0.8"


def _finite(*xs: float) -> bool:
    return all(x is not None and not pd.isna(x) and math.isfinite(x) for x in xs)


def places(x: float, digits: int = SIGNIFICANT) -> int:
    """Decimal places that show ``digits`` significant digits of ``x`` (negative: round to
    tens, hundreds, ...); 0 for 0."""
    if not _finite(x) or x == 0:
        return 0
    return digits - 1 - math.floor(math.log10(abs(x)))


def number(x: float, at: int | None = None, digits: int = SIGNIFICANT + 1,
           sign: bool = False) -> str:
    """``x`` with thousands separators and no exponent: rounded to ``at`` decimal places, or
    by default to ``digits`` significant digits without trailing zeros; a leading + if
    ``sign``; '–' for NaN."""
    if not isinstance(x, numbers.Real) or isinstance(x, bool) or pd.isna(x):
        return NOTHING
    if math.isinf(x):
        return ("∞" if x > 0 else "−∞")
    text = _fixed(x, places(x, digits) if at is None else at, sign)
    return _strip([text])[0] if at is None else text


def _fixed(x: float, at: int, sign: bool = False) -> str:
    rounded = round(float(x), at) + 0.0       # + 0.0: no "-0"
    return ("+" if sign and rounded > 0 else "") + f"{rounded:,.{max(at, 0)}f}"


def _strip(texts: list[str]) -> list[str]:
    """Drop the trailing zeros after the decimal point that every one of ``texts`` has."""
    numbers = [t for t in texts if t != NOTHING]
    while numbers and all("." in t and t.endswith("0") for t in numbers):
        texts = [t if t == NOTHING else t[:-1] for t in texts]
        numbers = [t for t in texts if t != NOTHING]
    return [t if t == NOTHING else t.rstrip(".") if t.endswith(".") else t for t in texts]


def estimate_places(mean: float, lo: float = math.nan, hi: float = math.nan) -> int:
    """The decimal place of an estimate and its interval: ``SIGNIFICANT`` digits of the mean,
    more if the half-width warrants them (its two leading digits), at most ``MOST``; the
    half-width's two digits alone when the mean is under a tenth of it; without an interval (or
    with every replication alike) four digits, or the whole number."""
    if not _finite(mean) or mean == 0:
        return places((hi - lo) / 2, 2) if _finite(lo, hi) and hi > lo else 0
    if not (_finite(lo, hi) and hi > lo):         # no interval, or every replication alike
        return 0 if float(mean).is_integer() else places(mean, SIGNIFICANT + 1)
    half = (hi - lo) / 2
    if abs(mean) < half / 10:                     # a mean lost in its interval: its digits say
        return places(half, 2)                    # nothing beyond the interval's own
    return min(max(places(mean, SIGNIFICANT), places(half, 2)), places(mean, MOST))


def estimate(mean: float, lo: float = math.nan, hi: float = math.nan,
             sign: bool = False) -> tuple[str, str]:
    """(mean, '[low, high]') at one decimal place (``estimate_places``), less the trailing
    zeros all three share; the interval is '–' without bounds; + signs if ``sign``."""
    if not _finite(mean):
        return NOTHING, NOTHING
    at = estimate_places(mean, lo, hi)
    if not _finite(lo, hi):
        return _strip([_fixed(mean, at, sign)])[0], NOTHING
    m, low, high = _strip([_fixed(v, at, sign) for v in (mean, lo, hi)])
    return m, f"[{low}, {high}]"


def interval(mean: float, lo: float = math.nan, hi: float = math.nan,
             sign: bool = False) -> str:
    """``mean [low, high]`` in one string (``estimate``); the mean alone without bounds."""
    m, ci = estimate(mean, lo, hi, sign)
    return m if ci == NOTHING else f"{m} {ci}"


def short_unit(kpi: str, lang: str = "en") -> str:
    """A KPI's unit in a few characters (``min``, ``per 10k/yr``, ``share``); '' if unknown."""
    key = kpi_unit_key(kpi)
    return UNITS[key][2 + check_lang(lang)] if key in UNITS else ""


def plain(x: float) -> str:
    """``x`` as written by a person: up to ``MOST`` significant digits, no trailing zeros
    (thresholds, settings: ``0.8``, ``5``, ``857,027``)."""
    text = number(x, digits=MOST)
    return text.rstrip("0").rstrip(".") if "." in text else text


def rule(kpi: str, comparison: str, threshold: float, lang: str = "en") -> str:
    """A target's rule with its unit: ``<= 5 min``, ``>= 0.8`` (shares and ratios bare)."""
    unit = "" if kpi_unit_key(kpi) in DIMENSIONLESS else short_unit(kpi, lang)
    return f"{comparison} {plain(threshold)}" + (f" {unit}" if unit else "")


def too_few_replications(n: float, lang: str = "en") -> str | None:
    """What a scorecard says instead of "not measured" when a KPI has a value but too few
    replications (``n`` < 2) for an interval and a verdict; None otherwise."""
    if pd.isna(n) or int(n) == 0 or int(n) >= MIN_REPLICATIONS:
        return None
    if check_lang(lang) == 1:
        return f"仅{int(n)}次重复运行：判定至少需要{MIN_REPLICATIONS}次"
    return f"{int(n)} replication: a verdict needs at least {MIN_REPLICATIONS}"
