"""What a visit and a pathway step leave in the log: the columns of their rows, and the writers
of today's rows. The model writes rows (with plain values: no object of its own reaches the log)
and the metrics read them (``sim.metrics.log``), so both share this contract, like the steps'
codes. The writers are Python here (tuples, typed at the roll) and compiled where built
(``_rows.pyx``, the same bytes; the compiled pathways call them in C).
"""
from __future__ import annotations

from array import array

from sim.domain import compiled

VISIT_COLUMNS = (("v_service", "i"), ("v_etype", "b"), ("v_lane", "b"), ("v_referred", "b"),
                 ("v_cohort", "i"), ("v_t", "d"), ("v_wait", "d"))
# v_referred: 1 when sent by a doctor (up-referral, remote reading); v_t: time of the request
# (arrival at the service), v_wait: minutes until a server was free. A visit row is logged when
# its service starts, so v_t may lie days before the chunk's day (a wait for a bed).
STEP_COLUMNS = (("s_step", "b"), ("s_etype", "b"), ("s_facility", "i"), ("s_t", "d"),
                ("s_value", "d"))
# s_t: the time the step is logged, so the step log is in time order (checked at each roll)
EPISODE_COLUMNS = (("v_episode", "q"), ("s_episode", "q"))
# only with ``episodes``: the episode id of each row, for the event log (not kept on disk)


def table_columns(episodes: bool) -> dict[str, tuple]:
    """(name, type code) of each table's columns, visits ``v`` and steps ``s``, each ending in its
    episode id with ``episodes``."""
    return {"v": VISIT_COLUMNS + (EPISODE_COLUMNS[:1] if episodes else ()),
            "s": STEP_COLUMNS + (EPISODE_COLUMNS[1:] if episodes else ())}


def codes(columns: tuple) -> str:
    """The type codes of ``columns`` ((name, code) pairs), in order."""
    return "".join(code for _, code in columns)


def py_columns(rows: list[tuple], codes: str) -> list[array]:
    """Column ``k`` of ``rows`` as an ``array`` of type ``codes[k]``."""
    values = zip(*rows) if rows else [()] * len(codes)
    return [array(code, col) for code, col in zip(codes, values)]


class _PyRows:
    """Today's rows of one table as tuples (one list append per row), typed at ``columns``."""

    def __init__(self, codes: str, episodes: bool = False):
        self.codes, self.rows, self.episodes = codes, [], episodes

    def __len__(self) -> int:
        return len(self.rows)

    def columns(self) -> list[array]:
        return py_columns(self.rows, self.codes)


class PyVisitRows(_PyRows):
    """Visit rows: the reference for the compiled ``_rows.VisitRows``."""

    def __init__(self, codes: str, episodes: bool = False):
        super().__init__(codes, episodes)
        append = self.rows.append
        if episodes:
            def visit(service, etype, lane, referred, cohort, t, wait, episode=-1) -> None:
                append((service, etype, lane, referred, cohort, t, wait, episode))
        else:
            def visit(service, etype, lane, referred, cohort, t, wait, episode=-1) -> None:
                append((service, etype, lane, referred, cohort, t, wait))
        self.visit = visit


class PyStepRows(_PyRows):
    """Step rows: the reference for the compiled ``_rows.StepRows``."""

    def append(self, step: int, etype: int, facility: int, t: float, value: float = 0.0,
               episode: int = -1) -> None:
        row = (step, etype, facility, t, value)
        self.rows.append(row + (episode,) if self.episodes else row)


compiled_rows = compiled.load("sim.domain._rows", "sim/domain/_rows.pyx")   # None: not built
