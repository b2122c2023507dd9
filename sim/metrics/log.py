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


class Log:
    """Columns of the visit log and the step log of one replication."""

    def __init__(self) -> None:
        # visits: one row per service request (consultation, admission, community bed)
        self.v_service = array("i")
        self.v_etype = array("b")
        self.v_lane = array("b")
        self.v_referred = array("b")  # 1: sent by a doctor (up-referral, remote reading)
        self.v_cohort = array("i")
        self.v_t = array("d")       # time of the request (arrival at the service), minutes
        self.v_wait = array("d")    # minutes until a server was free
        # steps: one row per pathway decision
        self.s_step = array("b")
        self.s_etype = array("b")
        self.s_facility = array("i")
        self.s_t = array("d")
        self.s_value = array("d")   # e.g. bed-blocking minutes

        self.visit = _appender(self.v_service, self.v_etype, self.v_lane, self.v_referred,
                               self.v_cohort, self.v_t, self.v_wait)
        """``visit(service, etype, lane, referred, cohort, t, wait)``: one visit row."""

    def step(self, step: int, etype: int, facility: int, t: float, value: float = 0.0) -> None:
        """One step row (the model binds a faster closure for its hot path)."""
        self.s_step.append(step)
        self.s_etype.append(etype)
        self.s_facility.append(facility)
        self.s_t.append(t)
        self.s_value.append(value)

    def stepper(self, env: Any) -> Callable[..., None]:
        """``step(step, ep, facility, value=0)`` logging at ``env``'s now, appends prebound."""
        a, b, c, d, e = (col.append for col in (self.s_step, self.s_etype, self.s_facility,
                                                 self.s_t, self.s_value))

        def step(step: int, ep: Any, fac: Any, value: float = 0.0) -> None:
            a(step)
            b(ep.kind.idx)
            c(fac.index)
            d(env._now)
            e(value)
        return step

    def arrays(self) -> dict[str, np.ndarray]:
        """Columns as numpy arrays (zero-copy views of the typed arrays)."""
        return {name: np.frombuffer(col, dtype=col.typecode) if len(col) else
                np.zeros(0, dtype=col.typecode)
                for name, col in vars(self).items() if isinstance(col, array)}


def _appender(*columns: array) -> Callable[..., None]:
    """One call appending a row to ``columns``, their ``append`` methods bound once."""
    a, b, c, d, e, f, g = (col.append for col in columns)

    def append(service: int, etype: int, lane: int, referred: int, cohort: int, t: float,
               wait: float) -> None:
        a(service)
        b(etype)
        c(lane)
        d(referred)
        e(cohort)
        f(t)
        g(wait)
    return append
