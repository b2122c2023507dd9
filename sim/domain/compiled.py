"""The compiled hot paths (built by ``pip install``, ``setup.py``): loaded only while current.

An editable install compiles a copy of the code; edit the source and that copy is stale. A
compiled module older than its source is not used: the Python code runs instead (same results,
slower), with a warning until ``pip install -e .`` compiles it again.
"""
from __future__ import annotations

import importlib
import warnings
from pathlib import Path
from types import ModuleType

SLACK_S = 2.0       # an install writes source and module moments apart: not an edit


def load(name: str, source: str) -> ModuleType | None:
    """Module ``name`` if it was built and is not older than ``source`` (a path relative to the
    package's root, e.g. ``sim/model/pathways.py``), else None."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    src = Path(__file__).resolve().parents[2] / source
    if src.exists() and src.stat().st_mtime > Path(module.__file__).stat().st_mtime + SLACK_S:
        warnings.warn(f"{source} changed since it was compiled: the Python code runs instead "
                      "(same results, slower); pip install -e . compiles it again", stacklevel=2)
        return None
    return module
