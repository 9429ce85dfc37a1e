"""Raising, answering, resolving, accepting and disputing, withdrawing; who owns each stage and
who may raise one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from hearth.core.models import AuditEvent, User
from hearth.core.services import ConcurrentEditError
from hearth.core.tests.factories import TeamFactory
from hearth.escalations import policies, services
from hearth.escalations.models import (
    Acceptance,
    Escalation,
    EscalationStage,
    RaiserRole,
    Stage,
    Status,
)
from hearth.frontdoor import services as frontdoor
from hearth.notifications.models import Notification
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.timescales.models import ClockSubject
from hearth.timescales.selectors import working_calendar

from .conftest import (
    ANOTHER_ANSWER,
    ANSWER,
    CONCERN,
    DISPUTE,
    OUTCOME,
    Council,
    allocate,
    days_later,
)

pytestmark = pytest.mark.django_db
Raise = Callable[..., Escalation]


# --- raising -------------------------------------------------------------------------------------


def test_raising_starts_the_first_stage_with_the_lead_workers_team_manager(
    council: Council, raise_one: Raise
) -> None:
    escalation = raise_one()
    assert escalation.status == Status.OPEN
    assert escalation.stage == Stage.TEAM_MANAGER
    assert escalation.owner == council.team_manager
    assert escalation.raiser_role == RaiserRole.IRO  # the default role, and the IRO's only one
    stage = escalation.stages.get()
    assert stage.owner == council.team_manager
    started = stage.started_at.date()
    assert stage.due_on == working_calendar().add_working_days(started, 5)
    event = AuditEvent.objects.get(object_type="escalations.escalation", action="create")
    assert event.person_id == str(council.child.pk)
    note = Notification.objects.get(recipient=council.team_manager)
    assert escalation.reference in note.subject
    assert council.child.full_name not in note.subject + note.body  # no case detail


def test_a_chair_social_worker_and_partner_may_raise_but_not_someone_without_a_role(
    council: Council, raise_one: Raise, make_user: Callable[..., User]
) -> None:
    assert raise_one(actor=council.chair).raiser_role == RaiserRole.CONFERENCE_CHAIR
    assert raise_one(actor=council.social_worker).raiser_role == RaiserRole.LEAD
    stranger = make_user("social_worker")
    with pytest.raises(ValidationError) as refused:
        raise_one(actor=stranger)
    assert "hold a role" in str(refused.value)
    manager_elsewhere = make_user("team_manager")
    assert not policies.may_raise(manager_elsewhere, council.child)


def test_a_partner_raises_only_about_a_child_they_referred(
    council: Council, raise_one: Raise, make_user: Callable[..., User]
) -> None:
    partner = make_user("partner_agency")
    assert not policies.may_raise(partner, council.child)
    with pytest.raises(ValidationError):
        raise_one(actor=partner)
    submission = frontdoor.contact_submit(
        actor=partner,
        new=frontdoor.NewContact(
            received_at=days_later(-30),
            source="6",
            concerns="Police attended the home after neighbours reported shouting overnight.",
            children=[frontdoor.ChildDetails(forename="Ava", surname="Testchild")],
            channel="partner",
        ),
    )
    contact = submission.contacts.get()
    assert not policies.may_raise(partner, council.child)  # not yet linked to the record
    contact.person = council.child
    contact.save()
    escalation = raise_one(actor=partner)
    assert escalation.raiser_role == RaiserRole.PARTNER_AGENCY
    assert escalation.contact == contact
    assert escalation.owner == council.team_manager


def test_a_role_the_raiser_does_not_hold_is_refused(council: Council, raise_one: Raise) -> None:
    allocate(council.child, council.iro, "personal_adviser")
    assert policies.raiser_roles(council.iro, council.child) == ["iro", "personal_adviser"]
    assert raise_one(raiser_role="personal_adviser").raiser_role == "personal_adviser"
    with pytest.raises(ValidationError) as refused:
        raise_one(raiser_role="lead")
    assert "raiser_role" in refused.value.message_dict


def test_concern_and_outcome_are_required(raise_one: Raise) -> None:
    with pytest.raises(ValidationError) as refused:
        raise_one(concern="  ", outcome_sought="")
    assert set(refused.value.message_dict) == {"concern", "outcome_sought"}
    assert not Escalation.objects.exists()


# --- owners --------------------------------------------------------------------------------------


def test_an_unallocated_child_goes_to_the_team_answerable_for_their_deadlines(
    council: Council, make_user: Callable[..., User]
) -> None:
    other_manager = make_user("team_manager", line_manager=council.service_manager)
    answerable = TeamFactory(manager=other_manager)
    child = make_child()
    open_cin_episode(child, referral_team=council.team)
    chair = make_user("conference_chair")
    allocate(child, chair, "conference_chair")
    ClockSubject.objects.create(subject_type="child", subject_id=child.pk, team=answerable)
    escalation = services.escalation_raise(
        actor=chair, person=child, concern=CONCERN, outcome_sought=OUTCOME
    )
    assert escalation.owner == other_manager


def test_then_the_team_of_the_referral(council: Council, make_user: Callable[..., User]) -> None:
    child = make_child()
    open_cin_episode(child, referral_team=council.team)
    chair = make_user("conference_chair")
    allocate(child, chair, "conference_chair")
    escalation = services.escalation_raise(
        actor=chair, person=child, concern=CONCERN, outcome_sought=OUTCOME
    )
    assert escalation.owner == council.team_manager


def test_no_answerable_team_is_refused_with_a_reason(make_user: Callable[..., User]) -> None:
    child = make_child()
    chair = make_user("conference_chair")
    allocate(child, chair, "conference_chair")
    with pytest.raises(ValidationError) as refused:
        services.escalation_raise(
            actor=chair, person=child, concern=CONCERN, outcome_sought=OUTCOME
        )
    assert "No team is answerable" in str(refused.value)


def test_an_inactive_team_manager_is_skipped(council: Council, raise_one: Raise) -> None:
    council.team_manager.is_active = False
    council.team_manager.save()
    escalation = raise_one()
    assert escalation.owner == council.service_manager
    assert escalation.stage == Stage.TEAM_MANAGER  # the first stage, owned by the next manager


def test_the_chain_rises_through_line_managers_to_the_director(
    council: Council, raise_one: Raise
) -> None:
    escalation = raise_one()
    directory = services.DatabaseDirectory()
    chain = []
    stage, owner = escalation.stage, escalation.owner_id
    while True:
        step = services.routing.next_stage(directory, stage, owner, council.iro.pk)
        if step is None:
            break
        stage, owner = step
        chain.append((stage, owner))
    assert chain == [
        (Stage.SERVICE_MANAGER, council.service_manager.pk),
        (Stage.HEAD_OF_SERVICE, council.head.pk),
        (Stage.DIRECTOR, council.director.pk),
    ]


def test_the_chain_skips_inactive_managers_and_a_broken_line_reaches_the_director(
    council: Council, make_user: Callable[..., User], raise_one: Raise
) -> None:
    council.service_manager.is_active = False
    council.service_manager.save()
    directory = services.DatabaseDirectory()
    step = services.routing.next_stage(directory, 1, council.team_manager.pk, council.iro.pk)
    assert step == (Stage.SERVICE_MANAGER, council.head.pk)
    orphan = make_user("team_manager")  # no line manager recorded
    step = services.routing.next_stage(directory, 1, orphan.pk, council.iro.pk)
    assert step == (Stage.DIRECTOR, council.director.pk)
    assert services.routing.next_stage(directory, 4, council.director.pk, council.iro.pk) is None


# --- answering and resolving ---------------------------------------------------------------------


def test_the_owner_answers_and_the_raiser_is_told(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    answered = services.escalation_respond(
        actor=council.team_manager,
        escalation=escalation,
        response=ANSWER,
        expected_version=escalation.version,
    )
    stage = answered.stages.get()
    assert stage.response == ANSWER and stage.responded_by == council.team_manager
    assert answered.status == Status.OPEN  # the raiser says whether it resolves it
    assert answered.version == escalation.version + 1
    assert Notification.objects.filter(recipient=council.iro).exists()
    with pytest.raises(ValidationError):  # one answer per stage
        services.escalation_respond(
            actor=council.team_manager,
            escalation=answered,
            response=ANSWER,
            expected_version=answered.version,
        )


def test_only_the_owner_answers_and_a_short_answer_is_refused(
    council: Council, raise_one: Raise
) -> None:
    escalation = raise_one()
    with pytest.raises(ValidationError):
        services.escalation_respond(
            actor=council.service_manager,
            escalation=escalation,
            response=ANSWER,
            expected_version=None,
        )
    with pytest.raises(ValidationError) as refused:
        services.escalation_respond(
            actor=council.team_manager,
            escalation=escalation,
            response="Noted, thanks.",
            expected_version=None,
        )
    assert "response" in refused.value.message_dict


def test_a_stale_version_is_refused(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    with pytest.raises(ConcurrentEditError):
        services.escalation_respond(
            actor=council.team_manager,
            escalation=escalation,
            response=ANSWER,
            expected_version=escalation.version - 1,
        )
    assert not EscalationStage.objects.filter(responded_at__isnull=False).exists()


def test_resolving_answers_an_unanswered_stage_and_asks_the_raiser(
    council: Council, raise_one: Raise
) -> None:
    escalation = raise_one()
    resolved = services.escalation_resolve(
        actor=council.team_manager,
        escalation=escalation,
        resolution=ANSWER,
        expected_version=escalation.version,
    )
    assert resolved.status == Status.RESOLVED
    assert resolved.resolution == ANSWER and resolved.resolved_by == council.team_manager
    assert resolved.raiser_accepted == Acceptance.NOT_YET
    stage = resolved.stages.get()
    assert stage.response == ANSWER and stage.ended_at is not None


def test_the_raiser_accepts_an_answer_which_resolves_it(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    escalation = services.escalation_respond(
        actor=council.team_manager, escalation=escalation, response=ANSWER, expected_version=None
    )
    accepted = services.escalation_accept(
        actor=council.iro, escalation=escalation, comment="Thank you.", expected_version=None
    )
    assert accepted.status == Status.RESOLVED
    assert accepted.raiser_accepted == Acceptance.YES
    assert accepted.resolution == ANSWER and accepted.resolved_by == council.team_manager
    with pytest.raises(ValidationError):  # a reply once
        services.escalation_accept(actor=council.iro, escalation=accepted, expected_version=None)


def test_only_the_raiser_replies_and_only_to_an_answer(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    with pytest.raises(ValidationError) as refused:
        services.escalation_accept(actor=council.iro, escalation=escalation, expected_version=None)
    assert "no answer" in str(refused.value)
    escalation = services.escalation_respond(
        actor=council.team_manager, escalation=escalation, response=ANSWER, expected_version=None
    )
    with pytest.raises(ValidationError):
        services.escalation_accept(
            actor=council.team_manager, escalation=escalation, expected_version=None
        )


def test_disputing_and_asking_to_rise_takes_it_to_the_service_manager(
    council: Council, raise_one: Raise
) -> None:
    escalation = raise_one()
    escalation = services.escalation_resolve(
        actor=council.team_manager, escalation=escalation, resolution=ANSWER, expected_version=None
    )
    risen = services.escalation_dispute(
        actor=council.iro, escalation=escalation, comment=DISPUTE, rise=True, expected_version=None
    )
    assert risen.status == Status.OPEN
    assert risen.stage == Stage.SERVICE_MANAGER and risen.owner == council.service_manager
    assert risen.resolution == "" and risen.resolved_at is None
    first, second = risen.stages.order_by("stage")
    assert first.raiser_reply == "disputed" and first.raiser_comment == DISPUTE
    assert first.resolution == ANSWER  # the earlier resolution stays on the record
    assert not second.rose_automatically
    assert Notification.objects.filter(recipient=council.service_manager).exists()


def test_disputing_without_rising_closes_it_not_accepted(
    council: Council, raise_one: Raise
) -> None:
    escalation = raise_one()
    escalation = services.escalation_respond(
        actor=council.team_manager, escalation=escalation, response=ANSWER, expected_version=None
    )
    closed = services.escalation_dispute(
        actor=council.iro, escalation=escalation, comment=DISPUTE, rise=False, expected_version=None
    )
    assert closed.status == Status.RESOLVED
    assert closed.raiser_accepted == Acceptance.NO and closed.raiser_comment == DISPUTE


def test_a_dispute_needs_reasons(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    escalation = services.escalation_respond(
        actor=council.team_manager, escalation=escalation, response=ANSWER, expected_version=None
    )
    with pytest.raises(ValidationError) as refused:
        services.escalation_dispute(
            actor=council.iro,
            escalation=escalation,
            comment="No.",
            rise=True,
            expected_version=None,
        )
    assert "comment" in refused.value.message_dict


def test_the_director_stage_cannot_rise_on_dispute(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    for owner, answer in (
        (council.team_manager, ANSWER),
        (council.service_manager, ANOTHER_ANSWER),
        (council.head, ANSWER),
    ):
        escalation = services.escalation_respond(
            actor=owner, escalation=escalation, response=answer, expected_version=None
        )
        escalation = services.escalation_dispute(
            actor=council.iro,
            escalation=escalation,
            comment=DISPUTE,
            rise=True,
            expected_version=None,
        )
    assert escalation.stage == Stage.DIRECTOR and escalation.owner == council.director
    escalation = services.escalation_respond(
        actor=council.director, escalation=escalation, response=ANSWER, expected_version=None
    )
    with pytest.raises(ValidationError) as refused:
        services.escalation_dispute(
            actor=council.iro,
            escalation=escalation,
            comment=DISPUTE,
            rise=True,
            expected_version=None,
        )
    assert "rise" in refused.value.message_dict
    assert escalation.stages.count() == 4


# --- withdrawal ----------------------------------------------------------------------------------


def test_the_raiser_withdraws_and_the_owner_is_told(council: Council, raise_one: Raise) -> None:
    escalation = raise_one()
    with pytest.raises(ValidationError):
        services.escalation_withdraw(
            actor=council.team_manager,
            escalation=escalation,
            reason="Not needed.",
            expected_version=None,
        )
    withdrawn = services.escalation_withdraw(
        actor=council.iro,
        escalation=escalation,
        reason="Resolved in a conversation with the manager.",
        expected_version=None,
    )
    assert withdrawn.status == Status.WITHDRAWN and not withdrawn.entered_in_error
    assert withdrawn.stages.get().ended_at is not None
    assert Notification.objects.filter(
        recipient=council.team_manager, subject__contains="withdrawn"
    ).exists()
    assert Escalation.objects.filter(pk=escalation.pk).exists()  # nothing is deleted


def test_dates_are_checked_by_the_database(council: Council, raise_one: Raise) -> None:
    from django.db import IntegrityError, transaction

    escalation = raise_one()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Escalation.objects.filter(pk=escalation.pk).update(
            status=Status.RESOLVED,
            resolution="Done",
            resolved_by=council.team_manager,
            resolved_at=escalation.raised_at - dt.timedelta(days=1),
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        EscalationStage.objects.filter(escalation=escalation).update(
            due_on=escalation.raised_at.date() - dt.timedelta(days=3)
        )
