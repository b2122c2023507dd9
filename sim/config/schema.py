"""Typed schema of every config group. Hydra refuses unknown keys and wrong types against it;
the constraints annotated on the fields (ranges, vocabularies) are checked by ``validate``."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Dict, Iterator, List, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from sim.config.constraints import OneOf, Range, Rule
from sim.domain.clock import UNITS

AGE_BANDS = ("child", "adult", "elderly")          # 0-14, 15-64, 65+
PRIMARY_KINDS = ("centre", "station", "village")
FACILITY_KINDS = ("hospital",) + PRIMARY_KINDS + ("external", "ems")
ROLES = ("lead", "member", "specialist")            # at most one lead (牵头医院) per network
PATHWAYS = ("care", "refill", "emergency", "followup", "checkup", "route")
EPISODE_BASES = ("residents", "chronic", "elderly", "discharges")
GATEKEEPING_MODES = ("off", "soft", "strict")
PAYMENT_SCHEMES = ("fee_for_service", "capitation")
COMPARISONS = (">=", "<=")
TIERS = ("primary", "secondary", "tertiary", "external")   # payment levels of facilities
DISTS = ("exponential", "lognormal", "gamma", "deterministic", "empirical")   # duration laws
LANGS = ("en", "zh")                               # languages of figures and reports
ENGINES = ("fast", "python", "simpy")              # run.engine: event loops with identical results
LOCATION_SOURCES = ("schematic", "surveyed")       # network.locations: assumed grid or measured
TARGET_TYPES = ("maintain", "reach", "raise", "input")   # how a target is judged (scorecard)
TARGET_SOURCES = ("plan", "assumption")            # where a target's threshold comes from
OBSERVED_SCOPES = ("district", "tianjin", "china", "survey")
OBSERVED_TAGS = ("A", "B", "C", "derived", "assumption")   # calibration.md §0 reliability tags
SIGNING = ("signed", "unsigned")                   # family-doctor signing status

PROB = Range(0.0, 1.0)
Prob = Annotated[float, PROB]                      # a probability or a share
NonNegative = Annotated[float, Range(0.0)]
Positive = Annotated[float, Range(0.0, lo_open=True)]
Finite = Annotated[float, Range()]
Count = Annotated[int, Range(0)]
AtLeastOne = Annotated[int, Range(1)]
AgeBand = Annotated[str, OneOf(AGE_BANDS)]
Signing = Annotated[str, OneOf(SIGNING)]
Problems = Iterator[tuple[str, Any, str]]   # (field, value, what is allowed) of a node at key


def _hours(allow_empty: bool) -> Rule:
    """Opening hours ``[open, close]`` in hours of the day (``[]`` = closed, if allowed)."""
    return Rule(lambda h: (allow_empty and len(h) == 0)
                or (len(h) == 2 and 0 <= h[0] < h[1] <= 24),
                "must be [open, close] with 0 <= open < close <= 24")


def _weights(n: int) -> Rule:
    """``n`` relative intensities: finite, non-negative, with a positive sum."""
    return Rule(lambda v: len(v) == n and all(math.isfinite(x) and x >= 0 for x in v)
                and sum(v) > 0, f"must be {n} non-negative numbers with a positive sum")


def _nonempty(what: str) -> Rule:
    """At least one entry (or character); ``what`` says what is needed."""
    return Rule(lambda d: len(d) > 0, what)


MONTHLY = Rule(lambda v: len(v) == 12 and all(math.isfinite(x) and x > 0 for x in v),
               "must be 12 positive numbers (Jan-Dec)")
NON_ZERO = Rule(lambda v: v != 0, "must be non-zero: the objective divides by it")


@dataclass
class DistConfig:
    """A random duration: ``{dist: lognormal, mean: 8, cv: 0.6, unit: min}``."""
    dist: Annotated[str, OneOf(DISTS)] = "exponential"
    mean: Optional[float] = None                  # > 0 (deterministic: >= 0), see problems
    cv: Optional[Positive] = None
    values: Optional[List[NonNegative]] = None
    unit: Annotated[str, OneOf(tuple(UNITS))] = "min"

    @staticmethod
    def problems(d: Any, key: str) -> Problems:
        """An empirical distribution needs values, the others a mean; lognormal and gamma a cv."""
        if d.dist == "empirical":
            if not d["values"]:                   # d.values would be DictConfig.values()
                yield "values", d["values"], "an empirical distribution needs values"
            return
        if d.mean is None:
            yield "mean", None, f"a {d.dist} distribution needs a mean"
        elif allowed := Range(0.0, lo_open=d.dist != "deterministic").problem(d.mean, float):
            yield "mean", d.mean, allowed
        if d.dist in ("lognormal", "gamma") and d.cv is None:
            yield "cv", None, f"a {d.dist} distribution needs a cv"


@dataclass
class CapacityStep:
    """From ``date`` on, the service has ``servers`` servers (a calendar change)."""
    date: str = MISSING
    servers: Count = MISSING


@dataclass
class ServiceConfig:
    """A service of a facility: servers (doctors in session, beds), hours, duration."""
    servers: Optional[Count] = None               # null = unlimited (or set by in_session)
    in_session: Optional[Prob] = None             # share of the facility's physicians in
                                                  # session here: servers = physicians × share
    service_time: DistConfig = field(default_factory=DistConfig)
    hours: Optional[Annotated[List[float], _hours(False)]] = None   # [open, close]; null = 24 h
    weekend_hours: Optional[Annotated[List[float], _hours(True)]] = None   # null = as hours;
                                                                            # [] = closed
    schedule: List[CapacityStep] = field(default_factory=list)


def session_servers_of(physicians: int, in_session: float) -> int:
    """Servers of a service staffed by ``in_session``: the facility's physicians in session,
    rounded, at least one when any are."""
    n = physicians * in_session
    return max(1, round(n)) if n > 0 else 0


@dataclass
class FacilityConfig:
    """A facility of the medical group (or outside it: ``kind: external``)."""
    name: str = MISSING                           # label, may be Chinese
    name_en: str = ""
    kind: Annotated[str, OneOf(FACILITY_KINDS)] = MISSING
    role: Annotated[str, OneOf(ROLES)] = "member"
    level: int = 1
    physicians: Optional[Count] = None            # practising physicians (医师), headcount
    location: Optional[List[float]] = None        # [x, y] km
    opens: Optional[str] = None                   # ISO date; null = open from the start
    refer_to: Dict[str, Prob] = field(default_factory=dict)    # up-referral destinations
    services: Dict[str, ServiceConfig] = field(default_factory=dict)

    @staticmethod
    def problems(f: Any, key: str) -> Problems:
        """A service staffed by ``in_session`` needs the physicians' headcount, and no servers
        of its own (derive() writes the derived number there)."""
        for sid, s in f.services.items():
            if s.in_session is None:
                continue
            if f.physicians is None:
                yield "physicians", None, f"{key}.services.{sid}.in_session needs the facility's " \
                    "physicians (headcount)"
            elif s.servers is not None and s.servers != session_servers_of(f.physicians,
                                                                           s.in_session):
                yield f"services.{sid}.servers", s.servers, "give servers or in_session, not both"


@dataclass
class StaffingConfig:
    """Planned densities: GP and bed servers of the group's facilities are scaled (in
    proportion, rounded) to reach them for the modelled residents; null keeps the network's."""
    gps_per_10k: Optional[Positive] = None
    beds_per_1000: Optional[Positive] = None


@dataclass
class NetworkConfig:
    name: str = MISSING
    facilities: Annotated[Dict[str, FacilityConfig],
                          _nonempty("the network needs at least one facility")] = \
        field(default_factory=dict)
    default_refer_to: Dict[str, Prob] = field(default_factory=dict)
    hospital_choice: Dict[str, Prob] = field(default_factory=dict)    # where bypassers go
    staffing: StaffingConfig = field(default_factory=StaffingConfig)
    # facility and catchment locations: "schematic" (km on a rough grid, assumed: the map says
    # so) or "surveyed" (measured coordinates)
    locations: Annotated[str, OneOf(LOCATION_SOURCES)] = "schematic"


@dataclass
class CatchmentConfig:
    """Residents served by one centre; ``primary`` gives the share nearest to each facility."""
    residents: Count = MISSING
    location: Optional[List[float]] = None        # [x, y] km, the catchment's centroid
    radius: NonNegative = 2.0                     # km; residents live uniformly within it
    primary: Dict[str, Prob] = field(default_factory=dict)
    hospital_choice: Optional[Dict[str, Prob]] = None    # null = network.hospital_choice


@dataclass
class PopulationConfig:
    name: str = MISSING
    # modelled residents per resident, servers alike: below 1 a quick sketch, above 1 a district
    # that many times as large (the scaling benchmark, experiments/scaling.py)
    scale: Annotated[float, Range(0.0, 2.0, lo_open=True)] = 1.0
    age_shares: Dict[AgeBand, Prob] = field(default_factory=dict)
    signed_share: Dict[AgeBand, Prob] = field(default_factory=dict)
    chronic_prevalence: Dict[str, Dict[AgeBand, Prob]] = field(default_factory=dict)
    catchments: Annotated[Dict[str, CatchmentConfig],
                          _nonempty("the population needs at least one catchment")] = \
        field(default_factory=dict)


@dataclass
class ProfileConfig:
    """Relative arrival intensity by hour of day (24 values) and day of week (7, Monday first)."""
    hourly: Annotated[List[float], _weights(24)] = field(default_factory=lambda: [1.0] * 24)
    weekly: Annotated[List[float], _weights(7)] = field(default_factory=lambda: [1.0] * 7)


@dataclass
class EpisodeConfig:
    """An episode type: who generates it, how often, and which pathway it walks."""
    base: Annotated[str, OneOf(EPISODE_BASES)] = "residents"
    rate: Dict[AgeBand, NonNegative] = field(default_factory=dict)   # per (resident|patient)-
                                                                     # year, by age band
    profile: str = "flat"
    pathway: Annotated[str, OneOf(PATHWAYS)] = "care"
    primary_resolvable: bool = False              # could primary care have resolved it?
    p_refer_up: Prob = 0.0                        # after a primary consultation
    p_admit: Prob = 0.0                           # after a hospital consultation
    p_down_eligible: Prob = 0.0                   # stable chronic / rehab need at discharge
    p_exam: Prob = 0.0                            # consultation orders imaging / ECG / lab
    p_diagnosis_only: Prob = 0.0                  # up-referral only needs a specialist's reading
    p_beyond_group: Prob = 0.0                    # group hospital cannot treat: to city hospitals
    p_ambulance: Prob = 0.0                       # emergency arrives by ambulance (120)
    p_time_critical: Prob = 0.0                   # ambulance case is chest pain / stroke
    p_return: Prob = 0.0                          # hospital consultation followed by a
                                                  # return consultation there (复诊)
    # scheduled types (base chronic | elderly): visits per person-year at regular intervals,
    # each attended with the person's own probability (Beta, mean by signing status)
    schedule: Annotated[int, Range(0, 365)] = 0   # 0 = Poisson at ``rate``
    attendance: Dict[Signing, Prob] = field(default_factory=dict)   # {signed, unsigned}: mean
    attendance_spread: Positive = 4.0             # Beta concentration: lower = more heterogeneous
    # minutes a patient waits in any consultation, examination, reading or ED queue before
    # leaving the episode unserved (not for beds, ambulances or community places)
    max_wait: Optional[Positive] = None
    service: str = "gp"                           # checkup pathway: the primary service used
    # route pathway: {from: {to: p}}; nodes are "facility.service", "entry" and "exit"
    route: Dict[str, Dict[str, Prob]] = field(default_factory=dict)

    @staticmethod
    def problems(e: Any, key: str) -> Problems:
        """Scheduled visits are for chronic patients or the elderly."""
        if e.schedule and e.base not in ("chronic", "elderly"):
            yield "base", e.base, "a scheduled type needs base chronic or elderly"


@dataclass
class HolidayConfig:
    """A public holiday (Spring Festival, National Day): demand × ``factor`` on [start, end]."""
    start: str = MISSING
    end: str = MISSING
    factor: NonNegative = MISSING


@dataclass
class CalendarConfig:
    """Seasonality on top of hour and weekday: a factor per month and public holidays; each
    calendar year's factors are normalised to mean 1, so rates stay per year."""
    monthly: Annotated[List[float], MONTHLY] = field(default_factory=lambda: [1.0] * 12)
    holidays: List[HolidayConfig] = field(default_factory=list)


@dataclass
class DemandConfig:
    name: str = MISSING
    rate_scale: NonNegative = 1.0                 # multiplies every rate (calibration to a volume)
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    return_delay: DistConfig = field(
        default_factory=lambda: DistConfig(dist="deterministic", mean=7.0, unit="day"))
    profiles: Dict[str, ProfileConfig] = field(default_factory=dict)
    episodes: Dict[str, EpisodeConfig] = field(default_factory=dict)
    followup_delay: DistConfig = field(
        default_factory=lambda: DistConfig(dist="deterministic", mean=7.0, unit="day"))


@dataclass
class GatekeepingConfig:
    """基层首诊: off; soft (bypass costs more out of pocket); strict (referral required)."""
    mode: Annotated[str, OneOf(GATEKEEPING_MODES)] = "off"
    surcharge: NonNegative = 0.0                  # soft: extra CNY paid for an unreferred visit


@dataclass
class SlotsConfig:
    """号源 / 预留号源: hospital outpatient sessions with a daily number of bookable slots."""
    enabled: bool = False
    per_server: Positive = 80.0                   # slots per doctor per session
    reserved_share: Prob = 0.0                    # held for family-doctor referrals
    release_days: NonNegative = 0.0               # reserved slots open to all this long before
    no_show: Prob = 0.0                           # booked patients who do not come
    max_days: AtLeastOne = 120                    # booking horizon


@dataclass
class SwitchConfig:
    enabled: bool = False


@dataclass
class RemoteDiagnosisConfig:
    """基层检查、上级诊断: examined at the centre, read by a hospital's reading service."""
    enabled: bool = False
    reader: str = ""                              # facility with a ``reading`` service
    turnaround: DistConfig = field(
        default_factory=lambda: DistConfig(dist="deterministic", mean=0.0))


@dataclass
class MutualRecognitionConfig:
    """检查检验结果互认: a referred patient's recent results are not repeated."""
    enabled: bool = False
    coverage: Prob = 0.0


@dataclass
class TeleconsultConfig:
    """远程会诊: would-be up-referrals settled by a remote specialist."""
    enabled: bool = False
    share: Prob = 0.0
    provider: str = ""                            # facility with a ``teleconsult`` service


@dataclass
class DownReferralConfig:
    """下转: share of eligible inpatients offered a community place, delay, patience, home beds."""
    share: Prob = 0.0
    transfer_delay: DistConfig = field(
        default_factory=lambda: DistConfig(dist="deterministic", mean=0.0, unit="day"))
    max_bed_wait: DistConfig = field(
        default_factory=lambda: DistConfig(dist="deterministic", mean=3.0, unit="day"))
    home_beds: bool = False                       # 家庭病床 when no community bed is free


@dataclass
class ChronicManagementConfig:
    """慢病规范管理: the team's programme raises attendance of scheduled visits, by type."""
    enabled: bool = False
    attendance: Dict[str, Dict[Signing, Prob]] = field(default_factory=dict)


@dataclass
class AmbulanceConfig:
    """院前急救: response = dispatch + travel from the nearest free vehicle's station."""
    enabled: bool = False
    speed_kmh: Positive = 30.0
    road_factor: Annotated[float, Range(1.0)] = 1.3   # road distance / straight-line distance
    dispatch: DistConfig = field(default_factory=lambda: DistConfig(dist="deterministic", mean=2.0))
    on_scene: DistConfig = field(default_factory=lambda: DistConfig(dist="deterministic", mean=15.0))
    handover: DistConfig = field(default_factory=lambda: DistConfig(dist="deterministic", mean=15.0))


@dataclass
class CapitationConfig:
    """按人头总额付费, 结余留用: budget per signed resident; behaviour of teams keeping savings."""
    per_signed_year: NonNegative = 0.0            # CNY per signed resident-year
    refer_up_scale: NonNegative = 1.0             # referral propensity under capitation
    followup_scale: NonNegative = 1.0                   # follow-up effort after discharge


@dataclass
class PaymentConfig:
    """Costs (CNY) by item and level, insured share by level, and the payment scheme."""
    scheme: Annotated[str, OneOf(PAYMENT_SCHEMES)] = "fee_for_service"
    costs: Dict[str, NonNegative] = field(default_factory=dict)
    reimbursement: Dict[Annotated[str, OneOf(TIERS)], Prob] = field(default_factory=dict)
    capitation: CapitationConfig = field(default_factory=CapitationConfig)


@dataclass
class ChoiceConfig:
    """Unsigned patients choose a first facility by a logit on travel, recent wait and cost."""
    enabled: bool = False
    beta_time: NonNegative = 0.0                  # utility per minute of travel
    beta_wait: NonNegative = 0.0                  # per minute of recent mean wait
    beta_days: NonNegative = 0.0                  # per day to the first free slot
    beta_cost: NonNegative = 0.0                  # per CNY out of pocket
    hospital_asc: Finite = 0.0                    # preference for hospitals, all else equal
    speed_kmh: Positive = 20.0                    # patients' door-to-door travel speed
    memory_days: Annotated[float, Range(1.0)] = 7.0   # smoothing of the observed waits


@dataclass
class PolicyConfig:
    """Behaviour and rules of the group; every decision in a pathway reads these."""
    name: str = "baseline"
    adherence: Prob = 0.0                         # signed resident goes to own team first
    bypass: Dict[str, Prob] = field(default_factory=dict)    # others straight to hospital, by type
    refer_up_scale: NonNegative = 1.0             # multiplies episode p_refer_up
    formal_referral: Prob = 1.0                  # of patients a family doctor sends on to a
                                                  # hospital, the share formally referred (上转)
    refer_out_scale: NonNegative = 1.0            # multiplies episode p_beyond_group
    # share of hospital return visits done online (互联网复诊, lever online_returns); today's 0 is
    # an assumption: return visits are in person (no published share)
    online_returns: Prob = 0.0
    followup_signed: Prob = 0.0                   # P(family-doctor follow-up after discharge)
    followup_unsigned: Prob = 0.0
    gatekeeping: GatekeepingConfig = field(default_factory=GatekeepingConfig)
    slots: SlotsConfig = field(default_factory=SlotsConfig)
    green_channel: SwitchConfig = field(default_factory=SwitchConfig)
    remote_diagnosis: RemoteDiagnosisConfig = field(default_factory=RemoteDiagnosisConfig)
    mutual_recognition: MutualRecognitionConfig = field(default_factory=MutualRecognitionConfig)
    teleconsult: TeleconsultConfig = field(default_factory=TeleconsultConfig)
    down_referral: DownReferralConfig = field(default_factory=DownReferralConfig)
    chronic_management: ChronicManagementConfig = field(default_factory=ChronicManagementConfig)
    ambulance: AmbulanceConfig = field(default_factory=AmbulanceConfig)
    payment: PaymentConfig = field(default_factory=PaymentConfig)
    choice: ChoiceConfig = field(default_factory=ChoiceConfig)


@dataclass
class TargetConfig:
    """One target of a plan: ``kpi`` ``comparison`` ``threshold`` (in ``year``, or over the run),
    judged by ``type``: maintain (today's level holds under the plan), reach (a threshold),
    raise (plan − today above zero), input (a resource the plan sets: reported, not judged)."""
    text_zh: str = ""
    text_en: str = ""
    clause: str = ""                              # seed file and clause, e.g. "004 indicator table"
    kpi: Annotated[str, _nonempty("a target needs a KPI name")] = MISSING
    type: Annotated[str, OneOf(TARGET_TYPES)] = "reach"
    source: Annotated[str, OneOf(TARGET_SOURCES)] = "plan"     # whose threshold it is
    comparison: Annotated[str, OneOf(COMPARISONS)] = ">="      # >= higher is better
    threshold: Optional[Finite] = None            # needed by maintain and reach; raise: a yardstick
    year: Optional[int] = None                    # calendar year; null = the whole measured period

    @staticmethod
    def problems(t: Any, key: str) -> Problems:
        """Maintain and reach targets are judged against a threshold."""
        if t.threshold is None and t.type in ("maintain", "reach"):
            yield "threshold", None, f"a {t.type} target needs a threshold (only raise and " \
                "input targets may leave it null)"


@dataclass
class TargetsConfig:
    name: str = "none"
    plan: str = ""                                # the plan the targets come from
    targets: Dict[str, TargetConfig] = field(default_factory=dict)


@dataclass
class ObservedFigure:
    """A published figure the status quo (today) must reproduce: a band [low, high] on a KPI."""
    kpi: Annotated[str, _nonempty("an observed figure needs a KPI name")] = MISSING
    low: Optional[Finite] = None                  # null = no lower bound
    high: Optional[Finite] = None                 # null = no upper bound
    value: Optional[Finite] = None                # the published figure itself, when there is one
    year: Optional[Annotated[int, Range(1900, 2100)]] = None   # year the figure refers to
    scope: Annotated[str, OneOf(OBSERVED_SCOPES)] = "district"
    source: str = ""                              # seed clause or calibration.md section, document
    tag: Annotated[str, OneOf(OBSERVED_TAGS)] = ""   # calibration.md §0 reliability tag
    gap: str = ""                                 # a mechanism the model lacks that keeps this
                                                  # band from being reproduced (empty: none known)
    text_en: str = ""
    text_zh: str = ""

    @staticmethod
    def problems(f: Any, key: str) -> Problems:
        """A band has at least one bound, and low <= high."""
        if f.low is None and f.high is None:
            yield "low", None, "a band needs at least one of low and high (null = open)"
        elif f.low is not None and f.high is not None and f.low > f.high:
            yield "high", f.high, f"must be >= low ({f.low})"


@dataclass
class ObservedConfig:
    """What is known about the district today: the bands its status-quo run must reproduce."""
    name: str = "none"
    district: str = ""                            # label
    figures: Dict[str, ObservedFigure] = field(default_factory=dict)


@dataclass
class RunConfig:
    replications: AtLeastOne = 5
    seed: int = 20251
    workers: Count = 0                            # 0 = all cores
    warmup_days: Count = 30
    horizon_days: AtLeastOne = 365                       # measured days after the warm-up
    start_date: str = "2025-01-01"                # date of day 0 of the measured period
    progress: bool = True
    figures: bool = True
    events: bool = False                          # stream every visit and step to events.parquet
    engine: Annotated[str, OneOf(ENGINES)] = "fast"   # the event loop (same results; sim/engine/loop.py)


@dataclass
class ReportConfig:
    """The readable report: language of labels and headings (zh | en); no effect on results."""
    lang: Annotated[str, OneOf(LANGS)] = "en"


@dataclass
class AccessConfig:
    """Geographic access: the health circle (KPI ``health_circle_15min``)."""
    circle_minutes: Positive = 15.0               # the health circle (15分钟健康服务圈)
    circle_speed_kmh: Positive = 4.0                 # travel speed to a primary facility


@dataclass
class DesignConfig:
    """A space-filling design: ``point`` of ``n`` Latin-hypercube points over ``ranges``.

    ``ranges`` maps a dotted config key to ``[low, high]``; n = 0 switches the design off."""
    n: Count = 0
    point: int = 0                                # 0 .. n - 1 (checked in validate)
    seed: Count = 0
    ranges: Dict[str, List[float]] = field(default_factory=dict)


@dataclass
class CompareConfig:
    """Sweep comparisons: the baseline job (its overrides, e.g. ``policy=baseline``; empty =
    the sweep's first job), the KPIs to plot (empty = the headline KPIs and the targets') and
    whether to draw the sweep's figures (the jobs' own follow ``run.figures``)."""
    baseline: str = ""
    kpis: List[str] = field(default_factory=list)
    figures: bool = True


@dataclass
class CalibrationConfig:
    """Observed values a calibration search fits: the run returns the sum of squared
    relative errors of these KPIs' means (the objective of ``hydra/sweeper=optuna``)."""
    observed: Dict[str, Annotated[float, Range(), NON_ZERO]] = field(default_factory=dict)
    bands: bool = False                           # instead: fit today's observed figures' bands


@dataclass
class ScenarioConfig:
    """Today and the plan. A preset's run is today (its base year, network and behaviour); with
    ``compare`` the plan runs too (``plan_overrides`` on top of today's command line, on common
    random numbers) and the targets are scored on the plan against today."""
    compare: bool = False
    today: str = "today"                          # labels
    plan: str = "plan"
    plan_overrides: List[str] = field(default_factory=list)


@dataclass
class Config:
    network: NetworkConfig = field(default_factory=NetworkConfig)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    demand: DemandConfig = field(default_factory=DemandConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    targets: TargetsConfig = field(default_factory=TargetsConfig)
    observed: ObservedConfig = field(default_factory=ObservedConfig)
    run: RunConfig = field(default_factory=RunConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    access: AccessConfig = field(default_factory=AccessConfig)
    design: DesignConfig = field(default_factory=DesignConfig)
    compare: CompareConfig = field(default_factory=CompareConfig)
    calibration: CalibrationConfig = field(default_factory=CalibrationConfig)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    results_dir: str = "results"
    sweep_name: str = "${now:%Y-%m-%d}/${now:%H-%M-%S}"   # sweeps/<sweep_name>: fix it to resume
    preset: Optional[str] = None
    experiment: Optional[str] = None


def register_configs() -> None:
    """Register the schema as ``base_config`` for ``config.yaml``'s defaults list."""
    ConfigStore.instance().store(name="base_config", node=Config)
