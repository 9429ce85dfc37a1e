"""Reads for oversight of child protection: the conference chair's page, the service's list of
children on plans, and the child protection tab of the child's page. Each is scoped to what the
viewer may see and costs a fixed number of queries, however many records there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from hearth.core.models import Team, User
from hearth.escalations.models import Escalation, Status
from hearth.people.models import Person
from hearth.people.policies import persons_visible_to
from hearth.plans.codes import PlanKind
from hearth.plans.models import Plan
from hearth.timescales.models import Deadline, DeadlineState

from .. import policies
from ..codes import CategoryOfAbuse, ConferenceStatus
from ..models import Conference, CoreGroup, Section47Enquiry, StrategyDiscussion
from .history import (
    REVIEW_RULES,
    duration_text,
    legal_gateway_date,
    over_legal_gateway_threshold,
    review_due_by,
    started_before_threshold,
    with_protection_facts,
)

# How far ahead the chair's page looks for reviews falling due.
REVIEWS_DUE_DAYS = 28
RECENT_ESCALATION_DAYS = 90


def open_cp_plans(viewer: User) -> QuerySet[Plan]:
    return policies.visible(viewer, Plan).filter(kind=PlanKind.CP, end_date__isnull=True)


def decorate(plans: list[Plan], on: dt.date) -> list[Plan]:
    """Plain-words facts the templates show beside each plan."""
    for plan in plans:
        plan.duration = duration_text(plan.start_date, plan.end_date or on)  # type: ignore[attr-defined]
        plan.gateway_on = legal_gateway_date(plan.start_date)  # type: ignore[attr-defined]
        plan.over_threshold = over_legal_gateway_threshold(plan, on)  # type: ignore[attr-defined]
        due = getattr(plan, "next_review_on", None)
        plan.review_overdue = due is not None and due < on  # type: ignore[attr-defined]
        initial = getattr(plan, "initial_category", "") or ""
        plan.initial_label = CategoryOfAbuse(initial).label if initial else "Not recorded"  # type: ignore[attr-defined]
        category = getattr(plan, "latest_category", "") or ""
        plan.category_label = (  # type: ignore[attr-defined]
            CategoryOfAbuse(category).label if category else "Not recorded"
        )
    return plans


# --- the conference chair's page -----------------------------------------------------------------


@dataclass
class ChairPage:
    on: dt.date
    to_record: list[Conference]
    upcoming: list[Conference]
    reviews_due: list[Plan]
    over_threshold: list[Plan]
    escalations: list[Escalation]
    service_over_threshold: int


def _chaired_children(viewer: User) -> QuerySet[Conference]:
    return Conference.objects.filter(chair=viewer).exclude(status=ConferenceStatus.CANCELLED)


def chair_page(viewer: User, on: dt.date) -> ChairPage:
    """A chair's conferences to record (booked, date passed) and upcoming, the reviews due in the
    next four weeks or overdue for the children whose conferences they chair, those children's
    plans over the legal gateway threshold, and the escalations they raised that are open or
    were closed in the last 90 days."""
    booked = list(
        policies.visible(viewer, Conference)
        .filter(chair=viewer, status=ConferenceStatus.BOOKED)
        .select_related("person", "episode", "section_47", "plan")
        .order_by("scheduled_on", "pk")[:200]
    )
    mine = Exists(_chaired_children(viewer).filter(person_id=OuterRef("person_id")))
    plans = with_protection_facts(open_cp_plans(viewer).filter(mine)).select_related(
        "person", "worker", "team"
    )
    horizon = on + dt.timedelta(days=REVIEWS_DUE_DAYS)
    due_plans = decorate(
        list(plans.filter(review_due_by(horizon)).order_by("next_review_on", "pk")[:200]),
        on,
    )
    long_plans = decorate(
        list(
            plans.filter(start_date__lt=started_before_threshold(on)).order_by("start_date")[:200]
        ),
        on,
    )
    since = on - dt.timedelta(days=RECENT_ESCALATION_DAYS)
    escalations = list(
        Escalation.objects.filter(raised_by=viewer, person__in=persons_visible_to(viewer))
        .filter(
            Q(status=Status.OPEN)
            | Q(resolved_at__date__gte=since)
            | Q(withdrawn_at__date__gte=since)
        )
        .select_related("person", "owner")
        .order_by("-raised_at")[:100]
    )
    service_over = open_cp_plans(viewer).filter(start_date__lt=started_before_threshold(on)).count()
    return ChairPage(
        on=on,
        to_record=[c for c in booked if c.scheduled_on <= on],
        upcoming=[c for c in booked if c.scheduled_on > on],
        reviews_due=due_plans,
        over_threshold=long_plans,
        escalations=escalations,
        service_over_threshold=service_over,
    )


# --- the service's children on plans -------------------------------------------------------------


@dataclass
class PlanFilters:
    category: str = ""
    team: int | None = None
    over_threshold: bool = False
    review_overdue: bool = False


@dataclass
class PlanList:
    on: dt.date
    plans: QuerySet[Plan]  # filtered and ordered; the view pages it and `decorate`s the page
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)


def children_on_plans(viewer: User, on: dt.date, filters: PlanFilters) -> PlanList:
    """Children on a child protection plan now: category, how long, the next review conference,
    previous plans, worker and team; filtered, and counted by category."""
    base = with_protection_facts(open_cp_plans(viewer))
    by_category = {
        row["protection__latest_category"]: row["n"]
        for row in base.order_by().values("protection__latest_category").annotate(n=Count("pk"))
    }
    plans = base
    if filters.category:
        plans = plans.filter(protection__latest_category=filters.category)
    if filters.team is not None:
        plans = plans.filter(team_id=filters.team)
    if filters.over_threshold:
        plans = plans.filter(start_date__lt=started_before_threshold(on))
    if filters.review_overdue:
        plans = plans.filter(review_due_by(on - dt.timedelta(days=1)))
    teams = list(
        Team.objects.filter(pk__in=open_cp_plans(viewer).values("team_id")).order_by("name")
    )
    return PlanList(
        on=on,
        plans=plans.select_related("person", "worker", "team").order_by("start_date", "pk"),
        by_category=[
            (code, label, by_category.get(code, 0)) for code, label in CategoryOfAbuse.choices
        ],
        teams=teams,
    )


# --- the child protection tab of the child's page ------------------------------------------------


@dataclass
class ChildProtectionSummary:
    on: dt.date
    discussions: list[StrategyDiscussion]
    enquiries: list[Section47Enquiry]
    conferences: list[Conference]
    plans: list[Plan]
    core_groups: list[CoreGroup]
    deadlines: list[Deadline]

    @property
    def open_plan(self) -> Plan | None:
        return next((p for p in self.plans if p.end_date is None), None)

    @property
    def open_enquiry(self) -> Section47Enquiry | None:
        return next((e for e in self.enquiries if e.concluded_on is None), None)


CP_RULES = ("icpc", *REVIEW_RULES, "core-group-first", "core-group", "cp-visit")


def child_protection_summary(person: Person, on: dt.date) -> ChildProtectionSummary:
    """Everything the child protection tab shows, newest first, in seven queries."""
    discussions = list(
        StrategyDiscussion.objects.filter(person=person)
        .select_related("section_47")
        .order_by("-held_at", "-pk")[:50]
    )
    enquiries = list(
        Section47Enquiry.objects.filter(person=person)
        .select_related("lead_worker")
        .order_by("-start_date", "-pk")[:50]
    )
    conferences = list(
        Conference.objects.filter(person=person)
        .select_related("chair")
        .order_by("-scheduled_on", "-pk")[:50]
    )
    plans = decorate(
        list(
            with_protection_facts(Plan.objects.filter(person=person, kind=PlanKind.CP))
            .select_related("worker", "team")
            .order_by("-start_date", "-pk")
        ),
        on,
    )
    core_groups = list(
        CoreGroup.objects.filter(plan__person=person).order_by("-held_on", "-pk")[:10]
    )
    deadlines = list(
        Deadline.objects.filter(
            subject_type="child",
            subject_id=person.pk,
            rule_code__in=CP_RULES,
            state=DeadlineState.OPEN,
        ).order_by("due_on")
    )
    return ChildProtectionSummary(
        on=on,
        discussions=discussions,
        enquiries=enquiries,
        conferences=conferences,
        plans=plans,
        core_groups=core_groups,
        deadlines=deadlines,
    )
