"""The network in the simulator itself, built through its public config: facilities and
services with exponential service times, one catchment whose residents generate Poisson
episodes of a type walking the ``route`` pathway (as ``tests/test_queueing.py`` configures it).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from omegaconf import OmegaConf

from benchmarks.network import EXIT, Result, RouteNetwork
from sim.config.schema import Config
from sim.config.validate import validate
from sim.metrics.log import Log
from sim.model.group import MedicalGroup

RESIDENTS = 100_000
MINUTES_PER_YEAR = 365 * 1440


@lru_cache(maxsize=8)
def route_config(net: RouteNetwork, days: int, engine: str = "fast") -> Any:
    """A validated config of ``net`` run for ``days`` days on ``engine`` (no warm-up: the
    benchmark filters waits itself, by request time, as the other implementations do). Cached:
    replications differ only in the seed the model is given."""
    names = net.names
    facilities: dict = {}
    for name, c, mean in zip(names, net.servers, net.means):
        fid, sid = name.split(".")
        kind = "station" if sid == "gp" else "hospital"
        svc = {"servers": c, "service_time": {"dist": "exponential", "mean": mean}}
        facilities.setdefault(fid, {"name": fid, "kind": kind, "services": {}})
        facilities[fid]["services"][sid] = svc
    node = {EXIT: "exit", **dict(enumerate(names))}
    route = {("entry" if src == "entry" else names[src]): {node[d]: p for p, d in row}
             for src, row in net.routing.items()}
    cfg = OmegaConf.merge(OmegaConf.structured(Config), OmegaConf.create({
        "network": {"name": "bench", "facilities": facilities,
                    "default_refer_to": {"hospital": 1.0}},   # stations need one (unused)
        "population": {"name": "bench", "age_shares": {"adult": 1.0},
                       "catchments": {"a": {"residents": RESIDENTS}}},
        "demand": {"name": "bench", "profiles": {"flat": {}},
                   "episodes": {"patient": {
                       "rate": {"adult": net.arrival_rate * MINUTES_PER_YEAR / RESIDENTS},
                       "pathway": "route", "profile": "flat", "route": route}}},
        "run": {"warmup_days": 0, "horizon_days": days, "replications": 1, "workers": 1,
                "progress": False, "figures": False, "engine": engine},
    }))
    validate(cfg)
    OmegaConf.set_readonly(cfg, True)          # shared by the cache's callers
    return cfg


class Medgroup:
    """One replication of the simulator on ``net`` over ``days`` days, seeded with ``seed``."""

    def __init__(self, net: RouteNetwork, days: int, seed: int, engine: str = "fast"):
        self.net = net
        self.log = Log()
        self.model = MedicalGroup(route_config(net, days, engine), np.random.SeedSequence(seed),
                                  log=self.log)
        got = [f"{s.facility.id}.{s.name}" for s in self.model.network.services]
        assert got == net.names, f"service order {got} is not the network's node order"

    def run(self) -> None:
        self.model.run()

    def result(self) -> Result:
        try:
            log = self.log.arrays()
            after = log["v_t"] >= self.net.warmup_min
            svc, wait = log["v_service"][after], log["v_wait"][after]
            n = len(self.net.names)
            out = Result(self.model.arrived, np.bincount(svc, weights=wait, minlength=n),
                         np.bincount(svc, minlength=n))
            out.extra["events"] = self.model.env.events_scheduled()
            return out
        finally:
            self.log.close()


def build(net: RouteNetwork, days: int, seed: int) -> Medgroup:
    """The simulator on its default engine (compiled where built)."""
    return Medgroup(net, days, seed)


def build_python(net: RouteNetwork, days: int, seed: int) -> Medgroup:
    """The simulator on its pure-Python engine (``run.engine=python``)."""
    return Medgroup(net, days, seed, "python")
