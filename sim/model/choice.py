"""Patients who respond to waits: a logit choice of first facility for unsigned residents.

The log-odds of hospital j against primary care are
``logit(bypass) + hospital_asc + ln(share_j) − β_time·Δtravel − β_wait·Δwait − β_days·days
− β_cost·Δout-of-pocket``: with equal conditions the choice reproduces ``policy.bypass`` and the
hospital shares of ``hospital_choice``. Waits are the recently observed means (smoothed over
``memory_days``) and days to the first free slot, refreshed each midnight into a table per
(catchment, episode type), so the hot path only picks with one uniform.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from sim.model.network import distance, shares

if TYPE_CHECKING:
    from sim.model.network import Facility
    from sim.model.population import Catchment


def travel_minutes(c: "Catchment", f: "Facility", speed_kmh: float) -> float:
    if c.location is None or f.location is None:
        return 0.0
    return distance(c.location, f.location) * 60.0 / speed_kmh


class Choice:
    """Daily choice tables: P(hospital) and the cumulative hospital table, per catchment × type."""

    def __init__(self, cfg: Any, policy: Any, catchments: list, types: list, n_services: int):
        self.policy = policy
        # plain floats: ``refresh`` reads them per hospital and catchment every midnight
        self.beta_wait, self.beta_days = cfg.beta_wait, cfg.beta_days
        self.types = types
        self.wait = np.zeros(n_services)          # smoothed mean wait per service, minutes
        self.weight = 1.0 / max(cfg.memory_days, 1.0)
        self.tables: list[list] = []
        # static parts per catchment: [(share, first-service index)] of primary care, and per
        # hospital (facility, its first service index, ln share + asc − travel and cost gaps)
        self._static = []
        for c in catchments:
            prim = [(p, _first_service(f)) for f, p in shares(c.primary)]
            t_p = sum(p * travel_minutes(c, f, cfg.speed_kmh) for f, p in shares(c.primary))
            c_p = sum(p * policy.visit_oop(f, referred=False) for f, p in shares(c.primary))
            hosp = [(f, _first_service(f), math.log(p) + cfg.hospital_asc
                     - cfg.beta_time * (travel_minutes(c, f, cfg.speed_kmh) - t_p)
                     - cfg.beta_cost * (policy.visit_oop(f, referred=False) - c_p))
                    for f, p in shares(c.hospitals) if p > 0]
            self._static.append((prim, hosp))

    def observe(self, service: np.ndarray, wait: np.ndarray) -> None:
        """Fold one day's visits (service index, wait) into the remembered waits."""
        n = self.wait.size
        count = np.bincount(service, minlength=n)
        total = np.bincount(service, weights=wait, minlength=n)
        seen = count > 0
        self.wait[seen] += self.weight * (total[seen] / count[seen] - self.wait[seen])

    def refresh(self, now: float, days_to_slot: Callable[[Any, float], float]) -> None:
        """Recompute every table from today's remembered waits and slot delays."""
        beta_wait, beta_days = self.beta_wait, self.beta_days
        wait = self.wait.tolist()
        bypass = [self.policy.observed_bypass[t.idx] for t in self.types]
        self.tables = []
        for prim, hosp in self._static:
            w_p = sum(p * wait[i] for p, i in prim if i >= 0)
            v = [base - beta_wait * ((wait[i] if i >= 0 else 0.0) - w_p)
                 - beta_days * days_to_slot(f, now) for f, i, base in hosp]
            top = max(v)
            w = [math.exp(x - top) for x in v]
            total = sum(w)
            acc, table = 0.0, []
            for x, (f, _, _) in zip(w, hosp):
                acc += x / total
                table.append((acc, f))
            log_sum = top + math.log(total)
            rows = []
            for b in bypass:
                p = b if b <= 0.0 or b >= 1.0 else \
                    1.0 / (1.0 + math.exp(-(math.log(b / (1.0 - b)) + log_sum)))
                rows.append((p, table))
            self.tables.append(rows)


def _first_service(f: "Facility") -> int:
    """Index of the service a patient queues for first at ``f`` (-1 if none)."""
    svc = f.services.get("gp") or f.services.get("outpatient")
    return -1 if svc is None else svc.idx
