"""Benchmark (not a test): time one replication of a preset on one core.

    python -m sim.bench                      # the default preset, full scale, one year
    python -m sim.bench population.scale=0.2 # any override

Reports wall time, simulated episodes and visits per second, SimPy events per second and peak
memory (traced Python allocations and the process's peak resident set).
"""
from __future__ import annotations

import resource
import sys
import time
import tracemalloc

import simpy

from sim.api import compose_config
from sim.config import validate
from sim.engine.streams import replication_seeds
from sim.model.group import MedicalGroup


def bench(overrides: list[str], trace_memory: bool = False) -> dict[str, float]:
    """Run replication 0 of the composed config once; return its timings and volumes."""
    cfg, sources = compose_config(overrides)
    validate(cfg, sources)
    if trace_memory:
        tracemalloc.start()
    env = simpy.Environment()
    model = MedicalGroup(cfg, replication_seeds(cfg.run.seed, 1)[0], env)
    t0 = time.perf_counter()
    model.run()
    wall = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace_memory else float("nan")
    if trace_memory:
        tracemalloc.stop()
    visits = model.log.visits
    events = next(env._eid)            # SimPy numbers every event it schedules
    days = cfg.run.warmup_days + cfg.run.horizon_days
    return {
        "simulated_days": days,
        "wall_s": wall,
        "wall_s_per_year": wall * 365 / days,
        "episodes": model.arrived,
        "visits": visits,
        "visits_per_s": visits / wall,
        "events": events,
        "events_per_s": events / wall,
        "traced_peak_mib": peak,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str]) -> None:
    trace = "--trace-memory" in argv
    overrides = [a for a in argv if a != "--trace-memory"]
    r = bench(overrides, trace)
    print(f"one replication, {r['simulated_days']} simulated days (warm-up included)"
          f" of: {' '.join(overrides) or 'the default preset'}")
    print(f"  wall time          {r['wall_s']:8.1f} s   ({r['wall_s_per_year']:.1f} s per simulated year)")
    print(f"  episodes           {r['episodes']:>10,}")
    print(f"  visits             {r['visits']:>10,}   ({r['visits_per_s']:,.0f} per second)")
    print(f"  SimPy events       {r['events']:>10,}   ({r['events_per_s']:,.0f} per second)")
    if trace:
        print(f"  traced peak        {r['traced_peak_mib']:8.0f} MiB (Python allocations)")
    print(f"  peak RSS           {r['max_rss_mib']:8.0f} MiB (whole process)")


if __name__ == "__main__":
    main(sys.argv[1:])
