"""Side by side: the simulator, an idiomatic SimPy model and a bare heapq loop on one network.

``python -m sim.bench --compare [--rounds N] [--days D]`` runs the three in interleaved rounds
(who goes first rotates), each round with its own seed, and times each run's event loop in CPU
seconds (set-up excluded; the same garbage-collector threshold for all three, the one the
simulator uses). Per patient: the median over rounds; ratios: the median of the rounds' own
ratios, so the machine's drift cancels. Waits are checked from the same runs: per node group,
the mean over rounds with a t-interval, against Erlang C and between implementations.
"""
from __future__ import annotations

import gc
import math
import platform
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import stats

from benchmarks import heapq_loop, medgroup, simpy_model
from benchmarks.network import Result, RouteNetwork
from sim.engine.loop import COMPILED
from sim.model.group import GC_THRESHOLD

IMPLEMENTATIONS: dict[str, Callable] = {
    "medgroup": medgroup.build, "simpy": simpy_model.build, "heapq": heapq_loop.build,
    "python": medgroup.build_python}
LABELS = {"medgroup": f"medgroup-sim ({'compiled' if COMPILED else 'pure Python'})",
          "simpy": "idiomatic SimPy", "heapq": "bare heapq loop",
          "python": "medgroup-sim, pure Python"}
TARGET_SPEEDUP = 3.0        # ours at least this many times faster than idiomatic SimPy
TARGET_SLOWDOWN = 2.0       # ours at most this many times slower than the heapq loop
AGREE_REL = 0.02            # waits agree within 2 %
CI_LEVEL = 0.99             # for "differs": the difference's interval excludes zero
ZERO_WAIT = 1e-6            # minutes: a mean wait below this is zero


@dataclass
class Runs:
    """Every round's CPU seconds and result, per implementation."""
    cpu: dict[str, list[float]] = field(default_factory=dict)
    results: dict[str, list[Result]] = field(default_factory=dict)

    def us_per_patient(self, name: str) -> list[float]:
        return [c / r.patients * 1e6 for c, r in zip(self.cpu[name], self.results[name])]

    def ratios(self, num: str, den: str) -> list[float]:
        """Per round: ``num``'s time per patient over ``den``'s."""
        return [a / b for a, b in zip(self.us_per_patient(num), self.us_per_patient(den))]


def timed_run(build: Callable, net: RouteNetwork, days: int, seed: int) -> tuple[float, Result]:
    """CPU seconds of one run's event loop (built beforehand, collected after), and its result."""
    model = build(net, days, seed)
    gc.collect()
    old = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *old[1:])
    try:
        c0 = time.process_time()
        model.run()
        cpu = time.process_time() - c0
    finally:
        gc.set_threshold(*old)
    return cpu, model.result()


def run_rounds(net: RouteNetwork, days: int, rounds: int, seed: int = 1,
               names: tuple[str, ...] = tuple(IMPLEMENTATIONS),
               progress: Callable[[str], None] | None = None) -> Runs:
    """``rounds`` rounds of every implementation in ``names``; round ``r`` uses seed
    ``seed + r`` for all of them and starts with implementation ``r mod len(names)``."""
    runs = Runs({n: [] for n in names}, {n: [] for n in names})
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            cpu, res = timed_run(IMPLEMENTATIONS[name], net, days, seed + r)
            runs.cpu[name].append(cpu)
            runs.results[name].append(res)
            if progress is not None:
                progress(f"round {r + 1}/{rounds} {name:9s} {cpu:6.2f} s CPU, "
                         f"{cpu / res.patients * 1e6:6.2f} µs/patient")
    return runs


# -- waits ----------------------------------------------------------------------------------

def groups(net: RouteNetwork) -> dict[str, list[int]]:
    """Node groups whose waits are reported: the stations pooled, outpatient, beds."""
    return {f"stations ({net.stations}, pooled)": list(range(net.stations)),
            "outpatient": [net.outpatient], "beds": [net.bed]}


def group_waits(results: list[Result], nodes: list[int]) -> np.ndarray:
    """Per run: mean wait over ``nodes`` (waits pooled)."""
    return np.array([r.wait_sum[nodes].sum() / max(r.wait_count[nodes].sum(), 1)
                     for r in results])


def difference(a: np.ndarray, b: np.ndarray | float,
               level: float = CI_LEVEL) -> tuple[float, float]:
    """Mean of ``a`` minus ``b`` (other runs' values, or a theory value) and the half-width of
    its ``level`` t-interval (independent runs; Welch's degrees of freedom for two samples)."""
    va = a.var(ddof=1) / a.size
    if isinstance(b, np.ndarray):
        vb = b.var(ddof=1) / b.size
        df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1)) \
            if va + vb > 0 else a.size + b.size - 2
        diff, se = float(a.mean() - b.mean()), math.sqrt(va + vb)
    else:
        df, diff, se = a.size - 1, float(a.mean() - b), math.sqrt(va)
    return diff, float(stats.t.ppf(0.5 + level / 2, df)) * se


def verdict(diff: float, half: float, ref: float) -> str:
    """The difference (relative to ``ref``, or in minutes where ``ref`` is about zero) with its
    interval, and whether it is shown 'within 2%', 'differs' (the interval excludes zero) or
    is 'consistent' (the interval holds zero but is too wide to show 2%)."""
    if abs(ref) < ZERO_WAIT:
        if abs(diff) < ZERO_WAIT and half < ZERO_WAIT:
            return "both ≈ 0"
        text = f"{diff:+.3g} min ±{half:.3g}"
        return f"{text:>16s}  " + ("differs" if abs(diff) > half else "consistent")
    rel, rhalf = diff / ref, half / abs(ref)
    if abs(rel) + rhalf <= AGREE_REL:
        word = "within 2%"
    elif abs(rel) > rhalf:
        word = "differs"
    else:
        word = "consistent (interval too wide to show 2%)"
    return f"{rel:+6.1%} ±{rhalf:5.1%}  {word}"


def wait_rows(net: RouteNetwork, runs: Runs) -> list[str]:
    """The waits table (mean ± 95% CI per implementation and Erlang C) and its checks: each
    implementation against Erlang C and against the others (differences with
    ``CI_LEVEL`` intervals); implementations with identical waits are checked once."""
    theory = net.erlang_c_waits()
    names = list(runs.results)
    lines = [f"  {'mean wait (min)':24s} {'Erlang C':>9s}"
             + "".join(f" {n + ' ±95% CI':>20s}" for n in names)]
    checks = [f"  checks (difference ±{CI_LEVEL:.0%} interval, relative to the second):"]
    for label, nodes in groups(net).items():
        lam = net.rates[nodes]
        th = float((theory[nodes] * lam).sum() / lam.sum())
        waits = {n: group_waits(runs.results[n], nodes) for n in names}
        cells = []
        for n in names:
            x = waits[n]
            half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
            cells.append(f" {x.mean():11.3f} ±{half:7.3f}")
        lines.append(f"  {label:24s} {th:9.3f}" + "".join(cells))
        if all(np.abs(x).max() < ZERO_WAIT for x in waits.values()) and th < ZERO_WAIT:
            checks.append(f"  {label:24s} nobody waited in any implementation (Erlang C "
                          f"{th:.1g} min)")
            continue
        same = {n: next((m for m in names[i + 1:] if np.array_equal(waits[n], waits[m])), None)
                for i, n in enumerate(names)}
        kept = [n for n in names if same[n] is None]
        rows = [(f"{n} − Erlang C", *difference(waits[n], th), th) for n in kept]
        rows += [(f"{a} − {b}", *difference(waits[a], waits[b]), waits[b].mean())
                 for i, a in enumerate(kept) for b in kept[i + 1:]]
        for i, (what, diff, half, ref) in enumerate(rows):
            checks.append(f"  {label if i == 0 else '':24s} {what:22s} {verdict(diff, half, ref)}")
        for n, m in same.items():
            if m is not None:
                checks.append(f"  {'':24s} {n} = {m}: identical waits (same random numbers)")
    return lines + [""] + checks


# -- report ---------------------------------------------------------------------------------

def report(net: RouteNetwork, days: int, runs: Runs) -> list[str]:
    """The printed comparison: µs per patient, ratios against the targets, waits."""
    rounds = len(runs.cpu["medgroup"])
    patients = statistics.median(r.patients for r in runs.results["medgroup"])
    lines = [f"route network: {net.stations} stations M/M/{net.station_servers} at ρ "
             f"{net.station_rho}, outpatient {net.outpatient_servers} servers at ρ "
             f"{net.outpatient_rho}, {net.beds:,} beds at ρ {net.bed_rho}; "
             f"{net.arrival_rate:g} patients/min, {net.visits_per_patient:.3f} visits/patient",
             f"{rounds} interleaved rounds of {days} simulated days (~{patients:,.0f} patients "
             f"each); {platform.python_implementation()} {platform.python_version()}, "
             f"{platform.machine()}",
             "",
             f"  {'CPU per patient':26s} {'median':>9s} {'min':>9s} {'max':>9s}"]
    for n in runs.cpu:
        us = runs.us_per_patient(n)
        lines.append(f"  {LABELS[n]:26s} {statistics.median(us):7.2f}µs {min(us):7.2f}µs "
                     f"{max(us):7.2f}µs")
    events = [r.extra["events"] / r.patients for r in runs.results["medgroup"]]
    lines.append(f"  (medgroup-sim: {statistics.median(events):.2f} SimPy events per patient)")
    lines.append("")
    speed = runs.ratios("simpy", "medgroup")
    slow = runs.ratios("medgroup", "heapq")
    if "python" in runs.cpu:
        for label, r in (("pure Python vs SimPy", runs.ratios("simpy", "python")),
                         ("pure Python vs heapq", runs.ratios("python", "heapq")),
                         ("compiled vs pure Python", runs.ratios("python", "medgroup"))):
            lines.append(f"  {label:26s} {statistics.median(r):6.2f}×  (rounds {min(r):.2f}-"
                         f"{max(r):.2f})")
    for label, r, target, met in (
            ("ours vs SimPy: speed-up", speed, f"≥ {TARGET_SPEEDUP:g}×",
             statistics.median(speed) >= TARGET_SPEEDUP),
            ("ours vs heapq: slowdown", slow, f"≤ {TARGET_SLOWDOWN:g}×",
             statistics.median(slow) <= TARGET_SLOWDOWN)):
        lines.append(f"  {label:26s} {statistics.median(r):6.2f}×  (rounds {min(r):.2f}-"
                     f"{max(r):.2f})   target {target}: {'met' if met else 'NOT met'}")
    lines.append("")
    return lines + wait_rows(net, runs)


def parse(argv: list[str]) -> tuple[int, int]:
    """``--rounds N`` and ``--days D`` (also ``--rounds=N``); raises ValueError in one line."""
    opts = {"--rounds": 5, "--days": 10}
    i = 0
    while i < len(argv):
        key, eq, value = argv[i].partition("=")
        if key not in opts:
            raise ValueError(f"unknown option {argv[i]!r} for --compare; allowed: "
                             "--rounds N, --days D")
        if not eq:
            i += 1
            if i == len(argv):
                raise ValueError(f"{key} needs a value")
            value = argv[i]
        try:
            opts[key] = int(value)
        except ValueError:
            raise ValueError(f"{key} needs a positive integer, got {value!r}") from None
        if opts[key] < 2:            # a CI needs two rounds; a run one day past the warm-up
            raise ValueError(f"{key} needs an integer of at least 2, got {value!r}")
        i += 1
    return opts["--rounds"], opts["--days"]


def main(argv: list[str]) -> None:
    rounds, days = parse(argv)
    net = RouteNetwork()
    names = tuple(n for n in IMPLEMENTATIONS if COMPILED or n != "python")  # else the same run
    runs = run_rounds(net, days, rounds, names=names, progress=lambda s: print(s, flush=True))
    print()
    print("\n".join(report(net, days, runs)))
