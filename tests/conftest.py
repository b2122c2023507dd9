"""Shared fixtures: a small, fast version of the default preset."""
from __future__ import annotations

import pytest

# 2% of Dongli for two simulated weeks after a 3-day warm-up: every pathway runs, in about a second
SMALL = ["population.scale=0.02", "run.warmup_days=3", "run.horizon_days=14",
         "run.replications=2", "run.workers=1", "run.progress=false", "run.figures=false",
         "scenario.compare=false"]


@pytest.fixture
def small() -> list[str]:
    return list(SMALL)
