"""Fetch-and-authorise: each helper returns the record only if the user may act on it, else 404.

The row-level rule is written once (`*_visible_to`) and used both here and by the list selectors.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import AuditEvent, Role, Team, TeamMembership, User

Action = Literal["view", "edit"]


def _require(user: User, perm: str) -> None:
    # Refusal looks like absence so that record ids reveal nothing.
    if not user.has_perm(perm):
        raise Http404


def users_visible_to(user: User) -> QuerySet[User]:
    if user.has_perm("core.manage_users") or user.has_perm("core.view_staff_directory"):
        return User.objects.all()
    return User.objects.filter(pk=user.pk)


def staff_for(user: User, pk: int, action: Action = "view") -> User:
    """A staff account. Viewing needs the directory; editing needs user management."""
    _require(user, "core.manage_users" if action == "edit" else "core.view_staff_directory")
    return get_object_or_404(users_visible_to(user), pk=pk)


def teams_visible_to(user: User) -> QuerySet[Team]:
    if user.has_perm("core.manage_users") or user.has_perm("core.view_staff_directory"):
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user, memberships__end_date__isnull=True)


def team_for(user: User, pk: int, action: Action = "view") -> Team:
    if action == "edit":
        _require(user, "core.manage_users")
    return get_object_or_404(teams_visible_to(user), pk=pk)


def membership_for(user: User, pk: int) -> TeamMembership:
    _require(user, "core.manage_users")
    return get_object_or_404(TeamMembership.objects.select_related("team", "user"), pk=pk)


def role_for(user: User, pk: int) -> Role:
    _require(user, "core.manage_users")
    return get_object_or_404(Role, pk=pk)


def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    if not user.has_perm("core.view_audit"):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()
