"""Typed schema of every config group. Hydra refuses unknown keys and wrong types against it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

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
LANGS = ("en", "zh")                               # languages of figures and reports
TARGET_TYPES = ("maintain", "reach", "raise", "input")   # how a target is judged (scorecard)
TARGET_SOURCES = ("plan", "assumption")            # where a target's threshold comes from
OBSERVED_SCOPES = ("district", "tianjin", "china", "survey")
OBSERVED_TAGS = ("A", "B", "C", "derived", "assumption")   # calibration.md §0 reliability tags


@dataclass
class DistConfig:
    """A random duration: ``{dist: lognormal, mean: 8, cv: 0.6, unit: min}``."""
    dist: str = "exponential"
    mean: Optional[float] = None
    cv: Optional[float] = None
    values: Optional[List[float]] = None
    unit: str = "min"


@dataclass
class CapacityStep:
    """From ``date`` on, the service has ``servers`` servers (a calendar change)."""
    date: str = MISSING
    servers: int = MISSING


@dataclass
class ServiceConfig:
    """A service of a facility: servers (doctors in session, beds), hours, duration."""
    servers: Optional[int] = None                 # null = unlimited (or set by in_session)
    in_session: Optional[float] = None            # share of the facility's physicians in
                                                  # session here: servers = physicians × share
    service_time: DistConfig = field(default_factory=DistConfig)
    hours: Optional[List[float]] = None           # [open, close] in hours of the day; null = 24 h
    weekend_hours: Optional[List[float]] = None   # null = same as hours; [] = closed
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
    kind: str = MISSING                           # hospital | centre | station | village | external | ems
    role: str = "member"                          # lead | member | specialist (ROLES)
    level: int = 1
    physicians: Optional[int] = None              # practising physicians (医师), headcount
    location: Optional[List[float]] = None        # [x, y] km
    opens: Optional[str] = None                   # ISO date; null = open from the start
    refer_to: Dict[str, float] = field(default_factory=dict)   # up-referral destinations
    services: Dict[str, ServiceConfig] = field(default_factory=dict)


@dataclass
class StaffingConfig:
    """Planned densities: GP and bed servers of the group's facilities are scaled (in
    proportion, rounded) to reach them for the modelled residents; null keeps the network's."""
    gps_per_10k: Optional[float] = None
    beds_per_1000: Optional[float] = None


@dataclass
class NetworkConfig:
    name: str = MISSING
    facilities: Dict[str, FacilityConfig] = field(default_factory=dict)
    default_refer_to: Dict[str, float] = field(default_factory=dict)
    hospital_choice: Dict[str, float] = field(default_factory=dict)   # where bypassers go
    staffing: StaffingConfig = field(default_factory=StaffingConfig)


@dataclass
class CatchmentConfig:
    """Residents served by one centre; ``primary`` gives the share nearest to each facility."""
    residents: int = MISSING
    location: Optional[List[float]] = None        # [x, y] km, the catchment's centroid
    radius: float = 2.0                           # km; residents live uniformly within it
    primary: Dict[str, float] = field(default_factory=dict)
    hospital_choice: Optional[Dict[str, float]] = None   # null = network.hospital_choice


@dataclass
class PopulationConfig:
    name: str = MISSING
    scale: float = 1.0
    age_shares: Dict[str, float] = field(default_factory=dict)
    signed_share: Dict[str, float] = field(default_factory=dict)
    chronic_prevalence: Dict[str, Dict[str, float]] = field(default_factory=dict)
    catchments: Dict[str, CatchmentConfig] = field(default_factory=dict)


@dataclass
class ProfileConfig:
    """Relative arrival intensity by hour of day (24 values) and day of week (7, Monday first)."""
    hourly: List[float] = field(default_factory=lambda: [1.0] * 24)
    weekly: List[float] = field(default_factory=lambda: [1.0] * 7)


@dataclass
class EpisodeConfig:
    """An episode type: who generates it, how often, and which pathway it walks."""
    base: str = "residents"                       # residents | chronic | discharges
    rate: Dict[str, float] = field(default_factory=dict)   # per (resident|patient)-year, by age band
    profile: str = "flat"
    pathway: str = "care"                         # care | emergency | followup | route
    primary_resolvable: bool = False              # could primary care have resolved it?
    p_refer_up: float = 0.0                       # after a primary consultation
    p_admit: float = 0.0                          # after a hospital consultation
    p_down_eligible: float = 0.0                  # stable chronic / rehab need at discharge
    p_exam: float = 0.0                           # consultation orders imaging / ECG / lab
    p_diagnosis_only: float = 0.0                 # up-referral only needs a specialist's reading
    p_beyond_group: float = 0.0                   # group hospital cannot treat: to city hospitals
    p_ambulance: float = 0.0                      # emergency arrives by ambulance (120)
    p_time_critical: float = 0.0                  # ambulance case is chest pain / stroke
    p_return: float = 0.0                         # hospital consultation followed by a
                                                  # return consultation there (复诊)
    # scheduled types (base chronic | elderly): visits per person-year at regular intervals,
    # each attended with the person's own probability (Beta, mean by signing status)
    schedule: int = 0                             # 0 = Poisson at ``rate``
    attendance: Dict[str, float] = field(default_factory=dict)   # {signed, unsigned}: mean
    attendance_spread: float = 4.0                # Beta concentration: lower = more heterogeneous
    # minutes a patient waits in any consultation, examination, reading or ED queue before
    # leaving the episode unserved (not for beds, ambulances or community places)
    max_wait: Optional[float] = None
    service: str = "gp"                           # checkup pathway: the primary service used
    # route pathway: {from: {to: p}}; nodes are "facility.service", "entry" and "exit"
    route: Dict[str, Dict[str, float]] = field(default_factory=dict)


@dataclass
class HolidayConfig:
    """A public holiday (Spring Festival, National Day): demand × ``factor`` on [start, end]."""
    start: str = MISSING
    end: str = MISSING
    factor: float = MISSING


@dataclass
class CalendarConfig:
    """Seasonality on top of hour and weekday: a factor per month and public holidays; each
    calendar year's factors are normalised to mean 1, so rates stay per year."""
    monthly: List[float] = field(default_factory=lambda: [1.0] * 12)
    holidays: List[HolidayConfig] = field(default_factory=list)


@dataclass
class DemandConfig:
    name: str = MISSING
    rate_scale: float = 1.0                       # multiplies every rate (calibration to a volume)
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
    mode: str = "off"
    surcharge: float = 0.0                        # soft: extra CNY paid for an unreferred visit


@dataclass
class SlotsConfig:
    """号源 / 预留号源: hospital outpatient sessions with a daily number of bookable slots."""
    enabled: bool = False
    per_server: float = 80.0                      # slots per doctor per session
    reserved_share: float = 0.0                   # held for family-doctor referrals
    release_days: float = 0.0                     # reserved slots open to all this long before
    no_show: float = 0.0                          # booked patients who do not come
    max_days: int = 120                           # booking horizon


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
    coverage: float = 0.0


@dataclass
class TeleconsultConfig:
    """远程会诊: would-be up-referrals settled by a remote specialist."""
    enabled: bool = False
    share: float = 0.0
    provider: str = ""                            # facility with a ``teleconsult`` service


@dataclass
class DownReferralConfig:
    """下转: share of eligible inpatients offered a community place, delay, patience, home beds."""
    share: float = 0.0
    transfer_delay: DistConfig = field(
        default_factory=lambda: DistConfig(dist="deterministic", mean=0.0, unit="day"))
    max_bed_wait: DistConfig = field(
        default_factory=lambda: DistConfig(dist="deterministic", mean=3.0, unit="day"))
    home_beds: bool = False                       # 家庭病床 when no community bed is free


@dataclass
class ChronicManagementConfig:
    """慢病规范管理: the team's programme raises attendance of scheduled visits, by type."""
    enabled: bool = False
    attendance: Dict[str, Dict[str, float]] = field(default_factory=dict)


@dataclass
class AmbulanceConfig:
    """院前急救: response = dispatch + travel from the nearest free vehicle's station."""
    enabled: bool = False
    speed_kmh: float = 30.0
    road_factor: float = 1.3                      # road distance / straight-line distance
    dispatch: DistConfig = field(default_factory=lambda: DistConfig(dist="deterministic", mean=2.0))
    on_scene: DistConfig = field(default_factory=lambda: DistConfig(dist="deterministic", mean=15.0))
    handover: DistConfig = field(default_factory=lambda: DistConfig(dist="deterministic", mean=15.0))


@dataclass
class CapitationConfig:
    """按人头总额付费, 结余留用: budget per signed resident; behaviour of teams keeping savings."""
    per_signed_year: float = 0.0                  # CNY per signed resident-year
    refer_up_scale: float = 1.0                   # referral propensity under capitation
    followup_scale: float = 1.0                   # follow-up effort after discharge


@dataclass
class PaymentConfig:
    """Costs (CNY) by item and level, insured share by level, and the payment scheme."""
    scheme: str = "fee_for_service"
    costs: Dict[str, float] = field(default_factory=dict)
    reimbursement: Dict[str, float] = field(default_factory=dict)
    capitation: CapitationConfig = field(default_factory=CapitationConfig)


@dataclass
class ChoiceConfig:
    """Unsigned patients choose a first facility by a logit on travel, recent wait and cost."""
    enabled: bool = False
    beta_time: float = 0.0                        # utility per minute of travel
    beta_wait: float = 0.0                        # per minute of recent mean wait
    beta_days: float = 0.0                        # per day to the first free slot
    beta_cost: float = 0.0                        # per CNY out of pocket
    hospital_asc: float = 0.0                     # preference for hospitals, all else equal
    speed_kmh: float = 20.0                       # patients' door-to-door travel speed
    memory_days: float = 7.0                      # smoothing of the observed waits


@dataclass
class PolicyConfig:
    """Behaviour and rules of the group; every decision in a pathway reads these."""
    name: str = "baseline"
    adherence: float = 0.0                        # signed resident goes to own team first
    bypass: Dict[str, float] = field(default_factory=dict)   # others straight to hospital, by type
    refer_up_scale: float = 1.0                   # multiplies episode p_refer_up
    formal_referral: float = 1.0                  # of patients a family doctor sends on to a
                                                  # hospital, the share formally referred (上转)
    refer_out_scale: float = 1.0                  # multiplies episode p_beyond_group
    followup_signed: float = 0.0                  # P(family-doctor follow-up after discharge)
    followup_unsigned: float = 0.0
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
    kpi: str = MISSING
    type: str = "reach"                           # maintain | reach | raise | input
    source: str = "plan"                          # plan | assumption: whose threshold it is
    comparison: str = ">="                        # >= higher is better | <= lower is better
    threshold: Optional[float] = None             # needed by maintain and reach; raise: a yardstick
    year: Optional[int] = None                    # calendar year; null = the whole measured period


@dataclass
class TargetsConfig:
    name: str = "none"
    plan: str = ""                                # the plan the targets come from
    targets: Dict[str, TargetConfig] = field(default_factory=dict)


@dataclass
class ObservedFigure:
    """A published figure the status quo (today) must reproduce: a band [low, high] on a KPI."""
    kpi: str = MISSING
    low: Optional[float] = None                   # null = no lower bound
    high: Optional[float] = None                  # null = no upper bound
    value: Optional[float] = None                 # the published figure itself, when there is one
    year: Optional[int] = None                    # year the figure refers to
    scope: str = "district"                       # district | tianjin | china | survey
    source: str = ""                              # seed clause or calibration.md section, document
    tag: str = ""                                 # A | B | C | derived | assumption
    gap: str = ""                                 # a mechanism the model lacks that keeps this
                                                  # band from being reproduced (empty: none known)
    text_en: str = ""
    text_zh: str = ""


@dataclass
class ObservedConfig:
    """What is known about the district today: the bands its status-quo run must reproduce."""
    name: str = "none"
    district: str = ""                            # label
    figures: Dict[str, ObservedFigure] = field(default_factory=dict)


@dataclass
class RunConfig:
    replications: int = 5
    seed: int = 20251
    workers: int = 0                              # 0 = all cores
    warmup_days: int = 30
    horizon_days: int = 365                       # measured days after the warm-up
    start_date: str = "2025-01-01"                # date of day 0 of the measured period
    progress: bool = True
    figures: bool = True
    events: bool = False                          # stream every visit and step to events.parquet
    engine: str = "fast"                          # fast | simpy: the event loop (same results; sim/engine/loop.py)


@dataclass
class ReportConfig:
    """The readable report: language of labels and headings (zh | en); no effect on results."""
    lang: str = "en"


@dataclass
class AccessConfig:
    """Geographic access: the health circle (KPI ``health_circle_15min``)."""
    circle_minutes: float = 15.0                  # the health circle (15分钟健康服务圈)
    circle_speed_kmh: float = 4.0                 # travel speed to a primary facility


@dataclass
class DesignConfig:
    """A space-filling design: ``point`` of ``n`` Latin-hypercube points over ``ranges``.

    ``ranges`` maps a dotted config key to ``[low, high]``; n = 0 switches the design off."""
    n: int = 0
    point: int = 0
    seed: int = 0
    ranges: Dict[str, List[float]] = field(default_factory=dict)


@dataclass
class CompareConfig:
    """Sweep comparisons: the baseline job (its overrides, e.g. ``policy=baseline``; empty =
    the sweep's first job) and the KPIs to plot (empty = the headline KPIs and the targets')."""
    baseline: str = ""
    kpis: List[str] = field(default_factory=list)


@dataclass
class CalibrationConfig:
    """Observed values a calibration search fits: the run returns the sum of squared
    relative errors of these KPIs' means (the objective of ``hydra/sweeper=optuna``)."""
    observed: Dict[str, float] = field(default_factory=dict)
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
