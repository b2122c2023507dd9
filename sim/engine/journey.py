"""A light SimPy process for patient journeys.

``simpy.Process`` costs two events per journey beyond the journey's own (an ``Initialize`` event
to start and the process's own event when it ends). A journey here starts at once and reports
its end by a plain call, so a patient who is served at once costs only its service timeouts.
Journeys never fail or get interrupted, which is all the generality they give up.
"""
from __future__ import annotations

from typing import Any, Callable, Generator

import simpy


class Journey:
    """Drives ``generator`` from event to event; calls ``on_end(return value)`` when it ends."""

    __slots__ = ("_gen", "_on_end")

    def __init__(self, generator: Generator, on_end: Callable[[Any], None]):
        self._gen = generator
        self._on_end = on_end
        self.resume(_START)

    def resume(self, event: simpy.Event) -> None:
        """Callback of the event the journey waits for: run the journey to its next wait."""
        gen = self._gen
        try:
            event = gen.send(event._value)
            while event.callbacks is None:        # already processed: go on at once
                event = gen.send(event._value)
        except StopIteration as stop:
            self._on_end(stop.value)
            return
        event.callbacks.append(self.resume)


def launch(generator: Generator, on_end: Callable[[Any], None]) -> None:
    """Start ``generator`` as a journey now: ``Journey(generator, on_end)`` with its first step
    run here, so the journey object is made only when it has to wait, in one call less."""
    try:
        event = generator.send(None)
        while event.callbacks is None:            # already processed: go on at once
            event = generator.send(event._value)
    except StopIteration as stop:
        on_end(stop.value)
        return
    journey = _new(Journey)
    journey._gen = generator
    journey._on_end = on_end
    event.callbacks.append(journey.resume)


_new = object.__new__


class _Start:
    """What a journey is sent first (``None``, as a generator's first ``send`` needs)."""
    _value = None


_START = _Start()


class Driver(Journey):
    """The same light driver for the model's own processes (arrivals feeder, daily snapshots),
    so they are not counted as patients."""

    __slots__ = ()
