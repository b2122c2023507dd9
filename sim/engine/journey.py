"""A light SimPy process for patient journeys.

``simpy.Process`` costs two events per journey beyond the journey's own (an ``Initialize`` event
to start and the process's own event when it ends). A journey here starts at once and reports
its end by a plain call, so a patient who is served at once costs only its service delays; and a
delay (``FastEnv.delay``, a plain float) costs no event object: the journey puts itself in the
event queue. Journeys never fail or get interrupted, which is all the generality they give up.
"""
from __future__ import annotations

from heapq import heappush
from typing import Any, Callable, Generator

import simpy
from simpy.events import NORMAL

_new = object.__new__


class Journey:
    """Drives ``generator`` from wait to wait on ``env``; calls ``on_end(return value)`` when it
    ends. A wait is a delay in minutes (a float: the journey's own queue entry) or an event."""

    __slots__ = ("_gen", "_on_end", "_env")

    def __init__(self, env: Any, generator: Generator, on_end: Callable[[Any], None]):
        self._env = env
        self._gen = generator
        self._on_end = on_end
        self.resume(None)

    def resume(self, value: Any) -> None:
        """Send ``value`` to the journey and run it to its next wait."""
        gen = self._gen
        try:
            wait = gen.send(value)
            while wait.__class__ is not float:
                if wait.callbacks is not None:
                    wait.callbacks.append(self.wake)
                    return
                wait = gen.send(wait._value)       # already processed: go on at once
        except StopIteration as stop:
            self._on_end(stop.value)
            return
        env = self._env
        heappush(env._queue, (env.now + wait, NORMAL, next(env._eid), self.resume, None))

    def wake(self, event: simpy.Event) -> None:
        """Callback of the event the journey waits for."""
        self.resume(event._value)


def launch(env: Any, generator: Generator, on_end: Callable[[Any], None]) -> None:
    """Start ``generator`` as a journey now: ``Journey(env, generator, on_end)`` with its first
    step run here, so the journey object is made only when it has to wait, in one call less."""
    try:
        wait = generator.send(None)
        while wait.__class__ is not float and wait.callbacks is None:
            wait = generator.send(wait._value)     # already processed: go on at once
    except StopIteration as stop:
        on_end(stop.value)
        return
    journey = _new(Journey)
    journey._env = env
    journey._gen = generator
    journey._on_end = on_end
    if wait.__class__ is float:
        heappush(env._queue, (env.now + wait, NORMAL, next(env._eid), journey.resume, None))
    else:
        wait.callbacks.append(journey.wake)


class Tally:
    """A journey's ``on_end`` that counts ends by the journey's return value: ``served`` (true)
    or ``unserved``, calling ``on_unserved()`` for each of the latter (the compiled engine counts
    in C, without a Python call per journey)."""

    __slots__ = ("served", "unserved", "_on_unserved")

    def __init__(self, on_unserved: Callable[[], None]):
        self.served = self.unserved = 0
        self._on_unserved = on_unserved

    def __call__(self, value: Any) -> None:
        if value:
            self.served += 1
        else:
            self.unserved += 1
            self._on_unserved()


class Driver(Journey):
    """The same light driver for the model's own processes (arrivals feeder, daily snapshots),
    so they are not counted as patients."""

    __slots__ = ()
