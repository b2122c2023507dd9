"""Derived config values: Latin-hypercube design points and planned staffing densities."""
from __future__ import annotations

import copy
import math

import pytest
from omegaconf import OmegaConf

from sim.api import compose_config, simulate
from sim.config import ConfigError, validate
from sim.config.design import apportion, derive, design_values

RANGES = {"policy.adherence": [0.2, 0.9], "policy.bypass.minor": [0.1, 0.6],
          "demand.episodes.complex.p_refer_up": [0.2, 0.6]}
TINY = ["run.warmup_days=0", "run.horizon_days=1", "run.replications=1", "run.workers=1",
        "run.progress=false", "run.figures=false", "scenario.compare=false"]


_BASE = {}


def _default():
    """The default preset, composed once (Hydra composition takes about half a second)."""
    if not _BASE:
        _BASE["cfg"], _BASE["sources"] = compose_config([])
    return copy.deepcopy(_BASE["cfg"]), dict(_BASE["sources"])


def _design(n: int, point: int, seed: int = 7, ranges: dict | None = None):
    cfg, sources = _default()
    cfg.design.n, cfg.design.point, cfg.design.seed = n, point, seed
    cfg.design.ranges = ranges or RANGES
    return cfg, sources


@pytest.mark.slow
def test_latin_hypercube_puts_one_point_in_each_stratum_of_every_dimension():
    n = 8
    points = []
    for point in range(n):
        cfg, sources = _design(n, point)
        validate(cfg, sources)
        out = derive(cfg, sources)
        points.append({k: OmegaConf.select(out, k) for k in RANGES})
    for key, (lo, hi) in RANGES.items():
        strata = sorted(int((p[key] - lo) / (hi - lo) * n) for p in points)
        assert strata == list(range(n)), key


def test_a_design_point_lands_in_range_and_in_the_config_and_the_input_is_untouched():
    cfg, sources = _design(16, 5)
    out = derive(cfg, sources)
    values = design_values(cfg.design)
    assert sorted(values) == sorted(RANGES)
    for key, (lo, hi) in RANGES.items():
        assert lo <= values[key] <= hi
        assert OmegaConf.select(out, key) == pytest.approx(values[key])
    base, _ = _default()
    assert cfg.policy.adherence == base.policy.adherence                    # input untouched
    assert cfg.policy.bypass.minor == base.policy.bypass.minor
    assert out.policy.bypass.chronic == cfg.policy.bypass.chronic           # other keys kept


def test_the_same_seed_gives_the_same_point_and_another_seed_another():
    a = design_values(_design(16, 3, seed=11)[0].design)
    b = design_values(_design(16, 3, seed=11)[0].design)
    c = design_values(_design(16, 3, seed=12)[0].design)
    assert a == b
    assert a != c


def test_an_integer_key_gets_a_rounded_value():
    cfg, sources = _design(4, 2, ranges={"policy.slots.max_days": [30, 120]})
    out = derive(cfg, sources)
    assert isinstance(out.policy.slots.max_days, int) and 30 <= out.policy.slots.max_days <= 120


def test_no_design_no_staffing_and_no_sessions_leave_the_config_as_it_is():
    cfg, sources = compose_config(["preset=jinghai_2020"])     # servers given, not in_session
    assert derive(cfg, sources) is cfg


@pytest.mark.parametrize("weights, total", [([22, 13, 1, 1], 20), ([5, 5, 5], 10),
                                            ([800, 500, 0, 70], 1000), ([3, 1, 1, 1], 4)])
def test_apportion_is_exact_proportional_and_keeps_one_each(weights, total):
    n = apportion(weights, total)
    assert sum(n) == total
    for w, k in zip(weights, n):
        assert (k == 0) if w == 0 else (k >= 1)
        quota = total * w / sum(weights)
        assert k == 1 or abs(k - quota) < 1 or quota < 1


def _density_run(overrides: list[str]):
    result = simulate([*TINY, *overrides])
    cfg = result.config
    residents = sum(c.residents for c in cfg.population.catchments.values()) \
        * cfg.population.scale
    return result, residents


@pytest.mark.parametrize("scale", [1.0, 0.2])
@pytest.mark.slow
def test_staffing_lands_the_run_on_the_planned_density(scale):
    gps, beds = 3.0, 2.58
    result, residents = _density_run(["preset=jinghai_2025", f"population.scale={scale}",
                                      f"network.staffing.gps_per_10k={gps}",
                                      f"network.staffing.beds_per_1000={beds}"])
    s = result.summary["mean"]
    # the modelled counts are the fewest servers reaching the density: at it, by under one server
    assert s["gps_per_10k"] * residents / 1e4 == pytest.approx(math.ceil(gps * residents / 1e4))
    assert s["beds_per_1000"] * residents / 1e3 == pytest.approx(math.ceil(beds * residents / 1e3))
    assert gps <= s["gps_per_10k"] < gps + 1 / residents * 1e4
    assert beds <= s["beds_per_1000"] < beds + 1 / residents * 1e3
    # in proportion: central township hospitals keep more GPs than general ones
    fac = result.config.network.facilities
    assert fac.duliu_thc.services.gp.servers > fac.jinghaizhen_thc.services.gp.servers
    assert fac.city_hospitals.services.beds.servers is None          # external: untouched


@pytest.mark.parametrize("start, step_counted", [("2026-10-20", True), ("2026-10-01", False)])
@pytest.mark.slow
def test_staffing_scales_schedule_steps_and_hits_the_density_on_the_last_day(start, step_counted):
    """空港医院's beds step from 320 to 420 on 2026-11-01 (network/baoshui.yaml); 临港医院 opens
    in 2027. The density is exact on the run's last day, with or without the step by then."""
    base_cfg, _ = compose_config(["preset=baoshui", "network=baoshui"])
    result, residents = _density_run(["preset=baoshui", "network=baoshui", "targets=none",
                                      f"run.start_date={start}", "run.horizon_days=14",
                                      "network.staffing.beds_per_1000=4"])
    assert result.summary.loc["beds_per_1000", "mean"] * residents / 1e3 \
        == pytest.approx(math.ceil(4 * residents / 1e3))
    old = base_cfg.network.facilities.konggang_hospital.services.beds
    new = result.config.network.facilities.konggang_hospital.services.beds
    assert len(new.schedule) == 1 and new.schedule[0].date == old.schedule[0].date
    ratio_old = old.schedule[0].servers / old.servers
    assert new.schedule[0].servers / new.servers == pytest.approx(ratio_old, abs=0.01)
    assert new.servers != old.servers and new.schedule[0].servers != old.schedule[0].servers
    lingang = result.config.network.facilities.lingang_hospital.services.beds.servers
    assert lingang > 0 and lingang != 60        # not open on the last day: scaled all the same
    # the density is measured with the value in effect on the last day
    in_effect = new.schedule[0].servers if step_counted else new.servers
    others = sum(f.services[s].servers for fid, f in result.config.network.facilities.items()
                 if fid not in ("konggang_hospital", "lingang_hospital")
                 and f.kind != "external" and (f.opens is None or str(f.opens) <= start)
                 for s in ("beds", "rehab_beds") if s in f.services)
    assert in_effect + others == math.ceil(4 * residents / 1e3)


@pytest.mark.parametrize("setup, key, allowed", [
    (dict(n=4, point=4), "design.point", "<= 3"),
    (dict(n=4, point=-1), "design.point", ">= 0"),
    (dict(n=-1), "design.n", ">= 0"),
    (dict(n=4, ranges={}), "design.ranges", "needs at least one key"),
    (dict(ranges={"policy.adherance": [0.1, 0.9]}), "design.ranges.policy.adherance",
     "does not exist"),
    (dict(ranges={"policy.name": [0.1, 0.9]}), "design.ranges.policy.name", "numeric"),
    (dict(ranges={"policy.adherence": [0.9, 0.1]}), "design.ranges.policy.adherence",
     "low < high"),
    (dict(ranges={"policy.adherence": [0.5, 0.5]}), "design.ranges.policy.adherence",
     "low < high"),
    (dict(ranges={"policy.adherence": [0.5]}), "design.ranges.policy.adherence",
     "[low, high]"),
    (dict(ranges={"design.seed": [0, 5]}), "design.ranges.design.seed", "its own settings"),
])
def test_bad_designs_are_refused(setup, key, allowed):
    cfg, sources = _default()
    for k, v in setup.items():
        cfg.design[k] = v
    with pytest.raises(ConfigError) as info:
        validate(cfg, sources)
    assert info.value.key == key and allowed in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", ["gps_per_10k", "beds_per_1000"])
@pytest.mark.parametrize("value", [0.0, -2.0, math.inf, math.nan])
def test_staffing_densities_must_be_positive_and_finite(name, value):
    cfg, sources = _default()
    cfg.network.staffing[name] = value
    with pytest.raises(ConfigError) as info:
        validate(cfg, sources)
    assert info.value.key == f"network.staffing.{name}" and "> 0.0" in str(info.value)


def test_a_bad_density_on_the_command_line_is_traced_to_it():
    cfg, sources = compose_config(["network.staffing.gps_per_10k=-1"])
    with pytest.raises(ConfigError, match="gps_per_10k = -1.0: .*command-line override"):
        validate(cfg, sources)


def test_a_density_too_low_for_the_scale_names_the_scale_needed():
    cfg, sources = compose_config(["preset=jinghai_2025", "population.scale=0.05",
                                   "network.staffing.gps_per_10k=3"])
    validate(cfg, sources)
    with pytest.raises(ConfigError) as info:
        derive(cfg, sources)
    msg = str(info.value)
    assert info.value.key == "network.staffing.gps_per_10k" and "population.scale" in msg
    need = float(msg.split("at least ")[1].split()[0])
    assert 0.05 < need < 0.2       # 36 staffed GP services need ≥ 36 GPs: 36 / 3 × 10⁴ / 787,106


def test_a_design_value_out_of_the_keys_range_is_refused_naming_the_design():
    cfg, sources = _design(4, 3, ranges={"policy.adherence": [0.5, 1.5]})
    validate(cfg, sources)      # the range itself is well formed
    points = [design_values(_design(4, p, ranges={"policy.adherence": [0.5, 1.5]})[0].design)
              for p in range(4)]
    bad = next(p for p in range(4) if points[p]["policy.adherence"] > 1)
    cfg, sources = _design(4, bad, ranges={"policy.adherence": [0.5, 1.5]})
    with pytest.raises(ConfigError) as info:
        derive(cfg, sources)
    assert info.value.key == "policy.adherence" and "design.ranges" in str(info.value)
    assert math.isfinite(info.value.value)
