"""Semantic validation: checks meaning (ranges, sums, references, dates) before anything runs.

Hydra and the dataclass schema already refuse unknown keys and wrong types; this pass refuses
values that are well-typed but impossible, with one line naming key, value, what is allowed and
the config file it came from. Ranges and vocabularies are declared beside the schema's fields
(``sim/config/constraints.py`` checks them); what is left here spans the config: references
between groups, probabilities summing to 1, dates.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Iterable, Mapping

from sim.config.constraints import Range, check_tree, unknown
from sim.config.schema import AGE_BANDS, PRIMARY_KINDS, Config
from sim.domain.clock import measured_period

SUM_TOL = 1e-6


class ConfigError(ValueError):
    """A config value that cannot be simulated; ``str()`` is the one-line user message."""

    def __init__(self, key: str, value: Any, allowed: str, source: str | None = None):
        self.key, self.value, self.allowed, self.source = key, value, allowed, source
        where = f" (in {source})" if source else ""
        super().__init__(f"{key} = {value!r}: {allowed}{where}")


class _Checker:
    """The checks across the config: references between groups, sums and dates. Ranges and
    vocabularies are declared on the schema's fields and checked by ``check_tree``."""

    def __init__(self, cfg: Any, sources: Mapping[str, str]):
        self.cfg = cfg
        self.sources = sources

    def fail(self, key: str, value: Any, allowed: str) -> None:
        raise ConfigError(key, _plain(value), allowed, self.source(key))

    def source(self, key: str) -> str | None:
        """The most specific known source of ``key``: an override of it or a parent, or a file."""
        parts = key.split(".")
        for i in range(len(parts), 0, -1):
            found = self.sources.get(".".join(parts[:i]))
            if found:
                return found
        return None

    # -- primitives -----------------------------------------------------------------------
    def choice(self, key: str, v: Any, allowed: Iterable[str]) -> None:
        """``v`` names one of ``allowed`` (facilities, services, episode types of this config)."""
        allowed = list(allowed)
        if v not in allowed:
            self.fail(key, v, unknown(allowed))

    def distribution(self, key: str, shares: Mapping[str, float], allowed: Iterable[str]) -> None:
        """Probabilities over named options (each in [0, 1] by the schema): known names, sum 1."""
        allowed = list(allowed)
        for name in shares:
            self.choice(f"{key}.{name}", name, allowed)
        total = sum(shares.values())
        if abs(total - 1.0) > SUM_TOL:
            self.fail(key, dict(shares), f"probabilities must sum to 1 (they sum to {total:.6g})")

    def date(self, key: str, v: Any) -> dt.date:
        try:
            return dt.date.fromisoformat(str(v))
        except ValueError:
            self.fail(key, v, "must be an ISO date YYYY-MM-DD")
            raise  # unreachable

    def plausible_date(self, key: str, v: Any) -> None:
        """A calendar date within 20 years of the run's start (catches typos such as 2205).

        Dates before the run apply from its start; dates after it are simply not reached, so a
        shortened run of a long timeline still validates."""
        start = self.date("run.start_date", self.cfg.run.start_date)
        d = self.date(key, v)
        first, last = start.replace(year=start.year - 20), start.replace(year=start.year + 20)
        if not first <= d <= last:
            self.fail(key, v, f"must be a date within 20 years of run.start_date "
                      f"({first} to {last})")

    def outpatient_hospitals(self) -> list[str]:
        """Facilities that can take referrals and bypassing patients: hospitals with outpatients."""
        return [k for k, f in self.cfg.network.facilities.items()
                if f.kind in ("hospital", "external") and "outpatient" in f.services]

    # -- groups ---------------------------------------------------------------------------
    def network(self) -> None:
        n = self.cfg.network
        hospitals = self.outpatient_hospitals()
        lead = None
        for fid, f in n.facilities.items():
            key = f"network.facilities.{fid}"
            if f.role == "lead":
                if lead is not None:
                    self.fail(f"{key}.role", f.role, f"at most one lead per network; {lead} is "
                              "already (the lead hospital takes time-critical ambulance cases, "
                              "remote readings and teleconsultations by default)")
                lead = fid
            if f.opens is not None:
                self.plausible_date(f"{key}.opens", f.opens)
            for sid, s in f.services.items():
                for i, step in enumerate(s.schedule):
                    self.plausible_date(f"{key}.services.{sid}.schedule[{i}].date", step.date)
            if f.refer_to:
                self.distribution(f"{key}.refer_to", f.refer_to, hospitals)
            elif f.kind in PRIMARY_KINDS and not n.default_refer_to:
                self.fail(f"{key}.refer_to", {}, "a primary facility needs up-referral "
                          "destinations (or set network.default_refer_to)")
        if n.default_refer_to:
            self.distribution("network.default_refer_to", n.default_refer_to, hospitals)
        if n.hospital_choice:
            self.distribution("network.hospital_choice", n.hospital_choice, hospitals)

    def population(self) -> None:
        p = self.cfg.population
        fac = self.cfg.network.facilities
        self.distribution("population.age_shares", p.age_shares, AGE_BANDS)
        primary = [k for k, f in fac.items() if f.kind in PRIMARY_KINDS]
        hospitals = self.outpatient_hospitals()
        for cid, c in p.catchments.items():
            key = f"population.catchments.{cid}"
            if c.primary:
                self.distribution(f"{key}.primary", c.primary, primary)
            if c.hospital_choice:
                self.distribution(f"{key}.hospital_choice", c.hospital_choice, hospitals)
        if sum(c.residents for c in p.catchments.values()) <= 0:
            self.fail("population.catchments", "0 residents", "demand needs residents: "
                      "at least one catchment must have residents > 0")

    def demand(self) -> None:
        d = self.cfg.demand
        p = self.cfg.population
        n = self.cfg.network
        for i, h in enumerate(d.calendar.holidays):
            key = f"demand.calendar.holidays[{i}]"
            if self.date(f"{key}.end", h.end) < self.date(f"{key}.start", h.start):
                self.fail(f"{key}.end", h.end, f"must not be before start {h.start}")
        nodes = [f"{fid}.{sid}" for fid, f in n.facilities.items() for sid in f.services]
        for name, e in d.episodes.items():
            key = f"demand.episodes.{name}"
            self.choice(f"{key}.profile", e.profile, d.profiles)
            if e.schedule and e.pathway == "checkup":
                have = sorted({sid for f in n.facilities.values()
                               if f.kind in PRIMARY_KINDS for sid in f.services})
                self.choice(f"{key}.service", e.service, have)
            if e.pathway == "route":
                self._route(f"{key}.route", e.route, nodes)
            if e.base == "chronic" and not p.chronic_prevalence:
                self.fail(f"{key}.base", e.base, "needs population.chronic_prevalence")
        uses_care = any(e.pathway in ("care", "refill", "emergency") for e in d.episodes.values())
        if uses_care and not n.hospital_choice and any(
                not c.hospital_choice for c in p.catchments.values()):
            self.fail("network.hospital_choice", {}, "care pathways need hospital choices "
                      "(network.hospital_choice or each catchment's hospital_choice)")

    def _route(self, key: str, route: Mapping[str, Mapping[str, float]], nodes: list) -> None:
        if "entry" not in route:
            self.fail(f"{key}.entry", None, "a route needs an 'entry' row")
        for src, row in route.items():
            self.choice(f"{key}", src, ["entry"] + nodes)
            self.distribution(f"{key}.{src}", row, nodes + ["exit"])

    def _service_of(self, key: str, fid: str, service: str) -> None:
        """``fid`` (or, if empty, the lead hospital) names a facility that has ``service``."""
        fac = self.cfg.network.facilities
        have = [k for k, f in fac.items() if service in f.services]
        lead = next((k for k, f in fac.items() if f.role == "lead"), None)
        if not fid and lead not in have:
            self.fail(key, fid, f"empty means the lead hospital ({lead}), which has no "
                      f"{service} service; name one of: {', '.join(have) or '(none)'}")
        if fid:
            self.choice(key, fid, have)

    def _located(self, key: str, kinds: tuple) -> None:
        """Every facility of ``kinds`` and every catchment has a location (needed by ``key``)."""
        for fid, f in self.cfg.network.facilities.items():
            if f.kind in kinds and (f.location is None or len(f.location) != 2):
                self.fail(f"network.facilities.{fid}.location", f.location,
                          f"[x, y] km needed by {key}")
        for cid, c in self.cfg.population.catchments.items():
            if c.location is None or len(c.location) != 2:
                self.fail(f"population.catchments.{cid}.location", c.location,
                          f"[x, y] km needed by {key}")

    def design(self) -> None:
        """A Latin-hypercube design: numeric keys that exist, low < high, a point inside it."""
        from omegaconf import OmegaConf
        d = self.cfg.design
        if d.n > 0:
            allowed = Range(0, d.n - 1).problem(d.point, int)
            if allowed:
                self.fail("design.point", d.point, allowed)
            if not d.ranges:
                self.fail("design.ranges", {}, "a design with n > 0 needs at least one key")
        missing = object()
        for key, rng in d.ranges.items():
            rkey = f"design.ranges.{key}"
            if key.split(".")[0] == "design":
                self.fail(rkey, _plain(rng), "a design cannot vary its own settings")
            current = OmegaConf.select(self.cfg, key, default=missing)
            if current is missing or isinstance(current, bool) \
                    or not isinstance(current, (int, float)):
                what = "does not exist" if current is missing else f"is {_plain(current)!r}"
                self.fail(rkey, _plain(rng), f"the key {what}; a range needs an existing "
                          "numeric config key, e.g. policy.adherence")
            rng = _plain(rng)
            if not (isinstance(rng, list) and len(rng) == 2
                    and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                            and math.isfinite(x) for x in rng) and rng[0] < rng[1]):
                self.fail(rkey, rng, "must be [low, high], finite numbers with low < high")

    def policy(self) -> None:
        pol = self.cfg.policy
        for etype in pol.bypass:
            self.choice(f"policy.bypass.{etype}", etype, self.cfg.demand.episodes)
        rd = pol.remote_diagnosis
        if rd.enabled:
            self._service_of("policy.remote_diagnosis.reader", rd.reader, "reading")
        tc = pol.teleconsult
        if tc.enabled:
            self._service_of("policy.teleconsult.provider", tc.provider, "teleconsult")
        scheduled = [n for n, e in self.cfg.demand.episodes.items() if e.schedule]
        for etype in pol.chronic_management.attendance:
            self.choice(f"policy.chronic_management.attendance.{etype}", etype, scheduled)
        if pol.ambulance.enabled:
            self._ambulance()

    def _ambulance(self) -> None:
        """Ambulances need stations of kind ems with a number of vehicles, and locations."""
        fac = self.cfg.network.facilities
        ems = [k for k, f in fac.items() if f.kind == "ems" and "ambulances" in f.services]
        if not ems:
            self.fail("policy.ambulance.enabled", True, "needs network facilities of kind ems "
                      "with an ambulances service")
        for fid in ems:
            servers = fac[fid].services["ambulances"].servers
            if servers is None:
                self.fail(f"network.facilities.{fid}.services.ambulances.servers", None,
                          "the number of vehicles must be set")
        self._located("policy.ambulance", ("ems", "hospital"))


def _no_foreign_targets(c: "_Checker", cfg: Any) -> None:
    """Configs cannot run arbitrary code: a ``_target_`` may only name something in ``sim``."""
    from omegaconf import OmegaConf
    stack = [("", OmegaConf.to_container(cfg, resolve=False) if OmegaConf.is_config(cfg)
              else cfg)]
    while stack:
        path, node = stack.pop()
        items = node.items() if isinstance(node, dict) else \
            enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            sub = f"{path}[{key}]" if isinstance(node, list) else (f"{path}.{key}" if path
                                                                    else str(key))
            if key == "_target_" and not (isinstance(value, str)
                                          and value.split(".")[0] == "sim"):
                c.fail(sub, value, "only classes and functions of the sim package may be "
                       "instantiated from a config")
            stack.append((sub, value))


def _target_years(c: "_Checker") -> None:
    """A target's year lies within 20 years of the measured period (typos such as 2207)."""
    r = c.cfg.run
    start = c.date("run.start_date", r.start_date)
    end = measured_period(r)[1]
    for tid, t in c.cfg.targets.targets.items():
        if t.year is not None and not start.year - 20 <= t.year <= end.year + 20:
            c.fail(f"targets.targets.{tid}.year", t.year, f"must be a calendar year within 20 "
                   f"years of the measured period, {start.year - 20} to {end.year + 20} (or null "
                   "for the whole period); a year outside the run is scored 'not measured'")


def _plain(v: Any) -> Any:
    from omegaconf import OmegaConf
    return OmegaConf.to_container(v) if OmegaConf.is_config(v) else v


def validate(cfg: Any, sources: Mapping[str, str] | None = None) -> None:
    """Raise ``ConfigError`` on the first value that makes no sense.

    ``sources`` maps a group or a dotted key to where it was set (a file, an override)."""
    c = _Checker(cfg, sources or {})
    check_tree(cfg, Config, "", c.fail)
    c.date("run.start_date", cfg.run.start_date)
    c.network()
    c.population()
    c.demand()
    c.policy()
    c.design()
    _target_years(c)
    _no_foreign_targets(c, cfg)
