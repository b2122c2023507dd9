"""What a KPI is computed from: one replication's logs restricted to a period, and its
denominators (``Measures``), built by the runner and read by every KPI function."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.metrics.parts import Part, rate


@dataclass
class Measures:
    """Columns of one replication restricted to the measured period, plus its denominators."""
    visits: dict           # service, etype, lane, referred, cohort, t, wait (numpy)
    steps: dict            # step, etype, facility, t, value (numpy)
    services: list         # per service index: (facility id, facility kind, service name, tier)
    areas: np.ndarray      # per service: busy, capacity, queue integrals over the window
    residents: float
    signed: float          # signed residents, as modelled
    scale: float           # population.scale: modelled residents per resident of the district
    years: float
    primary_resolvable: np.ndarray   # bool by episode type index
    care_type: np.ndarray            # bool by episode type index: non-emergency care pathway
    emergency_type: np.ndarray       # bool by episode type index: emergency pathway
    counts: dict           # arrived, completed, in_system_at_end, left_unserved (whole run)
    facility_kind: list    # per facility index (the step log's facility column)
    cohort_signed: np.ndarray        # bool by cohort index
    model: dict            # figures only the model knows: slots offered, management counts
    payment: dict          # costs, reimbursement, scheme, capitation budget, surcharge

    def service_mask(self, kinds: tuple, names: tuple) -> np.ndarray:
        """Boolean per service index: facility kind in ``kinds`` and service in ``names``."""
        return np.array([k in kinds and s in names for _, k, s, _ in self.services], dtype=bool)

    def visits_at(self, kinds: tuple, names: tuple) -> np.ndarray:
        return self.service_mask(kinds, names)[self.visits["service"]]

    def n_steps(self, step: int) -> int:
        return int(np.count_nonzero(self.steps["step"] == step))

    def per_10k_year(self, n: float) -> Part:
        return rate(n / self.residents * 1e4, self.years)

    def step_values(self, *steps: int, kinds: tuple | None = None) -> np.ndarray:
        """Values of the given steps, optionally only at facilities of ``kinds``."""
        mask = np.isin(self.steps["step"], steps)
        if kinds is not None:
            at = np.array([k in kinds for k in self.facility_kind], dtype=bool)
            mask &= at[self.steps["facility"]]
        return self.steps["value"][mask]
