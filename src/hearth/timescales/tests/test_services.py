"""Deadlines kept up to date from events: recording, correcting, withdrawing, rebuilding."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from hearth.core.models import AuditEvent, User
from hearth.core.services import ConcurrentEditError
from hearth.core.tests.factories import TeamFactory
from hearth.timescales import selectors, services
from hearth.timescales.calendar import LONDON
from hearth.timescales.models import BankHoliday, ClockEvent, Deadline, DeadlineState, LocalStandard

pytestmark = pytest.mark.django_db
D = dt.date
CHILD = "child"


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)


def due(rule: str, subject_id: int = 1) -> list[dt.date]:
    return list(
        Deadline.objects.filter(subject_type=CHILD, subject_id=subject_id, rule_code=rule)
        .order_by("sequence", "due_on")
        .values_list("due_on", flat=True)
    )


def test_bank_holidays_are_copied_from_the_published_calendar() -> None:
    assert BankHoliday.objects.filter(date=D(2023, 5, 8), name__icontains="Coronation").exists()
    assert services.sync_bank_holidays() == 0  # idempotent


def test_recording_an_event_derives_its_deadlines() -> None:
    services.record_event(
        subject_type=CHILD, subject_id=1, name="referral", at=D(2025, 6, 2), source="r:1"
    )
    assert due("assessment") == [D(2025, 8, 4)]
    services.record_event(subject_type="contact", subject_id=9, name="contact", at=D(2025, 6, 2))
    services.record_event(
        subject_type="contact", subject_id=9, name="contact-rated-red", at=D(2025, 6, 2)
    )
    contact_deadlines = dict(
        Deadline.objects.filter(subject_type="contact", subject_id=9).values_list(
            "rule_code", "due_on"
        )
    )
    assert contact_deadlines == {"referral-decision": D(2025, 6, 3), "contact-red": D(2025, 6, 2)}


def test_a_back_dated_event_re_derives_every_deadline_that_depends_on_it() -> None:
    services.record_event(
        subject_type=CHILD,
        subject_id=1,
        name="strategy-discussion-s47",
        at=D(2025, 5, 6),
        source="sd:1",
    )
    assert due("icpc") == [D(2025, 5, 28)]  # 26 May (spring bank holiday) skipped
    # The date was entered wrongly: the discussion was a week earlier, before Easter.
    services.record_event(
        subject_type=CHILD,
        subject_id=1,
        name="strategy-discussion-s47",
        at=D(2025, 4, 15),
        source="sd:1",
    )
    assert due("icpc") == [D(2025, 5, 9)]
    assert ClockEvent.objects.filter(subject_id=1).count() == 1


def test_recording_the_meeting_event_marks_the_deadline_met() -> None:
    services.record_event(subject_type=CHILD, subject_id=1, name="cp-plan-start", at=D(2025, 1, 6))
    services.record_event(
        subject_type=CHILD, subject_id=1, name="cp-visit", at=D(2025, 1, 14), source="v:1"
    )
    deadlines = Deadline.objects.filter(subject_id=1, rule_code="cp-visit").order_by("sequence")
    assert [(d.state, d.due_on) for d in deadlines] == [
        (DeadlineState.MET, D(2025, 1, 20)),
        (DeadlineState.OPEN, D(2025, 1, 28)),
    ]
    services.withdraw_event(subject_type=CHILD, subject_id=1, source="v:1")
    assert due("cp-visit") == [D(2025, 1, 20)]
    assert ClockEvent.objects.filter(source="v:1", withdrawn_at__isnull=False).count() == 1


def test_unknown_events_and_naive_times_are_refused() -> None:
    with pytest.raises(ValidationError, match="Unknown clock event"):
        services.record_event(subject_type=CHILD, subject_id=1, name="visit", at=D(2025, 1, 1))
    with pytest.raises(ValidationError, match="time zone"):
        services.record_event(
            subject_type=CHILD, subject_id=1, name="missing-return", at=dt.datetime(2025, 1, 1, 9)
        )
    assert not ClockEvent.objects.exists()


def test_rebuild_is_idempotent_and_removes_deadlines_of_withdrawn_events() -> None:
    for subject_id in range(1, 6):
        services.record_event(
            subject_type=CHILD, subject_id=subject_id, name="became-looked-after", at=D(2025, 2, 3)
        )
        services.record_event(
            subject_type=CHILD, subject_id=subject_id, name="placement-start", at=D(2025, 2, 3)
        )
    fields = ("subject_id", "rule_code", "sequence", "due_on", "state", "explanation")
    before = sorted(Deadline.objects.values_list(*fields))
    Deadline.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_deadlines", "--no-progress", stdout=out)
    assert "deadlines a second" in out.getvalue()
    assert sorted(Deadline.objects.values_list(*fields)) == before
    call_command("rebuild_deadlines", "--no-progress", stdout=io.StringIO())
    assert sorted(Deadline.objects.values_list(*fields)) == before
    ClockEvent.objects.filter(subject_id=5).update(withdrawn_at=noon(D(2025, 3, 1)))
    call_command("rebuild_deadlines", "--no-progress", stdout=io.StringIO())
    assert not Deadline.objects.filter(subject_id=5).exists()


def test_adding_a_bank_holiday_moves_deadlines_and_is_audited(admin_user: User) -> None:
    services.record_event(subject_type=CHILD, subject_id=1, name="referral", at=D(2030, 6, 3))
    assert due("assessment") == [D(2030, 8, 5)]
    holiday = services.bank_holiday_add(
        actor=admin_user, date=D(2030, 6, 14), name="Synthetic one-off"
    )
    assert due("assessment") == [D(2030, 8, 6)]
    assert AuditEvent.objects.filter(
        object_type="timescales.bankholiday", object_id=str(holiday.pk)
    ).exists()
    services.bank_holiday_withdraw(actor=admin_user, holiday=holiday, reason="Entered in error")
    assert due("assessment") == [D(2030, 8, 5)]
    holiday.refresh_from_db()
    assert holiday.withdrawn_reason == "Entered in error"


def test_bank_holiday_mistakes_are_refused(admin_user: User) -> None:
    with pytest.raises(ValidationError, match="already a bank holiday"):
        services.bank_holiday_add(actor=admin_user, date=D(2025, 12, 25), name="Again")
    with pytest.raises(ValidationError, match="weekend"):
        services.bank_holiday_add(actor=admin_user, date=D(2030, 6, 15), name="A Saturday")
    published = BankHoliday.objects.get(date=D(2025, 12, 25))
    with pytest.raises(ValidationError, match="Published"):
        services.bank_holiday_withdraw(actor=admin_user, holiday=published, reason="No")
    published.refresh_from_db()
    assert published.withdrawn_at is None


def test_changing_a_local_standard_re_derives_and_is_audited(admin_user: User) -> None:
    services.record_event(subject_type=CHILD, subject_id=1, name="cp-plan-start", at=D(2025, 1, 6))
    assert due("cp-visit") == [D(2025, 1, 20)]
    standard = LocalStandard.objects.get(rule_code="cp-visit")
    services.local_standard_update(
        actor=admin_user,
        standard=standard,
        amount=4,
        unit="weeks",
        expected_version=standard.version,
    )
    assert due("cp-visit") == [D(2025, 2, 3)]
    event = AuditEvent.objects.get(
        object_type="timescales.localstandard", object_id=str(standard.pk)
    )
    assert event.changes == {"amount": [10, 4], "unit": ["working_days", "weeks"]}


def test_local_standard_refusals_change_nothing(admin_user: User) -> None:
    standard = LocalStandard.objects.get(rule_code="cp-visit")
    with pytest.raises(ValidationError, match="between 1 and 26"):
        services.local_standard_update(
            actor=admin_user, standard=standard, amount=30, unit="weeks", expected_version=None
        )
    with pytest.raises(ValidationError, match="Choose"):
        services.local_standard_update(
            actor=admin_user, standard=standard, amount=3, unit="hours", expected_version=None
        )
    with pytest.raises(ConcurrentEditError):
        services.local_standard_update(
            actor=admin_user, standard=standard, amount=3, unit="weeks", expected_version=99
        )
    standard.refresh_from_db()
    assert (standard.amount, standard.unit) == (10, "working_days")


def test_statutory_rules_have_no_local_standard() -> None:
    codes = set(LocalStandard.objects.values_list("rule_code", flat=True))
    assert "icpc" not in codes and "cla-visit" not in codes
    assert {"cp-visit", "cin-visit", "core-group", "supervision", "escalation-response"} <= codes


def test_deadline_dates_are_constrained_in_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.create(
            subject_type=CHILD,
            subject_id=1,
            rule_code="icpc",
            clock="0",
            sequence=1,
            state=DeadlineState.OPEN,
            starts_on=D(2025, 5, 1),
            due_on=D(2025, 4, 1),
            explanation="x",
        )


def test_work_lists_follow_responsibility_with_bounded_queries(
    make_user: Callable[..., User], django_assert_max_num_queries: Callable[..., object]
) -> None:
    worker = make_user("social_worker")
    team = TeamFactory(service_area="cin_cp")
    for subject_id in range(1, 8):
        services.record_event(
            subject_type=CHILD, subject_id=subject_id, name="cp-plan-start", at=D(2025, 1, 6)
        )
        services.set_responsibility(
            subject_type=CHILD, subject_id=subject_id, worker=worker, team=team
        )
    now = noon(D(2025, 1, 21))
    with django_assert_max_num_queries(1):
        mine = list(selectors.deadlines_due(selectors.DeadlineFilter(worker=worker), now=now))
    assert {d.status for d in mine} == {"overdue", "upcoming"}
    overdue = selectors.deadlines_due(
        selectors.DeadlineFilter(team=team, overdue_only=True), now=now
    )
    # Both were due on 20 January: the first visit and the first core group.
    assert {d.rule_code for d in overdue} == {"cp-visit", "core-group-first"}
    assert overdue.count() == 14
    by_service = selectors.deadlines_due(selectors.DeadlineFilter(service_area="cin_cp"), now=now)
    assert by_service.count() == len(mine)
    assert selectors.overdue_counts(by="worker", now=now) == {worker.pk: 14}
    # A new deadline for an allocated child lands in the worker's list at once.
    services.record_event(subject_type=CHILD, subject_id=1, name="referral", at=D(2025, 1, 20))
    assert Deadline.objects.filter(subject_id=1, rule_code="assessment", worker=worker).exists()


def test_status_in_the_database_matches_the_engine() -> None:
    services.record_event(subject_type=CHILD, subject_id=1, name="cp-plan-start", at=D(2025, 1, 6))
    services.record_event(subject_type=CHILD, subject_id=1, name="cp-visit", at=D(2025, 1, 22))
    now = noon(D(2025, 2, 5))  # 10 working days after the late visit
    statuses = dict(
        selectors.deadlines_for_subject(CHILD, 1, now=now)
        .filter(rule_code="cp-visit")
        .values_list("sequence", "status")
    )
    assert statuses == {1: "met_late", 2: "due_today"}
