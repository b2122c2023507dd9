"""Hospital appointment slots (号源) with a share reserved for family-doctor referrals (预留号源).

A book per hospital outpatient service: each day's sessions offer ``servers × per_server``
slots, evenly spaced over the session. A patient takes the first free slot (days to
appointment), then queues in clinic (minutes). Reserved slots are held for referred patients
and open to everyone ``release_days`` before the session. Booking is list bookkeeping: no
SimPy event until the patient travels to the appointment.
"""
from __future__ import annotations

import math
from typing import Any

from sim.domain.clock import DAY


class AppointmentBook:
    """Slots of one outpatient service over the run and the booking horizon after it."""

    def __init__(self, servers_by_day: list[int], sessions: list, cfg: Any):
        n = len(servers_by_day)
        extra = int(cfg.max_days) + 1
        week = list(range(max(n - 7, 0), n)) or [0]
        servers = list(servers_by_day) + [servers_by_day[week[i % len(week)]] for i in range(extra)]
        self.sessions = list(sessions) + [sessions[week[i % len(week)]] for i in range(extra)]
        self.capacity = [int(s * cfg.per_server) if h else 0
                         for s, h in zip(servers, self.sessions)]
        self.reserved = [int(c * cfg.reserved_share) for c in self.capacity]
        self.public = [c - r for c, r in zip(self.capacity, self.reserved)]
        self.used_public = [0] * len(self.capacity)
        self.used_reserved = [0] * len(self.capacity)
        self.release = cfg.release_days * DAY
        self.max_days = int(cfg.max_days)
        self._first_public = 0             # no free public slot before this day
        self._first_reserved = 0           # no free reserved slot before this day

    def book(self, now: float, referred: bool) -> float | None:
        """Time of the first free slot for a patient booking ``now``; None if none in range."""
        today = int(now // DAY)
        self._advance(today)
        last = min(today + self.max_days, len(self.capacity) - 1)
        public = self._find(self._first_public, last, now, self.used_public, self.public)
        if referred:
            reserved = self._find(self._first_reserved, last, now, self.used_reserved,
                                  self.reserved)
            take_reserved = reserved is not None and (public is None or reserved <= public)
        else:
            released = min(int((now + self.release) // DAY), last if public is None else public)
            reserved = self._find(self._first_reserved, released, now, self.used_reserved,
                                  self.reserved)
            take_reserved = reserved is not None and (public is None or reserved < public)
        if take_reserved:
            self.used_reserved[reserved] += 1
            return self._slot_time(reserved, now)
        if public is None:
            return None
        self.used_public[public] += 1
        return self._slot_time(public, now)

    def _find(self, d: int, last: int, now: float, used: list, cap: list) -> int | None:
        """First day in [d, last] with a free slot of this kind and its session still ahead."""
        sessions = self.sessions
        while d <= last:
            if used[d] < cap[d] and d * DAY + sessions[d][1] * 60.0 > now:
                return d
            d += 1
        return None

    def _advance(self, today: int) -> None:
        """Move the search starts past days that are over or full (they stay full)."""
        n = len(self.capacity)
        d = max(self._first_public, today)
        while d < n and self.used_public[d] >= self.public[d]:
            d += 1
        self._first_public = d
        d = max(self._first_reserved, today)
        while d < n and self.used_reserved[d] >= self.reserved[d]:
            d += 1
        self._first_reserved = d

    def _slot_time(self, d: int, now: float) -> float:
        """Slots are spaced evenly over the session in booking order; never before ``now``."""
        open_, close = self.sessions[d]
        k = self.used_public[d] + self.used_reserved[d] - 1
        t = d * DAY + (open_ + (close - open_) * k / self.capacity[d]) * 60.0
        return max(t, now)

    def offered(self, first_day: int, last_day: int) -> int:
        """Slots offered on days [first_day, last_day)."""
        return sum(self.capacity[first_day:last_day])

    def days_to_first_public(self, now: float) -> float:
        """Days from ``now`` to the first free public slot (what a patient sees when choosing)."""
        today = int(now // DAY)
        self._advance(today)
        d = self._find(self._first_public, len(self.capacity) - 1, now, self.used_public,
                       self.public)
        return math.inf if d is None else max(d * DAY - now, 0.0) / DAY
