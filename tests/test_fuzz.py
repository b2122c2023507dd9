"""Invariants under fuzzing: small random valid networks, populations and policies (hypothesis)
must conserve patients, never wait negatively, never occupy more beds than exist, keep busy
time within staffed time where capacity never drops, and repeat exactly with the same seed."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omegaconf import OmegaConf

from sim.api import CONFIG_DIR, compose_config, run_config
from sim.config.schema import NetworkConfig, PopulationConfig
from sim.engine.streams import replication_seeds
from sim.metrics.log import Log
from sim.model.group import MedicalGroup

pytestmark = pytest.mark.slow       # about 20 s: 6 random groups, each simulated

POLICIES = sorted(p.stem for p in (CONFIG_DIR / "policy").glob("*.yaml"))
HOURS = [8, 17.5]


def _shares(draw, names: list[str]) -> dict[str, float]:
    """A probability distribution over ``names`` that sums to exactly 1."""
    w = [draw(st.integers(1, 10)) for _ in names]
    out = {n: round(x / sum(w), 6) for n, x in zip(names, w)}
    out[names[-1]] = round(1.0 - sum(out[n] for n in names[:-1]), 6)
    return out


def _service(draw, lo: int, hi: int, mean: tuple, unit: str = "min", hours=True) -> dict:
    svc = {"servers": draw(st.integers(lo, hi)),
           "service_time": {"dist": draw(st.sampled_from(["exponential", "lognormal", "gamma"])),
                            "mean": draw(st.floats(*mean)), "cv": draw(st.floats(0.2, 1.5)),
                            "unit": unit}}
    if hours:
        svc["hours"] = HOURS
    return svc


@st.composite
def scenarios(draw) -> tuple[dict, list[str]]:
    """(network and population as plain dicts, overrides for the rest)."""
    n_primary = draw(st.integers(1, 3))
    primary = {}
    for i in range(n_primary):
        centre = i == 0
        services = {"gp": _service(draw, 1, 4, (2.0, 8.0))}
        if centre:
            services |= {"exam": _service(draw, 1, 3, (5.0, 15.0)),
                         "public_health": _service(draw, 1, 2, (10.0, 30.0)),
                         "rehab_beds": _service(draw, 1, 6, (3.0, 12.0), "day", False),
                         "home_beds": _service(draw, 1, 6, (5.0, 20.0), "day", False)}
        primary[f"p{i}"] = {"name": f"p{i}", "kind": "centre" if centre else "station",
                            "location": [float(i), 0.0], "services": services}
    hospital = {"name": "h", "kind": "hospital", "role": "lead", "level": 3,
                "location": [3.0, 3.0], "services": {
                    "outpatient": _service(draw, 1, 6, (3.0, 12.0)),
                    "exam": _service(draw, 1, 4, (5.0, 20.0)),
                    "reading": _service(draw, 1, 2, (5.0, 15.0)),
                    "teleconsult": _service(draw, 1, 2, (10.0, 20.0)),
                    "emergency": _service(draw, 1, 3, (10.0, 30.0), hours=False),
                    "beds": _service(draw, 2, 40, (2.0, 10.0), "day", False)}}
    city = {"name": "city", "kind": "external", "location": [-5.0, 0.0], "services": {
        "outpatient": {"service_time": {"dist": "exponential", "mean": 6.0}},
        "exam": {"service_time": {"dist": "exponential", "mean": 10.0}},
        "emergency": {"service_time": {"dist": "exponential", "mean": 20.0}},
        "beds": {"service_time": {"dist": "exponential", "mean": 8.0, "unit": "day"}}}}
    ems = {"name": "ems", "kind": "ems", "location": [1.0, 1.0], "services": {
        "ambulances": {"servers": draw(st.integers(1, 3)),
                       "service_time": {"dist": "deterministic", "mean": 0.0}}}}
    facilities = {"h": hospital, "city": city, "ems": ems, **primary}
    network = {"name": "fuzz", "facilities": facilities,
               "default_refer_to": _shares(draw, ["h", "city"]),
               "hospital_choice": _shares(draw, ["h", "city"])}
    catchments = {f"c{j}": {"residents": draw(st.integers(300, 3000)),
                            "location": [float(j), 1.0], "radius": 1.5,
                            "primary": _shares(draw, sorted(primary))}
                  for j in range(draw(st.integers(1, 2)))}
    overrides = [f"policy={draw(st.sampled_from(POLICIES))}",
                 f"policy.adherence={draw(st.floats(0.0, 1.0)):.3f}",
                 f"run.seed={draw(st.integers(0, 10_000))}",
                 f"demand.rate_scale={draw(st.sampled_from([1, 1, 8]))}",   # 8: overloaded
                 f"run.warmup_days={draw(st.integers(0, 3))}",
                 f"run.horizon_days={draw(st.integers(3, 10))}",
                 "run.replications=1", "run.workers=1", "run.progress=false",
                 "run.figures=false", "population.scale=1.0", "scenario.compare=false"]
    return {"network": network, "catchments": catchments}, overrides


def _config(parts: dict, overrides: list[str]):
    cfg, sources = compose_config(overrides)
    cfg.network = OmegaConf.merge(OmegaConf.structured(NetworkConfig), parts["network"])
    population = OmegaConf.to_container(cfg.population)
    population["catchments"] = parts["catchments"]
    cfg.population = OmegaConf.merge(OmegaConf.structured(PopulationConfig), population)
    return cfg, sources


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_invariants_hold_on_random_small_groups(scenario):
    parts, overrides = scenario
    cfg, sources = _config(parts, overrides)
    first = run_config(cfg, sources=sources)            # validates; conservation checked inside
    again = run_config(cfg, sources=sources)
    pd.testing.assert_frame_equal(first.summary, again.summary)      # same seed, same numbers
    model = MedicalGroup(cfg, replication_seeds(cfg.run.seed, 1)[0], Log()).run()
    assert model.arrived == model.completed + model.in_system_at_end + model.left
    log = model.log.arrays()
    assert (log["v_wait"] >= 0).all()
    for svc in model.network.services:
        busy, cap, _ = svc.pool.areas()
        assert svc.pool.busy >= 0 and svc.pool.waiting >= 0
        round_clock = all(h is None for _, h in model.network.day_plans(svc))
        if round_clock and cap > 0:             # capacity never drops: utilisation <= 1
            assert busy <= cap * (1 + 1e-9), svc.pool.name
            assert svc.pool.busy <= svc.pool.capacity              # never more beds than exist
    util = first.summary.filter(like="utilisation_", axis=0)["mean"]
    assert np.isfinite(util).all() and (util >= 0).all()
