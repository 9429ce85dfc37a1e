"""Visit services: every rule refuses with a message on the field and saves nothing; the clock
(only a seen visit meets it; changes and withdrawal follow); versions and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hearth.core.models import AuditEvent, User
from hearth.core.services import ConcurrentEditError
from hearth.people.tests.factories import make_child
from hearth.timescales.models import ClockEvent, Deadline, DeadlineState
from hearth.visits import selectors, services
from hearth.visits.models import Visit

from .conftest import Case, at, make_action, make_plan, today

pytestmark = pytest.mark.django_db
Record = Callable[..., Visit]


def cin_deadlines(case: Case) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            subject_type="child", subject_id=case.child.pk, rule_code="cin-visit"
        ).order_by("sequence")
    )


def live_events(visit: Visit) -> list[tuple[str, dt.date]]:
    return list(
        ClockEvent.objects.filter(
            source=services.clock_source(visit.pk), withdrawn_at__isnull=True
        ).values_list("name", "occurred_on")
    )


def refused(record: Record, field: str, **values: object) -> str:
    before = Visit.objects.count()
    with pytest.raises(ValidationError) as caught:
        record(**values)
    assert Visit.objects.count() == before
    assert field in caught.value.message_dict, caught.value.message_dict
    return " ".join(caught.value.message_dict[field])


# --- the clock -----------------------------------------------------------------------------------


def test_a_seen_cin_visit_meets_the_cin_visit_deadline(case: Case, record: Record) -> None:
    first = cin_deadlines(case)[0]
    assert first.state == DeadlineState.OPEN
    visit = record(visited_at=at(2))
    assert live_events(visit) == [("cin-visit", today() - dt.timedelta(days=2))]
    deadlines = cin_deadlines(case)
    assert deadlines[0].state == DeadlineState.MET
    assert deadlines[0].met_on == today() - dt.timedelta(days=2)
    assert deadlines[0].met_late is False
    # The next one runs from the visit.
    assert deadlines[1].state == DeadlineState.OPEN
    assert deadlines[1].starts_on == deadlines[0].met_on
    assert selectors.next_visit_due(case.child.pk) == deadlines[1]


def test_a_visit_that_did_not_see_the_child_meets_no_clock(case: Case, record: Record) -> None:
    visit = record(
        child_seen=False,
        seen_alone=None,
        bedroom_seen=None,
        reason_not_seen="No answer at the door; left a card and rang mum to rearrange.",
    )
    assert live_events(visit) == []
    assert [d.state for d in cin_deadlines(case)] == [DeadlineState.OPEN]


def test_other_kinds_record_their_own_event_and_other_visits_none(
    case: Case, record: Record
) -> None:
    cp = record(kind="cp")
    assert [name for name, _ in live_events(cp)] == ["cp-visit"]
    pa = record(kind="pa")
    assert [name for name, _ in live_events(pa)] == ["pa-contact"]
    other = record(kind="other")
    assert live_events(other) == []


def test_withdrawing_reopens_the_deadline(case: Case, record: Record) -> None:
    visit = record()
    assert cin_deadlines(case)[0].state == DeadlineState.MET
    withdrawn = services.visit_withdraw(
        actor=case.worker,
        visit=visit,
        reason="Recorded on the wrong child's record.",
        expected_version=visit.version,
    )
    assert withdrawn.withdrawn_at is not None and withdrawn.withdrawn_by == case.worker
    assert live_events(visit) == []
    assert [d.state for d in cin_deadlines(case)] == [DeadlineState.OPEN]
    assert Visit.objects.filter(pk=visit.pk).exists()  # never deleted
    assert AuditEvent.objects.filter(
        object_type="visits.visit", object_id=str(visit.pk), action="archive"
    ).exists()


def test_withdrawal_needs_a_reason_and_happens_once(case: Case, record: Record) -> None:
    visit = record()
    with pytest.raises(ValidationError) as caught:
        services.visit_withdraw(actor=case.worker, visit=visit, reason=" ", expected_version=None)
    assert "reason" in caught.value.message_dict
    services.visit_withdraw(
        actor=case.worker, visit=visit, reason="Duplicate", expected_version=None
    )
    with pytest.raises(ValidationError, match="already been withdrawn"):
        services.visit_withdraw(
            actor=case.worker, visit=visit, reason="Again", expected_version=None
        )
    with pytest.raises(ValidationError, match="withdrawn"):
        services.visit_update(
            actor=case.worker, visit=visit, data={"observations": "x"}, expected_version=None
        )


def test_changing_the_date_moves_the_event_and_not_seen_withdraws_it(
    case: Case, record: Record
) -> None:
    visit = record(visited_at=at(3))
    visit = services.visit_update(
        actor=case.worker,
        visit=visit,
        data={"visited_at": at(1)},
        expected_version=visit.version,
    )
    assert live_events(visit) == [("cin-visit", today() - dt.timedelta(days=1))]
    assert cin_deadlines(case)[0].met_on == today() - dt.timedelta(days=1)
    visit = services.visit_update(
        actor=case.worker,
        visit=visit,
        data={"child_seen": False, "reason_not_seen": "Mum cancelled: the child was unwell."},
        expected_version=visit.version,
    )
    # The answers that applied only to a seen child went with the change.
    assert visit.seen_alone is None and visit.bedroom_seen is None
    assert live_events(visit) == []
    assert [d.state for d in cin_deadlines(case)] == [DeadlineState.OPEN]
    change = AuditEvent.objects.filter(object_id=str(visit.pk), action="update").latest("pk")
    assert change.changes["child_seen"] == [True, False]
    assert change.changes["seen_alone"] == [True, None]


def test_changing_the_kind_swaps_the_event(case: Case, record: Record) -> None:
    visit = record()
    visit = services.visit_update(
        actor=case.worker, visit=visit, data={"kind": "cp"}, expected_version=visit.version
    )
    assert [name for name, _ in live_events(visit)] == ["cp-visit"]
    visit = services.visit_update(
        actor=case.worker, visit=visit, data={"kind": "other"}, expected_version=visit.version
    )
    assert live_events(visit) == []


def test_a_stale_version_is_refused_and_changes_nothing(case: Case, record: Record) -> None:
    visit = record()
    services.visit_update(
        actor=case.worker, visit=visit, data={"observations": "First"}, expected_version=1
    )
    with pytest.raises(ConcurrentEditError):
        services.visit_update(
            actor=case.worker, visit=visit, data={"observations": "Second"}, expected_version=1
        )
    visit.refresh_from_db()
    assert visit.observations == "First" and visit.version == 2


def test_changing_only_the_actions_is_audited_and_moves_the_version(
    case: Case, record: Record
) -> None:
    visit = record(actions=[case.actions[0]])
    visit = services.visit_update(
        actor=case.worker,
        visit=visit,
        data={"actions": [case.actions[1].pk]},
        expected_version=visit.version,
    )
    assert list(visit.actions.values_list("pk", flat=True)) == [case.actions[1].pk]
    assert visit.version == 2
    change = AuditEvent.objects.filter(object_id=str(visit.pk), action="update").latest("pk")
    assert change.changes["actions"] == [[case.actions[0].pk], [case.actions[1].pk]]


# --- rules ---------------------------------------------------------------------------------------


def test_a_visit_that_did_not_see_the_child_must_say_why(record: Record) -> None:
    message = refused(
        record, "reason_not_seen", child_seen=False, seen_alone=None, bedroom_seen=None
    )
    assert "why the child was not seen" in message


def test_seen_alone_is_asked_when_seen_and_refused_when_not(record: Record) -> None:
    assert "seen alone" in refused(record, "seen_alone", seen_alone=None)
    refused(
        record,
        "seen_alone",
        child_seen=False,
        seen_alone=True,
        bedroom_seen=None,
        reason_not_seen="Not at home.",
    )
    refused(record, "reason_not_seen", reason_not_seen="Not at home.")


def test_not_in_the_future(record: Record) -> None:
    assert "today or in the past" in refused(record, "visited_at", visited_at=at(-1))


def test_not_before_the_childs_date_of_birth(case: Case, record: Record) -> None:
    message = refused(record, "visited_at", visited_at=dt.datetime(2015, 1, 5, 10, tzinfo=dt.UTC))
    assert "date of birth" in message and "4 March 2016" in message


def test_actions_must_be_the_childs(case: Case, record: Record) -> None:
    other = make_child()
    theirs = make_action(
        make_plan(other, case.worker, today() - dt.timedelta(days=30)), "Theirs", case.worker
    )
    assert "not an action in" in refused(record, "actions", actions=[theirs])
    assert "No plan action" in refused(record, "actions", actions=[999_999])


def test_actions_of_an_ended_plan_only_for_visits_while_it_ran(case: Case, record: Record) -> None:
    old = make_plan(
        case.child,
        case.worker,
        today() - dt.timedelta(days=200),
        end_date=today() - dt.timedelta(days=100),
    )
    action = make_action(old, "Attend the parenting course", case.worker)
    assert "had ended" in refused(record, "actions", actions=[action], plan=None)
    during = record(visited_at=at(150), actions=[action])
    assert during.plan == old  # the plan is the actions' plan
    assert list(during.actions.all()) == [action]


def test_the_plan_must_be_the_childs_and_usable(case: Case, record: Record) -> None:
    other = make_child()
    theirs = make_plan(other, case.worker, today() - dt.timedelta(days=30))
    refused(record, "plan", plan=theirs)


def test_actions_and_plan_must_agree(case: Case, record: Record) -> None:
    cp = make_plan(case.child, case.worker, today() - dt.timedelta(days=20), kind="cp")
    assert "not an action in this plan" in refused(
        record, "actions", plan=cp, actions=[case.actions[0]]
    )
    visit = record(plan=case.plan, actions=case.actions)
    assert visit.plan == case.plan
    assert sorted(visit.actions.values_list("pk", flat=True)) == [a.pk for a in case.actions]


def test_the_worker_must_have_an_active_account(
    case: Case, record: Record, make_user: Callable[..., User]
) -> None:
    gone = make_user("social_worker", is_active=False)
    refused(record, "worker", worker=gone)
    assert record(worker=None).worker == case.worker  # the actor by default


def test_recording_is_audited_with_the_values(case: Case, record: Record) -> None:
    visit = record(actions=[case.actions[0]])
    event = AuditEvent.objects.get(object_type="visits.visit", object_id=str(visit.pk))
    assert event.action == "create" and event.person_id == str(case.child.pk)
    assert event.changes["child_seen"] == [None, True]
    assert event.changes["actions"] == [None, [case.actions[0].pk]]


def test_the_database_refuses_seen_alone_for_a_child_not_seen(case: Case) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            person=case.child,
            kind="cin",
            visited_at=at(1),
            child_seen=False,
            seen_alone=True,
            reason_not_seen="Out",
            worker=case.worker,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            person=case.child, kind="cin", visited_at=at(1), child_seen=False, worker=case.worker
        )
