"""Scheduled visits of identified people: chronic-disease reviews (4 a year) and annual checks.

Each person is an index into numpy arrays: cohort, a phase in the schedule and a personal
attendance probability. Attendance is heterogeneous (Beta) and drawn by inverse CDF from fixed
uniforms, so a programme that raises mean attendance moves the same people the same way in
every scenario (common random numbers). A person's record of visits done gives the management
rates ``chronic_management`` and ``elderly_management``.
"""
from __future__ import annotations

from array import array
from typing import Any

import numpy as np
from scipy.stats import beta

from sim.engine.streams import Streams
from sim.model.clock import DAY, Clock
from sim.model.population import Cohort


_TAIL = np.logspace(-12, -2, 200)
GRID = np.unique(np.concatenate([np.linspace(0.0, 1.0, 8193), _TAIL, 1.0 - _TAIL]))


def attendance(mean: float, spread: float, u: np.ndarray) -> np.ndarray:
    """Personal attendance probabilities with the given mean, from uniforms ``u``: the Beta
    inverse CDF, tabulated on a grid dense in the tails and interpolated (exact ``ppf`` per
    person costs a second at full scale; the grid is within 1e-4 of it, checked in tests)."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(u.shape, float(min(max(mean, 0.0), 1.0)))
    return np.interp(u, GRID, beta.ppf(GRID, mean * spread, (1.0 - mean) * spread))


class Schedules:
    """Everyone's scheduled visits over the run, by day, and who attended."""

    def __init__(self, demand: Any, programme: Any, cohorts: list[Cohort], types: dict,
                 clock: Clock, streams: Streams):
        self.clock = clock
        # measured days → calendar-year column: management rates are per calendar year
        years = np.array([clock.date(d).year for d in range(clock.days)])
        self.years = sorted(set(years[clock.warmup_days:].tolist()))
        self._year_col = [y - self.years[0] if d >= clock.warmup_days else -1
                          for d, y in enumerate(years)]
        n_years = len(self.years)
        people, kinds, days = [], [], []
        self.person_cohort = np.zeros(0, dtype=np.int64)
        self.person_type = np.zeros(0, dtype=np.int64)
        self.scheduled = np.zeros((0, n_years), dtype=np.int32)
        first = 0
        for name, e in demand.episodes.items():
            if not e.schedule:
                continue
            rng = streams.get(f"schedule:{name}")
            mean = dict(e.attendance)
            if programme.enabled and name in programme.attendance:
                mean.update(programme.attendance[name])
            counts = [round(c.chronic if e.base == "chronic" else
                            (c.residents if c.age == "elderly" else 0.0)) for c in cohorts]
            cohort_of = np.repeat(np.arange(len(cohorts)), counts)
            n = cohort_of.size
            # fixed uniforms in a fixed order: person phase, person attendance, per-visit draws
            phase = rng.random(n) * 365.0 / e.schedule
            u_person = rng.random(n)
            signed = np.array([cohorts[i].signed for i in cohort_of], dtype=bool)
            a = np.where(signed, attendance(mean.get("signed", 0.0), e.attendance_spread, u_person),
                         attendance(mean.get("unsigned", 0.0), e.attendance_spread, u_person))
            k = int(np.ceil(clock.days * e.schedule / 365.0)) + 1
            when = phase[:, None] + np.arange(k)[None, :] * (365.0 / e.schedule)
            u_visit = rng.random(when.shape)
            inside = when < clock.days
            go = inside & (u_visit < a[:, None])
            year_col = np.array(self._year_col)
            col = np.where(inside, year_col[np.minimum(when, clock.days - 1).astype(int)], -1)
            per_year = np.stack([(col == j).sum(axis=1) for j in range(n_years)], axis=1)
            pid = np.broadcast_to(np.arange(first, first + n)[:, None], when.shape)
            people.append(pid[go])
            days.append(when[go])
            kinds.append(np.full(int(go.sum()), types[name].idx))
            self.person_cohort = np.concatenate([self.person_cohort, cohort_of])
            self.person_type = np.concatenate([self.person_type, np.full(n, types[name].idx)])
            self.scheduled = np.concatenate([self.scheduled, per_year])
            first += n
        self._n_years = n_years
        self._done = array("i", [0]) * (first * n_years)   # flat person × year: cheap to bump
        if people:
            person = np.concatenate(people)
            when = np.concatenate(days)
            order = np.argsort(when, kind="stable")
            self._person = person[order]
            self._when = when[order]
            self._type = np.concatenate(kinds)[order]
            self._bounds = np.searchsorted(self._when, np.arange(clock.days + 1))
        else:
            self._person = self._type = np.zeros(0, dtype=np.int64)
            self._when = np.zeros(0)
            self._bounds = np.zeros(clock.days + 1, dtype=np.int64)

    def day(self, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """People attending a scheduled visit on ``day``: (person, episode type, day fraction)."""
        lo, hi = self._bounds[day], self._bounds[day + 1]
        return self._person[lo:hi], self._type[lo:hi], self._when[lo:hi] - day

    def record(self, person: int, t0: float) -> None:
        """A scheduled visit that started at ``t0`` was done (counted in its calendar year)."""
        col = self._year_col[int(t0 // DAY)]
        if col >= 0:
            self._done[person * self._n_years + col] += 1

    @property
    def done(self) -> np.ndarray:
        """Visits done per person (rows) and measured calendar year (columns): a read-only view."""
        view = np.frombuffer(self._done, dtype=np.intc).reshape(-1, self._n_years)
        view.flags.writeable = False
        return view

    def managed_counts(self, etype: int, cohorts: list[Cohort], signed_only: bool,
                       year: int | None = None) -> tuple[int, int]:
        """Person-years of ``etype`` (signed people only if ``signed_only``) with every visit
        scheduled that year done, and with at least one visit scheduled (in ``year``, or over
        the measured years): the numerator and denominator of ``managed_share``."""
        rows = self.person_type == etype
        if signed_only:
            signed = np.array([c.signed for c in cohorts], dtype=bool)
            rows &= signed[self.person_cohort]
        rows = np.flatnonzero(rows)
        cols = slice(None) if year is None else [self.years.index(year)]
        scheduled, done = self.scheduled[rows][:, cols], self.done[rows][:, cols]
        due = scheduled > 0
        return int((done[due] >= scheduled[due]).sum()), int(due.sum())

    def managed_share(self, etype: int, cohorts: list[Cohort], signed_only: bool,
                      year: int | None = None) -> float:
        """Share of person-years of ``etype`` with every visit scheduled that year done (in
        ``year``, or over the measured years); nan if nobody had a visit scheduled."""
        managed, due = self.managed_counts(etype, cohorts, signed_only, year)
        return managed / due if due else float("nan")
