"""The automatic rise of a stage not answered in time, the command that runs it, and each stage's
clock in the timescale engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from hearth.core.models import AuditEvent
from hearth.escalations import selectors, services
from hearth.escalations.models import Escalation, Stage, Status
from hearth.notifications.models import Notification
from hearth.timescales import calendar as cal
from hearth.timescales.models import ClockEvent, Deadline, DeadlineState
from hearth.timescales.selectors import working_calendar

from .conftest import ANSWER, Council

pytestmark = pytest.mark.django_db
Raise = Callable[..., Escalation]


def after_due(escalation: Escalation, days: int = 1) -> dt.datetime:
    """A moment `days` days after the current stage's due date (London noon)."""
    due = escalation.stages.get(stage=escalation.stage).due_on
    return dt.datetime.combine(due + dt.timedelta(days=days), dt.time(12), tzinfo=cal.LONDON)


def on_due_day(escalation: Escalation) -> dt.datetime:
    due = escalation.stages.get(stage=escalation.stage).due_on
    return dt.datetime.combine(due, dt.time(23, 30), tzinfo=cal.LONDON)


def deadlines(escalation: Escalation) -> dict[int, Deadline]:
    rows = Deadline.objects.filter(
        subject_type="child", subject_id=escalation.person_id, rule_code="escalation-response"
    )
    found = {}
    for row in rows:
        stage = int(row.clock.rsplit("-", 1)[-1])
        found[stage] = row
    return found


# --- the automatic rise --------------------------------------------------------------------------


def test_not_before_the_due_date_has_passed(raise_one: Raise) -> None:
    escalation = raise_one()
    assert services.escalations_rise_overdue(now=on_due_day(escalation)) == []
    escalation.refresh_from_db()
    assert escalation.stage == Stage.TEAM_MANAGER


def test_an_unanswered_stage_rises_exactly_one_stage_and_tells_owner_and_raiser(
    council: Council, raise_one: Raise
) -> None:
    escalation = raise_one()
    Notification.objects.all().delete()
    now = after_due(escalation)
    risen = services.escalations_rise_overdue(now=now)
    assert [e.pk for e in risen] == [escalation.pk]
    escalation.refresh_from_db()
    assert escalation.stage == Stage.SERVICE_MANAGER
    assert escalation.owner == council.service_manager
    first, second = escalation.stages.order_by("stage")
    assert first.ended_at == now and first.responded_at is None
    assert second.rose_automatically and second.started_at == now
    assert second.due_on == working_calendar().add_working_days(now.date(), 5)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {council.service_manager.pk, council.iro.pk}
    assert all(council.child.full_name not in n.subject for n in Notification.objects.all())
    event = AuditEvent.objects.filter(object_type="escalations.escalation").first()
    assert event is not None and event.actor is None and "rose" in event.detail
    assert event.person_id == str(council.child.pk)


def test_running_twice_does_not_rise_twice(raise_one: Raise) -> None:
    escalation = raise_one()
    now = after_due(escalation)
    assert len(services.escalations_rise_overdue(now=now)) == 1
    assert services.escalations_rise_overdue(now=now) == []
    assert services.escalations_rise_overdue(now=now + dt.timedelta(hours=1)) == []
    escalation.refresh_from_db()
    assert escalation.stage == Stage.SERVICE_MANAGER
    assert escalation.stages.count() == 2


def test_an_answered_stage_does_not_rise(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    services.escalation_respond(
        actor=council.team_manager, escalation=escalation, response=ANSWER, expected_version=None
    )
    assert services.escalations_rise_overdue(now=after_due(escalation, 10)) == []


def test_a_closed_escalation_does_not_rise(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    services.escalation_withdraw(
        actor=council.iro, escalation=escalation, reason="Sorted out.", expected_version=None
    )
    assert services.escalations_rise_overdue(now=after_due(escalation, 10)) == []


def test_it_climbs_stage_by_stage_and_the_director_stage_stays_overdue(
    council: Council, raise_one: Raise
) -> None:
    escalation = raise_one()
    owners = []
    for _ in range(5):
        services.escalations_rise_overdue(now=after_due(escalation))
        escalation.refresh_from_db()
        owners.append(escalation.owner)
    assert owners == [
        council.service_manager,
        council.head,
        council.director,
        council.director,
        council.director,
    ]
    assert escalation.stage == Stage.DIRECTOR
    assert escalation.stages.count() == 4
    late = after_due(escalation, 3)
    assert services.escalations_rise_overdue(now=late) == []  # the director's cannot rise
    escalation.refresh_from_db()
    assert escalation.stage == Stage.DIRECTOR and escalation.status == Status.OPEN
    row = selectors.with_current_stage(Escalation.objects.all(), now=late).get(pk=escalation.pk)
    assert row.is_overdue  # type: ignore[attr-defined]
    assert selectors.escalations_awaiting(council.director).filter(pk=escalation.pk).exists()


def test_among_limits_the_rise_to_the_escalations_shown(council: Council, raise_one: Raise) -> None:
    first = raise_one()
    second = raise_one(actor=council.chair)
    now = after_due(first)
    risen = services.escalations_rise_overdue(now=now, among=[second.pk])
    assert [e.pk for e in risen] == [second.pk]
    first.refresh_from_db()
    assert first.stage == Stage.TEAM_MANAGER
    risen = services.escalations_rise_overdue(now=now, among=Escalation.objects.filter(pk=first.pk))
    assert [e.pk for e in risen] == [first.pk]


def test_the_command_prints_what_rose(council: Council, raise_one: Raise) -> None:
    escalation = raise_one(at=timezone.now() - dt.timedelta(days=14))
    out = StringIO()
    call_command("escalate_overdue", stdout=out)
    text = out.getvalue()
    assert escalation.reference in text and "service manager" in text
    assert council.service_manager.full_name in text
    assert "1 escalation rose" in text
    out = StringIO()
    call_command("escalate_overdue", stdout=out)
    assert "No escalation was overdue" in out.getvalue()


# --- clocks --------------------------------------------------------------------------------------


def test_each_stage_has_a_clock_met_by_its_answer(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    clock = deadlines(escalation)[1]
    assert clock.state == DeadlineState.OPEN
    assert clock.due_on == escalation.stages.get().due_on
    services.escalation_respond(
        actor=council.team_manager, escalation=escalation, response=ANSWER, expected_version=None
    )
    clock = deadlines(escalation)[1]
    assert clock.state == DeadlineState.MET and clock.met_late is False
    assert ClockEvent.objects.filter(
        name="escalation-responded", key=f"escalation-{escalation.pk}-1"
    ).exists()


def test_a_risen_stage_clock_is_closed_and_the_next_one_opens(raise_one: Raise) -> None:
    escalation = raise_one()
    now = after_due(escalation)
    services.escalations_rise_overdue(now=now)
    clocks = deadlines(escalation)
    assert clocks[1].state == DeadlineState.CLOSED  # not left open for ever
    assert clocks[1].closed_on == now.date() and clocks[1].closed_on > clocks[1].due_on
    assert clocks[2].state == DeadlineState.OPEN
    assert clocks[2].starts_on == now.date()
    assert len(clocks) == 2


def test_answering_the_new_stage_meets_only_its_own_clock(
    council: Council, raise_one: Raise
) -> None:
    escalation = raise_one()
    services.escalations_rise_overdue(now=after_due(escalation))
    escalation.refresh_from_db()
    services.escalation_respond(
        actor=council.service_manager,
        escalation=escalation,
        response=ANSWER,
        expected_version=None,
        at=after_due(escalation, -2),
    )
    clocks = deadlines(escalation)
    assert clocks[1].state == DeadlineState.CLOSED
    assert clocks[2].state == DeadlineState.MET


def test_withdrawal_closes_the_open_clock(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    services.escalation_withdraw(
        actor=council.iro, escalation=escalation, reason="Sorted out.", expected_version=None
    )
    assert deadlines(escalation)[1].state == DeadlineState.CLOSED


def test_entered_in_error_withdraws_every_clock(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    services.escalations_rise_overdue(now=after_due(escalation))
    escalation.refresh_from_db()
    services.escalation_withdraw(
        actor=council.iro,
        escalation=escalation,
        reason="Raised on the wrong child's record.",
        entered_in_error=True,
        expected_version=None,
    )
    assert deadlines(escalation) == {}
    escalation.refresh_from_db()
    assert escalation.status == Status.WITHDRAWN and escalation.entered_in_error
    assert AuditEvent.objects.filter(action="archive", object_id=str(escalation.pk)).exists()
