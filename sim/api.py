"""The Python API: the same config composition as the command line, for notebooks and tests.

    from sim.api import simulate
    result = simulate(["population.scale=0.05", "run.replications=3"])
    result.summary.loc["primary_visit_share"]
"""
from __future__ import annotations

import pickle
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Mapping

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException
from yaml import YAMLError
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.analysis.observed import reproduced
from sim.analysis.publish import write_observed, write_scorecard
from sim.analysis.report import write_run_report
from sim.analysis.scale import warning as scale_warning
from sim.analysis.scorecard import scorecard
from sim.config import register_configs, validate
from sim.config.assumptions import assumptions
from sim.config.design import derive
from sim.config.explain import check_additions, explain
from sim.domain.clock import single_year
from sim.runner.outputs import (PLAN_DIR, mark_complete, mark_incomplete, write_assumptions,
                                write_data)
from sim.runner.run import RunResult, run_scenarios

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
GROUPS = ("network", "population", "demand", "policy", "targets", "observed", "run")
SCENARIO_GROUPS = ("preset", "plan", "experiment")   # global packages: their files are sources too


COMPOSED_KEPT = 32       # composed configs a process keeps (one is about 200 kB pickled)
_composed: OrderedDict[tuple, tuple[bytes, dict[str, str]]] = OrderedDict()


def compose_config(overrides: list[str] | None = None, config_name: str = "config",
                   config_dir: Path = CONFIG_DIR) -> tuple[DictConfig, dict[str, str]]:
    """Compose like ``python -m sim``; returns the config and the file each group came from.

    Raises ``ConfigError`` (one line: key, value, allowed, file) when composition fails.
    Composing takes about 1 s (OmegaConf merging the typed schema), so a process keeps what it
    composed by its group choices (and the size and mtime of the config files) and applies the
    plain ``key=value`` overrides to a copy, as Hydra applies them after the defaults list:
    another value of ``run.seed`` or ``population.scale`` takes milliseconds."""
    overrides = list(overrides or [])
    groups, values = _split(overrides, Path(config_dir))
    values = _plain(values)
    if values is None:                  # a sweep or bad syntax: Hydra's own error, in one line
        groups, values = overrides, []
    key = (tuple(groups), config_name, _files_state(config_dir, groups))
    kept = _composed.get(key)
    if kept is None:
        cfg, sources = _compose(groups, config_name, config_dir)
        kept = _composed[key] = (pickle.dumps(cfg), sources)
        if len(_composed) > COMPOSED_KEPT:
            _composed.popitem(last=False)
    _composed.move_to_end(key)
    cfg, sources = pickle.loads(kept[0]), dict(kept[1])
    if values:
        _apply_values(cfg, values, overrides, Path(config_dir))
        sources.update(sources_of({}, [o.input_line for o in values]))
    return cfg, sources


def _split(overrides: list[str], config_dir: Path) -> tuple[list[str], list[str]]:
    """(what the cached composition takes, plain ``key=value`` changes applied to it after).

    Hydra builds the defaults list from group choices wherever they stand, then applies every
    other override in command-line order; so a plain change is held back only while no
    addition or deletion (``+key``, ``~key``) follows it: then nothing is held back."""
    kept, values = [], []
    for o in overrides:
        key = o.lstrip("+~").split("=", 1)[0]
        group = ("@" in key or "/" in key or key.startswith("hydra")
                 or (config_dir / key.replace(".", "/")).is_dir())
        if o[:1] not in ("+", "~") and "=" in o and not group:
            values.append(o)
        elif group or not values:
            kept.append(o)
        else:
            return overrides, []
    return kept, values


def _plain(values: list[str]) -> list | None:
    """``values`` parsed by Hydra's grammar; None if one is a sweep or does not parse."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    try:
        parsed = OverridesParser.create().parse_overrides(values)
    except HydraException:
        return None
    return None if any(o.is_sweep_override() for o in parsed) else parsed


def _apply_values(cfg: DictConfig, values: list, overrides: list[str],
                  config_dir: Path) -> None:
    """Hydra's own step that applies parsed command-line values to a composed config, then
    the resolution check ``_compose`` makes; errors explained like a composition's."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    try:
        ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
        OmegaConf.to_container(cfg, resolve=True)     # an interpolation that cannot resolve
    except (HydraException, OmegaConfBaseException) as err:
        raise explain(err, overrides, config_dir) from err


def _files_state(config_dir: Path, overrides: list[str]) -> tuple:
    """Path, size and modification time of every config file a composition may read (the
    config folder and any ``file://`` search path an override adds)."""
    dirs = [Path(config_dir)] + [Path(p) for o in overrides if o.startswith("hydra.searchpath")
                                 for p in re.findall(r"file://([^,\]\s'\"]+)", o)]
    return tuple((str(f), st.st_size, st.st_mtime_ns) for d in dirs if d.is_dir()
                 for f in sorted(d.rglob("*.yaml")) for st in [f.stat()])


def _compose(overrides: list[str], config_name: str,
             config_dir: Path) -> tuple[DictConfig, dict[str, str]]:
    register_configs()
    GlobalHydra.instance().clear()
    check_additions(overrides, Path(config_dir))
    try:
        with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
            cfg = compose(config_name, overrides=overrides, return_hydra_config=True)
        sources = sources_of(cfg.hydra.runtime.choices, overrides or [])
        with open_dict(cfg):
            del cfg["hydra"]
        OmegaConf.to_container(cfg, resolve=True)     # an interpolation that cannot resolve
    except (HydraException, OmegaConfBaseException, YAMLError) as err:
        raise explain(err, overrides, Path(config_dir)) from err
    return cfg, sources


def sources_of(choices: Mapping[str, Any], overrides: list[str]) -> dict[str, str]:
    """Where values came from, for error messages: each group's YAML file, each override's key."""
    out = {group: f"configs/{group}/{choices[group]}.yaml"
           for group in GROUPS + SCENARIO_GROUPS if choices.get(group)}
    if choices.get("policy"):
        out.update(_lever_sources(choices["policy"]))
    for o in overrides:
        key = o.lstrip("+~").split("=", 1)[0]
        if key not in GROUPS + SCENARIO_GROUPS:   # a group choice names a file, mapped above
            out[key] = "a command-line override"
    return out


def _lever_sources(policy: str) -> dict[str, str]:
    """``policy.<section>`` → the lever file a policy's defaults list took it from."""
    path = CONFIG_DIR / "policy" / f"{policy}.yaml"
    if not path.exists():
        return {}
    out = {}
    for entry in OmegaConf.load(path).get("defaults", []):
        if isinstance(entry, str) and entry.startswith("/lever/"):
            name = entry[len("/lever/"):].split("@")[0]
            lever = OmegaConf.load(CONFIG_DIR / "lever" / f"{name}.yaml")
            out.update({f"policy.{key}": f"configs/lever/{name}.yaml" for key in lever})
    return out


def plan_of(cfg: DictConfig, overrides: list[str]) -> tuple[DictConfig, dict[str, str]] | None:
    """The plan scenario when ``scenario.compare``: today's command line with the preset's
    ``scenario.plan_overrides`` on top. A key the command line sets keeps its value in both,
    except the scenario groups (``preset``, ``plan``), which the plan names."""
    sc = cfg.scenario
    if not sc.compare or not sc.plan_overrides:
        return None
    plan = list(sc.plan_overrides)
    named = {_key(o) for o in plan if _key(o) in SCENARIO_GROUPS}
    mine = [o for o in overrides if _key(o) not in named]
    keys = {_key(o) for o in mine}
    plan = [o for o in plan if _key(o) not in keys]
    return compose_config(mine + plan + ["scenario.compare=false"])


def _key(override: str) -> str:
    return override.lstrip("+~").split("=", 1)[0]


def run_config(cfg: DictConfig, out_dir: str | Path | None = None,
               sources: Mapping[str, str] | None = None,
               tick: Callable[[int], None] | None = None,
               plan: tuple[DictConfig, Mapping[str, str]] | None = None) -> RunResult:
    """Validate, simulate every replication, and write the output contract if ``out_dir``.

    With ``plan`` (``plan_of``), the run is today and the plan is simulated beside it on the
    same seeds (common random numbers, one pool of workers) into ``out_dir/plan``; the
    scorecard judges the plan against today."""
    out = None if out_dir is None else Path(out_dir)
    scenarios = [(_prepared(cfg, sources), sources, out)]
    if plan is not None:
        scenarios.append((_prepared(*plan), plan[1], None if out is None else out / PLAN_DIR))
    if out is not None:                 # not a run until mark_complete (Ctrl-C, a crash)
        mark_incomplete(out, "this run started and has not finished")
    results = run_scenarios([(c, o) for c, _, o in scenarios], tick)
    for (c, src, o), r in zip(scenarios, results):
        _write_scenario(r, o, src)
    result = results[0]
    result.plan = results[-1] if plan is not None else None
    tested = result.plan or result
    result.observed = reproduced(result.summary, result.config.observed)
    today = (result.kpis, single_year(result.config)) if plan is not None else (None, None)
    result.scorecard = scorecard(tested.kpis, tested.config.targets, single_year(tested.config),
                                 *today)
    if out is not None:
        lang = cfg.report.lang
        if len(result.observed):
            write_observed(result.observed, out, cfg.run.figures, lang,
                           cfg.observed.district or cfg.observed.name)
        write_scorecard(result.scorecard, cfg.targets.plan or cfg.targets.name,
                        cfg.targets.name, out, cfg.run.figures, lang, scale_warning(cfg))
        write_run_report(out, lang, result.config)
        mark_complete(result, out)
    return result


def _prepared(cfg: DictConfig, sources: Mapping[str, str] | None) -> DictConfig:
    """A scenario's config validated, with its derived values (sessions, design point, planned
    staffing) applied: what the run uses and records."""
    validate(cfg, sources)
    return derive(cfg, sources)


def _write_scenario(result: RunResult, out: Path | None,
                    sources: Mapping[str, str] | None) -> None:
    """A scenario's data, assumptions and standard figures in ``out`` (the report and the
    completion marker are the run's)."""
    if out is None:
        return
    write_data(result, out)
    write_assumptions(assumptions(config_files(sources or {}), CONFIG_DIR.parent), out)
    if result.config.run.figures:
        from sim.analysis.figures import standard_figures
        standard_figures(out, result.config.report.lang)
    result.out_dir = out


def config_files(sources: Mapping[str, str]) -> list[str]:
    """The config files a run was composed from (relative to the project), in order."""
    return sorted({v for v in sources.values() if v.endswith(".yaml")})


def label_of(cfg: DictConfig) -> str:
    """A short human label: preset (or network) and policy."""
    return f"{cfg.get('preset') or cfg.network.name}, policy {cfg.policy.name}"


def simulate(overrides: list[str] | None = None, config_name: str = "config",
             out_dir: str | Path | None = None) -> RunResult:
    """Compose the config with ``overrides``, validate it, run it (today and the plan when the
    preset compares them); write files if ``out_dir``."""
    cfg, sources = compose_config(overrides, config_name)
    return run_config(cfg, out_dir, sources, plan=plan_of(cfg, list(overrides or [])))
