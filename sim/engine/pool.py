"""A light server pool for SimPy: a free counter plus one FIFO lane per priority.

Unlike ``simpy.Resource`` it creates no event when a server is free, one event to hand a server
over, and its priority lanes are deques (``simpy.PriorityResource`` re-sorts on every request).
Capacity may change at any time; busy servers above a lowered capacity finish their patient.
It integrates busy servers, waiting patients and capacity over time, so utilisation, mean queue
length and occupancy need no sampling.
"""
from __future__ import annotations

from collections import deque

import simpy
from simpy.events import Event

UNLIMITED = -1
_new = object.__new__


class Pool:
    """Servers (doctors in session, beds) shared by patients in ``lanes`` priority classes (0 first)."""

    __slots__ = ("env", "name", "capacity", "busy", "waiting", "lanes", "requested", "started",
                 "cancelled", "_t", "_tc", "busy_area", "queue_area", "cap_area")

    def __init__(self, env: simpy.Environment, name: str, capacity: int, lanes: int = 2):
        self.env = env
        self.name = name
        self.capacity = capacity          # UNLIMITED (-1) means infinite servers
        self.busy = 0                     # servers in use
        self.waiting = 0                  # patients in the lanes
        self.lanes = tuple(deque() for _ in range(lanes))
        self.requested = 0                # requests made
        self.started = 0                  # requests granted a server
        self.cancelled = 0                # requests withdrawn while waiting
        self._t = self._tc = env.now
        self.busy_area = 0.0              # ∫ busy dt (server-minutes)
        self.queue_area = 0.0             # ∫ waiting dt (patient-minutes)
        self.cap_area = 0.0               # ∫ capacity dt (server-minutes available)

    def _advance(self) -> None:
        now = self.env.now
        dt = now - self._t
        if dt:
            self.busy_area += self.busy * dt
            self.queue_area += self.waiting * dt
            self._t = now

    def acquire(self, lane: int = 1) -> simpy.Event | None:
        """Take a server: ``None`` if one was free (no event), else an event fired at hand-over."""
        self.requested += 1
        now = self.env.now                 # _advance(), inlined: this is the hot path
        if now != self._t:
            dt = now - self._t
            self.busy_area += self.busy * dt
            self.queue_area += self.waiting * dt
            self._t = now
        if self.capacity == UNLIMITED or (self.busy < self.capacity and not self.waiting):
            self.busy += 1
            self.started += 1
            return None
        ev = _new(Event)                   # ``env.event()`` without SimPy's two calls
        ev.env = self.env
        ev.callbacks = []
        self.lanes[lane].append(ev)
        self.waiting += 1
        return ev

    def release(self) -> None:
        """Free a server; the longest-waiting patient of the highest lane gets it at once."""
        now = self.env.now
        if now != self._t:
            dt = now - self._t
            self.busy_area += self.busy * dt
            self.queue_area += self.waiting * dt
            self._t = now
        if self.waiting and (self.capacity == UNLIMITED or self.busy <= self.capacity):
            self._hand_over()
        else:
            self.busy -= 1

    def _hand_over(self) -> None:
        for lane in self.lanes:
            if lane:
                self.waiting -= 1
                self.started += 1
                ev = lane.popleft()        # ``ev.succeed()``, inlined
                ev._ok = True
                ev._value = None
                self.env.schedule(ev)
                return

    def cancel(self, ev: simpy.Event) -> bool:
        """Withdraw a waiting request (a patient stops waiting); False if it was already served."""
        self._advance()
        for lane in self.lanes:
            if ev in lane:
                lane.remove(ev)
                self.waiting -= 1
                self.cancelled += 1
                return True
        return False

    def set_capacity(self, capacity: int) -> None:
        """Change the number of servers now; waiting patients start if servers appeared."""
        self._advance()
        self._advance_capacity()
        self.capacity = capacity
        while self.waiting and (capacity == UNLIMITED or self.busy < capacity):
            self.busy += 1
            self._hand_over()

    def _advance_capacity(self) -> None:
        now = self.env.now
        if self.capacity > 0:
            self.cap_area += self.capacity * (now - self._tc)
        self._tc = now

    def areas(self) -> tuple[float, float, float]:
        """(busy server-minutes, available server-minutes, waiting patient-minutes) up to now."""
        self._advance()
        self._advance_capacity()
        return self.busy_area, self.cap_area, self.queue_area
