"""Who may see and change which episode or assessment: through the child (`person_for` rules, so a
restricted child's casework is seen only by their named staff); anything else is "not found"."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from hearth.core.models import User
from hearth.people.policies import person_for, persons_visible_to

from .models import Assessment, ChildInNeedEpisode

VIEW = "core.view_case_records"
EDIT = "core.edit_case_records"
AUTHORISE = "core.manage_allocations"  # team managers and their deputies authorise and close


def episodes_visible_to(user: User) -> QuerySet[ChildInNeedEpisode]:
    return ChildInNeedEpisode.objects.filter(person__in=persons_visible_to(user))


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(person__in=persons_visible_to(user))


def _check(user: User, action: str) -> None:
    needed = {"view": VIEW, "edit": EDIT, "authorise": AUTHORISE}[action]
    if not user.has_perm(needed):
        raise Http404


def episode_for(user: User, pk: int, action: str = "view") -> ChildInNeedEpisode:
    """The episode, through its child's policy: a child the user may not see is a 404, and an
    attempt on a restricted child is logged there."""
    _check(user, action)
    episode = ChildInNeedEpisode.objects.filter(pk=pk).first()
    if episode is None:
        raise Http404("No such episode")
    episode.person = person_for(user, episode.person_id)
    return episode


def assessment_for(user: User, pk: int, action: str = "view") -> Assessment:
    _check(user, action)
    assessment = (
        Assessment.objects.select_related("episode", "worker", "team", "authorised_by")
        .filter(pk=pk)
        .first()
    )
    if assessment is None:
        raise Http404("No such assessment")
    assessment.person = person_for(user, assessment.person_id)
    return assessment
