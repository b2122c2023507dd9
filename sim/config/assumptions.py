"""The assumptions a run rests on: config values whose source comment says ``assumption``.

Every number in a config cites its source in a YAML comment; the ones marked as assumptions are
what a reader of a report must weigh, so the report lists them with the file they come from."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

_LINE = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[^\s#:][^#:]*?):(?P<value>[^#]*)"
                   r"#\s*(?P<note>.*)$")
_KEY = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[^\s#:][^#:]*?):")


def assumptions(paths: Iterable[Path], root: Path) -> list[dict[str, str]]:
    """``{file, key, value, note}`` for each value commented as an assumption in ``paths``
    (relative to ``root``); ``key`` is the dotted path within the file."""
    rows = []
    for rel in paths:
        path = root / rel
        if path.exists():
            rows += [dict(file=str(rel), **row) for row in _annotated(path.read_text("utf-8"))]
    return rows


def _annotated(text: str) -> list[dict[str, str]]:
    stack: list[tuple[int, str]] = []          # (indent, key) of the enclosing mappings
    rows = []
    for line in text.splitlines():
        m = _KEY.match(line)
        if not m:
            continue
        indent = len(m["indent"]) + (len(m["dash"]) if m["dash"] else 0)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key = m["key"].strip().strip("'\"")
        stack.append((indent, key))
        full = _LINE.match(line)
        if full and "assumption" in full["note"].lower() and full["value"].strip():
            rows.append({"key": ".".join(k for _, k in stack), "value": full["value"].strip(),
                         "note": full["note"].strip()})
    return rows
