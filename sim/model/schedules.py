"""Scheduled visits of identified people: chronic-disease reviews (4 a year) and annual checks.

Each person is an index into numpy arrays: cohort, a phase in the schedule and a personal
attendance probability. Attendance is heterogeneous (Beta) and drawn by inverse CDF from fixed
uniforms, so a programme that raises mean attendance moves the same people the same way in
every scenario (common random numbers). A person's record of visits done gives the management
rates ``chronic_management`` and ``elderly_management``. Visits are drawn a year at a time as
the run reaches them, so the schedules' memory does not grow with the horizon.
"""
from __future__ import annotations

from array import array
from typing import Any, NamedTuple

import numpy as np
from scipy.stats import beta

from sim.domain.clock import DAY, Clock
from sim.engine.streams import Streams
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


class _Kind(NamedTuple):
    """One scheduled episode type: its people are indices ``first .. first + n - 1``."""
    name: str
    idx: int          # episode type index
    per_year: int     # visits a year (the config's ``schedule``)
    first: int
    n: int


class Schedules:
    """Everyone's scheduled visits over the run, by day, and who attended.

    Per person, drawn once: cohort, type, phase and attendance. Visits are drawn a year-block at
    a time as ``day`` reaches them (block ``b`` is visits ``b·s .. (b+1)·s - 1`` of a schedule
    of ``s`` a year, with uniforms from stream ``schedule:{type}:{b}``), so memory does not grow
    with the horizon and a run's first years do not depend on its length.
    """

    def __init__(self, demand: Any, programme: Any, cohorts: list[Cohort], types: dict,
                 clock: Clock, streams: Streams):
        self.clock = clock
        self._streams = streams
        # measured days → calendar-year column: management rates are per calendar year
        years = np.array([clock.date(d).year for d in range(clock.days)])
        self.years = sorted(set(years[clock.warmup_days:].tolist()))
        self._year_col = [y - self.years[0] if d >= clock.warmup_days else -1
                          for d, y in enumerate(years)]
        self._n_years = n_years = len(self.years)
        self._kinds: list[_Kind] = []
        cohort_of, kind_of, phases, attend = [], [], [], []
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
            cohort = np.repeat(np.arange(len(cohorts)), counts)
            n = cohort.size
            # fixed uniforms in a fixed order: person phase, person attendance
            phase = rng.random(n) * 365.0 / e.schedule
            u_person = rng.random(n)
            signed = np.array([cohorts[i].signed for i in cohort], dtype=bool)
            attend.append(np.where(
                signed, attendance(mean.get("signed", 0.0), e.attendance_spread, u_person),
                attendance(mean.get("unsigned", 0.0), e.attendance_spread, u_person)))
            cohort_of.append(cohort)
            kind_of.append(np.full(n, types[name].idx))
            phases.append(phase)
            self._kinds.append(_Kind(name, types[name].idx, int(e.schedule), first, n))
            first += n
        self.person_cohort = np.concatenate(cohort_of) if cohort_of else np.zeros(0, np.int64)
        self.person_type = np.concatenate(kind_of) if kind_of else np.zeros(0, np.int64)
        self._phase = np.concatenate(phases) if phases else np.zeros(0)
        self._attend = np.concatenate(attend) if attend else np.zeros(0)
        self._n_blocks = -(-clock.days // 365)
        self.scheduled = self._count_scheduled()
        self._done = array("i", [0]) * (first * n_years)   # flat person × year: cheap to bump
        # visits drawn but not yet returned by ``day``, in time order
        self._blocks = 0
        self._next = 0       # first pending visit not yet returned
        self._person = np.zeros(0, dtype=np.int32)
        self._when = np.zeros(0)
        self._day = -1
        self._last = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))

    def _block_times(self, kind: _Kind, b: int) -> np.ndarray:
        """Times (days) of visits of block ``b`` of ``kind``'s people: (people, visits)."""
        j = np.arange(b * kind.per_year, (b + 1) * kind.per_year)
        phase = self._phase[kind.first:kind.first + kind.n]
        return phase[:, None] + j[None, :] * (365.0 / kind.per_year)

    def _count_scheduled(self) -> np.ndarray:
        """Visits scheduled inside the horizon per person and measured year, attended or not
        (from phases alone, a block at a time)."""
        days = self.clock.days
        year_col = np.array(self._year_col + [-1], dtype=np.int16)   # -1: past the horizon
        out = np.zeros((self._phase.size, self._n_years), dtype=np.int32)
        for kind in self._kinds:
            rows = slice(kind.first, kind.first + kind.n)
            for b in range(self._n_blocks):
                day = self._block_times(kind, b).astype(np.int32)    # times are >= 0: floor
                col = year_col[np.minimum(day, days, out=day)]
                if col.size == 0:
                    continue
                for c in range(max(int(col.min()), 0), int(col.max()) + 1):
                    out[rows, c] += (col == c).sum(axis=1, dtype=np.int32)
        return out

    def _draw_block(self) -> None:
        """Add the attended visits of the next year-block to the pending ones."""
        b = self._blocks
        people, times = [self._person], [self._when]
        for kind in self._kinds:
            when = self._block_times(kind, b)
            u = self._streams.get(f"schedule:{kind.name}:{b}").random(when.shape)
            a = self._attend[kind.first:kind.first + kind.n]
            go = (when < self.clock.days) & (u < a[:, None])
            people.append((np.nonzero(go)[0] + kind.first).astype(np.int32))
            times.append(when[go])
        when = np.concatenate(times)
        order = np.argsort(when, kind="stable")
        self._person = np.concatenate(people)[order]
        self._when = when[order]
        self._blocks += 1

    def day(self, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """People attending a scheduled visit on ``day``: (person, episode type, day fraction),
        in time order. Days must be asked in increasing order (visits of skipped days are
        dropped; asking the last day again returns the same)."""
        if day == self._day:
            return self._last
        if day < self._day:
            raise ValueError(f"Schedules.day({day}) after day {self._day}: scheduled visits are "
                             "drawn as the run reaches them, so days must increase")
        while self._blocks < self._n_blocks and self._blocks * 365 - 1 <= day:
            # block b's visits fall in days b·365 .. b·365 + 364 (phase < 365/s); it is drawn
            # a day early (j·365/s may round just below b·365), dropping the visits returned
            self._person = self._person[self._next:]
            self._when = self._when[self._next:]
            self._draw_block()
            self._next = 0
        lo, hi = np.searchsorted(self._when, (day, day + 1))
        person = self._person[lo:hi].astype(np.int64)
        self._next = hi
        self._day = day
        self._last = (person, self.person_type[person], self._when[lo:hi] - day)
        return self._last

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
        the measured years): the numerator and denominator of a management rate."""
        rows = self.person_type == etype
        if signed_only:
            signed = np.array([c.signed for c in cohorts], dtype=bool)
            rows &= signed[self.person_cohort]
        rows = np.flatnonzero(rows)
        cols = slice(None) if year is None else [self.years.index(year)]
        scheduled, done = self.scheduled[rows][:, cols], self.done[rows][:, cols]
        due = scheduled > 0
        return int((done[due] >= scheduled[due]).sum()), int(due.sum())
