"""Derived config values: servers from physicians in session, a Latin-hypercube design point
and planned staffing densities.

``derive(cfg)`` runs after ``validate`` and before the model is built, so ``config.resolved.yaml``
records the values a run actually used. A pure transform of the config: no SimPy, no files.
"""
from __future__ import annotations

import copy
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from omegaconf import DictConfig, OmegaConf
from scipy.stats import qmc

from sim.config.schema import session_servers_of
from sim.config.validate import ConfigError, validate
from sim.domain.clock import measured_period
from sim.domain.staffing import DENSITIES, full_scale_servers

def design_values(design: Any) -> dict[str, float]:
    """``{dotted key: value}`` of point ``design.point`` of the ``design.n``-point Latin hypercube.

    The whole design is drawn (``LatinHypercube(d, seed).random(n)``), so every point of a sweep
    comes from the same design; its columns are the keys of ``design.ranges`` in sorted order."""
    if design.n <= 0:
        return {}
    keys = sorted(design.ranges)
    sample = qmc.LatinHypercube(d=len(keys), seed=design.seed).random(design.n)
    lo = np.array([float(design.ranges[k][0]) for k in keys])
    hi = np.array([float(design.ranges[k][1]) for k in keys])
    row = lo + sample[design.point] * (hi - lo)
    return {k: float(v) for k, v in zip(keys, row)}


def derive(cfg: DictConfig, sources: Mapping[str, str] | None = None) -> DictConfig:
    """The config with sessions, the design point and the planned staffing applied (a copy;
    ``cfg`` is left as it was). Raises ``ConfigError`` when a derived value cannot be simulated."""
    values = design_values(cfg.design)
    staffing = {k: cfg.network.staffing[k] for k in DENSITIES
                if cfg.network.staffing[k] is not None}
    sessions = session_servers(cfg)
    if not values and not staffing and not sessions:
        return cfg
    out = copy.deepcopy(cfg)
    for key, n in sessions.items():
        OmegaConf.update(out, key, n, merge=False)
    for key, v in values.items():
        current = OmegaConf.select(out, key)
        OmegaConf.update(out, key, round(v) if isinstance(current, int) else v, merge=False)
    if values:
        _revalidate(out, values, sources)
    for name, target in staffing.items():
        _staff(out, name, target, sources or {})
    return out


def session_servers(cfg: Any) -> dict[str, int]:
    """``{services key's servers: n}`` for services staffed by ``in_session``: the facility's
    physicians in session there, ``round(physicians × in_session)`` (at least 1 when positive;
    the validator accepts this value beside ``in_session``)."""
    out = {}
    for fid, f in cfg.network.facilities.items():
        for sid, s in f.services.items():
            if s.in_session is not None:
                out[f"network.facilities.{fid}.services.{sid}.servers"] = \
                    session_servers_of(f.physicians, s.in_session)
    return out


def _revalidate(cfg: DictConfig, values: Mapping[str, float],
                sources: Mapping[str, str] | None) -> None:
    """Validate again with the design's values in place, naming the design as their source."""
    point = f"design.ranges, point {cfg.design.point} of {cfg.design.n}"
    try:
        validate(cfg, {**(sources or {}), **{k: point for k in values}})
    except ConfigError as err:
        if err.key in values:
            raise
        # a value derived from a design key (an interpolation of it) is out of range
        raise ConfigError(err.key, err.value, err.allowed, err.source or point) from err


# -- staffing -----------------------------------------------------------------------------

@dataclass
class _Service:
    """One staffed service: where its base servers and schedule steps are, and its value on the
    day the density is measured (0 when its facility is not open by then)."""
    key: str
    base: int
    steps: list              # [(index, servers)]
    last: int                # full-scale servers in effect on the run's last day


def _last_day(cfg: Any) -> dt.date:
    """The run's last simulated day: the day the density KPIs are measured (start + horizon - 1)."""
    return measured_period(cfg.run)[1]


def _services(cfg: Any, names: tuple[str, ...]) -> list[_Service]:
    """The group's services of ``names`` with a set number of servers, in config order."""
    last = _last_day(cfg)
    out = []
    for fid, f in cfg.network.facilities.items():
        if f.kind == "external":
            continue
        is_open = f.opens is None or dt.date.fromisoformat(str(f.opens)) <= last
        for sid, s in f.services.items():
            if sid not in names or s.servers is None:
                continue
            steps = [(i, int(st.servers)) for i, st in enumerate(s.schedule)]
            in_effect = int(s.servers)
            for date, n in sorted((dt.date.fromisoformat(str(st.date)), int(st.servers))
                                  for st in s.schedule):
                if date <= last:      # as the model's calendar: steps apply in date order
                    in_effect = n
            out.append(_Service(f"network.facilities.{fid}.services.{sid}", int(s.servers),
                                steps, in_effect if is_open else 0))
    return out


def apportion(weights: list[float], total: int, minimum: int = 1) -> list[int]:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder), each at least
    ``minimum`` where its weight is positive and 0 where it is 0; ties go to the earlier entry."""
    w = np.asarray(weights, dtype=float)
    pos = w > 0
    if total < minimum * int(pos.sum()):
        raise ValueError(f"{total} cannot give {minimum} to each of {int(pos.sum())} entries")
    quota = total * w / w.sum() if w.sum() > 0 else np.zeros_like(w)
    n = np.where(pos, np.maximum(np.floor(quota), minimum), 0).astype(int)
    while n.sum() < total:                 # largest remainder gets the next unit
        n[int(np.argmax(np.where(pos, quota - n, -np.inf)))] += 1
    while n.sum() > total:                 # the minimum over-allocated: most over-served gives one
        n[int(np.argmin(np.where(pos & (n > minimum), quota - n, np.inf)))] -= 1
    return [int(x) for x in n]


def _staff(cfg: DictConfig, name: str, target: float, sources: Mapping[str, str]) -> None:
    """Scale the servers counted by ``name`` so the modelled density is ``target`` (to within
    one server, never below it).

    The modelled total is the fewest servers that reach the density, ceil(target × modelled
    residents / unit), residents = catchment residents × population.scale (as the model counts
    them): a plan's density is a floor (its targets are ">="), and rounding to nearest would
    score a plan that staffs to its target as "not met" by a fraction of a bed. The total is
    split over the services in proportion to their servers on the run's last day (largest
    remainder, at least one each: a staffed service keeps a server). Every base and schedule
    value of a service is scaled by its own ratio (rounded, at least 1 where it was positive)
    and written in full-scale units that the model's scaling maps back to the modelled numbers."""
    names, per = DENSITIES[name]
    scale = float(cfg.population.scale)
    residents = sum(c.residents for c in cfg.population.catchments.values()) * scale
    total = math.ceil(target * residents / per - 1e-9)     # 1e-9: an exact product stays put
    services = _services(cfg, names)
    key = f"network.staffing.{name}"
    staffed = [s for s in services if s.last > 0]
    if not staffed:
        raise ConfigError(key, target, f"no open {' or '.join(names)} service with servers to "
                          "scale on the run's last day", sources.get(key))
    try:
        counts = apportion([s.last for s in staffed], total)
    except ValueError:
        need = len(staffed) * per / target / (residents / scale)
        raise ConfigError(key, target, f"gives {total} servers for {residents:,.0f} modelled "
                          f"residents, fewer than the {len(staffed)} staffed services (one "
                          f"each); raise population.scale to at least {need:.3g}",
                          sources.get(key)) from None
    # modelled servers per full-scale server: each staffed service's own (so its value on the
    # last day becomes its apportioned count exactly), the overall one for the others
    overall = total / (sum(s.last for s in staffed) * scale)
    ratio = {s.key: c / (s.last * scale) for s, c in zip(staffed, counts)}
    for s in services:
        r = ratio.get(s.key, overall)
        OmegaConf.update(cfg, f"{s.key}.servers", _rescaled(s.base, r, scale), merge=False)
        schedule = OmegaConf.select(cfg, f"{s.key}.schedule")
        for i, v in s.steps:
            schedule[i].servers = _rescaled(v, r, scale)


def _rescaled(servers: int, ratio: float, scale: float) -> int:
    """Full-scale servers whose modelled number is ``servers × scale × ratio`` rounded (at least
    one where there were servers)."""
    if servers == 0:
        return 0
    return full_scale_servers(max(1, math.floor(servers * scale * ratio + 0.5)), scale)
