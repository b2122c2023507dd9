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
from sim.model.group import GC_THRESHOLD

IMPLEMENTATIONS: dict[str, Callable] = {
    "medgroup": medgroup.build, "simpy": simpy_model.build, "heapq": heapq_loop.build}
LABELS = {"medgroup": "medgroup-sim (ours)", "simpy": "idiomatic SimPy", "heapq": "bare heapq loop"}
TARGET_SPEEDUP = 3.0        # ours at least this many times faster than idiomatic SimPy
TARGET_SLOWDOWN = 2.0       # ours at most this many times slower than the heapq loop
AGREE_REL = 0.02            # waits agree within 2 %
CI_LEVEL = 0.99             # for "differs": the difference's interval excludes zero


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


def mean_se(x: np.ndarray) -> tuple[float, float]:
    """Mean and standard error across independent runs."""
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan


def verdict(diff: float, se: float, ref: float, df: int) -> str:
    """'within 2%', 'differs' (the interval of the difference excludes 0), or 'unresolved'."""
    if ref <= 0:
        return "within 2%" if abs(diff) < 1e-9 else "differs"
    rel = diff / ref
    if abs(rel) <= AGREE_REL:
        return "within 2%"
    half = stats.t.ppf(0.5 + CI_LEVEL / 2, df) * se
    if abs(diff) > half:
        return "differs"
    return f"unresolved (±{half / ref:.0%} at {CI_LEVEL:.0%})"


def wait_rows(net: RouteNetwork, runs: Runs) -> list[str]:
    """Lines of the waits table and its checks."""
    theory = net.erlang_c_waits()
    names = list(runs.results)
    lines = [f"  {'mean wait (min)':26s} {'Erlang C':>9s}"
             + "".join(f" {n + ' ±95% CI':>20s}" for n in names)]
    checks = []
    for label, nodes in groups(net).items():
        lam = net.rates[nodes]
        th = float((theory[nodes] * lam).sum() / lam.sum())
        cells, est = [], {}
        for n in names:
            x = group_waits(runs.results[n], nodes)
            m, se = mean_se(x)
            est[n] = (m, se, x)
            half = stats.t.ppf(0.975, x.size - 1) * se if x.size > 1 else math.nan
            cells.append(f" {m:11.3f} ±{half:7.3f}")
        lines.append(f"  {label:26s} {th:9.3f}" + "".join(cells))
        df = max(len(runs.results[names[0]]) - 1, 1)
        for n in names:
            m, se, _ = est[n]
            checks.append(f"  {label}: {n} vs Erlang C {_rel(m, th)}: {verdict(m - th, se, th, df)}")
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                (ma, sa, xa), (mb, sb, xb) = est[a], est[b]
                if np.array_equal(xa, xb):
                    checks.append(f"  {label}: {a} vs {b}: identical")
                    continue
                checks.append(f"  {label}: {a} vs {b} {_rel(ma, mb)}: "
                              f"{verdict(ma - mb, math.hypot(sa, sb), mb, df)}")
    return lines + checks


def _rel(a: float, b: float) -> str:
    return f"({a / b - 1:+.1%})" if b > 0 else f"({a - b:+.3g} min)"


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
    runs = run_rounds(net, days, rounds, progress=lambda s: print(s, flush=True))
    print()
    print("\n".join(report(net, days, runs)))
