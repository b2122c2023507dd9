"""Distributions as data: one sampler factory used for every random duration in the model.

A spec is ``{dist, mean, cv, values, unit}``; samples come back in minutes. Samplers draw in
blocks from their own stream and hand the numbers out one by one, which keeps the hot path cheap.
"""
from __future__ import annotations

import math
from functools import partial
from itertools import chain
from typing import Any, Callable

import numpy as np

from sim.config.schema import DISTS
from sim.domain.clock import UNITS

BLOCK = 4096


def _draw_fn(spec: Any, rng: np.random.Generator) -> Callable[[int], np.ndarray]:
    kind = spec.dist
    scale = UNITS[spec.unit]
    if kind == "exponential":
        mean = spec.mean * scale
        return lambda n: rng.exponential(mean, n)
    if kind == "lognormal":
        sigma2 = math.log1p(spec.cv ** 2)
        mu = math.log(spec.mean * scale) - sigma2 / 2
        sigma = math.sqrt(sigma2)
        return lambda n: rng.lognormal(mu, sigma, n)
    if kind == "gamma":
        shape = 1.0 / spec.cv ** 2
        theta = spec.mean * scale / shape
        return lambda n: rng.gamma(shape, theta, n)
    if kind == "deterministic":
        value = spec.mean * scale
        return lambda n: np.full(n, value)
    if kind == "empirical":
        values = np.asarray(spec.values, dtype=float) * scale
        return lambda n: rng.choice(values, n)
    raise ValueError(f"unknown distribution {kind!r}; allowed: {', '.join(DISTS)}")


class Draws:
    """Numbers drawn in blocks (``block()``: an array) and handed out one by one: ``next()``
    (or a call). In Python the items of successive blocks come from ``next`` on a chain, all in
    C; the compiled engine's ``Draws`` (``sim.engine._core``) reads them as C doubles."""

    __slots__ = ("next",)

    def __init__(self, block: Callable[[], np.ndarray]):
        self.next = partial(next, chain.from_iterable(iter(lambda: block().tolist(), None)))

    def __call__(self) -> float:
        return self.next()


def sampler(spec: Any, rng: np.random.Generator, draws: type = Draws) -> Draws:
    """One sample (minutes) per ``next()``, drawn in blocks of ``BLOCK``."""
    draw = _draw_fn(spec, rng)
    return draws(lambda: draw(BLOCK))


def uniforms(rng: np.random.Generator, draws: type = Draws) -> Draws:
    """Block-drawn U(0,1) numbers for decisions (routing, choice), one per ``next()``."""
    return draws(lambda: rng.random(BLOCK))
