"""``python -m sim.compare DIR [DIR ...]``: compare the runs of one or more sweeps.

    python -m sim.compare results/sweeps/policies --baseline policy=baseline
    python -m sim.compare results/sweeps/a results/sweeps/b --out results/compare/ab --lang zh
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.analysis.labels import LANGS
from sim.terminal import comparison_summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim.compare", description=__doc__.split("\n")[0])
    p.add_argument("dirs", nargs="+", type=Path, help="sweep or run directories")
    p.add_argument("--baseline", default="",
                   help="the job to compare against: its folder name or overrides "
                        "(e.g. policy=baseline); default: the first complete job")
    p.add_argument("--kpis", default="", help="comma-separated KPIs to plot (default: headline "
                                              "KPIs and the targets')")
    p.add_argument("--out", type=Path, help="output folder (default: the only directory given)")
    p.add_argument("--lang", default="en", choices=LANGS, help="labels and report language")
    args = p.parse_args(argv)
    if args.out is None and len(args.dirs) > 1:
        p.error("--out is needed when comparing several directories")
    from sim.analysis.compare import compare
    try:
        result = compare(args.dirs, args.out or args.dirs[0], args.baseline,
                         [k for k in args.kpis.split(",") if k], args.lang)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(comparison_summary(result))
    print("\nwritten:")
    for path in result.files:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
