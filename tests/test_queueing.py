"""Validation against queueing theory: M/M/c (Erlang C), an open Jackson network with feedback,
infinite-server nodes, and Little's law on the pools' time integrals.

Every model here uses the ``route`` pathway (a Markov routing table over "facility.service"
nodes), one catchment with a flat arrival profile and exponential service times, so the
simulator is exactly the textbook model and the theory needs no approximation.

Statistical checks use fixed seeds and a 99 % t-interval over independent replications (the
simulator's own ``t_interval``); 99 % rather than 95 % because the file makes two dozen such
checks, so a change in how random numbers are drawn should not fail one by chance. No bias
allowance is added: the model is exactly M/M/c, the warm-up is many relaxation times long, and
calibration runs of 40-60 replications x 300-600 days per case (intervals 2-3x narrower than
here) showed no bias beyond chance. Each check also demands a half-width below
``MAX_REL_HALF_WIDTH`` of the theory value, so it cannot pass merely because the interval is
wide.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from omegaconf import OmegaConf

from sim.api import run_config
from sim.config.schema import Config
from sim.config.validate import validate
from sim.metrics.stats import t_interval
from sim.metrics.log import Log
from sim.model.group import MedicalGroup

RESIDENTS = 10_000
MINUTES_PER_YEAR = 365 * 1440
CI_LEVEL = 0.99
MAX_REL_HALF_WIDTH = 0.10      # a CI wider than 10 % of the theory value makes a check blind
LITTLE_RTOL = 0.03             # Little's law and traffic rates in one long replication
KIND = "hospital"              # every facility here is a hospital: KPIs are wait_mean_hospital_*


# -- theory ---------------------------------------------------------------------------------

def erlang_c(lam: float, mean_service: float, c: int) -> float:
    """P(wait > 0) in a stationary M/M/c queue (Erlang C), via the stable Erlang B recursion."""
    a = lam * mean_service
    rho = a / c
    assert rho < 1, "unstable queue"
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b / (1.0 - rho * (1.0 - b))


def mmc_wait_mean(lam: float, mean_service: float, c: int) -> float:
    """Mean wait in queue W_q of a stationary M/M/c queue (minutes)."""
    return erlang_c(lam, mean_service, c) / (c / mean_service - lam)


def mmc_wait_quantile(lam: float, mean_service: float, c: int, q: float) -> float:
    """q-quantile of the FIFO M/M/c wait, P(W_q > t) = C exp(-(c mu - lam) t); 0 in the atom."""
    tail = erlang_c(lam, mean_service, c)
    return max(0.0, math.log(tail / (1.0 - q)) / (c / mean_service - lam))


def jackson_rates(nodes: list[str], route: dict, gamma: float) -> np.ndarray:
    """Total arrival rate per node from the traffic equations lambda = gamma + lambda P."""
    p = np.array([[route.get(src, {}).get(dst, 0.0) for dst in nodes] for src in nodes])
    external = gamma * np.array([route["entry"].get(n, 0.0) for n in nodes])
    return np.linalg.solve(np.eye(len(nodes)) - p.T, external)


# -- configs --------------------------------------------------------------------------------

def per_resident_year(lam_per_min: float) -> float:
    """Episode rate per resident-year giving ``lam_per_min`` Poisson arrivals per minute."""
    return lam_per_min * MINUTES_PER_YEAR / RESIDENTS


def facilities(nodes: dict[str, tuple[int | None, float]]) -> dict:
    """Facility configs from ``{"facility.service": (servers or None, mean service minutes)}``."""
    out: dict = {}
    for node, (servers, mean) in nodes.items():
        fid, sid = node.split(".")
        svc = {"service_time": {"dist": "exponential", "mean": mean}}
        if servers is not None:
            svc["servers"] = servers
        out.setdefault(fid, {"name": fid, "kind": KIND, "services": {}})["services"][sid] = svc
    return out


def route_config(nodes: dict, route: dict, gamma: float, warmup_days: int, horizon_days: int,
                 replications: int, seed: int):
    """A validated config: Poisson(``gamma``/min) episodes walking ``route`` over ``nodes``."""
    cfg = OmegaConf.merge(OmegaConf.structured(Config), OmegaConf.create({
        "network": {"name": "queueing", "facilities": facilities(nodes)},
        "population": {"name": "p", "age_shares": {"adult": 1.0},
                       "catchments": {"a": {"residents": RESIDENTS}}},
        "demand": {"name": "d", "profiles": {"flat": {}},
                   "episodes": {"x": {"rate": {"adult": per_resident_year(gamma)},
                                      "pathway": "route", "profile": "flat", "route": route}}},
        "run": {"warmup_days": warmup_days, "horizon_days": horizon_days,
                "replications": replications, "workers": 1, "seed": seed,
                "progress": False, "figures": False},
    }))
    validate(cfg)
    return cfg


def single_node(servers: int | None, mean: float, gamma: float, warmup_days: int,
                horizon_days: int, replications: int, seed: int):
    """entry -> clinic.desk -> exit: an M/M/c (or M/M/inf when ``servers`` is None) queue."""
    return route_config({"clinic.desk": (servers, mean)},
                        {"entry": {"clinic.desk": 1.0}, "clinic.desk": {"exit": 1.0}},
                        gamma, warmup_days, horizon_days, replications, seed)


def run_one(cfg, seed: int) -> MedicalGroup:
    """One replication, kept whole for its logs and pools."""
    return MedicalGroup(cfg, np.random.SeedSequence(seed), Log()).run()


def assert_theory_in_ci(kpis, kpi: str, theory: float) -> None:
    """Theory inside the 99 % CI of ``kpi`` across replications, the CI narrow enough to matter."""
    mean, lo, hi, _, n = t_interval(kpis.loc[kpis.kpi == kpi, "value"].to_numpy(), CI_LEVEL)
    msg = f"{kpi}: theory {theory:.4g}, simulated {mean:.4g} [{lo:.4g}, {hi:.4g}], n={n}"
    assert n >= 10, msg
    assert (hi - lo) / 2 < MAX_REL_HALF_WIDTH * theory, "CI too wide to test anything; " + msg
    assert lo <= theory <= hi, msg


# -- the theory helpers themselves ----------------------------------------------------------

def test_erlang_c_matches_closed_forms():
    """M/M/1: W_q = rho/(mu - lam); M/M/2: P(wait) = 2 rho^2 / (1 + rho)."""
    for rho in (0.3, 0.5, 0.9):
        assert mmc_wait_mean(rho / 10, 10, 1) == pytest.approx(rho / (0.1 - rho / 10))
        assert erlang_c(2 * rho / 10, 10, 2) == pytest.approx(2 * rho**2 / (1 + rho))
    # traffic equations of a feedback loop: lambda = gamma / (1 - p_back)
    rates = jackson_rates(["f.a"], {"entry": {"f.a": 1.0}, "f.a": {"f.a": 0.25, "exit": 0.75}},
                          3.0)
    assert rates == pytest.approx([4.0])


# -- 1. M/M/c against Erlang C --------------------------------------------------------------

MEAN_SERVICE = 10.0   # minutes
# (servers, rho, warm-up days, horizon days); heavier load relaxes slower and needs longer runs
MMC_CASES = [(2, 0.5, 5, 60), (3, 0.8, 5, 80), (2, 0.9, 10, 200)]
MMC_REPLICATIONS = 20


@pytest.fixture(scope="module", params=MMC_CASES, ids=lambda c: f"c{c[0]}-rho{c[1]}")
def mmc(request):
    """(servers, rho, arrival rate per minute, run result) of one M/M/c case."""
    c, rho, warmup, horizon = request.param
    lam = rho * c / MEAN_SERVICE
    cfg = single_node(c, MEAN_SERVICE, lam, warmup, horizon, MMC_REPLICATIONS, seed=20251)
    return c, rho, lam, run_config(cfg)


@pytest.mark.slow
def test_mmc_mean_wait_matches_erlang_c(mmc):
    c, rho, lam, result = mmc
    assert_theory_in_ci(result.kpis, f"wait_mean_{KIND}_desk",
                        mmc_wait_mean(lam, MEAN_SERVICE, c))


@pytest.mark.slow
def test_mmc_wait_p90_matches_fifo_tail_and_utilisation_is_rho(mmc):
    """The 90th percentile pins the FIFO order (mean wait alone is the same for LIFO)."""
    c, rho, lam, result = mmc
    assert_theory_in_ci(result.kpis, f"wait_p90_{KIND}_desk",
                        mmc_wait_quantile(lam, MEAN_SERVICE, c, 0.9))
    assert_theory_in_ci(result.kpis, f"utilisation_{KIND}_desk", rho)


# -- 2. open Jackson network with feedback --------------------------------------------------

# node: (servers, mean service minutes); loads 0.80, 0.72, 0.80 at GAMMA
JACKSON_NODES = {"north.triage": (2, 16.0), "south.lab": (1, 12.0), "north.imaging": (3, 60.0)}
JACKSON_ROUTE = {
    "entry": {"north.triage": 1.0},
    "north.triage": {"south.lab": 0.6, "north.imaging": 0.4},
    "south.lab": {"north.triage": 0.2, "exit": 0.8},          # feedback to triage
    "north.imaging": {"exit": 1.0},
}
GAMMA = 0.088   # external arrivals per minute -> lambda = (0.10, 0.06, 0.04)
JACKSON_REPLICATIONS = 20


def jackson_theory() -> dict[str, tuple[float, float, int, float]]:
    """Per node: (lambda, mean service, servers, M/M/c mean wait) from Jackson's theorem."""
    nodes = list(JACKSON_NODES)
    lam = jackson_rates(nodes, JACKSON_ROUTE, GAMMA)
    out = {}
    for node, rate in zip(nodes, lam):
        c, mean = JACKSON_NODES[node]
        out[node] = (float(rate), mean, c, mmc_wait_mean(rate, mean, c))
    return out


@pytest.mark.slow
def test_jackson_network_with_feedback_matches_product_form():
    theory = jackson_theory()
    loads = [lam * mean / c for lam, mean, c, _ in theory.values()]
    assert loads == pytest.approx([0.80, 0.72, 0.80])   # a demanding, non-trivial network
    cfg = route_config(JACKSON_NODES, JACKSON_ROUTE, GAMMA, warmup_days=10, horizon_days=250,
                       replications=JACKSON_REPLICATIONS, seed=7)
    kpis = run_config(cfg).kpis
    for node, (lam, mean, c, wq) in theory.items():
        service = node.split(".")[1]
        assert_theory_in_ci(kpis, f"wait_mean_{KIND}_{service}", wq)
        assert_theory_in_ci(kpis, f"utilisation_{KIND}_{service}", lam * mean / c)


# -- 3. infinite capacity -------------------------------------------------------------------

def test_unlimited_servers_never_wait_and_have_no_utilisation():
    """M/M/inf at an offered load of 15 busy servers: nobody waits, utilisation is undefined."""
    lam, mean = 0.5, 30.0
    cfg = single_node(None, mean, lam, warmup_days=2, horizon_days=30, replications=3, seed=3)
    result = run_config(cfg)
    kpis = result.kpis.set_index("kpi")["value"]
    assert (kpis.loc[f"wait_mean_{KIND}_desk"] == 0.0).all()
    assert (kpis.loc[f"wait_p90_{KIND}_desk"] == 0.0).all()
    util = f"utilisation_{KIND}_desk"
    assert util not in result.summary.index or np.isnan(result.summary.loc[util, "mean"])

    model = run_one(cfg, seed=3)
    log = model.log.arrays()
    busy, cap, queue = model.network.services[0].pool.areas()
    assert log["v_wait"].size > 0.9 * lam * model.clock.end
    assert log["v_wait"].max() == 0.0
    assert queue == 0.0
    # the number in service of M/M/inf is Poisson(lam E[S]): its time average is lam E[S]
    assert busy / model.clock.end == pytest.approx(lam * mean, rel=LITTLE_RTOL)


# -- 4. Little's law on the pools' integrals ------------------------------------------------

def test_littles_law_per_service_in_the_jackson_network():
    """L_q = lambda W_q and L_s = lambda E[S] per node over one long run started empty.

    Over [0, end] the queue integral is the sum of every wait inside the window: the logged
    waits plus the partial waits of the few still queued at the end, a negligible remainder.
    """
    theory = jackson_theory()
    cfg = route_config(JACKSON_NODES, JACKSON_ROUTE, GAMMA, warmup_days=0, horizon_days=800,
                       replications=1, seed=11)
    model = run_one(cfg, seed=11)
    end = model.clock.end
    log = model.log.arrays()
    for svc in model.network.services:
        node = f"{svc.facility.id}.{svc.name}"
        lam_theory, mean, c, _ = theory[node]
        waits = log["v_wait"][log["v_service"] == svc.idx]
        busy, cap, queue = svc.pool.areas()
        lam = svc.pool.requested / end
        assert waits.size > 30_000, node
        assert lam == pytest.approx(lam_theory, rel=LITTLE_RTOL), f"{node}: traffic equations"
        assert queue / end == pytest.approx(lam * waits.mean(), rel=LITTLE_RTOL), f"{node}: L_q"
        assert busy / end == pytest.approx(lam * mean, rel=LITTLE_RTOL), f"{node}: L_s"
        assert cap / end == pytest.approx(c), f"{node}: capacity integral"
