"""Constraints declared beside the schema's fields (``p_admit: Prob``, ``kind: OneOf(...)`` inside
``Annotated``) and the one walker that checks a config against them.

A constraint answers ``problem(value, base)`` with what is allowed, or None; ``base`` is the
field's plain type (``int`` makes a ``Range`` ask for integers). Dictionary keys are checked
like values (``Dict[AgeBand, Prob]``). A schema class may add ``problems(node, key)`` for rules
that tie its own fields together (a lognormal needs a cv). Checks across the whole config —
references, sums, dates — stay in ``validate.py``.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import typing
from typing import Any, Callable, Iterator, Sequence

Fail = Callable[[str, Any, str], None]          # (key, value, what is allowed) -> raises


@dataclasses.dataclass(frozen=True)
class Range:
    """A finite number ``>= lo`` (``> lo`` if ``lo_open``) and ``<= hi``."""
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False

    def problem(self, v: Any, base: type) -> str | None:
        integer = base is int
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        ok = ok and (v > self.lo if self.lo_open else v >= self.lo) and v <= self.hi
        if ok and (not integer or float(v).is_integer()):
            return None
        lo = f"> {self.lo}" if self.lo_open else f">= {self.lo}"
        rng = lo if self.hi == math.inf else f"{lo} and <= {self.hi}"
        return f"must be a finite {'integer' if integer else 'number'} {rng}"


@dataclasses.dataclass(frozen=True)
class OneOf:
    """One of a fixed vocabulary."""
    options: Sequence[str]

    def problem(self, v: Any, base: type) -> str | None:
        return None if v in self.options else unknown(self.options)


@dataclasses.dataclass(frozen=True)
class Rule:
    """Any other test of one value: ``test(value)`` holds, else ``allowed`` is the message."""
    test: Callable[[Any], bool]
    allowed: str

    def problem(self, v: Any, base: type) -> str | None:
        return None if self.test(v) else self.allowed


def unknown(options: Sequence[str]) -> str:
    """The message for a name outside ``options``."""
    return f"unknown; allowed: {', '.join(options) or '(none defined)'}"


def check_tree(node: Any, tp: Any, key: str, fail: Fail) -> None:
    """Check ``node`` (a config value, DictConfig or ListConfig) against the constraints in its
    schema type ``tp``, depth first: dataclass fields, dictionary keys and values, list items."""
    base, constraints = _unpack(tp)
    if node is None:                     # Optional fields: null means 'not set'
        return
    for c in constraints:
        allowed = c.problem(node, base)
        if allowed:
            fail(key, node, allowed)
    if dataclasses.is_dataclass(base):
        for name, ftp in _hints(base).items():
            if _constrained(ftp):
                check_tree(node[name], ftp, f"{key}.{name}" if key else name, fail)
        for sub, value, allowed in getattr(base, "problems", _none)(node, key):
            fail(f"{key}.{sub}", value, allowed)
    elif typing.get_origin(base) is dict:
        ktp, vtp = typing.get_args(base)
        for name, value in node.items():
            check_tree(name, ktp, f"{key}.{name}", fail)
            check_tree(value, vtp, f"{key}.{name}", fail)
    elif typing.get_origin(base) is list:
        (vtp,) = typing.get_args(base)
        for i, value in enumerate(node):
            check_tree(value, vtp, f"{key}[{i}]", fail)


def _none(node: Any, key: str) -> Iterator[tuple[str, Any, str]]:
    return iter(())


def _unpack(tp: Any) -> tuple[Any, tuple]:
    """(the plain type, its constraints) of ``Optional[Annotated[T, c...]]`` and the like."""
    if typing.get_origin(tp) is typing.Union:
        (tp,) = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) is typing.Annotated:
        return tp.__origin__, tp.__metadata__
    return tp, ()


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


@functools.cache
def _constrained(tp: Any) -> bool:
    """Whether anything inside ``tp`` carries a constraint (else the walker need not read it)."""
    base, constraints = _unpack(tp)
    if constraints or hasattr(base, "problems"):
        return True
    if dataclasses.is_dataclass(base):
        return any(_constrained(t) for t in _hints(base).values())
    return any(_constrained(a) for a in typing.get_args(base))


def constrained_fields(cls: type, constraint: Any) -> tuple[str, ...]:
    """Names of ``cls``'s fields declared with ``constraint`` (e.g. every probability)."""
    return tuple(name for name, tp in _hints(cls).items() if constraint in _unpack(tp)[1])
