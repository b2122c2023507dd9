"""Referral flow KPIs: consistent with each other and with the episodes the model started."""
from __future__ import annotations

from collections import Counter

import pytest

from sim.api import compose_config
from sim.engine.streams import replication_seeds
from sim.metrics import kpis
from sim.metrics.log import Log
from sim.model.group import MedicalGroup
from sim.runner.replication import measures

# every lever on (ambulances, teleconsultation, remote diagnosis, home beds, slots with
# no-shows); no warm-up, so every stay that ends in the period also began in it
PLAN = ["policy=plan_2027", "run.warmup_days=0", "run.horizon_days=60",
        "population.scale=0.05", "run.progress=false", "run.figures=false"]


def _run() -> tuple[MedicalGroup, Counter, dict[str, float]]:
    cfg, _ = compose_config(PLAN)
    model = MedicalGroup(cfg, replication_seeds(3, 1)[0], Log())
    started: Counter = Counter()
    start = model.start

    def counting_start(kind, cohort, person=-1):
        started[kind.pathway] += 1
        start(kind, cohort, person)
    model.start = counting_start          # the feeder and follow-ups call model.start
    model.run()
    return model, started, kpis.compute(measures(model))


@pytest.mark.slow
def test_flows_are_consistent_with_the_episodes_started():
    model, started, k = _run()
    m = measures(model)
    count = {name: round(v * m.residents / 1e4 * m.years) for name, v in k.items()
             if name.startswith("flow_") or name.endswith("_per_10k")}
    # every care episode has exactly one first contact (all facilities are open)
    assert count["flow_first_primary"] + count["flow_first_hospital"] == started["care"] > 1000
    assert count["flow_refill"] == started["refill"] > 1000     # repeat prescriptions: either
    # patients sent on start at a primary consultation or a follow-up, formally or not
    assert 0 < count["flow_onward"] and 0 < count["up_referrals_per_10k"]
    # every emergency episode reaches an emergency department, some by ambulance
    assert count["flow_emergency"] == started["emergency"] > 0
    assert 0 < count["flow_ambulance"] <= count["flow_emergency"]
    # each stay ends in exactly one way; some are still in a bed at the end
    ends = count["down_referrals_per_10k"] + count["home_beds_per_10k"] + count["flow_discharge_home"]
    assert count["flow_admit"] >= ends > 0 and count["flow_admit"] - ends <= model.in_system_at_end
    assert count["down_referrals_per_10k"] > 0 and count["home_beds_per_10k"] > 0
    assert 0 < count["flow_admit_emergency"] < count["flow_admit"]
    # remote settling and up-referrals all start at a primary consultation or a follow-up
    remote = count["teleconsults_per_10k"] + count["remote_diagnoses_per_10k"]
    assert count["teleconsults_per_10k"] > 0 and count["remote_diagnoses_per_10k"] > 0
    after_primary = count["flow_first_primary"] + count["flow_followup"]
    assert count["up_referrals_per_10k"] + remote <= after_primary
    # follow-ups come only after discharges home
    assert 0 < count["flow_followup"] <= count["flow_discharge_home"]
    # referrals out of the group start at group hospitals' outpatients
    assert 0 < count["flow_refer_out"] <= count["flow_first_hospital"] + count["up_referrals_per_10k"]
    assert count["flow_left"] == model.left
