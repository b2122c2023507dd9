"""Scale honesty: reduced runs say their verdicts are approximate and name the KPIs the scale
study measured to move at their scale."""
from __future__ import annotations

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.analysis.scale import STUDY, reduced, sensitive_kpis, warning
from sim.api import compose_config


def _study(tmp_path):
    path = tmp_path / "study.csv"
    pd.DataFrame({"kpi": ["w", "w", "u", "u", "v", "v"],
                  "scale": [0.1, 0.2, 0.1, 0.2, 0.1, 0.2],
                  "sensitive": [True, False, True, True, False, False]}).to_csv(path, index=False)
    return path


def test_sensitive_kpis_read_the_nearest_studied_scale_at_or_above(tmp_path):
    study = _study(tmp_path)
    assert sensitive_kpis(0.1, study) == ["u", "w"]
    assert sensitive_kpis(0.02, study) == ["u", "w"]      # below the smallest studied: its list
    assert sensitive_kpis(0.15, study) == ["u"]           # between: the next larger scale's
    assert sensitive_kpis(0.5, study) == ["u"]
    assert sensitive_kpis(1.0, study) == []


def test_the_committed_study_flags_waits_but_not_the_calibration_shares():
    """docs/calibration.md: the shares and rates the calibration fits hold at 10%; queues move."""
    moved = sensitive_kpis(0.1, STUDY)
    assert "wait_mean_hospital_outpatient" in moved and "utilisation_station_gp" in moved
    for kpi in ("visits_per_resident_year", "hospital_visit_share", "primary_first_contact",
                "up_referrals_per_10k", "hospital_bed_occupancy", "chronic_management"):
        assert kpi not in moved, kpi


@pytest.mark.slow
def test_reduced_runs_are_warned_and_full_runs_are_not():
    full, _ = compose_config([])
    assert not reduced(full) and warning(full) is None
    small, _ = compose_config(["population.scale=0.1", "run.horizon_days=60"])
    text = warning(small)
    assert text.startswith("Reduced run (population.scale=0.1, 60 days")
    assert "wait_mean_hospital_outpatient" in text and "approximate" in text
    only = warning(small, kpis=["chronic_management"])
    assert "move with scale" not in only                   # none of the KPIs asked about moved
    short = OmegaConf.merge(full, {"run": {"horizon_days": 90}})
    assert "90 days" in warning(short) and "population.scale" not in warning(short)
