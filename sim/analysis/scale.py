"""Scale honesty: a run at ``population.scale < 1`` shrinks pools, so queueing changes; the scale
study (experiment scale_study, ``experiments/scale_study.py``) measured which KPIs move. Reduced
runs say so, naming those KPIs, in the terminal and at the top of their report."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

STUDY = Path(__file__).with_name("scale_study.csv")   # written by experiments/scale_study.py


def sensitive_kpis(scale: float, study: Path = STUDY) -> list[str]:
    """KPIs that moved beyond noise and 5% at the studied scale nearest at or above ``scale``
    (the smallest studied one below it: smaller scales move at least as much)."""
    if scale >= 1.0 or not study.exists():
        return []
    table = pd.read_csv(study)
    scales = sorted(table.scale.unique())
    at = next((s for s in scales if s >= scale), scales[-1])
    return sorted(table[(table.scale == at) & table.sensitive].kpi)


def reduced(cfg: Any) -> bool:
    """A run at reduced scale or shorter than a year (verdicts are approximate)."""
    return cfg.population.scale < 1.0 or cfg.run.horizon_days < 365


def warning(cfg: Any, kpis: list[str] | None = None, lang: str = "en") -> str | None:
    """One paragraph for a reduced run, in ``lang``: its verdicts are approximate, and which
    KPIs (of ``kpis``, all when None) the scale study shows to move at its scale."""
    from sim.analysis.labels import kpi_label, text
    if not reduced(cfg):
        return None
    moved = [k for k in sensitive_kpis(cfg.population.scale) if kpis is None or k in kpis]
    what = [f"population.scale={cfg.population.scale:g}"] if cfg.population.scale < 1 else []
    if cfg.run.horizon_days < 365:
        what.append(text("reduced_days", lang, days=cfg.run.horizon_days))
    line = text("reduced_run", lang, what=("、" if lang == "zh" else ", ").join(what))
    if moved:
        names = ", ".join(moved) if lang == "en" else "、".join(kpi_label(k, lang) for k in moved)
        line += text("reduced_moved", lang, kpis=names)
    return line
