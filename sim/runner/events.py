"""The opt-in event log (``run.events``): every visit and pathway step of a run as Parquet rows.

Each replication's worker streams its rows, in row groups of about a million rows (a month of
a full-scale run), to a hidden temporary file in ``events.parquet/`` and renames it
``part-<replication>.parquet`` once the replication has finished, so the directory reads as one
dataset (``pandas.read_parquet(run_dir / "events.parquet")``) and an interrupted replication
leaves no part under a final name.

Columns: ``replication``, ``episode`` (id within the replication), ``t`` (simulated minutes
since the start of the warm-up; for a visit, when the patient asked for the service), ``date``,
``facility``, ``service`` (visits), ``step`` (``visit`` or a pathway step), ``episode_type``,
``priority`` (visits: the priority lane), ``referred`` (visits: sent by a doctor), ``wait``
(visits: minutes until served), ``value`` (steps: see ``sim.metrics.log``). A ``left`` row (a
patient who gave up waiting) has no facility or episode type: its episode's other rows do.
Rows come day by day as logged (a day's visits, then its steps), warm-up included.
"""
from __future__ import annotations

import datetime as dt
import os
from array import array
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.domain.clock import DAY
from sim.domain.steps import STEP_NAMES
from sim.model.policy import LANE_PRIORITY
from sim.runner.files import temporary_beside

EVENTS_DIR = "events.parquet"
FLUSH_ROWS = 1 << 20                 # rows buffered before they are written as a row group

_NAMES = pa.dictionary(pa.int32(), pa.string())
_CODES = pa.dictionary(pa.int8(), pa.string())
SCHEMA = pa.schema([
    ("replication", pa.int32()), ("episode", pa.int64()), ("t", pa.float64()),
    ("date", pa.date32()), ("facility", _NAMES), ("service", _NAMES), ("step", _CODES),
    ("episode_type", _CODES), ("priority", pa.bool_()), ("referred", pa.bool_()),
    ("wait", pa.float64()), ("value", pa.float64()),
])


def part_name(rep: int) -> str:
    """File name of replication ``rep``'s part."""
    return f"part-{rep:03d}.parquet"


class EventWriter:
    """Writes one replication's log chunks (``write``, the log's sink) to its part file;
    ``commit`` puts the part in place, ``abort`` removes an uncommitted one."""

    def __init__(self, directory: Path, rep: int, model: Any):
        services = model.network.services
        facilities = sorted(model.network.facilities.values(), key=lambda f: f.index)
        names = sorted({s.name for s in services})
        self.facilities = pa.array([f.id for f in facilities])
        self.service_names = pa.array(names)
        self.service_facility = np.array([s.facility.index for s in services], dtype=np.int32)
        self.service_name = np.array([names.index(s.name) for s in services], dtype=np.int32)
        self.steps = pa.array(("visit",) + STEP_NAMES)
        self.types = pa.array([t.name for t in sorted(model.types.values(), key=lambda t: t.idx)])
        self.first_day = (model.clock.first_date - dt.date(1970, 1, 1)).days
        self.rep = rep
        self.path = Path(directory) / part_name(rep)
        self.tmp = temporary_beside(self.path)
        self.writer: pq.ParquetWriter | None = pq.ParquetWriter(self.tmp, SCHEMA,
                                                                compression="zstd")
        self.buffer: list[pa.Table] = []
        self.buffered = 0

    def write(self, cols: dict[str, array]) -> None:
        """Add one closed day of the log (visit and step columns, with episode ids)."""
        c = {name: np.frombuffer(col, dtype=col.typecode) for name, col in cols.items()}
        n_v, n_s = c["v_t"].size, c["s_t"].size
        if n_v:
            svc = c["v_service"]
            self._add(n_v, c["v_episode"], c["v_t"],
                      facility=self._names(self.facilities, self.service_facility[svc]),
                      service=self._names(self.service_names, self.service_name[svc]),
                      step=self._codes(self.steps, np.zeros(n_v, dtype=np.int8)),
                      episode_type=self._codes(self.types, c["v_etype"]),
                      priority=pa.array(c["v_lane"] == LANE_PRIORITY),
                      referred=pa.array(c["v_referred"] == 1),
                      wait=pa.array(c["v_wait"]), value=pa.nulls(n_v, pa.float64()))
        if n_s:
            self._add(n_s, c["s_episode"], c["s_t"],
                      facility=self._names(self.facilities, c["s_facility"]),
                      service=pa.nulls(n_s, _NAMES),
                      step=self._codes(self.steps, c["s_step"] + np.int8(1)),
                      episode_type=self._codes(self.types, c["s_etype"]),
                      priority=pa.nulls(n_s, pa.bool_()), referred=pa.nulls(n_s, pa.bool_()),
                      wait=pa.nulls(n_s, pa.float64()), value=pa.array(c["s_value"]))
        if self.buffered >= FLUSH_ROWS:
            self._flush()

    def _add(self, n: int, episode: np.ndarray, t: np.ndarray, **cols: pa.Array) -> None:
        day = (t // DAY).astype(np.int32) + np.int32(self.first_day)
        table = pa.Table.from_pydict({
            "replication": pa.array(np.full(n, self.rep, dtype=np.int32)),
            "episode": pa.array(episode), "t": pa.array(t),
            "date": pa.array(day).view(pa.date32()), **cols}, schema=SCHEMA)
        self.buffer.append(table)
        self.buffered += n

    @staticmethod
    def _names(dictionary: pa.Array, index: np.ndarray) -> pa.DictionaryArray:
        """Names by index (-1: none), as int32 dictionary codes."""
        index = index.astype(np.int32, copy=False)
        return pa.DictionaryArray.from_arrays(pa.array(index, mask=index < 0), dictionary)

    @staticmethod
    def _codes(dictionary: pa.Array, index: np.ndarray) -> pa.DictionaryArray:
        """Names by index (-1: none), as int8 dictionary codes."""
        index = index.astype(np.int8, copy=False)
        return pa.DictionaryArray.from_arrays(pa.array(index, mask=index < 0), dictionary)

    def _flush(self) -> None:
        if self.buffer:
            self.writer.write_table(pa.concat_tables(self.buffer), row_group_size=FLUSH_ROWS * 2)
            self.buffer, self.buffered = [], 0

    def commit(self) -> Path:
        """Write what is buffered, close the file and rename it to its final name."""
        self._flush()
        self.writer.close()
        self.writer = None
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Close and delete the temporary file unless committed (safe to call twice)."""
        if self.writer is not None:
            try:
                self.writer.close()
            except Exception:       # noqa: BLE001  (already failing: the file goes anyway)
                pass
            self.writer = None
        self.tmp.unlink(missing_ok=True)
