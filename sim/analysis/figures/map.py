"""The network map: facilities by kind, catchments and the health circle, labels placed so no
two overlap, and a note when the coordinates are schematic (assumed, not surveyed)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch
from matplotlib.transforms import Bbox

from sim.analysis.figures.common import (PALETTE, as_date, facility_name, new_figure,
                                         run_period, styled)
from sim.analysis.labels import check_lang, kind_label, text

# facility kind → (marker, colour, size) on the map
KIND_STYLE = {"hospital": ("s", PALETTE[3], 90), "centre": ("o", PALETTE[0], 55),
              "station": ("^", PALETTE[5], 30), "village": ("v", PALETTE[4], 30),
              "external": ("D", PALETTE[7], 70), "ems": ("P", PALETTE[1], 50)}
PRIMARY = ("centre", "station", "village")
MAP_SHORT = {"zh": (("社区卫生服务中心", "中心"), ("社区卫生服务站", "站")),
             "en": (("Community Health Service Centre", "CHC"), ("Central Township Hospital",
                                                                  "Central THC"),
                    ("Township Hospital", "THC"), ("village clinics (pooled)", "villages"))}
# label spots around a point (offset in points, alignment); farther rings get a leader line
SPOTS = [(5, 2, "left", "bottom"), (5, -2, "left", "top"), (-5, 2, "right", "bottom"),
         (-5, -2, "right", "top"), (0, 6, "center", "bottom"), (0, -6, "center", "top"),
         (9, 0, "left", "center"), (-9, 0, "right", "center")]
RINGS = (1.0, 2.5, 4.0, 6.0)


def short_name(name: str, lang: str) -> str:
    """A facility name shortened for the map (its kind is in the legend)."""
    for long, short in MAP_SHORT.get(lang, ()):
        name = name.replace(long, short)
    return name


def _overlap(box: Bbox, others: list[Bbox]) -> float:
    return sum(max(0, min(box.x1, b.x1) - max(box.x0, b.x0))
               * max(0, min(box.y1, b.y1) - max(box.y0, b.y0)) for b in others)


def _place_labels(fig: Figure, ax: Axes, labels: list) -> list[Bbox]:
    """Greedy label placement: each label takes the first spot, nearest ring first, that
    overlaps no marker or label placed before it and stays inside the axes (else the spot that
    does least of either); a label away from its point gets a leader line. Returns the labels'
    boxes in display units."""
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    frame = ax.get_window_extent(renderer)
    markers = [Bbox.from_bounds(px - 4, py - 4, 8, 8)
               for px, py in ax.transData.transform([(x, y) for x, y, *_ in labels])]
    boxes: list[Bbox] = []
    for x, y, name, size, colour in labels:
        best, best_cost = None, math.inf
        for ring in RINGS:
            for dx, dy, ha, va in SPOTS:
                t = ax.annotate(name, (x, y), xytext=(dx * ring, dy * ring),
                                textcoords="offset points", ha=ha, va=va, fontsize=size,
                                color=colour, zorder=5, linespacing=1.0,
                                arrowprops=None if ring == 1 else
                                dict(arrowstyle="-", color="0.55", lw=0.5, shrinkA=0,
                                     shrinkB=3))
                box = t.get_window_extent(renderer).expanded(1.02, 1.05)
                inside = (max(0, min(box.x1, frame.x1) - max(box.x0, frame.x0))
                          * max(0, min(box.y1, frame.y1) - max(box.y0, frame.y0)))
                cost = _overlap(box, markers + boxes) + 2 * (box.width * box.height - inside)
                if cost < best_cost:
                    if best is not None:
                        best[0].remove()
                    best, best_cost = (t, box), cost
                else:
                    t.remove()
                if cost == 0:
                    break
            if best_cost == 0:
                break
        boxes.append(best[1])
    return boxes


def _legend(ax: Axes, located: dict, minutes: float, speed: float, closed: bool,
            lang: str) -> None:
    handles = [Line2D([], [], marker=KIND_STYLE[k][0], color=KIND_STYLE[k][1], ls="",
                      markersize=7, label=kind_label(k, lang))
               for k in KIND_STYLE if any(f["kind"] == k for f in located.values())]
    handles += [Patch(fc="0.82", ec="0.45", alpha=0.45, label=text("catchment", lang)),
                Patch(fc=PALETTE[2], ec=PALETTE[2], alpha=0.25,
                      label=text("health_circle", lang, minutes=minutes, speed=speed))]
    if closed:
        handles.append(Line2D([], [], marker="o", color="0.3", mfc="white", ls="",
                              markersize=7, label=text("not_yet_open", lang)))
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              framealpha=0.9)


@styled
def map_figure(config: dict, summary: pd.DataFrame | None = None, lang: str = "en",
               label: str = "") -> Figure | None:
    """Facilities by kind, catchment discs and the health circle (``access.circle_minutes`` at
    ``access.circle_speed_kmh``) around each primary facility open by the run's end; km axes,
    marked schematic unless ``network.locations`` is ``surveyed``. None when no facility has a
    location."""
    check_lang(lang)
    network = config.get("network") or {}
    located = {fid: f for fid, f in (network.get("facilities") or {}).items()
               if f.get("location")}
    if not located:
        return None
    access = config.get("access") or config.get("report") or {}   # report: older run folders
    minutes = float(access.get("circle_minutes", 15.0))
    speed = float(access.get("circle_speed_kmh", 4.0))
    reach = minutes / 60.0 * speed
    _, last = run_period(config)
    fig = new_figure(figsize=(13, 9))
    ax = fig.subplots()
    for c in ((config.get("population") or {}).get("catchments") or {}).values():
        if c.get("location"):
            ax.add_patch(Circle(c["location"], c.get("radius", 2.0), fc="0.82", ec="0.45",
                                alpha=0.45, lw=0.8, zorder=1))
    open_by_end = {fid: not f.get("opens") or as_date(f["opens"]) <= last
                   for fid, f in located.items()}
    for fid, f in located.items():
        if f["kind"] in PRIMARY and open_by_end[fid]:
            ax.add_patch(Circle(f["location"], reach, fc=PALETTE[2], ec=PALETTE[2],
                                alpha=0.18, lw=0.6, zorder=2))
    names: dict[tuple, list[tuple[str, bool]]] = {}
    for fid, f in located.items():
        marker, colour, size = KIND_STYLE.get(f["kind"], ("x", "0.3", 30))
        x, y = f["location"]
        ax.scatter([x], [y], marker=marker, s=size, zorder=4, linewidths=1.2,
                   facecolors=colour if open_by_end[fid] else "white", edgecolors=colour)
        if f["kind"] != "ems":          # ambulance stations share their sites: legend only
            names.setdefault((round(x, 3), round(y, 3)), []).append(
                (short_name(facility_name(fid, f, lang), lang),
                 f["kind"] in ("station", "village")))
    labels = []
    for (x, y), items in names.items():   # one label per site, co-located names stacked
        small = all(s for _, s in items)
        labels.append((small, x, y, "\n".join(n for n, _ in items)))
    labels.sort(key=lambda lab: lab[0])   # hospitals and centres first: they get the best spot
    _legend(ax, located, minutes, speed, not all(open_by_end.values()), lang)
    ax.set_aspect("equal")
    ax.autoscale_view()
    xlabel = text("km_east", lang)
    if network.get("locations", "schematic") != "surveyed":
        xlabel += "\n" + text("schematic_locations", lang)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(text("km_north", lang))
    ax.grid(alpha=0.3)
    title = text("title_map", lang, label=label)
    if summary is not None and "health_circle_15min" in summary.index:
        value = summary.loc["health_circle_15min", "mean"]
        if np.isfinite(value):
            title += "\n" + text("circle_value", lang, minutes=minutes, value=f"{value:.1%}")
    ax.set_title(title)
    fig.tight_layout()
    _place_labels(fig, ax, [(x, y, name, 6 if small else 7.5, "0.35" if small else "0.05")
                            for small, x, y, name in labels])
    return fig
