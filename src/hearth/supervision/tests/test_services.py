"""Supervision's rules: who may record, what a session must say, case discussions on the child's
record, actions, management oversight, withdrawal, concurrent edits and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hearth.core.models import AuditEvent
from hearth.core.services import ConcurrentEditError
from hearth.people.tests.factories import make_child
from hearth.supervision import services
from hearth.supervision.models import (
    CaseDiscussion,
    DiscussionAction,
    ManagementOversight,
    SupervisionSession,
)
from hearth.timescales.models import ClockEvent

from .helpers import (
    REASONS,
    REFLECTION,
    WELLBEING_NOTES,
    Service,
    allocate,
    cancelled,
    days_ago,
    held,
)

pytestmark = pytest.mark.django_db


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- recording sessions --------------------------------------------------------------------------


def test_line_manager_records_a_held_session(service: Service) -> None:
    session = held(service.manager, service.worker, next_session_on=days_ago(-18))
    assert session.attended and session.supervisor == service.manager
    assert session.recorded_by == service.manager
    assert session.wellbeing_rating == 2 and session.next_session_on == days_ago(-18)
    event = ClockEvent.objects.get(subject_type="worker", name="supervision")
    assert event.subject_id == service.worker.pk
    assert event.occurred_on == session.session_date
    assert event.source == f"supervision.supervisionsession:{session.pk}"


def test_a_senior_practitioner_in_the_team_records_their_own_sessions(service: Service) -> None:
    session = held(service.senior, service.worker)
    assert session.supervisor == service.senior
    with pytest.raises(ValidationError) as exc:
        held(service.senior, service.worker, on=days_ago(3), supervisor=service.manager)
    assert "only your own sessions" in errors_of(exc)["supervisor"][0]


@pytest.mark.parametrize("who", ["peer", "other_manager", "worker"])
def test_others_cannot_record_a_workers_supervision(service: Service, who: str) -> None:
    actor = getattr(service, who)
    with pytest.raises(ValidationError) as exc:
        held(actor, service.worker)
    assert "supervisor or a manager in their management line" in exc.value.messages[0]
    assert not SupervisionSession.objects.exists()


def test_head_of_service_in_the_line_may_record_a_session_given_by_the_manager(
    service: Service,
) -> None:
    session = held(service.head, service.worker, supervisor=service.manager)
    assert session.supervisor == service.manager and session.recorded_by == service.head


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"session_date": days_ago(-1)}, "session_date", "must be today or in the past"),
        ({"session_date": None}, "session_date", "Enter the date of the session"),
        ({"session_date": days_ago(400)}, "session_date", "on or after Wren Worker started"),
        ({"reflective_discussion": " "}, "reflective_discussion", "Enter what you reflected on"),
        ({"wellbeing_rating": None}, "wellbeing_rating", "Select how the worker says they are"),
        ({"wellbeing_rating": 9}, "wellbeing_rating", "Select how the worker says they are"),
        (
            {"cancellation_reason": "court"},
            "cancellation_reason",
            "A session that was held has no cancellation reason",
        ),
        ({"next_session_on": days_ago(10)}, "next_session_on", "must be after this one"),
        ({"supervisor": None}, "supervisor", "Select the supervisor"),
        ({"status": "maybe"}, "status", "Select whether the session was held or cancelled"),
    ],
)
def test_a_held_session_is_refused_with_a_clear_message(
    service: Service, fields: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        held(service.manager, service.worker, **fields)
    assert message in errors_of(exc)[field][0]
    assert not SupervisionSession.objects.exists()


def test_the_worker_cannot_be_their_own_supervisor_nor_a_social_worker_a_supervisor(
    service: Service,
) -> None:
    with pytest.raises(ValidationError) as exc:
        held(service.manager, service.worker, supervisor=service.worker)
    assert "cannot supervise themselves" in errors_of(exc)["supervisor"][0]
    with pytest.raises(ValidationError) as exc:
        held(service.manager, service.worker, supervisor=service.peer)
    assert "cannot be the supervisor" in errors_of(exc)["supervisor"][0]


def test_one_held_session_per_worker_per_day(service: Service) -> None:
    held(service.manager, service.worker, on=days_ago(4))
    with pytest.raises(ValidationError) as exc:
        held(service.manager, service.worker, on=days_ago(4))
    assert "already recorded" in errors_of(exc)["session_date"][0]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"cancellation_reason": ""}, "cancellation_reason", "Select why the session was"),
        ({"cancellation_reason": "other"}, "cancellation_note", "Enter why the session was"),
        ({"wellbeing_notes": "Tired"}, "status", "A cancelled session has no reflective"),
        ({"wellbeing_rating": 3}, "status", "A cancelled session has no reflective"),
    ],
)
def test_a_cancelled_session_needs_a_reason_and_nothing_else(
    service: Service, fields: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        cancelled(service.manager, service.worker, **fields)
    assert message in errors_of(exc)[field][0]


def test_a_cancelled_session_records_no_clock_event(service: Service) -> None:
    session = cancelled(
        service.manager,
        service.worker,
        cancellation_reason="other",
        cancellation_note="Office closed",
        next_session_on=days_ago(2),
    )
    assert session.status == "cancelled" and session.wellbeing_rating is None
    assert not ClockEvent.objects.filter(name="supervision").exists()


def test_the_database_refuses_a_cancelled_session_without_a_reason(service: Service) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionSession.objects.create(
            worker=service.worker,
            supervisor=service.manager,
            session_date=days_ago(3),
            status="cancelled",
        )


def test_the_audit_trail_never_holds_the_wellbeing_check_or_the_reflection(
    service: Service,
) -> None:
    session = held(service.manager, service.worker)
    services.session_update(
        actor=service.manager,
        session=session,
        data={"wellbeing_notes": "Now sleeping better after the hearing."},
        expected_version=session.version,
    )
    events = AuditEvent.objects.filter(object_type="supervision.supervisionsession")
    assert events.count() == 2
    written = str(list(events.values_list("changes", flat=True)))
    assert "wellbeing_notes" in written  # that it changed is recorded...
    for words in (WELLBEING_NOTES, "sleeping better", REFLECTION):
        assert words not in written  # ...but not what it says


# --- correcting and withdrawing ------------------------------------------------------------------


def test_a_stale_edit_is_refused_and_nothing_changes(service: Service) -> None:
    session = held(service.manager, service.worker)
    opened_at = session.version
    services.session_update(
        actor=service.manager,
        session=session,
        data={"next_session_on": days_ago(-14)},
        expected_version=opened_at,
    )
    stale = SupervisionSession.objects.get(pk=session.pk)
    with pytest.raises(ConcurrentEditError):
        services.session_update(
            actor=service.head,
            session=stale,
            data={"wellbeing_rating": 5},
            expected_version=opened_at,
        )
    session.refresh_from_db()
    assert session.wellbeing_rating == 2 and session.version == opened_at + 1


def test_correcting_the_date_moves_the_clock_event(service: Service) -> None:
    session = held(service.manager, service.worker, on=days_ago(10))
    services.session_update(
        actor=service.manager,
        session=session,
        data={"session_date": days_ago(8)},
        expected_version=session.version,
    )
    events = ClockEvent.objects.filter(name="supervision", withdrawn_at__isnull=True)
    assert list(events.values_list("occurred_on", flat=True)) == [days_ago(8)]


def test_only_the_supervisor_and_the_line_may_correct_a_session(service: Service) -> None:
    session = held(service.senior, service.worker)
    with pytest.raises(ValidationError):
        services.session_update(
            actor=service.other_manager,
            session=session,
            data={"wellbeing_rating": 4},
            expected_version=None,
        )
    services.session_update(
        actor=service.head, session=session, data={"wellbeing_rating": 4}, expected_version=None
    )
    assert SupervisionSession.objects.get(pk=session.pk).wellbeing_rating == 4


def test_withdrawing_a_session_needs_a_reason_and_withdraws_its_clock_event(
    service: Service,
) -> None:
    session = held(service.manager, service.worker)
    with pytest.raises(ValidationError) as exc:
        services.session_withdraw(
            actor=service.manager, session=session, reason=" ", expected_version=None
        )
    assert errors_of(exc)["reason"] == ["Enter why the session is being withdrawn"]
    services.session_withdraw(
        actor=service.manager,
        session=session,
        reason="Recorded for the wrong worker",
        expected_version=session.version,
    )
    session.refresh_from_db()
    assert session.is_withdrawn and session.withdrawn_by == service.manager
    assert SupervisionSession.objects.filter(pk=session.pk).exists()  # kept, not deleted
    event = ClockEvent.objects.get(name="supervision")
    assert event.withdrawn_at is not None
    with pytest.raises(ValidationError, match="withdrawn"):
        services.session_update(
            actor=service.manager,
            session=session,
            data={"wellbeing_rating": 3},
            expected_version=None,
        )


# --- case discussions and actions ----------------------------------------------------------------


def discuss(service: Service, session: SupervisionSession, **fields: Any) -> CaseDiscussion:
    values: dict[str, Any] = {
        "person": service.child,
        "summary": "Reviewed the latest visit and the school's update.",
        "decision": "Continue the plan; visits stay fortnightly.",
        "rationale": REASONS,
    }
    values.update(fields)
    return services.discussion_add(actor=service.manager, session=session, **values)


def test_a_case_discussion_with_actions_goes_on_the_childs_record(service: Service) -> None:
    session = held(service.manager, service.worker, on=days_ago(6))
    discussion = discuss(
        service,
        session,
        actions=[
            services.NewAction("Visit the child alone", service.worker, days_ago(-7)),
            services.NewAction("Update the plan", service.manager, days_ago(-14)),
        ],
    )
    assert discussion.person == service.child and discussion.recorded_by == service.manager
    actions = list(discussion.actions.order_by("due_on"))
    assert [a.owner for a in actions] == [service.worker, service.manager]
    assert all(a.agreed_on == days_ago(6) for a in actions)
    logged = AuditEvent.objects.filter(person_id=str(service.child.pk), action="create")
    assert logged.filter(object_type="supervision.casediscussion").count() == 1
    assert logged.filter(object_type="supervision.discussionaction").count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rationale": ""}, "rationale", "Enter the reasons for the decision"),
        ({"rationale": "Seems fine."}, "rationale", "in at least 10 words"),
        ({"decision": " "}, "decision", "Enter the decision"),
        ({"summary": ""}, "summary", "Enter what was discussed"),
    ],
)
def test_a_case_discussion_needs_a_decision_and_its_reasons(
    service: Service, fields: dict[str, Any], field: str, message: str
) -> None:
    session = held(service.manager, service.worker)
    with pytest.raises(ValidationError) as exc:
        discuss(service, session, **fields)
    assert message in errors_of(exc)[field][0]
    assert not CaseDiscussion.objects.exists()


def test_only_children_the_worker_holds_or_held_are_discussed(service: Service) -> None:
    session = held(service.manager, service.worker)
    with pytest.raises(ValidationError) as exc:
        discuss(service, session, person=service.other_child)
    assert "is not a child Wren Worker holds or has held" in errors_of(exc)["person"][0]
    former = make_child(forename="Ivy")
    allocate(former, service.worker, end_date=days_ago(30), end_reason="reallocated")
    assert discuss(service, session, person=former).person == former
    mistaken = make_child(forename="Arlo")
    allocate(mistaken, service.worker, end_date=days_ago(59), end_reason="entered_in_error")
    with pytest.raises(ValidationError):
        discuss(service, session, person=mistaken)


def test_a_child_is_discussed_once_per_session_and_only_in_a_held_one(service: Service) -> None:
    session = held(service.manager, service.worker)
    discuss(service, session)
    with pytest.raises(ValidationError) as exc:
        discuss(service, session)
    assert "already discussed in this session" in errors_of(exc)["person"][0]
    missed = cancelled(service.manager, service.worker, on=days_ago(2))
    with pytest.raises(ValidationError, match="not cancelled ones"):
        discuss(service, missed)


def test_an_action_needs_an_owner_and_a_due_date_not_before_the_session(
    service: Service,
) -> None:
    session = held(service.manager, service.worker, on=days_ago(6))
    with pytest.raises(ValidationError) as exc:
        discuss(
            service,
            session,
            actions=[services.NewAction("Visit", None, days_ago(8))],
        )
    problems = errors_of(exc)
    assert problems["action_1_owner"] == ["Select who will do it"]
    assert "on or after the session" in problems["action_1_due_on"][0]


def test_completing_an_action(service: Service) -> None:
    session = held(service.manager, service.worker, on=days_ago(6))
    discussion = discuss(
        service, session, actions=[services.NewAction("Visit", service.worker, days_ago(-7))]
    )
    action = discussion.actions.get()
    for day, message in ((days_ago(-1), "today or in the past"), (days_ago(7), "on or after")):
        with pytest.raises(ValidationError) as exc:
            services.action_complete(
                actor=service.worker, action=action, completed_on=day, expected_version=None
            )
        assert message in errors_of(exc)["completed_on"][0]
    services.action_complete(
        actor=service.worker, action=action, completed_on=days_ago(1), expected_version=1
    )
    action.refresh_from_db()
    assert action.completed_on == days_ago(1) and action.completed_by == service.worker
    with pytest.raises(ValidationError, match="was done on"):
        services.action_complete(
            actor=service.worker, action=action, completed_on=days_ago(0), expected_version=None
        )


def test_a_stale_case_discussion_edit_is_refused(service: Service) -> None:
    discussion = discuss(service, held(service.manager, service.worker))
    services.discussion_update(
        actor=service.manager,
        discussion=discussion,
        summary="Reviewed the visit.",
        decision="Increase visits to weekly.",
        rationale=REASONS,
        expected_version=1,
    )
    with pytest.raises(ConcurrentEditError):
        services.discussion_update(
            actor=service.head,
            discussion=CaseDiscussion.objects.get(pk=discussion.pk),
            summary="Reviewed.",
            decision="Close the case.",
            rationale=REASONS,
            expected_version=1,
        )
    assert CaseDiscussion.objects.get(pk=discussion.pk).decision == "Increase visits to weekly."


def test_withdrawing_a_case_discussion_keeps_it_for_the_audit_trail(service: Service) -> None:
    discussion = discuss(service, held(service.manager, service.worker))
    services.discussion_withdraw(
        actor=service.manager,
        discussion=discussion,
        reason="Recorded on the wrong child",
        expected_version=1,
    )
    discussion.refresh_from_db()
    assert discussion.is_withdrawn and discussion.withdrawn_reason == "Recorded on the wrong child"
    assert AuditEvent.objects.filter(
        object_type="supervision.casediscussion", action="archive"
    ).exists()


# --- management oversight ------------------------------------------------------------------------


def test_management_oversight_is_for_managers_and_needs_reasons(service: Service) -> None:
    with pytest.raises(ValidationError, match="Only a manager"):
        services.oversight_record(
            actor=service.worker,
            person=service.child,
            oversight_on=days_ago(1),
            decision="Close",
            rationale=REASONS,
        )
    with pytest.raises(ValidationError) as exc:
        services.oversight_record(
            actor=service.manager,
            person=service.child,
            oversight_on=days_ago(-2),
            decision="",
            rationale="Because.",
        )
    assert set(errors_of(exc)) == {"oversight_on", "decision", "rationale"}
    oversight = services.oversight_record(
        actor=service.manager,
        person=service.child,
        oversight_on=days_ago(1),
        decision="Proceed to an initial child protection conference.",
        rationale=REASONS,
    )
    assert oversight.recorded_by == service.manager
    assert AuditEvent.objects.filter(
        object_type="supervision.managementoversight", person_id=str(service.child.pk)
    ).exists()


def test_oversight_is_changed_by_its_recorder_or_their_managers_only(service: Service) -> None:
    oversight = services.oversight_record(
        actor=service.manager,
        person=service.child,
        oversight_on=days_ago(1),
        decision="Allocate to Wren.",
        rationale=REASONS,
    )
    change: dict[str, Any] = {
        "oversight_on": days_ago(1),
        "decision": "Allocate to Wren; visit this week.",
        "rationale": REASONS,
    }
    with pytest.raises(ValidationError):
        services.oversight_update(
            actor=service.other_manager, oversight=oversight, expected_version=1, **change
        )
    services.oversight_update(actor=service.head, oversight=oversight, expected_version=1, **change)
    with pytest.raises(ConcurrentEditError):
        services.oversight_update(
            actor=service.manager,
            oversight=ManagementOversight.objects.get(pk=oversight.pk),
            expected_version=1,
            **change,
        )
    services.oversight_withdraw(
        actor=service.manager, oversight=oversight, reason="Wrong child", expected_version=2
    )
    assert ManagementOversight.objects.get(pk=oversight.pk).is_withdrawn


def test_actions_are_never_deleted_with_their_discussion(service: Service) -> None:
    discussion = discuss(
        service,
        held(service.manager, service.worker),
        actions=[services.NewAction("Visit", service.worker, days_ago(-7))],
    )
    with pytest.raises(Exception, match="protected"):
        discussion.delete()
    assert DiscussionAction.objects.count() == 1
