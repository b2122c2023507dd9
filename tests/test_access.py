"""The health circle: share of residents within reach of an open primary facility."""
from __future__ import annotations

import math
from types import SimpleNamespace as NS

import numpy as np
import pytest

from sim.domain.clock import DAY
from sim.model.access import circle_share, disc_points, health_circle


def lens_area(r: float, R: float, d: float) -> float:
    """Area of the intersection of circles of radii r and R whose centres are d apart."""
    if d >= r + R:
        return 0.0
    if d <= abs(R - r):
        return math.pi * min(r, R) ** 2
    a = r * r * math.acos((d * d + r * r - R * R) / (2 * d * r))
    b = R * R * math.acos((d * d + R * R - r * r) / (2 * d * R))
    c = 0.5 * math.sqrt((-d + r + R) * (d + r - R) * (d - r + R) * (d + r + R))
    return a + b - c


def test_points_cover_the_unit_disc_evenly():
    p = disc_points()
    r = np.hypot(p[:, 0], p[:, 1])
    assert r.max() < 1.0
    for q in (0.1, 0.3, 0.5, 0.9):             # area within radius sqrt(q) is a share q
        assert abs(np.mean(r <= math.sqrt(q)) - q) < 1e-3
    assert abs(p[:, 0].mean()) < 1e-3 and abs(p[:, 1].mean()) < 1e-3


@pytest.mark.parametrize("radius, reach, share", [
    (0.5, 1.0, 1.0),                 # the whole catchment inside the circle
    (2.0, 1.0, 0.25),                # circle of half the radius: a quarter of the area
    (1.0, 1 / math.sqrt(2), 0.5),    # half the area
    (1.0, 1.0, 1.0),
])
def test_facility_at_the_centre(radius, reach, share):
    assert circle_share([((3.0, 4.0), radius, 1000.0)], [(3.0, 4.0)], reach) == \
        pytest.approx(share, abs=1e-3)


@pytest.mark.parametrize("d", [0.3, 1.0, 1.7, 2.5])
def test_offset_facility_matches_the_lens_area(d):
    r, reach = 1.5, 1.0
    expected = lens_area(r, reach, d) / (math.pi * r * r)
    assert circle_share([((0.0, 0.0), r, 1.0)], [(d, 0.0)], reach) == \
        pytest.approx(expected, abs=2e-3)


def test_half_covered_by_a_distant_facility():
    """A far facility whose circle's edge passes through a small disc's centre covers half of
    it (up to the edge's curvature over 0.1 km, a 1e-4 share), from either side."""
    west = circle_share([((0.0, 0.0), 0.1, 1.0)], [(-50.0, 0.0)], 50.0)
    north = circle_share([((0.0, 0.0), 0.1, 1.0)], [(0.0, 50.0)], 50.0)
    assert west == pytest.approx(0.5, abs=2e-3) and north == pytest.approx(0.5, abs=2e-3)


def test_catchments_are_weighted_by_residents():
    catchments = [((0.0, 0.0), 1.0, 3000.0), ((20.0, 0.0), 1.0, 1000.0)]
    assert circle_share(catchments, [(0.0, 0.0)], 2.0) == pytest.approx(0.75)
    assert circle_share(catchments, [], 2.0) == 0.0
    assert math.isnan(circle_share([((0.0, 0.0), 1.0, 0.0)], [(0.0, 0.0)], 2.0))


def _model(facilities, catchments, minutes=15.0, speed=4.0):
    return NS(cfg=NS(access=NS(circle_minutes=minutes, circle_speed_kmh=speed)),
              network=NS(facilities={str(i): f for i, f in enumerate(facilities)}),
              catchments=catchments)


def test_only_primary_facilities_open_on_the_last_day_count():
    catchment = NS(location=(0.0, 0.0), radius=0.5, residents=100.0)
    station_later = NS(kind="station", opens_at=10 * DAY, location=(0.0, 0.0))
    hospital = NS(kind="hospital", opens_at=0.0, location=(0.0, 0.0))
    m = _model([station_later, hospital], [catchment])
    assert health_circle(m, last_day=10) == 0.0          # the station opens the day after
    assert health_circle(m, last_day=11) == 1.0          # open on the last day
    # 15 minutes at 4 km/h = 1 km; at 1 km/h = 0.25 km, half the 0.5 km disc's radius
    slow = _model([station_later], [catchment], speed=1.0)
    assert health_circle(slow, last_day=11) == pytest.approx(0.25, abs=1e-3)
    unlocated = _model([NS(kind="centre", opens_at=0.0, location=None)], [catchment])
    assert math.isnan(health_circle(unlocated, last_day=1))
