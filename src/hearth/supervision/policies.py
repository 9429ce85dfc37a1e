"""Who may see and record supervision and management oversight.

A session (its reflective discussion and wellbeing check) is seen only by the worker, the
supervisor and the people above the worker in the management line (`User.line_manager`); anyone
else gets "not found". Case discussions and management oversight are part of the child's record:
whoever may see the child sees them, never the wellbeing check.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from hearth.core.models import Team, TeamMembership, User
from hearth.core.selectors import teams_for_home
from hearth.people.policies import persons_visible_to

from .models import CaseDiscussion, DiscussionAction, ManagementOversight, SupervisionSession

VIEW_CASES = "core.view_case_records"
MANAGE = "core.manage_allocations"  # supervisors, team managers and those above them
# How far up the management line reaches: worker -> team manager -> service manager -> head of
# service -> director, with room for a deputy or an extra tier.
LINE_DEPTH = 6


def above_in_line(path: str, user: User) -> Q:
    """`user` is somewhere above the person at `path` ("worker", "" for a user) in the line."""
    prefix = f"{path}__" if path else ""
    condition = Q()
    field = f"{prefix}line_manager"
    for _ in range(LINE_DEPTH):
        condition |= Q(**{field: user})
        field += "__line_manager"
    return condition


def managers_above(worker: User) -> list[int]:
    """The ids of everyone above `worker` in the management line, nearest first: one query."""
    fields = ["line_manager" + "__line_manager" * n for n in range(LINE_DEPTH)]
    row = User.objects.filter(pk=worker.pk).values_list(*fields).first()
    return [pk for pk in row or () if pk is not None]


def in_management_line(user: User, worker: User) -> bool:
    return user.pk != worker.pk and user.pk in managers_above(worker)


def shares_a_team(user: User, worker: User) -> bool:
    teams = TeamMembership.objects.filter(user=worker, end_date__isnull=True).values("team")
    return TeamMembership.objects.filter(user=user, end_date__isnull=True, team__in=teams).exists()


def may_record_for(user: User, worker: User) -> bool:
    """Managers in the worker's line, and senior colleagues in the worker's team who supervise
    (a senior practitioner deputising for the team manager), holding `core.manage_allocations`."""
    if not user.is_active or user.pk == worker.pk or not user.has_perm(MANAGE):
        return False
    return in_management_line(user, worker) or shares_a_team(user, worker)


# --- sessions ------------------------------------------------------------------------------------


def sessions_visible_to(user: User) -> QuerySet[SupervisionSession]:
    if not user.is_authenticated:
        return SupervisionSession.objects.none()
    return SupervisionSession.objects.filter(
        Q(worker=user) | Q(supervisor=user) | above_in_line("worker", user)
    )


def may_edit_session(user: User, session: SupervisionSession) -> bool:
    """The supervisor (or whoever recorded it) and managers in the worker's line."""
    if session.is_withdrawn or not user.has_perm(MANAGE) or user.pk == session.worker_id:
        return False
    if user.pk in (session.supervisor_id, session.recorded_by_id):
        return True
    return in_management_line(user, session.worker)


def session_for(user: User, pk: int, action: str = "view") -> SupervisionSession:
    session = get_object_or_404(
        sessions_visible_to(user).select_related(
            "worker", "supervisor", "recorded_by", "withdrawn_by"
        ),
        pk=pk,
    )
    if action == "edit" and not may_edit_session(user, session):
        raise PermissionDenied
    return session


def worker_for(user: User, pk: int) -> User:
    """A worker's supervision record: the worker, their management line, whoever may record their
    supervision, and anyone who has supervised them. Otherwise not found."""
    worker = get_object_or_404(User, pk=pk)
    if (
        worker.pk == user.pk
        or in_management_line(user, worker)
        or may_record_for(user, worker)
        or SupervisionSession.objects.filter(worker=worker, supervisor=user).exists()
    ):
        return worker
    raise Http404


def team_for(user: User, pk: int) -> Team:
    """A team's supervision overview: managers of the team or above it, and its senior staff who
    supervise (teams someone works in or leads, holding `core.manage_allocations`)."""
    if not user.has_perm(MANAGE):
        raise PermissionDenied
    return get_object_or_404(teams_for_home(user=user), pk=pk)


# --- the child's record --------------------------------------------------------------------------


def discussions_visible_to(user: User) -> QuerySet[CaseDiscussion]:
    """Live case discussions about children the user may see."""
    if not user.is_authenticated or not user.has_perm(VIEW_CASES):
        return CaseDiscussion.objects.none()
    return CaseDiscussion.objects.filter(
        person__in=persons_visible_to(user),
        withdrawn_at__isnull=True,
        session__withdrawn_at__isnull=True,
    )


def discussion_for(user: User, pk: int, action: str = "view") -> CaseDiscussion:
    discussion = get_object_or_404(
        discussions_visible_to(user).select_related(
            "person", "session__worker", "session__supervisor", "session__recorded_by"
        ),
        pk=pk,
    )
    if action == "edit" and not may_edit_session(user, discussion.session):
        raise PermissionDenied
    return discussion


def may_complete_action(user: User, action: DiscussionAction) -> bool:
    return action.owner_id == user.pk or may_edit_session(user, action.discussion.session)


def action_for(user: User, pk: int) -> DiscussionAction:
    action = get_object_or_404(
        DiscussionAction.objects.filter(discussion__in=discussions_visible_to(user)).select_related(
            "discussion__session__worker", "discussion__person", "owner"
        ),
        pk=pk,
    )
    if not may_complete_action(user, action):
        raise PermissionDenied
    return action


def oversight_visible_to(user: User) -> QuerySet[ManagementOversight]:
    if not user.is_authenticated or not user.has_perm(VIEW_CASES):
        return ManagementOversight.objects.none()
    return ManagementOversight.objects.filter(
        person__in=persons_visible_to(user), withdrawn_at__isnull=True
    )


def may_edit_oversight(user: User, oversight: ManagementOversight) -> bool:
    """Whoever recorded it, and the managers above them."""
    if oversight.is_withdrawn or not user.has_perm(MANAGE):
        return False
    return user.pk == oversight.recorded_by_id or in_management_line(user, oversight.recorded_by)


def oversight_for(user: User, pk: int) -> ManagementOversight:
    """Management oversight to change or withdraw."""
    oversight = get_object_or_404(
        oversight_visible_to(user).select_related("person", "recorded_by"), pk=pk
    )
    if not may_edit_oversight(user, oversight):
        raise PermissionDenied
    return oversight
