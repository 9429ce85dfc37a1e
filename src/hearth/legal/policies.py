"""Who may see and change which legal record.

Every record here is part of a child's record: staff who may open the child's record see it
(restricted children only for their named staff), and those who record casework record and change
it. A record the user may not see is "not found" (404), the same as a missing one; a refusal about
a restricted child is logged with the child's id, as `people.policies.person_for` does. The
service list of children in pre-proceedings and proceedings needs `core.manage_allocations`.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.people.policies import persons_visible_to

from .models import (
    CareProceedings,
    CourtHearing,
    EmergencyProtection,
    LegalGatewayMeeting,
    PreProceedings,
)

VIEW = "core.view_case_records"
EDIT = "core.edit_case_records"
MANAGE = "core.manage_allocations"

M = TypeVar("M", bound=Model)


def may_view(user: User) -> bool:
    return user.is_authenticated and user.has_perm(VIEW)


def may_edit(user: User) -> bool:
    return user.is_authenticated and user.has_perm(EDIT)


def visible(user: User, model: type[M], person_path: str = "person") -> QuerySet[M]:
    """The records of `model` about children the user may see (none without the permission)."""
    if not may_view(user):
        return model._default_manager.none()
    return model._default_manager.filter(**{f"{person_path}__in": persons_visible_to(user)})


def _fetch(
    user: User,
    model: type[M],
    pk: int,
    action: str,
    *,
    person_path: str = "person",
    related: tuple[str, ...] = (),
) -> M:
    if action == "edit" and not may_edit(user):
        raise Http404
    found = visible(user, model, person_path).select_related(*related).filter(pk=pk).first()
    if found is None:
        person_id = (
            model._default_manager.filter(pk=pk, **{f"{person_path}__is_restricted": True})
            .values_list(person_path, flat=True)
            .first()
        )
        if person_id is not None and may_view(user):
            audit.record(
                actor=user,
                action=AuditAction.ACCESS_DENIED,
                object_type=model._meta.label_lower,
                object_id=str(pk),
                person_id=person_id,
                detail="Legal record of a restricted child: not one of the named staff",
            )
        raise Http404("Not found")
    return found


def emergency_for(user: User, pk: int, action: str = "view") -> EmergencyProtection:
    return _fetch(user, EmergencyProtection, pk, action, related=("person", "recorded_by"))


def gateway_for(user: User, pk: int, action: str = "view") -> LegalGatewayMeeting:
    return _fetch(user, LegalGatewayMeeting, pk, action, related=("person", "plan", "recorded_by"))


def pre_proceedings_for(user: User, pk: int, action: str = "view") -> PreProceedings:
    return _fetch(
        user, PreProceedings, pk, action, related=("person", "episode", "gateway", "recorded_by")
    )


def proceedings_for(user: User, pk: int, action: str = "view") -> CareProceedings:
    return _fetch(
        user,
        CareProceedings,
        pk,
        action,
        related=("person", "pre_proceedings", "gateway", "recorded_by"),
    )


def hearing_for(user: User, pk: int, action: str = "view") -> CourtHearing:
    return _fetch(
        user,
        CourtHearing,
        pk,
        action,
        person_path="proceedings__person",
        related=("proceedings__person",),
    )
