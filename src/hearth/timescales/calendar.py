"""Date arithmetic for deadlines: working days, calendar days, weeks, months, terms and hours.

Pure: a `WorkingCalendar` is built from a set of bank holidays (the table, see `selectors`) and
never touches the database. The trigger day is day 0, so one working day after a Friday is the
Monday. A working day is Monday to Friday and not a bank holiday in England.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# Working days are indexed for this range; arithmetic outside it falls back to stepping a day at a
# time (still correct, only slower).
_INDEX_FROM = dt.date(1990, 1, 1)
_INDEX_TO = dt.date(2070, 12, 31)


class NaiveDateTimeError(ValueError):
    """Hour clocks need the time zone: a wall-clock time alone is ambiguous at clock change."""


def add_months(start: dt.date, months: int) -> dt.date:
    """Same day, `months` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last_day))


def add_years(start: dt.date, years: int) -> dt.date:
    """Anniversaries: 29 February falls on 28 February in a common year."""
    return add_months(start, 12 * years)


def add_days(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


def add_weeks(start: dt.date, weeks: int) -> dt.date:
    return start + dt.timedelta(weeks=weeks)


def add_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """Elapsed hours: 72 hours across a clock change is 72 real hours, shown in London time."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise NaiveDateTimeError(
            "Give the time with its time zone (for example 2025-03-29T14:00+00:00)"
        )
    return (start.astimezone(dt.UTC) + dt.timedelta(hours=hours)).astimezone(LONDON)


# School terms for personal education plan reviews. Councils' term dates differ by a few days;
# these boundaries (autumn Sep–Dec, spring Jan–Mar, summer Apr–Aug) keep each review inside a term.
TERMS = (("spring", 1, 3), ("summer", 4, 8), ("autumn", 9, 12))


def term_of(day: dt.date) -> tuple[int, int]:
    """(year, index in TERMS) of the school term containing `day`."""
    for index, (_, first, last) in enumerate(TERMS):
        if first <= day.month <= last:
            return day.year, index
    raise AssertionError("every month belongs to a term")  # pragma: no cover


def term_name(day: dt.date) -> str:
    return TERMS[term_of(day)[1]][0]


def end_of_term_after(day: dt.date, terms: int) -> dt.date:
    """The last day of the term `terms` after the one containing `day` (1 = the next term)."""
    year, index = term_of(day)
    index += terms
    year += index // len(TERMS)
    index %= len(TERMS)
    last_month = TERMS[index][2]
    return dt.date(year, last_month, _stdlib_calendar.monthrange(year, last_month)[1])


class WorkingCalendar:
    """England's working days, given its bank holidays (date → name)."""

    def __init__(self, bank_holidays: Mapping[dt.date, str]) -> None:
        self.bank_holidays: dict[dt.date, str] = dict(bank_holidays)
        self._weekday_holidays = sorted(d for d in self.bank_holidays if d.weekday() < 5)
        # Ordinals of every working day in the indexed range, for O(log n) arithmetic.
        self._working: list[int] = [
            ordinal
            for ordinal in range(_INDEX_FROM.toordinal(), _INDEX_TO.toordinal() + 1)
            if self._is_working_ordinal(ordinal)
        ]

    def _is_working_ordinal(self, ordinal: int) -> bool:
        day = dt.date.fromordinal(ordinal)
        return day.weekday() < 5 and day not in self.bank_holidays

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays

    def _indexed(self, *days: dt.date) -> bool:
        return all(_INDEX_FROM <= d <= _INDEX_TO for d in days)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (day 0); negative counts back."""
        if days == 0:
            return start
        if self._indexed(start):
            ordinal = start.toordinal()
            if days > 0:
                position = bisect_right(self._working, ordinal) + days - 1
            else:
                position = bisect_left(self._working, ordinal) + days
            if 0 <= position < len(self._working):
                return dt.date.fromordinal(self._working[position])
        return self._step(start, days)

    def _step(self, start: dt.date, days: int) -> dt.date:
        step = dt.timedelta(days=1 if days > 0 else -1)
        day, remaining = start, abs(days)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative if `end` is earlier).

        The inverse of `add_working_days`: working_days_between(d, add_working_days(d, n)) == n.
        """
        if end < start:
            return -self.working_days_between(end, start)
        if self._indexed(start, end):
            return bisect_right(self._working, end.toordinal()) - bisect_right(
                self._working, start.toordinal()
            )
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def holidays_between(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        """Weekday bank holidays after `start`, up to and including `end`: days a count skips."""
        found = self._weekday_holidays[
            bisect_right(self._weekday_holidays, start) : bisect_right(self._weekday_holidays, end)
        ]
        return [(day, self.bank_holidays[day]) for day in found]
