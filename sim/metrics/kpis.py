"""KPI definitions: each one defined once here, computed per replication from its logs.

All KPIs cover the measured period only (the warm-up is excluded); rates per resident are per
modelled resident, so they do not depend on ``population.scale``. Service names are the model's
vocabulary: ``gp`` (primary consultation), ``outpatient``, ``emergency``, ``beds`` (hospital
inpatient), ``rehab_beds`` (community beds). A KPI function returns its value as mergeable
parts (``sim.metrics.parts``), so a long run is reduced a period at a time.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from sim.config.schema import PRIMARY_KINDS
from sim.domain.clock import DAY
from sim.domain.steps import (ADMIT, AMBULANCE, BED_BLOCK, BOOK_REFERRED, BOOK_SELF, CHECKUP,
                              DISCHARGE, DOWN_ELIGIBLE, DOWN_REFERRAL, FIRST_HOSPITAL,
                              FIRST_PRIMARY, FOLLOWUP, HOME_BED, LEFT, NO_SHOW, ONWARD, OUTSIDE,
                              REFER_OUT, REMOTE_DIAGNOSIS, TELECONSULT, TEST_RECOGNISED,
                              TEST_REPEATED, UP_REFERRAL)
from sim.metrics import costs  # noqa: F401  (registers the payment KPIs)
from sim.metrics.catalogue import AT_LEAST_0, KPI_FUNCS, kpi
from sim.metrics.measures import Measures
from sim.metrics.parts import KPI, Part, Quantile, mean, rate, share, state, values

VISIT_SERVICES = ("gp", "outpatient", "emergency")
ALL_HOSPITALS = ("hospital", "external")
# The statistics' 医师日均担负诊疗人次 = visits a year / physicians / 251 working days (calibration
# §2.2: Tianjin TCM hospitals 2017, 2,644.23 visits a year = 10.53 a day)
WORKING_DAYS = 251
WHOLE_RUN = ("arrived", "completed", "in_system_at_end", "left_unserved")   # not per period

GROUP_HOSPITAL = ("hospital",)


def _visit_share(m: Measures, kinds: tuple, among: tuple) -> Part:
    """Visits (consultations, outpatient, emergency) at facilities of ``kinds`` / at ``among``."""
    return share(np.count_nonzero(m.visits_at(kinds, VISIT_SERVICES)),
                 np.count_nonzero(m.visits_at(among, VISIT_SERVICES)))


@kpi("share", "Primary care share of visits", "基层诊疗量占比")
def primary_visit_share(m: Measures) -> Part:
    """Primary-level visits / all outpatient and emergency visits of the residents, city
    hospitals included (基层诊疗量占比, as the statistics count it)."""
    return _visit_share(m, PRIMARY_KINDS, PRIMARY_KINDS + ALL_HOSPITALS)


@kpi("share", "Hospital share of visits", "医院诊疗量占比")
def hospital_visit_share(m: Measures) -> Part:
    """Hospital visits (the group's and city-level) / all outpatient and emergency visits."""
    return _visit_share(m, ALL_HOSPITALS, PRIMARY_KINDS + ALL_HOSPITALS)


@kpi("share", "Primary care share of the group's visits", "集团内基层诊疗量占比")
def primary_visit_share_in_group(m: Measures) -> Part:
    """Primary-level visits / visits inside the group (city-level hospitals left out)."""
    return _visit_share(m, PRIMARY_KINDS, PRIMARY_KINDS + GROUP_HOSPITAL)


@kpi("share", "First contact at primary care", "基层首诊率")
def primary_first_contact(m: Measures) -> Part:
    """Share of non-emergency episodes whose first contact is a primary facility (基层首诊)."""
    care = m.care_type[m.steps["etype"]]
    first_p = np.count_nonzero(care & (m.steps["step"] == FIRST_PRIMARY))
    first_h = np.count_nonzero(care & (m.steps["step"] == FIRST_HOSPITAL))
    return share(first_p, first_p + first_h)


@kpi("per_10k_year", "Up-referrals", "上转人次")
def up_referrals_per_10k(m: Measures) -> Part:
    """Up-referrals (上转) from primary care per 10,000 residents per year."""
    return m.per_10k_year(m.n_steps(UP_REFERRAL))


@kpi("per_10k_year", "Down-referrals to community beds", "下转社区病床人次")
def down_referrals_per_10k(m: Measures) -> Part:
    """Down-referrals (下转) from hospital beds to community beds per 10,000 residents per year."""
    return m.per_10k_year(m.n_steps(DOWN_REFERRAL))


@kpi("share", "Up-referrals per primary consultation", "基层诊疗上转比例")
def up_referral_share(m: Measures) -> Part:
    """Up-referrals (上转) per primary consultation."""
    return share(m.n_steps(UP_REFERRAL), np.count_nonzero(m.visits_at(PRIMARY_KINDS, ("gp",))))


@kpi("share", "Hospital stays ending in a down-referral", "住院患者下转比例")
def down_referrals_per_discharge(m: Measures) -> Part:
    """Hospital stays ending in a community or home bed (下转) / all hospital stays ending."""
    down = m.n_steps(DOWN_REFERRAL) + m.n_steps(HOME_BED)
    return share(down, down + m.n_steps(DISCHARGE))


@kpi("per_resident_year", "Admissions per resident", "居民年住院率")
def admissions_per_resident_year(m: Measures) -> Part:
    """Hospital admissions (the group's and city-level) per resident-year."""
    return rate(m.n_steps(ADMIT) / m.residents, m.years)


@kpi(visits_per_physician_day_primary=("per_physician_day", "Visits per physician-day, "
                                      "primary care", "基层医师日均担负诊疗人次"),
     visits_per_physician_day_hospital=("per_physician_day", "Visits per physician-day, "
                                        "group hospital", "医院医师日均担负诊疗人次"))
def visits_per_physician_day(m: Measures) -> dict[str, Part]:
    """visits_per_physician_day_{primary,hospital}: the group's visits at that level per
    physician (headcount) and working day (医师日均担负诊疗人次); NaN without headcounts."""
    out = {}
    for level, kinds in (("primary", PRIMARY_KINDS), ("hospital", GROUP_HOSPITAL)):
        visits = np.count_nonzero(m.visits_at(kinds, VISIT_SERVICES))
        days = m.model.get("physicians", {}).get(level, np.nan) * WORKING_DAYS
        out[f"visits_per_physician_day_{level}"] = rate(visits / days if days > 0 else np.nan,
                                                        m.years)
    return out


@kpi("ratio", "Down-referrals per up-referral", "下转/上转比")
def down_up_ratio(m: Measures) -> Part:
    """Down-referrals per up-referral."""
    return share(m.n_steps(DOWN_REFERRAL), m.n_steps(UP_REFERRAL))


@kpi("bed_days_year", "Hospital bed-days waiting for a community place", "等待下转占用医院床日")
def bed_blocking_days(m: Measures) -> Part:
    """Hospital bed-days per year spent waiting for a community bed (annualised)."""
    blocked = m.steps["value"][m.steps["step"] == BED_BLOCK].sum() / DAY
    return rate(float(blocked), m.years)


def _occupancy(m: Measures, kinds: tuple, names: tuple) -> Part:
    mask = m.service_mask(kinds, names)
    return share(m.areas[mask, 0].sum(), m.areas[mask, 1].sum())


@kpi("share", "Hospital bed occupancy", "医院病床使用率", AT_LEAST_0)
def hospital_bed_occupancy(m: Measures) -> Part:
    """Occupied / available hospital bed-days in the group (病床使用率)."""
    return _occupancy(m, GROUP_HOSPITAL, ("beds",))


@kpi("share", "Community bed occupancy", "社区病床使用率", AT_LEAST_0)
def community_bed_occupancy(m: Measures) -> Part:
    """Occupied / available community (rehabilitation) bed-days."""
    return _occupancy(m, PRIMARY_KINDS, ("rehab_beds",))


@kpi("share", "Hospital outpatients primary care could treat", "医院门诊中基层可诊治患者占比")
def hospital_minor_share(m: Measures) -> Part:
    """Share of group hospital outpatient visits by self-presenting patients primary care could resolve."""
    at_hosp = m.visits_at(GROUP_HOSPITAL, ("outpatient",))
    resolvable = m.primary_resolvable[m.visits["etype"]] & (m.visits["referred"] == 0)
    return share(np.count_nonzero(at_hosp & resolvable), np.count_nonzero(at_hosp))


@kpi("per_resident_year", "Visits per resident", "人均诊疗人次")
def visits_per_resident_year(m: Measures) -> Part:
    """Outpatient, emergency and primary visits (inside and outside the group) per resident-year."""
    n = np.count_nonzero(m.visits_at(PRIMARY_KINDS + ALL_HOSPITALS, VISIT_SERVICES))
    return rate(n / m.residents, m.years)


@kpi("residents", "Signed residents", "签约居民数")
def signed_residents(m: Measures) -> Part:
    """Residents of the district signed with a family-doctor team (签约居民): the modelled count
    divided by population.scale, so it reads as the statistics' count at any scale."""
    return state(m.signed / m.scale)


@kpi(**{"wait_mean_*": ("minutes", "Mean wait", "平均等候时间"),
        "wait_p90_*": ("minutes", "90th-percentile wait", "第90百分位等候时间")})
def wait(m: Measures) -> dict[str, KPI]:
    """wait_mean_/wait_p90_{kind}_{service}: minutes from arrival at a service to its start."""
    out: dict[str, KPI] = {}
    kinds = [(k, s) for _, k, s, _ in m.services]
    svc_kind = np.array([f"{k}_{s}" for k, s in kinds])
    for name in sorted(set(svc_kind)):
        services = svc_kind == name
        w = m.visits["wait"][services[m.visits["service"]]]
        out[f"wait_mean_{name}"] = mean(w)
        p90 = float(np.percentile(w, 90)) if w.size else np.nan
        out[f"wait_p90_{name}"] = Quantile(p90, "wait", services, 90.0)
    return out


@kpi(**{"utilisation_*": ("share", "Utilisation", "利用率", AT_LEAST_0)})
def utilisation(m: Measures) -> dict[str, Part]:
    """utilisation_{kind}_{service}: busy / available server-time (staffed hours only); only
    services with capacity (a period without adds nothing to a longer one)."""
    out = {}
    names = sorted({(k, s) for _, k, s, _ in m.services})
    for kind, svc in names:
        part = _occupancy(m, (kind,), (svc,))
        if part.parts[1] > 0:
            out[f"utilisation_{kind}_{svc}"] = part
    return out


@kpi("per_10k_year", "Teleconsultations", "远程会诊人次")
def teleconsults_per_10k(m: Measures) -> Part:
    """Would-be up-referrals settled by a remote specialist (远程会诊) per 10,000 residents-year."""
    return m.per_10k_year(m.n_steps(TELECONSULT))


@kpi("per_10k_year", "Community exams read by a hospital", "基层检查、上级诊断人次")
def remote_diagnoses_per_10k(m: Measures) -> Part:
    """Examinations at a centre read by a hospital instead of an up-referral, per 10,000."""
    return m.per_10k_year(m.n_steps(REMOTE_DIAGNOSIS))


@kpi("share", "Repeat prescriptions renewed at primary care", "基层续方比例")
def refill_primary_share(m: Measures) -> Part:
    """Share of repeat prescriptions (慢病续方) renewed by the family doctor rather than at a
    hospital: what drug linkage (基层药品联动) moves. A refill's first step is its first contact
    and its type is neither a care nor an emergency pathway (as in ``flows``)."""
    step, etype = m.steps["step"], m.steps["etype"]
    first = (step == FIRST_PRIMARY) | (step == FIRST_HOSPITAL)
    refill = first & ~m.care_type[etype] & ~m.emergency_type[etype]
    return share(np.count_nonzero(refill & (step == FIRST_PRIMARY)), np.count_nonzero(refill))


@kpi("share", "Episodes treated inside the district", "常见病不出区比例")
def in_district_treatment(m: Measures) -> Part:
    """Share of episodes that never leave the group for a city-level hospital (常见病不出区)."""
    episodes = sum(m.n_steps(s) for s in (FIRST_PRIMARY, FIRST_HOSPITAL, FOLLOWUP, CHECKUP))
    return Part(_complement, (m.n_steps(OUTSIDE), episodes))


def _complement(num: float, den: float) -> float:
    return 1.0 - (num / den if den else np.nan)


@kpi(days_to_appointment_referred=("days", "Days to appointment, up-referred", "上转患者预约等待天数"),
     days_to_appointment_self=("days", "Days to appointment, self-booked", "自行预约等待天数"),
     referred_slot_within_7d=("share", "Up-referrals with a slot within 7 days", "上转患者7日内获得号源比例"),
     no_show_rate=("share", "Appointment no-shows", "预约爽约率"),
     slot_utilisation=("share", "Appointment slots used", "号源使用率"))
def appointments(m: Measures) -> dict[str, Part]:
    """Slots (号源): days to appointment referred vs self-booked, referred within 7 days, no-shows
    among appointments due, slot utilisation (consultations / slots offered)."""
    referred = m.step_values(BOOK_REFERRED)
    self_ = m.step_values(BOOK_SELF)
    booked = referred.size + self_.size
    seen = np.count_nonzero(m.visits_at(GROUP_HOSPITAL, ("outpatient",)))
    return {"days_to_appointment_referred": mean(referred),
            "days_to_appointment_self": mean(self_),
            "referred_slot_within_7d": share(np.count_nonzero(referred <= 7), referred.size),
            "no_show_rate": Part(_no_show_rate, (m.n_steps(NO_SHOW), seen, booked)),
            "slot_utilisation": share(seen, m.model.get("slots_offered", 0))}


def _no_show_rate(no_shows: int, seen: int, booked: int) -> float:
    """No-shows among appointments due, when anyone booked."""
    return no_shows / (no_shows + seen) if booked and no_shows + seen else np.nan


@kpi(outpatient_wait_referred=("minutes", "Hospital outpatient wait, up-referred",
                               "上转患者医院门诊等候时间"),
     outpatient_wait_self=("minutes", "Hospital outpatient wait, self-presenting",
                           "自行就诊患者医院门诊等候时间"),
     exam_wait_referred=("minutes", "Hospital examination wait, up-referred",
                         "上转患者医院检查等候时间"),
     exam_wait_self=("minutes", "Hospital examination wait, self-presenting",
                     "自行就诊患者医院检查等候时间"),
     admission_wait_referred=("days", "Admission wait, up-referred", "上转患者入院等候时间"),
     admission_wait_self=("days", "Admission wait, self-presenting", "自行就诊患者入院等候时间"),
     # by priority class (wait_mean_hospital_{service}_{class}): bed waits in days
     **{"wait_mean_hospital_beds_*": ("days", "Mean wait", "平均等候时间")})
def priority_waits(m: Measures) -> dict[str, Part]:
    """Green channel (上转优先): group-hospital waits of referred vs self-presenting patients, and
    by priority class (minutes; admissions in days)."""
    out = {}
    v = m.visits
    referred = v["referred"] == 1
    elective = m.care_type[v["etype"]]
    for svc, unit in (("outpatient", 1.0), ("exam", 1.0), ("beds", DAY)):
        at = m.visits_at(GROUP_HOSPITAL, (svc,))
        name = "admission" if svc == "beds" else svc
        out[f"{name}_wait_referred"] = mean(v["wait"][at & referred], unit)
        out[f"{name}_wait_self"] = mean(v["wait"][at & ~referred & elective], unit)
    for svc in ("outpatient", "exam", "emergency", "beds"):
        at = m.visits_at(GROUP_HOSPITAL, (svc,))
        unit = DAY if svc == "beds" else 1.0
        for lane, cls in ((0, "priority"), (1, "routine")):
            out[f"wait_mean_hospital_{svc}_{cls}"] = mean(v["wait"][at & (v["lane"] == lane)], unit)
    return out


@kpi(repeat_tests=("tests_year", "Repeated tests on referral", "转诊重复检查"),
     repeat_tests_avoided=("tests_year", "Repeat tests avoided by mutual recognition",
                           "检查检验结果互认避免的重复检查"),
     repeat_tests_avoided_cost=("cny_year", "Cost of repeat tests avoided", "互认节省的检查费用"))
def repeat_tests(m: Measures) -> dict[str, Part]:
    """Mutual recognition (互认): referred patients' examinations repeated and avoided per year,
    and the cost avoided (CNY per year)."""
    avoided = m.n_steps(TEST_RECOGNISED)
    return {"repeat_tests": rate(m.n_steps(TEST_REPEATED), m.years),
            "repeat_tests_avoided": rate(avoided, m.years),
            "repeat_tests_avoided_cost": rate(avoided, m.years, m.payment["costs"].get("exam", 0.0))}


@kpi(down_referred_share_of_eligible=("share", "Eligible inpatients down-referred", "符合条件住院患者下转比例"),
     community_place_wait_days=("days", "Wait for a community place", "等待社区床位天数"),
     home_beds_per_10k=("per_10k_year", "Home beds", "家庭病床人次"),
     hospital_los_days=("days", "Hospital length of stay", "医院平均住院日"))
def down_referral(m: Measures) -> dict[str, Part]:
    """下转: share of eligible inpatients placed in the community, days waiting for a place,
    home beds per 10,000, hospital length of stay (days, incl. waiting)."""
    placed = m.n_steps(DOWN_REFERRAL) + m.n_steps(HOME_BED)
    places = m.visits_at(PRIMARY_KINDS, ("rehab_beds", "home_beds"))
    los = m.step_values(DISCHARGE, DOWN_REFERRAL, HOME_BED, kinds=GROUP_HOSPITAL) / DAY
    return {"down_referred_share_of_eligible": share(placed, m.n_steps(DOWN_ELIGIBLE)),
            "community_place_wait_days": mean(m.visits["wait"][places], DAY),
            "home_beds_per_10k": m.per_10k_year(m.n_steps(HOME_BED)),
            "hospital_los_days": mean(los)}


@kpi(chronic_management=("share", "Standardised chronic disease management", "慢病规范管理率"),
     elderly_management=("share", "Health management of residents 65+", "老年人健康管理率"))
def management(m: Measures) -> dict[str, Part]:
    """慢病规范管理 / 老年人健康管理: share of signed chronic patients' person-years with every
    scheduled review done; share of 65+ residents' person-years with the annual check done."""
    return {k: share(*m.model.get(k, (0, 0))) for k in ("chronic_management", "elderly_management")}


@kpi(beds_per_1000=("per_1000", "Beds per 1,000 residents", "每千人口床位数"),
     gps_per_10k=("per_10k", "GPs per 10,000 residents", "每万人口全科医生数"))
def resources(m: Measures) -> dict[str, Part]:
    """beds_per_1000 (hospital and community beds) and gps_per_10k (GPs in session at primary
    facilities) per resident, as staffed on the period's last day (plan input densities)."""
    return {k: state(m.model.get(k, np.nan)) for k in ("beds_per_1000", "gps_per_10k")}


@kpi("share", "Residents within the 15-minute health circle", "15分钟医疗圈覆盖率")
def health_circle_15min(m: Measures) -> Part:
    """15分钟医疗圈: share of residents within ``access.circle_minutes`` (15) of a primary facility
    open on the period's last day, at ``access.circle_speed_kmh`` (sim.model.access)."""
    return state(m.model.get("health_circle_15min", np.nan))


@kpi(ambulance_response_mean=("minutes", "Ambulance call-to-scene time", "院前急救平均反应时间"),
     ambulance_within_10min=("share", "Ambulance on scene within 10 minutes", "10分钟内到达现场比例"))
def ambulance(m: Measures) -> dict[str, Part]:
    """院前急救: mean call-to-scene minutes and share within 10 minutes."""
    r = m.step_values(AMBULANCE)
    return {"ambulance_response_mean": mean(r),
            "ambulance_within_10min": share(np.count_nonzero(r <= 10.0), r.size)}


@kpi(flow_first_primary=("per_10k_year", "First contact at primary care", "基层首诊"),
     flow_first_hospital=("per_10k_year", "First contact at a hospital", "直接到医院就诊"),
     flow_emergency=("per_10k_year", "Emergency arrivals", "急诊"),
     flow_ambulance=("per_10k_year", "Ambulance arrivals", "救护车送达"),
     flow_refer_out=("per_10k_year", "Referred out to city hospitals", "转往市级医院"),
     flow_admit=("per_10k_year", "Admissions", "住院"),
     flow_admit_emergency=("per_10k_year", "Admissions from the emergency department", "急诊入院"),
     flow_discharge_home=("per_10k_year", "Discharged home", "出院回家"),
     flow_followup=("per_10k_year", "Follow-up by the family doctor", "家庭医生随访"),
     flow_left=("per_10k_year", "Left unserved", "未获服务离开"),
     flow_onward=("per_10k_year", "Sent on without a formal referral", "未经正式转诊转往医院"),
     flow_refill=("per_10k_year", "Repeat prescriptions", "慢病续方就诊"),
     flow_settled_remotely=("per_10k_year", "Settled remotely", "远程解决"),
     flow_resolved_primary=("per_10k_year", "Resolved at primary care", "在基层解决"),
     flow_outpatient=("per_10k_year", "Hospital outpatient (group or city)",
                      "医院门诊（集团内或市级）"),
     flow_resolved_hospital=("per_10k_year", "Resolved at hospital outpatient", "在医院门诊解决"),
     flow_resolved_emergency=("per_10k_year", "Resolved at the emergency department", "在急诊解决"),
     flow_admit_first=("per_10k_year", "Admissions of first contacts", "首诊患者住院"))
def flows(m: Measures) -> dict[str, Part]:
    """The referral flow diagram's volumes, per 10,000 residents per year, from the step log.

    flow_first_primary / flow_first_hospital: care episodes whose first contact is a primary
    facility / a hospital (group or city-level); they sum to the care episodes that found an open
    facility. flow_refill: repeat prescriptions (at either). flow_emergency: emergency-pathway
    arrivals at an emergency department, of which flow_ambulance came by ambulance.
    flow_refer_out: group-hospital patients sent on to a city-level hospital. flow_onward:
    patients a family doctor sent on to a hospital without a formal referral (they present as
    self-referred). flow_admit: admissions to any hospital, of which flow_admit_emergency from
    the emergency pathway. flow_discharge_home: stays that end at home (the others end in a
    down-referral or a home bed). flow_followup: family-doctor visits after a discharge home.
    flow_left: episodes that ended unserved (gave up waiting, no slot, no-show).

    Where each first contact ends (so the diagram accounts for all of them):
    flow_first_primary + flow_first_hospital + flow_emergency = flow_resolved_primary +
    flow_settled_remotely + flow_resolved_hospital + flow_resolved_emergency + flow_admit_first.
    flow_resolved_primary: first contacts at primary care not sent on (up-referral, onward,
    settled remotely). flow_settled_remotely: teleconsultations and remote diagnoses.
    flow_resolved_hospital: care episodes at a hospital's outpatient department (first contact,
    referred or sent on from primary care) not admitted. flow_resolved_emergency: emergency
    arrivals not admitted. flow_admit_first: admissions of those episodes (flow_admit also
    counts admissions after a follow-up visit). The step log has no episode id, so those who
    gave up on the way are counted where they stopped being followed (flow_left counts them
    again, with the other episodes that left). flow_outpatient: arrivals at a hospital's
    outpatient department (first contacts, up-referrals and onward, follow-ups included).
    The diagram's other arrows are KPIs defined above: up_referrals_per_10k,
    teleconsults_per_10k, remote_diagnoses_per_10k, down_referrals_per_10k, home_beds_per_10k.
    """
    step, etype = m.steps["step"], m.steps["etype"]
    first = (step == FIRST_PRIMARY) | (step == FIRST_HOSPITAL)
    care, emergency = np.zeros_like(first), np.zeros_like(first)
    care[first], emergency[first] = m.care_type[etype[first]], m.emergency_type[etype[first]]
    admit = step == ADMIT
    is_care, is_emergency = m.care_type[etype], m.emergency_type[etype]   # LEFT rows masked below
    sent = (step == UP_REFERRAL) | (step == ONWARD)
    sent_care = np.count_nonzero(sent & is_care)              # follow-ups' referrals left out
    remote = m.n_steps(TELECONSULT) + m.n_steps(REMOTE_DIAGNOSIS)
    first_p = np.count_nonzero(care & (step == FIRST_PRIMARY))
    first_h = np.count_nonzero(care & (step == FIRST_HOSPITAL))
    admit_care = np.count_nonzero(admit & is_care)
    admit_emergency = np.count_nonzero(admit & is_emergency)
    out = {
        "flow_first_primary": first_p,
        "flow_first_hospital": first_h,
        "flow_emergency": np.count_nonzero(emergency),
        "flow_refill": np.count_nonzero(first & ~care & ~emergency),
        "flow_onward": m.n_steps(ONWARD),
        "flow_ambulance": m.n_steps(AMBULANCE),
        "flow_refer_out": m.n_steps(REFER_OUT),
        "flow_admit": np.count_nonzero(admit),
        "flow_admit_emergency": np.count_nonzero(admit & m.emergency_type[etype]),
        "flow_discharge_home": m.n_steps(DISCHARGE),
        "flow_followup": m.n_steps(FOLLOWUP),
        "flow_left": m.n_steps(LEFT),
        "flow_settled_remotely": remote,
        "flow_resolved_primary": first_p - remote - sent_care,
        "flow_outpatient": first_h + np.count_nonzero(sent),
        "flow_resolved_hospital": first_h + sent_care - admit_care,
        "flow_resolved_emergency": np.count_nonzero(emergency) - admit_emergency,
        "flow_admit_first": admit_care + admit_emergency,
    }
    return {k: m.per_10k_year(float(n)) for k, n in out.items()}


@kpi(arrived=("patients", "Episodes arrived", "到达就诊人次"),
     completed=("patients", "Episodes completed", "完成就诊人次"),
     in_system_at_end=("patients", "Episodes still in care at the end", "结束时仍在诊疗人次"),
     left_unserved=("patients", "Episodes left unserved", "未获服务离开人次"))
def patients(m: Measures) -> dict[str, Part]:
    """Patient accounting over the whole run: arrived, completed, in_system_at_end, left_unserved."""
    return {k: state(v) for k, v in m.counts.items()}


def parts(m: Measures, after_each: Callable[[], None] | None = None) -> dict[str, KPI]:
    """Every registered KPI of one period as parts, by name; ``after_each()`` runs after each KPI
    function (the runner releases the log's mapped pages there)."""
    out: dict[str, KPI] = {}
    for name, fn in KPI_FUNCS.items():
        value = fn(m)
        if isinstance(value, dict):
            out.update(value)
        else:
            out[name] = value
        if after_each is not None:
            after_each()
    return out


def compute(m: Measures, after_each: Callable[[], None] | None = None) -> dict[str, float]:
    """Every registered KPI's value in one period, by name."""
    return values(parts(m, after_each))

