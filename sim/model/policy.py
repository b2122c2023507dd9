"""The group's rules and patients' behaviour as one object; pathways ask it, never a preset name."""
from __future__ import annotations

from typing import Any

from sim.engine.dists import Sampler, Uniforms
from sim.engine.streams import Streams

LANE_PRIORITY = 0     # up-referred (green channel) and urgent patients
LANE_ROUTINE = 1      # self-presenting patients


class Policy:
    """Decisions of a pathway: first contact, referral up and down, priority, follow-up."""

    def __init__(self, cfg: Any, etype_names: list[str], streams: Streams):
        self.name = cfg.name
        self.adherence = cfg.adherence
        self.bypass = [cfg.bypass.get(n, 0.0) for n in etype_names]   # by episode type index
        self.strict = cfg.strict_gatekeeping
        self.referred_lane = LANE_PRIORITY if cfg.referred_priority else LANE_ROUTINE
        self.refer_up_scale = cfg.refer_up_scale
        self.down_referral = cfg.down_referral
        self.followup = (cfg.followup_unsigned, cfg.followup_signed)
        self.max_bed_wait = Sampler(cfg.max_bed_wait, streams.get("policy:max_bed_wait"))
        self._u_contact = Uniforms(streams.get("choice:first_contact"))
        self._u_refer = Uniforms(streams.get("routing:refer_up"))
        self._u_admit = Uniforms(streams.get("routing:admit"))
        self._u_down = Uniforms(streams.get("routing:refer_down"))
        self._u_follow = Uniforms(streams.get("routing:followup"))

    def first_contact_primary(self, ep: Any) -> bool:
        """Signed residents go to their team with ``adherence``; others bypass with ``bypass``."""
        u = self._u_contact()
        if self.strict:
            return True
        if ep.cohort.signed and u < self.adherence:
            return True
        # the same uniform, rescaled, decides the rest: keeps one draw per episode (paired runs)
        rest = (u - self.adherence) / (1.0 - self.adherence) if ep.cohort.signed else u
        return rest >= self.bypass[ep.kind.idx]

    def refer_up(self, ep: Any) -> bool:
        """After a primary consultation: does the family doctor refer the patient up?"""
        return self._u_refer() < ep.kind.p_refer_up * self.refer_up_scale

    def admit(self, ep: Any) -> bool:
        """After a hospital consultation: is the patient admitted?"""
        return self._u_admit() < ep.kind.p_admit

    def refer_down(self, ep: Any) -> tuple[bool, bool]:
        """At discharge: (eligible for a community bed, down-referred), from one draw."""
        u = self._u_down()
        eligible = u < ep.kind.p_down_eligible
        return eligible, u < ep.kind.p_down_eligible * self.down_referral

    def follow_up(self, ep: Any) -> bool:
        """After discharge home: does the family doctor see the patient again?"""
        return self._u_follow() < self.followup[ep.cohort.signed]
