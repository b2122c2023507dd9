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
_NO_DELETION = re.compile(r"does not support deletion")
_DELETE_MISSING = re.compile(r"Could not delete from config\. '([^']+)' does not exist")
_DELETE_VALUE = re.compile(r"Could not delete from config\. The value of '([^']+)' is (.*) "
                           r"and not")
_APPEND = re.compile(r"Could not append to config\. An item is already at '([^']+)'")
_PARSE = re.compile(r"Error parsing override '([^']+)'")


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
    refused = _override_refusal(err, detail, overrides)
    if refused is not None:
        return refused
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
    first = (text.splitlines() or [type(err).__name__])[0]
    return ConfigError(key or "config", _override_value(key, overrides), first, source)


def _override_refusal(err: Exception, detail: str, overrides: list[str]) -> ConfigError | None:
    """A command-line override Hydra cannot apply (a deletion of a schema key or of a missing
    key, an append over an existing key, bad syntax) as one line naming the override."""
    override = "a command-line override"
    key = _FULL_KEY.search(detail)
    if _NO_DELETION.search(detail) and key:
        name = key.group(1)
        return ConfigError(name, _written(name, overrides),
                           f"part of the schema, so it cannot be deleted; set a value instead "
                           f"({name}=VALUE)", override)
    value = _DELETE_VALUE.search(detail)
    if value and _in_schema(value.group(1)):      # Hydra compares the value before refusing
        return _override_refusal(err, f"does not support deletion\nfull_key: {value.group(1)}",
                                 overrides)
    for pattern, allowed in ((_DELETE_MISSING, "no such key to delete"),
                             (_DELETE_VALUE, "deleted only when its value matches; it is {}"),
                             (_APPEND, "already set; drop the '+' to change it ({}=VALUE)")):
        found = pattern.search(detail)
        if found:
            name = found.group(1)
            extra = found.group(2) if pattern is _DELETE_VALUE else name
            return ConfigError(name, _written(name, overrides), allowed.format(extra), override)
    if type(err).__name__ == "OverrideParseException" or _PARSE.search(detail):
        return syntax_error(overrides)
    return None


def syntax_error(overrides: list[str]) -> ConfigError | None:
    """The first override Hydra's grammar refuses, as a one-line error; None if all parse."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    parser = OverridesParser.create()
    for o in overrides:
        try:
            parser.parse_override(o)
        except Exception as err:          # noqa: BLE001 - any refusal is the answer
            problem = str(err).splitlines()[0]
            return ConfigError(o.lstrip("+~").split("=", 1)[0], o,
                               f"not a valid override ({problem}); write key=VALUE, "
                               "+key=VALUE to add a key, ~key to delete one",
                               "a command-line override")
    return None


def _written(key: str, overrides: list[str]) -> str | None:
    """The override as typed that names ``key``, if one does."""
    return next((o for o in overrides if o.lstrip("+~").split("=", 1)[0] == key), None)


def _override_value(key: str, overrides: list[str]) -> str | None:
    """The value an override gave ``key`` (as typed), if one did."""
    written = _written(key, overrides) if key else None
    return written.split("=", 1)[1] if written and "=" in written else None


def _in_schema(key: str) -> bool:
    """Whether ``key`` is a field of the schema's dataclasses all the way down (not a key of
    a dictionary such as ``network.facilities.<name>``, which can be deleted)."""
    cls: object = schema.Config
    for part in key.split("."):
        if not dataclasses.is_dataclass(cls):
            return False
        hints = typing.get_type_hints(cls)
        if part not in hints:
            return False
        cls = hints[part]
    return True


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
