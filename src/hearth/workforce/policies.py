"""Who may see and change allocations, caseloads and workforce figures. Refusal is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from hearth.core.models import Team, User
from hearth.people.policies import person_for, persons_visible_to

from .models import Allocation
from .selectors import teams_overseen_by

MANAGE = "core.manage_allocations"
VIEW = "core.view_case_records"
PERFORMANCE = "core.view_performance"
SETTINGS = "timescales.manage_local_standards"


def teams_for_caseloads(user: User) -> QuerySet[Team]:
    """Teams whose caseloads the user may see: those they oversee; every team for analysts."""
    if user.has_perm(MANAGE):
        return teams_overseen_by(user)
    if user.has_perm(PERFORMANCE):  # performance analysts: the whole service
        return Team.objects.filter(is_active=True)
    return Team.objects.none()


def team_caseload_for(user: User, pk: int) -> Team:
    return get_object_or_404(teams_for_caseloads(user), pk=pk)


def allocation_for(user: User, pk: int, action: str = "view") -> Allocation:
    """An allocation of a child the user may see; changing it needs the allocation permission."""
    if action == "edit" and not user.has_perm(MANAGE):
        raise Http404
    allocation = get_object_or_404(
        Allocation.objects.select_related("person", "worker", "team"), pk=pk
    )
    person_for(user, allocation.person_id)  # 404 (and logged when restricted) if not visible
    return allocation


def allocations_visible_to(user: User) -> QuerySet[Allocation]:
    return Allocation.objects.filter(person__in=persons_visible_to(user))
