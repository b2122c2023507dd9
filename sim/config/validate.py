"""Semantic validation: checks meaning (ranges, sums, references, dates) before anything runs.

Hydra and the dataclass schema already refuse unknown keys and wrong types; this pass refuses
values that are well-typed but impossible, with one line naming key, value, what is allowed and
the config file it came from.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Iterable, Mapping

from sim.config.schema import (AGE_BANDS, COMPARISONS, EPISODE_BASES, FACILITY_KINDS,
                               GATEKEEPING_MODES, LANGS, OBSERVED_SCOPES, OBSERVED_TAGS, PATHWAYS,
                               PAYMENT_SCHEMES, PRIMARY_KINDS, ROLES, TARGET_SOURCES, TARGET_TYPES,
                               TIERS, session_servers_of)
from sim.engine.dists import DISTS, UNITS
from sim.engine.loop import ENGINES

SUM_TOL = 1e-6


class ConfigError(ValueError):
    """A config value that cannot be simulated; ``str()`` is the one-line user message."""

    def __init__(self, key: str, value: Any, allowed: str, source: str | None = None):
        self.key, self.value, self.allowed, self.source = key, value, allowed, source
        where = f" (in {source})" if source else ""
        super().__init__(f"{key} = {value!r}: {allowed}{where}")


class _Checker:
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
    def number(self, key: str, v: Any, lo: float = -math.inf, hi: float = math.inf,
               lo_open: bool = False, integer: bool = False) -> None:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        ok = ok and (v > lo if lo_open else v >= lo) and v <= hi
        ok = ok and (not integer or float(v).is_integer())
        if not ok:
            lo_s = f"> {lo}" if lo_open else f">= {lo}"
            rng = lo_s if hi == math.inf else f"{lo_s} and <= {hi}"
            self.fail(key, v, f"must be a finite {'integer' if integer else 'number'} {rng}")

    def prob(self, key: str, v: Any) -> None:
        self.number(key, v, 0.0, 1.0)

    def choice(self, key: str, v: Any, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        if v not in allowed:
            self.fail(key, v, f"unknown; allowed: {', '.join(allowed) or '(none defined)'}")

    def distribution(self, key: str, shares: Mapping[str, float], allowed: Iterable[str]) -> None:
        """Probabilities over named options: known names, each in [0, 1], summing to 1."""
        allowed = list(allowed)
        for name, p in shares.items():
            self.choice(f"{key}.{name}", name, allowed)
            self.prob(f"{key}.{name}", p)
        total = sum(shares.values())
        if abs(total - 1.0) > SUM_TOL:
            self.fail(key, dict(shares), f"probabilities must sum to 1 (they sum to {total:.6g})")

    def date(self, key: str, v: Any) -> dt.date:
        try:
            return dt.date.fromisoformat(str(v))
        except ValueError:
            self.fail(key, v, "must be an ISO date YYYY-MM-DD")
            raise  # unreachable

    def dist(self, key: str, d: Any) -> None:
        self.choice(f"{key}.dist", d.dist, DISTS)
        self.choice(f"{key}.unit", d.unit, UNITS)
        if d.dist == "empirical":
            if not d.values:
                self.fail(f"{key}.values", d.values, "an empirical distribution needs values")
            for i, x in enumerate(d.values):
                self.number(f"{key}.values[{i}]", x, 0.0)
            return
        if d.mean is None:
            self.fail(f"{key}.mean", None, f"a {d.dist} distribution needs a mean")
        self.number(f"{key}.mean", d.mean, 0.0, lo_open=d.dist != "deterministic")
        if d.dist in ("lognormal", "gamma"):
            if d.cv is None:
                self.fail(f"{key}.cv", None, f"a {d.dist} distribution needs a cv")
            self.number(f"{key}.cv", d.cv, 0.0, lo_open=True)

    def hours(self, key: str, h: Any, allow_empty: bool) -> None:
        if h is None or (allow_empty and len(h) == 0):
            return
        if len(h) != 2 or not (0 <= h[0] < h[1] <= 24):
            self.fail(key, h, "must be [open, close] with 0 <= open < close <= 24")

    # -- groups ---------------------------------------------------------------------------
    def run(self) -> None:
        r = self.cfg.run
        self.number("run.replications", r.replications, 1, integer=True)
        self.number("run.workers", r.workers, 0, integer=True)
        self.number("run.warmup_days", r.warmup_days, 0, integer=True)
        self.number("run.horizon_days", r.horizon_days, 1, integer=True)
        self.date("run.start_date", r.start_date)
        self.choice("run.engine", r.engine, ENGINES)

    def report(self) -> None:
        r = self.cfg.report
        self.choice("report.lang", r.lang, LANGS)

    def access(self) -> None:
        a = self.cfg.access
        self.number("access.circle_minutes", a.circle_minutes, 0.0, lo_open=True)
        self.number("access.circle_speed_kmh", a.circle_speed_kmh, 0.0, lo_open=True)

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

    def network(self) -> None:
        n = self.cfg.network
        fac = n.facilities
        if not fac:
            self.fail("network.facilities", {}, "the network needs at least one facility")
        hospitals = self.outpatient_hospitals()
        lead = None
        for fid, f in fac.items():
            key = f"network.facilities.{fid}"
            self.choice(f"{key}.kind", f.kind, FACILITY_KINDS)
            self.choice(f"{key}.role", f.role, ROLES)
            if f.role == "lead":
                if lead is not None:
                    self.fail(f"{key}.role", f.role, f"at most one lead per network; {lead} is "
                              "already (the lead hospital takes time-critical ambulance cases, "
                              "remote readings and teleconsultations by default)")
                lead = fid
            if f.opens is not None:
                self.plausible_date(f"{key}.opens", f.opens)
            if f.physicians is not None:
                self.number(f"{key}.physicians", f.physicians, 0, integer=True)
            for sid, s in f.services.items():
                skey = f"{key}.services.{sid}"
                if s.servers is not None:
                    self.number(f"{skey}.servers", s.servers, 0, integer=True)
                if s.in_session is not None:
                    self._in_session(key, skey, f, s)
                self.dist(f"{skey}.service_time", s.service_time)
                self.hours(f"{skey}.hours", s.hours, allow_empty=False)
                self.hours(f"{skey}.weekend_hours", s.weekend_hours, allow_empty=True)
                for i, step in enumerate(s.schedule):
                    self.plausible_date(f"{skey}.schedule[{i}].date", step.date)
                    self.number(f"{skey}.schedule[{i}].servers", step.servers, 0, integer=True)
            if f.refer_to:
                self.distribution(f"{key}.refer_to", f.refer_to, hospitals)
            elif f.kind in PRIMARY_KINDS and not n.default_refer_to:
                self.fail(f"{key}.refer_to", {}, "a primary facility needs up-referral "
                          "destinations (or set network.default_refer_to)")
        if n.default_refer_to:
            self.distribution("network.default_refer_to", n.default_refer_to, hospitals)
        if n.hospital_choice:
            self.distribution("network.hospital_choice", n.hospital_choice, hospitals)
        for fld in ("gps_per_10k", "beds_per_1000"):
            if n.staffing[fld] is not None:
                self.number(f"network.staffing.{fld}", n.staffing[fld], 0.0, lo_open=True)

    def _in_session(self, key: str, skey: str, f: Any, s: Any) -> None:
        """Servers from physicians in session: a share, of a facility with a headcount, given
        instead of ``servers``."""
        self.prob(f"{skey}.in_session", s.in_session)
        if f.physicians is None:
            self.fail(f"{key}.physicians", None, f"{skey}.in_session needs the facility's "
                      "physicians (headcount)")
        derived = session_servers_of(f.physicians or 0, s.in_session)
        if s.servers is not None and s.servers != derived:   # derive() writes the derived value
            self.fail(f"{skey}.servers", s.servers, "give servers or in_session, not both")

    def population(self) -> None:
        p = self.cfg.population
        fac = self.cfg.network.facilities
        self.number("population.scale", p.scale, 0.0, 1.0, lo_open=True)
        self.distribution("population.age_shares", p.age_shares, AGE_BANDS)
        for band, s in p.signed_share.items():
            self.choice(f"population.signed_share.{band}", band, AGE_BANDS)
            self.prob(f"population.signed_share.{band}", s)
        for cond, by_band in p.chronic_prevalence.items():
            for band, s in by_band.items():
                key = f"population.chronic_prevalence.{cond}.{band}"
                self.choice(key, band, AGE_BANDS)
                self.prob(key, s)
        if not p.catchments:
            self.fail("population.catchments", {}, "the population needs at least one catchment")
        primary = [k for k, f in fac.items() if f.kind in PRIMARY_KINDS]
        hospitals = self.outpatient_hospitals()
        for cid, c in p.catchments.items():
            key = f"population.catchments.{cid}"
            self.number(f"{key}.residents", c.residents, 0, integer=True)
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
        for name, prof in d.profiles.items():
            key = f"demand.profiles.{name}"
            for field_, size in (("hourly", 24), ("weekly", 7)):
                vals = list(getattr(prof, field_))
                if len(vals) != size or any(not math.isfinite(v) or v < 0 for v in vals) \
                        or sum(vals) <= 0:
                    self.fail(f"{key}.{field_}", vals,
                              f"must be {size} non-negative numbers with a positive sum")
        self.dist("demand.followup_delay", d.followup_delay)
        self.dist("demand.return_delay", d.return_delay)
        self._calendar(d.calendar)
        self.number("demand.rate_scale", d.rate_scale, 0.0)
        nodes = [f"{fid}.{sid}" for fid, f in n.facilities.items() for sid in f.services]
        for name, e in d.episodes.items():
            key = f"demand.episodes.{name}"
            self.choice(f"{key}.base", e.base, EPISODE_BASES)
            self.choice(f"{key}.profile", e.profile, d.profiles)
            self.choice(f"{key}.pathway", e.pathway, PATHWAYS)
            for band, r in e.rate.items():
                self.choice(f"{key}.rate.{band}", band, AGE_BANDS)
                self.number(f"{key}.rate.{band}", r, 0.0)
            for fld in ("p_refer_up", "p_admit", "p_down_eligible", "p_exam", "p_diagnosis_only",
                        "p_beyond_group", "p_ambulance", "p_time_critical", "p_return"):
                self.prob(f"{key}.{fld}", getattr(e, fld))
            self._schedule(key, e)
            if e.pathway == "route":
                self._route(f"{key}.route", e.route, nodes)
            if e.base == "chronic" and not p.chronic_prevalence:
                self.fail(f"{key}.base", e.base, "needs population.chronic_prevalence")
        uses_care = any(e.pathway in ("care", "refill", "emergency") for e in d.episodes.values())
        if uses_care and not n.hospital_choice and any(
                not c.hospital_choice for c in p.catchments.values()):
            self.fail("network.hospital_choice", {}, "care pathways need hospital choices "
                      "(network.hospital_choice or each catchment's hospital_choice)")

    def _calendar(self, cal: Any) -> None:
        """Twelve positive monthly factors; holidays with ordered dates and a factor ≥ 0."""
        vals = list(cal.monthly)
        if len(vals) != 12 or any(not math.isfinite(v) or v <= 0 for v in vals):
            self.fail("demand.calendar.monthly", vals, "must be 12 positive numbers (Jan-Dec)")
        for i, h in enumerate(cal.holidays):
            key = f"demand.calendar.holidays[{i}]"
            if self.date(f"{key}.end", h.end) < self.date(f"{key}.start", h.start):
                self.fail(f"{key}.end", h.end, f"must not be before start {h.start}")
            self.number(f"{key}.factor", h.factor, 0.0)

    def _route(self, key: str, route: Mapping[str, Mapping[str, float]], nodes: list) -> None:
        if "entry" not in route:
            self.fail(f"{key}.entry", None, "a route needs an 'entry' row")
        for src, row in route.items():
            self.choice(f"{key}", src, ["entry"] + nodes)
            self.distribution(f"{key}.{src}", row, nodes + ["exit"])

    def _schedule(self, key: str, e: Any) -> None:
        self.number(f"{key}.schedule", e.schedule, 0, 365, integer=True)
        if e.max_wait is not None:
            self.number(f"{key}.max_wait", e.max_wait, 0.0, lo_open=True)
        if not e.schedule:
            return
        if e.base not in ("chronic", "elderly"):
            self.fail(f"{key}.base", e.base, "a scheduled type needs base chronic or elderly")
        if e.pathway == "checkup":
            have = sorted({sid for f in self.cfg.network.facilities.values()
                           if f.kind in PRIMARY_KINDS for sid in f.services})
            self.choice(f"{key}.service", e.service, have)
        self._attendance(f"{key}.attendance", e.attendance)
        self.number(f"{key}.attendance_spread", e.attendance_spread, 0.0, lo_open=True)

    def _attendance(self, key: str, att: Mapping[str, float]) -> None:
        for group, p in att.items():
            self.choice(f"{key}.{group}", group, ("signed", "unsigned"))
            self.prob(f"{key}.{group}", p)

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
            self.number(f"population.catchments.{cid}.radius", c.radius, 0.0)

    def design(self) -> None:
        """A Latin-hypercube design: numeric keys that exist, low < high, a point inside it."""
        from omegaconf import OmegaConf
        d = self.cfg.design
        self.number("design.n", d.n, 0, integer=True)
        self.number("design.seed", d.seed, 0, integer=True)
        if d.n > 0:
            self.number("design.point", d.point, 0, d.n - 1, integer=True)
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

    def calibration(self) -> None:
        """Observed values to fit: finite and non-zero (the objective's errors are relative)."""
        for kpi, v in self.cfg.calibration.observed.items():
            self.number(f"calibration.observed.{kpi}", v)
            if v == 0:
                self.fail(f"calibration.observed.{kpi}", v, "must be non-zero: the objective "
                          "divides by it")

    def policy(self) -> None:
        pol = self.cfg.policy
        for fld in ("adherence", "followup_signed", "followup_unsigned", "formal_referral"):
            self.prob(f"policy.{fld}", getattr(pol, fld))
        for fld in ("refer_up_scale", "refer_out_scale"):
            self.number(f"policy.{fld}", getattr(pol, fld), 0.0)
        for etype, b in pol.bypass.items():
            self.choice(f"policy.bypass.{etype}", etype, self.cfg.demand.episodes)
            self.prob(f"policy.bypass.{etype}", b)
        self.choice("policy.gatekeeping.mode", pol.gatekeeping.mode, GATEKEEPING_MODES)
        self.number("policy.gatekeeping.surcharge", pol.gatekeeping.surcharge, 0.0)
        sl = pol.slots
        self.number("policy.slots.per_server", sl.per_server, 0.0, lo_open=True)
        self.prob("policy.slots.reserved_share", sl.reserved_share)
        self.number("policy.slots.release_days", sl.release_days, 0.0)
        self.prob("policy.slots.no_show", sl.no_show)
        self.number("policy.slots.max_days", sl.max_days, 1, integer=True)
        rd = pol.remote_diagnosis
        self.dist("policy.remote_diagnosis.turnaround", rd.turnaround)
        if rd.enabled:
            self._service_of("policy.remote_diagnosis.reader", rd.reader, "reading")
        self.prob("policy.mutual_recognition.coverage", pol.mutual_recognition.coverage)
        tc = pol.teleconsult
        self.prob("policy.teleconsult.share", tc.share)
        if tc.enabled:
            self._service_of("policy.teleconsult.provider", tc.provider, "teleconsult")
        dr = pol.down_referral
        self.prob("policy.down_referral.share", dr.share)
        self.dist("policy.down_referral.transfer_delay", dr.transfer_delay)
        self.dist("policy.down_referral.max_bed_wait", dr.max_bed_wait)
        for etype, att in pol.chronic_management.attendance.items():
            key = f"policy.chronic_management.attendance.{etype}"
            self.choice(key, etype, [n for n, e in self.cfg.demand.episodes.items() if e.schedule])
            self._attendance(key, att)
        self._ambulance(pol.ambulance)
        self._payment(pol.payment)
        ch = pol.choice
        for fld in ("beta_time", "beta_wait", "beta_days", "beta_cost"):
            self.number(f"policy.choice.{fld}", getattr(ch, fld), 0.0)
        self.number("policy.choice.hospital_asc", ch.hospital_asc)
        self.number("policy.choice.speed_kmh", ch.speed_kmh, 0.0, lo_open=True)
        self.number("policy.choice.memory_days", ch.memory_days, 1.0)

    def _ambulance(self, amb: Any) -> None:
        self.number("policy.ambulance.speed_kmh", amb.speed_kmh, 0.0, lo_open=True)
        self.number("policy.ambulance.road_factor", amb.road_factor, 1.0)
        for fld in ("dispatch", "on_scene", "handover"):
            self.dist(f"policy.ambulance.{fld}", getattr(amb, fld))
        if not amb.enabled:
            return
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

    def _payment(self, pay: Any) -> None:
        self.choice("policy.payment.scheme", pay.scheme, PAYMENT_SCHEMES)
        for item, c in pay.costs.items():
            self.number(f"policy.payment.costs.{item}", c, 0.0)
        for tier, r in pay.reimbursement.items():
            self.choice(f"policy.payment.reimbursement.{tier}", tier, TIERS)
            self.prob(f"policy.payment.reimbursement.{tier}", r)
        cap = pay.capitation
        for fld in ("per_signed_year", "refer_up_scale", "followup_scale"):
            self.number(f"policy.payment.capitation.{fld}", getattr(cap, fld), 0.0)


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


def _targets(c: "_Checker") -> None:
    r = c.cfg.run
    start = c.date("run.start_date", r.start_date)
    end = start + dt.timedelta(days=r.horizon_days - 1)
    for tid, t in c.cfg.targets.targets.items():
        key = f"targets.targets.{tid}"
        if not t.kpi:
            c.fail(f"{key}.kpi", t.kpi, "a target needs a KPI name")
        c.choice(f"{key}.type", t.type, TARGET_TYPES)
        c.choice(f"{key}.source", t.source, TARGET_SOURCES)
        c.choice(f"{key}.comparison", t.comparison, COMPARISONS)
        if t.threshold is None and t.type in ("maintain", "reach"):
            c.fail(f"{key}.threshold", None, f"a {t.type} target needs a threshold (only raise "
                   "and input targets may leave it null)")
        if t.threshold is not None:
            c.number(f"{key}.threshold", t.threshold)
        if t.year is not None and not start.year - 20 <= t.year <= end.year + 20:
            c.fail(f"{key}.year", t.year, f"must be a calendar year within 20 years of the "
                   f"measured period, {start.year - 20} to {end.year + 20} (or null for the whole "
                   "period); a year outside the run is scored 'not measured'")


def _observed(c: "_Checker") -> None:
    """Each observed figure: a KPI, a band with at least one bound and low <= high, known scope
    and a reliability tag (calibration.md §0)."""
    for fid, f in c.cfg.observed.figures.items():
        key = f"observed.figures.{fid}"
        if not f.kpi:
            c.fail(f"{key}.kpi", f.kpi, "an observed figure needs a KPI name")
        if f.low is None and f.high is None:
            c.fail(f"{key}.low", None, "a band needs at least one of low and high (null = open)")
        for fld in ("low", "high", "value"):
            if f[fld] is not None:
                c.number(f"{key}.{fld}", f[fld])
        if f.low is not None and f.high is not None and f.low > f.high:
            c.fail(f"{key}.high", f.high, f"must be >= low ({f.low})")
        if f.year is not None:
            c.number(f"{key}.year", f.year, 1900, 2100, integer=True)
        c.choice(f"{key}.scope", f.scope, OBSERVED_SCOPES)
        c.choice(f"{key}.tag", f.tag, OBSERVED_TAGS)


def _plain(v: Any) -> Any:
    try:
        from omegaconf import OmegaConf
        if OmegaConf.is_config(v):
            return OmegaConf.to_container(v)
    except ImportError:  # pragma: no cover
        pass
    return v


def validate(cfg: Any, sources: Mapping[str, str] | None = None) -> None:
    """Raise ``ConfigError`` on the first value that makes no sense.

    ``sources`` maps a group or a dotted key to where it was set (a file, an override)."""
    c = _Checker(cfg, sources or {})
    c.run()
    c.report()
    c.access()
    c.network()
    c.population()
    c.demand()
    c.policy()
    c.design()
    c.calibration()
    _targets(c)
    _observed(c)
    _no_foreign_targets(c, cfg)
