"""Simulated time: minutes since the start of the warm-up; dates convert here and only here."""
from __future__ import annotations

import datetime as dt
from typing import Any

DAY = 1440.0
UNITS = {"min": 1.0, "hour": 60.0, "day": DAY}     # minutes per unit of a configured duration


def measured_period(run: Any) -> tuple[dt.date, dt.date]:
    """First and last day of the measured period of a ``run`` config section (or mapping):
    ``start_date`` and ``horizon_days - 1`` days later; the warm-up precedes it."""
    start = dt.date.fromisoformat(str(run["start_date"]))
    return start, start + dt.timedelta(days=int(run["horizon_days"]) - 1)


def single_year(cfg: Any) -> int | None:
    """The calendar year of a config's measured period, if it lies within one."""
    start, end = measured_period(cfg.run)
    return start.year if start.year == end.year else None


class Clock:
    """Maps ISO dates to simulated minutes; day 0 of the measured period is ``start_date``."""

    def __init__(self, start_date: str, warmup_days: int, horizon_days: int):
        self.start = dt.date.fromisoformat(str(start_date))
        self.warmup_days = warmup_days
        self.horizon_days = horizon_days
        self.days = warmup_days + horizon_days
        self.warmup = warmup_days * DAY
        self.end = self.days * DAY
        self.first_date = self.start - dt.timedelta(days=warmup_days)
        first = self.first_date.weekday()
        self._weekday = [(first + d) % 7 for d in range(self.days + 1)]

    def minutes(self, date: str) -> float:
        """Simulated time at the start of ``date``."""
        return (dt.date.fromisoformat(str(date)) - self.first_date).days * DAY

    def date(self, day: int) -> dt.date:
        """Calendar date of simulated day ``day`` (day 0 is the first warm-up day)."""
        return self.first_date + dt.timedelta(days=day)

    def weekday(self, day: int) -> int:
        """0 = Monday."""
        return self._weekday[day] if 0 <= day <= self.days else self.date(day).weekday()
