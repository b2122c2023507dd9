"""Sweeps read back from their job folders: status, KPI table, paired differences, verdicts.

Reads only the output contract (``.hydra/``, ``summary.csv``, ``kpis.csv``, ``scorecard.csv``,
``config.resolved.yaml``, ``failed.json``), so it compares runs made anywhere, at any time.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from sim.domain.clock import single_year
from sim.metrics.stats import t_interval
from sim.runner.outputs import COMPLETE_MARKER, FAILURE_MARKER, PLAN_DIR, is_complete

COMPLETE, FAILED, INCOMPLETE = "complete", "failed", "incomplete"


@dataclass
class Job:
    """One run folder of a sweep (or a single run): where, what was overridden, how it ended."""
    path: Path
    name: str
    overrides: list[str] = field(default_factory=list)
    num: int = 0

    @property
    def status(self) -> str:
        if is_complete(self.path):
            return COMPLETE
        return FAILED if (self.path / FAILURE_MARKER).exists() else INCOMPLETE

    @property
    def error(self) -> str:
        path = self.path / FAILURE_MARKER
        return json.loads(path.read_text())["error"] if path.exists() else ""

    @cached_property
    def summary(self) -> pd.DataFrame:
        return pd.read_csv(self.path / "summary.csv", index_col="kpi")

    @cached_property
    def kpis(self) -> pd.DataFrame:
        return pd.read_csv(self.path / "kpis.csv")

    @cached_property
    def config(self):
        return OmegaConf.load(self.path / "config.resolved.yaml")

    def scorecard(self) -> pd.DataFrame:
        path = self.path / "scorecard.csv"
        return pd.read_csv(path) if path.exists() else pd.DataFrame()


def _job(path: Path, prefix: str) -> Job:
    overrides = OmegaConf.load(path / ".hydra" / "overrides.yaml") \
        if (path / ".hydra" / "overrides.yaml").exists() else []
    num = 0
    if (path / ".hydra" / "hydra.yaml").exists():
        num = OmegaConf.load(path / ".hydra" / "hydra.yaml").hydra.job.get("num") or 0
    return Job(path, prefix + path.name, [str(o) for o in overrides], int(num))


def find_jobs(roots: Iterable[Path]) -> list[Job]:
    """Every run folder (a folder with ``.hydra/`` or ``summary.json``) under ``roots``, in
    each root's job order; names are prefixed with the root's name when there are several."""
    roots = [Path(r) for r in roots]
    jobs: list[Job] = []
    for root in roots:
        if not root.is_dir():
            raise FileNotFoundError(f"no such sweep or run directory: {root}")
        prefix = f"{root.name}/" if len(roots) > 1 else ""
        found = {p.parent for pattern in (".hydra", COMPLETE_MARKER) for p in root.rglob(pattern)}
        found = {p for p in found if not any(q != p and q in p.parents for q in found)}
        jobs += _short_names(sorted((_job(p, prefix) for p in found),
                                    key=lambda j: (j.num, j.name)), prefix)
    return jobs


def common_overrides(jobs: list[Job]) -> list[str]:
    """The overrides every job shares (the sweep's fixed settings)."""
    sets = [set(j.overrides) for j in jobs]
    return [o for o in jobs[0].overrides if all(o in s for s in sets)] if jobs else []


def _short_names(jobs: list[Job], prefix: str) -> list[Job]:
    """Name each job by the overrides that differ between jobs (``policy=gatekeeping``)."""
    if len(jobs) > 1:
        common = set(common_overrides(jobs))
        for job in jobs:
            own = [o for o in job.overrides if o not in common]
            job.name = prefix + (",".join(own) if own else job.path.name)
    return jobs


def sweep_table(jobs: list[Job]) -> pd.DataFrame:
    """One row per job and KPI: ``job, status, overrides, kpi, mean, ci_low, ci_high, sd, n``;
    a job without results has one row with its status and error."""
    frames = []
    for job in jobs:
        head = {"job": job.name, "status": job.status, "overrides": " ".join(job.overrides)}
        if job.status == COMPLETE:
            s = job.summary.reset_index()
            frames.append(s.assign(**head, error=""))
        else:
            frames.append(pd.DataFrame([{**head, "kpi": np.nan, "error": job.error}]))
    cols = ["job", "status", "overrides", "kpi", "mean", "ci_low", "ci_high", "sd", "n", "error"]
    return pd.concat(frames, ignore_index=True).reindex(columns=cols)


def select_baseline(jobs: list[Job], spec: str = "") -> Job:
    """The job named ``spec``, or whose overrides include all of ``spec``'s (space- or
    comma-separated ``key=value``); the first complete job when ``spec`` is empty."""
    done = [j for j in jobs if j.status == COMPLETE]
    if not done:
        raise ValueError("no complete job to compare against")
    if not spec:
        return done[0]
    wanted = set(spec.replace(",", " ").split())
    for job in done:
        if job.name == spec or wanted <= set(job.overrides):
            return job
    names = ", ".join(j.name for j in done)
    raise ValueError(f"compare.baseline: no complete job matches {spec!r}; jobs: {names}")


def paired_differences(jobs: list[Job], baseline: Job) -> pd.DataFrame:
    """Per job and KPI, the mean difference from ``baseline`` with its 95% CI.

    Paired by replication when both runs used the same seed and replications (common random
    numbers, so the CI is the policy's effect, not the noise); otherwise Welch's interval."""
    base = baseline.kpis.pivot(index="replication", columns="kpi", values="value")
    rows = []
    for job in jobs:
        if job is baseline or job.status != COMPLETE:
            continue
        other = job.kpis.pivot(index="replication", columns="kpi", values="value")
        paired = _same_streams(job, baseline) and other.index.equals(base.index)
        for kpi in base.columns.intersection(other.columns):
            mean, lo, hi, _, n = (t_interval(other[kpi] - base[kpi]) if paired
                                  else _welch(other[kpi].to_numpy(), base[kpi].to_numpy()))
            rows.append((job.name, kpi, mean, lo, hi, n, paired))
    return pd.DataFrame(rows, columns=["job", "kpi", "mean", "ci_low", "ci_high", "n", "paired"])


def _same_streams(a: Job, b: Job) -> bool:
    return all(OmegaConf.select(a.config, k) == OmegaConf.select(b.config, k)
               for k in ("run.seed", "run.replications"))


def _welch(x: np.ndarray, y: np.ndarray) -> tuple:
    from scipy import stats
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if x.size < 2 or y.size < 2:
        return (x.mean() - y.mean() if x.size and y.size else np.nan, np.nan, np.nan, np.nan,
                min(x.size, y.size))
    with warnings.catch_warnings():              # identical samples: a zero-width interval
        warnings.simplefilter("ignore", RuntimeWarning)
        r = stats.ttest_ind(x, y, equal_var=False).confidence_interval(0.95)
    return (x.mean() - y.mean(), r.low, r.high, np.nan, min(x.size, y.size))


def verdicts(jobs: list[Job], baseline: Job | None = None) -> pd.DataFrame:
    """Targets × jobs: each job's verdict per target, rescored from its per-replication KPIs.

    A job that ran today and the plan (a ``plan/`` folder) is scored on its own pair; any other
    job is the plan, with ``baseline`` as today when it shares the job's random numbers (else
    raise targets are not measured)."""
    from sim.analysis.scorecard import scorecard
    cards = {}
    for job in jobs:
        if job.status != COMPLETE:
            continue
        plan, plan_cfg, today, today_cfg = _scored_on(job, baseline)
        card = scorecard(plan, plan_cfg.targets, single_year(plan_cfg), today,
                         single_year(today_cfg) if today_cfg is not None else None)
        if len(card):
            cards[job.name] = card.set_index("target")["verdict"]
    return pd.DataFrame(cards)


def _scored_on(job: Job, baseline: Job | None) -> tuple:
    """(plan KPIs, plan config, today KPIs, today config) a job's targets are scored on."""
    plan_dir = job.path / PLAN_DIR
    if (plan_dir / "kpis.csv").exists():
        return (pd.read_csv(plan_dir / "kpis.csv"),
                OmegaConf.load(plan_dir / "config.resolved.yaml"), job.kpis, job.config)
    if baseline is not None and _same_streams(job, baseline):
        return job.kpis, job.config, baseline.kpis, baseline.config
    return job.kpis, job.config, None, None


def design_points(jobs: list[Job], kpis: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """One row per complete job: the values of its design keys and numeric swept overrides,
    and its KPIs' means; returns the frame and the parameter columns."""
    rows, params = [], []
    for job in jobs:
        if job.status != COMPLETE:
            continue
        row = {"job": job.name}
        keys = list(OmegaConf.select(job.config, "design.ranges", default={}) or {})
        keys += [o.split("=", 1)[0] for o in job.overrides
                 if "=" in o and not o.startswith("design.")]
        for key in keys:
            value = OmegaConf.select(job.config, key.lstrip("+~"), default=None)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                row[key] = float(value)
                params += [key] if key not in params else []
        row.update({k: job.summary["mean"].get(k, np.nan) for k in kpis})
        rows.append(row)
    frame = pd.DataFrame(rows)
    varying = [p for p in params if p in frame and frame[p].nunique() > 1]
    return frame, varying
