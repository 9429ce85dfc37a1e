"""The exploitation flag from each of its three sources, cleared by a current risk assessment and
raised again when that assessment's review is overdue; the review arithmetic; the rhi clock across
hours; the allocation queue's markers and the banner warnings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import OuterRef
from django.utils import timezone

from hearth.people.models import Person
from hearth.safeguarding import selectors, services
from hearth.safeguarding.selectors import ReviewClock
from hearth.timescales.models import Deadline
from hearth.timescales.rules import Period, Unit
from hearth.timescales.selectors import with_status
from hearth.workforce.selectors import unallocated_children

from .conftest import (
    Council,
    add_contact,
    add_factor,
    days_ago,
    hours_ago,
    record_missing,
    record_risk,
    today,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def is_flagged(council: Council, day: dt.date | None = None) -> bool:
    clock = ReviewClock.now(day)
    return selectors.flagged(Person.objects.filter(pk=council.child.pk), clock).exists()


@pytest.mark.parametrize("code", ["11A", "13A", "24A"])
def test_an_exploitation_factor_at_an_authorised_assessment_raises_the_flag(
    council: Council, code: str
) -> None:
    assert not is_flagged(council)
    add_factor(council, code)
    assert is_flagged(council)
    assert selectors.flag_reasons(council.child).factor


def test_other_factors_and_old_factors_in_a_closed_episode_do_not(council: Council) -> None:
    add_factor(council, "3A")
    assert not is_flagged(council)
    add_factor(council, "11A", authorised_days_ago=500)
    assert is_flagged(council)  # the episode is still open
    council.episode.closure_date, council.episode.closure_reason = days_ago(10), "RC7"
    council.episode.save()
    assert not is_flagged(council)


@pytest.mark.parametrize(
    ("categories", "raised"),
    [(["exploitation"], True), (["missing", "neglect"], True), (["neglect"], False)],
)
def test_a_contact_about_exploitation_or_missing_raises_the_flag(
    council: Council, categories: list[str], raised: bool
) -> None:
    add_contact(council.child, categories)
    assert is_flagged(council) is raised


def test_a_contact_more_than_a_year_ago_does_not(council: Council) -> None:
    add_contact(council.child, ["exploitation"], days=400)
    assert not is_flagged(council)


def test_a_missing_episode_raises_the_flag(council: Council) -> None:
    record_missing(council)
    assert is_flagged(council)
    reasons = selectors.flag_reasons(council.child)
    assert reasons.missing and not reasons.factor and not reasons.contact


@pytest.mark.parametrize("kind", ["cse", "cce", "missing"])
def test_a_current_exploitation_or_missing_assessment_clears_the_flag(
    council: Council, kind: str
) -> None:
    add_factor(council, "24A")
    record_risk(council, kind=kind, assessed_on=days_ago(10))
    assert not is_flagged(council)


def test_an_assessment_of_another_kind_does_not_clear_it(council: Council) -> None:
    add_factor(council, "11A")
    record_risk(council, kind="online", assessed_on=days_ago(10))
    assert is_flagged(council)


def test_the_flag_returns_when_the_review_goes_overdue(council: Council) -> None:
    add_factor(council, "11A", authorised_days_ago=20)
    assessment = record_risk(council, assessed_on=days_ago(15))
    due = ReviewClock.now().due(assessment.assessed_on)
    assert not is_flagged(council, due)  # due today: not yet overdue
    assert is_flagged(council, due + dt.timedelta(days=1))
    record_risk(council, assessed_on=days_ago(1))  # a review brings it back in date
    assert not is_flagged(council)


def test_a_closed_or_superseded_assessment_does_not_clear_it(council: Council) -> None:
    record_missing(council)
    first = record_risk(council, kind="missing", assessed_on=days_ago(20))
    second = record_risk(council, kind="missing", assessed_on=days_ago(10))
    assert not is_flagged(council)
    services.risk_assessment_close(
        actor=council.worker,
        assessment=second,
        closed_on=today(),
        reason="No longer applies.",
        expected_version=None,
    )
    first.refresh_from_db()
    assert first.closed_on is None  # the earlier one stays as it was, but is superseded
    assert is_flagged(council)


def test_the_flag_is_one_query_for_any_number_of_children(
    council: Council, django_assert_num_queries: object
) -> None:
    record_missing(council)
    clock = ReviewClock.now()
    with django_assert_num_queries(1):  # type: ignore[operator]
        list(selectors.flagged(Person.objects.all(), clock).values_list("pk", flat=True))
    annotated = Person.objects.annotate(flag=selectors.needs_risk_assessment(OuterRef("pk"), clock))
    assert dict(annotated.values_list("pk", "flag"))[council.child.pk] is True


# --- the review arithmetic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "period", [Period(3, Unit.MONTHS), Period(6, Unit.WEEKS), Period(20, Unit.WORKING_DAYS)]
)
def test_the_cutoff_is_the_first_assessment_date_still_in_date(period: Period) -> None:
    for offset in range(0, 400, 13):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=offset)
        clock = ReviewClock(period, day)
        cutoff = clock.cutoff
        assert clock.due(cutoff) >= day
        assert clock.due(cutoff - dt.timedelta(days=1)) < day


def test_months_clamp_to_the_end_of_the_month() -> None:
    clock = ReviewClock(Period(3, Unit.MONTHS), dt.date(2025, 5, 31))
    assert clock.due(dt.date(2024, 11, 30)) == dt.date(2025, 2, 28)
    assert clock.cutoff == dt.date(2025, 3, 1)  # 28 February + 3 months is 28 May: overdue


def test_the_councils_own_review_period_is_used(council: Council) -> None:
    from hearth.timescales.models import LocalStandard

    LocalStandard.objects.update_or_create(
        rule_code="risk-assessment-review",
        case_key="default",
        defaults={"amount": 6, "unit": "weeks"},
    )
    assert selectors.review_period() == Period(6, Unit.WEEKS)
    add_factor(council, "11A")
    record_risk(council, assessed_on=days_ago(50))
    assert is_flagged(council)  # 50 days is past 6 weeks


# --- the rhi clock -------------------------------------------------------------------------------


def test_an_offer_within_72_hours_meets_the_clock_and_a_later_one_is_late(council: Council) -> None:
    in_time = record_missing(council, started_at=hours_ago(200), ended_at=hours_ago(190))
    services.return_interview_record(
        actor=council.worker,
        episode=in_time,
        offered_at=in_time.ended_at + dt.timedelta(hours=71, minutes=59),  # type: ignore[operator]
        expected_version=None,
    )
    late = record_missing(council, started_at=hours_ago(150), ended_at=hours_ago(140))
    services.return_interview_record(
        actor=council.worker,
        episode=late,
        offered_at=late.ended_at + dt.timedelta(hours=72, minutes=1),  # type: ignore[operator]
        expected_version=None,
    )
    overdue = record_missing(council, started_at=hours_ago(100), ended_at=hours_ago(73))
    due = record_missing(council, started_at=hours_ago(72.5), ended_at=hours_ago(71))
    rows = {
        d.clock.split(".", 1)[1]: d.status  # type: ignore[attr-defined]
        for d in with_status(Deadline.objects.filter(subject_id=council.child.pk, rule_code="rhi"))
    }
    assert rows == {
        f"missing:{in_time.pk}": "met_on_time",
        f"missing:{late.pk}": "met_late",
        f"missing:{overdue.pk}": "overdue",
        f"missing:{due.pk}": rows[f"missing:{due.pk}"],
    }
    assert rows[f"missing:{due.pk}"] in {"upcoming", "due_today"}
    statuses = dict(
        selectors.with_rhi_status(selectors.episodes_for_person(council.child)).values_list(
            "pk", "rhi_status"
        )
    )
    assert statuses == {
        in_time.pk: "in_time",
        late.pk: "late",
        overdue.pk: "overdue",
        due.pk: "due",
    }


def test_72_hours_across_the_clocks_going_forward_are_elapsed_hours(council: Council) -> None:
    # Saturday 29 March 2025 14:00 GMT; the clocks go forward on the Sunday.
    returned = dt.datetime(2025, 3, 29, 14, 0, tzinfo=LONDON)
    council.child.date_of_birth = dt.date(2011, 1, 1)
    council.child.save()
    episode = record_missing(
        council, started_at=returned - dt.timedelta(hours=5), ended_at=returned
    )
    deadline = Deadline.objects.get(subject_id=council.child.pk, rule_code="rhi")
    assert deadline.due_at is not None
    assert deadline.due_at.astimezone(LONDON) == dt.datetime(2025, 4, 1, 15, 0, tzinfo=LONDON)
    services.return_interview_record(
        actor=council.worker,
        episode=episode,
        offered_at=dt.datetime(2025, 4, 1, 14, 30, tzinfo=LONDON),
        expected_version=None,
    )
    deadline = Deadline.objects.get(subject_id=council.child.pk, rule_code="rhi")
    assert deadline.state == "met" and deadline.met_late is False


# --- markers and banner --------------------------------------------------------------------------


def test_the_allocation_queue_shows_both_markers(council: Council) -> None:
    from hearth.timescales.services import set_responsibility
    from hearth.workforce.models import Allocation

    Allocation.objects.filter(person=council.child).update(
        end_date=today(), end_reason="worker_left"
    )
    set_responsibility(
        subject_type="child", subject_id=council.child.pk, worker=None, team=council.team
    )
    record_missing(council)
    [waiting] = [
        c
        for c in unallocated_children(teams=type(council.team).objects.filter(pk=council.team.pk))
        if c.person_id == council.child.pk
    ]
    assert "Exploitation risk not assessed" in waiting.markers
    assert "Missing in the last 90 days" in waiting.markers


def test_banner_warnings(council: Council) -> None:
    assert selectors.risk_banner_warnings(council.child) == []
    record_missing(council, started_at=hours_ago(5), ended_at=None)
    warnings = selectors.risk_banner_warnings(council.child)
    assert len(warnings) == 2
    assert warnings[0].startswith("Exploitation risk not assessed")
    assert "a missing episode in the last 12 months" in warnings[0]
    assert warnings[1].startswith("Missing now: since")
    record_risk(council, kind="missing")
    assert [w for w in selectors.risk_banner_warnings(council.child) if "not assessed" in w] == []


def test_timezone_now_is_used_for_today() -> None:
    assert selectors.today() == timezone.now().astimezone(LONDON).date()
