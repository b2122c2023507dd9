"""The event loop: the two SimPy environments the model runs on, chosen by ``run.engine``.

The model touches an environment only through ``now`` (the clock), ``delay`` (a timeout),
``run_until``, ``journey`` and ``driver`` (start a process), ``feed`` (arrivals), ``pending`` and
``events_scheduled``; SimPy's private attributes stay in this package.

``FastEnv`` (``fast``, the default) specialises SimPy's hot path: its clock is a plain attribute,
``delay`` builds a ``Timeout`` straight into the event queue, ``run_until`` pops events and calls
their callbacks in SimPy's own order (time, priority, insertion) without SimPy's call layers, and
journeys are light processes (``sim.engine.journey``), and arrivals fed by ``feed`` are
merged into the loop, with no event of their own. It assumes what holds for our model:
events never fail and no process starts at the stopping instant. ``SimPyEnv`` (``simpy``) runs
the same model on SimPy's public API (``env.timeout``, ``env.run``, ``simpy.Process``);
``tests/test_engine.py`` checks that both give identical KPIs.
"""
from __future__ import annotations

from heapq import heappop, heappush
from typing import Any, Callable, Generator

import simpy
from simpy.events import NORMAL, Event, Timeout

from sim.config.schema import ENGINES
from sim.engine.journey import Driver, Journey, launch

_new = object.__new__
_INF = float("inf")


class _Env(simpy.Environment):
    """What both engines add to SimPy's environment: a look at its event queue."""

    def pending(self) -> list[Event]:
        """Events scheduled and not yet processed (to find the patients still in the model)."""
        return [item[-1] for item in self._queue]

    def events_scheduled(self) -> int:
        """Events scheduled so far (SimPy numbers each one it schedules)."""
        return next(self._eid)


class FastEnv(_Env):
    """SimPy's environment with its hot path specialised (same events, same order)."""

    now = 0.0                 # shadows SimPy's ``now`` property: the clock is a plain attribute
    journey = staticmethod(launch)  # ``journey(generator, on_end)``: a patient's light process
    journey_type = Journey
    _times: list[float] = []  # arrivals fed (``feed``), from index ``_next`` on still to come
    _items: list = []
    _next = 0
    _arrive = None

    @property
    def _now(self) -> float:  # SimPy's own code reads and writes ``_now``
        return self.now

    @_now.setter
    def _now(self, t: float) -> None:
        self.now = t

    def schedule(self, event: Event, priority: int = NORMAL, delay: float = 0) -> None:
        """SimPy's ``schedule``, reading the plain clock."""
        heappush(self._queue, (self.now + delay, priority, next(self._eid), event))

    def delay(self, minutes: float) -> Timeout:
        """``timeout(minutes)`` without the constructor and ``schedule`` calls."""
        if minutes < 0:
            raise ValueError(f"negative delay {minutes}")
        ev = _new(Timeout)
        ev.env = self
        ev.callbacks = []
        ev._ok = True
        ev._value = None
        ev._delay = minutes
        heappush(self._queue, (self.now + minutes, NORMAL, next(self._eid), ev))
        return ev

    def feed(self, times: list[float], items: list, arrive: Callable[[Any], None]) -> None:
        """Call ``arrive(items[i])`` at ``times[i]`` (sorted, not before now), merged into the
        event loop without an event each: cheaper than a process waking at every arrival."""
        self._times = self._times[self._next:] + list(times)
        self._items = self._items[self._next:] + list(items)
        self._next = 0
        self._arrive = arrive

    def run_until(self, until: float) -> None:
        """Process every event and arrival before ``until`` in time order (events first on a
        tie), then set the clock to ``until``."""
        queue = self._queue
        times, items, arrive = self._times, self._items, self._arrive
        i, n = self._next, len(self._times)
        t_arrival = times[i] if i < n else _INF
        while True:
            t_event = queue[0][0] if queue else _INF
            if t_arrival < t_event:
                if t_arrival >= until:
                    break
                self.now = t_arrival
                arrive(items[i])
                i += 1
                t_arrival = times[i] if i < n else _INF
                continue
            if t_event >= until:
                break
            self.now, _, _, event = heappop(queue)
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
        self._next = i
        self.now = until

    def driver(self, generator: Generator) -> None:
        """Start one of the model's own processes (feeder, calendar, midnights)."""
        Driver(generator, _ignore)


class JourneyProcess(simpy.Process):
    """A patient's journey as a plain ``simpy.Process`` (told apart from the model's own)."""


class SimPyEnv(_Env):
    """The model on SimPy's public API only: the reference the fast engine must match."""

    journey_type = JourneyProcess

    def delay(self, minutes: float) -> Timeout:
        """``env.timeout(minutes)``."""
        return self.timeout(minutes)

    def run_until(self, until: float) -> None:
        """``env.run(until)``."""
        self.run(until)

    def journey(self, generator: Generator, on_end: Callable[[Any], None]) -> None:
        """Start ``generator`` as a process; ``on_end(return value)`` when it ends."""
        JourneyProcess(self, generator).callbacks.append(lambda proc: on_end(proc.value))

    def driver(self, generator: Generator) -> None:
        """Start one of the model's own processes."""
        self.process(generator)

    def feed(self, times: list[float], items: list, arrive: Callable[[Any], None]) -> None:
        """Call ``arrive(items[i])`` at ``times[i]``: a process with a timeout per arrival."""
        self.process(_feeder(self, times, items, arrive))


def _feeder(env: simpy.Environment, times: list[float], items: list,
            arrive: Callable[[Any], None]) -> Generator:
    for t, item in zip(times, items):
        if t > env.now:
            yield env.timeout(t - env.now)
        arrive(item)


def make_env(engine: str = "fast") -> FastEnv | SimPyEnv:
    """A new environment of the engine named ``engine`` (one of ``ENGINES``)."""
    if engine == "fast":
        return FastEnv()
    if engine == "simpy":
        return SimPyEnv()
    raise ValueError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")


def _ignore(_: Any) -> None:
    """End of a model process: nothing to count."""
