"""Hydra's composition errors (unknown key, wrong type, unknown preset, malformed YAML) as our
one-line ``ConfigError``: key, bad value, what is allowed, and the file or override it came from.
"""
from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

from sim.config import schema
from sim.config.validate import ConfigError

_IN = re.compile(r"In '([^']+)'")
_FULL_KEY = re.compile(r"full_key: (\S+)")
_NOT_IN = re.compile(r"Key '([^']+)' not in '([^']+)'")
_VALUE = re.compile(r"Value '(.*)' of type '(\w+)' could not be converted to (\w+)")
_CANNOT = re.compile(r"Cannot convert '(\w+)' to (\w+): '(.*)'")
_MISSING = re.compile(r"Could not find '([^']+)/([^']+)'")
_OVERRIDE = re.compile(r"Could not override '([^']+)'|Error merging override (\S+?)=")
_YAML_AT = re.compile(r'in "([^"]+)", line (\d+), column (\d+)')


# Hydra plugins behind the optional extras (pyproject.toml), for a hint when one is missing
PLUGIN_EXTRAS = {("ray", "ray_aws"): "ray", ("submitit_slurm", "submitit_local"): "slurm",
                 ("optuna",): "optuna"}


def _options(group: str, config_dir: Path) -> list[str]:
    """A group's options: its YAML files, or for Hydra's own groups what is installed."""
    if group.startswith("hydra/"):
        from hydra.core.config_store import ConfigStore
        from hydra.core.plugins import Plugins
        Plugins.instance()                    # plugins register their configs on discovery
        return sorted(n.removesuffix(".yaml") for n in ConfigStore.instance().list(group))
    return sorted(p.stem for p in (config_dir / group).glob("*.yaml"))


def explain(err: Exception, overrides: list[str], config_dir: Path) -> ConfigError:
    """The one-line error for a failed composition (falls back to Hydra's first line)."""
    text = str(err)
    cause = err.__cause__ or err
    detail = f"{text}\n{cause}"
    missing = _MISSING.search(detail)
    if missing:
        group, name = missing.groups()
        options = _options(group, config_dir)
        extra = next((e for names, e in PLUGIN_EXTRAS.items() if name in names), None)
        hint = f" ({name} comes with: pip install -e \".[{extra}]\")" if extra else ""
        return ConfigError(group, name, f"no such config; allowed: {', '.join(options)}{hint}",
                           _source(group, overrides, None, config_dir))
    at = _YAML_AT.search(detail)
    if at:
        path, line, col = at.groups()
        problem = detail.splitlines()[0].strip()
        return ConfigError(_relative(path, config_dir), f"line {line}, column {col}",
                           f"malformed YAML: {problem}")
    key = _FULL_KEY.search(detail)
    override = _OVERRIDE.search(detail)
    key = key.group(1) if key else (override.group(1) or override.group(2) if override else "")
    where = _IN.search(text)
    source = _source(key, overrides, where.group(1) if where else None, config_dir)
    not_in = _NOT_IN.search(detail)
    if not_in:
        name, owner = not_in.groups()
        return ConfigError(key, name, f"unknown key; allowed: {', '.join(_fields(owner))}",
                           source)
    value = _VALUE.search(detail)
    if value:
        bad, _, wanted = value.groups()
        return ConfigError(key, bad, f"must be {_article(wanted)}", source)
    cannot = _CANNOT.search(detail)
    if cannot:
        _, wanted, bad = cannot.groups()
        return ConfigError(key, bad, f"must be {_article(wanted)}", source)
    return ConfigError(key or "config", None, text.splitlines()[0], source)


def check_additions(overrides: list[str], config_dir: Path) -> None:
    """Refuse a key added with ``+`` / ``++`` that the schema does not have, like any unknown
    key (Hydra's ``+`` bypasses the schema). Open nodes take new keys: those typed ``Dict`` in
    ``sim/config/schema.py`` (facilities, services, refer_to, catchments, profiles, episodes,
    rates, bypass, costs, targets, calibration.observed, design.ranges, ...). Group choices
    (``+experiment=x``) and ``hydra.*`` keys are Hydra's to judge."""
    for o in overrides:
        if not o.startswith("+") or "=" not in o:
            continue
        key = o.lstrip("+").split("=", 1)[0]
        if "/" in key or "@" in key or key.startswith("hydra.") or (config_dir / key).is_dir():
            continue
        parts = key.split(".")
        node: typing.Any = schema.Config
        for i, part in enumerate(parts):
            node = _unoptional(node)
            if dataclasses.is_dataclass(node):
                hints = typing.get_type_hints(node)
                if part not in hints:
                    raise ConfigError(".".join(parts[:i + 1]), part,
                                      f"unknown key; allowed: {', '.join(hints)}",
                                      "a command-line override")
                node = hints[part]
            elif typing.get_origin(node) is dict:
                node = typing.get_args(node)[1]       # an open node: any key
            else:
                break                                 # a list or a value: Hydra judges


def _unoptional(tp: typing.Any) -> typing.Any:
    """``X`` for ``Optional[X]``."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    return args[0] if typing.get_origin(tp) is typing.Union and len(args) == 1 else tp


def _fields(name: str) -> list[str]:
    cls = getattr(schema, name, None)
    return [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []


def _article(type_name: str) -> str:
    plain = {"Integer": "an integer", "Float": "a number", "Boolean": "true or false",
             "String": "a string", "str": "a string"}
    return plain.get(type_name, f"a {type_name.lower()}")


def _source(key: str, overrides: list[str], loading: str | None, config_dir: Path) -> str:
    """The override that set ``key`` (or a parent), else the config file being loaded."""
    for o in overrides:
        name = o.lstrip("+~").split("=", 1)[0]
        if key == name or key.startswith(name + ".") or name.startswith(key + "."):
            return "a command-line override"
    if loading and loading != "config":
        return _relative(str(config_dir / f"{loading}.yaml"), config_dir)
    return None


def _relative(path: str, config_dir: Path) -> str:
    try:
        return f"configs/{Path(path).resolve().relative_to(config_dir.resolve())}"
    except ValueError:
        return path
