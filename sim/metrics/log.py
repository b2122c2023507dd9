"""What a replication records: one row per service visit and one per pathway step.

Rows go to typed ``array`` columns (cheap appends on the hot path); KPIs are computed from them
with numpy after the run.
"""
from __future__ import annotations

from array import array

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

    def visit(self, service: int, etype: int, lane: int, referred: int, cohort: int, t: float,
              wait: float) -> None:
        self.v_service.append(service)
        self.v_etype.append(etype)
        self.v_lane.append(lane)
        self.v_referred.append(referred)
        self.v_cohort.append(cohort)
        self.v_t.append(t)
        self.v_wait.append(wait)

    def step(self, step: int, etype: int, facility: int, t: float, value: float = 0.0) -> None:
        self.s_step.append(step)
        self.s_etype.append(etype)
        self.s_facility.append(facility)
        self.s_t.append(t)
        self.s_value.append(value)

    def arrays(self) -> dict[str, np.ndarray]:
        """Columns as numpy arrays (zero-copy views of the typed arrays)."""
        return {name: np.frombuffer(col, dtype=col.typecode) if len(col) else
                np.zeros(0, dtype=col.typecode)
                for name, col in vars(self).items()}
