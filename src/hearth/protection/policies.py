"""Who may see and change which child protection record.

Every record here is part of a child's record: staff who may open the child's record see it
(restricted children only for their named staff). Those who record casework record strategy
discussions, enquiries, core groups and book conferences; a conference is recorded as held, and an
escalation raised from it, by a conference chair (`core.chair_reviews`). A record the user may not
see is "not found" (404), the same as a missing one; a refusal about a restricted child is logged
with the child's id, as `people.policies.person_for` does.

Each fetch-and-authorise helper takes `action` "view" or "edit" ("chair" for conferences).
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
    Conference,
    CoreGroup,
    ProtectionPlan,
    Section47Enquiry,
    StrategyAction,
    StrategyDiscussion,
)

VIEW = "core.view_case_records"
EDIT = "core.edit_case_records"
CHAIR = "core.chair_reviews"
PERFORMANCE = "core.view_performance"

M = TypeVar("M", bound=Model)


def may_view(user: User) -> bool:
    return user.is_authenticated and user.has_perm(VIEW)


def may_edit(user: User) -> bool:
    return user.is_authenticated and user.has_perm(EDIT)


def may_chair(user: User) -> bool:
    return user.is_authenticated and user.has_perm(VIEW) and user.has_perm(CHAIR)


def may_see_service_lists(user: User) -> bool:
    """Service-wide lists (children on plans): managers, chairs and performance analysts."""
    return may_view(user) and (
        user.has_perm("core.manage_allocations")
        or user.has_perm(CHAIR)
        or user.has_perm(PERFORMANCE)
    )


def _check(user: User, action: str) -> None:
    if action == "view" and not may_view(user):
        raise Http404
    if action == "edit" and not may_edit(user):
        raise Http404
    if action == "chair" and not may_chair(user):
        raise Http404


def visible(user: User, model: type[M], person_path: str = "person") -> QuerySet[M]:
    """The model's rows whose child the user may open (none for a user who sees no records)."""
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
    _check(user, action)
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
                detail="Child protection record of a restricted child: not one of the named staff",
            )
        raise Http404("Not found")
    return found


def discussion_for(user: User, pk: int, action: str = "view") -> StrategyDiscussion:
    return _fetch(
        user,
        StrategyDiscussion,
        pk,
        action,
        related=("person", "episode", "chair", "section_47", "recorded_by"),
    )


def strategy_action_for(user: User, pk: int, action: str = "view") -> StrategyAction:
    return _fetch(
        user,
        StrategyAction,
        pk,
        action,
        person_path="discussion__person",
        related=("discussion__person",),
    )


def enquiry_for(user: User, pk: int, action: str = "view") -> Section47Enquiry:
    return _fetch(
        user,
        Section47Enquiry,
        pk,
        action,
        related=("person", "episode", "lead_worker", "team"),
    )


def conference_for(user: User, pk: int, action: str = "view") -> Conference:
    return _fetch(
        user,
        Conference,
        pk,
        action,
        related=("person", "episode", "section_47", "plan", "chair"),
    )


def protection_plan_for(user: User, pk: int, action: str = "view") -> ProtectionPlan:
    """The child protection detail of the plan `pk` (a `plans.Plan` id)."""
    _check(user, action)
    found = (
        visible(user, ProtectionPlan, "plan__person")
        .select_related("plan__person", "plan__episode", "initial_conference")
        .filter(plan_id=pk)
        .first()
    )
    if found is None:
        raise Http404("Not found")
    return found


def core_group_for(user: User, pk: int, action: str = "view") -> CoreGroup:
    return _fetch(
        user,
        CoreGroup,
        pk,
        action,
        person_path="plan__person",
        related=("plan__person", "recorded_by"),
    )
