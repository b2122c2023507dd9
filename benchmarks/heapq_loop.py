"""The network as a bare ``heapq`` event loop: the lower bound of what Python pays per event.

An event is ``(time, node)``: a service completion at ``node``, or the next arrival (``node``
one past the last node). A node is a free-server counter and a FIFO deque of request times;
patients carry no state (routing is Markov), so a patient is only the events it causes. Same
instant: the completing patient frees its server before it asks the next node.

Random numbers are drawn in the order the SimPy model draws them (an arrival: the next gap, then
its route; a completion: the leaving patient's route, its next service if a server is free, then
the service of the patient taking over its server), so with the same seed the two produce the
same waits.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import deque
from heapq import heappop, heappush

import numpy as np

from benchmarks.network import EXIT, Result, RouteNetwork, exponentials, uniforms


class HeapqLoop:
    """One run of ``net`` over ``days`` days, seeded with ``seed``."""

    def __init__(self, net: RouteNetwork, days: int, seed: int):
        self.net = net
        self.end = days * 1440.0
        rng = np.random.default_rng(seed)
        self.expo = exponentials(rng)
        self.unif = uniforms(rng)
        n = len(net.servers)
        self.free = list(net.servers)
        self.queues = [deque() for _ in range(n)]
        self.wait_sum = [0.0] * n
        self.wait_count = [0] * n
        self.patients = 0

    def run(self) -> None:
        net = self.net
        end, warm = self.end, net.warmup_min
        expo, unif = self.expo, self.unif
        free, queues = self.free, self.queues
        wsum, wcount = self.wait_sum, self.wait_count
        means = net.means
        mean_gap = 1.0 / net.arrival_rate
        arrival = len(means)                       # the arrival "node"
        rows = [net.cumulative(k) for k in range(arrival)] + [net.cumulative("entry")]
        heap = [(mean_gap * expo(), arrival)]
        patients = 0
        while heap:
            t, k = heappop(heap)
            if t >= end:
                break
            if k == arrival:
                patients += 1
                heappush(heap, (t + mean_gap * expo(), arrival))
                q = None
            else:
                q = queues[k]
                if not q:
                    free[k] += 1                   # nobody waits: the server is free
            cum, dest = rows[k]
            d = dest[bisect_right(cum, unif())]
            if d != EXIT:
                if free[d]:
                    free[d] -= 1
                    if t >= warm:
                        wcount[d] += 1
                    heappush(heap, (t + means[d] * expo(), d))
                else:
                    queues[d].append(t)
            if q:                                  # hand the server to the first in line
                t0 = q.popleft()
                if t0 >= warm:
                    wsum[k] += t - t0
                    wcount[k] += 1
                heappush(heap, (t + means[k] * expo(), k))
        self.patients = patients

    def result(self) -> Result:
        return Result(self.patients, np.array(self.wait_sum), np.array(self.wait_count))


def build(net: RouteNetwork, days: int, seed: int) -> HeapqLoop:
    return HeapqLoop(net, days, seed)
