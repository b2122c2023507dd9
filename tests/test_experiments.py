"""Every experiment composes and validates, and its sweep names existing config keys, options and
valid values; none is run at length here (experiments/README.md has their measured times)."""
from __future__ import annotations

import copy
import importlib.util
import math

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import IntervalSweep
from omegaconf import OmegaConf

from sim.analysis.calibration import band_objective
from sim.api import CONFIG_DIR, compose_config, run_config
from sim.config import register_configs, validate
from sim.config.design import derive

EXPERIMENTS = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))
# sweepers and launchers an experiment may select, and the plugin module each needs
PLUGINS = {"optuna": "hydra_plugins.hydra_optuna_sweeper"}


def _plugin_of(name: str) -> str | None:
    """The plugin module an experiment's defaults list needs, if any."""
    body = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "experiment" / f"{name}.yaml"))
    for entry in body.get("defaults", []):
        for key, value in (entry.items() if isinstance(entry, dict) else []):
            if "hydra/" in str(key) and value in PLUGINS:
                return PLUGINS[value]
    return None


def _compose(name: str, extra: list[str] = ()):
    """The experiment's run config (hydra removed) and its sweep params, as ``-m`` composes them."""
    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        full = compose("config", overrides=[f"experiment={name}", *extra],
                       return_hydra_config=True)
    params = OmegaConf.to_container(full.hydra.sweeper.params or {})
    cfg, sources = compose_config([f"experiment={name}", *extra])
    return cfg, sources, params


def _sweep(key: str, value: str) -> list:
    """The values a sweep param takes: each choice or range element; an interval's two ends."""
    override = OverridesParser.create().parse_overrides([f"{key}={value}"])[0]
    if override.is_sweep_override():
        sweep = override.value()
        if isinstance(sweep, IntervalSweep):
            return [sweep.start, sweep.end]
        return list(override.sweep_iterator())
    return [override.value()]


def test_there_are_the_five_studies():
    assert set(EXPERIMENTS) >= {"dongli_policies", "baoshui_timeline", "jinghai_capacity",
                                "referral_sensitivity", "calibrate_jinghai"}


@pytest.mark.parametrize("name", EXPERIMENTS)
@pytest.mark.slow
def test_every_experiment_composes_validates_and_sweeps_over_real_keys(name):
    plugin = _plugin_of(name)
    if plugin:
        pytest.importorskip(plugin, reason=f"experiment {name} needs {plugin} (a pip extra)")
    cfg, sources, params = _compose(name)
    validate(cfg, sources)
    derive(cfg, sources)
    assert cfg.experiment == name and cfg.sweep_name == name
    assert params, "an experiment is a study: it sweeps something"
    for key, value in params.items():
        values = _sweep(key, str(value))
        assert values, key
        group = CONFIG_DIR / key
        if group.is_dir():                  # a config group: every option is a file of it
            for option in values:
                assert (group / f"{option}.yaml").exists(), f"{key}={option}"
            continue
        current = OmegaConf.select(cfg, key, default=KeyError)
        assert current is not KeyError, f"{key} is not a config key"
        if key == "design.point":           # every point of the design, each within a range
            assert sorted(values) == list(range(cfg.design.n))
            _check_design_ranges(cfg, sources)
            values = [values[0], values[-1]]
        for v in values:                    # every value of the sweep validates and derives
            point = copy.deepcopy(cfg)
            OmegaConf.update(point, key, v, merge=False)
            validate(point, sources)
            derive(point, sources)


def _check_design_ranges(cfg, sources) -> None:
    """Both ends of every design range are valid values of its key, so every point inside is
    (validation checks intervals: probabilities, non-negative rates)."""
    for key, (lo, hi) in cfg.design.ranges.items():
        for v in (lo, hi):
            end = copy.deepcopy(cfg)
            end.design.n = 0
            OmegaConf.update(end, key, v, merge=False)
            validate(end, sources)


@pytest.mark.slow
def test_the_baoshui_counterfactual_networks_validate_and_remove_their_openings():
    cfg, sources, params = _compose("baoshui_timeline")
    plan = cfg.network.facilities
    end = "2028-01-01"
    for network in _sweep("network", params["network"]):
        cf, src = compose_config(["experiment=baoshui_timeline", f"network={network}"])
        validate(cf, src)
        fac = cf.network.facilities
        assert cf.network.name == network
        opens = {fid for fid, f in fac.items() if f.opens and "2025" <= str(f.opens) < end}
        steps = sum(len(s.schedule) for s in fac.konggang_hospital.services.values())
        if network in ("baoshui_no_stations", "baoshui_no_openings"):
            assert not any(fid.endswith("_st") for fid in opens)
        if network in ("baoshui_no_phase2", "baoshui_no_openings"):
            assert steps == 0
        if network in ("baoshui_no_lingang", "baoshui_no_openings"):
            assert "lingang_hospital" not in opens
        if network == "baoshui":
            assert steps == 4 and len(opens) == 7
        # nothing else changes: same facilities, same base capacities
        assert list(fac) == list(plan)
        for fid, f in fac.items():
            for sid, s in f.services.items():
                assert s.servers == plan[fid].services[sid].servers, (network, fid, sid)


def _calibration_config(name: str, tiny: list[str]):
    """A calibration experiment's run config. Without the optuna plugin (the CI installs only
    .[test]) Hydra cannot compose it, so its body is merged by hand onto its preset, as Hydra
    would."""
    if importlib.util.find_spec("optuna") is not None:
        return compose_config([f"experiment={name}", *tiny])
    body = OmegaConf.load(CONFIG_DIR / "experiment" / f"{name}.yaml")
    preset = next(d for d in body.defaults if "/preset" in str(d))["override /preset"]
    for key in ("defaults", "hydra"):
        body.pop(key)
    cfg, sources = compose_config([f"preset={preset}", "policy=baseline"])
    OmegaConf.set_struct(cfg, False)          # Hydra merges an experiment's new dict keys so too
    cfg = OmegaConf.merge(cfg, body, OmegaConf.from_dotlist(tiny))
    OmegaConf.set_struct(cfg, True)
    return cfg, sources


@pytest.mark.slow
@pytest.mark.parametrize("name, preset", [("calibrate_jinghai", "jinghai_2020"),
                                          ("calibrate_dongli", "dongli")])
def test_the_calibration_experiments_fit_the_observed_bands_on_a_tiny_run(name, preset):
    """Each fits its preset's observed bands (calibration.bands) on today alone; the objective
    on a run is finite, and the search varies existing keys."""
    cfg, sources = _calibration_config(name, ["population.scale=0.02", "run.warmup_days=1",
                                              "run.horizon_days=3", "run.replications=2",
                                              "run.workers=1"])
    assert cfg.experiment == name and cfg.preset == preset and cfg.calibration.bands
    assert not cfg.scenario.compare and len(cfg.observed.figures) >= 4
    result = run_config(cfg, None, sources)
    value = band_objective(result.summary, cfg.observed, ("beds_per_1000", "gps_per_10k"))
    assert math.isfinite(value) and value >= 0
    params = OmegaConf.load(CONFIG_DIR / "experiment" / f"{name}.yaml").hydra.sweeper.params
    for key in params:
        assert OmegaConf.select(cfg, key, default=None) is not None, key
