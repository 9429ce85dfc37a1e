"""Who may see and change risk assessments and missing episodes.

Staff who may open the child's record (`core.view_case_records`; restricted children only for
their named staff) see them; staff who may edit case records record and change them. A record the
user may not see is "not found" (404), as `people.policies.person_for` does. The managers' missing
list and the list of children needing a risk assessment need `core.manage_allocations`.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.people.policies import EDIT, VIEW, persons_visible_to

from .models import MissingEpisode, RiskAssessment

MANAGE = "core.manage_allocations"

__all__ = ["EDIT", "MANAGE", "VIEW", "missing_episode_for", "risk_assessment_for"]


def risk_assessments_visible_to(user: User) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(person__in=persons_visible_to(user))


def missing_episodes_visible_to(user: User) -> QuerySet[MissingEpisode]:
    return MissingEpisode.objects.filter(person__in=persons_visible_to(user))


def _refuse(user: User, model: type[RiskAssessment] | type[MissingEpisode], pk: int) -> None:
    """Log a refusal about a restricted child (with the child's id), then 404."""
    person_id = (
        model.objects.filter(pk=pk, person__is_restricted=True)
        .values_list("person_id", flat=True)
        .first()
    )
    if person_id is not None and user.has_perm(VIEW):
        audit.record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            object_type=model._meta.label_lower,
            object_id=str(pk),
            person_id=person_id,
            detail="Restricted record: not one of the named staff",
        )
    raise Http404("Not found")


def risk_assessment_for(user: User, pk: int, action: str = "view") -> RiskAssessment:
    if action == "edit" and not user.has_perm(EDIT):
        raise Http404
    found = (
        risk_assessments_visible_to(user)
        .select_related("person", "assessor", "closed_by", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        _refuse(user, RiskAssessment, pk)
    assert found is not None
    return found


def missing_episode_for(user: User, pk: int, action: str = "view") -> MissingEpisode:
    if action == "edit" and not user.has_perm(EDIT):
        raise Http404
    found = (
        missing_episodes_visible_to(user)
        .select_related("person", "rhi_by", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        _refuse(user, MissingEpisode, pk)
    assert found is not None
    return found
