"""Allocating, ending and transferring cases; the threshold warning; weights and establishment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from hearth.core.choices import AuditAction, EmploymentType, RoleCode
from hearth.core.models import AuditEvent, Team, User
from hearth.core.services import ConcurrentEditError
from hearth.frontdoor.services import step_down_to_early_help
from hearth.notifications.models import Notification
from hearth.people.models import Person
from hearth.people.tests.factories import make_child
from hearth.timescales.models import ClockSubject, Deadline
from hearth.workforce import selectors, services
from hearth.workforce.codes import CaseRole, CaseType, ChangeReason, EndReason
from hearth.workforce.models import Allocation, CaseWeight, Establishment

from .factories import (
    FIVE_WORDS,
    days_ago,
    episode_of,
    hold,
    make_team,
    make_worker,
    on_cp_plan,
    open_deadline,
    today,
    waiting_child,
)

pytestmark = pytest.mark.django_db
LEAD = CaseRole.LEAD_SOCIAL_WORKER


def allocate(actor: User, people: list[Person], worker: User, **kw: object) -> list[Allocation]:
    kw.setdefault("start_date", today())
    kw.setdefault("reason", ChangeReason.FCONTA)
    return services.allocate(actor=actor, people=people, worker=worker, **kw)  # type: ignore[arg-type]


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# --- allocating a lead social worker -------------------------------------------------------------


def test_first_allocation_records_worker_team_reason_and_who_allocated(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team)
    [allocation] = allocate(manager, [child], worker, note="  Visit this week  ")
    allocation.refresh_from_db()
    assert allocation.role == LEAD and allocation.worker == worker
    assert allocation.team == team  # the worker's team when none is given
    assert allocation.start_date == today() and allocation.end_date is None
    assert allocation.reason == ChangeReason.FCONTA and allocation.allocated_by == manager
    assert allocation.note == "Visit this week"
    assert selectors.current_lead(child) == allocation


def test_reallocating_ends_the_previous_lead_on_the_new_start_date(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team, referral_date=days_ago(30))
    [first] = allocate(manager, [child], worker, start_date=days_ago(20))
    other = make_worker(team)
    [second] = allocate(manager, [child], other, start_date=days_ago(5), reason=ChangeReason.MANAGE)
    first.refresh_from_db()
    assert first.end_date == days_ago(5)
    assert first.end_reason == EndReason.REALLOCATED
    assert second.end_date is None and second.reason == ChangeReason.MANAGE
    assert selectors.current_lead(child) == second
    history = list(selectors.allocation_history(child))
    assert history == [second, first]  # newest first: the rows are the history
    # The change of worker is in the audit trail: the old row's end and the new row.
    ended = AuditEvent.objects.get(
        object_type="workforce.allocation", object_id=str(first.pk), action=AuditAction.UPDATE
    )
    assert ended.person_id == str(child.pk)
    assert ended.changes["end_reason"] == ["", EndReason.REALLOCATED]


def test_a_handover_on_the_same_day_the_current_worker_started_is_allowed(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team)
    [first] = allocate(manager, [child], worker, start_date=days_ago(2))
    allocate(manager, [child], make_worker(team), start_date=days_ago(2))
    first.refresh_from_db()
    assert first.end_date == first.start_date == days_ago(2)


@pytest.mark.parametrize(
    ("roles", "fields", "message"),
    [
        ((RoleCode.FAMILY_SUPPORT_WORKER,), {}, "cannot be a child's lead social worker"),
        ((RoleCode.IRO,), {}, "cannot be a child's lead social worker"),
        ((RoleCode.SOCIAL_WORKER,), {"registered": False}, "no Social Work England registration"),
        ((RoleCode.SOCIAL_WORKER,), {"is_active": False}, "account is closed"),
    ],
)
def test_a_lead_must_be_an_active_registered_social_worker(
    manager: User,
    team: Team,
    roles: tuple[str, ...],
    fields: dict[str, object],
    message: str,
) -> None:
    child = waiting_child(team)
    candidate = make_worker(team, *roles, **fields)
    with pytest.raises(ValidationError) as exc:
        allocate(manager, [child], candidate)
    assert "worker" in exc.value.message_dict
    assert message in messages_of(exc)
    assert not Allocation.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("role", [RoleCode.SENIOR_PRACTITIONER, RoleCode.TEAM_MANAGER])
def test_senior_practitioners_and_team_managers_may_hold_the_lead(
    manager: User, team: Team, role: str
) -> None:
    child = waiting_child(team)
    allocate(manager, [child], make_worker(team, role))
    assert selectors.current_lead(child) is not None


def test_an_allocation_cannot_start_in_the_future(manager: User, worker: User, team: Team) -> None:
    child = waiting_child(team)
    with pytest.raises(ValidationError) as exc:
        allocate(manager, [child], worker, start_date=today() + dt.timedelta(days=1))
    assert "start_date" in exc.value.message_dict
    assert not Allocation.objects.exists()


def test_a_new_lead_cannot_start_before_the_current_lead_started(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team, referral_date=days_ago(30))
    [first] = allocate(manager, [child], worker, start_date=days_ago(10))
    with pytest.raises(ValidationError) as exc:
        allocate(manager, [child], make_worker(team), start_date=days_ago(11))
    assert "start_date" in exc.value.message_dict
    first.refresh_from_db()
    assert first.end_date is None
    assert Allocation.objects.count() == 1


def test_a_new_lead_cannot_start_before_the_last_lead_ended(
    manager: User, worker: User, team: Team
) -> None:
    """Lead allocations never overlap: after a lead ended, the next one starts then or later."""
    child = waiting_child(team, referral_date=days_ago(30))
    [first] = allocate(manager, [child], worker, start_date=days_ago(20))
    services.allocation_end(
        actor=manager, allocation=first, end_date=days_ago(5), end_reason=EndReason.WORKER_LEFT
    )
    with pytest.raises(ValidationError) as exc:
        allocate(manager, [child], make_worker(team), start_date=days_ago(10))
    assert "start_date" in exc.value.message_dict
    assert Allocation.objects.count() == 1
    allocate(manager, [child], make_worker(team), start_date=days_ago(5))
    assert selectors.current_lead(child) is not None


def test_a_lead_entered_in_error_does_not_block_an_earlier_start(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team, referral_date=days_ago(30))
    [wrong] = allocate(manager, [child], worker, start_date=days_ago(2))
    services.allocation_end(
        actor=manager,
        allocation=wrong,
        end_date=days_ago(1),
        end_reason=EndReason.ENTERED_IN_ERROR,
    )
    allocate(manager, [child], make_worker(team), start_date=days_ago(20))
    assert selectors.current_lead(child) is not None


def test_the_same_worker_cannot_be_allocated_again(manager: User, worker: User, team: Team) -> None:
    child = waiting_child(team)
    allocate(manager, [child], worker, start_date=days_ago(3))
    with pytest.raises(ValidationError) as exc:
        allocate(manager, [child], worker)
    assert "already" in messages_of(exc)
    assert Allocation.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"reason": "XXXXXX"}, "reason"), ({"role": "driver"}, "role")],
)
def test_a_reason_and_a_role_from_the_code_lists_are_needed(
    manager: User, worker: User, team: Team, kwargs: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        allocate(manager, [waiting_child(team)], worker, **kwargs)
    assert field in exc.value.message_dict
    assert not Allocation.objects.exists()


def test_at_least_one_child_is_needed(manager: User, worker: User) -> None:
    with pytest.raises(ValidationError):
        allocate(manager, [], worker)


def test_brothers_and_sisters_are_allocated_together_in_one_step(
    manager: User, worker: User, team: Team
) -> None:
    older, younger = waiting_child(team, forename="Ava"), waiting_child(team, forename="Leo")
    created = allocate(manager, [older, younger], worker)
    assert {a.person_id for a in created} == {older.pk, younger.pk}
    assert all(selectors.current_lead(p) for p in (older, younger))
    [note] = Notification.objects.filter(recipient=worker)
    assert note.subject == "You have been allocated 2 children as lead social worker"
    assert "Ava Testchild" in note.body and "Leo Testchild" in note.body
    assert note.url == f"/people/{older.pk}/"


def test_siblings_are_allocated_all_or_none(manager: User, worker: User, team: Team) -> None:
    """If one of the children cannot be allocated, neither is: one transaction."""
    free, held = waiting_child(team), waiting_child(team)
    allocate(manager, [held], worker, start_date=days_ago(1))
    with pytest.raises(ValidationError):
        allocate(manager, [free, held], worker)
    assert selectors.current_lead(free) is None
    assert Allocation.objects.count() == 1


def test_the_worker_is_notified_and_the_allocation_audited(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team)
    [allocation] = allocate(manager, [child], worker)
    note = Notification.objects.get(recipient=worker)
    assert note.subject == "You have been allocated 1 child as lead social worker"
    assert manager.full_name in note.body
    event = AuditEvent.objects.get(
        object_type="workforce.allocation", object_id=str(allocation.pk), action=AuditAction.CREATE
    )
    assert event.actor == manager and event.person_id == str(child.pk)
    assert event.changes["worker"] == [None, worker.pk]
    assert event.changes["reason"] == [None, ChangeReason.FCONTA]
    assert event.changes["team"] == [None, team.pk]


def test_allocating_oneself_sends_no_notification(manager: User, team: Team) -> None:
    manager.swe_registration = "SW765432"
    manager.save()
    allocate(manager, [waiting_child(team)], manager)
    assert not Notification.objects.exists()


def test_the_lead_worker_answers_for_the_childs_deadlines(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team)
    deadline = open_deadline(child, "assessment")
    other_team = make_team(name="Assessment team East")
    allocate(manager, [child], worker, team=other_team)
    deadline.refresh_from_db()
    assert deadline.worker == worker and deadline.team == other_team
    subject = ClockSubject.objects.get(subject_type="child", subject_id=child.pk)
    assert subject.worker == worker and subject.team == other_team
    assert subject.service_area == other_team.service_area


# --- other roles on the case ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "holder_role"),
    [
        (CaseRole.IRO, RoleCode.IRO),
        (CaseRole.CONFERENCE_CHAIR, RoleCode.CONFERENCE_CHAIR),
        (CaseRole.CONFERENCE_CHAIR, RoleCode.IRO),
        (CaseRole.PERSONAL_ADVISER, RoleCode.PERSONAL_ADVISER),
        (CaseRole.FAMILY_SUPPORT_WORKER, RoleCode.FAMILY_SUPPORT_WORKER),
        (CaseRole.STUDENT, RoleCode.SOCIAL_WORKER),
    ],
)
def test_other_roles_sit_beside_the_lead_with_their_own_history(
    manager: User, worker: User, team: Team, role: str, holder_role: str
) -> None:
    child = waiting_child(team)
    [lead] = allocate(manager, [child], worker, start_date=days_ago(10))
    holder = make_worker(None, holder_role, registered=False)
    [first] = allocate(manager, [child], holder, role=role, reason=ChangeReason.OTHERS)
    assert selectors.current_lead(child) == lead  # the lead is untouched
    assert first.over_threshold_reason == ""
    with pytest.raises(ValidationError):  # the same person twice in the role
        allocate(manager, [child], holder, role=role, reason=ChangeReason.OTHERS)
    services.allocation_end(
        actor=manager, allocation=first, end_date=today(), end_reason=EndReason.ROLE_ENDED
    )
    successor = make_worker(None, holder_role, registered=False)
    allocate(manager, [child], successor, role=role, reason=ChangeReason.OTHERS)
    rows = Allocation.objects.filter(person=child, role=role).order_by("id")
    assert [(a.worker, a.end_reason) for a in rows] == [
        (holder, EndReason.ROLE_ENDED),
        (successor, ""),
    ]
    # Ending another role never touches who answers for the deadlines.
    assert ClockSubject.objects.get(subject_id=child.pk).worker == worker


@pytest.mark.parametrize(
    ("role", "holder_role"),
    [
        (CaseRole.IRO, RoleCode.SOCIAL_WORKER),
        (CaseRole.PERSONAL_ADVISER, RoleCode.SOCIAL_WORKER),
        (CaseRole.CONFERENCE_CHAIR, RoleCode.TEAM_MANAGER),
        (CaseRole.STUDENT, RoleCode.IRO),
    ],
)
def test_other_roles_need_the_matching_job(
    manager: User, team: Team, role: str, holder_role: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        allocate(
            manager,
            [waiting_child(team)],
            make_worker(None, holder_role),
            role=role,
            reason=ChangeReason.OTHERS,
        )
    assert "worker" in exc.value.message_dict
    assert not Allocation.objects.exists()


# --- the caseload threshold ----------------------------------------------------------------------


def test_passing_amber_is_refused_with_a_warning_naming_the_worker_and_units(
    manager: User, worker: User, team: Team
) -> None:
    hold(worker, 18, team=team)  # amber at 18 for a full-time worker
    child = waiting_child(team)
    with pytest.raises(services.ThresholdWarning) as exc:
        allocate(manager, [child], worker)
    [warning] = exc.value.warnings
    assert warning == (
        "Sam Worker would hold 19 weighted units, above the amber threshold of 18 for their hours"
    )
    assert "over_threshold_reason" in exc.value.message_dict
    assert selectors.current_lead(child) is None
    assert not Notification.objects.exists()


def test_reaching_amber_exactly_needs_no_reason(manager: User, worker: User, team: Team) -> None:
    hold(worker, 17, team=team)
    child = waiting_child(team)
    [allocation] = allocate(manager, [child], worker, over_threshold_reason=FIVE_WORDS)
    assert allocation.over_threshold_reason == ""  # green: a reason is not kept


def test_a_part_time_workers_threshold_is_scaled_by_their_hours(manager: User, team: Team) -> None:
    half = make_worker(team, fte="0.5", first_name="Hal", last_name="Half")
    full = make_worker(team, fte="1")
    hold(half, 9, team=team)
    hold(full, 9, team=team)
    allocate(manager, [waiting_child(team)], full)  # 10 of 18: fine
    with pytest.raises(services.ThresholdWarning) as exc:
        allocate(manager, [waiting_child(team)], half)  # 10 of 9
    assert exc.value.warnings == [
        "Hal Half would hold 10 weighted units, above the amber threshold of 9 for their hours"
    ]


def test_the_teams_own_thresholds_apply(manager: User, team: Team) -> None:
    strict = make_team(name="Strict team", caseload_amber=4, caseload_red=6)
    w = make_worker(strict, first_name="Rae", last_name="Red")
    hold(w, 6, team=strict)
    with pytest.raises(services.ThresholdWarning) as exc:
        allocate(manager, [waiting_child(team)], w)
    assert exc.value.warnings == [
        "Rae Red would hold 7 weighted units, above the red threshold of 6 for their hours"
    ]


@pytest.mark.parametrize("reason", ["", "   ", "Nobody else", "Four words only here"])
def test_a_reason_under_five_words_does_not_confirm(
    manager: User, worker: User, team: Team, reason: str
) -> None:
    hold(worker, 18, team=team)
    child = waiting_child(team)
    with pytest.raises(services.ThresholdWarning):
        allocate(manager, [child], worker, over_threshold_reason=reason)
    assert selectors.current_lead(child) is None


def test_a_reason_of_five_words_confirms_and_is_kept(
    manager: User, worker: User, team: Team
) -> None:
    hold(worker, 18, team=team)
    child = waiting_child(team)
    [allocation] = allocate(manager, [child], worker, over_threshold_reason=f"  {FIVE_WORDS}  ")
    allocation.refresh_from_db()
    assert allocation.over_threshold_reason == FIVE_WORDS
    event = AuditEvent.objects.get(
        object_type="workforce.allocation", object_id=str(allocation.pk), action=AuditAction.CREATE
    )
    assert event.changes["over_threshold_reason"] == [None, FIVE_WORDS]


def test_siblings_count_together_against_the_threshold(
    manager: User, worker: User, team: Team
) -> None:
    hold(worker, 17, team=team)
    with pytest.raises(services.ThresholdWarning) as exc:
        allocate(manager, [waiting_child(team), waiting_child(team)], worker)
    assert "would hold 19 weighted units" in exc.value.warnings[0]


def test_a_child_protection_case_weighs_one_and_a_half(
    manager: User, worker: User, team: Team
) -> None:
    hold(worker, 17, team=team)
    child_in_need, protected = waiting_child(team), waiting_child(team)
    on_cp_plan(protected)
    assert selectors.case_type_of(protected) == CaseType.CHILD_PROTECTION
    assert selectors.case_type_of(child_in_need) == CaseType.CHILD_IN_NEED
    with pytest.raises(services.ThresholdWarning) as exc:
        allocate(manager, [protected], worker)  # 17 + 1.5 = 18.5
    assert "would hold 18.5 weighted units" in exc.value.warnings[0]
    allocate(manager, [child_in_need], worker)  # 17 + 1 = 18: at amber, not above


def test_changed_weights_change_the_warning(manager: User, worker: User, team: Team) -> None:
    hold(worker, 17, team=team)
    child = waiting_child(team)
    services.case_weight_update(
        actor=manager, case_type=CaseType.CHILD_IN_NEED, weight=Decimal("0.5")
    )
    # 17 held children now count 8.5; this one takes it to 9.
    assert services.threshold_check(worker=worker, people=[child]).units_after == Decimal("9")
    services.case_weight_update(actor=manager, case_type=CaseType.CHILD_IN_NEED, weight=Decimal(2))
    with pytest.raises(services.ThresholdWarning) as exc:
        allocate(manager, [child], worker)
    assert "would hold 36 weighted units, above the red threshold of 22" in exc.value.warnings[0]


def test_other_roles_are_not_checked_against_the_threshold(manager: User, team: Team) -> None:
    iro = make_worker(None, RoleCode.IRO, registered=False)
    hold(iro, 40, role=CaseRole.IRO)
    allocate(manager, [waiting_child(team)], iro, role=CaseRole.IRO, reason=ChangeReason.OTHERS)
    assert Allocation.objects.filter(worker=iro).count() == 41


# --- ending allocations ---------------------------------------------------------------------------


def test_ending_the_lead_puts_the_child_back_on_the_queue_that_day(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team, referral_date=days_ago(40))
    open_deadline(child, "assessment")
    [allocation] = allocate(manager, [child], worker, start_date=days_ago(30))
    assert selectors.unallocated_children() == []
    services.allocation_end(
        actor=manager, allocation=allocation, end_date=days_ago(3), end_reason=EndReason.WORKER_LEFT
    )
    allocation.refresh_from_db()
    assert allocation.end_date == days_ago(3) and allocation.end_reason == EndReason.WORKER_LEFT
    [waiting] = selectors.unallocated_children()
    assert waiting.person_id == child.pk
    assert waiting.unallocated_since == days_ago(3)
    assert waiting.previous_worker == worker.full_name
    # Nobody answers for the deadlines now; the team still does.
    deadline = Deadline.objects.get(subject_id=child.pk)
    assert deadline.worker is None and deadline.team == team


@pytest.mark.parametrize(
    ("end_date", "end_reason", "field"),
    [
        (1, EndReason.WORKER_LEFT, "end_date"),  # tomorrow
        (0, EndReason.REALLOCATED, "end_reason"),  # only allocating someone else reallocates
        (0, "bored", "end_reason"),
        (-20, EndReason.WORKER_LEFT, "end_date"),  # before it started
    ],
)
def test_ending_refuses_bad_dates_and_reasons(
    manager: User, worker: User, team: Team, end_date: int, end_reason: str, field: str
) -> None:
    child = waiting_child(team, referral_date=days_ago(30))
    [allocation] = allocate(manager, [child], worker, start_date=days_ago(10))
    with pytest.raises(ValidationError) as exc:
        services.allocation_end(
            actor=manager,
            allocation=allocation,
            end_date=today() + dt.timedelta(days=end_date),
            end_reason=end_reason,
        )
    assert field in exc.value.message_dict
    allocation.refresh_from_db()
    assert allocation.end_date is None


def test_an_ended_allocation_cannot_be_ended_again(manager: User, worker: User, team: Team) -> None:
    [allocation] = allocate(manager, [waiting_child(team)], worker)
    services.allocation_end(
        actor=manager, allocation=allocation, end_date=today(), end_reason=EndReason.WORKER_LEFT
    )
    with pytest.raises(ValidationError):
        services.allocation_end(
            actor=manager, allocation=allocation, end_date=today(), end_reason=EndReason.ROLE_ENDED
        )


def test_ending_detects_a_concurrent_change(manager: User, worker: User, team: Team) -> None:
    [allocation] = allocate(manager, [waiting_child(team)], worker)
    with pytest.raises(ConcurrentEditError):
        services.allocation_end(
            actor=manager,
            allocation=allocation,
            end_date=today(),
            end_reason=EndReason.WORKER_LEFT,
            expected_version=allocation.version + 1,
        )
    allocation.refresh_from_db()
    assert allocation.end_date is None


def test_closing_the_case_ends_every_role_on_it(manager: User, worker: User, team: Team) -> None:
    child = waiting_child(team, referral_date=days_ago(30))
    allocate(manager, [child], worker, start_date=days_ago(20))
    iro = make_worker(None, RoleCode.IRO, registered=False)
    allocate(manager, [child], iro, role=CaseRole.IRO, reason=ChangeReason.OTHERS)  # from today
    other = waiting_child(team)
    allocate(manager, [other], worker)
    ended = services.allocations_end_for_closed_case(actor=manager, person=child, on=days_ago(2))
    assert ended == 2
    rows = {a.role: a for a in Allocation.objects.filter(person=child)}
    assert rows[LEAD].end_date == days_ago(2)
    assert rows[CaseRole.IRO].end_date == today()  # started after the date: ends as it starts
    assert {a.end_reason for a in rows.values()} == {EndReason.EPISODE_CLOSED}
    assert selectors.current_lead(other) is not None  # other children untouched


def test_stepping_down_to_early_help_ends_the_allocations(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team, referral_date=days_ago(30))
    allocate(manager, [child], worker, start_date=days_ago(20))
    allocate(
        manager,
        [child],
        make_worker(None, RoleCode.FAMILY_SUPPORT_WORKER),
        role=CaseRole.FAMILY_SUPPORT_WORKER,
        reason=ChangeReason.OTHERS,
        start_date=days_ago(10),
    )
    step_down_to_early_help(
        actor=manager, episode=episode_of(child), on=days_ago(1), reason="Family support needed"
    )
    assert not Allocation.objects.filter(person=child, end_date__isnull=True).exists()
    assert set(Allocation.objects.filter(person=child).values_list("end_date", "end_reason")) == {
        (days_ago(1), EndReason.EPISODE_CLOSED)
    }
    # The episode is closed, so the child is not waiting for a worker either.
    assert selectors.unallocated_children() == []


# --- sending a child to another team's queue ----------------------------------------------------


def test_an_unallocated_child_can_be_sent_to_another_teams_queue(manager: User, team: Team) -> None:
    child = waiting_child(team)
    long_term = make_team(name="Children in Care Team")
    long_term_manager = make_worker(long_term, RoleCode.TEAM_MANAGER)
    long_term.manager = long_term_manager
    long_term.save()
    services.case_transfer_to_team(actor=manager, person=child, team=long_term)
    [waiting] = selectors.unallocated_children(teams=Team.objects.filter(pk=long_term.pk))
    assert waiting.person_id == child.pk and waiting.team_name == "Children in Care Team"
    assert selectors.unallocated_children(teams=Team.objects.filter(pk=team.pk)) == []
    note = Notification.objects.get(recipient=long_term_manager)
    assert note.url == f"/workforce/allocation/?scope=team-{long_term.pk}"
    assert AuditEvent.objects.filter(
        person_id=str(child.pk), detail="Sent to Children in Care Team for allocation"
    ).exists()


def test_a_child_with_a_social_worker_is_reallocated_not_sent(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team)
    allocate(manager, [child], worker)
    with pytest.raises(ValidationError):
        services.case_transfer_to_team(actor=manager, person=child, team=make_team())
    assert ClockSubject.objects.get(subject_id=child.pk).team == team


# --- settings ------------------------------------------------------------------------------------


def test_a_case_weight_is_saved_audited_and_checked_for_concurrent_edits(manager: User) -> None:
    row = services.case_weight_update(
        actor=manager, case_type=CaseType.CHILD_PROTECTION, weight=Decimal("2")
    )
    assert selectors.case_weights()[CaseType.CHILD_PROTECTION] == Decimal("2")
    assert AuditEvent.objects.filter(object_type="workforce.caseweight").exists()
    version = row.version
    services.case_weight_update(
        actor=manager,
        case_type=CaseType.CHILD_PROTECTION,
        weight=Decimal("2.5"),
        expected_version=version,
    )
    with pytest.raises(ConcurrentEditError):  # a second editor who opened the same version
        services.case_weight_update(
            actor=manager,
            case_type=CaseType.CHILD_PROTECTION,
            weight=Decimal("3"),
            expected_version=version,
        )
    assert CaseWeight.objects.get(case_type=CaseType.CHILD_PROTECTION).weight == Decimal("2.5")


def test_a_negative_weight_is_refused(manager: User) -> None:
    with pytest.raises(ValidationError):
        services.case_weight_update(
            actor=manager, case_type=CaseType.CHILD_IN_NEED, weight=Decimal("-1")
        )
    assert selectors.case_weights()[CaseType.CHILD_IN_NEED] == Decimal("1")


def test_establishment_is_set_from_a_date_and_keeps_its_history(manager: User, team: Team) -> None:
    services.establishment_set(
        actor=manager, team=team, effective_from=days_ago(100), posts_fte=Decimal("10")
    )
    services.establishment_set(
        actor=manager, team=team, effective_from=days_ago(10), posts_fte=Decimal("12.5")
    )
    assert list(team.establishment.values_list("social_worker_posts_fte", flat=True)) == [
        Decimal("12.5"),
        Decimal("10"),
    ]
    with pytest.raises(ValidationError) as exc:
        services.establishment_set(
            actor=manager, team=team, effective_from=days_ago(10), posts_fte=Decimal("14")
        )
    assert "effective_from" in exc.value.message_dict
    assert Establishment.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="workforce.establishment").count() == 2


def test_a_negative_establishment_is_refused(manager: User, team: Team) -> None:
    with pytest.raises(ValidationError):
        services.establishment_set(
            actor=manager, team=team, effective_from=today(), posts_fte=Decimal("-1")
        )
    assert not Establishment.objects.exists()


def test_an_agency_worker_is_allocated_like_anyone_else(manager: User, team: Team) -> None:
    agency = make_worker(team, employment_type=EmploymentType.AGENCY)
    child = make_child()
    allocate(manager, [child], agency)
    assert selectors.caseload_for(agency).children == 1
