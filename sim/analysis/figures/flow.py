"""The referral flow diagram: where each first contact goes and where it ends, one KPI (with
its 95% CI) per box, arrow widths proportional to the flows; zero flows drawn faint."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from sim.analysis.figures.common import PALETTE, fmt, new_figure, styled, wrap
from sim.analysis.labels import check_lang, kpi_label, text
from sim.metrics.catalogue import declaration

FLOW_BOX_W, FLOW_BOX_H = 2.1, 0.9
OUTCOME = 2                         # PALETTE index of the boxes where an episode ends
POINTS_PER_UNIT = 70                # about 72 points per inch, one inch per unit of the diagram
# box → (x, y, its KPI, tint: a PALETTE index, None for the dashed box outside the balance)
FLOW_BOXES = {
    "RP": (1.2, 6.6, "flow_resolved_primary", OUTCOME),
    "P": (1.2, 5.2, "flow_first_primary", 5),
    "H": (1.2, 3.1, "flow_first_hospital", 1),
    "E": (1.2, 0.95, "flow_emergency", 3),
    "REM": (3.8, 6.6, "flow_settled_remotely", OUTCOME),
    "UP": (3.8, 5.2, "up_referrals_per_10k", 5),
    "ON": (3.8, 4.15, "flow_onward", 5),
    "RE": (3.8, 1.95, "flow_resolved_emergency", OUTCOME),
    "OP": (6.3, 3.1, "flow_outpatient", 1),
    "ADM": (6.3, 0.95, "flow_admit", 1),
    "RO": (9.3, 5.2, "flow_refer_out", 4),
    "RH": (9.3, 3.9, "flow_resolved_hospital", OUTCOME),
    "DR": (9.3, 2.65, "down_referrals_per_10k", OUTCOME),
    "HB": (9.3, 1.5, "home_beds_per_10k", OUTCOME),
    "DH": (9.3, 0.35, "flow_discharge_home", OUTCOME),
    "FU": (12.0, 0.35, "flow_followup", 5),
    "LEFT": (12.0, 3.1, "flow_left", None),
}
# arrow: from, to, KPIs summed, KPIs subtracted, (side, offset) at each end, path, label at
FLOW_ARROWS = [
    ("P", "RP", ("flow_resolved_primary",), (), ("t", 0), ("b", 0), "straight", 0.5),
    ("P", "REM", ("flow_settled_remotely",), (), ("r", 0.35), ("l", 0), "straight", 0.5),
    ("P", "UP", ("up_referrals_per_10k",), (), ("r", 0), ("l", 0), "straight", 0.5),
    ("UP", "OP", ("up_referrals_per_10k",), (), ("r", 0), ("t", -0.3), "across", 0.0),
    ("P", "ON", ("flow_onward",), (), ("r", -0.3), ("l", 0), "straight", 0.5),
    ("ON", "OP", ("flow_onward",), (), ("r", 0), ("l", 0.3), "straight", 0.5),
    ("H", "OP", ("flow_first_hospital",), (), ("r", 0), ("l", 0), "straight", 0.5),
    ("OP", "RO", ("flow_refer_out",), (), ("t", 0.3), ("l", 0), "up", 0.0),
    ("OP", "RH", ("flow_resolved_hospital",), (), ("r", 0.3), ("l", 0), "straight", 0.5),
    ("OP", "ADM", ("flow_admit",), ("flow_admit_emergency",), ("b", 0), ("t", 0), "straight",
     0.5),
    ("E", "RE", ("flow_resolved_emergency",), (), ("t", 0.35), ("l", 0), "up", 0.0),
    ("E", "ADM", ("flow_admit_emergency",), (), ("r", -0.15), ("l", -0.15), "straight", 0.5),
    ("ADM", "DR", ("down_referrals_per_10k",), (), ("r", 0.3), ("l", 0), "straight", 0.55),
    ("ADM", "HB", ("home_beds_per_10k",), (), ("r", 0.1), ("l", 0), "straight", 0.55),
    ("ADM", "DH", ("flow_discharge_home",), (), ("r", -0.2), ("l", 0), "straight", 0.55),
    ("DH", "FU", ("flow_followup",), (), ("r", 0), ("l", 0), "straight", 0.5),
]
# every first contact ends in exactly one of these (sim.metrics.kpis.flows)
FIRST_CONTACTS = ("flow_first_primary", "flow_first_hospital", "flow_emergency")
ENDS = ("flow_resolved_primary", "flow_settled_remotely", "flow_resolved_hospital",
        "flow_resolved_emergency", "flow_admit_first")


def flow_value(summary: pd.DataFrame, kpis: tuple, column: str = "mean") -> float:
    """The sum of ``kpis``' ``column`` in the summary (NaN if one is missing)."""
    vals = [summary.loc[k, column] if k in summary.index else np.nan for k in kpis]
    return float(np.sum(vals)) if vals and all(np.isfinite(vals)) else np.nan


def _anchor(box: str, side: str, offset: float) -> tuple[float, float]:
    """A point on a box's side (l, r, t, b), ``offset`` box-widths (or heights) from its middle."""
    x, y = FLOW_BOXES[box][:2]
    if side in "lr":
        return x + (1 if side == "r" else -1) * FLOW_BOX_W / 2, y + offset * FLOW_BOX_H
    return x + offset * FLOW_BOX_W, y + (1 if side == "t" else -1) * FLOW_BOX_H / 2


def _box_lines(summary: pd.DataFrame, box: str, kpi: str, lang: str) -> list[str]:
    """The box's mean, its 95% CI (volumes are not below 0) and the ambulance share of ED."""
    mean = flow_value(summary, (kpi,))
    lines = [fmt(mean)]
    lo, hi = (flow_value(summary, (kpi,), c) for c in ("ci_low", "ci_high"))
    if mean and np.isfinite(lo) and np.isfinite(hi):
        lines.append(f"[{fmt(max(lo, 0.0))}, {fmt(hi)}]")
    ambulance = flow_value(summary, ("flow_ambulance",))
    if box == "E" and ambulance > 0:
        lines.append(text("of_which_ambulance", lang, n=fmt(ambulance)))
    if box == "ADM" and flow_value(summary, ("flow_admit_first",)) != mean:
        lines.append(text("of_which_first", lang,
                          n=fmt(flow_value(summary, ("flow_admit_first",)))))
    return lines


def _draw_boxes(ax: Axes, summary: pd.DataFrame, lang: str) -> None:
    for box, (x, y, kpi, tint) in FLOW_BOXES.items():
        name = kpi_label(kpi, lang) if declaration(kpi) is not None else text(kpi, lang)
        name = "\n".join(wrap(part, lang, 26 if lang == "zh" else 22)
                         for part in name.split("\n"))
        lines = _box_lines(summary, box, kpi, lang)
        faint = not flow_value(summary, (kpi,)) > 0          # zero (or missing): faint
        colour = "0.92" if tint is None else PALETTE[tint]
        ax.add_patch(FancyBboxPatch(
            (x - FLOW_BOX_W / 2, y - FLOW_BOX_H / 2), FLOW_BOX_W, FLOW_BOX_H,
            boxstyle="round,pad=0.04", fc=colour,
            alpha=(0.07 if faint else 0.22) if tint is not None else 1.0,
            ec="0.75" if faint else "0.3", lw=1, ls="--" if tint is None or faint else "-"))
        ax.text(x, y, "\n".join([name] + lines), ha="center", va="center", fontsize=9,
                linespacing=1.15, color="0.6" if faint else "black", gid=f"flow:{box}")


def _draw_arrows(ax: Axes, summary: pd.DataFrame) -> None:
    """Arrows whose width follows the flow; a zero flow has no arrow."""
    values = [flow_value(summary, k) - (flow_value(summary, sub) if sub else 0.0)
              for _, _, k, sub, *_ in FLOW_ARROWS]
    top = max([v for v in values if np.isfinite(v)] + [1.0])
    for (a, b, _, _, ea, eb, path, at), v in zip(FLOW_ARROWS, values):
        if not v > 0:
            continue
        p, q = _anchor(a, *ea), _anchor(b, *eb)
        lw = 0.8 + 12.0 * v / top
        length = abs(q[0] - p[0]) + abs(q[1] - p[1]) if path != "straight" else \
            float(np.hypot(q[0] - p[0], q[1] - p[1]))
        head = min(9 + 1.4 * lw, 0.5 * length * POINTS_PER_UNIT)   # a short arrow keeps a shaft
        style = {"straight": "arc3,rad=0", "up": "angle,angleA=90,angleB=0,rad=0",
                 "across": "angle,angleA=0,angleB=90,rad=0"}[path]
        ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=head,
                                     lw=lw, color=PALETTE[0], alpha=0.75,
                                     connectionstyle=style, capstyle="butt",
                                     joinstyle="miter", shrinkA=1, shrinkB=1))
        if path == "up":            # the label on the corner of the bend
            mx, my = p[0], q[1]
        elif path == "across":
            mx, my = q[0], p[1]
        else:
            mx, my = p[0] + at * (q[0] - p[0]), p[1] + at * (q[1] - p[1])
        ax.text(mx, my, fmt(v), ha="center", va="center", fontsize=8.5,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))


def balance_text(summary: pd.DataFrame, lang: str) -> str:
    """'first contacts a + b + c = d resolved at primary care + ...': every first contact
    accounted for, with the repeat prescriptions the diagram leaves out."""
    plus = " + "
    firsts = plus.join(fmt(flow_value(summary, (k,))) for k in FIRST_CONTACTS)
    ends = plus.join(f"{fmt(flow_value(summary, (k,)))} {kpi_label(k, lang)}" for k in ENDS)
    line = text("flow_balance", lang, firsts=firsts, ends=ends)
    refill = flow_value(summary, ("flow_refill",))
    if np.isfinite(refill):
        line += "\n" + text("flow_refills", lang, n=fmt(refill))
    return line


@styled
def flow_figure(summary: pd.DataFrame, lang: str = "en", label: str = "") -> Figure:
    """The referral flow diagram: first contact → referral → hospital → outcome, every box a
    KPI with its 95% CI, arrow widths proportional to the means (per 10,000 residents per
    year), and the balance of first contacts against where they ended."""
    check_lang(lang)
    fig = new_figure(figsize=(13, 7.9))
    ax = fig.subplots()
    ax.set_xlim(-0.1, 13.15)
    ax.set_ylim(-0.45, 7.7)
    ax.axis("off")
    for x, key in ((1.2, "first_contact"), (3.8, "referral"), (6.3, "hospital_care"),
                   (10.55, "outcome")):
        ax.text(x, 7.45, text(key, lang), ha="center", va="center", fontsize=12.5,
                color="0.25")
    _draw_boxes(ax, summary, lang)
    _draw_arrows(ax, summary)
    n = int(summary.loc["flow_first_primary", "n"]) if "flow_first_primary" in summary.index \
        else 0
    ax.set_title(text("title_flow", lang, label=label), fontsize=13)
    footer = text("flow_units", lang, n=n)
    if all(k in summary.index for k in FIRST_CONTACTS + ENDS):
        balance = balance_text(summary, lang).split("\n")
        footer = "\n".join([wrap(line, lang, 190) for line in balance] + [footer])
    ax.text(0.0, -0.35, footer, fontsize=8.5, color="0.3", va="top", gid="flow:balance")
    return fig
