"""Is the cost of a replication linear in residents and horizon? Times one replication per point
(``sim.bench``, simulation only, each in a fresh process so its peak memory is its own) and plots
CPU time and peak resident memory against the population scale and the simulated years.

    python -m experiments.scaling                                  # Dongli: 0.25-2 × residents, 1, 2, 5 years
    python -m experiments.scaling --scales 0.0125 0.025 0.05 0.1 --years 1 2 --horizon-scale 0.1

``population.scale=2`` is a district twice Dongli's size (residents and servers doubled). Writes
``scaling.csv`` and ``scaling.png`` to ``--out`` (default ``results/scaling``).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("cpu_s", "visits", "max_rss_sim_mib")


def measure(overrides: list[str]) -> dict[str, float]:
    """One replication of ``overrides`` timed in a fresh interpreter: CPU s, visits, peak MiB."""
    code = ("import json, sys; from sim.bench import bench; "
            "r = bench(sys.argv[1:], reduce=False); "
            f"print(json.dumps({{k: r[k] for k in {FIELDS!r}}}))")
    out = subprocess.run([sys.executable, "-c", code, *overrides], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def study(scales: list[float], years: list[int], horizon_scale: float) -> pd.DataFrame:
    """Rows of (study, scale, years, cpu_s, visits, max_rss_sim_mib), one per point."""
    points = [("residents", s, 1) for s in scales]
    points += [("horizon", horizon_scale, y) for y in years]
    rows = []
    for kind, scale, n in points:
        r = measure([f"population.scale={scale}", f"run.horizon_days={365 * n}"])
        rows.append({"study": kind, "scale": scale, "years": n, **r})
        print(f"{kind:9s} scale {scale:<6} {n} y: {r['cpu_s']:7.1f} s CPU, "
              f"{r['visits']:>10,} visits, {r['max_rss_sim_mib']:5.0f} MiB", flush=True)
    return pd.DataFrame(rows)


def plot(df: pd.DataFrame, path: Path) -> None:
    """CPU time and peak memory against residents (1 year) and against years (one scale)."""
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for col, (kind, x, xlabel) in enumerate((
            ("residents", "scale", "population scale (× Dongli's residents)"),
            ("horizon", "years", "simulated years (after a 30-day warm-up)"))):
        part = df[df.study == kind].sort_values(x)
        if part.empty:
            continue
        for row, (y, ylabel) in enumerate((("cpu_s", "CPU time per replication (s)"),
                                           ("max_rss_sim_mib", "peak resident memory (MiB)"))):
            ax = axes[row, col]
            ax.plot(part[x], part[y], "o-", label="measured")
            if row == 0:                         # the line through the origin and the largest
                last = part.iloc[-1]
                ax.plot([0, last[x]], [0, last[y]], "--", color="grey",
                        label="linear through the largest point")
                ax.legend()
            ax.set_xlim(left=0)
            ax.set_ylim(bottom=0)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.grid(alpha=0.3)
    scale = df[df.study == "horizon"].scale
    axes[0, 0].set_title("Cost against residents (1 simulated year)")
    axes[0, 1].set_title("Cost against horizon" + (f" (scale {scale.iloc[0]})" if len(scale) else ""))
    fig.suptitle("One replication of the calibrated Dongli model on one core")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[0.25, 0.5, 1.0, 2.0])
    ap.add_argument("--years", type=int, nargs="+", default=[1, 2, 5])
    ap.add_argument("--horizon-scale", type=float, default=1.0)
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "scaling")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    df = study(args.scales, args.years, args.horizon_scale)
    df.to_csv(args.out / "scaling.csv", index=False)
    plot(df, args.out / "scaling.png")
    print(f"wrote {args.out / 'scaling.csv'} and {args.out / 'scaling.png'}")


if __name__ == "__main__":
    main(sys.argv[1:])
