# cython: annotation_typing=True
"""Care pathways: one light process (`sim.engine.journey`) per episode, written as the journey.

    care:       first contact (own team / hospital, by the policy) → primary consultation
                → examination? → settled remotely (remote diagnosis, teleconsultation) or
                sent on to a hospital, formally referred up (上转) or on the patient's own
    refill:     a chronic patient's repeat prescription: the care pathway's first contact and
                one consultation (its type has no examination or referral)
    hospital:   appointment slot? → outpatient consultation → examination (unless recognised)
                → beyond the group? → admission, or a return consultation (复诊)?
    emergency:  ambulance or walk-in → emergency department → admission?
    admission:  bed → stay → down-referral (community bed or home bed, holding the hospital
                bed while waiting = bed-blocking) or home → follow-up?
    followup:   family-doctor visit after a discharge home
    checkup:    a scheduled visit (chronic review, annual health check) at the own team
    route:      a configured Markov route over services, e.g. to validate against theory
"""
from __future__ import annotations

from typing import Generator

from sim.domain.clock import DAY
from sim.domain.steps import (ADMIT, AMBULANCE, BED_BLOCK, BOOK_REFERRED, BOOK_SELF, CHECKUP,
                              DISCHARGE, DOWN_ELIGIBLE, DOWN_REFERRAL, FIRST_HOSPITAL,
                              FIRST_PRIMARY, FOLLOWUP, HOME_BED, NO_SHOW, OUTSIDE, REFER_OUT,
                              ONWARD, REMOTE_DIAGNOSIS, TELECONSULT, TEST_RECOGNISED,
                              TEST_REPEATED, UP_REFERRAL)
from sim.model.policy import LANE_PRIORITY, LANE_ROUTINE

# ``m: Context``, ``ep: Episode`` (sim.model.context), ``pol: Policy`` (sim.model.policy),
# ``fac: Facility``, ``svc: Service`` (sim.model.network), ``book: AppointmentBook``
# (sim.model.slots), ``env: Core`` and ``pool: Pool`` (the compiled engine's) are annotations
# Python never evaluates; compiled (annotation typing on, first line) they name the C types
# cimported in _pathways.pxd, whose fields are read and methods called in C

EXIT = None
Trajectory = Generator     # a pathway: yields the events it waits for, returns True if served


def log_step(m: Context, step, ep: Episode, fac: Facility, value: float = 0.0) -> None:
    """A step (an int, ``sim.domain.steps``) of ``ep``'s pathway at ``fac``, now, in today's
    step log. (The ints are C ints in ``_pathways.pxd``; annotated ``int`` they would be
    Python's, compiled.)"""
    m.step_rows.append(step, ep.kind.idx, fac.index, m.env.now, value, ep.id)


def log_visit(m: Context, ep: Episode, service, lane, referred, t: float, wait: float) -> None:
    """A visit of ``ep`` to service index ``service`` in ``lane``, ``referred`` or not, that
    asked at ``t`` and waited ``wait``, in today's visit log (ints as in ``log_step``)."""
    m.visit_rows.visit(service, ep.kind.idx, lane, referred, ep.cohort.idx, t, wait, ep.id)


def pick(table: list, u: float) -> Facility | None:
    """The first open facility at or after cumulative probability ``u``; wraps to open ones."""
    cum: float
    fac: Facility
    for i, (cum, fac) in enumerate(table):
        if u < cum:
            if fac.is_open:
                return fac                  # the usual case, in one scan
            break
    else:
        i = len(table) - 1
    n = len(table)
    for k in range(n):
        fac = table[(i + k) % n][1]
        if fac.is_open:
            return fac
    return None


def visit(m: Context, ep: Episode, svc: Service, lane: int,
          referred: int | bool = 0) -> Trajectory:
    """Queue for a server of ``svc`` (leaving after ``max_wait`` if the type has one), log the
    wait, hold the server for a sampled duration. True if served; on False the caller's
    pathway must return False too (the patient left: counted in ``left_unserved``)."""
    env: Core = m.env
    pool: Pool = svc.pool
    t = env.now
    req = pool.acquire(lane)
    if req is not None:
        patience = ep.kind.max_wait
        if patience is not None:
            give_up_after(env, pool, req, patience)
        if (yield req) is GAVE_UP:
            return False
    log_visit(m, ep, svc.idx, lane, referred, t, env.now - t)
    yield env.delay(svc.sample.next())
    pool.release()
    return True


GAVE_UP = object()   # the value a request ends with when the patient stopped waiting


def give_up_after(env, pool, req, minutes: float) -> None:
    """After ``minutes``, withdraw ``req`` if it still waits and wake its patient with
    ``GAVE_UP`` (one timeout, no condition event: cheaper than ``req | timeout``)."""
    def give_up(_) -> None:
        if pool.cancel(req):
            req.succeed(GAVE_UP)
    env.timeout(minutes).callbacks.append(give_up)


def whole_days(minutes: float) -> float:
    """A delay of days rounded to whole days (at least one): a return or follow-up visit comes
    back at the same time of day, inside the clinic's hours, not in the night."""
    return max(1.0, round(minutes / DAY)) * DAY


def care(m: Context, ep: Episode) -> Trajectory:
    """A non-emergency episode: 基层首诊 if the policy says so, else straight to a hospital."""
    pol: Policy = m.policy
    hospitals = pol.first_contact(ep)
    u = m.u_pick.next()
    fac: Facility = pick(ep.cohort.catchment.primary, u) if hospitals is None else None
    if fac is None or "gp" not in fac.services:
        hosp: Facility = pick(hospitals or ep.cohort.catchment.hospitals, u)
        if hosp is None:
            return False
        log_step(m, FIRST_HOSPITAL, ep, hosp)
        return (yield from hospital(m, ep, hosp, referred=False, results=False))
    log_step(m, FIRST_PRIMARY, ep, fac)
    if not (yield from visit(m, ep, fac.services["gp"], LANE_ROUTINE)):
        return False
    if ep.person >= 0:
        m.schedules.record(ep.person, ep.t0)
    exam: Service = fac.services.get("exam")
    results = exam is not None and pol.exam_at_primary(ep)
    if results and not (yield from visit(m, ep, exam, LANE_ROUTINE)):
        return False
    if not pol.refer_up(ep):
        return True                    # resolved in primary care: most episodes end here
    return (yield from beyond_primary(m, ep, fac, exam, results))


def beyond_primary(m: Context, ep: Episode, fac: Facility, exam: Service | None,
                   results: bool) -> Trajectory:
    """A would-be up-referral: settled remotely (diagnosis, teleconsultation), referred up, or
    sent on without a referral (the patient then presents at the hospital as self-referred)."""
    pol: Policy = m.policy
    if pol.diagnosis_only(ep) and m.reader is not None and exam is not None:
        if not results and not (yield from visit(m, ep, exam, LANE_ROUTINE)):
            return False
        log_step(m, REMOTE_DIAGNOSIS, ep, fac)
        if not (yield from visit(m, ep, m.reader, LANE_ROUTINE, referred=1)):
            return False
        yield m.env.delay(m.turnaround.next())
        return True
    if pol.teleconsult(ep) and m.teleconsult is not None:
        log_step(m, TELECONSULT, ep, fac)
        return (yield from visit(m, ep, m.teleconsult, LANE_ROUTINE, referred=1))
    hosp: Facility = pick(fac.refer_to, m.u_pick.next())
    if hosp is None:
        return False
    formal = pol.formal(ep)
    log_step(m, UP_REFERRAL if formal else ONWARD, ep, fac)
    return (yield from hospital(m, ep, hosp, referred=formal, results=results))


def hospital(m: Context, ep: Episode, hosp: Facility, referred: bool,
             results: bool) -> Trajectory:
    """Slot, outpatient consultation, examination, referral out of the group, admission."""
    pol: Policy = m.policy
    lane = pol.referred_lane if referred else LANE_ROUTINE
    if hosp.kind == "external":
        log_step(m, OUTSIDE, ep, hosp)
    book: AppointmentBook = m.books.get(hosp.id)
    if book is not None:
        now = m.env.now
        slot = book.book(now, referred)
        if slot is None:
            return False
        log_step(m, BOOK_REFERRED if referred else BOOK_SELF, ep, hosp, (slot - now) / DAY)
        if slot > now:
            yield m.env.delay(slot - now)
        if pol.no_show():
            log_step(m, NO_SHOW, ep, hosp)
            return False
    if not (yield from visit(m, ep, hosp.services["outpatient"], lane, referred)):
        return False
    exam: Service = hosp.services.get("exam")
    if exam is not None and pol.exam_at_hospital(ep):
        if results and pol.recognised():
            log_step(m, TEST_RECOGNISED, ep, hosp)
        else:
            if results:
                log_step(m, TEST_REPEATED, ep, hosp)
            if not (yield from visit(m, ep, exam, lane, referred)):
                return False
    if hosp.kind == "hospital" and m.outside is not None and pol.refer_out(ep):
        log_step(m, REFER_OUT, ep, hosp)
        return (yield from hospital(m, ep, m.outside, referred=True, results=True))
    if "beds" in hosp.services and pol.admit(ep):
        yield from admission(m, ep, hosp, lane, referred)
    elif pol.returns(ep):
        yield m.env.delay(whole_days(m.return_delay.next()))
        if pol.chance("online_return", pol.online_returns):
            return True                # seen online: no outpatient doctor's time
        return (yield from visit(m, ep, hosp.services["outpatient"], lane, referred))
    return True


def emergency(m: Context, ep: Episode) -> Trajectory:
    """By ambulance (time-critical cases into the green channel) or walk-in, then the ED."""
    pol: Policy = m.policy
    catchment = ep.cohort.catchment
    hosp: Facility
    lane = LANE_ROUTINE
    if m.fleet is not None and pol.by_ambulance(ep):
        critical = pol.time_critical(ep)
        hosp = m.lead if critical and m.lead is not None else m.nearest_ed(catchment)
        station, response = yield from m.fleet.respond(catchment, hosp)
        log_step(m, AMBULANCE, ep, station.facility, response)
        log_visit(m, ep, station.idx, LANE_PRIORITY, 0, ep.t0, response)
        if critical and pol.referred_lane == LANE_PRIORITY:
            lane = LANE_PRIORITY
    else:
        hosp = pick(m.ed_choice(catchment), m.u_pick.next())
        if hosp is None:
            return False
    log_step(m, FIRST_HOSPITAL, ep, hosp)
    if hosp.kind == "external":
        log_step(m, OUTSIDE, ep, hosp)
    if not (yield from visit(m, ep, hosp.services["emergency"], lane)):
        return False
    if "beds" in hosp.services and pol.admit(ep):
        yield from admission(m, ep, hosp, LANE_PRIORITY, 0)
    return True


def admission(m: Context, ep: Episode, hosp: Facility, lane: int,
              referred: int | bool) -> Trajectory:
    """Bed, stay, then down-referral (holding the bed until a community place frees) or home."""
    env: Core = m.env
    beds: Service = hosp.services["beds"]
    log_step(m, ADMIT, ep, hosp)
    t = env.now
    req = beds.pool.acquire(lane)
    if req is not None:
        yield req
    log_visit(m, ep, beds.idx, lane, referred, t, env.now - t)
    t_bed = env.now
    yield env.delay(beds.sample.next())
    pol: Policy = m.policy
    eligible, down = pol.refer_down(ep)
    centre = ep.cohort.catchment.centre
    if eligible:
        log_step(m, DOWN_ELIGIBLE, ep, hosp)
    places = m.down_places(centre) if down else None
    if places:
        placed = yield from down_referral(m, ep, hosp, places, t_bed)
        if placed:
            return True
    beds.pool.release()
    log_step(m, DISCHARGE, ep, hosp, env.now - t_bed)
    if m.followup_type is not None and pol.follow_up(ep):
        m.spawn(m.followup_type, ep.cohort, whole_days(m.followup_delay.next()))
    return True


def down_referral(m: Context, ep: Episode, hosp: Facility, places: list,
                  t_bed: float) -> Trajectory:
    """Transfer delay, then wait in the hospital bed for the first free community place
    (community bed, or home bed where the policy has them), up to the policy's limit."""
    env: Core = m.env
    pol: Policy = m.policy
    beds: Service = hosp.services["beds"]
    transfer = pol.transfer_delay.next()
    if transfer > 0:
        yield env.delay(transfer)
    t = env.now
    reqs = [p.pool.acquire(LANE_PRIORITY) for p in places]
    got = next((i for i, r in enumerate(reqs) if r is None), None)
    if got is None:
        yield env.any_of(reqs + [env.timeout(pol.max_bed_wait.next())])
        got = next((i for i, r in enumerate(reqs) if r.triggered), None)
    for i, r in enumerate(reqs):                  # give back every other place
        if i != got:
            if r is None or not places[i].pool.cancel(r):
                places[i].pool.release()
    waited = env.now - t
    if waited > 0:
        log_step(m, BED_BLOCK, ep, hosp, waited)
    if got is None:
        return False
    place: Service = places[got]
    beds.pool.release()
    log_step(m, DOWN_REFERRAL if place.name == "rehab_beds" else HOME_BED, ep, hosp,
             env.now - t_bed)
    log_visit(m, ep, place.idx, LANE_PRIORITY, 1, t, waited)
    yield env.delay(place.sample.next())
    place.pool.release()
    return True


def followup(m: Context, ep: Episode) -> Trajectory:
    """The family doctor's post-discharge visit at the patient's own primary facility."""
    fac: Facility = pick(ep.cohort.catchment.primary, m.u_pick.next())
    if fac is None or "gp" not in fac.services:
        return False
    log_step(m, FOLLOWUP, ep, fac)
    if not (yield from visit(m, ep, fac.services["gp"], LANE_PRIORITY)):
        return False
    pol: Policy = m.policy
    if pol.refer_up(ep):
        hosp: Facility = pick(fac.refer_to, m.u_pick.next())
        if hosp is not None:
            formal = pol.formal(ep)
            log_step(m, UP_REFERRAL if formal else ONWARD, ep, fac)
            return (yield from hospital(m, ep, hosp, referred=formal, results=False))
    return True


def checkup(m: Context, ep: Episode) -> Trajectory:
    """A scheduled visit at the own team (chronic review, annual check); recorded if done."""
    fac: Facility = pick(ep.cohort.catchment.primary, m.u_pick.next())
    svc: Service = None if fac is None else fac.services.get(ep.kind.service)
    if svc is None and ep.cohort.catchment.centre is not None:
        fac = ep.cohort.catchment.centre
        svc = fac.services.get(ep.kind.service)
    if svc is None or not fac.is_open:
        return False
    log_step(m, CHECKUP, ep, fac)
    if not (yield from visit(m, ep, svc, LANE_ROUTINE)):
        return False
    if ep.person >= 0:
        m.schedules.record(ep.person, ep.t0)
    return True


def route(m: Context, ep: Episode) -> Trajectory:
    """Walk the episode type's routing table from ``entry`` to ``exit``."""
    table = ep.kind.route
    node: Service = m.route_next(table["entry"])
    while node is not EXIT:
        if not (yield from visit(m, ep, node, LANE_ROUTINE)):
            return False
        node = m.route_next(table[node.idx])
    return True


PATHWAYS = {"care": care, "refill": care, "emergency": emergency, "followup": followup, "checkup": checkup,
            "route": route}
