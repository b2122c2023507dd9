"""One replication: build the model, run it, and reduce its logs to KPIs and daily series."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd
import simpy

from sim.config.schema import PRIMARY_KINDS
from sim.domain.clock import DAY
from sim.domain.staffing import DENSITIES
from sim.metrics import kpis
from sim.metrics.measures import Measures
from sim.metrics.log import Log
from sim.metrics.parts import Quantile, merge
from sim.metrics.quantile import percentiles
from sim.model.access import health_circle
from sim.model.group import MedicalGroup
from sim.model.population import signed_residents
from sim.runner.events import EVENTS_DIR, EventWriter

SCRATCH_DIR = ".scratch"      # in a run directory: its replications' spilled logs while they run
ONE_PIECE_DAYS = 366          # a longer measured period is reduced by calendar year and merged


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
    log = Log(scratch, episodes=bool(cfg.run.events) and out_dir is not None,
              compiled=cfg.run.engine == "fast")
    writer = None
    try:
        model = MedicalGroup(cfg, seed_seq, log, env)
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
    read from its log one period at a time: a measured period longer than ``ONE_PIECE_DAYS`` is
    reduced year by year and the whole-run KPIs merged from the years' parts, so memory does
    not grow with the horizon."""
    return kpi_values(model), timeseries(model, rep)


def kpi_values(model: MedicalGroup) -> dict[str, float]:
    """Every KPI over the measured period, and per calendar year when it spans several."""
    release = model.log.release
    years = {y: kpis.parts(measures(model, first, last), release)
             for y, (first, last) in calendar_years(model.clock).items()}
    clock = model.clock
    if years and clock.days - clock.warmup_days > ONE_PIECE_DAYS:
        values = merge(list(years.values()), lambda q: whole_run_quantiles(model, q))
    else:
        values = kpis.compute(measures(model), release)
    for year, parts in years.items():
        values.update({f"{k}@{year}": p.value for k, p in parts.items()
                       if k not in kpis.WHOLE_RUN})
    return values


def whole_run_quantiles(model: MedicalGroup, quantiles: dict[str, Quantile]) -> dict[str, float]:
    """Each quantile KPI over the measured period, read from the visit log block by block
    (exact; one pass per batch of quantiles on disjoint services, plus a few)."""
    t0, t1 = model.clock.warmup_days * DAY, model.clock.days * DAY
    out: dict[str, float] = {}
    batches: list[dict[str, Quantile]] = []
    for name, q in quantiles.items():
        batch = next((b for b in batches if _joins(b, q)), None)
        if batch is None:
            batches.append(batch := {})
        batch[name] = q
    for batch in batches:
        first = next(iter(batch.values()))
        group = np.full(len(model.network.services), -1, dtype=np.int64)
        for g, q in enumerate(batch.values()):
            group[q.services] = g

        def blocks():
            for b in model.log.blocks(("v_t", "v_service", f"v_{first.column}")):
                inside = (b["v_t"] >= t0) & (b["v_t"] < t1)
                yield np.where(inside, group[b["v_service"]], -1), b[f"v_{first.column}"]
        out.update(zip(batch, percentiles(blocks, len(batch), first.q)))
    return out


def _joins(batch: dict[str, Quantile], q: Quantile) -> bool:
    """Whether ``q`` can be computed in the same passes as ``batch``: same column and q, and
    services that none of the batch's quantiles covers."""
    return all(b.column == q.column and b.q == q.q and not (b.services & q.services).any()
               for b in batch.values())


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


def measures(model: MedicalGroup, first_day: int | None = None,
             last_day: int | None = None) -> Measures:
    """The replication's logs restricted to days [first_day, last_day) (default: the measured
    period), with denominators."""
    clock = model.clock
    whole = first_day is None
    first_day = clock.warmup_days if first_day is None else first_day
    last_day = clock.days if last_day is None else last_day
    visits, steps = model.log.period(first_day * DAY, last_day * DAY)
    cum = model.daily
    before = cum[first_day - 1] if first_day else np.zeros(cum.shape[1:])
    types = list(model.types.values())
    residents = sum(c.residents for c in model.cohorts)
    return Measures(
        visits={k[2:]: v for k, v in visits.items()},
        steps={k[2:]: v for k, v in steps.items()},
        services=_services(model),
        areas=cum[last_day - 1] - before,
        residents=residents,
        signed=signed_residents(model.cohorts),
        scale=model.cfg.population.scale,
        years=(last_day - first_day) / 365.0,
        primary_resolvable=np.array([t.primary_resolvable for t in types], dtype=bool),
        care_type=np.array([t.pathway == "care" for t in types], dtype=bool),
        emergency_type=np.array([t.pathway == "emergency" for t in types], dtype=bool),
        counts={"arrived": model.arrived, "completed": model.completed,
                "in_system_at_end": model.in_system_at_end, "left_unserved": model.left},
        facility_kind=[f.kind for f in model.network.facilities.values()],
        cohort_signed=np.array([c.signed for c in model.cohorts], dtype=bool),
        model=model_figures(model, first_day, last_day,
                            None if whole else clock.date(first_day).year),
        payment=payment(model),
    )


def density(model: MedicalGroup, last_day: int) -> dict[str, float]:
    """Beds per 1,000 and GPs per 10,000 residents, as staffed on the period's last day."""
    residents = sum(c.residents for c in model.cohorts)
    staffed = [(svc.name, model.network.day_plans(svc)[last_day - 1][0])
               for svc in model.network.services
               if svc.facility.kind != "external" and svc.base_servers is not None]
    return {kpi: sum(n for name, n in staffed if name in names) / residents * per
            for kpi, (names, per) in DENSITIES.items()}


def physicians(model: MedicalGroup, last_day: int) -> dict[str, float]:
    """Physicians (headcount × population.scale) of the group's primary facilities and
    hospitals open by the period's last day; NaN for a level where one lacks a headcount."""
    out = {"primary": 0.0, "hospital": 0.0}
    scale = model.cfg.population.scale
    for fid, f in model.cfg.network.facilities.items():
        level = "primary" if f.kind in PRIMARY_KINDS else "hospital" if f.kind == "hospital" \
            else None
        if level is None or model.network.facilities[fid].opens_at >= last_day * DAY:
            continue
        out[level] += np.nan if f.physicians is None else f.physicians * scale
    return out


def model_figures(model: MedicalGroup, first_day: int, last_day: int,
                  year: int | None) -> dict[str, Any]:
    """Figures only the model holds: slots offered in the period, management counts of
    scheduled people (per calendar year, or over the measured years), staffed densities and the
    health circle's coverage on the period's last day."""
    out: dict[str, Any] = density(model, last_day)
    out["physicians"] = physicians(model, last_day)
    out["health_circle_15min"] = health_circle(model, last_day)
    out["slots_offered"] = sum(b.offered(first_day, last_day) for b in model.books.values())
    bases = {e.base: name for name, e in reversed(list(model.cfg.demand.episodes.items()))
             if e.schedule}
    if "chronic" in bases:
        out["chronic_management"] = model.schedules.managed_counts(
            model.types[bases["chronic"]].idx, model.cohorts, signed_only=True, year=year)
    if "elderly" in bases:
        out["elderly_management"] = model.schedules.managed_counts(
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
    cum = model.daily
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
