"""Who may see and change which plan.

A plan is part of the child's record: staff who may open the child's record see their plans
(restricted children only for their named staff), and those who record casework change them. A
plan, need, action or review the user may not see is "not found" (404), the same as a missing
one; a refusal about a restricted child is logged with the child's id, as
`people.policies.person_for` does.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.people.policies import persons_visible_to

from .models import Plan, PlanAction, PlanNeed, PlanReview

VIEW = "core.view_case_records"
EDIT = "core.edit_case_records"
MANAGE = "core.manage_allocations"


def plans_visible_to(user: User) -> QuerySet[Plan]:
    if not user.is_authenticated or not user.has_perm(VIEW):
        return Plan.objects.none()
    return Plan.objects.filter(person__in=persons_visible_to(user))


def may_edit(user: User) -> bool:
    return user.is_authenticated and user.has_perm(EDIT)


def _refuse(user: User, model: type[Model], pk: int, person_id: int | None) -> None:
    if person_id is not None and user.is_authenticated and user.has_perm(VIEW):
        audit.record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            object_type=model._meta.label_lower,
            object_id=str(pk),
            person_id=person_id,
            detail="Plan of a restricted record: not one of the named staff",
        )
    raise Http404("No such plan")


def _check(user: User, action: str) -> None:
    if action == "edit" and not may_edit(user):
        raise Http404


def plan_for(user: User, pk: int, action: str = "view") -> Plan:
    """The plan with its child, episode, worker and team, if the user may see it; else 404."""
    _check(user, action)
    plan = (
        plans_visible_to(user)
        .select_related("person", "episode", "worker", "team")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        person_id = (
            Plan.objects.filter(pk=pk, person__is_restricted=True)
            .values_list("person_id", flat=True)
            .first()
        )
        _refuse(user, Plan, pk, person_id)
    assert plan is not None
    return plan


def need_for(user: User, pk: int, action: str = "view") -> PlanNeed:
    _check(user, action)
    need = (
        PlanNeed.objects.filter(pk=pk, plan__in=plans_visible_to(user))
        .select_related("plan__person")
        .first()
    )
    if need is None:
        person_id = (
            PlanNeed.objects.filter(pk=pk, plan__person__is_restricted=True)
            .values_list("plan__person_id", flat=True)
            .first()
        )
        _refuse(user, PlanNeed, pk, person_id)
    assert need is not None
    return need


def action_for(user: User, pk: int, action: str = "view") -> PlanAction:
    _check(user, action)
    found = (
        PlanAction.objects.filter(pk=pk, plan__in=plans_visible_to(user))
        .select_related("plan__person", "owner_user")
        .first()
    )
    if found is None:
        person_id = (
            PlanAction.objects.filter(pk=pk, plan__person__is_restricted=True)
            .values_list("plan__person_id", flat=True)
            .first()
        )
        _refuse(user, PlanAction, pk, person_id)
    assert found is not None
    return found


def review_for(user: User, pk: int, action: str = "view") -> PlanReview:
    _check(user, action)
    review = (
        PlanReview.objects.filter(pk=pk, plan__in=plans_visible_to(user))
        .select_related("plan__person", "recorded_by")
        .first()
    )
    if review is None:
        person_id = (
            PlanReview.objects.filter(pk=pk, plan__person__is_restricted=True)
            .values_list("plan__person_id", flat=True)
            .first()
        )
        _refuse(user, PlanReview, pk, person_id)
    assert review is not None
    return review
