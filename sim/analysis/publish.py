"""A run's verdict files: ``scorecard.{csv,md}`` and ``observed.csv`` with their figures, written
atomically. The tables come from ``scorecard`` and ``observed``, the charts from ``figures``
(imported only when a chart is drawn: a run with ``run.figures=false`` never loads matplotlib,
about 0.4 s)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.scorecard import to_markdown
from sim.runner.outputs import atomic_path, write_text


def write_scorecard(card: pd.DataFrame, plan: str, name: str, out_dir: Path,
                    figures: bool, lang: str = "en", caveat: str | None = None) -> None:
    """``scorecard.csv``, ``scorecard.md`` (a reduced run's ``caveat`` at its top) and (if
    ``figures``) ``figures/scorecard`` in ``lang``, titled with the plan (zh) or the targets'
    ``name`` (en)."""
    with atomic_path(out_dir / "scorecard.csv") as tmp:
        card.to_csv(tmp, index=False)
    write_text(out_dir / "scorecard.md", to_markdown(card, plan, caveat))
    if figures and len(card):
        from sim.analysis.figures.common import save
        from sim.analysis.figures.scorecard import scorecard_figure
        save(scorecard_figure(card, plan if lang == "zh" else name, lang), out_dir, "scorecard")


def write_observed(table: pd.DataFrame, out_dir: Path, figures: bool = True,
                   lang: str = "en", title: str = "") -> list[Path]:
    """``observed.csv`` and, if ``figures`` and there are figures, ``figures/observed.{png,svg}``;
    returns the files written."""
    path = Path(out_dir) / "observed.csv"
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)
    paths = [path]
    if figures and len(table):
        from sim.analysis.figures.common import save
        from sim.analysis.figures.observed import observed_figure
        paths += save(observed_figure(table, title, lang), out_dir, "observed")
    return paths
