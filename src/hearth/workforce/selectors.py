"""Reads about who holds which child's case. Scoped lists take the viewer."""

from __future__ import annotations

from django.db.models import QuerySet

from hearth.core.models import User
from hearth.people.models import Person

from .codes import CaseRole
from .models import Allocation


def current_allocations(person: Person) -> QuerySet[Allocation]:
    """Everyone now holding a role on the child's case, lead social worker first."""
    return (
        Allocation.objects.filter(person=person, end_date__isnull=True)
        .select_related("worker", "team")
        .order_by("role", "start_date")
    )


def current_lead(person: Person | int) -> Allocation | None:
    """The child's lead social worker's allocation now, or None when the child is unallocated."""
    person_id = person if isinstance(person, int) else person.pk
    return (
        Allocation.objects.filter(
            person_id=person_id, role=CaseRole.LEAD_SOCIAL_WORKER, end_date__isnull=True
        )
        .select_related("worker", "team")
        .first()
    )


def holds_role_on_case(user: User, person: Person | int) -> bool:
    """Whether the user now has any role on the child's case (lead, IRO, chair, adviser...)."""
    person_id = person if isinstance(person, int) else person.pk
    return Allocation.objects.filter(
        person_id=person_id, worker=user, end_date__isnull=True
    ).exists()
