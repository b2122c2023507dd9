"""Scheduled visits: drawn a year at a time, flat in memory, every attended visit once."""
from __future__ import annotations

import tracemalloc
from array import array

import numpy as np
import pytest

from sim.api import compose_config
from sim.engine.streams import replication_seeds
from sim.metrics.log import Log
from sim.model.group import MedicalGroup
from sim.model.schedules import Schedules


def _model(overrides: list[str], horizon: int | None = None, seed: int = 1) -> MedicalGroup:
    """A model built but not run (over ``horizon`` days instead of the overrides')."""
    if horizon is not None:
        overrides = [o for o in overrides if not o.startswith("run.horizon_days=")] \
            + [f"run.horizon_days={horizon}"]
    cfg, _ = compose_config(overrides)
    return MedicalGroup(cfg, replication_seeds(seed, 1)[0], Log())


def _walk(sched: Schedules, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every visit ``day`` returns over the run: person, type, time in days."""
    out = [sched.day(d) for d in range(days)]
    return (np.concatenate([p for p, _, _ in out]), np.concatenate([k for _, k, _ in out]),
            np.concatenate([f + d for d, (_, _, f) in enumerate(out)]))


def _held(sched: Schedules) -> int:
    """Bytes held in the object's numpy and int arrays."""
    return sum(v.nbytes if isinstance(v, np.ndarray) else len(v) * v.itemsize
               for v in vars(sched).values() if isinstance(v, (np.ndarray, array)))


@pytest.mark.slow
def test_first_year_does_not_depend_on_the_horizon(small):
    """A 1-year and a 5-year run with the same seed schedule the same visits in year 1."""
    one, five = _model(small, 365), _model(small, 1825)
    assert one.schedules.years == [2025] and five.schedules.years[0] == 2025
    assert np.array_equal(one.schedules.scheduled[:, 0], five.schedules.scheduled[:, 0])
    visits = 0
    for day in range(one.clock.days):
        a, b = one.schedules.day(day), five.schedules.day(day)
        for x, y in zip(a, b):
            assert np.array_equal(x, y)
        visits += a[0].size
        assert one.arrivals.day(day) == five.arrivals.day(day)   # so are the day's arrivals
    assert visits > 1000


@pytest.mark.slow
def test_memory_does_not_grow_with_the_horizon(small):
    """Held and transient memory of a 5-year run's schedules is a 1-year run's plus the extra
    years' columns of ``scheduled`` and ``done`` (and a few bytes a day for the calendar)."""
    held, peak, walked = {}, {}, {}
    for years in (1, 5):
        m = _model(small, 365 * years)
        tracemalloc.start()
        s = Schedules(m.cfg.demand, m.cfg.policy.chronic_management, m.cohorts, m.types,
                      m.clock, m.streams)
        peak[years] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        held[years] = _held(s)
        walked[years] = 0
        for day in range(m.clock.days):
            s.day(day)
            walked[years] = max(walked[years], _held(s))
        n = s.person_type.size
    columns = n * 4 * (s.scheduled.itemsize + s._done.itemsize)
    calendar = 100 * 365 * 4
    assert held[5] - held[1] <= columns
    assert peak[5] - peak[1] <= columns + calendar
    assert walked[5] - walked[1] <= columns + 0.1 * (walked[1] - held[1])
    assert n > 1000 and walked[1] > held[1]          # pending visits are counted


def test_walk_returns_every_attended_visit_once_in_time_order(small):
    """Day by day over 800 days (three year-blocks, the last cut by the horizon): each visit
    whose uniform is below the person's attendance, once, in time order."""
    m = _model(small, 800)
    s = m.schedules
    person, kind, t = _walk(s, m.clock.days)
    assert np.all(np.diff(t) >= 0) and t.min() >= 0 and t.max() < m.clock.days
    days = np.floor(t)
    frac = t - days
    assert np.all((frac >= 0) & (frac < 1))
    assert np.array_equal(kind, s.person_type[person])
    expected_p, expected_t = [], []
    for k in s._kinds:
        period = 365.0 / k.per_year
        phase = s._phase[k.first:k.first + k.n]
        a = s._attend[k.first:k.first + k.n]
        for b in range(-(-m.clock.days // 365)):
            j = np.arange(b * k.per_year, (b + 1) * k.per_year)
            when = phase[:, None] + j * period
            u = m.streams.get(f"schedule:{k.name}:{b}").random(when.shape)
            go = (u < a[:, None]) & (when < m.clock.days)
            expected_p.append(np.nonzero(go)[0] + k.first)
            expected_t.append(when[go])
    expected_p, expected_t = np.concatenate(expected_p), np.concatenate(expected_t)
    got, want = np.lexsort((person, t)), np.lexsort((expected_p, expected_t))
    assert np.array_equal(person[got], expected_p[want])
    assert np.array_equal(t[got], expected_t[want])


def test_everyone_attending_walks_exactly_the_scheduled_visits(small):
    """With attendance 1 the walk is each person's whole schedule, phase + j·365/s, and its
    per-year counts are ``scheduled`` (computed apart, from phases alone)."""
    full = [f"demand.episodes.{t}.attendance.{g}=1.0" for t in ("chronic_review", "elderly_check")
            for g in ("signed", "unsigned")]
    m = _model(small + full, 800)
    s = m.schedules
    person, _, t = _walk(s, m.clock.days)
    col = np.array(s._year_col)[np.floor(t).astype(int)]
    counts = np.zeros_like(s.scheduled)
    np.add.at(counts, (person[col >= 0], col[col >= 0]), 1)
    assert np.array_equal(counts, s.scheduled)
    order = np.lexsort((t, person))
    person, t = person[order], t[order]
    per_year = np.array([k.per_year for k in s._kinds for _ in range(k.n)])
    period = 365.0 / per_year[person]
    first = np.r_[True, person[1:] != person[:-1]]
    last = np.r_[person[1:] != person[:-1], True]
    assert np.unique(person).size == s.person_type.size
    assert np.all(t[first] < period[first])                    # the phase
    assert np.allclose(np.diff(t)[~first[1:]], period[1:][~first[1:]])
    assert np.all(t[last] + period[last] >= m.clock.days)      # nothing left out at the end


def test_days_must_increase(small):
    s = _model(small).schedules
    first = s.day(5)
    assert s.day(5) is first                  # the same day again: the same visits
    s.day(6)
    with pytest.raises(ValueError, match="increase"):
        s.day(4)


def test_managed_counts_count_person_years_due_and_done(small):
    m = _model(small).run()
    s = m.schedules
    for etype in sorted(set(s.person_type.tolist())):
        for signed_only in (True, False):
            managed, due = s.managed_counts(etype, m.cohorts, signed_only)
            rows = s.person_type == etype
            if signed_only:
                rows &= np.array([c.signed for c in m.cohorts])[s.person_cohort]
            assert due == int((s.scheduled[rows] > 0).sum()) > 0
            assert 0 < managed <= due
            assert s.managed_counts(etype, m.cohorts, signed_only, year=2025) == (managed, due)
