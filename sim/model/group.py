"""The close-knit medical group (紧密型城市医疗集团) as one SimPy model of one replication."""
from __future__ import annotations

import gc
import importlib
from types import ModuleType
from typing import Any, Callable, NamedTuple

import numpy as np
import simpy

from sim.config.settings import settings
from sim.domain import compiled
from sim.domain.clock import DAY, Clock
from sim.domain.steps import LEFT
from sim.engine.loop import COMPILED, make_env
from sim.engine.streams import Streams
from sim.model.ambulance import Fleet
from sim.model.choice import Choice
from sim.model.context import Episode
from sim.model.demand import Arrivals, EpisodeType
from sim.model.network import distance, shares
from sim.model.pathways import EXIT
from sim.model.population import Catchment, Cohort
from sim.model.schedules import Schedules


class ModelModules(NamedTuple):
    """The model's modules on a visit's path, compiled as C types together (setup.py)."""
    pathways: ModuleType
    policy: ModuleType
    context: ModuleType
    network: ModuleType
    population: ModuleType
    demand: ModuleType
    slots: ModuleType


PYTHON_MODEL = ModelModules(*(importlib.import_module(f"sim.model.{name}")
                              for name in ModelModules._fields))
# each None where not built or stale
COMPILED_MODEL = ModelModules(*(compiled.load(f"sim.model._{name}", f"sim/model/{name}.py")
                                for name in ModelModules._fields))
GC_THRESHOLD = 200_000


class ConservationError(RuntimeError):
    """Patients were lost: the books of arrivals and departures do not balance."""


MODEL_SECTIONS = ("run", "network", "population", "demand", "policy")   # what the build reads


class MedicalGroup:
    """Builds network, cohorts, arrivals and policy from a validated config; runs one replication."""

    def __init__(self, cfg: Any, seed_seq: np.random.SeedSequence, log: Any,
                 env: simpy.Environment | None = None):
        """``log`` records visits and steps (``sim.metrics.log.Log``: the runner chooses where it
        writes, so the model knows nothing of files)."""
        self.cfg = cfg
        cfg = settings(cfg, MODEL_SECTIONS)    # read as plain Python while building: 20× faster
        self.env = env or make_env(cfg.run.engine)
        self.streams = Streams(seed_seq, self.env.draws_type)
        run = cfg.run
        self.clock = Clock(run.start_date, run.warmup_days, run.horizon_days)
        mods = model_modules(cfg.run.engine)
        self.network = mods.network.Network(cfg.network, self.env, self.clock, self.streams,
                                            cfg.population.scale)
        self.cohorts = mods.population.build_cohorts(cfg.population,
                                                     cfg.network.hospital_choice, self.network)
        self.catchments = list({c.catchment.idx: c.catchment for c in self.cohorts}.values())
        self.types = mods.demand.episode_types(cfg.demand)
        self._modules = mods
        for t in self.types.values():
            t.journey = mods.pathways.PATHWAYS[t.pathway]
        self.followup_type = next((self.types[n] for n, e in cfg.demand.episodes.items()
                                   if e.base == "discharges"), None)
        self._compile_routes(cfg.demand)
        pol = cfg.policy
        self.schedules = Schedules(cfg.demand, pol.chronic_management, self.cohorts, self.types,
                                   self.clock, self.streams)
        self.arrivals = Arrivals(cfg.demand, self.cohorts, self.types, self.clock, self.streams,
                                 self.schedules)
        self.policy = mods.policy.Policy(pol, list(self.types), self.streams)
        self.followup_delay = self.streams.sampler("followup", cfg.demand.followup_delay)
        self.return_delay = self.streams.sampler("return", cfg.demand.return_delay)
        self.u_pick = self.streams.uniforms("choice:facility")
        self._u_route = self.streams.uniforms("routing:route")
        self._build_levers(pol)
        self._ed = {}
        self.log = log
        self.visit_rows, self.step_rows = log.visit_rows, log.step_rows    # today's rows
        # episodes' ends, served or left unserved, counted by the engine (in C where compiled)
        self.ends = self.env.tally_type(self._left)
        self.care = mods.context.Context(self)      # what the pathways see of the group
        self.intake = mods.context.Intake(self.env, self.care, self.ends)
        # start(kind, cohort, person=-1): an episode arrives now (the event log, when it names
        # each row's episode, needs the end to know its episode)
        self.start = self._start_named if self.log.episodes else self.intake.start

    def _build_levers(self, pol: Any) -> None:
        """The optional parts of the group each lever needs (None or empty when it is off)."""
        fac = self.network.facilities
        self.outside = next((f for f in fac.values()
                             if f.kind == "external" and "outpatient" in f.services), None)
        lead = next((f for f in fac.values() if f.role == "lead"), None)
        self.lead = lead if lead is not None and "emergency" in lead.services else None
        rd = pol.remote_diagnosis
        self.reader = fac[rd.reader or lead.id].services["reading"] if rd.enabled else None
        self.turnaround = self.streams.sampler("remote:turnaround", rd.turnaround)
        tc = pol.teleconsult
        self.teleconsult = fac[tc.provider or lead.id].services["teleconsult"] \
            if tc.enabled else None
        self.fleet = Fleet(pol.ambulance, self.network, self.streams) \
            if pol.ambulance.enabled else None
        self.books: dict[str, Any] = {}     # appointment books (sim.model.slots) by facility
        if pol.slots.enabled:
            for f in fac.values():
                svc = f.services.get("outpatient")
                if f.kind == "hospital" and svc is not None and svc.base_servers is not None:
                    plans = self.network.day_plans(svc)
                    sessions = [h if h else ([0.0, 24.0] if h is None else None)
                                for _, h in plans]
                    servers = [n if sessions[i] else 0 for i, (n, _) in enumerate(plans)]
                    self.books[f.id] = self._modules.slots.AppointmentBook(servers, sessions,
                                                                           pol.slots)
        self.choice = None
        if pol.choice.enabled:
            self.choice = Choice(pol.choice, self.policy, self.catchments,
                                 list(self.types.values()), len(self.network.services))
            self.policy.choice = self.choice
            self.choice.refresh(0.0, self.days_to_slot)

    def days_to_slot(self, fac: Any, now: float) -> float:
        """Days to ``fac``'s first free public slot (0 without slots)."""
        book = self.books.get(fac.id)
        return 0.0 if book is None else min(book.days_to_first_public(now), 365.0)

    def down_places(self, centre: Any) -> list:
        """Community places a down-referred patient of ``centre`` can take (empty if closed)."""
        if centre is None or not centre.is_open:
            return []
        names = ("rehab_beds", "home_beds") if self.policy.home_beds else ("rehab_beds",)
        return [centre.services[n] for n in names if n in centre.services]

    def nearest_ed(self, catchment: Catchment) -> Any:
        """The group hospital with an emergency department nearest the catchment."""
        eds = [f for f in self.network.facilities.values()
               if f.kind == "hospital" and "emergency" in f.services and f.is_open]
        return min(eds, key=lambda f: distance(f.location, catchment.location))

    # -- helpers used by pathways ---------------------------------------------------------
    def ed_choice(self, catchment: Catchment) -> list:
        """The catchment's hospital choices restricted to those with an emergency department."""
        table = self._ed.get(catchment.id)
        if table is None:
            with_ed = [(f, p) for f, p in shares(catchment.hospitals) if "emergency" in f.services]
            total = sum(p for _, p in with_ed) or 1.0
            acc, table = 0.0, []
            for f, p in with_ed:
                acc += p / total
                table.append((acc, f))
            self._ed[catchment.id] = table
        return table

    def route_next(self, row: tuple) -> Any:
        u = self._u_route.next()
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

    @property
    def arrived(self) -> int:
        """Episodes started so far."""
        return self.intake.arrived

    @property
    def completed(self) -> int:
        """Episodes served to their end (their pathway returned True)."""
        return self.ends.served

    @property
    def left(self) -> int:
        """Episodes that ended unserved (a patient who gave up, a closed facility)."""
        return self.ends.unserved

    def _left(self) -> None:
        self.log.step(LEFT, -1, -1, self.env.now)

    def _start_named(self, kind: EpisodeType, cohort: Cohort, person: int = -1) -> None:
        """``start`` when the log records episode ids: the end knows its episode."""
        self.intake.arrived += 1
        ep = self._modules.context.Episode(self.arrived, kind, cohort, self.env.now, person)
        self.env.journey(kind.journey(self.care, ep), lambda served: self._end_named(ep, served))

    def _end_named(self, ep: Episode, served: bool) -> None:
        if served:
            self.ends.served += 1
        else:
            self.ends.unserved += 1
            self.log.step(LEFT, -1, -1, self.env.now, episode=ep.id)

    def _starts(self) -> Callable[[list[int]], list[tuple]]:
        """``starts(ids)``: the ``start`` arguments of each arrival id of ``Arrivals.day`` (a
        Poisson stream below the number of streams, else a scheduled person), for the engine to
        call ``start`` with, with no Python call of ours between."""
        n_streams = len(self.arrivals.cohort)
        streams = list(zip(self.arrivals.etype, self.arrivals.cohort))
        types = list(self.types.values())
        person_cohort = [self.cohorts[i] for i in self.schedules.person_cohort]
        person_type = [types[i] for i in self.schedules.person_type]

        def starts(ids: list[int]) -> list[tuple]:
            return [streams[s] if s < n_streams else
                    (person_type[s - n_streams], person_cohort[s - n_streams], s - n_streams)
                    for s in ids]
        return starts

    def _midnights(self):
        """Snapshot the pools at every midnight but the last (``run`` takes that one)."""
        for day in range(self.clock.days - 1):
            yield self.env.timeout(DAY)
            self._snapshot(day)
            today = self.log.roll()
            if self.choice is not None:
                self.choice.observe(np.frombuffer(today["v_service"], "i").astype(np.int64),
                                    np.frombuffer(today["v_wait"], "d"))
                self.choice.refresh(self.env.now, self.days_to_slot)
            self.care.visit_rows = self.visit_rows = self.log.visit_rows
            self.care.step_rows = self.step_rows = self.log.step_rows

    def _snapshot(self, day: int) -> None:
        """Each pool's cumulative time integrals at the end of ``day`` (for the time series)."""
        self.daily[day] = [svc.pool.areas() for svc in self.network.services]

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
        self.daily = np.zeros((self.clock.days, len(self.network.services), 3))
        """Busy, available and waiting minutes of each service up to each midnight."""
        for process in (self.network.calendar(), self._midnights()):
            self.env.driver(process)
        starts = self._starts()
        for day in range(self.clock.days):
            times, ids = self.arrivals.day(day)
            self.env.feed(times, starts(ids), self.start)
            self.env.run_until((day + 1) * DAY)
            if on_day is not None:
                on_day(day)
        self.log.roll()                          # the last day's rows join the closed chunks
        self._snapshot(self.clock.days - 1)
        self.check_conservation()

    def in_system(self) -> int:
        """Patients still in the model, counted from what they wait on (not from counters)."""
        waits = [cb for svc in self.network.services for lane in svc.pool.lanes
                 for ev in lane for cb in ev.callbacks]
        journeys: set = set()
        for callback in waits + self.env.pending():
            _collect_journeys(callback, journeys, set(), self.env.journey_type)
        return len(journeys)

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


def model_modules(engine: str) -> ModelModules:
    """The model's modules: all compiled on the ``fast`` engine where the engine and all of
    them are built (each reads the others' C types), else their Python source
    (``run.engine=python`` runs no compiled code)."""
    if engine == "fast" and COMPILED and None not in COMPILED_MODEL:
        return COMPILED_MODEL
    return PYTHON_MODEL


def _collect_journeys(callback: Any, found: set, seen: set, journey_type: type) -> None:
    """The journey ``callback`` resumes, following conditions (``a | b``) to the journey
    waiting on them."""
    owner = getattr(callback, "__self__", None)
    if type(owner) is journey_type:
        found.add(owner)
    elif isinstance(owner, simpy.events.Condition) and id(owner) not in seen:
        seen.add(id(owner))
        for cb in owner.callbacks or ():
            _collect_journeys(cb, found, seen, journey_type)
