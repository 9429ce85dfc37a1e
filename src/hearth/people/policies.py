"""Who may see which person. A record a user may not see is "not found" (404), and an attempt on a
restricted record by someone not named is logged."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User

from .models import Person, RestrictedAccess

VIEW = "core.view_case_records"
EDIT = "core.edit_case_records"


def persons_visible_to(user: User) -> QuerySet[Person]:
    """Live records the user may open: case-record staff; restricted ones only when named."""
    if not user.is_authenticated or not user.has_perm(VIEW):
        return Person.objects.none()
    named = RestrictedAccess.objects.filter(person=OuterRef("pk"), user=user, ended_at__isnull=True)
    return Person.objects.live().filter(Q(is_restricted=False) | Exists(named))


def person_for(user: User, pk: int, action: str = "view") -> Person:
    """The person, if the user may see it (and edit it, for "edit"); otherwise 404.

    Refusals on a restricted record are written to the audit trail with the person's id, so
    the record's owner can see who tried.
    """
    if action == "edit" and not user.has_perm(EDIT):
        raise Http404
    person = persons_visible_to(user).filter(pk=pk).first()
    if person is None:
        restricted = Person.objects.filter(pk=pk, is_restricted=True).exists()
        if restricted:
            audit.record(
                actor=user,
                action=AuditAction.ACCESS_DENIED,
                object_type="people.person",
                object_id=str(pk),
                person_id=pk,
                detail="Restricted record: not one of the named staff",
            )
        raise Http404("No such person")
    return person
