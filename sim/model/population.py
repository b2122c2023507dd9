"""Residents as cohorts (catchment × age band × signed), counts not objects."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.config.schema import AGE_BANDS
from sim.model.network import Facility, Network


@dataclass(eq=False, slots=True)
class Catchment:
    """Residents served by one centre: where they go first and which hospitals they pick."""
    id: str
    idx: int
    residents: float
    primary: list           # [(cum_p, Facility)], nearest primary facility
    hospitals: list         # [(cum_p, Facility)], hospital chosen when bypassing primary care
    centre: Facility | None  # the community centre (rehabilitation and home beds, checks)
    location: tuple[float, float] | None
    radius: float


@dataclass(eq=False, slots=True)
class Cohort:
    idx: int
    catchment: Catchment
    age: str
    signed: bool
    residents: float
    chronic: float          # expected chronic-condition follow-up schedules (sum over conditions)


def build_cohorts(p: Any, default_hospitals: Any, network: Network) -> list[Cohort]:
    """Split each catchment by age band and signing status; ``scale`` shrinks every count."""
    cohorts: list[Cohort] = []
    for i, (cid, c) in enumerate(p.catchments.items()):
        primary = network.cumulative(c.primary)
        hospitals = network.cumulative(c.hospital_choice or default_hospitals)
        centre = next((f for _, f in primary if f.kind == "centre"), None)
        loc = tuple(c.location) if c.location else None
        catch = Catchment(cid, i, c.residents * p.scale, primary, hospitals, centre, loc, c.radius)
        for band in AGE_BANDS:
            n_band = catch.residents * p.age_shares.get(band, 0.0)
            signed = p.signed_share.get(band, 0.0)
            chronic = sum(prev.get(band, 0.0) for prev in p.chronic_prevalence.values())
            for is_signed, share in ((True, signed), (False, 1.0 - signed)):
                n = n_band * share
                if n > 0:
                    cohorts.append(Cohort(len(cohorts), catch, band, is_signed, n, n * chronic))
    return cohorts


def signed_residents(cohorts: list[Cohort]) -> float:
    """Residents signed with a family-doctor team."""
    return sum(c.residents for c in cohorts if c.signed)
