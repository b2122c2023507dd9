"""Every constraint declared on the schema's fields refuses a value outside it, at the right key,
in one line (issue 13, item 4): the table is read from the schema itself, so a new annotated
field is tested without a new line here."""
from __future__ import annotations

import copy
import dataclasses
import math
import typing
from typing import Any

import pytest
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.api import compose_config
from sim.config import ConfigError, schema, validate
from sim.config.constraints import OneOf, Range, Rule, _hints, _unpack
from sim.model.demand import PROBABILITIES, episode_types

# Configs that between them hold an instance of every constrained field
CONFIGS = [["policy=plan_2027", "+calibration.observed.arrived=100",
            "demand.followup_delay.values=[1.0]", "demand.followup_delay.dist=empirical",
            "network.staffing.gps_per_10k=4.0", "network.staffing.beds_per_1000=5.0",
            "network.facilities.wanxin_chc.services.gp.weekend_hours=[8.0,12.0]",
            "demand.episodes.minor.pathway=route", "+demand.episodes.minor.route.entry.exit=1.0"],
           ["preset=baoshui", "network=baoshui"]]

RULE_BREAKERS = {   # a value each Rule refuses, by what it allows
    "must be [open, close] with 0 <= open < close <= 24": [9.0, 8.0],
    "must be 24 non-negative numbers with a positive sum": [1.0] * 23,
    "must be 7 non-negative numbers with a positive sum": [0.0] * 7,
    "must be 12 positive numbers (Jan-Dec)": [1.0] * 11 + [0.0],
    "the network needs at least one facility": {},
    "the population needs at least one catchment": {},
    "a target needs a KPI name": "",
    "an observed figure needs a KPI name": "",
    "must be non-zero: the objective divides by it": 0.0,
}


def _declared(tp: Any, site: str, out: dict) -> None:
    """Every place in the schema type ``tp`` that carries constraints, as ``Class.field[...]``."""
    base, constraints = _unpack(tp)
    if constraints:
        out[site] = constraints
    if dataclasses.is_dataclass(base):
        for name, ftp in _hints(base).items():
            _declared(ftp, f"{base.__name__}.{name}", out)
    for role, arg in zip(("[key]", "[value]") if typing.get_origin(base) is dict else
                         ("[item]",), typing.get_args(base)):
        _declared(arg, site + role, out)


def _found(node: Any, tp: Any, key: str, site: str, path: tuple, out: dict) -> None:
    """The first instance of each constrained place in a config: (key, path of names)."""
    base, constraints = _unpack(tp)
    if node is None:
        return
    if constraints:
        out.setdefault(site, (key, path))
    if dataclasses.is_dataclass(base):
        for fname, ftp in _hints(base).items():
            _found(node[fname], ftp, f"{key}.{fname}" if key else fname,
                   f"{base.__name__}.{fname}", path + (fname,), out)
    elif typing.get_origin(base) is dict:
        ktp, vtp = typing.get_args(base)
        for k, v in node.items():
            _found(k, ktp, f"{key}.{k}", site + "[key]", path + (k,), out)
            _found(v, vtp, f"{key}.{k}", site + "[value]", path + (k,), out)
    elif typing.get_origin(base) is list:
        for i, v in enumerate(node):
            _found(v, typing.get_args(base)[0], f"{key}[{i}]", site + "[item]", path + (i,), out)


DECLARED: dict = {}
_declared(schema.Config, "Config", DECLARED)
CASES = [(site, i) for site, cs in DECLARED.items() for i in range(len(cs))]


@pytest.fixture(scope="module")
def instances() -> list:
    """(config, sources, {site: (key, path)}) for each of ``CONFIGS``."""
    out = []
    for overrides in CONFIGS:
        cfg, sources = compose_config(overrides)
        validate(cfg, sources)
        found: dict = {}
        _found(cfg, schema.Config, "", "Config", (), found)
        out.append((cfg, sources, found))
    return out


def _breaker(constraint: Any, base: type) -> Any:
    """A value just outside ``constraint`` (of the field's type ``base``)."""
    if isinstance(constraint, OneOf):
        return "no_such_option"
    if isinstance(constraint, Rule):
        return RULE_BREAKERS[constraint.allowed]
    if constraint.lo_open or not math.isinf(constraint.lo):
        return constraint.lo if constraint.lo_open else constraint.lo - 1
    return constraint.hi + 1 if not math.isinf(constraint.hi) else math.nan


def test_the_table_holds_every_kind_of_constraint():
    kinds = {type(c) for cs in DECLARED.values() for c in cs}
    assert kinds == {Range, OneOf, Rule} and len(CASES) > 100
    assert "EpisodeConfig.p_admit" in DECLARED and "PopulationConfig.age_shares[key]" in DECLARED


@pytest.mark.parametrize("site, i", CASES, ids=[f"{s}#{i}" for s, i in CASES])
def test_every_declared_constraint_refuses_a_value_outside_it(instances, site, i):
    cfg, sources, found = next((x for x in instances if site in x[2]), (None, None, {}))
    assert site in found, f"no config in CONFIGS has an instance of {site}"
    key, path = found[site]
    parent, name = cfg, path[-1]
    for part in path[:-1]:
        parent = parent[part]
    constraint = DECLARED[site][i]
    base = _unpack(_type_at(site))[0]
    bad = _breaker(constraint, base)
    if site.endswith("[key]"):                       # a new key, with a valid value copied
        key, undo = key.rsplit(".", 1)[0] + f".{bad}", bad
        with open_dict(parent):
            parent[bad] = parent[name]
    else:
        undo, old = None, copy.deepcopy(parent[name])   # containers change in place
        parent[name] = bad
    try:
        with pytest.raises(ConfigError) as err:
            validate(cfg, sources)
    finally:
        if undo is not None:
            with open_dict(parent):
                del parent[undo]
        else:
            parent[name] = old
    e = err.value
    assert (e.key, repr(e.value)) == (key, repr(_plain(bad))), str(e)
    assert e.allowed == constraint.problem(bad, base) and "\n" not in str(e)
    validate(cfg, sources)                           # restored: valid again


def _type_at(site: str) -> Any:
    """The schema type at a site such as ``PopulationConfig.age_shares[key]``."""
    cls_name, rest = site.split(".", 1)
    field_name, *roles = rest.replace("]", "").split("[")
    tp = _hints(getattr(schema, cls_name))[field_name]
    for role in roles:
        args = typing.get_args(_unpack(tp)[0])
        tp = args[0] if role in ("key", "item") else args[1]
    return tp


def _plain(v: Any) -> Any:
    return OmegaConf.to_container(v) if isinstance(v, DictConfig) else v


@pytest.mark.parametrize("constraint, value, base, allowed", [
    (Range(0.0, 1.0), 1.5, float, "must be a finite number >= 0.0 and <= 1.0"),
    (Range(0.0, 1.0), True, float, "must be a finite number >= 0.0 and <= 1.0"),
    (Range(0.0, lo_open=True), 0.0, float, "must be a finite number > 0.0"),
    (Range(0), -1, int, "must be a finite integer >= 0"),
    (Range(1), 2.5, int, "must be a finite integer >= 1"),
    (Range(), math.inf, float, "must be a finite number >= -inf"),
    (Range(0.0, 1.0), 1.0, float, None),
    (Range(0.0, lo_open=True), 1e-9, float, None),
    (OneOf(("off", "soft")), "hard", str, "unknown; allowed: off, soft"),
    (OneOf(()), "x", str, "unknown; allowed: (none defined)"),
    (OneOf(("off", "soft")), "soft", str, None),
])
def test_constraint_messages_are_todays(constraint, value, base, allowed):
    assert constraint.problem(value, base) == allowed


@pytest.mark.parametrize("override, key, allowed", [
    ("demand.followup_delay.dist=empirical", "demand.followup_delay.values",
     "an empirical distribution needs values"),
    ("demand.followup_delay.cv=null", "demand.followup_delay.cv",
     "a gamma distribution needs a cv"),
    ("network.facilities.dongli_hospital.physicians=null",
     "network.facilities.dongli_hospital.physicians",
     "network.facilities.dongli_hospital.services.outpatient.in_session needs the facility's"),
    ("demand.episodes.minor.schedule=4", "demand.episodes.minor.base",
     "a scheduled type needs base chronic or elderly"),
])
def test_rules_tying_a_nodes_fields_together(override, key, allowed):
    cfg, sources = compose_config([override])
    with pytest.raises(ConfigError) as err:
        validate(cfg, sources)
    assert err.value.key == key and allowed in str(err.value)
    assert "command-line override" in str(err.value) or "configs/" in str(err.value)


def test_episode_types_carry_every_probability_of_the_schema():
    cfg, _ = compose_config([])
    minor = cfg.demand.episodes.minor
    for i, p in enumerate(PROBABILITIES):
        minor[p] = i / 100
    kind = episode_types(cfg.demand)["minor"]
    assert [getattr(kind, p) for p in PROBABILITIES] == [i / 100 for i in
                                                         range(len(PROBABILITIES))]
    assert "p_admit" in PROBABILITIES and "attendance_spread" not in PROBABILITIES
