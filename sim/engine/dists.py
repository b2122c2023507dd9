"""Distributions as data: one sampler factory used for every random duration in the model.

A spec is ``{dist, mean, cv, values, unit}``; samples come back in minutes. Samplers draw in
blocks from their own stream and hand out Python floats, which keeps the hot path cheap.
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


def _stream(block: Callable[[], list]) -> Callable[[], float]:
    """A zero-argument callable handing out the items of successive blocks, all in C
    (``next`` on a chain of blocks): the cheapest draw Python offers on the hot path."""
    return partial(next, chain.from_iterable(iter(block, None)))


def sampler(spec: Any, rng: np.random.Generator) -> Callable[[], float]:
    """Callable returning one sample (minutes) per call, drawn in blocks of ``BLOCK``."""
    draw = _draw_fn(spec, rng)
    return _stream(lambda: draw(BLOCK).tolist())


def uniforms(rng: np.random.Generator) -> Callable[[], float]:
    """Callable returning block-drawn U(0,1) numbers for decisions (routing, choice)."""
    return _stream(lambda: rng.random(BLOCK).tolist())
