"""What a care pathway may use of its medical group (``sim.model.pathways``): the episode it
follows and a narrow ``Context`` of the clock, the log, the policy, the services the levers add
and the group's choices, so a pathway cannot reach the network, the config or the runner; and the
``Intake`` that starts each episode on its pathway."""
from __future__ import annotations

from typing import Any


class Episode:
    """One care episode of one patient; ``kind`` is its EpisodeType, ``cohort`` who they are."""

    __slots__ = ("id", "kind", "cohort", "t0", "person")

    def __init__(self, id: int, kind: Any, cohort: Any, t0: float, person: int):
        self.id = id
        self.kind = kind
        self.cohort = cohort
        self.t0 = t0
        self.person = person          # index of a scheduled person, -1 for other episodes


class Context:
    """The group's parts a pathway uses, by the group's own names (copied once; the log's rows
    are renewed by the group each midnight, when the log rolls over)."""

    __slots__ = (
        "env", "visit_rows", "step_rows",                    # clock, today's log rows
        "policy", "schedules",                               # decisions, reviews
        "u_pick", "route_next", "return_delay",             # the group's random choices
        "followup_type", "followup_delay", "spawn",          # follow-up episodes
        "reader", "turnaround", "teleconsult",               # remote diagnosis, teleconsultation
        "books", "outside", "lead", "fleet",                 # slots, city hospitals, ambulances
        "nearest_ed", "ed_choice", "down_places",            # where emergencies and stays go
    )

    def __init__(self, group: Any):
        for name in self.__slots__:
            setattr(self, name, getattr(group, name))


class Intake:
    """Where episodes enter: numbers each, makes its ``Episode`` and starts its pathway as a
    journey on ``env``, whose end the engine counts in ``ends`` (``sim.engine.journey.Tally``).
    Compiled, ``start`` is a C function the engine calls for each arrival."""

    __slots__ = ("arrived", "env", "care", "ends")

    def __init__(self, env: Any, care: Context, ends: Any):
        self.arrived = 0
        self.env = env
        self.care = care
        self.ends = ends

    def start(self, kind: Any, cohort: Any, person: int = -1) -> None:
        """An episode of ``kind`` arrives now for ``cohort`` (``person``: a scheduled person's
        index, -1 for other episodes); ``Episode(...)`` without the call of its ``__init__``."""
        self.arrived += 1
        ep = Episode.__new__(Episode)
        ep.id = self.arrived
        ep.kind = kind
        ep.cohort = cohort
        ep.t0 = self.env.now
        ep.person = person
        self.env.journey(kind.journey(self.care, ep), self.ends)
