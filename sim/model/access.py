"""Geographic access: the share of residents within the health circle (15分钟医疗圈) of a primary
facility, by deterministic quadrature over each catchment's disc (no random stream is touched)."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from sim.config.schema import PRIMARY_KINDS
from sim.domain.clock import DAY

POINTS = 4096                      # sunflower points per disc: area error ~1e-3 at a boundary
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


def disc_points(n: int = POINTS) -> np.ndarray:
    """``n`` points spread evenly over the unit disc (Vogel's sunflower spiral): each stands for
    an equal area, so the share of points inside a region estimates the share of the disc's area."""
    i = np.arange(n)
    r = np.sqrt((i + 0.5) / n)
    theta = i * GOLDEN_ANGLE
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


def circle_share(catchments: Sequence[tuple[Sequence[float], float, float]],
                 sites: Sequence[Sequence[float]], reach_km: float,
                 n: int = POINTS) -> float:
    """Residents' share within ``reach_km`` of any site; ``catchments`` are (location, radius km,
    residents) with residents uniform over the disc; NaN without residents."""
    unit = disc_points(n)
    sites_a = np.asarray(sites, dtype=float).reshape(-1, 2)
    covered = total = 0.0
    for loc, radius, residents in catchments:
        if residents <= 0:
            continue
        total += residents
        if not len(sites_a):
            continue
        pts = np.asarray(loc, dtype=float) + radius * unit
        d2 = ((pts[:, None, :] - sites_a[None, :, :]) ** 2).sum(axis=2)
        covered += residents * np.mean(d2.min(axis=1) <= reach_km ** 2)
    return covered / total if total else math.nan


def health_circle(model: Any, last_day: int) -> float:
    """Residents' share within ``access.circle_minutes`` at ``access.circle_speed_kmh`` of a
    primary facility (centre, station, village) open on day ``last_day - 1``; NaN when a
    catchment or such a facility has no location."""
    access = model.cfg.access
    reach = access.circle_minutes / 60.0 * access.circle_speed_kmh
    day_start = (last_day - 1) * DAY
    sites = []
    for f in model.network.facilities.values():
        if f.kind in PRIMARY_KINDS and f.opens_at <= day_start:
            if f.location is None:
                return math.nan
            sites.append(f.location)
    if any(c.location is None for c in model.catchments):
        return math.nan
    return circle_share([(c.location, c.radius, c.residents) for c in model.catchments],
                        sites, reach)
