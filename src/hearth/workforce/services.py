"""Allocating children's cases, ending allocations, caseload settings and establishment.

Every write is one transaction with an audit event; a lead allocation also tells the timescale
engine who answers for the child's deadlines, so work lists follow the case at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from hearth.core import audit
from hearth.core.choices import AuditAction, RoleCode
from hearth.core.models import Team, User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.notifications.services import notify
from hearth.people.models import Person
from hearth.timescales.services import set_responsibility

from . import selectors
from .codes import CaseRole, ChangeReason, EndReason
from .models import Allocation, CaseWeight, Establishment

LEAD = CaseRole.LEAD_SOCIAL_WORKER
# Who may hold each role on a case.
ROLE_HOLDERS: dict[str, tuple[str, ...]] = {
    CaseRole.LEAD_SOCIAL_WORKER: (
        RoleCode.SOCIAL_WORKER,
        RoleCode.SENIOR_PRACTITIONER,
        RoleCode.TEAM_MANAGER,
    ),
    CaseRole.PERSONAL_ADVISER: (RoleCode.PERSONAL_ADVISER,),
    CaseRole.IRO: (RoleCode.IRO,),
    CaseRole.CONFERENCE_CHAIR: (RoleCode.CONFERENCE_CHAIR, RoleCode.IRO),
    CaseRole.FAMILY_SUPPORT_WORKER: (RoleCode.FAMILY_SUPPORT_WORKER,),
    CaseRole.STUDENT: (RoleCode.SOCIAL_WORKER, RoleCode.FAMILY_SUPPORT_WORKER),
}
MIN_REASON_WORDS = 5


class ThresholdWarning(ValidationError):
    """The worker would pass their team's caseload threshold: the manager must confirm why."""

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        super().__init__(
            {"over_threshold_reason": "Give a reason to allocate above the caseload threshold"}
        )


@dataclass(frozen=True)
class ThresholdCheck:
    worker: User
    units_before: Decimal
    units_after: Decimal
    amber: Decimal
    red: Decimal
    status_after: str

    @property
    def message(self) -> str:
        threshold = self.red if self.status_after == "red" else self.amber
        return (
            f"{self.worker.full_name} would hold {selectors.plain(self.units_after)} weighted"
            f" units, above the {self.status_after} threshold of {selectors.plain(threshold)}"
            " for their hours"
        )


def threshold_check(*, worker: User, people: Sequence[Person]) -> ThresholdCheck:
    """The worker's caseload before and after taking these children."""
    load = selectors.caseload_for(worker)
    weights = selectors.case_weights()
    adding = sum((weights.get(selectors.case_type_of(p), Decimal(1)) for p in people), Decimal(0))
    after = load.units + adding
    return ThresholdCheck(
        worker=worker,
        units_before=load.units,
        units_after=after,
        amber=load.amber_units,
        red=load.red_units,
        status_after=selectors.status_for(after, load.amber_units, load.red_units),
    )


def _worker_team(worker: User) -> Team | None:
    membership = selectors.current_membership(worker)
    return membership.team if membership else None


def _check_worker(worker: User, role: str) -> None:
    if not worker.is_active:
        raise ValidationError({"worker": f"{worker.full_name}'s account is closed"})
    if not worker.has_role(*ROLE_HOLDERS[role]):
        label = CaseRole(role).label.lower()
        raise ValidationError({"worker": f"{worker.full_name} cannot be a child's {label}"})
    if role == LEAD and not worker.swe_registration:
        raise ValidationError(
            {
                "worker": f"{worker.full_name} has no Social Work England registration number:"
                " a lead social worker must be registered"
            }
        )


@transaction.atomic
def allocate(
    *,
    actor: User,
    people: Sequence[Person],
    worker: User,
    role: str = LEAD,
    start_date: dt.date,
    reason: str,
    team: Team | None = None,
    over_threshold_reason: str = "",
    note: str = "",
) -> list[Allocation]:
    """Give the children (one, or brothers and sisters together) this worker in this role.

    A lead allocation ends the current lead's on the same day. If the worker would pass their
    team's amber threshold the allocation is refused with `ThresholdWarning` unless the manager
    gives a reason, which is kept on the allocation.
    """
    if not people:
        raise ValidationError("Choose at least one child to allocate")
    if role not in CaseRole.values:
        raise ValidationError({"role": "Choose a role on the case"})
    if reason not in ChangeReason.values:
        raise ValidationError({"reason": "Choose the reason for the change of worker"})
    if start_date > timezone.localdate():
        raise ValidationError({"start_date": "The allocation cannot start in the future"})
    _check_worker(worker, role)
    over_threshold_reason = over_threshold_reason.strip()
    if role == LEAD:
        check = threshold_check(worker=worker, people=people)
        if check.status_after != "green" and len(over_threshold_reason.split()) < MIN_REASON_WORDS:
            raise ThresholdWarning([check.message])
        if check.status_after == "green":
            over_threshold_reason = ""
    team = team or _worker_team(worker)
    created = []
    for person in people:
        current = Allocation.objects.select_for_update().filter(
            person=person, role=role, end_date__isnull=True
        )
        if role == LEAD:
            # Lead allocations never overlap: the new one starts when the last one ended or later
            # (an allocation entered in error does not count: its dates are not the history).
            last_end = (
                Allocation.objects.filter(person=person, role=LEAD, end_date__isnull=False)
                .exclude(end_reason=EndReason.ENTERED_IN_ERROR)
                .aggregate(last=Max("end_date"))["last"]
            )
            if last_end is not None and start_date < last_end:
                raise ValidationError(
                    {
                        "start_date": f"{person.full_name}'s last social worker's allocation ended"
                        f" on {last_end:%-d %B %Y}: the new allocation must start then or later"
                    }
                )
            for old in current:
                if old.worker_id == worker.pk:
                    raise ValidationError(
                        {
                            "worker": f"{worker.full_name} is already"
                            f" {person.full_name}'s social worker"
                        }
                    )
                if start_date < old.start_date:
                    raise ValidationError(
                        {
                            "start_date": f"{person.full_name}'s current worker started on"
                            f" {old.start_date:%-d %B %Y}: the new allocation must start"
                            " then or later"
                        }
                    )
                _end(actor, old, start_date, EndReason.REALLOCATED)
        elif current.filter(worker=worker).exists():
            raise ValidationError(
                {"worker": f"{worker.full_name} already has this role for {person.full_name}"}
            )
        allocation = Allocation(
            person=person,
            role=role,
            worker=worker,
            team=team,
            start_date=start_date,
            reason=reason,
            allocated_by=actor,
            over_threshold_reason=over_threshold_reason,
            note=note.strip(),
        )
        allocation.full_clean()
        allocation.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=allocation,
            person_id=person.pk,
            changes={
                "role": [None, role],
                "worker": [None, worker.pk],
                "team": [None, team.pk if team else None],
                "start_date": [None, start_date.isoformat()],
                "reason": [None, reason],
                **(
                    {"over_threshold_reason": [None, over_threshold_reason]}
                    if over_threshold_reason
                    else {}
                ),
            },
        )
        if role == LEAD:
            set_responsibility(subject_type="child", subject_id=person.pk, worker=worker, team=team)
        created.append(allocation)
    if worker.pk != actor.pk:
        names = ", ".join(p.full_name for p in people)
        notify(
            recipients=[worker],
            subject=f"You have been allocated {len(people)} child{'ren' if len(people) > 1 else ''}"
            f" as {CaseRole(role).label.lower()}",
            body=f"Allocated by {actor.full_name}: {names}.",
            url=reverse("people:detail", args=[people[0].pk]),
        )
    return created


def _end(actor: User | None, allocation: Allocation, end_date: dt.date, end_reason: str) -> None:
    if end_date < allocation.start_date:
        raise ValidationError(
            {
                "end_date": "The allocation cannot end before it started"
                f" ({allocation.start_date:%-d %B %Y})"
            }
        )
    model_update(
        actor=actor,
        instance=allocation,
        data={"end_date": end_date, "end_reason": end_reason},
        person_id=allocation.person_id,
        action=AuditAction.UPDATE,
    )


@transaction.atomic
def allocation_end(
    *,
    actor: User,
    allocation: Allocation,
    end_date: dt.date,
    end_reason: str,
    expected_version: int | None = None,
) -> Allocation:
    """End one allocation (a lead ending leaves the child unallocated: the queue shows it)."""
    if allocation.end_date is not None:
        raise ValidationError("This allocation has already ended")
    if end_reason not in EndReason.values or end_reason == EndReason.REALLOCATED:
        raise ValidationError({"end_reason": "Choose why the allocation is ending"})
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": "The end date cannot be in the future"})
    if expected_version is not None and expected_version != allocation.version:
        raise ConcurrentEditError
    _end(actor, allocation, end_date, end_reason)
    if allocation.role == LEAD:
        set_responsibility(
            subject_type="child", subject_id=allocation.person_id, worker=None, team=allocation.team
        )
    return allocation


@transaction.atomic
def allocations_end_for_closed_case(*, actor: User | None, person: Person, on: dt.date) -> int:
    """The child's last open episode closed: everyone's role on the case ends that day."""
    ended = 0
    for allocation in Allocation.objects.select_for_update().filter(
        person=person, end_date__isnull=True
    ):
        _end(actor, allocation, max(on, allocation.start_date), EndReason.EPISODE_CLOSED)
        ended += 1
    return ended


@transaction.atomic
def case_transfer_to_team(*, actor: User, person: Person, team: Team) -> None:
    """Send an unallocated child to another team's allocation queue (front door to assessment)."""
    if selectors.current_lead(person) is not None:
        raise ValidationError("The child has a social worker: reallocate instead")
    set_responsibility(subject_type="child", subject_id=person.pk, worker=None, team=team)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=person,
        person_id=person.pk,
        detail=f"Sent to {team.name} for allocation",
    )
    if team.manager_id:
        notify(
            recipients=[team.manager],
            subject="A child is waiting for allocation in your team",
            url=reverse("workforce:queue") + f"?scope=team-{team.pk}",
        )


# --- settings ------------------------------------------------------------------------------------


@transaction.atomic
def case_weight_update(
    *, actor: User, case_type: str, weight: Decimal, expected_version: int | None = None
) -> CaseWeight:
    row, _ = CaseWeight.objects.get_or_create(
        case_type=case_type,
        defaults={"weight": selectors.case_weights().get(case_type, Decimal(1))},
    )
    return model_update(
        actor=actor, instance=row, data={"weight": weight}, expected_version=expected_version
    )


@transaction.atomic
def establishment_set(
    *, actor: User, team: Team, effective_from: dt.date, posts_fte: Decimal, note: str = ""
) -> Establishment:
    """The team's funded social work posts from a date; earlier rows stay as history."""
    if Establishment.objects.filter(team=team, effective_from=effective_from).exists():
        raise ValidationError(
            {"effective_from": "This team already has an establishment from that date"}
        )
    row = Establishment(
        team=team, effective_from=effective_from, social_worker_posts_fte=posts_fte, note=note
    )
    row.full_clean()
    row.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=row,
        changes={"social_worker_posts_fte": [None, str(posts_fte)]},
    )
    return row
