"""The status quo's mechanisms: calendar seasonality, repeat prescriptions, informal onward
referral, hospital return visits, and servers from physicians in session."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from omegaconf import OmegaConf

from sim.api import compose_config, simulate
from sim.config import ConfigError, validate
from sim.config.design import derive
from sim.domain.clock import Clock
from sim.domain.steps import ONWARD, UP_REFERRAL
from sim.engine.streams import replication_seeds
from sim.model.demand import calendar_factors
from sim.metrics.log import Log
from sim.model.group import MedicalGroup


def _calendar(monthly=None, holidays=()):
    return OmegaConf.create({"monthly": monthly or [1.0] * 12, "holidays": list(holidays)})


def test_calendar_factors_keep_each_year_at_mean_one_and_dip_on_holidays():
    clock = Clock("2025-01-01", 30, 730)
    spring = {"start": "2025-01-28", "end": "2025-02-04", "factor": 0.45}
    f = calendar_factors(_calendar([1.2, 1.2] + [1.0] * 9 + [1.1], [spring]), clock)
    dates = [clock.date(d) for d in range(clock.days)]
    in_2025 = np.array([d.year == 2025 for d in dates])
    assert f[in_2025].mean() == pytest.approx(1.0)          # 2025 is measured whole
    holiday = np.array([dt.date(2025, 1, 28) <= d <= dt.date(2025, 2, 4) for d in dates])
    january = np.array([d.month == 1 and d.year == 2025 and not h for d, h in zip(dates, holiday)])
    june = np.array([d.month == 6 and d.year == 2025 for d in dates])
    np.testing.assert_allclose(f[holiday], 0.45 * f[january].mean())
    assert f[january].mean() == pytest.approx(1.2 * f[june].mean())


def test_flat_calendar_leaves_every_day_at_one():
    assert (calendar_factors(_calendar(), Clock("2025-03-01", 10, 400)) == 1.0).all()


def test_calendar_is_validated():
    cfg, sources = compose_config(["demand.calendar.monthly=[1,1,1]"])
    with pytest.raises(ConfigError, match="demand.calendar.monthly"):
        validate(cfg, sources)
    cfg, sources = compose_config(
        ["demand.calendar.holidays=[{start: '2025-02-04', end: '2025-01-28', factor: 0.5}]"])
    with pytest.raises(ConfigError, match=r"holidays\[0\].end"):
        validate(cfg, sources)


@pytest.mark.slow
def test_daily_volumes_dip_at_the_spring_festival(small):
    days = ["run.start_date=2025-01-14", "run.horizon_days=28", "population.scale=0.05"]
    r = simulate(small + days)
    ts = r.timeseries
    v = ts[(ts.metric == "visits") & ts.service.isin(["gp", "outpatient"])]
    daily = v.groupby("date")["value"].sum()
    holiday = daily[(daily.index >= "2025-01-28") & (daily.index <= "2025-02-04")].mean()
    before = daily[daily.index < "2025-01-28"].mean()
    assert holiday < 0.6 * before


@pytest.mark.slow
def test_refills_are_visits_but_not_first_contacts(small):
    """Repeat prescriptions raise visits; 基层首诊 counts care episodes only."""
    base = simulate(small)
    none = simulate(small + ["demand.episodes.refill.rate={adult: 0, elderly: 0}"])
    b, n = base.summary["mean"], none.summary["mean"]
    assert b["visits_per_resident_year"] > n["visits_per_resident_year"] + 1.0
    assert b["primary_first_contact"] == pytest.approx(n["primary_first_contact"], abs=0.02)


@pytest.mark.slow
def test_refills_follow_their_own_bypass(small):
    """policy.bypass.refill moves prescriptions between the hospital and the community."""
    at_hospital = simulate(small + ["policy.bypass.refill=0.95"]).summary["mean"]
    at_primary = simulate(small + ["policy.bypass.refill=0.05"]).summary["mean"]
    assert at_hospital["hospital_visit_share"] > at_primary["hospital_visit_share"] + 0.1


def _steps(overrides: list[str]) -> np.ndarray:
    cfg, _ = compose_config(overrides)
    m = MedicalGroup(derive(cfg), replication_seeds(1, 1)[0], Log()).run()
    _, steps = m.log.period(0, m.clock.end)
    return steps["s_step"]


@pytest.mark.slow
def test_formal_referral_splits_who_is_sent_on(small):
    """Patients sent on go with a referral (上转) at the policy's share, else on their own."""
    everyone = _steps(small + ["policy.formal_referral=1.0"])
    nobody = _steps(small + ["policy.formal_referral=0.0"])
    assert (everyone == ONWARD).sum() == 0 and (everyone == UP_REFERRAL).sum() > 50
    assert (nobody == UP_REFERRAL).sum() == 0 and (nobody == ONWARD).sum() > 50
    half = _steps(small + ["policy.formal_referral=0.5"])
    share = (half == UP_REFERRAL).sum() / ((half == UP_REFERRAL).sum() + (half == ONWARD).sum())
    assert 0.4 < share < 0.6


@pytest.mark.slow
def test_return_visits_add_hospital_visits(small):
    off = ["demand.episodes.minor.p_return=0", "demand.episodes.chronic.p_return=0",
           "demand.episodes.complex.p_return=0"]
    with_returns = simulate(small).summary["mean"]
    without = simulate(small + off).summary["mean"]
    assert with_returns["hospital_visit_share"] > without["hospital_visit_share"] + 0.02
    # the same episodes (up to follow-ups of discharges whose timing moves), more visits
    assert with_returns["arrived"] == pytest.approx(without["arrived"], rel=0.01)


def test_servers_come_from_physicians_in_session():
    cfg, sources = compose_config([])
    out = derive(cfg, sources)
    hosp = cfg.network.facilities.dongli_hospital
    served = out.network.facilities.dongli_hospital.services.outpatient.servers
    assert served == round(hosp.physicians * hosp.services.outpatient.in_session)
    assert cfg.network.facilities.dongli_hospital.services.outpatient.servers is None   # a copy


@pytest.mark.parametrize("override, key", [
    ("network.facilities.dongli_hospital.physicians=null",
     "network.facilities.dongli_hospital.physicians"),
    ("network.facilities.dongli_hospital.services.outpatient.servers=5",
     "network.facilities.dongli_hospital.services.outpatient.servers"),
    ("network.facilities.dongli_hospital.services.outpatient.in_session=1.5",
     "network.facilities.dongli_hospital.services.outpatient.in_session"),
])
def test_sessions_are_validated(override, key):
    cfg, sources = compose_config([override])
    with pytest.raises(ConfigError) as info:
        validate(cfg, sources)
    assert info.value.key == key and "\n" not in str(info.value)


@pytest.mark.slow
def test_visits_per_physician_day_counts_headcounts(small):
    r = simulate(small)
    cfg = r.config
    fac = cfg.network.facilities
    scale = cfg.population.scale
    primary = sum(f.physicians for f in fac.values() if f.kind in ("centre", "station")) * scale
    k = r.kpis.pivot(index="replication", columns="kpi", values="value")
    years = cfg.run.horizon_days / 365.0
    visits = k["visits_per_resident_year"] * (1 - k["hospital_visit_share"]) \
        * sum(c.residents for c in cfg.population.catchments.values()) * scale * years
    expected = visits / (primary * 251 * years)
    np.testing.assert_allclose(k["visits_per_physician_day_primary"], expected, rtol=1e-9)
