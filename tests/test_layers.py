"""The layers of ``sim/`` point one way (docs/design.md): each layer imports only the layers
below it, the model and the metrics know nothing of each other, the analysis nothing of the
model, and no modules import each other in a loop."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"
# layer → the layers it may import (its own package always)
ALLOWED = {
    "domain": set(),
    "config": {"domain"},
    "engine": {"domain", "config"},
    "metrics": {"domain", "config"},
    "model": {"domain", "config", "engine"},
    "runner": {"domain", "config", "engine", "metrics", "model"},
    "analysis": {"domain", "config", "metrics", "runner"},
}


def _module(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Each module of ``sim`` → the ``sim`` modules it imports (anywhere in the file)."""
    found = {}
    for path in SIM.rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
        found[_module(path)] = {n for n in names if n.startswith("sim.")}
    modules = set(found)
    return {m: {n for n in names if n in modules and n != m} for m, names in found.items()}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else None


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for module, names in _imports().items():
        layer = _layer(module)
        if layer is None:
            continue                        # api, cli, terminal, bench: the top may use all
        for name in names:
            other = _layer(name)
            if other != layer and (other is None or other not in ALLOWED[layer]):
                wrong.append(f"{module} -> {name}")
    assert wrong == []


def test_no_modules_import_each_other_in_a_loop():
    graph = {m: {n for n in names if not SIM.joinpath(*n.split(".")[1:]).is_dir()}
             for m, names in _imports().items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                pytest.fail("import loop: " + " -> ".join(path[path.index(n):] + [n]))
            if n not in state:
                visit(n, path + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
