"""The engine's behaviour beyond single due dates: windows, repeats, restarts, statuses, reasons."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from hearth.timescales import calendar as cal
from hearth.timescales.engine import MissingEventError, Status, evaluate, evaluate_subject
from hearth.timescales.rules import RULES, RULES_IN_ORDER, Event, Period, Unit, get_rule

CALENDAR = cal.WorkingCalendar(
    holidays.country_holidays("GB", subdiv="ENG", years=range(2010, 2041))
)
D = dt.date


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=cal.LONDON)


def test_every_rule_has_a_source_a_status_and_a_default_case() -> None:
    assert len(RULES) == len(RULES_IN_ORDER) >= 31
    for rule in RULES_IN_ORDER:
        assert rule.source and rule.title and rule.short
        assert rule.cases[-1].when is None, rule.code
        assert rule.starts_on.event
        assert rule.met_by


def test_a_later_strategy_discussion_restarts_the_icpc_clock() -> None:
    rule = get_rule("icpc")
    first, second = D(2025, 6, 2), D(2025, 6, 9)
    found = evaluate(
        rule,
        [Event("strategy-discussion-s47", first), Event("strategy-discussion-s47", second)],
        CALENDAR,
    )
    assert [o.status(at(D(2025, 6, 10))) for o in found] == [
        Status.NOT_APPLICABLE,  # superseded before it fell due
        Status.UPCOMING,
    ]
    assert found[1].due == D(2025, 6, 30)


def test_a_clock_closed_after_its_due_date_stays_a_missed_deadline() -> None:
    rule = get_rule("cp-visit")
    found = evaluate(
        rule, [Event("cp-plan-start", D(2025, 1, 6)), Event("cp-plan-end", D(2025, 3, 3))], CALENDAR
    )
    assert len(found) == 1
    assert found[0].due == D(2025, 1, 20)
    assert found[0].status(at(D(2025, 6, 1))) is Status.OVERDUE
    assert "Closed by the end of the child protection plan on 3 March 2025" in found[0].explanation


def test_cancelled_clock_is_not_applicable() -> None:
    rule = get_rule("icpc")
    found = evaluate(
        rule,
        [
            Event("strategy-discussion-s47", D(2025, 6, 2)),
            Event("icpc-not-required", D(2025, 6, 10)),
        ],
        CALENDAR,
    )
    assert found[0].status(at(D(2025, 7, 1))) is Status.NOT_APPLICABLE
    assert found[0].closed_on == D(2025, 6, 10)


def test_repeating_visits_run_from_the_last_visit_and_stop_with_the_plan() -> None:
    rule = get_rule("cp-visit")
    events = [
        Event("cp-plan-start", D(2025, 1, 6)),
        Event("cp-visit", D(2025, 1, 6)),  # a visit on the day of the conference counts
        Event("cp-visit", D(2025, 1, 24)),  # late: due 20 January
        Event("cp-plan-end", D(2025, 2, 3)),
        Event("cp-visit", D(2025, 2, 10)),  # after the plan: counts for nothing
    ]
    found = evaluate(rule, events, CALENDAR)
    now = at(D(2025, 3, 1))
    assert [(o.due, o.status(now)) for o in found] == [
        (D(2025, 1, 20), Status.MET_ON_TIME),
        (D(2025, 1, 20), Status.MET_LATE),
        (D(2025, 2, 7), Status.NOT_APPLICABLE),  # plan ended before it was due
    ]


def test_a_new_plan_starts_new_clocks() -> None:
    events = [
        Event("cp-plan-start", D(2024, 1, 8)),
        Event("cp-plan-end", D(2024, 3, 1)),
        Event("cp-plan-start", D(2025, 1, 6)),
    ]
    found = evaluate(get_rule("rcpc-first"), events, CALENDAR)
    assert [o.due for o in found] == [D(2024, 4, 8), D(2025, 4, 6)]
    assert found[0].closed_on == D(2024, 3, 1)


def test_meeting_events_are_matched_to_their_own_record_by_key() -> None:
    rule = get_rule("rhi")
    returned_a = dt.datetime(2025, 5, 1, 20, 0, tzinfo=cal.LONDON)
    returned_b = dt.datetime(2025, 5, 2, 9, 0, tzinfo=cal.LONDON)
    events = [
        Event("missing-return", returned_a, key="missing:1"),
        Event("missing-return", returned_b, key="missing:2"),
        Event("rhi-offered", dt.datetime(2025, 5, 3, 10, 0, tzinfo=cal.LONDON), key="missing:2"),
    ]
    found = evaluate(rule, events, CALENDAR)
    by_key = {o.start.key: o for o in found}
    assert by_key["missing:2"].met is not None
    assert by_key["missing:1"].met is None
    assert by_key["missing:1"].due == dt.datetime(2025, 5, 4, 20, 0, tzinfo=cal.LONDON)


def test_hour_deadlines_are_due_today_until_the_hour_then_overdue() -> None:
    found = evaluate(
        get_rule("rhi"),
        [Event("missing-return", dt.datetime(2025, 5, 1, 20, 0, tzinfo=cal.LONDON))],
        CALENDAR,
    )
    due = found[0].due
    assert isinstance(due, dt.datetime)
    assert found[0].status(due - dt.timedelta(hours=1)) is Status.DUE_TODAY
    assert found[0].status(due + dt.timedelta(minutes=1)) is Status.OVERDUE
    assert found[0].status(due - dt.timedelta(days=2)) is Status.UPCOMING


def test_reviews_chain_first_second_and_every_six_months() -> None:
    events = [
        Event("became-looked-after", D(2025, 1, 6)),
        Event("cla-review", D(2025, 1, 31)),  # first: due 3 February
        Event("cla-review", D(2025, 4, 30)),  # second: due 30 April (3 months after the first)
    ]
    first = evaluate(get_rule("cla-review-first"), events, CALENDAR)
    second = evaluate(get_rule("cla-review-second"), events, CALENDAR)
    later = evaluate(get_rule("cla-review-next"), events, CALENDAR)
    assert (first[0].due, first[0].met_on_time) == (D(2025, 2, 3), True)
    assert (second[0].due, second[0].met_on_time) == (D(2025, 4, 30), True)
    assert [o.due for o in later] == [D(2025, 10, 30)]


def test_permanence_plan_is_due_by_an_early_second_review() -> None:
    events = [
        Event("became-looked-after", D(2025, 1, 6)),
        Event("cla-review", D(2025, 1, 31)),
        Event("cla-review", D(2025, 3, 14)),
    ]
    found = evaluate(get_rule("permanence-plan"), events, CALENDAR)
    assert found[0].due == D(2025, 3, 14)
    assert "brought forward to the review on 14 March 2025" in found[0].explanation


def test_visit_interval_follows_the_placement() -> None:
    placement = Event(
        "placement-start",
        D(2023, 1, 9),
        attributes={"long_term": True, "long_term_foster": True},
    )
    base = [Event("became-looked-after", D(2023, 1, 9)), placement]
    visits = [Event("cla-visit", D(2023, 2, 1)), Event("cla-visit", D(2024, 2, 1))]
    found = evaluate(get_rule("cla-visit"), base + visits, CALENDAR)
    assert found[-1].due == D(2024, 5, 1)  # 3 months after the first year
    agreed = [*base, *visits, Event("visit-frequency-agreed", D(2024, 1, 15))]
    found = evaluate(get_rule("cla-visit"), agreed, CALENDAR)
    assert found[-1].due == D(2024, 8, 1)  # 6 months: long-term foster, child agrees


def test_a_new_placement_restarts_the_visit_clock() -> None:
    events = [
        Event("became-looked-after", D(2025, 1, 6)),
        Event("placement-start", D(2025, 1, 6)),
        Event("cla-visit", D(2025, 1, 8)),
        Event("placement-start", D(2025, 2, 3)),
    ]
    first_week = evaluate(get_rule("cla-visit-first-week"), events, CALENDAR)
    assert [(o.due, o.met is not None) for o in first_week] == [
        (D(2025, 1, 13), True),
        (D(2025, 2, 10), False),
    ]


def test_missing_date_of_birth_uses_the_more_frequent_interval_and_says_so() -> None:
    events = [
        Event("became-looked-after", D(2025, 1, 6)),
        Event("health-assessment", D(2025, 1, 20)),
    ]
    found = evaluate(get_rule("health-assessment-review"), events, CALENDAR)
    assert found[0].due == D(2025, 7, 20)
    assert "date of birth is not recorded" in found[0].explanation
    with pytest.raises(MissingEventError):
        evaluate(get_rule("health-assessment-review"), events, CALENDAR, strict=True)


def test_rules_before_they_were_in_force_do_not_apply() -> None:
    found = evaluate(get_rule("assessment"), [Event("referral", D(2012, 5, 1))], CALENDAR)
    assert found[0].status(at(D(2025, 1, 1))) is Status.NOT_APPLICABLE
    assert "in force from 15 April 2013" in found[0].explanation


def test_local_periods_replace_the_default_for_local_rules_only() -> None:
    local = {
        ("cp-visit", "default"): Period(4, Unit.WEEKS),
        ("icpc", "default"): Period(1, Unit.DAYS),  # ignored: statutory
    }
    events = [
        Event("cp-plan-start", D(2025, 1, 6)),
        Event("strategy-discussion-s47", D(2025, 1, 6)),
    ]
    found = {o.rule.code: o for o in evaluate_subject("child", events, CALENDAR, local)}
    assert found["cp-visit"].due == D(2025, 2, 3)
    assert found["icpc"].due == D(2025, 1, 27)


def test_supervision_pauses_for_long_leave() -> None:
    events = [
        Event("joined", D(2025, 1, 6)),
        Event("supervision", D(2025, 1, 6)),
        Event("leave-start", D(2025, 1, 20)),
    ]
    found = evaluate(get_rule("supervision"), events, CALENDAR)
    assert found[-1].status(at(D(2025, 6, 1))) is Status.NOT_APPLICABLE
    assert "paused" in found[-1].explanation
    resumed = [*events, Event("leave-end", D(2025, 3, 3))]
    found = evaluate(get_rule("supervision"), resumed, CALENDAR)
    # Due 3 February; 42 days of leave from 20 January push it to 17 March.
    assert found[-1].due == D(2025, 3, 17)


def test_subject_only_gets_rules_whose_start_event_it_has() -> None:
    found = evaluate_subject("child", [Event("referral", D(2025, 6, 2))], CALENDAR)
    assert sorted(o.rule.code for o in found) == ["assessment"]
    assert evaluate_subject("worker", [Event("referral", D(2025, 6, 2))], CALENDAR) == []
    contact = evaluate_subject("contact", [Event("contact", D(2025, 6, 2))], CALENDAR)
    assert [o.rule.code for o in contact] == ["referral-decision"]


def test_rules_that_do_not_apply_to_short_breaks() -> None:
    events = [
        Event("became-looked-after", D(2025, 1, 6), attributes={"legal_status": "V3"}),
        Event("placement-start", D(2025, 1, 6)),
    ]
    found = {o.rule.code: o for o in evaluate_subject("child", events, CALENDAR)}
    now = at(D(2025, 6, 1))
    assert found["cla-visit"].status(now) is Status.NOT_APPLICABLE
    assert found["cla-review-first"].status(now) is Status.NOT_APPLICABLE
    assert "short breaks" in found["cla-visit"].explanation
    assert found["placement-plan"].status(now) is Status.OVERDUE  # still required
    full_care = [Event("became-looked-after", D(2025, 1, 6), attributes={"legal_status": "C2"})]
    found = {o.rule.code: o for o in evaluate_subject("child", full_care, CALENDAR)}
    assert found["cla-review-first"].status(now) is Status.OVERDUE


def test_conditions_see_a_date_of_birth_recorded_before_the_period_of_care() -> None:
    events = [
        Event("birth", D(2022, 3, 1)),
        Event("became-looked-after", D(2025, 1, 6)),
        Event("health-assessment", D(2025, 1, 20)),
        Event("health-assessment", D(2025, 7, 10)),  # aged 3: next in 6 months
    ]
    found = evaluate(get_rule("health-assessment-review"), events, CALENDAR)
    assert [o.due for o in found] == [D(2025, 7, 20), D(2026, 1, 10)]
    assert "not recorded" not in found[-1].explanation
    assert "every 6 months while the child is under 5" in found[-1].explanation
