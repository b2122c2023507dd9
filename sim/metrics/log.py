"""What a replication records: one row per service visit and one per pathway step.

Rows go to typed ``array`` columns (cheap appends on the hot path); KPIs are computed from them
with numpy after the run.
"""
from __future__ import annotations

from array import array
from typing import Any, Callable

import numpy as np

# pathway steps (the ``step`` column of the step log)
STEP_NAMES = ("left", "first_primary", "first_hospital", "up_referral", "admit", "discharge",
              "down_eligible", "down_referral", "bed_block", "followup", "home_bed",
              "book_referred", "book_self", "no_show", "remote_diagnosis", "teleconsult",
              "test_repeated", "test_recognised", "refer_out", "outside", "ambulance",
              "checkup")
(LEFT, FIRST_PRIMARY, FIRST_HOSPITAL, UP_REFERRAL, ADMIT, DISCHARGE, DOWN_ELIGIBLE, DOWN_REFERRAL,
 BED_BLOCK, FOLLOWUP, HOME_BED, BOOK_REFERRED, BOOK_SELF, NO_SHOW, REMOTE_DIAGNOSIS, TELECONSULT,
 TEST_REPEATED, TEST_RECOGNISED, REFER_OUT, OUTSIDE, AMBULANCE, CHECKUP) = range(len(STEP_NAMES))
# values: discharge / down_referral / home_bed = minutes in the hospital bed; bed_block =
# minutes waiting for a community place; book_* = days to the appointment; ambulance = response


VISIT_COLUMNS = (("v_service", "i"), ("v_etype", "b"), ("v_lane", "b"), ("v_referred", "b"),
                 ("v_cohort", "i"), ("v_t", "d"), ("v_wait", "d"))
# v_referred: 1 when sent by a doctor (up-referral, remote reading); v_t: time of the request
# (arrival at the service), v_wait: minutes until a server was free
STEP_COLUMNS = (("s_step", "b"), ("s_etype", "b"), ("s_facility", "i"), ("s_t", "d"),
                ("s_value", "d"))


class Log:
    """Columns of the visit log and the step log of one replication.

    Rows are appended to typed arrays that are closed into chunks once a day (``roll``), so
    the day's rows can be read without copying the whole log (the choice model does, nightly).
    """

    def __init__(self) -> None:
        self.chunks: list[dict[str, array]] = []
        self.rows = 0                      # visit rows in closed chunks
        self._open()

    def _open(self) -> None:
        self.cols = {name: array(code) for name, code in VISIT_COLUMNS + STEP_COLUMNS}
        c = self.cols
        self.visit = _appender(*(c[name].append for name, _ in VISIT_COLUMNS))
        """``visit(service, etype, lane, referred, cohort, t, wait)``: one visit row."""

    def roll(self) -> None:
        """Close today's arrays into a chunk and open new ones (the model calls it at midnight)."""
        self.rows += len(self.cols["v_t"])
        self.chunks.append(self.cols)
        self._open()

    @property
    def visits(self) -> int:
        """Visit rows so far."""
        return self.rows + len(self.cols["v_t"])

    def step(self, step: int, etype: int, facility: int, t: float, value: float = 0.0) -> None:
        """One step row (``stepper`` gives the hot path a faster one)."""
        for (name, _), v in zip(STEP_COLUMNS, (step, etype, facility, t, value)):
            self.cols[name].append(v)

    def stepper(self, env: Any) -> Callable[..., None]:
        """``step(step, ep, facility, value=0)`` logging at ``env``'s now, appends prebound
        (valid until the next ``roll``)."""
        a, b, c, d, e = (self.cols[name].append for name, _ in STEP_COLUMNS)

        def step(step: int, ep: Any, fac: Any, value: float = 0.0) -> None:
            a(step)
            b(ep.kind.idx)
            c(fac.index)
            d(env._now)
            e(value)
        return step

    def today(self, name: str) -> np.ndarray:
        """Column ``name`` of the rows since the last ``roll`` (a copy)."""
        col = self.cols[name]
        return np.array(col, dtype=col.typecode)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every column as one numpy array."""
        out = {}
        for name, code in VISIT_COLUMNS + STEP_COLUMNS:
            parts = [np.frombuffer(c[name], dtype=code) for c in self.chunks + [self.cols]
                     if len(c[name])]
            out[name] = np.concatenate(parts) if parts else np.zeros(0, dtype=code)
        return out


def _appender(*appends: Callable[[Any], None]) -> Callable[..., None]:
    """One call appending a visit row, the columns' ``append`` methods bound once."""
    a, b, c, d, e, f, g = appends

    def row7(s, t, u, v, w, x, y) -> None:
        a(s)
        b(t)
        c(u)
        d(v)
        e(w)
        f(x)
        g(y)
    return row7
