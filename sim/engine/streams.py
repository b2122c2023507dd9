"""Named random streams: one ``numpy.random.Generator`` per sampling purpose.

Each stream is spawned from the replication's ``SeedSequence`` by hashing its name, so adding a
facility or a purpose never reshuffles the others and two scenarios run with the same seed draw
the same numbers for the same purpose (common random numbers).
"""
from __future__ import annotations

import hashlib

from typing import Any

import numpy as np

from sim.engine.dists import Draws, sampler, uniforms


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """Independent seed sequences for replications 0..n-1 of a run seeded with ``seed``."""
    return np.random.SeedSequence(seed).spawn(replications)


class Streams:
    """Factory of named, independent generators for one replication, and of the samplers and
    uniforms drawn from them as ``draws`` (the engine's ``Draws``: compiled or Python)."""

    def __init__(self, seed_seq: np.random.SeedSequence, draws: type = Draws):
        self._entropy = seed_seq.entropy
        self._key = tuple(seed_seq.spawn_key)
        self.draws = draws

    def get(self, name: str) -> np.random.Generator:
        """The generator for ``name``; the same name always gives the same sequence."""
        digest = hashlib.sha256(name.encode()).digest()
        words = tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))
        return np.random.default_rng(
            np.random.SeedSequence(self._entropy, spawn_key=self._key + words))

    def sampler(self, name: str, spec: Any) -> Draws:
        """Durations of ``spec`` (minutes) from stream ``name``, one per ``next()``."""
        return sampler(spec, self.get(name), self.draws)

    def uniforms(self, name: str) -> Draws:
        """U(0,1) numbers from stream ``name``, one per ``next()``."""
        return uniforms(self.get(name), self.draws)
