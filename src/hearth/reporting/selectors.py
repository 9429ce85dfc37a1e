"""What the home pages show: each figure is one bounded query (or a fixed few), whatever the
council's size, so the manager's page costs the same on a council of 300,000 children as on 3,000.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hearth.case_audits.selectors import audit_actions_for_owner, audit_actions_overdue
from hearth.casework.selectors import awaiting_authorisation
from hearth.core.models import Team, TeamMembership, User
from hearth.escalations.selectors import escalations_awaiting, escalations_open
from hearth.frontdoor.policies import contacts_visible_to
from hearth.people.models import Person
from hearth.people.policies import persons_visible_to
from hearth.plans.selectors import long_danger_statements
from hearth.safeguarding.selectors import ReviewClock, flagged, flagged_for_worker, held_by_teams
from hearth.supervision.selectors import next_supervision_due, supervision_overdue
from hearth.timescales import calendar as cal
from hearth.timescales.models import Deadline, DeadlineState
from hearth.timescales.selectors import with_status
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation
from hearth.workforce.selectors import WorkerCaseload, caseloads, unallocated_children

LIST_LENGTH = 8  # rows shown per panel; the link leads to the full list


@dataclass
class ManagerPage:
    teams: list[Team]
    unallocated: list[Any]
    unallocated_count: int
    longest_wait_days: int
    over_threshold: list[WorkerCaseload]
    overdue_by_worker: list[dict[str, Any]]
    overdue_total: int
    contacts_awaiting_decision: int
    escalations_mine: list[Any]
    escalations_open_count: int
    escalations_overdue_count: int
    supervision_overdue: list[dict[str, Any]]
    supervision_overdue_count: int
    audit_actions_overdue: list[Any]
    audit_actions_overdue_count: int
    needing_risk_assessment_count: int = 0
    assessments_awaiting_count: int = 0
    long_danger_statements: list[Any] = field(default_factory=list)
    long_danger_statements_count: int = 0
    team_pks: str = ""


def _team_workers(teams: QuerySet[Team]) -> QuerySet[User]:
    ids = TeamMembership.objects.filter(team__in=teams, end_date__isnull=True).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def manager_page(
    *, viewer: User, teams: QuerySet[Team], now: dt.datetime | None = None
) -> ManagerPage:
    now = now or timezone.now()
    today = now.astimezone(cal.LONDON).date()
    waiting = unallocated_children(teams=teams)
    # A restricted child the manager is not named for still counts, but without a name.
    seen = set(
        persons_visible_to(viewer)
        .filter(pk__in=[c.person_id for c in waiting[:LIST_LENGTH]])
        .values_list("pk", flat=True)
    )
    loads = caseloads(teams=teams, today=today)
    over = sorted((x for x in loads if x.status != "green"), key=lambda x: -x.units_per_fte)
    overdue = (
        Deadline.objects.filter(state=DeadlineState.OPEN, team__in=teams, subject_type="child")
        .filter(Q(due_on__lt=today) | Q(due_at__lt=now))
        .values("worker_id", "worker__first_name", "worker__last_name")
        .annotate(n=Count("id"))
        .order_by("-n", "worker__last_name")
    )
    overdue_rows = [
        {
            "worker_id": r["worker_id"],
            "name": f"{r['worker__first_name']} {r['worker__last_name']}".strip()
            if r["worker_id"]
            else "Unallocated",
            "count": r["n"],
        }
        for r in overdue
    ]
    contacts = contacts_visible_to(viewer).filter(decision="").exclude(recommendation="").count()
    escalations = escalations_open(teams=teams)
    visible = persons_visible_to(viewer)
    mine = list(
        escalations_awaiting(viewer)
        .filter(person__in=visible)
        .select_related("person")[:LIST_LENGTH]
    )
    workers = _team_workers(teams)
    supervision = list(supervision_overdue(workers=workers).order_by("due_on"))
    names = {
        u.pk: u.full_name for u in User.objects.filter(pk__in={d.subject_id for d in supervision})
    }
    actions = audit_actions_overdue(teams=teams)
    shown = actions.filter(person__in=visible)
    # Children the teams hold with an exploitation concern and no current risk assessment.
    unassessed = flagged(held_by_teams(teams), ReviewClock.now(today)).count()
    # Practice the manager signs off: assessments to authorise, danger statements to tighten.
    awaiting = awaiting_authorisation(viewer, list(teams)).count()
    long_statements = long_danger_statements(viewer=viewer, teams=teams)
    return ManagerPage(
        teams=list(teams.order_by("name")),
        unallocated=[
            {"child": c, "days": c.days(today), "visible": c.person_id in seen}
            for c in waiting[:LIST_LENGTH]
        ],
        unallocated_count=len(waiting),
        longest_wait_days=max((c.days(today) for c in waiting), default=0),
        over_threshold=over[:LIST_LENGTH],
        overdue_by_worker=overdue_rows[:LIST_LENGTH],
        overdue_total=sum(r["count"] for r in overdue_rows),
        contacts_awaiting_decision=contacts,
        escalations_mine=mine,
        escalations_open_count=escalations.count(),
        escalations_overdue_count=escalations.filter(is_overdue=True).count(),
        supervision_overdue=[
            {"worker_id": d.subject_id, "name": names.get(d.subject_id, ""), "due_on": d.due_on}
            for d in supervision[:LIST_LENGTH]
        ],
        supervision_overdue_count=len(supervision),
        audit_actions_overdue=list(shown.select_related("person", "owner")[:LIST_LENGTH]),
        audit_actions_overdue_count=actions.count(),
        needing_risk_assessment_count=unassessed,
        assessments_awaiting_count=awaiting,
        long_danger_statements=list(long_statements[:LIST_LENGTH]),
        long_danger_statements_count=long_statements.count(),
    )


@dataclass
class MyChild:
    person: Person
    since: dt.date
    next_due: Deadline | None = None
    overdue: list[Deadline] = field(default_factory=list)
    needs_risk_assessment: bool = False


@dataclass
class WorkerPage:
    children: list[MyChild]
    overdue_total: int
    next_supervision: Deadline | None
    audit_actions: list[Any]
    escalations_mine: list[Any]
    needing_risk_assessment: list[Person] = field(default_factory=list)


def worker_page(*, viewer: User, now: dt.datetime | None = None) -> WorkerPage:
    """The social worker's children, each with the next due and any overdue item, and those
    needing an exploitation risk assessment (a fixed number of queries)."""
    now = now or timezone.now()
    held = list(
        Allocation.objects.filter(
            worker=viewer, role=CaseRole.LEAD_SOCIAL_WORKER, end_date__isnull=True
        )
        .select_related("person")
        .order_by("person__surname", "person__forename")
    )
    ids = [a.person_id for a in held]
    by_child: dict[int, list[Deadline]] = defaultdict(list)
    deadlines = with_status(
        Deadline.objects.filter(subject_type="child", subject_id__in=ids, state=DeadlineState.OPEN),
        now=now,
    ).order_by("due_on", "due_at", "rule_code")
    for d in deadlines:
        by_child[d.subject_id].append(d)
    today = now.astimezone(cal.LONDON).date()
    unassessed = list(flagged_for_worker(viewer, ReviewClock.now(today)))
    unassessed_ids = {p.pk for p in unassessed}
    children = []
    for a in held:
        items = by_child.get(a.person_id, [])
        overdue = [d for d in items if d.status == "overdue"]  # type: ignore[attr-defined]
        upcoming = [d for d in items if d.status != "overdue"]  # type: ignore[attr-defined]
        children.append(
            MyChild(
                person=a.person,
                since=a.start_date,
                next_due=upcoming[0] if upcoming else None,
                overdue=overdue,
                needs_risk_assessment=a.person_id in unassessed_ids,
            )
        )
    children.sort(key=lambda c: (not c.overdue, c.next_due.due_on if c.next_due else dt.date.max))
    return WorkerPage(
        children=children,
        overdue_total=sum(len(c.overdue) for c in children),
        next_supervision=next_supervision_due(viewer),
        audit_actions=list(
            audit_actions_for_owner(viewer)
            .filter(person__in=persons_visible_to(viewer))
            .select_related("person")[:LIST_LENGTH]
        ),
        escalations_mine=list(
            escalations_awaiting(viewer)
            .filter(person__in=persons_visible_to(viewer))
            .select_related("person")[:LIST_LENGTH]
        ),
        needing_risk_assessment=unassessed,
    )
