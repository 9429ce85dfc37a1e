"""Reads for staff, teams, roles and the audit trail: scoped to the viewer, bounded queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from . import policies
from .models import AuditEvent, Council, Role, Team, TeamMembership, User


def current_council() -> Council | None:
    return Council.objects.order_by("pk").first()


def user_list(
    *,
    viewer: User,
    search: str = "",
    role: str = "",
    team: int | None = None,
    active: bool | None = True,
) -> QuerySet[User]:
    qs = policies.users_visible_to(viewer).prefetch_related("roles")
    if search:
        for word in search.split():
            qs = qs.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
    if role:
        qs = qs.filter(roles__code=role)
    if team:
        qs = qs.filter(memberships__team_id=team, memberships__end_date__isnull=True)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.distinct().order_by("last_name", "first_name", "pk")


def teams_for_home(*, user: User) -> QuerySet[Team]:
    """The teams someone works in or leads: their own, those they manage, and those managed by
    people up to three steps below them in the management line (service manager, head of
    service, director)."""
    below = (
        Q(manager=user)
        | Q(manager__line_manager=user)
        | Q(manager__line_manager__line_manager=user)
        | Q(manager__line_manager__line_manager__line_manager=user)
    )
    member = Q(memberships__user=user, memberships__end_date__isnull=True)
    return Team.objects.filter(is_active=True).filter(member | below).distinct().order_by("name")


def current_memberships() -> QuerySet[TeamMembership]:
    return TeamMembership.objects.filter(end_date__isnull=True)


def team_list(*, viewer: User, service_area: str = "") -> QuerySet[Team]:
    qs = policies.teams_visible_to(viewer).select_related("manager")
    if service_area:
        qs = qs.filter(service_area=service_area)
    return qs.annotate(
        member_count=Count(
            "memberships", filter=Q(memberships__end_date__isnull=True), distinct=True
        ),
        member_fte=Sum("memberships__user__fte", filter=Q(memberships__end_date__isnull=True)),
    ).order_by("service_area", "name")


def team_detail(*, viewer: User, pk: int) -> Team:
    team = policies.team_for(viewer, pk)
    members = (
        TeamMembership.objects.filter(team=team)
        .select_related("user")
        .prefetch_related("user__roles")
        .order_by("end_date", "user__last_name")
    )
    return (
        Team.objects.select_related("manager")
        .prefetch_related(Prefetch("memberships", queryset=members, to_attr="membership_list"))
        .get(pk=team.pk)
    )


def user_detail(*, viewer: User, pk: int) -> User:
    user = policies.staff_for(viewer, pk)
    memberships = TeamMembership.objects.select_related("team").order_by("-start_date")
    return (
        User.objects.select_related("line_manager")
        .prefetch_related("roles", Prefetch("memberships", queryset=memberships))
        .get(pk=user.pk)
    )


def role_list() -> QuerySet[Role]:
    return Role.objects.annotate(
        holder_count=Count("users", filter=Q(users__is_active=True), distinct=True)
    ).prefetch_related("permissions__content_type")


@dataclass(frozen=True)
class AuditFilter:
    person: str = ""
    actor: str = ""
    action: str = ""
    object_type: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_search(*, viewer: User, f: AuditFilter) -> QuerySet[AuditEvent]:
    qs = policies.audit_events_visible_to(viewer)
    if f.person:
        qs = qs.filter(person_id=f.person)
    if f.actor:
        qs = qs.filter(actor_label__icontains=f.actor)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    tz = timezone.get_current_timezone()
    if f.date_from:
        qs = qs.filter(occurred_at__gte=dt.datetime.combine(f.date_from, dt.time.min, tz))
    if f.date_to:
        qs = qs.filter(
            occurred_at__lt=dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min, tz)
        )
    return qs.order_by("-occurred_at", "-id")
