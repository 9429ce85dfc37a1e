"""Who may see and record which visit.

A visit is seen by whoever may open the child's record (restricted children only for their named
staff, `people.policies`); recording, changing and withdrawing one needs the permission to edit
case records as well. A visit the user may not see is "not found" (404), like a missing one, and
an attempt on a restricted child's visit is logged with the child's id.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.people.policies import persons_visible_to

from .models import Visit

VIEW = "core.view_case_records"
EDIT = "core.edit_case_records"


def visits_visible_to(user: User) -> QuerySet[Visit]:
    """Visits about children the user may open (withdrawn ones included: their history)."""
    if not user.is_authenticated or not user.has_perm(VIEW):
        return Visit.objects.none()
    return Visit.objects.filter(person__in=persons_visible_to(user))


def visit_for(user: User, pk: int, action: str = "view") -> Visit:
    """The visit if the user may see it (and edit it, for "edit"), else 404."""
    if action == "edit" and not user.has_perm(EDIT):
        raise Http404("No such visit")
    visit = (
        visits_visible_to(user)
        .select_related("person", "worker", "recorded_by", "withdrawn_by", "plan")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        person_id = (
            Visit.objects.filter(pk=pk, person__is_restricted=True)
            .values_list("person_id", flat=True)
            .first()
        )
        if person_id is not None and user.has_perm(VIEW):
            audit.record(
                actor=user,
                action=AuditAction.ACCESS_DENIED,
                object_type="visits.visit",
                object_id=str(pk),
                person_id=person_id,
                detail="Visit to a restricted record: not one of the named staff",
            )
        raise Http404("No such visit")
    return visit


def may_record(user: User) -> bool:
    return user.is_authenticated and user.has_perm(EDIT)
