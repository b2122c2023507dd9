"""One replication: build the model, run it, and reduce its logs to KPIs and daily series."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd
import simpy

from sim.metrics import kpis
from sim.metrics.log import Log
from sim.model.access import health_circle
from sim.model.clock import DAY
from sim.model.group import MedicalGroup
from sim.model.population import signed_residents
from sim.runner.events import EVENTS_DIR, EventWriter

SCRATCH_DIR = ".scratch"      # in a run directory: its replications' spilled logs while they run


def run_replication(cfg: Any, rep: int, seed_seq: np.random.SeedSequence,
                    on_day: Callable[[int], None] | None = None,
                    out_dir: str | Path | None = None) -> tuple[dict[str, float], pd.DataFrame]:
    """KPIs ``{name: value}`` and the tidy daily time series of replication ``rep``; with
    ``run.events`` and ``out_dir``, also its rows as ``events.parquet/part-<rep>.parquet``."""
    with replication(cfg, rep, seed_seq, out_dir) as model:
        return reduce_model(model.run(on_day), rep)


@contextmanager
def replication(cfg: Any, rep: int, seed_seq: np.random.SeedSequence,
                out_dir: str | Path | None = None,
                env: simpy.Environment | None = None) -> Iterator[MedicalGroup]:
    """Replication ``rep``'s model, its log spilling to ``out_dir/.scratch/`` (the system temp
    dir without ``out_dir``) and streaming to the event log when ``run.events`` and ``out_dir``.
    On leaving, the event part is committed if the block succeeded (deleted if not) and the
    log's scratch files are removed either way."""
    scratch = None
    if out_dir is not None:
        scratch = Path(out_dir) / SCRATCH_DIR
        scratch.mkdir(parents=True, exist_ok=True)
    log = Log(scratch, episodes=bool(cfg.run.events) and out_dir is not None)
    writer = None
    try:
        model = MedicalGroup(cfg, seed_seq, env, log=log)
        if log.episodes:
            writer = EventWriter(Path(out_dir) / EVENTS_DIR, rep, model)
            log.sink = writer.write
        yield model
        if writer is not None:
            writer.commit()
    finally:
        if writer is not None:
            writer.abort()
        log.close()
        if scratch is not None:
            _remove_if_empty(scratch)


def _remove_if_empty(directory: Path) -> None:
    """Remove ``directory`` unless another replication's scratch is still in it."""
    try:
        directory.rmdir()
    except OSError:
        pass


def reduce_model(model: MedicalGroup, rep: int) -> tuple[dict[str, float], pd.DataFrame]:
    """A finished replication's KPIs (overall and per calendar year) and daily time series,
    read from its log one period at a time."""
    release = model.log.release
    values = kpis.compute(measures(model), release)
    for year, (first, last) in calendar_years(model.clock).items():
        values.update({f"{k}@{year}": v
                       for k, v in kpis.compute(measures(model, first, last), release).items()
                       if k not in kpis.WHOLE_RUN})
    return values, timeseries(model, rep)


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


def measures(model: MedicalGroup, first_day: int | None = None,
             last_day: int | None = None) -> kpis.Measures:
    """The replication's logs restricted to days [first_day, last_day) (default: the measured
    period), with denominators."""
    clock = model.clock
    whole = first_day is None
    first_day = clock.warmup_days if first_day is None else first_day
    last_day = clock.days if last_day is None else last_day
    visits, steps = model.log.period(first_day * DAY, last_day * DAY)
    cum = _daily_areas(model)
    before = cum[first_day - 1] if first_day else np.zeros(cum.shape[1:])
    types = list(model.types.values())
    residents = sum(c.residents for c in model.cohorts)
    return kpis.Measures(
        visits={k[2:]: v for k, v in visits.items()},
        steps={k[2:]: v for k, v in steps.items()},
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
    scheduled people (per calendar year), staffed densities, the health circle's coverage."""
    clock = model.clock
    out: dict[str, float] = density(model, last_day)
    out["health_circle_15min"] = health_circle(model, last_day)
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


def _daily_visits(log: Log, days: int, n_svc: int) -> tuple[np.ndarray, np.ndarray]:
    """Visits and summed waits per (day requested, service), block by block: ``np.add.at``
    adds each row's wait in log order, exactly as one ``np.bincount`` over every row would."""
    visits = np.zeros(days * n_svc, dtype=np.int64)
    wait_sum = np.zeros(days * n_svc)
    for block in log.blocks(("v_t", "v_service", "v_wait")):
        flat = (block["v_t"] // DAY).astype(np.int64) * n_svc + block["v_service"]
        visits += np.bincount(flat, minlength=days * n_svc)
        np.add.at(wait_sum, flat, block["v_wait"])
    return visits.reshape(days, n_svc), wait_sum.reshape(days, n_svc)


def timeseries(model: MedicalGroup, rep: int) -> pd.DataFrame:
    """Daily visits, mean wait, busy servers, capacity, utilisation and queue per service."""
    clock = model.clock
    n_svc = len(model.network.services)
    days = clock.days
    visits, wait_sum = _daily_visits(model.log, days, n_svc)
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
