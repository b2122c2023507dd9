"""The benchmark's route network, in one place for the three implementations.

Stations (M/M/c each), one hospital outpatient service and one bed pool; Poisson arrivals
enter at a station chosen uniformly; Markov routing: station → outpatient (referral) or exit,
outpatient → bed (admission), back to a uniformly chosen station (follow-up) or exit, bed →
exit; exponential service everywhere. Service means are set from the target loads through the
traffic equations, so every node's mean wait has Jackson's product form (Erlang C per node).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, partial
from itertools import chain
from typing import Callable

import numpy as np

EXIT = -1                 # the routing destination "leave the network"
BLOCK = 4096              # random numbers drawn per numpy call


@dataclass(frozen=True)
class RouteNetwork:
    """Parameters of the network; everything else (rates, means, theory) derives from them."""
    arrival_rate: float = 6.0          # patients per minute (Poisson)
    stations: int = 14
    station_servers: int = 3
    station_rho: float = 0.8
    outpatient_servers: int = 40
    outpatient_rho: float = 0.8
    beds: int = 2600
    bed_rho: float = 0.85
    p_refer: float = 0.2               # station → outpatient
    p_admit: float = 0.1               # outpatient → bed
    p_back: float = 0.1                # outpatient → a station (follow-up)
    warmup_min: float = 1440.0         # waits are averaged over requests made after this

    def __post_init__(self) -> None:
        for name in ("arrival_rate", "stations", "station_servers", "outpatient_servers", "beds"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("station_rho", "outpatient_rho", "bed_rho"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name} must be in (0, 1), got {getattr(self, name)}")
        if not (0 <= self.p_refer <= 1 and self.p_admit >= 0 and self.p_back >= 0
                and self.p_admit + self.p_back <= 1):
            raise ValueError("routing probabilities must lie in [0, 1] and sum to at most 1")

    # -- nodes ----------------------------------------------------------------------------
    @property
    def outpatient(self) -> int:
        """Node index of the outpatient service (stations are 0 .. stations-1)."""
        return self.stations

    @property
    def bed(self) -> int:
        return self.stations + 1

    @property
    def names(self) -> list[str]:
        """``facility.service`` per node, in node order."""
        return ([f"st{i + 1:02d}.gp" for i in range(self.stations)]
                + ["hospital.outpatient", "hospital.beds"])

    @property
    def servers(self) -> list[int]:
        return [self.station_servers] * self.stations + [self.outpatient_servers, self.beds]

    @cached_property
    def rates(self) -> np.ndarray:
        """Arrival rate per node (per minute) from the traffic equations λ = γ + λP."""
        p = self.matrix
        external = np.zeros(len(p))
        external[:self.stations] = self.arrival_rate / self.stations
        return np.linalg.solve(np.eye(len(p)) - p.T, external)

    @cached_property
    def means(self) -> list[float]:
        """Mean service minutes per node, giving each node its target load ρ = λ E[S] / c."""
        rho = [self.station_rho] * self.stations + [self.outpatient_rho, self.bed_rho]
        return [float(r * c / lam) for r, c, lam in zip(rho, self.servers, self.rates)]

    @cached_property
    def routing(self) -> dict[int | str, list[tuple[float, int]]]:
        """Per node (and ``"entry"``): ``[(probability, destination)]``, EXIT for leaving."""
        s = self.stations
        stations = [(1.0 / s, i) for i in range(s)]
        out: dict[int | str, list[tuple[float, int]]] = {"entry": stations}
        for i in range(s):
            out[i] = [(self.p_refer, self.outpatient), (1.0 - self.p_refer, EXIT)]
        out[self.outpatient] = ([(self.p_admit, self.bed)]
                                + [(self.p_back / s, i) for i in range(s)]
                                + [(1.0 - self.p_admit - self.p_back, EXIT)])
        out[self.bed] = [(1.0, EXIT)]
        return {k: [(p, d) for p, d in row if p > 0] for k, row in out.items()}

    @cached_property
    def matrix(self) -> np.ndarray:
        """Routing probabilities between nodes (rows: from; exit left out)."""
        n = self.stations + 2
        p = np.zeros((n, n))
        for src, row in self.routing.items():
            if src != "entry":
                for q, dst in row:
                    if dst != EXIT:
                        p[src, dst] += q
        return p

    def cumulative(self, src: int | str) -> tuple[list[float], list[int]]:
        """Node ``src``'s routing row as (cumulative probabilities, destinations) for
        ``bisect``; the last bound is +inf so rounding never runs off the row."""
        row = self.routing[src]
        cum = list(np.cumsum([p for p, _ in row]))
        cum[-1] = float("inf")
        return [float(c) for c in cum], [d for _, d in row]

    # -- theory ---------------------------------------------------------------------------
    @property
    def visits_per_patient(self) -> float:
        return float(self.rates.sum() / self.arrival_rate)

    def erlang_c_waits(self) -> np.ndarray:
        """Mean wait in queue per node (minutes) of the stationary Jackson network."""
        return np.array([mmc_wait_mean(lam, mean, c)
                         for lam, mean, c in zip(self.rates, self.means, self.servers)])


def erlang_c(lam: float, mean_service: float, c: int) -> float:
    """P(wait > 0) in a stationary M/M/c queue, via the stable Erlang B recursion."""
    a = lam * mean_service
    if a >= c:
        raise ValueError("unstable queue: load >= servers")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b / (1.0 - a / c * (1.0 - b))


def mmc_wait_mean(lam: float, mean_service: float, c: int) -> float:
    """Mean wait in queue W_q of a stationary M/M/c queue (minutes)."""
    return erlang_c(lam, mean_service, c) / (c / mean_service - lam)


@dataclass
class Result:
    """What one run of an implementation reports: patients arrived and, per node, the sum and
    count of waits of requests made after the warm-up (served by the end)."""
    patients: int
    wait_sum: np.ndarray
    wait_count: np.ndarray
    extra: dict = field(default_factory=dict)

    @property
    def waits(self) -> np.ndarray:
        """Mean wait per node (minutes); NaN where nobody was served."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.wait_sum / self.wait_count


def stream(block: Callable[[], list]) -> Callable[[], float]:
    """Zero-argument callable handing out successive blocks' items (``next`` in C)."""
    return partial(next, chain.from_iterable(iter(block, None)))


def exponentials(rng: np.random.Generator) -> Callable[[], float]:
    """Standard exponential draws (multiply by a mean), drawn ``BLOCK`` at a time."""
    return stream(lambda: rng.standard_exponential(BLOCK).tolist())


def uniforms(rng: np.random.Generator) -> Callable[[], float]:
    """U(0, 1) draws, ``BLOCK`` at a time."""
    return stream(lambda: rng.random(BLOCK).tolist())
