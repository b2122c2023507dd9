"""Episode arrivals: a non-homogeneous Poisson process per (cohort, episode type), drawn per day.

For each day the count of every stream is Poisson with that day's mean (annual rate × weekday
factor × calendar factor: month and public holidays); arrival times within the day follow the
hourly profile (piecewise constant). This is an exact NHPP sample for a piecewise-constant
intensity, vectorised over all streams, so arrivals cost no SimPy process of their own and are
identical across policies (common random numbers).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from sim.config.constraints import constrained_fields
from sim.config.schema import PROB, EpisodeConfig
from sim.domain.clock import DAY, Clock
from sim.engine.streams import Streams
from sim.model.population import Cohort
from sim.model.schedules import Schedules


PROBABILITIES = constrained_fields(EpisodeConfig, PROB)   # p_refer_up, p_admit, ...


class EpisodeType:
    """An episode type as the model reads it; each of the schema's probabilities
    (``PROBABILITIES``) is also an attribute of the same name (``kind.p_admit``), read on every
    decision."""

    __slots__ = ("idx", "name", "pathway", "primary_resolvable", "scheduled", "max_wait",
                 "service", "probabilities", "route", "journey") + PROBABILITIES

    def __init__(self, idx: int, name: str, pathway: str, primary_resolvable: bool,
                 scheduled: bool, max_wait: float | None, service: str,
                 probabilities: dict[str, float]):
        self.idx = idx
        self.name = name
        self.pathway = pathway
        self.primary_resolvable = primary_resolvable
        self.scheduled = scheduled
        self.max_wait = max_wait
        self.service = service
        self.probabilities = probabilities
        self.route: dict = {}               # compiled by the model (route pathway)
        self.journey: Any = None            # the pathway function, set by the model
        for key, p in probabilities.items():
            setattr(self, key, p)


def episode_types(cfg: Any) -> dict[str, EpisodeType]:
    """Episode types in config order; their index is their id in the logs."""
    return {name: EpisodeType(i, name, e.pathway, e.primary_resolvable, bool(e.schedule),
                              e.max_wait, e.service, {p: e[p] for p in PROBABILITIES})
            for i, (name, e) in enumerate(cfg.episodes.items())}


def calendar_factors(cal: Any, clock: Clock) -> np.ndarray:
    """Demand factor of each simulated day: its month's factor times its holiday's, normalised
    to mean 1 over each whole calendar year the run touches (so annual rates stay annual)."""
    first, last = clock.date(0), clock.date(clock.days - 1)
    year_start = dt.date(first.year, 1, 1)
    n = (dt.date(last.year + 1, 1, 1) - year_start).days
    dates = [year_start + dt.timedelta(days=i) for i in range(n)]
    f = np.array([cal.monthly[d.month - 1] for d in dates], dtype=float)
    for h in cal.holidays:
        a = (dt.date.fromisoformat(str(h.start)) - year_start).days
        b = (dt.date.fromisoformat(str(h.end)) - year_start).days
        f[max(a, 0):max(b + 1, 0)] *= h.factor
    years = np.array([d.year for d in dates])
    for y in np.unique(years):
        f[years == y] /= f[years == y].mean()
    offset = (first - year_start).days
    return f[offset:offset + clock.days]


def _clock_time(hourly: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Minutes into the day at quantile ``u`` of a piecewise-constant hourly profile."""
    cum = np.cumsum(hourly)
    hour = np.minimum(np.searchsorted(cum, u, side="right"), 23)
    before = np.where(hour > 0, cum[hour - 1], 0.0)
    frac = np.clip((u - before) / np.maximum(hourly[hour], 1e-12), 0.0, 1.0)
    return (hour + frac) * 60.0


class Arrivals:
    """Per-day arrival times and streams; stream ``s`` is (cohorts[s_cohort], types[s_type])."""

    def __init__(self, cfg: Any, cohorts: list[Cohort], types: dict[str, EpisodeType],
                 clock: Clock, streams: Streams, schedules: Schedules):
        self.clock = clock
        self.rng = streams.get("arrivals")
        self.schedules = schedules
        rows = []   # (cohort, type, annual rate, profile)
        for name, e in cfg.episodes.items():
            if e.base not in ("residents", "chronic") or e.schedule:
                continue
            for c in cohorts:
                base = c.residents if e.base == "residents" else c.chronic
                rate = base * e.rate.get(c.age, 0.0) * cfg.rate_scale
                if rate > 0:
                    rows.append((c, types[name], rate, e.profile))
        self.cohort = [r[0] for r in rows]
        self.etype = [r[1] for r in rows]
        self.daily_rate = np.array([r[2] for r in rows], dtype=float) / 365.0
        self.profiles = {}
        for name, prof in cfg.profiles.items():
            members = np.array([i for i, r in enumerate(rows) if r[3] == name], dtype=np.int64)
            hourly = np.asarray(prof.hourly, dtype=float)
            weekly = np.asarray(prof.weekly, dtype=float)
            self.profiles[name] = (members, hourly / hourly.sum(), weekly / weekly.mean())
        self.season = calendar_factors(cfg.calendar, clock)
        self.type_hourly = {types[n].idx: self.profiles[e.profile][1]
                            for n, e in cfg.episodes.items() if e.schedule}

    def day(self, day: int) -> tuple[list[float], list[int]]:
        """Sorted arrival times (minutes) and ids: a Poisson stream index below
        ``len(self.cohort)``, else ``len(self.cohort)`` + a scheduled person's index."""
        rng = self.rng
        dow = self.clock.weekday(day)
        times, ids = [], []
        for members, hourly, weekly in self.profiles.values():
            if members.size == 0:
                continue
            counts = rng.poisson(self.daily_rate[members] * (weekly[dow] * self.season[day]))
            n = int(counts.sum())
            if n == 0:
                continue
            ids.append(np.repeat(members, counts))
            hours = rng.choice(24, size=n, p=hourly)
            times.append(day * DAY + (hours + rng.random(n)) * 60.0)
        person, etype, frac = self.schedules.day(day)
        if person.size:
            at = np.empty(person.size)
            for idx, hourly in self.type_hourly.items():
                sel = etype == idx
                at[sel] = _clock_time(hourly, frac[sel])
            times.append(day * DAY + at)
            ids.append(person + len(self.cohort))
        if not times:
            return [], []
        t = np.concatenate(times)
        s = np.concatenate(ids)
        order = np.argsort(t, kind="stable")
        return t[order].tolist(), s[order].tolist()
