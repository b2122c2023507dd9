"""The KPI catalogue: every KPI's unit, range and English and Chinese labels, declared by the
``@kpi`` decorator on the function that computes it (``sim.metrics.kpis``, ``costs``).

A family of KPIs named by facility kind and service (``wait_mean_hospital_outpatient``) is
declared once by a pattern (``wait_mean_*``); the most specific pattern wins. Figures, tables,
the terminal and confidence intervals read units, ranges and labels from here only.
"""
from __future__ import annotations

import math
from fnmatch import fnmatchcase
from typing import Callable, NamedTuple

# unit key → (en, zh, short en, short zh, (lowest, highest) value a KPI in it can take)
UNITS: dict[str, tuple[str, str, str, str, tuple[float, float]]] = {
    "share": ("share (0–1)", "比例（0–1）", "share", "比例", (0.0, 1.0)),
    "ratio": ("ratio", "比值", "ratio", "比值", (0.0, math.inf)),
    "minutes": ("minutes", "分钟", "min", "分钟", (0.0, math.inf)),
    "days": ("days", "天", "days", "天", (0.0, math.inf)),
    "per_10k_year": ("per 10,000 residents per year", "每万居民每年",
                     "per 10k/yr", "每万人/年", (0.0, math.inf)),
    "per_10k": ("per 10,000 residents", "每万居民", "per 10k", "每万人", (0.0, math.inf)),
    "per_1000": ("per 1,000 residents", "每千居民", "per 1,000", "每千人", (0.0, math.inf)),
    "per_resident_year": ("per resident per year", "每居民每年",
                          "per resident/yr", "每人/年", (0.0, math.inf)),
    "per_physician_day": ("visits per physician per working day", "人次/医师/工作日",
                          "per physician-day", "人次/医师日", (0.0, math.inf)),
    "bed_days_year": ("bed-days per year", "床日/年", "bed-days/yr", "床日/年", (0.0, math.inf)),
    "tests_year": ("tests per year", "次/年", "tests/yr", "次/年", (0.0, math.inf)),
    "cny_year": ("CNY per year", "元/年", "CNY/yr", "元/年", (0.0, math.inf)),
    "cny_resident_year": ("CNY per resident per year", "元/人/年",
                          "CNY/resident/yr", "元/人/年", (0.0, math.inf)),
    "patients": ("patients (whole run, modelled)", "人次（全程，模型规模）",
                 "patients", "人次", (0.0, math.inf)),
    "residents": ("residents of the district", "人（全区）", "residents", "人", (0.0, math.inf)),
}
UNBOUNDED = (-math.inf, math.inf)
AT_LEAST_0 = (0.0, math.inf)


class Kpi(NamedTuple):
    """A KPI's unit (a key of ``UNITS``), its labels, and its range when not its unit's."""
    unit: str
    en: str
    zh: str
    range: tuple[float, float] | None = None

    def bounds(self) -> tuple[float, float]:
        """The values the KPI can take: its own range, else its unit's."""
        return self.range if self.range is not None else UNITS[self.unit][4]


KPI_FUNCS: dict[str, Callable] = {}
DECLARED: dict[str, Kpi] = {}     # KPI name or family pattern (with ``*``) → declaration
PATTERNS: list[str] = []          # the patterns, most specific (longest) first


def kpi(unit: str | None = None, en: str = "", zh: str = "", range: tuple | None = None,
        **each: tuple) -> Callable[[Callable], Callable]:
    """Register a KPI function and declare what it returns: one KPI named after the function
    (``unit, en, zh[, range]``) or several, by name or pattern: ``name=(unit, en, zh[, range])``."""
    def register(fn: Callable) -> Callable:
        decls = dict(each) if unit is None else {fn.__name__: (unit, en, zh, range)}
        for name, decl in decls.items():
            if name in DECLARED:
                raise ValueError(f"KPI {name!r} is declared twice")
            if decl[0] not in UNITS:
                raise ValueError(f"KPI {name!r}: unit {decl[0]!r} is not one of {list(UNITS)}")
            DECLARED[name] = Kpi(*decl)
            if "*" in name:
                PATTERNS.append(name)
                PATTERNS.sort(key=len, reverse=True)
        KPI_FUNCS[fn.__name__] = fn
        return fn
    return register


def base_name(name: str) -> str:
    """A KPI's name without its ``@YEAR`` suffix (per-year KPIs of a multi-year run)."""
    return name.partition("@")[0]


def pattern_of(name: str) -> str | None:
    """The family pattern a KPI name matches (``wait_mean_*``), or None for a KPI of its own."""
    base = base_name(name)
    return None if base in DECLARED else next(
        (p for p in PATTERNS if fnmatchcase(base, p)), None)


def declaration(name: str) -> Kpi | None:
    """What is declared of the KPI ``name`` (``@YEAR`` ignored); None for an unknown name."""
    base = base_name(name)
    found = DECLARED.get(base)
    if found is None and (pattern := pattern_of(base)) is not None:
        found = DECLARED[pattern]
    return found


def kpi_range(name: str) -> tuple[float, float]:
    """(lowest, highest) value ``name`` can take; unbounded for an unknown name (nothing is
    assumed about it). Confidence intervals are clipped to it (``sim.metrics.stats``)."""
    found = declaration(name)
    return found.bounds() if found is not None else UNBOUNDED
