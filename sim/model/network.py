"""The group's facilities and services as pools, and the calendar that opens and staffs them."""
from __future__ import annotations

import math
from typing import Any

import simpy

from sim.config.schema import session_servers_of
from sim.domain.clock import DAY, Clock
from sim.domain.staffing import scaled_servers
from sim.engine.pool import UNLIMITED
from sim.engine.streams import Streams
# ``Pool`` and ``Draws`` in annotations are the engine's (sim.engine.pool, dists); compiled,
# ``_network.pxd`` types the fields with the compiled engine's


class Service:
    """One service of one facility: its pool of servers and its duration sampler."""

    __slots__ = ("idx", "facility", "name", "pool", "sample", "base_servers")

    def __init__(self, idx: int, facility: Facility, name: str, pool: Pool, sample: Draws,
                 base_servers: int | None):
        self.idx = idx
        self.facility = facility
        self.name = name
        self.pool = pool
        self.sample = sample              # minutes of one service (``sample.next()``)
        self.base_servers = base_servers


class Facility:
    """A facility of the group (or beyond it): its services and where it refers patients."""

    __slots__ = ("id", "name", "kind", "role", "level", "opens_at", "location", "services",
                 "refer_to", "is_open", "index")

    def __init__(self, id: str, name: str, kind: str, role: str, level: int, opens_at: float,
                 location: tuple[float, float] | None):
        self.id = id
        self.name = name
        self.kind = kind
        self.role = role
        self.level = level
        self.opens_at = opens_at
        self.location = location
        self.services: dict[str, Service] = {}
        self.refer_to: list = []                 # [(cum_p, Facility)]
        self.is_open = True
        self.index = -1                          # id in the step log

    @property
    def tier(self) -> str:
        """Payment level: primary, secondary, tertiary or external."""
        if self.kind == "external":
            return "external"
        if self.kind == "hospital":
            return "tertiary" if self.level >= 3 else "secondary"
        return "primary"


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Straight-line km between two locations."""
    return math.hypot(a[0] - b[0], a[1] - b[1])


def shares(table: list) -> list:
    """A cumulative table back to (facility, share) pairs."""
    out, prev = [], 0.0
    for cum, f in table:
        out.append((f, cum - prev))
        prev = cum
    return out


class Network:
    """Facilities by id, a flat service table (index = id in the visit log) and the calendar."""

    def __init__(self, cfg: Any, env: simpy.Environment, clock: Clock, streams: Streams,
                 scale: float):
        self.env = env
        self.clock = clock
        self.facilities: dict[str, Facility] = {}
        self.services: list[Service] = []
        self._service_cfg: dict[int, Any] = {}
        for fid, f in cfg.facilities.items():
            opens = clock.minutes(f.opens) if f.opens else 0.0
            fac = Facility(fid, f.name, f.kind, f.role, f.level, max(opens, 0.0),
                           tuple(f.location) if f.location else None)
            fac.is_open = fac.opens_at <= 0
            fac.index = len(self.facilities)
            for sid, s in f.services.items():
                staffed = s.servers if s.in_session is None or s.servers is not None \
                    else session_servers_of(f.physicians or 0, s.in_session)
                servers = scaled_servers(staffed, scale)
                pool = env.pool(f"{fid}.{sid}", UNLIMITED if servers is None else 0)
                svc = Service(len(self.services), fac, sid, pool,
                              streams.sampler(f"service:{fid}.{sid}", s.service_time),
                              servers)
                fac.services[sid] = svc
                self.services.append(svc)
                self._service_cfg[svc.idx] = (s, scale)
            self.facilities[fid] = fac
        for fid, f in cfg.facilities.items():
            dest = f.refer_to or cfg.default_refer_to
            self.facilities[fid].refer_to = self.cumulative(dest)

    def cumulative(self, shares: Any) -> list[tuple[float, Facility]]:
        """``{facility: p}`` as a cumulative table for one-uniform choice."""
        out, acc = [], 0.0
        for fid, p in shares.items():
            acc += p
            out.append((acc, self.facilities[fid]))
        return out

    # -- calendar -------------------------------------------------------------------------
    def day_plans(self, svc: Service) -> list[tuple[int, list | None]]:
        """Per day of the run: (servers when open, opening hours or None for 24 h, [] closed)."""
        s, scale = self._service_cfg[svc.idx]
        steps = sorted((self.clock.minutes(st.date), scaled_servers(st.servers, scale))
                       for st in s.schedule)
        weekday = None if s.hours is None else list(s.hours)
        weekend = weekday if s.weekend_hours is None else list(s.weekend_hours)
        plans = []
        servers, k = svc.base_servers, 0
        for day in range(self.clock.days):
            t0 = day * DAY
            while k < len(steps) and steps[k][0] <= t0:
                servers = steps[k][1]
                k += 1
            n = 0 if t0 < svc.facility.opens_at else servers
            plans.append((n, weekend if self.clock.weekday(day) >= 5 else weekday))
        return plans

    def capacity_changes(self) -> list[tuple[float, int, int]]:
        """Every (time, service index, servers) change over the run, sorted by time."""
        changes = []
        for svc in self.services:
            if svc.base_servers is None:
                continue
            last = None
            for day, (servers, hours) in enumerate(self.day_plans(svc)):
                t0 = day * DAY
                if not hours:                       # None: 24 h; []: closed that day
                    spans = [(t0, servers)] if hours is None else [(t0, 0)]
                else:
                    spans = [(t0, 0), (t0 + hours[0] * 60, servers), (t0 + hours[1] * 60, 0)]
                for t, n in spans:
                    if n != last:
                        changes.append((t, svc.idx, n))
                        last = n
        changes.sort(key=lambda c: (c[0], c[1]))
        return changes

    def calendar(self):
        """SimPy process applying capacity changes and opening facilities on their dates."""
        env = self.env
        openings = sorted((f.opens_at, f.id) for f in self.facilities.values() if not f.is_open)
        events = [(t, 0, fid) for t, fid in openings]
        events += [(t, 1, (idx, n)) for t, idx, n in self.capacity_changes()]
        events.sort(key=lambda e: (e[0], e[1]))
        for t, what, arg in events:
            if t > env.now:
                yield env.timeout(t - env.now)
            if what == 0:
                self.facilities[arg].is_open = True
            else:
                idx, n = arg
                self.services[idx].pool.set_capacity(n)
