"""The output contract: every file written atomically; ``summary.json`` last marks completion,
``INCOMPLETE`` marks a folder whose run started and has not finished (or was interrupted)."""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from sim.runner.files import atomic_path
from sim.runner.run import RunResult

COMPLETE_MARKER = "summary.json"
FAILURE_MARKER = "failed.json"
INCOMPLETE_MARKER = "INCOMPLETE"
PLAN_DIR = "plan"     # in a run directory that compares today and the plan: the plan's run


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _json_number(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def write_data(result: RunResult, out_dir: Path) -> None:
    """Config, KPIs, summary and time series; ``summary.json`` is left for ``mark_complete``."""
    out_dir = Path(out_dir)
    write_text(out_dir / "config.resolved.yaml", OmegaConf.to_yaml(result.config, resolve=True))
    with atomic_path(out_dir / "kpis.csv") as tmp:
        result.kpis.to_csv(tmp, index=False)
    with atomic_path(out_dir / "summary.csv") as tmp:
        result.summary.to_csv(tmp)
    with atomic_path(out_dir / "timeseries.parquet") as tmp:
        result.timeseries.to_parquet(tmp, index=False)


def write_assumptions(rows: list[dict], out_dir: Path) -> None:
    """``assumptions.csv``: the config values the run rests on that no source gives."""
    with atomic_path(Path(out_dir) / "assumptions.csv") as tmp:
        pd.DataFrame(rows, columns=["file", "key", "value", "note"]).to_csv(tmp, index=False)


def mark_complete(result: RunResult, out_dir: Path) -> None:
    """Write ``summary.json`` and drop ``INCOMPLETE``: the run directory is complete."""
    summary = {k: {c: _json_number(v) for c, v in row.items()}
               for k, row in result.summary.to_dict(orient="index").items()}
    write_text(Path(out_dir) / COMPLETE_MARKER, json.dumps(summary, indent=1, sort_keys=True))
    (Path(out_dir) / INCOMPLETE_MARKER).unlink(missing_ok=True)


def mark_incomplete(out_dir: Path, reason: str) -> None:
    """Write ``INCOMPLETE`` (why, and when) and drop ``summary.json``: until the run finishes,
    nothing reads this folder as a run (``is_complete``; sweeps re-run it)."""
    out_dir = Path(out_dir)
    write_text(out_dir / INCOMPLETE_MARKER,
               f"{reason} ({dt.datetime.now().isoformat(timespec='seconds')}): the files in "
               "this folder are partial; run the command again or delete the folder\n")
    (out_dir / COMPLETE_MARKER).unlink(missing_ok=True)


def is_complete(out_dir: Path) -> bool:
    """``summary.json`` is there and no ``INCOMPLETE`` marker."""
    out_dir = Path(out_dir)
    return (out_dir / COMPLETE_MARKER).exists() and not (out_dir / INCOMPLETE_MARKER).exists()


def record_failure(out_dir: Path, error: str, detail: str) -> None:
    """``failed.json``: the job's one-line error and its traceback (a sweep goes on)."""
    write_text(Path(out_dir) / FAILURE_MARKER,
               json.dumps({"error": error, "traceback": detail}, indent=1))


def clear_failure(out_dir: Path) -> None:
    (Path(out_dir) / FAILURE_MARKER).unlink(missing_ok=True)
