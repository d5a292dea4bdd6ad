"""Working days in France: weekends and French public holidays (metropolitan) do not count.

Service-level clocks (first response within 5 working days, age of an enquiry) are promises made in working
days; the `holidays` package keeps the list of public holidays, movable feasts included.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("FR", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``day`` (``day`` itself never counts)."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``: 0 on the same day, negative never."""
    if end <= start:
        return 0
    days = 0
    # whole weeks at once keep a years-old enquiry cheap: five weekdays a week, minus the holidays among them
    weeks, rest = divmod((end - start).days, 7)
    days += weeks * 5
    holidays_in_weeks = sum(
        1
        for year in range(start.year, (start + dt.timedelta(days=weeks * 7)).year + 1)
        for holiday in _holidays_of(year)
        if start < holiday <= start + dt.timedelta(days=weeks * 7) and holiday.weekday() < 5
    )
    days -= holidays_in_weeks
    cursor = start + dt.timedelta(days=weeks * 7)
    for _ in range(rest):
        cursor += dt.timedelta(days=1)
        if is_working_day(cursor):
            days += 1
    return days
