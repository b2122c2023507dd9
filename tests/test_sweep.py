"""Sweeps from the command line: joblib jobs, resume, failures recorded, a killed worker."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import SMALL

ROOT = Path(__file__).resolve().parent.parent
TINY = [a for a in SMALL if not a.startswith("run.workers")]
QUIET = TINY + ["compare.figures=false"]        # a sweep whose own figures are not under test


def sim(*args: str, wait: bool = True, **kw):
    cmd = [sys.executable, "-m", "sim", *args]
    if not wait:
        return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, **kw)
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def jobs_of(sweep: Path, key: str = "policy") -> dict[str, Path]:
    """Job folders by their value of the swept ``key`` (folder names list every override)."""
    return {o: p for p in sweep.iterdir() if (p / ".hydra").is_dir()
            for o in p.name.split(",") if o.startswith(key + "=")}


@pytest.mark.slow
def test_sweep_runs_in_parallel_resumes_and_aggregates(tmp_path):
    args = ["-m", f"results_dir={tmp_path}", "sweep_name=s", *TINY,
            "policy=baseline,gatekeeping"]
    first = sim(*args)
    assert first.returncode == 0, first.stdout + first.stderr
    sweep = tmp_path / "sweeps" / "s"
    assert "JoblibLauncher" in (sweep / "multirun.yaml").read_text()
    jobs = jobs_of(sweep)
    assert set(jobs) == {"policy=baseline", "policy=gatekeeping"}
    table = pd.read_csv(sweep / "sweep_summary.csv")
    assert set(table.job) == set(jobs) and set(table.status) == {"complete"}
    share = table[table.kpi == "primary_first_contact"].set_index("job")
    assert share.loc["policy=gatekeeping", "mean"] > share.loc["policy=baseline", "mean"]
    diffs = pd.read_csv(sweep / "paired_differences.csv")
    assert set(diffs.job) == {"policy=gatekeeping"} and diffs.paired.all()
    for name in ("figures/comparison.png", "figures/paired.png", "report.html", "report.md"):
        assert (sweep / name).stat().st_size > 0, name
    # the sweep talks: each job's table under its name, a progress line as each job ends, and
    # at the end each job's KPIs and its paired difference from the baseline
    out = first.stdout
    for job in jobs:
        heading = out.index(f"── {job} ──")
        assert out.index("KPI ", heading) < out.index(f"] {job}: complete in ", heading)
    assert re.search(r"^\[1/2 jobs, [\d.]+ s\] policy=\w+: complete in [\d.]+ s$", out, re.M)
    assert re.search(r"^\[2/2 jobs, ", out, re.M)
    summary = out.index("KPIs, mean [95% CI]")
    assert re.search(r"^primary_first_contact\s+\S+ \[.+\]\s+\S+ \[.+\]\s+share$",
                     out[summary:], re.M)
    assert "paired differences from policy=baseline" in out[summary:]
    done = {j: (p / "kpis.csv").stat().st_mtime_ns for j, p in jobs.items()}

    # again: the baseline is reused (compare.* changes no result), the job whose config
    # changed (its recorded fingerprint edited) is run anew
    manifest = jobs["policy=gatekeeping"] / "run.json"
    manifest.write_text(manifest.read_text().replace('"fingerprint": "', '"fingerprint": "x'))
    again = sim(*args, "compare.figures=false")
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("skipped, already complete") == 1
    assert re.search(r"^\[[12]/2 jobs, .*\] policy=baseline: reused$", again.stdout, re.M)
    assert (jobs["policy=baseline"] / "kpis.csv").stat().st_mtime_ns == done["policy=baseline"]
    assert "configuration changed" in again.stderr
    assert (jobs["policy=gatekeeping"] / "kpis.csv").stat().st_mtime_ns > done["policy=gatekeeping"]


@pytest.mark.slow
def test_fingerprint_changes_exactly_with_the_results():
    """A sweep reuses a job only if nothing that changes its results changed."""
    from omegaconf import OmegaConf

    from sim.api import compose_config
    from sim.cli import fingerprint
    base, _ = compose_config(TINY)
    before = fingerprint(base)
    for key, value, changes in [
            ("access.circle_minutes", 10, True), ("access.circle_speed_kmh", 5, True),
            ("policy.adherence", 0.7, True), ("run.figures", True, True),
            ("report.lang", "zh", False), ("run.workers", 2, False),
            ("run.progress", True, False), ("compare.baseline", "policy=baseline", False),
            ("compare.kpis", ["arrived"], False), ("sweep_name", "other", False),
            ("results_dir", "elsewhere", False), ("experiment", "dongli_policies", False)]:
        other = base.copy()
        OmegaConf.update(other, key, value)          # struct: the key must exist
        assert (fingerprint(other) != before) is changes, key


@pytest.mark.slow
def test_failed_job_is_recorded_and_others_finish(tmp_path):
    run = sim("-m", f"results_dir={tmp_path}", "sweep_name=f", *QUIET,
              "policy.gatekeeping.surcharge=5,-3")
    assert run.returncode == 1
    table = pd.read_csv(tmp_path / "sweeps" / "f" / "sweep_summary.csv")
    status = table.groupby("job")["status"].first()
    assert status["policy.gatekeeping.surcharge=5"] == "complete"
    assert status["policy.gatekeeping.surcharge=-3"] == "failed"
    error = table[table.status == "failed"].error.iloc[0]
    assert error.startswith("policy.gatekeeping.surcharge = -3.0: must be") and "\n" not in error


@pytest.mark.slow
def test_sweep_composition_error_is_one_line_before_any_job(tmp_path):
    run = sim("-m", f"results_dir={tmp_path}", "policy=baseline,gatekeeping,no_such_policy")
    assert run.returncode == 2
    assert run.stderr.startswith("error: ") and run.stderr.count("\n") == 1
    assert "no_such_policy" in run.stderr and "gatekeeping" in run.stderr
    assert not (tmp_path / "sweeps").exists()


@pytest.mark.slow
def test_output_outside_results_dir_is_refused(tmp_path):
    run = sim(f"results_dir={tmp_path / 'results'}", f"hydra.run.dir={tmp_path / 'elsewhere'}")
    assert run.returncode == 2 and "results_dir" in run.stderr
    assert not (tmp_path / "elsewhere").exists()


def _children(pid: int) -> list[int]:
    """Every descendant process of ``pid`` (from /proc)."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append(int(stat.parent.name))
                frontier.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
@pytest.mark.slow
def test_killed_workers_lose_nothing_and_the_sweep_completes_on_rerun(tmp_path):
    args = ["-m", f"results_dir={tmp_path}", "sweep_name=k", "hydra.launcher.n_jobs=2",
            *QUIET, "run.seed=1,2,3"]
    sweep = tmp_path / "sweeps" / "k"
    proc = sim(*args, wait=False)
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:   # a job done, the third running
        jobs = jobs_of(sweep, "run.seed") if sweep.exists() else {}
        if "run.seed=3" in jobs and (jobs["run.seed=3"] / "run.json").exists():
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the sweep ended before its third job started"
    workers = [p for p in _children(proc.pid)
               if "loky" in Path(f"/proc/{p}/cmdline").read_text(errors="ignore")]
    assert workers
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode != 0, out
    jobs = jobs_of(sweep, "run.seed")
    done = {j: (p / "kpis.csv").stat().st_mtime_ns for j, p in jobs.items()
            if (p / "summary.json").exists()}
    assert 1 <= len(done) < 3 and "run.seed=3" not in done
    for p in jobs.values():
        assert not list(p.glob(".*.tmp")), "a temporary file survived"

    rerun = sim(*args)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert rerun.stdout.count("skipped, already complete") == len(done)
    assert all((p / "summary.json").exists() for p in jobs.values())
    assert not any((p / ".scratch").exists() for p in jobs.values()), "a killed log survived"
    assert {j: (jobs[j] / "kpis.csv").stat().st_mtime_ns for j in done} == done
    table = pd.read_csv(sweep / "sweep_summary.csv")
    assert set(table.status) == {"complete"} and table.job.nunique() == 3
