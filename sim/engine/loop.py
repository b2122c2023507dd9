"""The event loops the model runs on, chosen by ``run.engine``: ``fast`` (compiled where built,
``CompiledEnv``), ``python`` (``FastEnv``) and ``simpy`` (``SimPyEnv``), with identical results.

The model touches an environment only through ``now`` (the clock), ``delay`` (a wait a journey
yields), ``timeout`` (an event, for callbacks and conditions), ``run_until``, ``journey`` and
``driver`` (start a process), ``feed`` (arrivals), ``pool``, ``pending`` and
``events_scheduled``; SimPy's private attributes stay in this package.

``FastEnv`` (``fast``, the default) specialises SimPy's hot path: its clock is a plain attribute,
its queue entries carry what to call (``(time, priority, id, call, argument)``), ``delay`` is a
plain float that the journey waiting on it turns into its own entry (no event object),
``run_until`` pops entries in SimPy's own order (time, priority, insertion) without SimPy's call
layers, journeys are light processes (``sim.engine.journey``), and arrivals fed by ``feed`` are
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
from sim.domain import compiled
from sim.engine.dists import Draws
from sim.engine.journey import Driver, Journey, Tally, launch
from sim.engine.pool import Pool

_core = compiled.load("sim.engine._core", "sim/engine/_core.pyx")   # None: not built or stale
COMPILED = _core is not None              # does ``run.engine=fast`` run compiled?

_INF = float("inf")


class _Env(simpy.Environment):
    """What both engines add to SimPy's environment: a look at its event queue."""

    tally_type = Tally        # an ``on_end`` for ``journey`` that counts ends (``Tally``)
    draws_type = Draws        # numbers drawn in blocks, handed out by ``next()`` (``Draws``)

    def pending(self) -> list[Callable]:
        """What the scheduled, not yet processed entries will call (to find the patients still
        in the model): the callbacks of their events."""
        return [cb for item in self._queue for cb in item[-1].callbacks or ()]

    def pool(self, name: str, capacity: int, lanes: int = 2) -> Pool:
        """A server pool on this clock (``sim.engine.pool``)."""
        return Pool(self, name, capacity, lanes)

    def events_scheduled(self) -> int:
        """Events scheduled so far (SimPy numbers each one it schedules)."""
        return next(self._eid)


class _PlainClock:
    """SimPy's own code reads and writes ``_now``: on the fast engines the plain ``now``."""

    @property
    def _now(self) -> float:
        return self.now

    @_now.setter
    def _now(self, t: float) -> None:
        self.now = t


class FastEnv(_PlainClock, _Env):
    """SimPy's environment with its hot path specialised (same events, same order)."""

    now = 0.0                 # shadows SimPy's ``now`` property: the clock is a plain attribute
    journey_type = Journey
    _times: list[float] = []  # arrivals fed (``feed``), from index ``_next`` on still to come
    _items: list = []
    _next = 0
    _arrive = None

    def schedule(self, event: Event, priority: int = NORMAL, delay: float = 0) -> None:
        """SimPy's ``schedule``, reading the plain clock: an entry that fires ``event``."""
        heappush(self._queue, (self.now + delay, priority, next(self._eid), _fire, event))

    def pending(self) -> list[Callable]:
        """What the queued entries will call: a journey's resume, or an event's callbacks."""
        calls: list[Callable] = []
        for _, _, _, call, argument in self._queue:
            calls.extend(argument.callbacks or () if call is _fire else (call,))
        return calls

    @staticmethod
    def delay(minutes: float) -> float:
        """A wait of ``minutes`` for a journey to yield: the number itself, which the journey
        schedules as its own queue entry (``timeout`` where an event is needed)."""
        if minutes < 0:
            raise ValueError(f"negative delay {minutes}")
        return minutes if minutes.__class__ is float else float(minutes)

    def journey(self, generator: Generator, on_end: Callable[[Any], None]) -> None:
        """Start ``generator`` as a patient's light process; ``on_end(return value)`` at its end."""
        launch(self, generator, on_end)

    def feed(self, times: list[float], items: list[tuple], arrive: Callable[..., None]) -> None:
        """Call ``arrive(*items[i])`` at ``times[i]`` (sorted, not before now), merged into the
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
                arrive(*items[i])
                i += 1
                t_arrival = times[i] if i < n else _INF
                continue
            if t_event >= until:
                break
            self.now, _, _, call, argument = heappop(queue)
            call(argument)
        self._next = i
        self.now = until

    def driver(self, generator: Generator) -> None:
        """Start one of the model's own processes (feeder, calendar, midnights)."""
        Driver(self, generator, _ignore)


if _core is not None:
    class CompiledEnv(_core.Core, _PlainClock, _Env):
        """``FastEnv`` compiled (``sim/engine/_core.pyx``): the same entries in the same order."""

        journey_type = _core.Journey
        tally_type = _core.Tally
        draws_type = _core.Draws


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

    def feed(self, times: list[float], items: list[tuple], arrive: Callable[..., None]) -> None:
        """Call ``arrive(*items[i])`` at ``times[i]``: a process with a timeout per arrival."""
        self.process(_feeder(self, times, items, arrive))


def _feeder(env: simpy.Environment, times: list[float], items: list[tuple],
            arrive: Callable[..., None]) -> Generator:
    for t, item in zip(times, items):
        if t > env.now:
            yield env.timeout(t - env.now)
        arrive(*item)


def make_env(engine: str = "fast") -> _Env:
    """A new environment of the engine named ``engine`` (one of ``ENGINES``): ``fast`` is the
    compiled engine where it was built, else the pure-Python one, ``python``."""
    if engine == "fast" and _core is not None:
        return CompiledEnv()
    if engine in ("fast", "python"):
        return FastEnv()
    if engine == "simpy":
        return SimPyEnv()
    raise ValueError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")


def _fire(event: Event) -> None:
    """Process ``event``: call its callbacks (what SimPy's ``step`` does)."""
    callbacks, event.callbacks = event.callbacks, None
    for callback in callbacks:
        callback(event)


def _ignore(_: Any) -> None:
    """End of a model process: nothing to count."""
