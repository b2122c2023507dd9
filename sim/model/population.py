"""Residents as cohorts (catchment × age band × signed), counts not objects."""
from __future__ import annotations

from typing import Any

from sim.config.schema import AGE_BANDS

# ``Facility`` and ``Network`` in annotations are sim.model.network's (not imported: compiled,
# ``_population.pxd`` cimports the C Facility under that name)


class Catchment:
    """Residents served by one centre: where they go first and which hospitals they pick."""

    __slots__ = ("id", "idx", "residents", "primary", "hospitals", "centre", "location",
                 "radius")

    def __init__(self, id: str, idx: int, residents: float, primary: list, hospitals: list,
                 centre: Facility | None, location: tuple[float, float] | None, radius: float):
        self.id = id
        self.idx = idx
        self.residents = residents
        self.primary = primary            # [(cum_p, Facility)], nearest primary facility
        self.hospitals = hospitals        # [(cum_p, Facility)], chosen when bypassing primary care
        self.centre = centre              # the community centre (rehabilitation, home beds, checks)
        self.location = location
        self.radius = radius


class Cohort:
    """Residents of one catchment, age band and signing status (a count, not people)."""

    __slots__ = ("idx", "catchment", "age", "signed", "residents", "chronic")

    def __init__(self, idx: int, catchment: Catchment, age: str, signed: bool, residents: float,
                 chronic: float):
        self.idx = idx
        self.catchment = catchment
        self.age = age
        self.signed = signed
        self.residents = residents
        self.chronic = chronic            # expected chronic follow-up schedules (all conditions)


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
