"""Pre-hospital emergency care (院前急救): ambulance stations, vehicles and response times.

A call comes from a random point of the patient's catchment. The nearest station with a free
vehicle is dispatched; if every vehicle is out, the call waits for the nearest station's next
free one. Response = wait for a vehicle + dispatch + travel. The vehicle then treats on scene,
conveys the patient to the hospital, hands over and drives back before it is free again.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Generator

from sim.engine.streams import Streams
from sim.model.network import distance

if TYPE_CHECKING:
    from sim.model.network import Facility, Network, Service
    from sim.model.population import Catchment


class Fleet:
    """The ``ambulances`` services of ``kind: ems`` facilities, dispatched by distance."""

    def __init__(self, cfg: Any, network: "Network", streams: Streams):
        self.env = network.env
        self.stations: list["Service"] = [f.services["ambulances"]
                                          for f in network.facilities.values()
                                          if f.kind == "ems" and "ambulances" in f.services]
        self.minutes_per_km = cfg.road_factor * 60.0 / cfg.speed_kmh
        self.dispatch = streams.sampler("ambulance:dispatch", cfg.dispatch)
        self.on_scene = streams.sampler("ambulance:on_scene", cfg.on_scene)
        self.handover = streams.sampler("ambulance:handover", cfg.handover)
        self._u = streams.uniforms("ambulance:location")
        self._order: dict[int, list] = {}

    def call_location(self, c: "Catchment") -> tuple[float, float]:
        """A uniform point of the catchment's disc."""
        r = c.radius * math.sqrt(self._u.next())
        a = 2.0 * math.pi * self._u.next()
        return c.location[0] + r * math.cos(a), c.location[1] + r * math.sin(a)

    def nearest_first(self, c: "Catchment") -> list["Service"]:
        order = self._order.get(c.idx)
        if order is None:
            order = sorted(self.stations, key=lambda s: distance(s.facility.location, c.location))
            self._order[c.idx] = order
        return order

    def respond(self, c: "Catchment", hospital: "Facility") -> Generator:
        """The call's journey until hand-over at ``hospital``; returns (station, response min)."""
        env = self.env
        t = env.now
        scene = self.call_location(c)
        order = self.nearest_first(c)
        station = next((s for s in order if s.pool.busy < s.pool.capacity), None)
        if station is None:
            station = order[0]
        req = station.pool.acquire(0)
        if req is not None:
            yield req
        base = station.facility.location
        travel = distance(base, scene) * self.minutes_per_km
        yield env.delay(self.dispatch.next() + travel)
        response = env.now - t
        convey = distance(scene, hospital.location) * self.minutes_per_km
        yield env.delay(self.on_scene.next() + convey)
        back = self.handover.next() + distance(hospital.location, base) * self.minutes_per_km
        env.timeout(back).callbacks.append(lambda _: station.pool.release())
        return station, response
