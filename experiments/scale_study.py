"""Which KPIs move with ``population.scale``? Reads the ``scale_study`` sweep (experiment
scale_study: today's Dongli at 10%, 20% and full scale, same seeds) and writes, per KPI, each
reduced scale's shift from full scale and whether it is larger than noise and 5% of the value.

    python -m sim -m experiment=scale_study
    python -m experiments.scale_study results/sweeps/scale_study

Writes ``sim/analysis/scale_study.csv`` (read by reports and the terminal of reduced runs) and
prints the table of scale-sensitive KPIs for ``docs/calibration.md``.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent.parent / "sim" / "analysis" / "scale_study.csv"
TOLERANCE = 0.05      # a shift smaller than 5% of the full-scale value is not worth a warning


def shifts(summary: pd.DataFrame) -> pd.DataFrame:
    """Per KPI and reduced scale: full-scale mean, the scale's mean, the relative shift and
    ``sensitive`` (the shift exceeds both CIs' half-widths summed and 5% of the value); totals
    that shrink with the residents (relative shift ≈ scale − 1: arrivals, costs) are
    ``proportional``, expected, not sensitive."""
    ok = summary[summary.status == "complete"].copy()
    ok["scale"] = ok.overrides.map(lambda o: float(re.search(r"population\.scale=([\d.]+)",
                                                            o).group(1)))
    full = ok[ok.scale == 1.0].set_index("kpi")
    rows = []
    for scale, part in ok[ok.scale < 1.0].groupby("scale"):
        part = part.set_index("kpi")
        for kpi in full.index.intersection(part.index):
            f, s = full.loc[kpi], part.loc[kpi]
            if not (np.isfinite(f["mean"]) and np.isfinite(s["mean"])):
                continue
            shift = s["mean"] - f["mean"]
            noise = (f.ci_high - f.ci_low + s.ci_high - s.ci_low) / 2
            rel = shift / abs(f["mean"]) if f["mean"] else np.inf if shift else 0.0
            proportional = abs(rel - (scale - 1.0)) < TOLERANCE
            sensitive = abs(shift) > noise and abs(rel) > TOLERANCE and not proportional
            rows.append((kpi, scale, f["mean"], s["mean"], rel, bool(sensitive),
                         bool(proportional)))
    return pd.DataFrame(rows, columns=["kpi", "scale", "full_mean", "mean", "relative_shift",
                                       "sensitive", "proportional"]).sort_values(["kpi", "scale"])


def main(sweep: str) -> None:
    table = shifts(pd.read_csv(Path(sweep) / "sweep_summary.csv"))
    table.to_csv(OUT, index=False, float_format="%.6g")
    wide = table.pivot(index="kpi", columns="scale", values="relative_shift")
    flagged = table.groupby("kpi")["sensitive"].any()
    print("| KPI | full scale | shift at 10% | shift at 20% |\n|---|---|---|---|")
    full = table.groupby("kpi")["full_mean"].first()
    for kpi in flagged[flagged].index:
        cells = [f"{wide.loc[kpi, s]:+.0%}" if s in wide.columns and np.isfinite(
            wide.loc[kpi, s]) else "–" for s in (0.1, 0.2)]
        print(f"| `{kpi}` | {full[kpi]:.4g} | {cells[0]} | {cells[1]} |")
    totals = table.groupby("kpi")["proportional"].all()
    print(f"\n{int(flagged.sum())} of {len(flagged)} KPIs move with scale; totals that shrink "
          f"with the residents: {', '.join(totals[totals].index)}; written {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/sweeps/scale_study")
