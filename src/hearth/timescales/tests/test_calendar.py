"""The working-day calendar: bank holiday facts and properties of the date arithmetic."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearth.timescales import calendar as cal

CALENDAR = cal.WorkingCalendar(
    holidays.country_holidays("GB", subdiv="ENG", years=range(2010, 2041))
)
D = dt.date


@pytest.mark.parametrize(
    ("day", "is_working"),
    [
        (D(2020, 5, 8), False),  # early May bank holiday moved to VE Day
        (D(2020, 5, 4), True),  # ...so the usual first Monday was a working day
        (D(2022, 6, 2), False),  # spring bank holiday moved for the Platinum Jubilee
        (D(2022, 6, 3), False),  # Platinum Jubilee
        (D(2022, 5, 30), True),  # the usual last Monday of May was a working day
        (D(2022, 9, 19), False),  # State Funeral
        (D(2023, 5, 8), False),  # Coronation
        (D(2020, 12, 28), False),  # Boxing Day (Saturday) substitute
        (D(2021, 12, 27), False),  # Christmas Day (Saturday) substitute
        (D(2021, 12, 28), False),  # Boxing Day (Sunday) substitute
        (D(2022, 1, 3), False),  # New Year's Day (Saturday) substitute
        (D(2025, 4, 18), False),  # Good Friday
        (D(2025, 4, 21), False),  # Easter Monday
        (D(2025, 4, 22), True),
        (D(2025, 4, 19), False),  # Saturday
    ],
)
def test_bank_holidays_of_england(day: dt.date, is_working: bool) -> None:
    assert CALENDAR.is_working_day(day) is is_working


def test_trigger_day_is_day_zero() -> None:
    friday = D(2025, 6, 6)
    assert CALENDAR.add_working_days(friday, 1) == D(2025, 6, 9)
    assert CALENDAR.add_working_days(friday, 0) == friday


def test_counting_back_skips_holidays() -> None:
    # Two working days before Tuesday 22 April 2025 (after Easter) is Wednesday 16 April.
    assert CALENDAR.add_working_days(D(2025, 4, 22), -2) == D(2025, 4, 16)


def test_arithmetic_outside_the_index_steps_correctly() -> None:
    # Before the indexed range the calendar steps a day at a time; weekends still skip.
    assert CALENDAR.add_working_days(D(1985, 1, 4), 1) == D(1985, 1, 7)
    assert CALENDAR.working_days_between(D(1985, 1, 4), D(1985, 1, 11)) == 5


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2023, 8, 31), 6, D(2024, 2, 29)),  # leap year
        (D(2022, 8, 31), 6, D(2023, 2, 28)),
        (D(2024, 11, 30), 3, D(2025, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 12, 15), 1, D(2025, 1, 15)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
    ],
)
def test_months_clamp_to_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert cal.add_months(start, months) == expected


def test_hours_are_elapsed_across_clock_changes() -> None:
    before_spring = dt.datetime(2025, 3, 29, 14, 0, tzinfo=cal.LONDON)
    assert cal.add_hours(before_spring, 72) == dt.datetime(2025, 4, 1, 15, 0, tzinfo=cal.LONDON)
    before_autumn = dt.datetime(2025, 10, 25, 9, 0, tzinfo=cal.LONDON)
    assert cal.add_hours(before_autumn, 72) == dt.datetime(2025, 10, 28, 8, 0, tzinfo=cal.LONDON)


def test_hours_refuse_a_time_without_a_zone() -> None:
    with pytest.raises(cal.NaiveDateTimeError):
        cal.add_hours(dt.datetime(2025, 3, 29, 14, 0), 72)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 7, 10), D(2025, 12, 31)),  # summer term → end of autumn
        (D(2025, 9, 15), D(2026, 3, 31)),  # autumn → end of spring
        (D(2026, 2, 1), D(2026, 8, 31)),  # spring → end of summer
    ],
)
def test_end_of_next_term(day: dt.date, expected: dt.date) -> None:
    assert cal.end_of_term_after(day, 1) == expected


# --- properties ----------------------------------------------------------------------------------

days = st.dates(min_value=D(2011, 1, 1), max_value=D(2035, 12, 31))
counts = st.integers(min_value=1, max_value=200)


@given(start=days, n=counts)
def test_adding_working_days_lands_on_a_working_day(start: dt.date, n: int) -> None:
    assert CALENDAR.is_working_day(CALENDAR.add_working_days(start, n))


@given(start=days, n=counts)
def test_adding_is_the_inverse_of_counting_between(start: dt.date, n: int) -> None:
    assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, n)) == n


@given(start=days, n=counts)
def test_adding_then_subtracting_returns_to_a_working_start(start: dt.date, n: int) -> None:
    if CALENDAR.is_working_day(start):
        assert CALENDAR.add_working_days(CALENDAR.add_working_days(start, n), -n) == start


@given(start=days, a=counts, b=counts)
def test_adding_is_monotonic_in_the_count(start: dt.date, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert CALENDAR.add_working_days(start, low) <= CALENDAR.add_working_days(start, high)
    if low < high:
        assert CALENDAR.add_working_days(start, low) < CALENDAR.add_working_days(start, high)


@given(a=days, b=days, n=counts)
def test_adding_is_monotonic_in_the_start(a: dt.date, b: dt.date, n: int) -> None:
    early, late = sorted((a, b))
    assert CALENDAR.add_working_days(early, n) <= CALENDAR.add_working_days(late, n)


@settings(max_examples=50)
@given(start=days, n=st.integers(min_value=1, max_value=60))
def test_indexed_arithmetic_agrees_with_stepping(start: dt.date, n: int) -> None:
    # The bisect shortcut must give the same answer as counting a day at a time.
    assert CALENDAR.add_working_days(start, n) == CALENDAR._step(start, n)


@given(start=days, months=st.integers(min_value=0, max_value=36))
def test_months_never_overflow_the_month(start: dt.date, months: int) -> None:
    result = cal.add_months(start, months)
    assert (result.year - start.year) * 12 + result.month - start.month == months
    assert result.day <= start.day
