"""Typed schema of every config group. Hydra refuses unknown keys and wrong types against it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

AGE_BANDS = ("child", "adult", "elderly")          # 0-14, 15-64, 65+
PRIMARY_KINDS = ("centre", "station", "village")
FACILITY_KINDS = ("hospital",) + PRIMARY_KINDS + ("external",)
PATHWAYS = ("care", "emergency", "followup", "route")
EPISODE_BASES = ("residents", "chronic", "discharges")


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
    servers: Optional[int] = None                 # null = unlimited
    service_time: DistConfig = field(default_factory=DistConfig)
    hours: Optional[List[float]] = None           # [open, close] in hours of the day; null = 24 h
    weekend_hours: Optional[List[float]] = None   # null = same as hours; [] = closed
    schedule: List[CapacityStep] = field(default_factory=list)


@dataclass
class FacilityConfig:
    """A facility of the medical group (or outside it: ``kind: external``)."""
    name: str = MISSING                           # label, may be Chinese
    name_en: str = ""
    kind: str = MISSING                           # hospital | centre | station | village | external
    role: str = "member"                          # lead | member | specialist
    level: int = 1
    location: Optional[List[float]] = None        # [x, y] km
    opens: Optional[str] = None                   # ISO date; null = open from the start
    refer_to: Dict[str, float] = field(default_factory=dict)   # up-referral destinations
    services: Dict[str, ServiceConfig] = field(default_factory=dict)


@dataclass
class NetworkConfig:
    name: str = MISSING
    facilities: Dict[str, FacilityConfig] = field(default_factory=dict)
    default_refer_to: Dict[str, float] = field(default_factory=dict)
    hospital_choice: Dict[str, float] = field(default_factory=dict)   # where bypassers go


@dataclass
class CatchmentConfig:
    """Residents served by one centre; ``primary`` gives the share nearest to each facility."""
    residents: int = MISSING
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
    # route pathway: {from: {to: p}}; nodes are "facility.service", "entry" and "exit"
    route: Dict[str, Dict[str, float]] = field(default_factory=dict)


@dataclass
class DemandConfig:
    name: str = MISSING
    profiles: Dict[str, ProfileConfig] = field(default_factory=dict)
    episodes: Dict[str, EpisodeConfig] = field(default_factory=dict)
    followup_delay: DistConfig = field(
        default_factory=lambda: DistConfig(dist="deterministic", mean=7.0, unit="day"))


@dataclass
class PolicyConfig:
    """Behaviour and rules of the group; every decision in a pathway reads these."""
    name: str = "baseline"
    adherence: float = 0.0                        # signed resident goes to own team first
    bypass: Dict[str, float] = field(default_factory=dict)   # others straight to hospital, by type
    strict_gatekeeping: bool = False              # hospital outpatient only with a referral
    referred_priority: bool = True                # up-referred patients served first
    refer_up_scale: float = 1.0                   # multiplies episode p_refer_up
    down_referral: float = 0.0                    # P(down-referral | eligible at discharge)
    max_bed_wait: DistConfig = field(
        default_factory=lambda: DistConfig(dist="deterministic", mean=3.0, unit="day"))
    followup_signed: float = 0.0                  # P(family-doctor follow-up after discharge)
    followup_unsigned: float = 0.0


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


@dataclass
class Config:
    network: NetworkConfig = field(default_factory=NetworkConfig)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    demand: DemandConfig = field(default_factory=DemandConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    run: RunConfig = field(default_factory=RunConfig)
    results_dir: str = "results"
    preset: Optional[str] = None


def register_configs() -> None:
    """Register the schema as ``base_config`` for ``config.yaml``'s defaults list."""
    ConfigStore.instance().store(name="base_config", node=Config)
