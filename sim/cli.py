"""``python -m sim``: a thin Hydra wrapper around ``sim.api.run_config``, for runs and sweeps.

A sweep (``-m``) runs its jobs through the joblib launcher, skips jobs already complete with the
same configuration, records a failed job in its folder instead of stopping the others, and ends
with ``sweep_summary.csv``, comparison figures and a report (``SweepSummary``)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from sim import interrupt, terminal
from sim.analysis.observed import to_text as observed_text
from sim.analysis.report import HEADLINE
from sim.analysis.scale import warning as scale_warning
from sim.analysis.scorecard import to_text
from sim.api import CONFIG_DIR, compose_config, label_of, plan_of, run_config, sources_of
from sim.cli_help import register as register_help
from sim.config import ConfigError, register_configs, validate
from sim.config.explain import syntax_error
from sim.runner import progress as sweep_progress
from sim.runner.outputs import (COMPLETE_MARKER, clear_failure, is_complete, record_failure,
                                write_text)
from sim.runner.run import workers_for

# settings that do not change results: one list, configs/config.yaml's exclude_keys (also kept
# out of job folder names)
NOT_RESULTS: tuple[str, ...] = tuple(OmegaConf.load(CONFIG_DIR / "config.yaml")
                                     .hydra.job.config.override_dirname.exclude_keys)
MANIFEST = "run.json"

register_configs()
register_help()


def kpi_table(summary, names=HEADLINE) -> str:
    """The headline KPIs as text: mean, 95% CI and unit (``sim.terminal``)."""
    return terminal.kpi_table(summary, names)


def fingerprint(cfg: DictConfig) -> str:
    """A hash of everything in ``cfg`` that can change results: a completed job is reused only
    when its fingerprint matches."""
    plain = OmegaConf.to_container(cfg, resolve=True)
    for key in NOT_RESULTS:
        *path, leaf = key.split(".")
        node = plain
        for part in path:
            node = node.get(part) or {}
        node.pop(leaf, None)
    return hashlib.sha256(json.dumps(plain, sort_keys=True, default=str).encode()).hexdigest()


def _reusable(out_dir: Path, digest: str) -> bool:
    """A completed job with the same configuration; a stale one loses its completion marker."""
    if not is_complete(out_dir):
        return False
    manifest = out_dir / MANIFEST
    if manifest.exists() and json.loads(manifest.read_text())["fingerprint"] == digest:
        return True
    print(f"configuration changed since {out_dir} completed: recomputing", file=sys.stderr)
    (out_dir / COMPLETE_MARKER).unlink()
    return False


@hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> float | None:
    interrupt.check()
    started = time.monotonic()
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    sweeping = hc.mode == RunMode.MULTIRUN
    digest = fingerprint(cfg)
    if sweeping and _reusable(out_dir, digest):
        print(f"skipped, already complete: {out_dir}\n"
              + _job_done(hc, out_dir, "reused", None), flush=True)
        return _objective(cfg, pd.read_csv(out_dir / "summary.csv", index_col="kpi"))
    if sweeping:                      # jobs run side by side: one core each unless told
        cfg.run.workers = cfg.run.workers or 1
        cfg.run.progress = False
    sources = sources_of(hc.runtime.choices, list(hc.overrides.task))
    clear_failure(out_dir)
    manifest = {"fingerprint": digest, "overrides": list(hc.overrides.task),
                "started": dt.datetime.now().isoformat(timespec="seconds")}
    try:
        validate(cfg, sources)
        write_text(out_dir / MANIFEST, json.dumps(manifest, indent=1))
        plan = plan_of(cfg, list(hc.overrides.task))
        scenarios = [cfg] + ([plan[0]] if plan else [])
        for c in scenarios[1:]:
            c.run.workers, c.run.progress = cfg.run.workers, cfg.run.progress
        if not sweeping:
            print(terminal.header(cfg, out_dir, workers_for(cfg), hc.runtime.choices,
                                  compare=plan is not None) + "\n", flush=True)
        desc = label_of(cfg) + (" → " + label_of(plan[0]) if plan else "")
        if scale_warning(cfg) and not sweeping:
            print(scale_warning(cfg), flush=True)
        with terminal.progress(scenarios, desc, cfg.run.progress) as bar:
            result = run_config(cfg, out_dir, sources, tick=_ticker(bar), plan=plan)
    except Exception as err:          # noqa: BLE001 - a sweep records it and goes on
        if not sweeping:
            _fail_run(out_dir, err)
        message = str(err) if isinstance(err, ConfigError) else f"{type(err).__name__}: {err}"
        record_failure(out_dir, message, traceback.format_exc())
        print(f"error: job {out_dir.name} failed: {message}", file=sys.stderr)
        print(_job_done(hc, out_dir, "failed", started), flush=True)
        return math.nan if _calibrating(cfg) else None   # a failed trial to Optuna
    manifest["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    write_text(out_dir / MANIFEST, json.dumps(manifest, indent=1))
    lines = _results_text(cfg, result, out_dir)
    if sweeping:
        lines = [terminal.job_heading(_job_name(hc, out_dir)), *lines,
                 _job_done(hc, out_dir, "complete", started)]
    else:
        lines.append(terminal.elapsed(interrupt.STARTED))
    print("\n".join(lines), flush=True)      # one write: parallel jobs do not interleave
    return _objective(cfg, result.summary)


def _results_text(cfg: DictConfig, result: Any, out_dir: Path) -> list[str]:
    """What a run prints when it ends: its KPI table, today reproduced?, the targets, the
    scale caveat and where its files are."""
    lines = [kpi_table(result.summary)]
    if result.observed is not None and len(result.observed):
        lines += [f"\ntoday reproduced? {cfg.observed.district or cfg.observed.name}",
                  observed_text(result.observed)]
    if len(result.scorecard):
        lines += [f"\ntargets: {cfg.targets.plan or cfg.targets.name}", to_text(result.scorecard)]
        note = terminal.replications_note(result.summary, "verdicts")
        lines += [note] if note else []
    caveat = scale_warning(result.config)
    if caveat:
        lines.append(f"\n{caveat}")
    lines.append(f"\nrun directory: {out_dir}\nreport: {out_dir / 'report.html'}")
    return lines


def _job_name(hc: Any, out_dir: Path) -> str:
    """A sweep job by the overrides it does not share with the sweep's other jobs."""
    common = sweep_progress.header(Path(hc.sweep.dir))["common"]
    return sweep_progress.job_name(list(hc.overrides.task), common, out_dir.name)


def _job_done(hc: Any, out_dir: Path, status: str, started: float | None) -> str:
    """Record a sweep job's end and say it: ``[2/4 jobs, 1 min 3 s] policy=x: complete in
    41.2 s``; ``started`` None for a job not run (reused)."""
    seconds = time.monotonic() - started if started is not None else None
    done, head = sweep_progress.finished(Path(hc.sweep.dir), _job_name(hc, out_dir), status,
                                         seconds or 0.0)
    since = time.time() - head["started"] if head.get("started") else None
    return terminal.job_done(done, head.get("total"), _job_name(hc, out_dir), status, seconds,
                             since)


def _ticker(bar: Any) -> Any:
    """The progress callback: moves the bar; Ctrl-C pressed and swallowed stops here."""
    def tick(n: int) -> None:
        interrupt.check()
        bar.update(n)
    return tick


def _calibrating(cfg: DictConfig) -> bool:
    return bool(cfg.calibration.observed) or cfg.calibration.bands


def _objective(cfg: DictConfig, summary: pd.DataFrame) -> float | None:
    """What a calibration sweep minimises (``calibration.observed`` or ``calibration.bands``
    set), else nothing."""
    if cfg.calibration.bands:
        from sim.analysis.calibration import band_objective
        return band_objective(summary, cfg.observed, ("beds_per_1000", "gps_per_10k"))
    if not cfg.calibration.observed:
        return None
    from sim.analysis.calibration import objective
    return objective(summary, cfg.calibration.observed)


def _fail_run(out_dir: Path, err: Exception) -> None:
    """A single run: bad input is one line and exit 2, leaving no half-written run directory."""
    if not is_complete(out_dir):
        shutil.rmtree(out_dir, ignore_errors=True)
    if isinstance(err, ConfigError):
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    raise err


class RunFolder(Callback):
    """Ctrl-C: the run's folder before Hydra makes it, and whether it was there before (so an
    interrupted run removes only what it made); a sweep's name (``sim.interrupt``)."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        interrupt.folder = Path(str(OmegaConf.select(config, "hydra.run.dir")))
        interrupt.folder_existed = interrupt.folder.exists()

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        interrupt.sweep = str(OmegaConf.select(config, "sweep_name"))


class SweepSummary(Callback):
    """At a sweep's start, its progress record (how many jobs, when); at its end
    ``sweep_summary.csv``, paired differences, figures, report and the comparison printed."""

    failed = 0

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        jobs = _sweep_jobs(config)
        common = [o for o in jobs[0] if all(o in j for j in jobs)] if len(jobs) > 1 else []
        total = len(jobs) or OmegaConf.select(config, "hydra.sweeper.n_trials", default=None)
        sweep_progress.start(Path(config.hydra.sweep.dir), total, common)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from sim.analysis.compare import compare
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            result = compare([sweep_dir], sweep_dir, baseline=config.compare.baseline,
                             kpis=list(config.compare.kpis), lang=config.report.lang,
                             figures=config.compare.figures)
        except Exception as err:      # noqa: BLE001 - the jobs' results stand; say what failed
            print(f"error: summarising {sweep_dir} failed: {err!r}; jobs' results are "
                  "complete, re-run with python -m sim.compare", file=sys.stderr)
            SweepSummary.failed = -1
            return
        SweepSummary.failed = result.failed
        print(f"\nsweep {sweep_dir.name}: {terminal.comparison_summary(result)}\n\nsummary: "
              f"{sweep_dir / 'sweep_summary.csv'}\nreport: {sweep_dir / 'report.html'}")


def _sweep_jobs(config: DictConfig) -> list[list[str]]:
    """The overrides of each job a sweep runs: its sweeper's ``params`` and the command line
    (as Hydra's basic sweeper combines them); [] for another sweeper."""
    params = OmegaConf.select(config, "hydra.sweeper.params", default=None) or {}
    task = list(OmegaConf.select(config, "hydra.overrides.task", default=[]) or [])
    return _job_overrides([f"{k}={v}" for k, v in params.items()] + task)


def _job_overrides(args: list[str]) -> list[list[str]]:
    """The jobs a ``-m`` command line sweeps over (Hydra's basic sweep syntax), or [] if the
    syntax is another sweeper's."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser
    try:
        parsed = OverridesParser.create().parse_overrides(args)
        return [job for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]
    except Exception:                 # noqa: BLE001 - not ours to judge; Hydra will
        return []


def precheck(args: list[str]) -> None:
    """Compose the configs a command line asks for (each distinct value of a sweep once) and
    check that outputs go under ``results_dir``; a single run is also validated (a sweep
    records a job's bad value and runs the others). Raises ``ConfigError``."""
    multirun, runs, overrides = _command_overrides(args)
    bad = syntax_error(overrides)
    if bad is not None:
        raise bad
    jobs = _job_overrides(overrides) if multirun else [overrides]
    seen: set[str] = set()
    for job in jobs:
        if set(job) <= seen:
            continue
        seen |= set(job)
        cfg, sources = compose_config([o for o in job if not o.lstrip("+~").startswith("hydra.")])
        _inside_results(cfg, job)
        if runs and not multirun:
            validate(cfg, sources)


def _command_overrides(args: list[str]) -> tuple[bool, bool, list[str]]:
    """(multirun?, runs a job?, overrides) as Hydra reads the command line (not a job:
    ``--cfg``, ``--info``, the help); deletions (``~key``) and tokens that are not
    ``key=value`` are included, so they are refused in one line too."""
    from hydra._internal.utils import get_args_parser
    parsed, _ = get_args_parser().parse_known_args(args)
    runs = not (parsed.cfg or parsed.info or parsed.help or parsed.hydra_help
                or parsed.shell_completion)
    return parsed.multirun, runs, list(parsed.overrides)


def _inside_results(cfg: DictConfig, overrides: list[str]) -> None:
    results = Path(cfg.results_dir).resolve()
    for o in overrides:
        key, _, value = o.partition("=")
        if key in ("hydra.run.dir", "hydra.sweep.dir") and "${" not in value:
            if not Path(value).resolve().is_relative_to(results):
                raise ConfigError(key, value, f"a folder under results_dir ({cfg.results_dir})",
                                  "a command-line override")


def entry(argv: list[str] | None = None) -> None:
    """``python -m sim``: configuration errors are one line and exit 2 before Hydra starts;
    a sweep with failed jobs exits 1; Ctrl-C stops at once, one line, exit 130."""
    args = sys.argv[1:] if argv is None else argv
    try:
        precheck(args)
        main()
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        interrupt.stop()
    if SweepSummary.failed:
        sys.exit(1)


if __name__ == "__main__":
    entry()
