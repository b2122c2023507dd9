"""Exact percentiles of columns too long to hold in memory, by radix selection over blocks.

``np.percentile`` needs every value at once; a five-year run has tens of millions of waits.
Non-negative float64 values sort like their bit patterns read as unsigned integers, so the
values of rank k are found by counting bit prefixes block by block: one pass counts the top
``TOP`` bits (sign, exponent, a mantissa bit) per group, further passes refine a prefix ``BITS``
bits at a time while more than ``COLLECT`` values share it, and a last pass collects the values
with the final prefix. The result equals ``np.percentile``
(linear method) exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np

TOP = 13                   # prefix bits counted in the first pass (a small histogram per group)
BITS = 12                  # prefix bits resolved per further pass
COLLECT = 1 << 18          # values collected at once, all prefixes together (2 MiB)

Blocks = Callable[[], Iterable[tuple[np.ndarray, np.ndarray]]]
"""Each call iterates over (group index per row, -1 to skip; values ≥ 0, float64) blocks."""


@dataclass
class _Target:
    """A value of ``group`` sought by rank: so far, its first ``length`` bits (``prefix``),
    shared by ``count`` values of the group, among which it has rank ``within``."""
    group: int
    within: int
    prefix: int = 0
    length: int = 0
    count: int = 0
    value: float = np.nan

    def matches(self, group: np.ndarray, bits: np.ndarray) -> np.ndarray:
        return (group == self.group) & (bits >> np.uint64(64 - self.length) == self.prefix)

    @property
    def key(self) -> tuple[int, int, int]:
        """The values this target is among: group and prefix."""
        return self.group, self.prefix, self.length

    @property
    def step(self) -> int:
        """Bits the next pass resolves."""
        return min(BITS, 64 - self.length)

    def narrow(self, hist: np.ndarray, bits: int) -> None:
        """Extend the prefix by ``bits`` bits from the histogram of the next bits."""
        cum = np.cumsum(hist)
        b = int(np.searchsorted(cum, self.within, side="right"))
        self.within -= int(cum[b - 1]) if b else 0
        self.prefix = (self.prefix << bits) | b
        self.length += bits
        self.count = int(hist[b])


def percentiles(blocks: Blocks, n_groups: int, q: float) -> np.ndarray:
    """``np.percentile(values of group g, q)`` for each group g (NaN when it has none)."""
    hist = np.zeros((n_groups, 1 << TOP), dtype=np.int64)
    for group, bits in _keyed(blocks):
        hist += np.bincount((group << TOP) | _top(bits), minlength=hist.size).reshape(hist.shape)
    counts = hist.sum(axis=1)
    ranks = {}
    for g in np.flatnonzero(counts):
        virtual = (counts[g] - 1) * (q / 100)
        lo = min(int(np.floor(virtual)), int(counts[g]) - 1)
        ranks[g] = (lo, min(lo + 1, int(counts[g]) - 1), virtual - np.floor(virtual))
    targets = {(g, r): _Target(g, r) for g, (lo, hi, _) in ranks.items()
               for r in (lo, hi)}
    for t in targets.values():
        t.narrow(hist[t.group], TOP)
    _resolve(blocks, list(targets.values()))
    out = np.full(n_groups, np.nan)
    for g, (lo, hi, gamma) in ranks.items():
        out[g] = _lerp(targets[(g, lo)].value, targets[(g, hi)].value, gamma)
    return out


def _top(bits: np.ndarray) -> np.ndarray:
    return (bits >> np.uint64(64 - TOP)).astype(np.int64)


def _lerp(a: float, b: float, t: float) -> float:
    """Linear interpolation exactly as numpy's percentile does it."""
    d = b - a
    return float(b - d * (1 - t)) if t >= 0.5 else float(a + d * t)


def _keyed(blocks: Blocks) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(group, value bits as uint64) of the rows of each block with a group."""
    for group, values in blocks():
        keep = group >= 0
        v = np.asarray(values[keep], dtype=np.float64)
        if v.size and (v.min() < 0 or np.isnan(v).any()):
            raise ValueError("percentiles of negative or NaN values")
        yield group[keep].astype(np.int64), (v + 0.0).view(np.uint64)   # -0.0 becomes 0.0


def _candidates(blocks: Blocks, targets: list[_Target]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The rows whose group and top bits match some target's (few: one prefix each)."""
    wanted = np.unique([(t.group << TOP) | (t.prefix >> (t.length - TOP)) for t in targets])
    for group, bits in _keyed(blocks):
        hit = np.isin((group << TOP) | _top(bits), wanted)
        yield group[hit], bits[hit]


def _resolve(blocks: Blocks, targets: list[_Target]) -> None:
    """Narrow prefixes until at most ``COLLECT`` values share the open ones, then collect each
    prefix's values once and read the targets' ranks off them."""
    while True:
        open_ = {t.key: t.count for t in targets if t.length < 64}
        if sum(open_.values()) <= COLLECT:
            break
        share = COLLECT // len(open_)
        wide = {t.key: t for t in targets if t.length < 64 and t.count > share}
        hists = {k: np.zeros(1 << t.step, dtype=np.int64) for k, t in wide.items()}
        for group, bits in _candidates(blocks, list(wide.values())):
            for k, t in wide.items():
                low = bits[t.matches(group, bits)] >> np.uint64(64 - t.length - t.step)
                hists[k] += np.bincount((low & np.uint64((1 << t.step) - 1)).astype(np.int64),
                                        minlength=hists[k].size)
        for t in targets:
            if t.key in wide:
                t.narrow(hists[t.key], t.step)
    pending = {t.key: t for t in targets if t.length < 64}
    found: dict[tuple, list[np.ndarray]] = {k: [] for k in pending}
    if pending:
        for group, bits in _candidates(blocks, list(pending.values())):
            for k, t in pending.items():
                found[k].append(bits[t.matches(group, bits)])
    values = {k: np.sort(np.concatenate(v).view(np.float64)) for k, v in found.items()}
    for t in targets:
        if t.length == 64:              # every value with this prefix is the same value
            t.value = float(np.array([t.prefix], dtype=np.uint64).view(np.float64)[0])
        else:
            t.value = float(values[t.key][t.within])
