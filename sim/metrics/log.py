"""What a replication records: one row per service visit and one per pathway step.

Rows (their columns and writers: ``sim.domain.rows``) go straight into typed ``array``
columns (compiled; in Python a list of tuples typed at the roll), closed into a chunk at each
midnight. A closed chunk is appended to one raw file per column in a scratch directory, so the
log's memory does not grow with the horizon; KPIs read the files back as memory maps, one
period at a time (``period``).
"""
from __future__ import annotations

import mmap
import os
import shutil
import tempfile
import weakref
from array import array
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from sim.domain.rows import (STEP_COLUMNS, VISIT_COLUMNS, PyStepRows, PyVisitRows, codes,
                             compiled_rows, table_columns)

BLOCK_ROWS = 1 << 20       # rows per block when a period is filtered or binned


class _Table:
    """One log table on disk: a raw file per column, rows appended a closed chunk at a time, and
    per chunk its row count and the smallest and largest time (to find a period's rows)."""

    def __init__(self, directory: Path, columns: tuple, time: str, mapped: list):
        self.directory = directory
        self.mapped = mapped                # weak references to every array mapped
        self.codes = dict(columns)
        self.time = time
        self.files = {name: open(directory / name, "wb") for name in self.codes}
        self.ends: list[int] = []           # rows up to the end of each chunk
        self.t_min: list[float] = []
        self.t_max: list[float] = []
        self.ordered = True                 # every row's time >= the row before's
        self._latest = -np.inf
        self._maps: dict[str, np.ndarray] = {}

    @property
    def rows(self) -> int:
        return self.ends[-1] if self.ends else 0

    def append(self, cols: dict[str, array]) -> None:
        """Write one closed chunk and note its bounds."""
        t = np.frombuffer(cols[self.time], dtype="d")
        for name, f in self.files.items():
            f.write(cols[name])
            f.flush()
        self.ends.append(self.rows + t.size)
        if t.size:
            lo, hi = float(t.min()), float(t.max())
            if self.ordered:
                self.ordered = lo >= self._latest and bool((t[1:] >= t[:-1]).all())
            self._latest = max(self._latest, hi)
        else:
            lo, hi = np.inf, -np.inf
        self.t_min.append(lo)
        self.t_max.append(hi)
        self._maps.clear()

    def column(self, name: str) -> np.ndarray:
        """Every row of column ``name``, mapped read-only from its file (no copy)."""
        col = self._maps.get(name)
        if col is None:
            col = _map(self.directory / name, self.codes[name], self.mapped)
            self._maps[name] = col
        return col

    def select(self, t0: float, t1: float, scratch: Callable[[], Path]) -> dict[str, np.ndarray]:
        """Columns of the rows with time in [t0, t1), in log order: a slice of the mapped files
        when one holds exactly those rows, else the rows filtered block by block to new files
        in ``scratch()`` (mapped in turn), so memory stays bounded."""
        lo, hi = np.array(self.t_min), np.array(self.t_max)
        ends = np.array(self.ends, dtype=np.int64)
        hit = np.flatnonzero((hi >= t0) & (lo < t1))
        if not hit.size:
            return {name: np.zeros(0, dtype=code) for name, code in self.codes.items()}
        a, b = hit[0], hit[-1]
        r0, r1 = (ends[a - 1] if a else 0), ends[b]
        cols = {name: self.column(name) for name in self.codes}
        if (lo[a:b + 1] >= t0).all() and (hi[a:b + 1] < t1).all():
            return {name: col[r0:r1] for name, col in cols.items()}
        t = cols[self.time]
        if self.ordered:                    # a contiguous run of rows: find its ends
            r0, r1 = r0 + np.searchsorted(t[r0:r1], [t0, t1], side="left")
            return {name: col[r0:r1] for name, col in cols.items()}
        out = scratch()
        files = {name: open(out / name, "wb") for name in self.codes}
        try:
            for block in self.blocks(tuple(self.codes), r0, r1):
                t = block[self.time]
                keep = (t >= t0) & (t < t1)
                whole = keep.all()
                for name, f in files.items():
                    f.write(block[name] if whole else block[name][keep])
        finally:
            for f in files.values():
                f.close()
        return {name: _map(out / name, code, self.mapped) for name, code in self.codes.items()}

    def blocks(self, names: tuple[str, ...], r0: int = 0, r1: int | None = None
               ) -> Iterator[dict[str, np.ndarray]]:
        """Rows [r0, r1) of columns ``names`` in blocks of ``BLOCK_ROWS``, read into memory
        (not mapped: a pass over a long run leaves no pages behind)."""
        r1 = self.rows if r1 is None else r1
        files = {name: open(self.directory / name, "rb") for name in names}
        try:
            for r in range(r0, r1, BLOCK_ROWS):
                n = min(BLOCK_ROWS, r1 - r)
                block = {}
                for name, f in files.items():
                    col = np.empty(n, dtype=self.codes[name])
                    f.seek(r * col.itemsize)
                    if f.readinto(memoryview(col).cast("B")) != col.nbytes:
                        raise EOFError(f"{name}: fewer rows on disk than logged")
                    block[name] = col
                yield block
        finally:
            for f in files.values():
                f.close()

    def close(self) -> None:
        for f in self.files.values():
            f.close()
        self._maps.clear()


def _map(path: Path, code: str, mapped: list) -> np.ndarray:
    """The raw file at ``path`` as a read-only numpy array of type ``code`` (memory-mapped),
    noted in ``mapped`` (weakly)."""
    size = os.path.getsize(path)
    if not size:
        return np.zeros(0, dtype=code)
    with open(path, "rb") as f:
        col = np.frombuffer(mmap.mmap(f.fileno(), size, access=mmap.ACCESS_READ), dtype=code)
    mapped.append(weakref.ref(col))
    return col


class Log:
    """Columns of the visit log and the step log of one replication.

    Rows are appended to typed arrays that are closed into chunks once a day (``roll``): a
    closed chunk goes to ``sink`` (the event log, if any) and to raw column files in a new
    scratch directory under ``directory`` (default: the system temp dir, ``TMPDIR``), removed
    by ``close`` or, failing that, when the log is collected or the interpreter exits. With
    ``episodes`` each row also records its episode id (for the event log only). Rows are
    written by the compiled writers (``sim.domain._rows``) where they are built and ``compiled``,
    else by the Python ``PyVisitRows`` and ``PyStepRows`` (the same columns, byte for byte).
    """

    def __init__(self, directory: str | Path | None = None, episodes: bool = False,
                 sink: Callable[[dict[str, array]], None] | None = None,
                 compiled: bool = True) -> None:
        self.episodes = episodes
        self._columns = table_columns(episodes)
        self._writers = (compiled_rows.VisitRows, compiled_rows.StepRows) \
            if compiled and compiled_rows is not None else (PyVisitRows, PyStepRows)
        self.sink = sink
        self.directory = Path(tempfile.mkdtemp(prefix="medgroup-log-", dir=directory))
        self._cleanup = weakref.finalize(self, shutil.rmtree, str(self.directory), True)
        self._mapped: list[weakref.ref] = []
        self.tables = {"v": _Table(self.directory, VISIT_COLUMNS, "v_t", self._mapped),
                       "s": _Table(self.directory, STEP_COLUMNS, "s_t", self._mapped)}
        self._periods = 0
        self._open()

    def _open(self) -> None:
        visits, steps = self._writers
        self.visit_rows = visits(codes(self._columns["v"]), self.episodes)
        """Today's visit rows (until the next ``roll``): ``visit_rows.visit(service, etype,
        lane, referred, cohort, t, wait, episode=-1)`` writes one."""
        self.step_rows = steps(codes(self._columns["s"]), self.episodes)
        """Today's step rows (until the next ``roll``): ``step_rows.append(step, etype,
        facility, t, value=0, episode=-1)`` writes one."""

    @property
    def cols(self) -> dict[str, array]:
        """Today's rows (since the last ``roll``) as typed columns (built on each call)."""
        cols = {}
        for table, rows in (("v", self.visit_rows), ("s", self.step_rows)):
            cols.update(zip((name for name, _ in self._columns[table]), rows.columns()))
        return cols

    def roll(self) -> dict[str, array]:
        """Close today's rows into a chunk, start a new one and return the chunk's columns (the
        model calls it at midnight and once at the end of the run)."""
        cols = self.cols
        if self.sink is not None:
            self.sink(cols)
        self.tables["v"].append(cols)
        self.tables["s"].append(cols)
        self._open()
        return cols

    @property
    def visits(self) -> int:
        """Visit rows so far."""
        return self.tables["v"].rows + len(self.visit_rows)

    def step(self, step: int, etype: int, facility: int, t: float, value: float = 0.0,
             episode: int = -1) -> None:
        """One step row."""
        self.step_rows.append(step, etype, facility, t, value, episode)

    def period(self, t0: float, t1: float) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Visit and step columns of the closed rows whose time lies in [t0, t1), in log order
        (read-only; mapped from the scratch files)."""
        made: list[Path] = []

        def scratch() -> Path:
            if not made:
                made.append(self._scratch())
            return made[0]
        return self.tables["v"].select(t0, t1, scratch), self.tables["s"].select(t0, t1, scratch)

    def blocks(self, names: tuple[str, ...]) -> Iterator[dict[str, np.ndarray]]:
        """Every closed row of columns ``names`` (all of the visit or all of the step log), a
        block of rows at a time, in log order."""
        table = self.tables[names[0][0]]
        return table.blocks(names)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every closed row of every column (read-only, mapped from the scratch files)."""
        return {name: table.column(name) for table in self.tables.values()
                for name in table.codes}

    def release(self) -> None:
        """Drop the pages of every mapped column from this process's resident set (they stay
        in the page cache; the next read maps them again), so a reduction that reads one
        column after another holds only what the current step reads."""
        alive = [(ref, col) for ref in self._mapped if (col := ref()) is not None]
        self._mapped[:] = [ref for ref, _ in alive]
        if hasattr(mmap, "MADV_DONTNEED"):
            for _, col in alive:
                col.base.obj.madvise(mmap.MADV_DONTNEED)

    def _scratch(self) -> Path:
        """A new directory for one period's filtered rows; the previous period's files are
        removed (on Linux their maps stay valid while arrays use them)."""
        if self._periods:
            shutil.rmtree(self.directory / f"period-{self._periods}", ignore_errors=True)
        self._periods += 1
        path = self.directory / f"period-{self._periods}"
        path.mkdir()
        return path

    def close(self) -> None:
        """Close the column files and remove the scratch directory (arrays already read stay
        valid: their maps outlive the files)."""
        for table in self.tables.values():
            table.close()
        self._cleanup()
