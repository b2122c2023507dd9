"""Care pathways: one SimPy process per episode, written as the patient's journey.

    care:       first contact (own team / nearest primary / hospital) → primary consultation
                → up-referral? → hospital outpatient (referred patients first) → admission?
    emergency:  emergency department → admission?
    followup:   family-doctor visit after a discharge home
    route:      a configured Markov route over services (``{from: {to: p}}``), e.g. for
                validating against queueing networks
    admission:  bed (wait) → stay → down-referral to a community bed when one frees in time,
                the hospital bed held meanwhile (bed-blocking), else home → follow-up?
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Generator

from sim.metrics.log import (ADMIT, BED_BLOCK, DISCHARGE, DOWN_ELIGIBLE, DOWN_REFERRAL,
                             FIRST_HOSPITAL, FIRST_PRIMARY, FOLLOWUP, UP_REFERRAL)
from sim.model.policy import LANE_PRIORITY, LANE_ROUTINE

if TYPE_CHECKING:
    from sim.model.group import Episode, MedicalGroup
    from sim.model.network import Facility, Service

EXIT = None
Journey = Generator


def pick(table: list, u: float) -> "Facility | None":
    """The first open facility at or after cumulative probability ``u``; wraps to open ones."""
    for i, (cum, fac) in enumerate(table):
        if u < cum:
            break
    else:
        i = len(table) - 1
    n = len(table)
    for k in range(n):
        fac = table[(i + k) % n][1]
        if fac.is_open:
            return fac
    return None


def visit(m: "MedicalGroup", ep: "Episode", svc: "Service", lane: int) -> Journey:
    """Queue for a server of ``svc``, log the wait, hold the server for a sampled duration."""
    env = m.env
    pool = svc.pool
    t = env._now
    req = pool.acquire(lane)
    if req is not None:
        yield req
    m.log.visit(svc.idx, ep.kind.idx, lane, t, env._now - t)
    yield env.timeout(svc.sample())
    pool.release()


def care(m: "MedicalGroup", ep: "Episode") -> Journey:
    """A non-emergency episode: 基层首诊 if the policy says so, else straight to a hospital."""
    pol = m.policy
    u = m.u_pick()
    fac = pick(ep.cohort.catchment.primary, u) if pol.first_contact_primary(ep) else None
    if fac is not None and "gp" in fac.services:
        m.step(FIRST_PRIMARY, ep, fac)
        yield from visit(m, ep, fac.services["gp"], LANE_ROUTINE)
        if not pol.refer_up(ep):
            return True
        hosp = pick(fac.refer_to, m.u_pick())
        if hosp is None:
            return False
        m.step(UP_REFERRAL, ep, fac)
        lane = pol.referred_lane
    else:
        hosp = pick(ep.cohort.catchment.hospitals, u)
        if hosp is None:
            return False
        m.step(FIRST_HOSPITAL, ep, hosp)
        lane = LANE_ROUTINE
    return (yield from hospital(m, ep, hosp, lane))


def hospital(m: "MedicalGroup", ep: "Episode", hosp: "Facility", lane: int) -> Journey:
    """Hospital outpatient consultation, then admission if needed."""
    yield from visit(m, ep, hosp.services["outpatient"], lane)
    if "beds" in hosp.services and m.policy.admit(ep):
        yield from admission(m, ep, hosp, lane)
    return True


def emergency(m: "MedicalGroup", ep: "Episode") -> Journey:
    """Emergency department of the chosen hospital (the nearest open one with an ED)."""
    hosp = pick(m.ed_choice(ep.cohort.catchment), m.u_pick())
    if hosp is None:
        return False
    m.step(FIRST_HOSPITAL, ep, hosp)
    yield from visit(m, ep, hosp.services["emergency"], LANE_PRIORITY)
    if "beds" in hosp.services and m.policy.admit(ep):
        yield from admission(m, ep, hosp, LANE_PRIORITY)
    return True


def admission(m: "MedicalGroup", ep: "Episode", hosp: "Facility", lane: int) -> Journey:
    """Bed, stay, then down-referral (holding the bed until a community bed frees) or home."""
    env = m.env
    beds = hosp.services["beds"]
    m.step(ADMIT, ep, hosp)
    t = env.now
    req = beds.pool.acquire(lane)
    if req is not None:
        yield req
    m.log.visit(beds.idx, ep.kind.idx, lane, t, env.now - t)
    yield env.timeout(beds.sample())
    eligible, down = m.policy.refer_down(ep)
    rehab = ep.cohort.catchment.rehab
    if eligible:
        m.step(DOWN_ELIGIBLE, ep, hosp)
    if down and rehab is not None and rehab.is_open:
        placed = yield from down_referral(m, ep, hosp, rehab)
        if placed:
            return True
    beds.pool.release()
    m.step(DISCHARGE, ep, hosp)
    if m.followup_type is not None and m.policy.follow_up(ep):
        m.spawn(m.followup_type, ep.cohort, m.followup_delay())
    return True


def down_referral(m: "MedicalGroup", ep: "Episode", hosp: "Facility",
                  rehab: "Facility") -> Journey:
    """Wait in the hospital bed for a community bed, up to the policy's limit; True if placed."""
    env = m.env
    beds = hosp.services["beds"]
    community = rehab.services["rehab_beds"]
    t = env.now
    req = community.pool.acquire(LANE_PRIORITY)
    if req is not None:
        patience = env.timeout(m.policy.max_bed_wait())
        yield req | patience
        if not req.triggered:
            community.pool.cancel(req)
            m.step(BED_BLOCK, ep, hosp, env.now - t)
            return False
    waited = env.now - t
    if waited > 0:
        m.step(BED_BLOCK, ep, hosp, waited)
    beds.pool.release()
    m.step(DOWN_REFERRAL, ep, hosp)
    m.log.visit(community.idx, ep.kind.idx, LANE_PRIORITY, t, waited)
    yield env.timeout(community.sample())
    community.pool.release()
    return True


def followup(m: "MedicalGroup", ep: "Episode") -> Journey:
    """The family doctor's post-discharge visit at the patient's own primary facility."""
    fac = pick(ep.cohort.catchment.primary, m.u_pick())
    if fac is None or "gp" not in fac.services:
        return False
    m.step(FOLLOWUP, ep, fac)
    yield from visit(m, ep, fac.services["gp"], LANE_PRIORITY)
    if m.policy.refer_up(ep):
        hosp = pick(fac.refer_to, m.u_pick())
        if hosp is not None:
            m.step(UP_REFERRAL, ep, fac)
            yield from visit(m, ep, hosp.services["outpatient"], m.policy.referred_lane)
    return True


def route(m: "MedicalGroup", ep: "Episode") -> Journey:
    """Walk the episode type's routing table from ``entry`` to ``exit``."""
    table = ep.kind.route
    node = m.route_next(table["entry"])
    while node is not EXIT:
        yield from visit(m, ep, node, LANE_ROUTINE)
        node = m.route_next(table[node.idx])
    return True


PATHWAYS = {"care": care, "emergency": emergency, "followup": followup, "route": route}
