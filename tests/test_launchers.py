"""The optional Hydra launchers run a 2-job sweep to complete job directories: Ray on this machine
(pip extra ``ray``) and submitit's local executor (pip extra ``slurm``). Skipped where the extra is
not installed (the CI installs only ``.[test]``)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

ROOT = Path(__file__).resolve().parent.parent
SWEEP = ["population.scale=0.02", "run=quick", "run.replications=2", "run.workers=1",
         "run.progress=false", "run.figures=false", "policy=baseline,gatekeeping"]
LAUNCHERS = {
    # a local Ray instance: no dashboard server, at most the machine's 2 cores
    "ray": ("hydra_plugins.hydra_ray_launcher",
            ["+hydra.launcher.ray.init.include_dashboard=false",
             "+hydra.launcher.ray.init.num_cpus=2"]),
    # submitit's local executor: each job a subprocess, as a Slurm job would be
    "submitit_local": ("hydra_plugins.hydra_submitit_launcher", []),
}


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_launcher_runs_a_two_job_sweep(launcher, tmp_path):
    plugin, settings = LAUNCHERS[launcher]
    pytest.importorskip(plugin, reason=f"hydra/launcher={launcher} is not installed")
    cmd = [sys.executable, "-m", "sim", "-m", *SWEEP, f"hydra/launcher={launcher}", *settings,
           f"sweep_name={launcher}_check", f"results_dir={tmp_path}"]
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}   # no token written to ~/.ray for a test
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    summaries = sorted(tmp_path.rglob("summary.json"))
    assert len(summaries) == 2, done.stdout[-2000:]
    policies = set()
    for path in summaries:
        summary = json.loads(path.read_text())
        assert summary["arrived"]["mean"] > 0, path
        assert (path.parent / "kpis.csv").exists()
        policies.add(OmegaConf.load(path.parent / "config.resolved.yaml").policy.name)
    assert policies == {"baseline", "gatekeeping"}
