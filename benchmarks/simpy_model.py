"""The network as an idiomatic SimPy model: a ``simpy.Resource`` per node, one process per
patient (``with resource.request()``, ``env.timeout``), a source process for arrivals.

It draws from the same block streams and routes with the same ``bisect`` rows as the heapq loop,
so the comparison is of event handling, not of random number generation.
"""
from __future__ import annotations

from bisect import bisect_right

import numpy as np
import simpy

from benchmarks.network import EXIT, Result, RouteNetwork, exponentials, uniforms


class SimpyModel:
    """One run of ``net`` over ``days`` days, seeded with ``seed``."""

    def __init__(self, net: RouteNetwork, days: int, seed: int):
        self.net = net
        self.end = days * 1440.0
        rng = np.random.default_rng(seed)
        self.expo = exponentials(rng)
        self.unif = uniforms(rng)
        self.env = simpy.Environment()
        self.resources = [simpy.Resource(self.env, capacity=c) for c in net.servers]
        n = len(net.servers)
        self.rows = [net.cumulative(k) for k in range(n)]
        self.entry = net.cumulative("entry")
        self.wait_sum = [0.0] * n
        self.wait_count = [0] * n
        self.patients = 0

    def next_node(self, row: tuple[list[float], list[int]]) -> int:
        cum, dest = row
        return dest[bisect_right(cum, self.unif())]

    def patient(self):
        env = self.env
        node = self.next_node(self.entry)
        while node != EXIT:
            t0 = env.now
            with self.resources[node].request() as req:
                yield req
                if t0 >= self.net.warmup_min:
                    self.wait_sum[node] += env.now - t0
                    self.wait_count[node] += 1
                yield env.timeout(self.net.means[node] * self.expo())
            node = self.next_node(self.rows[node])

    def source(self):
        env = self.env
        mean_gap = 1.0 / self.net.arrival_rate
        while True:
            yield env.timeout(mean_gap * self.expo())
            self.patients += 1
            env.process(self.patient())

    def run(self) -> None:
        self.env.process(self.source())
        self.env.run(until=self.end)

    def result(self) -> Result:
        return Result(self.patients, np.array(self.wait_sum), np.array(self.wait_count))


def build(net: RouteNetwork, days: int, seed: int) -> SimpyModel:
    return SimpyModel(net, days, seed)
