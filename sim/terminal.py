"""What ``python -m sim`` prints around a run: a header saying what runs and where its files go,
a progress bar counting replication-days, the KPI table with units, and the elapsed time."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd
from tqdm import tqdm

from sim.analysis.format import estimate, number, plain, short_unit
from sim.domain.clock import measured_period
from sim.metrics.stats import MIN_REPLICATIONS


def period(cfg: Any) -> str:
    """``2025-01-01 – 2025-12-31 (365 days) after 30 days of warm-up``."""
    start, end = measured_period(cfg.run)
    warm = cfg.run.warmup_days
    return (f"{start} – {end} ({number(cfg.run.horizon_days, 0)} days)"
            + (f" after {warm} days of warm-up" if warm else ", no warm-up"))


def header(cfg: Any, out_dir: Path | str | None, workers: int,
           choices: Mapping[str, Any] | None = None, compare: bool = False) -> str:
    """The run's settings in a few lines: preset, city plan (``plan=``), targets, policy, today
    and the plan when both run (``compare``), residents and scale, period, replications and
    workers, output folder."""
    choices = choices or {}
    residents = sum(int(c.residents) for c in cfg.population.catchments.values())
    scale = float(cfg.population.scale)
    n_targets = len(cfg.targets.targets)
    rows = [("preset", f"{cfg.get('preset') or 'none'} (network {cfg.network.name})")]
    if choices.get("plan"):
        rows.append(("city plan", str(choices["plan"])))
    rows += [("targets", f"{cfg.targets.plan or cfg.targets.name} "
                         f"({n_targets} target{'s' * (n_targets != 1)})"),
             ("policy", str(cfg.policy.name))]
    sc = cfg.get("scenario")
    if compare and sc is not None:
        rows += [("today", str(sc.today)),
                 ("plan", f"{sc.plan}: {' '.join(sc.plan_overrides)}, same random numbers")]
    rows += [
        ("residents", f"{number(residents, 0)}" + ("" if scale == 1 else
                      f" × scale {plain(scale)} = {number(residents * scale, 0)} modelled")),
        ("period", period(cfg)),
        ("replications", f"{cfg.run.replications} on {workers} worker{'s' * (workers != 1)}, "
                         f"seed {cfg.run.seed}"),
    ]
    if out_dir is not None:
        rows.append(("output", str(out_dir)))
    return "\n".join(f"{name:<13}{value}" for name, value in rows)


def progress(scenarios: Sequence[Any], desc: str, enabled: bool = True) -> tqdm:
    """A bar over every replication's simulated days (warm-up included) of the scenarios run
    one after the other (today, and the plan when both run), saying what it counts."""
    total = sum(c.run.replications * (c.run.warmup_days + c.run.horizon_days) for c in scenarios)
    return tqdm(total=total, desc=desc, disable=not enabled, file=sys.stderr,
                bar_format="{desc}: {percentage:3.0f}%|{bar:24}| {n_fmt}/{total_fmt} "
                           "replication-days [{elapsed}<{remaining}]")


def kpi_table(summary: pd.DataFrame, names: list[str] | tuple[str, ...]) -> str:
    """KPIs with mean, 95% CI and unit; footnotes for clipped intervals and too few
    replications (``summary`` as ``summary.csv``; ``ci_note`` optional)."""
    rows = [k for k in names if k in summary.index]
    if not rows:
        return ""
    cells = []
    for k in rows:
        r = summary.loc[k]
        mean, ci = estimate(r["mean"], r["ci_low"], r["ci_high"])
        clipped = str(r.get("ci_note", "") or "").startswith("clipped")
        cells.append((k, mean, ci + ("*" if clipped else ""), short_unit(k)))
    w = [max(len(c[i]) for c in cells + [("KPI", "mean", "95% CI", "unit")]) for i in range(4)]
    lines = [f"{'KPI':<{w[0]}}  {'mean':>{w[1]}}  {'95% CI':<{w[2]}}  unit"]
    lines += [f"{k:<{w[0]}}  {m:>{w[1]}}  {ci:<{w[2]}}  {u}".rstrip() for k, m, ci, u in cells]
    if any(c[2].endswith("*") for c in cells):
        lines.append("* clipped at the quantity's limit: a wait, count or rate is never below 0, "
                     "a share never above 1")
    note = replications_note(summary)
    if note:
        lines.append(note)
    return "\n".join(lines)


def replications_note(summary: pd.DataFrame, what: str = "intervals") -> str | None:
    """``no intervals: 1 replication; ...`` when the run has too few replications for
    intervals (``what``) and verdicts; None otherwise."""
    if "n" not in summary or not len(summary):
        return None
    n = summary["n"].max()
    if pd.isna(n) or n == 0 or n >= MIN_REPLICATIONS:
        return None
    one = what.rstrip("s")
    return (f"no {what}: {int(n)} replication; {'an' if one[0] in 'aeiou' else 'a'} {one} needs "
            f"at least {MIN_REPLICATIONS} (run.replications={MIN_REPLICATIONS} or more)")


def elapsed(started: float) -> str:
    """``finished in 3 min 23 s`` since ``started`` (``time.monotonic()``)."""
    return f"finished in {duration(time.monotonic() - started)}"


def duration(s: float) -> str:
    """``12.3 s`` under a minute, else ``3 min 23 s`` or ``1 h 2 min 3 s``."""
    if s < 60:
        return f"{s:.1f} s"
    h, rest = divmod(int(round(s)), 3600)
    m, sec = divmod(rest, 60)
    return f"{f'{h} h ' if h else ''}{m} min {sec} s"


def job_heading(name: str) -> str:
    """The line above a sweep job's results: ``── policy=gatekeeping ──``."""
    return f"── {name} ──"


def job_done(done: int, total: int | None, name: str, status: str, seconds: float | None,
             sweep_seconds: float | None) -> str:
    """A sweep's progress as a job ends: ``[2/4 jobs, 1 min 3 s] policy=gatekeeping:
    complete in 41.2 s`` (no time for a job that did not run, ``seconds`` None)."""
    count = f"{done}/{total}" if total else f"{done}"
    since = f", {duration(sweep_seconds)}" if sweep_seconds is not None else ""
    took = f" in {duration(seconds)}" if seconds is not None else ""
    return f"[{count} jobs{since}] {name}: {status}{took}"


def columns(rows: Sequence[Sequence[str]], right: Sequence[bool] = ()) -> str:
    """``rows`` (the first is the header) as aligned text columns two spaces apart; columns
    flagged in ``right`` are right-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    flags = list(right) + [False] * (len(widths) - len(right))
    return "\n".join("  ".join(c.rjust(w) if f else c.ljust(w)
                               for c, w, f in zip(r, widths, flags)).rstrip() for r in rows)


def comparison_summary(result: Any) -> str:
    """A ``sim.analysis.compare.Comparison`` in the terminal: how many jobs completed, each
    job's KPIs and its paired difference from the baseline, and each failed job's error."""
    incomplete = len(result.jobs) - result.complete - result.failed
    parts = [f"{result.complete} complete, {result.failed} failed, {incomplete} incomplete",
             comparison_text(result.table, result.diffs, result.kpis,
                             result.baseline.name if result.baseline else None),
             "\n".join(f"failed: {j.name}: {j.error}" for j in result.jobs
                       if j.status == "failed")]
    return "\n\n".join(p for p in parts if p)


def comparison_text(table: pd.DataFrame, diffs: pd.DataFrame, names: Sequence[str],
                    baseline: str | None) -> str:
    """A sweep in the terminal: each complete job's KPIs in ``names`` (mean [95% CI], one column
    per job) and each job's paired difference from ``baseline``; ``table`` and ``diffs`` as
    ``sweep_summary.csv`` and ``paired_differences.csv``."""
    done = table[table.status == "complete"]
    if not len(done):
        return ""
    out = [_kpi_by_job(done, names, "KPIs, mean [95% CI]")]
    if baseline is not None and len(diffs):
        out.append(_kpi_by_job(diffs.assign(sign=True), names,
                               f"paired differences from {baseline}, mean [95% CI]"))
    return "\n\n".join(o for o in out if o)


def _kpi_by_job(frame: pd.DataFrame, names: Sequence[str], title: str) -> str:
    """KPIs as rows (with their short unit), jobs as columns, cells ``mean [low, high]``."""
    jobs = list(dict.fromkeys(frame.job))
    signed = "sign" in frame
    cells = {(r.job, r.kpi): " ".join(estimate(r.mean, r.ci_low, r.ci_high, sign=signed))
             .replace(" –", "") for r in frame.itertuples()}
    kpis = [k for k in names if any((j, k) in cells for j in jobs)]
    if not kpis:
        return ""
    rows = [["KPI", *jobs, "unit"]]
    rows += [[k, *(cells.get((j, k), "–") for j in jobs), short_unit(k)] for k in kpis]
    return title + "\n" + columns(rows, [False] + [True] * len(jobs))
