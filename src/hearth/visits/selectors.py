"""Reads for visits: a child's latest visits and next visit due, the plans (and their actions) a
visit may serve, and a worker's children with visits due. Each is a fixed number of queries
whatever the number of visits, and the lists take the viewer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from hearth.core.models import User
from hearth.people.models import Person
from hearth.people.policies import persons_visible_to
from hearth.plans.models import Plan, PlanAction
from hearth.timescales import calendar as cal
from hearth.timescales.models import Deadline, DeadlineState
from hearth.timescales.rules import SubjectType
from hearth.timescales.selectors import DeadlineFilter, deadlines_due, with_status

from .codes import KIND_FOR_PLAN, VISIT_RULES, VisitKind
from .models import Visit
from .policies import visits_visible_to

PANEL_VISITS = 5


def today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(cal.LONDON).date()


def live_visits() -> QuerySet[Visit]:
    return Visit.objects.filter(withdrawn_at__isnull=True)


def visits_for_person(viewer: User, person_id: int) -> QuerySet[Visit]:
    """A child's visits the viewer may see, newest first (withdrawn ones too, marked)."""
    return (
        visits_visible_to(viewer)
        .filter(person_id=person_id)
        .select_related("worker")
        .order_by("-visited_at", "-pk")
    )


@dataclass(frozen=True)
class PersonVisits:
    latest: list[Visit]
    count: int
    last_seen: dt.datetime | None
    next_due: Deadline | None


def person_visits(viewer: User, person_id: int, *, limit: int = PANEL_VISITS) -> PersonVisits:
    """The child's page: the latest visits, how many there are, when the child was last seen,
    and the next visit due (the soonest open visit deadline). Three queries."""
    latest = list(visits_for_person(viewer, person_id)[:limit])
    totals = (
        visits_visible_to(viewer)
        .filter(person_id=person_id, withdrawn_at__isnull=True)
        .aggregate(n=Count("pk"), last_seen=Max("visited_at", filter=Q(child_seen=True)))
    )
    return PersonVisits(
        latest=latest,
        count=totals["n"],
        last_seen=totals["last_seen"],
        next_due=next_visit_due(person_id),
    )


def next_visit_due(person_id: int, *, now: dt.datetime | None = None) -> Deadline | None:
    """The child's soonest open visit deadline, annotated with `status`, or None."""
    return (
        with_status(
            Deadline.objects.filter(
                subject_type=SubjectType.CHILD,
                subject_id=person_id,
                rule_code__in=VISIT_RULES,
                state=DeadlineState.OPEN,
            ),
            now=now,
        )
        .order_by("due_on", "rule_code")
        .first()
    )


# --- plans a visit may serve ---------------------------------------------------------------------


def plans_for_visit(person: Person, day: dt.date | None = None) -> list[Plan]:
    """The child's plans open now, and (for a visit in the past) those open on its day, each
    with its actions: the actions a visit may be recorded as serving. Two queries."""
    usable = Q(end_date__isnull=True)
    if day is not None:
        usable |= Q(start_date__lte=day, end_date__gte=day)
    return list(
        Plan.objects.filter(usable, person=person)
        .prefetch_related(
            Prefetch("actions", queryset=PlanAction.objects.order_by("due_date", "pk"))
        )
        .order_by("-start_date", "-pk")
    )


def default_kind(plans: list[Plan]) -> str:
    """The visit kind the child's open plan suggests (a child in need plan: a CIN visit); the
    most statutory one when there are several."""
    kinds = {KIND_FOR_PLAN.get(p.kind) for p in plans if p.end_date is None}
    for kind in (VisitKind.CP, VisitKind.CLA, VisitKind.CIN, VisitKind.PA):
        if kind in kinds:
            return kind
    return VisitKind.OTHER


def default_plan(plans: list[Plan], kind: str) -> Plan | None:
    for plan in plans:
        if plan.end_date is None and KIND_FOR_PLAN.get(plan.kind) == kind:
            return plan
    return None


# --- a worker's children -------------------------------------------------------------------------


@dataclass(frozen=True)
class DueVisit:
    deadline: Deadline
    person: Person  # annotated last_visit_at, last_seen_at


def visits_due_for(viewer: User, worker: User, *, limit: int = 200) -> list[DueVisit]:
    """The worker's children with a visit deadline open, overdue first then soonest due, each
    with when they were last visited and last seen. Only children the viewer may see. Two
    queries."""
    deadlines = list(
        deadlines_due(DeadlineFilter(worker=worker, rule_codes=VISIT_RULES)).filter(
            subject_type=SubjectType.CHILD
        )[:limit]
    )
    ids = {d.subject_id for d in deadlines}
    last = live_visits().filter(person=OuterRef("pk")).order_by("-visited_at")
    persons = {
        p.pk: p
        for p in persons_visible_to(viewer)
        .filter(pk__in=ids)
        .annotate(
            last_visit_at=Subquery(last.values("visited_at")[:1]),
            last_seen_at=Subquery(last.filter(child_seen=True).values("visited_at")[:1]),
        )
    }
    return [
        DueVisit(deadline=d, person=persons[d.subject_id])
        for d in deadlines
        if d.subject_id in persons
    ]
