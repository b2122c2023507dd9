"""Compare the jobs of one or more sweeps: tables, figures and the sweep report.

Writes ``sweep_summary.csv`` (one row per job and KPI), ``paired_differences.csv`` (each job
minus the baseline, paired by replication), ``verdicts.csv`` (targets × jobs), the comparison
figures and ``report.md`` / ``report.html``."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.analysis import figures
from sim.analysis.format import interval
from sim.analysis.labels import kpi_label, override_label, text
from sim.analysis.report import HEADLINE, Block, figures_of, how_to_read, write_report
from sim.analysis.scale import warning as scale_warning
from sim.analysis.sweep import (COMPLETE, FAILED, Job, common_overrides, design_points,
                                find_jobs, paired_differences, select_baseline, sweep_table,
                                verdicts)
from sim.runner.outputs import atomic_path


@dataclass
class Comparison:
    """What ``compare`` found and wrote."""
    jobs: list[Job]
    table: pd.DataFrame
    diffs: pd.DataFrame
    baseline: Job | None
    files: list[Path] = field(default_factory=list)
    kpis: list[str] = field(default_factory=list)        # the KPIs of figures and report

    @property
    def complete(self) -> int:
        return sum(j.status == COMPLETE for j in self.jobs)

    @property
    def failed(self) -> int:
        return sum(j.status == FAILED for j in self.jobs)


def default_kpis(jobs: list[Job]) -> list[str]:
    """The headline KPIs and every KPI a target of these runs names (as measured)."""
    names = list(HEADLINE)
    for job in jobs:
        if job.status == COMPLETE:
            card = job.scorecard()
            names += [k for k in card.get("kpi", []) if k not in names]
    return names


def compare(roots: list[Path], out_dir: Path, baseline: str = "", kpis: list[str] = (),
            lang: str = "en", figures: bool = True) -> Comparison:
    """Read the jobs under ``roots``, write tables, figures (unless ``figures`` is False: a
    sweep with ``compare.figures=false``) and report into ``out_dir``."""
    jobs = find_jobs(roots)
    if not jobs:
        raise FileNotFoundError(f"no run folders under {', '.join(map(str, roots))}")
    out_dir = Path(out_dir)
    table = sweep_table(jobs)
    done = [j for j in jobs if j.status == COMPLETE]
    base = select_baseline(jobs, baseline) if done else None
    diffs = paired_differences(jobs, base) if base else pd.DataFrame()
    result = Comparison(jobs, table, diffs, base)
    result.files += _csv(table, out_dir / "sweep_summary.csv")
    if base is not None:
        result.files += _csv(diffs, out_dir / "paired_differences.csv")
        marks = verdicts(jobs, base)
        if len(marks):
            result.files += _csv(marks.reset_index(names="target"), out_dir / "verdicts.csv")
        measured = set(table.kpi[table["mean"].notna()])
        names = [k for k in (list(kpis) or default_kpis(jobs)) if k in measured]
        result.kpis = names
        if figures:
            result.files += _figures(result, names, out_dir, lang)
        result.files += write_report(_blocks(result, names, out_dir, lang), out_dir, lang)
    return result


def _csv(frame: pd.DataFrame, path: Path) -> list[Path]:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)
    return [path]


def _figures(result: Comparison, names: list[str], out_dir: Path, lang: str) -> list[Path]:
    def named(frame: pd.DataFrame) -> pd.DataFrame:     # jobs by their names in ``lang``
        return frame.assign(scenario=[override_label(j, lang) for j in frame.job])
    done = named(result.table[result.table.status == COMPLETE])
    files = figures.save(figures.comparison_figure(done, names, lang), out_dir, "comparison")
    if len(result.diffs):
        files += figures.save(figures.paired_figure(named(result.diffs), names,
                                                override_label(result.baseline.name, lang),
                                                lang), out_dir, "paired")
    points, params = design_points(result.jobs, names)
    if params and len(points) >= 3:
        files += figures.save(figures.response_figure(points, params, names, lang), out_dir,
                            "response")
    return files


def _blocks(result: Comparison, names: list[str], out_dir: Path, lang: str) -> list[Block]:
    base = result.baseline
    blocks = [Block("title", text("Sweep report: {name}", lang, name=out_dir.name)),
              Block("heading", text("What was run", lang)),
              Block("paragraph", text("Settings common to all jobs", lang) + ": python -m sim -m "
                    + " ".join(common_overrides(result.jobs))),
              Block("table", _jobs_table(result.jobs, lang))]
    caveat = scale_warning(base.config, lang=lang)
    blocks += [Block("paragraph", f"**{caveat}**")] if caveat else []
    blocks += how_to_read(lang)
    blocks += [Block("heading", text("Scenario comparison", lang)),
              Block("table", _wide(result.table, names, lang))]
    if len(result.diffs):
        blocks += [Block("heading", text("Paired differences against {baseline}", lang,
                                         baseline=override_label(base.name, lang))),
                   Block("paragraph", text("paired intro", lang)),
                   Block("table", _wide(result.diffs, names, lang, sign=True))]
    marks = verdicts(result.jobs, base)
    if len(marks):
        marks = marks.map(lambda v: text(v, lang) if isinstance(v, str) else "–")
        marks.columns = [override_label(c, lang) for c in marks.columns]
        blocks += [Block("heading", text("Targets reached per scenario", lang)),
                   Block("table", marks.reset_index(names=text("target", lang)))]
    blocks += figures_of(out_dir, lang)
    failed = [j for j in result.jobs if j.status == FAILED]
    if failed:
        blocks += [Block("heading", text("Failed jobs", lang)),
                   Block("table", pd.DataFrame([(j.name, j.error) for j in failed],
                                               columns=[text("job", lang),
                                                        text("error", lang)]))]
    return blocks


def _jobs_table(jobs: list[Job], lang: str) -> pd.DataFrame:
    return pd.DataFrame([(override_label(j.name, lang), text(j.status, lang), j.path.name)
                         for j in jobs],
                        columns=[text("job", lang), text("status", lang), text("folder", lang)])


def _wide(frame: pd.DataFrame, names: list[str], lang: str, sign: bool = False) -> pd.DataFrame:
    """KPIs as rows, jobs as columns, cells ``mean [CI]`` (with + signs if ``sign``)."""
    frame = frame[frame.kpi.isin(names)]
    cells = frame.assign(cell=[interval(m, lo, hi, sign) for m, lo, hi in
                               zip(frame["mean"], frame.ci_low, frame.ci_high)])
    wide = cells.pivot(index="kpi", columns="job", values="cell")
    wide = wide.reindex([k for k in names if k in wide.index])
    wide = wide[[j for j in dict.fromkeys(frame.job) if j in wide.columns]]
    wide.index = [kpi_label(k, lang) for k in wide.index]
    wide.columns = [override_label(c, lang) for c in wide.columns]
    return wide.reset_index(names=text("KPI", lang))
