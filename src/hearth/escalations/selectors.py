"""Reads for escalations: what awaits an owner, what is open for a team or service, a child's
escalations. Each list is one query (the current stage's due date and whether it is overdue are
worked out in the database), and scoped lists take the viewer."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from hearth.core.choices import RoleCode
from hearth.core.models import Team, User
from hearth.core.selectors import teams_for_home
from hearth.timescales import calendar as cal
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from .models import Escalation, EscalationStage, Status

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class CurrentStage(TypedDict):
    """What `with_current_stage` adds: callers may filter and order on these."""

    due_on: dt.date
    answered: bool
    is_overdue: bool


if TYPE_CHECKING:
    AnnotatedEscalation = WithAnnotations[Escalation, CurrentStage]
else:
    AnnotatedEscalation = Escalation


def _today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(cal.LONDON).date()


def with_current_stage(
    escalations: QuerySet[Escalation], *, now: dt.datetime | None = None
) -> QuerySet[AnnotatedEscalation]:
    """Annotate `due_on` (the current stage's due date), `answered` (the current stage has an
    answer) and `is_overdue` (open, unanswered and past its due date, London time)."""
    current = EscalationStage.objects.filter(escalation=OuterRef("pk"), stage=OuterRef("stage"))
    return escalations.annotate(
        due_on=Subquery(current.values("due_on")[:1]),
        answered=Exists(current.filter(responded_at__isnull=False)),
    ).annotate(
        is_overdue=Case(
            When(
                Q(status=Status.OPEN, answered=False, due_on__lt=_today(now)),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _lead_team() -> Subquery:
    lead = Allocation.objects.filter(
        person=OuterRef("person"), role=CaseRole.LEAD_SOCIAL_WORKER, end_date__isnull=True
    )
    return Subquery(lead.values("team_id")[:1])


def escalations_awaiting(owner: User) -> QuerySet[AnnotatedEscalation]:
    """Open escalations whose current stage `owner` owns and has not answered, soonest due first;
    annotated `is_overdue` and `due_on`."""
    unanswered = EscalationStage.objects.filter(
        escalation=OuterRef("pk"), stage=OuterRef("stage"), responded_at__isnull=True
    )
    return (
        with_current_stage(Escalation.objects.filter(status=Status.OPEN, owner=owner))
        .filter(Exists(unanswered))
        .select_related("person", "raised_by", "owner")
        .order_by("due_on", "raised_at", "pk")
    )


def escalations_open(*, teams: QuerySet[Team] | None = None) -> QuerySet[AnnotatedEscalation]:
    """Open escalations, overdue first then soonest due: about children whose lead social
    worker's team is in `teams`, or owned by those teams' managers (every one when None).
    Annotated `is_overdue`, `due_on` and `lead_team_id`."""
    escalations = Escalation.objects.filter(status=Status.OPEN)
    if teams is not None:
        lead_in = Allocation.objects.filter(
            person=OuterRef("person"),
            role=CaseRole.LEAD_SOCIAL_WORKER,
            end_date__isnull=True,
            team__in=teams.values("pk"),
        )
        owned = Team.objects.filter(manager=OuterRef("owner"), pk__in=teams.values("pk"))
        escalations = escalations.filter(Exists(lead_in) | Exists(owned))
    return (
        with_current_stage(escalations)
        .annotate(lead_team_id=_lead_team())
        .select_related("person", "raised_by", "owner")
        .order_by(F("is_overdue").desc(), "due_on", "raised_at", "pk")
    )


def escalations_raised_by(user: User) -> QuerySet[AnnotatedEscalation]:
    """What the user raised: open ones first, then the latest."""
    return (
        with_current_stage(Escalation.objects.filter(raised_by=user))
        .select_related("owner", "person", "contact")
        .order_by(
            Case(When(status=Status.OPEN, then=Value(0)), default=Value(1)), "-raised_at", "-pk"
        )
    )


def escalations_for_person(
    escalations: QuerySet[Escalation], person_id: int
) -> list[AnnotatedEscalation]:
    """A child's escalations (already scoped to the viewer), open first then newest."""
    return list(
        with_current_stage(escalations.filter(person_id=person_id))
        .select_related("raised_by", "owner")
        .order_by(
            Case(When(status=Status.OPEN, then=Value(0)), default=Value(1)), "-raised_at", "-pk"
        )
    )


def stages_of(escalation: Escalation) -> list[EscalationStage]:
    return list(
        escalation.stages.select_related("owner", "responded_by").order_by("stage", "started_at")
    )


# --- the managers' view --------------------------------------------------------------------------


def teams_for_manager(user: User) -> QuerySet[Team]:
    """The teams whose escalations a manager oversees: every team for the director (and
    superusers), otherwise the teams they work in or lead down the management line."""
    if user.is_superuser or user.has_role(RoleCode.DIRECTOR):
        return Team.objects.filter(is_active=True).order_by("name")
    return teams_for_home(user=user)


@dataclass
class TeamCount:
    team: Team
    open: int = 0
    overdue: int = 0


@dataclass
class Dashboard:
    teams: list[TeamCount]
    services: list[tuple[str, int, int]]  # (service area label, open, overdue)
    unassigned_open: int = 0
    unassigned_overdue: int = 0
    by_team: dict[int, TeamCount] = field(default_factory=dict)


def dashboard(escalations: QuerySet[Escalation], teams: QuerySet[Team]) -> Dashboard:
    """Open and overdue counts per team and per service area: two queries for any number.

    An escalation counts for the team of the child's lead social worker and for the team its
    current owner manages (once per team)."""
    team_list = list(teams.select_related("manager"))
    counts = {t.pk: TeamCount(team=t) for t in team_list}
    managed: dict[int, set[int]] = {}
    for t in team_list:
        if t.manager_id is not None:
            managed.setdefault(t.manager_id, set()).add(t.pk)
    rows = (
        with_current_stage(escalations.filter(status=Status.OPEN))
        .annotate(lead_team_id=_lead_team())
        .values_list("lead_team_id", "owner_id", "is_overdue")
    )
    unassigned_open = unassigned_overdue = 0
    services: Counter[str] = Counter()
    services_overdue: Counter[str] = Counter()
    for lead_team_id, owner_id, is_overdue in rows:
        mine = set(managed.get(owner_id, set()))
        if lead_team_id in counts:
            mine.add(lead_team_id)
        if not mine:
            unassigned_open += 1
            unassigned_overdue += bool(is_overdue)
        areas = set()
        for team_id in mine:
            counts[team_id].open += 1
            counts[team_id].overdue += bool(is_overdue)
            areas.add(counts[team_id].team.get_service_area_display())
        for area in areas:
            services[area] += 1
            services_overdue[area] += bool(is_overdue)
    return Dashboard(
        teams=[c for c in counts.values()],
        services=[(area, services[area], services_overdue[area]) for area in sorted(services)],
        unassigned_open=unassigned_open,
        unassigned_overdue=unassigned_overdue,
        by_team=counts,
    )
