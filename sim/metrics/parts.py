"""KPIs as mergeable parts, so a long run is reduced one period at a time in bounded memory.

A KPI computed on one period is a ``Part``: additive numbers (counts, sums, years) and the
function that turns them into the value. The value over several periods is that function of
the parts summed, which equals the one-piece computation up to the order of summation. A
percentile cannot be merged from numbers: a ``Quantile`` carries its one-period value and what
to recompute it from (column, services, q); ``merge`` hands those to a resolver that reads the
log again (``sim.metrics.quantile``).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Part:
    """A KPI in one period: ``finish(*parts)``. Over several periods the parts add up; with
    ``last`` the last period's parts stand for all (a state, e.g. beds staffed on the last day)."""
    finish: Callable[..., float]
    parts: tuple
    last: bool = False

    @property
    def value(self) -> float:
        return float(self.finish(*self.parts))


@dataclass(frozen=True)
class Quantile:
    """The ``q``-th percentile of ``column`` over the visit rows of the services in ``services``
    (bool by service index): ``value`` in one period; recomputed from the rows over several."""
    value: float
    column: str
    services: np.ndarray
    q: float


def _div(a: float, b: float) -> float:
    return a / b if b else np.nan


def _scaled_div(unit: float, a: float, b: float) -> float:
    return (a / b if b else np.nan) / unit


def _rate(factor: float, per: float, a: float, b: float) -> float:
    return a / b * factor / per


def _same(x: float) -> float:
    return x


def share(num: float, den: float) -> Part:
    """``num / den`` (NaN when ``den`` is 0)."""
    return Part(_div, (num, den))


def mean(x: np.ndarray, unit: float = 1.0) -> Part:
    """Mean of ``x`` in ``unit`` (NaN when empty): sum and count, exactly as ``x.mean()``."""
    return Part(partial(_scaled_div, unit), (float(x.sum()), x.size))


def rate(x: float, years: float, factor: float = 1.0, per: float = 1.0) -> Part:
    """``x`` per year, times ``factor``, divided by ``per`` (e.g. per resident)."""
    return Part(partial(_rate, factor, per), (x, years))


def state(x: float) -> Part:
    """A value that holds at a period's end, not summed across periods."""
    return Part(_same, (x,), last=True)


KPI = Part | Quantile


def values(parts: dict[str, KPI]) -> dict[str, float]:
    """Each KPI's value in its one period."""
    return {k: p.value for k, p in parts.items()}


def merge(periods: list[dict[str, KPI]],
          resolve: Callable[[dict[str, Quantile]], dict[str, float]]) -> dict[str, float]:
    """Values over consecutive periods: parts summed (a KPI missing in a period adds nothing),
    ``last`` parts from the last period that has them, quantiles from ``resolve``."""
    merged: dict[str, KPI] = {}
    for parts in periods:
        for k, p in parts.items():
            old = merged.get(k)
            if isinstance(p, Quantile) or p.last or old is None:
                merged[k] = p
            else:
                merged[k] = Part(p.finish, tuple(a + b for a, b in zip(old.parts, p.parts)))
    quantiles = {k: p for k, p in merged.items() if isinstance(p, Quantile)}
    resolved = resolve(quantiles) if quantiles else {}
    return {k: resolved[k] if k in quantiles else p.value for k, p in merged.items()}
