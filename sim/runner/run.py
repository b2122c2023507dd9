"""Replications of one scenario: seeded, optionally parallel, identical either way."""
from __future__ import annotations

import multiprocessing as mp
import os
import queue
import shutil
import signal
import threading
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from sim.engine.streams import replication_seeds
from sim.metrics.catalogue import kpi_range
from sim.metrics.stats import summarise
from sim.runner.events import EVENTS_DIR
from sim.runner.replication import SCRATCH_DIR, run_replication

PROGRESS_EVERY = 5   # days between progress messages from a worker


@dataclass
class RunResult:
    """What a run returns: tidy KPIs, their summary with 95% CIs, daily series, run directory."""
    kpis: pd.DataFrame            # replication, kpi, value
    summary: pd.DataFrame         # index kpi: mean, ci_low, ci_high, sd, n
    timeseries: pd.DataFrame      # replication, date, facility, kind, service, metric, value
    config: Any
    out_dir: Path | None = None
    scorecard: pd.DataFrame | None = None   # per target: KPI, CI, verdict (sim.analysis)
    observed: pd.DataFrame | None = None    # today reproduced? per observed figure
    plan: "RunResult | None" = None         # the plan's run when today and the plan are compared


def _worker(cfg: Any, rep: int, seed_seq: Any, progress: Any, out_dir: Path | None) -> tuple:
    def on_day(day: int) -> None:
        if progress is not None and (day + 1) % PROGRESS_EVERY == 0:
            progress.put(PROGRESS_EVERY)
    result = run_replication(cfg, rep, seed_seq, on_day, out_dir)
    if progress is not None:              # the days since the last message: the bar ends full
        progress.put((cfg.run.warmup_days + cfg.run.horizon_days) % PROGRESS_EVERY or None)
    return result


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which ends them (no traceback from each)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _end_workers(pool: ProcessPoolExecutor, grace: float = 1.0) -> None:
    """Cancel what has not started and end the worker processes at once (terminate, then
    kill any still alive after ``grace`` seconds)."""
    processes = list((pool._processes or {}).values())   # noqa: SLF001 - no public handle
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.terminate()
    deadline = time.monotonic() + grace
    for proc in processes:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join()


def run_replications(cfg: Any, tick: Callable[[int], None] | None = None,
                     out_dir: str | Path | None = None) -> RunResult:
    """Run ``run.replications`` replications (in parallel when ``run.workers`` allows); with
    ``run.events``, each streams its rows to ``out_dir/events.parquet/`` (emptied first)."""
    return run_scenarios([(cfg, out_dir)], tick)[0]


def run_scenarios(scenarios: list[tuple[Any, str | Path | None]],
                  tick: Callable[[int], None] | None = None) -> list[RunResult]:
    """Each scenario's replications, all in one pool of ``run.workers`` (the first scenario's),
    so today's and the plan's keep every core busy to the end; results as ``run_replications``."""
    jobs = []                                  # (cfg, replication, seed, out_dir)
    for cfg, out_dir in scenarios:
        out = _prepare(cfg, out_dir)
        jobs += [(cfg, r, s, out)
                 for r, s in enumerate(replication_seeds(cfg.run.seed, cfg.run.replications))]
    n_workers = workers_for(scenarios[0][0], len(jobs))
    if n_workers == 1:
        on_day = (lambda d: tick(1)) if tick else None
        results = [run_replication(cfg, r, s, on_day, out) for cfg, r, s, out in jobs]
    else:
        results = _parallel(jobs, n_workers, tick)
    out, k = [], 0
    for cfg, _ in scenarios:
        n = cfg.run.replications
        out.append(_result(cfg, results[k:k + n]))
        k += n
    return out


def workers_for(cfg: Any, jobs: int | None = None) -> int:
    """``run.workers``, 0 meaning every core, never more than the replications (``jobs``)."""
    n = cfg.run.workers or os.cpu_count() or 1
    return max(1, min(n, cfg.run.replications if jobs is None else jobs))


def _prepare(cfg: Any, out_dir: str | Path | None) -> Path | None:
    """The scenario's output folder, cleared of a killed run's log scratch and old event parts."""
    out_dir = None if out_dir is None else Path(out_dir)
    if out_dir is not None:                   # logs of a run killed in this folder before
        shutil.rmtree(out_dir / SCRATCH_DIR, ignore_errors=True)
    if cfg.run.events:
        if out_dir is None:
            warnings.warn("run.events is on but the run has no output directory: no event log",
                          stacklevel=3)
        else:
            shutil.rmtree(out_dir / EVENTS_DIR, ignore_errors=True)   # parts of an older run
    return out_dir


def _result(cfg: Any, results: list) -> RunResult:
    """Tidy KPIs, their summary and the daily series of one scenario's replications."""
    kpis = pd.DataFrame([(r, k, v) for r, (values, _) in enumerate(results)
                         for k, v in sorted(values.items())],
                        columns=["replication", "kpi", "value"])
    series = pd.concat([ts for _, ts in results], ignore_index=True)
    return RunResult(kpis, summarise(kpis, ranges=kpi_range), series, cfg)


def _parallel(jobs: list, n_workers: int, tick: Callable | None) -> list:
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    manager = ctx.Manager() if tick else None
    progress = manager.Queue() if manager else None
    done = threading.Event()

    def pump() -> None:
        while not done.is_set():
            try:
                n = progress.get(timeout=0.2)
            except queue.Empty:
                continue
            if n:
                tick(n)

    pumper = threading.Thread(target=pump, daemon=True) if progress else None
    if pumper:
        pumper.start()
    pool = ProcessPoolExecutor(n_workers, mp_context=ctx, initializer=_ignore_interrupts)
    try:
        futures = [pool.submit(_worker, cfg, r, s, progress, out)
                   for cfg, r, s, out in jobs]
        results = [f.result() for f in futures]
        pool.shutdown()
        return results
    except BaseException:             # Ctrl-C or a failed replication: end the others now
        _end_workers(pool)
        raise
    finally:
        done.set()
        if pumper:
            pumper.join()
        if manager:
            manager.shutdown()
