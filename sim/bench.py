"""Benchmark (not a test): time one replication of a preset on one core.

    python -m sim.bench                       # the default preset, full scale, one year
    python -m sim.bench population.scale=0.2  # any override, e.g. run.horizon_days=1825
    python -m sim.bench --sim-only            # skip the reduction to KPIs and daily series
    python -m sim.bench run.events=true       # also stream the event log (to a temp dir)
    python -m sim.bench --compare             # side by side on a route network (below)
    python -m sim.bench --compare --rounds 7 --days 20

Reports the simulation's wall and CPU time, episodes, visits and SimPy events per second, the time to
reduce the logs to KPIs and daily series (as the runner does), and peak memory: the process's
peak resident set (``ru_maxrss``; after the simulation and overall, plus any children's), its
anonymous and file-backed parts sampled from ``/proc`` (Linux), and with ``--trace-memory``
the traced Python allocations; with ``run.events`` the event log's size.

``--compare`` (run from the repository root: the other two models live in ``benchmarks/``)
times the simulator against an idiomatic SimPy model and a bare heapq event loop of one route
network (14 stations M/M/3 at ρ 0.8, 40 outpatient doctors, 2,600 beds, 6 patients a minute;
``benchmarks/network.py``): CPU µs per patient, median of interleaved rounds (``--rounds``,
default 5, of ``--days`` simulated days, default 10), the two ratios against their targets
(≥ 3× faster than SimPy, within 2× of heapq), and the mean waits against Erlang C.
"""
from __future__ import annotations

import math
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from sim.api import compose_config
from sim.config import validate
from sim.engine.streams import replication_seeds
from sim.runner.events import EVENTS_DIR
from sim.runner.replication import reduce_model, replication

FLAGS = ("--trace-memory", "--sim-only")


def max_rss_mib() -> tuple[float, float]:
    """Peak resident set of this process and of its largest finished child (MiB)."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


class MemorySampler:
    """Peak anonymous and file-backed resident memory (MiB), sampled every ``every`` seconds.

    ``ru_maxrss`` counts both; mapped log files are file-backed pages the kernel may reclaim,
    anonymous memory it cannot (no swap here), so the two are reported apart."""

    STATUS = Path("/proc/self/status")

    def __init__(self, every: float = 0.1):
        self.every = every
        self.peak = {"RssAnon": 0.0, "RssFile": 0.0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> None:
        try:
            lines = self.STATUS.read_text().splitlines()
        except OSError:
            return
        for line in lines:
            key, _, value = line.partition(":")
            if key in self.peak:
                self.peak[key] = max(self.peak[key], int(value.split()[0]) / 1024)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def __enter__(self) -> "MemorySampler":
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def bench(overrides: list[str], trace_memory: bool = False,
          reduce: bool = True) -> dict[str, float]:
    """Run replication 0 of the composed config once; return its timings, volumes and memory."""
    cfg, sources = compose_config(overrides)
    validate(cfg, sources)
    if trace_memory:
        tracemalloc.start()
    with MemorySampler() as mem, tempfile.TemporaryDirectory(prefix="medgroup-bench-") as out:
        with replication(cfg, 0, replication_seeds(cfg.run.seed, 1)[0], out) as model:
            t0, c0 = time.perf_counter(), time.process_time()
            model.run()
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            rss_sim = max_rss_mib()[0]
            t1 = time.perf_counter()
            if reduce:
                reduce_model(model, 0)
            reduce_s = time.perf_counter() - t1 if reduce else float("nan")
        events_mib = sum(p.stat().st_size for p in (Path(out) / EVENTS_DIR).glob("*.parquet")) \
            / 2**20 if cfg.run.events else float("nan")
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace_memory else float("nan")
    if trace_memory:
        tracemalloc.stop()
    visits = model.log.visits
    events = model.env.events_scheduled()
    days = cfg.run.warmup_days + cfg.run.horizon_days
    rss, rss_children = max_rss_mib()
    return {
        "simulated_days": days,
        "wall_s": wall,
        "wall_s_per_year": wall * 365 / days,
        "cpu_s": cpu,
        "reduce_s": reduce_s,
        "episodes": model.arrived,
        "visits": visits,
        "visits_per_s": visits / wall,
        "events": events,
        "events_per_s": events / wall,
        "traced_peak_mib": peak,
        "max_rss_sim_mib": rss_sim,
        "max_rss_mib": rss,
        "max_rss_children_mib": rss_children,
        "anon_peak_mib": mem.peak["RssAnon"],
        "file_peak_mib": mem.peak["RssFile"],
        "events_mib": events_mib,
    }


def compare(argv: list[str]) -> None:
    """``--compare``: the side-by-side benchmark of ``benchmarks/compare.py``."""
    try:
        from benchmarks.compare import main as compare_main
    except ModuleNotFoundError as err:
        if err.name != "benchmarks":
            raise
        sys.exit("error: --compare needs the repository's benchmarks/ folder: run it from the "
                 "repository root")
    try:
        compare_main(argv)
    except ValueError as err:
        sys.exit(f"error: {err}")


def main(argv: list[str]) -> None:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return
    if "--compare" in argv:
        compare([a for a in argv if a != "--compare"])
        return
    unknown = [a for a in argv if a.startswith("-") and a not in FLAGS]
    if unknown:
        sys.exit(f"error: unknown option {unknown[0]!r}; allowed: {', '.join(FLAGS)}, --compare "
                 "(--rounds N and --days D go with --compare), or config overrides key=value")
    trace = "--trace-memory" in argv
    reduce = "--sim-only" not in argv
    overrides = [a for a in argv if a not in FLAGS]
    r = bench(overrides, trace, reduce)
    print(f"one replication, {r['simulated_days']} simulated days (warm-up included)"
          f" of: {' '.join(overrides) or 'the default preset'}")
    print(f"  wall time          {r['wall_s']:8.1f} s   ({r['wall_s_per_year']:.1f} s per simulated year)")
    print(f"  CPU time           {r['cpu_s']:8.1f} s   (less sensitive to a busy machine)")
    print(f"  episodes           {r['episodes']:>10,}")
    print(f"  visits             {r['visits']:>10,}   ({r['visits_per_s']:,.0f} per second)")
    print(f"  SimPy events       {r['events']:>10,}   ({r['events_per_s']:,.0f} per second)")
    if reduce:
        print(f"  KPIs and series    {r['reduce_s']:8.1f} s")
    if trace:
        print(f"  traced peak        {r['traced_peak_mib']:8.0f} MiB (Python allocations)")
    print(f"  peak RSS           {r['max_rss_mib']:8.0f} MiB (whole process; "
          f"{r['max_rss_sim_mib']:.0f} MiB by the end of the simulation)")
    if r["max_rss_children_mib"]:
        print(f"  peak RSS children  {r['max_rss_children_mib']:8.0f} MiB (largest child)")
    if not math.isnan(r["events_mib"]):
        print(f"  events.parquet     {r['events_mib']:8.0f} MiB")
    print(f"  sampled peaks      {r['anon_peak_mib']:8.0f} MiB anonymous, "
          f"{r['file_peak_mib']:.0f} MiB file-backed")


if __name__ == "__main__":
    from sim.config import ConfigError
    try:
        main(sys.argv[1:])
    except ConfigError as err:
        sys.exit(f"error: {err}")
