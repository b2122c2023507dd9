"""KPI definitions: each one defined once here, computed per replication from its logs.

All KPIs cover the measured period only (the warm-up is excluded); rates per resident are per
modelled resident, so they do not depend on ``population.scale``. Service names are the model's
vocabulary: ``gp`` (primary consultation), ``outpatient``, ``emergency``, ``beds`` (hospital
inpatient), ``rehab_beds`` (community beds).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from sim.config.schema import PRIMARY_KINDS
from sim.metrics.log import BED_BLOCK, DOWN_REFERRAL, FIRST_HOSPITAL, FIRST_PRIMARY, UP_REFERRAL
from sim.model.clock import DAY

VISIT_SERVICES = ("gp", "outpatient", "emergency")

KPI_FUNCS: dict[str, Callable[["Measures"], dict[str, float]]] = {}


def kpi(fn: Callable[["Measures"], float | dict[str, float]]):
    """Register a KPI (its name is the function's) or a family returning ``{name: value}``."""
    KPI_FUNCS[fn.__name__] = fn
    return fn


@dataclass
class Measures:
    """Columns of one replication restricted to the measured period, plus its denominators."""
    visits: dict           # service, etype, lane, t, wait (numpy), requests in the window
    steps: dict            # step, etype, facility, t, value (numpy)
    services: list         # per service index: (facility id, facility kind, service name)
    areas: np.ndarray      # per service: busy, capacity, queue integrals over the window
    residents: float
    signed: float
    years: float
    primary_resolvable: np.ndarray   # bool by episode type index
    care_type: np.ndarray            # bool by episode type index: non-emergency care pathway
    counts: dict           # arrived, completed, in_system_at_end, left_unserved (whole run)

    def service_mask(self, kinds: tuple, names: tuple) -> np.ndarray:
        """Boolean per service index: facility kind in ``kinds`` and service in ``names``."""
        return np.array([k in kinds and s in names for _, k, s in self.services], dtype=bool)

    def visits_at(self, kinds: tuple, names: tuple) -> np.ndarray:
        return self.service_mask(kinds, names)[self.visits["service"]]

    def n_steps(self, step: int) -> int:
        return int(np.count_nonzero(self.steps["step"] == step))

    def per_10k_year(self, n: float) -> float:
        return n / self.residents * 1e4 / self.years


GROUP_HOSPITAL = ("hospital",)


@kpi
def primary_visit_share(m: Measures) -> float:
    """Primary-level consultations / all outpatient and emergency visits in the group (基层诊疗量占比)."""
    primary = np.count_nonzero(m.visits_at(PRIMARY_KINDS, VISIT_SERVICES))
    total = np.count_nonzero(m.visits_at(PRIMARY_KINDS + GROUP_HOSPITAL, VISIT_SERVICES))
    return primary / total if total else np.nan


@kpi
def primary_first_contact(m: Measures) -> float:
    """Share of non-emergency episodes whose first contact is a primary facility (基层首诊)."""
    care = m.care_type[m.steps["etype"]]
    first_p = np.count_nonzero(care & (m.steps["step"] == FIRST_PRIMARY))
    first_h = np.count_nonzero(care & (m.steps["step"] == FIRST_HOSPITAL))
    return first_p / (first_p + first_h) if first_p + first_h else np.nan


@kpi
def up_referrals_per_10k(m: Measures) -> float:
    """Up-referrals (上转) from primary care per 10,000 residents per year."""
    return m.per_10k_year(m.n_steps(UP_REFERRAL))


@kpi
def down_referrals_per_10k(m: Measures) -> float:
    """Down-referrals (下转) from hospital beds to community beds per 10,000 residents per year."""
    return m.per_10k_year(m.n_steps(DOWN_REFERRAL))


@kpi
def down_up_ratio(m: Measures) -> float:
    """Down-referrals per up-referral."""
    up = m.n_steps(UP_REFERRAL)
    return m.n_steps(DOWN_REFERRAL) / up if up else np.nan


@kpi
def bed_blocking_days(m: Measures) -> float:
    """Hospital bed-days per year spent waiting for a community bed (annualised)."""
    blocked = m.steps["value"][m.steps["step"] == BED_BLOCK].sum() / DAY
    return float(blocked) / m.years


def _occupancy(m: Measures, kinds: tuple, names: tuple) -> float:
    mask = m.service_mask(kinds, names)
    cap = m.areas[mask, 1].sum()
    return float(m.areas[mask, 0].sum() / cap) if cap > 0 else np.nan


@kpi
def hospital_bed_occupancy(m: Measures) -> float:
    """Occupied / available hospital bed-days in the group (病床使用率)."""
    return _occupancy(m, GROUP_HOSPITAL, ("beds",))


@kpi
def community_bed_occupancy(m: Measures) -> float:
    """Occupied / available community (rehabilitation) bed-days."""
    return _occupancy(m, PRIMARY_KINDS, ("rehab_beds",))


@kpi
def hospital_minor_share(m: Measures) -> float:
    """Share of group hospital outpatient visits by self-presenting patients primary care could resolve."""
    at_hosp = m.visits_at(GROUP_HOSPITAL, ("outpatient",))
    resolvable = m.primary_resolvable[m.visits["etype"]] & (m.visits["lane"] == 1)
    n = np.count_nonzero(at_hosp)
    return np.count_nonzero(at_hosp & resolvable) / n if n else np.nan


@kpi
def visits_per_resident_year(m: Measures) -> float:
    """Outpatient, emergency and primary visits (inside and outside the group) per resident-year."""
    n = np.count_nonzero(m.visits_at(PRIMARY_KINDS + GROUP_HOSPITAL + ("external",),
                                     VISIT_SERVICES))
    return n / m.residents / m.years


@kpi
def signed_residents(m: Measures) -> float:
    """Residents signed with a family-doctor team (签约居民), as modelled."""
    return m.signed


@kpi
def wait(m: Measures) -> dict[str, float]:
    """wait_mean_/wait_p90_{kind}_{service}: minutes from arrival at a service to its start."""
    out = {}
    kinds = [(k, s) for _, k, s in m.services]
    svc_kind = np.array([f"{k}_{s}" for k, s in kinds])
    for name in sorted(set(svc_kind)):
        w = m.visits["wait"][(svc_kind == name)[m.visits["service"]]]
        out[f"wait_mean_{name}"] = float(w.mean()) if w.size else np.nan
        out[f"wait_p90_{name}"] = float(np.percentile(w, 90)) if w.size else np.nan
    return out


@kpi
def utilisation(m: Measures) -> dict[str, float]:
    """utilisation_{kind}_{service}: busy / available server-time (staffed hours only)."""
    out = {}
    names = sorted({(k, s) for _, k, s in m.services})
    for kind, svc in names:
        value = _occupancy(m, (kind,), (svc,))
        if np.isfinite(value):
            out[f"utilisation_{kind}_{svc}"] = value
    return out


@kpi
def patients(m: Measures) -> dict[str, float]:
    """Patient accounting over the whole run: arrived, completed, in_system_at_end, left_unserved."""
    return dict(m.counts)


def compute(m: Measures) -> dict[str, float]:
    """Every registered KPI for one replication, by name."""
    out: dict[str, float] = {}
    for name, fn in KPI_FUNCS.items():
        value = fn(m)
        if isinstance(value, dict):
            out.update(value)
        else:
            out[name] = float(value)
    return out
