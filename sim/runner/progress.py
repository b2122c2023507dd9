"""A sweep's progress, shared by its jobs through one file in the sweep's folder: the sweep writes
how many jobs it runs and when it started (``start``); each job, as it ends, appends its line and
reads how many have ended (``finished``). Jobs run in separate processes (joblib, a cluster), so
the file, under a lock, is what they share."""
from __future__ import annotations

import fcntl
import json
import time
from pathlib import Path
from typing import Sequence

LOG = "progress.jsonl"     # first line {"total", "started", "common"}, then one line per job


def start(sweep_dir: Path, total: int | None, common: Sequence[str] = ()) -> None:
    """A new record for the sweep in ``sweep_dir``: ``total`` jobs (None: unknown), started
    now, ``common`` the overrides every job shares (left out of a job's name)."""
    sweep_dir.mkdir(parents=True, exist_ok=True)
    head = {"total": total, "started": time.time(), "common": list(common)}
    (sweep_dir / LOG).write_text(json.dumps(head) + "\n", encoding="utf-8")


def header(sweep_dir: Path) -> dict:
    """The sweep's record (``start``); an empty one when the sweep wrote none."""
    path = sweep_dir / LOG
    if not path.exists():
        return {"total": None, "started": None, "common": []}
    return json.loads(path.read_text(encoding="utf-8").split("\n", 1)[0])


def job_name(overrides: Sequence[str], common: Sequence[str], fallback: str) -> str:
    """A job by the overrides it does not share with the other jobs (``policy=gatekeeping``)."""
    own = [o for o in overrides if o not in set(common)]
    return ",".join(own) or fallback


def finished(sweep_dir: Path, name: str, status: str, seconds: float) -> tuple[int, dict]:
    """Record that job ``name`` ended with ``status`` after ``seconds``; returns how many jobs
    of the sweep have ended (this one included) and the sweep's record."""
    path = sweep_dir / LOG
    line = json.dumps({"job": name, "status": status, "seconds": round(seconds, 1)})
    with open(path, "a+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)        # append and count as one step
        f.write(line + "\n")
        f.flush()
        f.seek(0)
        lines = f.read().splitlines()
    head = json.loads(lines[0]) if lines and lines[0].startswith('{"total"') else {}
    return len(lines) - (1 if head else 0), head
