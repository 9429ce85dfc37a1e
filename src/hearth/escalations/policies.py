"""Who may see, raise and act on which escalation.

- Staff who may open the child's record see the child's escalations (restricted children only for
  their named staff). A record the user may not see is "not found" (404).
- A partner agency user never sees case records: they see only the escalations they raised, with
  the answers, and raise them only about children they referred to the front door.
- Anyone with a current role on the child's case (lead social worker, IRO, conference chair,
  personal adviser...) may raise one.
- Only the current stage's owner answers and resolves it; only the raiser accepts, disputes or
  withdraws it.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.frontdoor.models import Contact
from hearth.people.models import Person
from hearth.people.policies import persons_visible_to
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from .models import Escalation, RaiserRole, Status

VIEW = "core.view_case_records"
EDIT = "core.edit_case_records"
PARTNER = "core.submit_partner_contacts"
MANAGE = "core.manage_allocations"

# When someone holds several roles on a case, the one an escalation is raised in by default.
ROLE_PRIORITY = [
    CaseRole.IRO,
    CaseRole.CONFERENCE_CHAIR,
    CaseRole.LEAD_SOCIAL_WORKER,
    CaseRole.PERSONAL_ADVISER,
    CaseRole.FAMILY_SUPPORT_WORKER,
    CaseRole.STUDENT,
]


def is_partner(user: User) -> bool:
    """A partner agency user: sends contacts, does not record casework."""
    return user.has_perm(PARTNER) and not user.has_perm(EDIT)


def escalations_visible_to(user: User) -> QuerySet[Escalation]:
    if not user.is_authenticated:
        return Escalation.objects.none()
    if is_partner(user):
        return Escalation.objects.filter(raised_by=user)
    if user.has_perm(VIEW):
        return Escalation.objects.filter(person__in=persons_visible_to(user))
    return Escalation.objects.none()


def escalation_for(user: User, pk: int) -> Escalation:
    """The escalation if the user may see it, else 404; a refusal about a restricted child is
    logged with the child's id, as `people.policies.person_for` does."""
    escalation = (
        escalations_visible_to(user)
        .select_related("person", "raised_by", "owner", "resolved_by", "contact__submission")
        .filter(pk=pk)
        .first()
    )
    if escalation is None:
        person_id = (
            Escalation.objects.filter(pk=pk, person__is_restricted=True)
            .values_list("person_id", flat=True)
            .first()
        )
        if person_id is not None and user.has_perm(VIEW):
            audit.record(
                actor=user,
                action=AuditAction.ACCESS_DENIED,
                object_type="escalations.escalation",
                object_id=str(pk),
                person_id=person_id,
                detail="Escalation about a restricted record: not one of the named staff",
            )
        raise Http404("No such escalation")
    return escalation


# --- raising -------------------------------------------------------------------------------------


def case_roles(user: User, person: Person | int) -> list[str]:
    """The user's current roles on the child's case, the default one first."""
    person_id = person if isinstance(person, int) else person.pk
    held = set(
        Allocation.objects.filter(
            person_id=person_id, worker=user, end_date__isnull=True
        ).values_list("role", flat=True)
    )
    return [role.value for role in ROLE_PRIORITY if role in held]


def referring_contacts(user: User) -> QuerySet[Contact]:
    """The contacts a partner sent about children now on record: the latest one per child."""
    latest = (
        Contact.objects.filter(
            submission__submitted_by=user, person=OuterRef("person"), person__isnull=False
        )
        .order_by("-received_at", "-pk")
        .values("pk")[:1]
    )
    return (
        Contact.objects.filter(
            submission__submitted_by=user,
            person__isnull=False,
            person__merged_into__isnull=True,
            pk=Subquery(latest),
        )
        .select_related("submission")
        .order_by("-received_at", "-pk")
    )


def referring_contact(user: User, person: Person | int) -> Contact | None:
    person_id = person if isinstance(person, int) else person.pk
    return referring_contacts(user).filter(person_id=person_id).first()


def raiser_roles(user: User, person: Person | int) -> list[str]:
    """The roles the user may raise an escalation about this child in (none: they may not)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if is_partner(user):
        return [RaiserRole.PARTNER_AGENCY] if referring_contact(user, person) else []
    if not user.has_perm(VIEW):
        return []
    return case_roles(user, person)


def may_raise(user: User, person: Person | int) -> bool:
    return bool(raiser_roles(user, person))


# --- acting --------------------------------------------------------------------------------------


def may_answer(user: User, escalation: Escalation) -> bool:
    """The owner of an open escalation's current stage answers or resolves it."""
    return escalation.status == Status.OPEN and escalation.owner_id == user.pk


def is_raiser(user: User, escalation: Escalation) -> bool:
    return escalation.raised_by_id == user.pk
