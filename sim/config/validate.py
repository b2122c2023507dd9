"""Semantic validation: checks meaning (ranges, sums, references, dates) before anything runs.

Hydra and the dataclass schema already refuse unknown keys and wrong types; this pass refuses
values that are well-typed but impossible, with one line naming key, value, what is allowed and
the config file it came from.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Iterable, Mapping

from sim.config.schema import AGE_BANDS, EPISODE_BASES, FACILITY_KINDS, PATHWAYS, PRIMARY_KINDS
from sim.engine.dists import DISTS, UNITS

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

    def in_horizon(self, key: str, v: Any) -> None:
        r = self.cfg.run
        start = self.date("run.start_date", r.start_date)
        d = self.date(key, v)
        first = start - dt.timedelta(days=r.warmup_days)
        last = start + dt.timedelta(days=r.horizon_days)
        if not first <= d <= last:
            self.fail(key, v, f"must lie inside the run, {first} to {last}")

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
        for fid, f in fac.items():
            key = f"network.facilities.{fid}"
            self.choice(f"{key}.kind", f.kind, FACILITY_KINDS)
            if f.opens is not None:
                self.in_horizon(f"{key}.opens", f.opens)
            for sid, s in f.services.items():
                skey = f"{key}.services.{sid}"
                if s.servers is not None:
                    self.number(f"{skey}.servers", s.servers, 0, integer=True)
                self.dist(f"{skey}.service_time", s.service_time)
                self.hours(f"{skey}.hours", s.hours, allow_empty=False)
                self.hours(f"{skey}.weekend_hours", s.weekend_hours, allow_empty=True)
                for i, step in enumerate(s.schedule):
                    self.in_horizon(f"{skey}.schedule[{i}].date", step.date)
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
        nodes = [f"{fid}.{sid}" for fid, f in n.facilities.items() for sid in f.services]
        for name, e in d.episodes.items():
            key = f"demand.episodes.{name}"
            self.choice(f"{key}.base", e.base, EPISODE_BASES)
            self.choice(f"{key}.profile", e.profile, d.profiles)
            self.choice(f"{key}.pathway", e.pathway, PATHWAYS)
            for band, r in e.rate.items():
                self.choice(f"{key}.rate.{band}", band, AGE_BANDS)
                self.number(f"{key}.rate.{band}", r, 0.0)
            for fld in ("p_refer_up", "p_admit", "p_down_eligible"):
                self.prob(f"{key}.{fld}", getattr(e, fld))
            if e.pathway == "route":
                self._route(f"{key}.route", e.route, nodes)
            if e.base == "chronic" and not p.chronic_prevalence:
                self.fail(f"{key}.base", e.base, "needs population.chronic_prevalence")
        uses_care = any(e.pathway in ("care", "emergency") for e in d.episodes.values())
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

    def policy(self) -> None:
        pol = self.cfg.policy
        for fld in ("adherence", "down_referral", "followup_signed", "followup_unsigned"):
            self.prob(f"policy.{fld}", getattr(pol, fld))
        self.number("policy.refer_up_scale", pol.refer_up_scale, 0.0)
        for etype, b in pol.bypass.items():
            self.choice(f"policy.bypass.{etype}", etype, self.cfg.demand.episodes)
            self.prob(f"policy.bypass.{etype}", b)
        self.dist("policy.max_bed_wait", pol.max_bed_wait)


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
    c.network()
    c.population()
    c.demand()
    c.policy()
