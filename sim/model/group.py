"""The close-knit medical group (紧密型城市医疗集团) as one SimPy model of one replication."""
from __future__ import annotations

import gc
from typing import Any, Callable

import numpy as np
import simpy

from sim.engine.dists import Sampler, Uniforms
from sim.engine.streams import Streams
from sim.metrics.log import LEFT, Log
from sim.model.clock import DAY, Clock
from sim.model.demand import Arrivals, EpisodeType, episode_types
from sim.model.network import Network
from sim.model.pathways import EXIT, PATHWAYS
from sim.model.policy import Policy
from sim.model.population import Catchment, Cohort, build_cohorts


GC_THRESHOLD = 200_000


class ConservationError(RuntimeError):
    """Patients were lost: the books of arrivals and departures do not balance."""


class Episode:
    """One care episode of one patient; ``kind`` is its EpisodeType, ``cohort`` who they are."""

    __slots__ = ("id", "kind", "cohort", "t0")

    def __init__(self, id: int, kind: EpisodeType, cohort: Cohort, t0: float):
        self.id = id
        self.kind = kind
        self.cohort = cohort
        self.t0 = t0


class MedicalGroup:
    """Builds network, cohorts, arrivals and policy from a validated config; runs one replication."""

    def __init__(self, cfg: Any, seed_seq: np.random.SeedSequence,
                 env: simpy.Environment | None = None):
        self.cfg = cfg
        self.env = env or simpy.Environment()
        self.streams = Streams(seed_seq)
        run = cfg.run
        self.clock = Clock(run.start_date, run.warmup_days, run.horizon_days)
        self.network = Network(cfg.network, self.env, self.clock, self.streams,
                               cfg.population.scale)
        self.cohorts = build_cohorts(cfg.population, cfg.network.hospital_choice, self.network)
        self.types = episode_types(cfg.demand)
        self.followup_type = next((self.types[n] for n, e in cfg.demand.episodes.items()
                                   if e.base == "discharges"), None)
        self._compile_routes(cfg.demand)
        self.arrivals = Arrivals(cfg.demand, self.cohorts, self.types, self.clock, self.streams)
        self.policy = Policy(cfg.policy, list(self.types), self.streams)
        self.followup_delay = Sampler(cfg.demand.followup_delay, self.streams.get("followup"))
        self.u_pick = Uniforms(self.streams.get("choice:facility"))
        self._u_route = Uniforms(self.streams.get("routing:route"))
        self._ed = {}
        self.log = Log()
        self.arrived = self.completed = self.left = 0

    # -- helpers used by pathways ---------------------------------------------------------
    def step(self, step: int, ep: Episode, fac: Any, value: float = 0.0) -> None:
        """Log a pathway step of ``ep`` at facility ``fac`` now."""
        self.log.step(step, ep.kind.idx, fac.index, self.env._now, value)

    def ed_choice(self, catchment: Catchment) -> list:
        """The catchment's hospital choices restricted to those with an emergency department."""
        table = self._ed.get(catchment.id)
        if table is None:
            with_ed = [(f, p) for f, p in _shares(catchment.hospitals) if "emergency" in f.services]
            total = sum(p for _, p in with_ed) or 1.0
            acc, table = 0.0, []
            for f, p in with_ed:
                acc += p / total
                table.append((acc, f))
            self._ed[catchment.id] = table
        return table

    def route_next(self, row: tuple) -> Any:
        u = self._u_route()
        for cum, node in row:
            if u < cum:
                return node
        return row[-1][1]

    def _compile_routes(self, demand: Any) -> None:
        for name, e in demand.episodes.items():
            if e.pathway != "route":
                continue
            table = {}
            for src, row in e.route.items():
                acc, out = 0.0, []
                for dst, p in row.items():
                    acc += p
                    out.append((acc, EXIT if dst == "exit" else self._service(dst)))
                table["entry" if src == "entry" else self._service(src).idx] = tuple(out)
            self.types[name].route = table

    def _service(self, node: str) -> Any:
        fid, sid = node.rsplit(".", 1)
        return self.network.facilities[fid].services[sid]

    # -- episodes -------------------------------------------------------------------------
    def spawn(self, kind: EpisodeType, cohort: Cohort, delay: float) -> None:
        """An episode will arrive ``delay`` minutes from now (e.g. a follow-up after discharge)."""
        self.env.timeout(delay).callbacks.append(lambda _: self.start(kind, cohort))

    def start(self, kind: EpisodeType, cohort: Cohort) -> None:
        """An episode arrives now: its journey is one process; its end is counted by callback."""
        self.arrived += 1
        ep = Episode(self.arrived, kind, cohort, self.env._now)
        self.env.process(PATHWAYS[kind.pathway](self, ep)).callbacks.append(self._end)

    def _end(self, process: simpy.Process) -> None:
        if process._value:                       # the pathway returns True once served
            self.completed += 1
        else:
            self.left += 1
            self.log.step(LEFT, -1, -1, self.env.now)

    def _feeder(self):
        """Starts each day's arrivals at their times (one timeout per arrival).

        Measured: 10% faster than scheduling a whole day's journeys ahead, whose larger event
        heap costs more than the feeder's own events.
        """
        env = self.env
        arr = self.arrivals
        cohorts, etypes = arr.cohort, arr.etype
        for day in range(self.clock.days):
            times, ids = arr.day(day)
            for t, s in zip(times, ids):
                if t > env._now:
                    yield env.timeout(t - env._now)
                self.start(etypes[s], cohorts[s])
            yield env.timeout((day + 1) * DAY - env._now)

    def _midnights(self):
        """Snapshot the pools at every midnight but the last (``run`` takes that one)."""
        for day in range(self.clock.days - 1):
            yield self.env.timeout(DAY)
            self._snapshot(day)

    def _snapshot(self, day: int) -> None:
        """Each pool's time integrals and queue at the end of ``day`` (for the time series)."""
        for i, svc in enumerate(self.network.services):
            busy, cap, queue = svc.pool.areas()
            self.daily.append((day, i, busy, cap, queue, svc.pool.waiting))

    # -- run ------------------------------------------------------------------------------
    def run(self, on_day: Callable[[int], None] | None = None) -> "MedicalGroup":
        """Simulate warm-up + horizon, then check that no patient was lost."""
        # Journeys are short-lived and almost never cyclic: collect rarely (measured: the default
        # threshold doubles the run time once a day's arrivals are alive at once).
        thresholds = gc.get_threshold()
        gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
        try:
            self._run(on_day)
        finally:
            gc.set_threshold(*thresholds)
        return self

    def _run(self, on_day: Callable[[int], None] | None) -> None:
        self.daily: list = []
        self._infrastructure = {self.env.process(self.network.calendar()),
                                self.env.process(self._feeder()),
                                self.env.process(self._midnights())}
        for day in range(self.clock.days):
            self.env.run(until=(day + 1) * DAY)
            if on_day is not None:
                on_day(day)
        self._snapshot(self.clock.days - 1)
        self.check_conservation()

    def in_system(self) -> int:
        """Patients still in the model, counted from what they wait on (not from counters)."""
        lane_events = [ev for svc in self.network.services for lane in svc.pool.lanes
                       for ev in lane]
        queued = [item[-1] for item in self.env._queue]
        journeys: set = set()
        for ev in lane_events + queued:
            _collect_processes(ev, journeys, set())
        return len(journeys - self._infrastructure)

    def check_conservation(self) -> None:
        """Arrived = completed + in system + left unserved, overall and per service."""
        in_system = self.in_system()
        if self.arrived != self.completed + in_system + self.left:
            raise ConservationError(
                f"arrived {self.arrived} != completed {self.completed} + in system {in_system}"
                f" + left {self.left}")
        waiting = 0
        for svc in self.network.services:
            p = svc.pool
            queued = sum(len(lane) for lane in p.lanes)
            waiting += queued
            if queued != p.waiting or p.requested != p.started + queued + p.cancelled:
                raise ConservationError(
                    f"{p.name}: requested {p.requested} != started {p.started} + queued "
                    f"{queued} + cancelled {p.cancelled}")
        if waiting > in_system:
            raise ConservationError(f"{waiting} patients queue but only {in_system} in system")
        self.in_system_at_end = in_system


def _collect_processes(ev: simpy.Event, found: set, seen: set) -> None:
    """Processes resumed by ``ev``, following conditions (``a | b``) to the process waiting."""
    if id(ev) in seen:
        return
    seen.add(id(ev))
    for cb in ev.callbacks or ():
        owner = getattr(cb, "__self__", None)
        if isinstance(owner, simpy.Process):
            found.add(owner)
        elif isinstance(owner, simpy.events.Condition):
            _collect_processes(owner, found, seen)


def _shares(table: list) -> list:
    """Cumulative table back to (facility, share) pairs."""
    out, prev = [], 0.0
    for cum, f in table:
        out.append((f, cum - prev))
        prev = cum
    return out
