"""Figures of a run and of a sweep, each saved as PNG and SVG, labelled in English or Chinese.

A run's figures read only its directory's tidy outputs (``summary.csv``, ``timeseries.parquet``,
``config.resolved.yaml``), so they can be redrawn for results produced elsewhere. Importing this
package changes no matplotlib state: figures are ``matplotlib.figure.Figure`` objects on their
own Agg canvas, drawn and saved inside an rc_context with the CJK font (``common.styled``).

Modules by family: ``common`` (palette, saving, wrapping, run outputs), ``run`` (waits, daily,
capacity, the standard set), ``flow``, ``map``, ``sweep``, ``scorecard``, ``observed``.
"""
from sim.analysis.figures.common import (PALETTE, RunOutputs, calendar_events, facility_name,
                                         load_run, run_label, run_period, save)
from sim.analysis.figures.flow import flow_figure
from sim.analysis.figures.map import map_figure, short_name
from sim.analysis.figures.run import (capacity_figure, daily_figure, standard_figures,
                                      waits_figure)
from sim.analysis.figures.sweep import comparison_figure, paired_figure, response_figure

__all__ = ["PALETTE", "RunOutputs", "calendar_events", "capacity_figure", "comparison_figure",
           "daily_figure", "facility_name", "flow_figure", "load_run", "map_figure",
           "paired_figure", "response_figure", "run_label", "run_period", "save", "short_name",
           "standard_figures", "waits_figure"]
