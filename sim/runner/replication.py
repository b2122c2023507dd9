"""One replication: build the model, run it, and reduce its logs to KPIs and daily series."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd

from sim.metrics import kpis
from sim.model.clock import DAY
from sim.model.group import MedicalGroup
from sim.model.population import signed_residents


def run_replication(cfg: Any, rep: int, seed_seq: np.random.SeedSequence,
                    on_day: Callable[[int], None] | None = None
                    ) -> tuple[dict[str, float], pd.DataFrame]:
    """KPIs ``{name: value}`` and the tidy daily time series of replication ``rep``."""
    return reduce_model(MedicalGroup(cfg, seed_seq).run(on_day), rep)


def reduce_model(model: MedicalGroup, rep: int) -> tuple[dict[str, float], pd.DataFrame]:
    """A finished replication's KPIs (overall and per calendar year) and daily time series."""
    log = model.log.arrays()
    values = kpis.compute(measures(model, log=log))
    for year, (first, last) in calendar_years(model.clock).items():
        values.update({f"{k}@{year}": v
                       for k, v in kpis.compute(measures(model, first, last, log)).items()
                       if k not in kpis.WHOLE_RUN})
    return values, timeseries(model, rep, log)


def calendar_years(clock) -> dict[int, tuple[int, int]]:
    """``{year: (first day, last day + 1)}`` of the measured period, when it spans several years."""
    days: dict[int, list[int]] = {}
    for d in range(clock.warmup_days, clock.days):
        days.setdefault(clock.date(d).year, []).append(d)
    if len(days) < 2:
        return {}
    return {y: (ds[0], ds[-1] + 1) for y, ds in days.items()}


def _services(model: MedicalGroup) -> list[tuple[str, str, str, str]]:
    return [(s.facility.id, s.facility.kind, s.name, s.facility.tier)
            for s in model.network.services]


def _daily_areas(model: MedicalGroup) -> np.ndarray:
    """Cumulative (busy, capacity, queue) integrals at each midnight: [day, service, 3]."""
    n = len(model.network.services)
    raw = np.array([row[2:5] for row in model.daily], dtype=float)
    return raw.reshape(model.clock.days, n, 3)


def measures(model: MedicalGroup, first_day: int | None = None, last_day: int | None = None,
             log: dict | None = None) -> kpis.Measures:
    """The replication's logs restricted to days [first_day, last_day) (default: the measured
    period), with denominators; ``log``: the log's arrays if already gathered."""
    clock = model.clock
    whole = first_day is None
    first_day = clock.warmup_days if first_day is None else first_day
    last_day = clock.days if last_day is None else last_day
    t0, t1 = first_day * DAY, last_day * DAY
    a = model.log.arrays() if log is None else log
    v_in = (a["v_t"] >= t0) & (a["v_t"] < t1)
    s_in = (a["s_t"] >= t0) & (a["s_t"] < t1)
    cum = _daily_areas(model)
    before = cum[first_day - 1] if first_day else np.zeros(cum.shape[1:])
    types = list(model.types.values())
    residents = sum(c.residents for c in model.cohorts)
    return kpis.Measures(
        visits={k[2:]: a[k][v_in] for k in ("v_service", "v_etype", "v_lane", "v_referred",
                                             "v_cohort", "v_t", "v_wait")},
        steps={k[2:]: a[k][s_in] for k in ("s_step", "s_etype", "s_facility", "s_t", "s_value")},
        services=_services(model),
        areas=cum[last_day - 1] - before,
        residents=residents,
        signed=signed_residents(model.cohorts),
        years=(last_day - first_day) / 365.0,
        primary_resolvable=np.array([t.primary_resolvable for t in types], dtype=bool),
        care_type=np.array([t.pathway == "care" for t in types], dtype=bool),
        counts={"arrived": model.arrived, "completed": model.completed,
                "in_system_at_end": model.in_system_at_end, "left_unserved": model.left},
        facility_kind=[f.kind for f in model.network.facilities.values()],
        cohort_signed=np.array([c.signed for c in model.cohorts], dtype=bool),
        model=model_figures(model, last_day, None if whole else clock.date(first_day).year),
        payment=payment(model),
    )


def density(model: MedicalGroup, last_day: int) -> dict[str, float]:
    """Beds per 1,000 and GPs per 10,000 residents, as staffed on the period's last day."""
    residents = sum(c.residents for c in model.cohorts)
    count = {"beds": 0, "gp": 0}
    for svc in model.network.services:
        kind = "beds" if svc.name in ("beds", "rehab_beds") else svc.name
        if kind in count and svc.facility.kind != "external" and svc.base_servers is not None:
            count[kind] += model.network.day_plans(svc)[last_day - 1][0]
    return {"beds_per_1000": count["beds"] / residents * 1e3,
            "gps_per_10k": count["gp"] / residents * 1e4}


def model_figures(model: MedicalGroup, last_day: int, year: int | None) -> dict[str, float]:
    """Figures only the model holds: slots offered (whole period only), management rates of
    scheduled people (per calendar year), staffed densities."""
    clock = model.clock
    out: dict[str, float] = density(model, last_day)
    if year is None:
        out["slots_offered"] = sum(b.offered(clock.warmup_days, clock.days)
                                   for b in model.books.values())
    bases = {e.base: name for name, e in reversed(list(model.cfg.demand.episodes.items()))
             if e.schedule}
    if "chronic" in bases:
        out["chronic_management"] = model.schedules.managed_share(
            model.types[bases["chronic"]].idx, model.cohorts, signed_only=True, year=year)
    if "elderly" in bases:
        out["elderly_management"] = model.schedules.managed_share(
            model.types[bases["elderly"]].idx, model.cohorts, signed_only=False, year=year)
    return out


def payment(model: MedicalGroup) -> dict:
    """The payment parameters the cost KPIs need."""
    pol = model.policy
    cap = model.cfg.policy.payment.capitation
    return {"costs": pol.costs, "reimbursement": pol.reimbursement, "surcharge": pol.surcharge,
            "scheme": model.cfg.policy.payment.scheme, "per_signed_year": cap.per_signed_year}


def timeseries(model: MedicalGroup, rep: int, log: dict | None = None) -> pd.DataFrame:
    """Daily visits, mean wait, busy servers, capacity, utilisation and queue per service."""
    clock = model.clock
    n_svc = len(model.network.services)
    days = clock.days
    a = model.log.arrays() if log is None else log
    day = (a["v_t"] // DAY).astype(np.int64)
    flat = day * n_svc + a["v_service"]
    visits = np.bincount(flat, minlength=days * n_svc).reshape(days, n_svc)
    wait_sum = np.bincount(flat, weights=a["v_wait"], minlength=days * n_svc).reshape(days, n_svc)
    cum = _daily_areas(model)
    per_day = np.diff(cum, axis=0, prepend=np.zeros((1, n_svc, 3)))
    with np.errstate(invalid="ignore", divide="ignore"):
        metrics = {
            "visits": visits.astype(float),
            "wait_mean": np.where(visits > 0, wait_sum / np.maximum(visits, 1), np.nan),
            "busy": per_day[:, :, 0] / DAY,
            "capacity": per_day[:, :, 1] / DAY,
            "utilisation": np.where(per_day[:, :, 1] > 0, per_day[:, :, 0] / per_day[:, :, 1],
                                    np.nan),
            "queue": per_day[:, :, 2] / DAY,
        }
    keep = slice(clock.warmup_days, days)
    services = _services(model)
    dates = pd.to_datetime([clock.date(d) for d in range(clock.warmup_days, days)])
    n_days = len(dates)
    frames = []
    for metric, values in metrics.items():
        block = values[keep]
        frames.append(pd.DataFrame({
            "replication": np.int32(rep),
            "date": np.repeat(dates, n_svc),
            "facility": np.tile([s[0] for s in services], n_days),
            "kind": np.tile([s[1] for s in services], n_days),
            "service": np.tile([s[2] for s in services], n_days),
            "metric": metric,
            "value": block.reshape(-1),
        }))
    return pd.concat(frames, ignore_index=True)
