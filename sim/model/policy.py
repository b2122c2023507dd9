"""The group's rules and patients' behaviour as one object; pathways ask it, never a preset name.

Every lever draws from its own named stream and only when it is on, so a lever switched off
reproduces the baseline exactly and a lever switched on leaves the other decisions paired.
"""
from __future__ import annotations

import math
from typing import Any

from sim.engine.streams import Streams

LANE_PRIORITY = 0     # green channel (上转优先), time-critical emergencies, emergency admissions
LANE_ROUTINE = 1      # self-presenting patients


class Policy:
    """Decisions of a pathway: first contact, referral up and down, priority, follow-up, levers."""

    # no instance dictionary: the compiled pathways call these methods several times a visit,
    # and each call would search the dictionary before finding the method on the class
    __slots__ = ("name", "adherence", "strict", "costs", "reimbursement", "surcharge",
                 "observed_bypass", "bypass", "refer_scale", "followup", "referred_lane",
                 "refer_out_scale", "formal_share", "online_returns", "down_share", "home_beds",
                 "max_bed_wait", "transfer_delay", "remote", "recognition", "teleconsult_share",
                 "no_show_p", "ambulance_on", "choice", "_u_contact", "_u_refer", "_u_admit",
                 "_u_down", "_u_follow", "_u_exam_primary", "_u_exam_hospital", "_u_diagnosis",
                 "_u_teleconsult", "_u_recognised", "_u_refer_out", "_u_no_show", "_u_ambulance",
                 "_u_critical", "_u_formal", "_u_return", "_streams", "_chances")

    def __init__(self, cfg: Any, etype_names: list[str], streams: Streams):
        self.name = cfg.name
        self.adherence = cfg.adherence
        self.strict = cfg.gatekeeping.mode == "strict"
        pay = cfg.payment
        self.costs = dict(pay.costs)
        self.reimbursement = dict(pay.reimbursement)
        self.surcharge = cfg.gatekeeping.surcharge if cfg.gatekeeping.mode == "soft" else 0.0
        odds = math.exp(-cfg.choice.beta_cost * self.surcharge)
        self.observed_bypass = [cfg.bypass.get(n, 0.0) for n in etype_names]
        self.bypass = [_shift(b, odds) for b in self.observed_bypass]
        # capitation changes the behaviour of teams towards their signed residents only
        cap = pay.capitation if pay.scheme == "capitation" else None
        scale = cfg.refer_up_scale
        self.refer_scale = (scale, scale * (cap.refer_up_scale if cap else 1.0))
        fu_signed = cfg.followup_signed * (cap.followup_scale if cap else 1.0)
        self.followup = (cfg.followup_unsigned, min(fu_signed, 1.0))
        self.referred_lane = LANE_PRIORITY if cfg.green_channel.enabled else LANE_ROUTINE
        self.refer_out_scale = cfg.refer_out_scale
        self.formal_share = cfg.formal_referral
        self.online_returns = cfg.online_returns
        down = cfg.down_referral
        self.down_share = down.share
        self.home_beds = down.home_beds
        self.max_bed_wait = streams.sampler("policy:max_bed_wait", down.max_bed_wait)
        self.transfer_delay = streams.sampler("policy:transfer_delay", down.transfer_delay)
        self.remote = cfg.remote_diagnosis.enabled
        self.recognition = cfg.mutual_recognition.coverage if cfg.mutual_recognition.enabled \
            else 0.0
        self.teleconsult_share = cfg.teleconsult.share if cfg.teleconsult.enabled else 0.0
        self.no_show_p = cfg.slots.no_show if cfg.slots.enabled else 0.0
        self.ambulance_on = cfg.ambulance.enabled
        self.choice = None                      # set by the model when choice is enabled
        self._u_contact = streams.uniforms("choice:first_contact")

        def routing(name: str):
            return streams.uniforms(f"routing:{name}")
        self._u_refer, self._u_admit = routing("refer_up"), routing("admit")
        self._u_down, self._u_follow = routing("refer_down"), routing("followup")
        self._u_exam_primary, self._u_exam_hospital = routing("exam_primary"), \
            routing("exam_hospital")
        self._u_diagnosis, self._u_teleconsult = routing("diagnosis_only"), routing("teleconsult")
        self._u_recognised, self._u_refer_out = routing("recognised"), routing("refer_out")
        self._u_no_show, self._u_ambulance = routing("no_show"), routing("ambulance")
        self._u_critical = routing("time_critical")
        self._u_formal, self._u_return = routing("formal_referral"), routing("return")
        self._streams, self._chances = streams, {}

    def chance(self, lever: str, p: float) -> bool:
        """A lever's yes or no with probability ``p``, from the lever's own stream
        (``routing:<lever>``), drawn only when ``p > 0``: a lever that is off draws nothing, so
        it leaves every other decision as it was."""
        if p <= 0.0:
            return False
        draw = self._chances.get(lever)
        if draw is None:
            draw = self._chances[lever] = self._streams.uniforms(f"routing:{lever}")
        return draw.next() < p

    # -- first contact (基层首诊) and the logit choice ---------------------------------------
    def first_contact(self, ep: Any) -> list | None:
        """None: the patient starts in primary care; else the hospital table to pick from."""
        u = self._u_contact.next()
        c = ep.cohort
        if self.strict or (c.signed and u < self.adherence):
            return None
        # the same uniform, rescaled, decides the rest: one draw per episode (paired runs)
        rest = (u - self.adherence) / (1.0 - self.adherence) if c.signed else u
        if self.choice is not None and not c.signed:
            p, table = self.choice.tables[c.catchment.idx][ep.kind.idx]
            return table if rest < p else None
        return c.catchment.hospitals if rest < self.bypass[ep.kind.idx] else None

    # -- referral up, teleconsultation, remote diagnosis -----------------------------------
    def refer_up(self, ep: Any) -> bool:
        """After a primary consultation: does the family doctor refer the patient up?"""
        return self._u_refer.next() < ep.kind.p_refer_up * self.refer_scale[ep.cohort.signed]

    def formal(self, ep: Any) -> bool:
        """A patient the family doctor sends on: formally referred (上转), or left to go alone?"""
        return self.formal_share >= 1.0 or self._u_formal.next() < self.formal_share

    def returns(self, ep: Any) -> bool:
        """After a hospital consultation: does the patient come back for a return visit (复诊)?"""
        p = ep.kind.p_return
        return p > 0.0 and self._u_return.next() < p

    def exam_at_primary(self, ep: Any) -> bool:
        p = ep.kind.p_exam
        return p > 0.0 and self._u_exam_primary.next() < p

    def exam_at_hospital(self, ep: Any) -> bool:
        p = ep.kind.p_exam
        return p > 0.0 and self._u_exam_hospital.next() < p

    def diagnosis_only(self, ep: Any) -> bool:
        """A would-be up-referral that only needs a specialist to read an examination."""
        return self.remote and self._u_diagnosis.next() < ep.kind.p_diagnosis_only

    def teleconsult(self, ep: Any) -> bool:
        return self.teleconsult_share > 0.0 and self._u_teleconsult.next() < self.teleconsult_share

    def recognised(self) -> bool:
        """A referred patient's recent result is accepted by the hospital (互认)."""
        return self.recognition > 0.0 and self._u_recognised.next() < self.recognition

    def refer_out(self, ep: Any) -> bool:
        """The group hospital cannot treat the case: referral to a city-level hospital."""
        p = ep.kind.p_beyond_group * self.refer_out_scale
        return p > 0.0 and self._u_refer_out.next() < p

    def no_show(self) -> bool:
        return self.no_show_p > 0.0 and self._u_no_show.next() < self.no_show_p

    # -- hospital --------------------------------------------------------------------------
    def admit(self, ep: Any) -> bool:
        """After a hospital consultation: is the patient admitted?"""
        return self._u_admit.next() < ep.kind.p_admit

    def by_ambulance(self, ep: Any) -> bool:
        return self.ambulance_on and self._u_ambulance.next() < ep.kind.p_ambulance

    def time_critical(self, ep: Any) -> bool:
        """Chest pain or stroke: straight into the green channel."""
        return self._u_critical.next() < ep.kind.p_time_critical

    def refer_down(self, ep: Any) -> tuple[bool, bool]:
        """At discharge: (eligible for a community place, offered one), from one draw."""
        u = self._u_down.next()
        eligible = u < ep.kind.p_down_eligible
        return eligible, u < ep.kind.p_down_eligible * self.down_share

    def follow_up(self, ep: Any) -> bool:
        """After discharge home: does the family doctor see the patient again?"""
        return self._u_follow.next() < self.followup[ep.cohort.signed]

    # -- payment ---------------------------------------------------------------------------
    def visit_oop(self, fac: Any, referred: bool) -> float:
        """Out-of-pocket CNY of a consultation at ``fac``."""
        tier = fac.tier
        cost = self.costs.get(f"visit_{tier}", 0.0)
        oop = cost * (1.0 - self.reimbursement.get(tier, 0.0))
        if not referred and fac.kind == "hospital":
            oop += self.surcharge
        return oop


def _shift(p: float, odds: float) -> float:
    """``p`` with its odds multiplied by ``odds``."""
    if odds == 1.0 or p <= 0.0 or p >= 1.0:
        return p
    return p * odds / (1.0 - p + p * odds)
