"""Reads for plans: a child's plans with their open and overdue action counts, one plan's page
(needs and risks with their actions, reviews, the next review due), and the managers' list of
danger statements longer than the council's limit. Bounded queries whatever the data size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, When

from hearth.core.models import Team, User
from hearth.people.models import Person
from hearth.timescales.models import Deadline
from hearth.timescales.selectors import DeadlineFilter, deadlines_due
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from . import policies
from .codes import OPEN_ACTION_STATUSES, PLAN_REVIEW_RULES, NeedKind, NeedStatus, PlanKind
from .models import Plan, PlanAction, PlanNeed, PlanReview
from .services import today, word_limit


def overdue_actions_q(on: dt.date, prefix: str = "") -> Q:
    """Actions still expected (not started or in progress) whose due date has passed."""
    return Q(**{f"{prefix}status__in": OPEN_ACTION_STATUSES, f"{prefix}due_date__lt": on})


def with_action_counts(plans: QuerySet[Plan], on: dt.date | None = None) -> QuerySet[Plan]:
    """Annotate `open_actions` and `overdue_actions` (counted in the database)."""
    on = on or today()
    return plans.annotate(
        open_actions=Count(
            "actions", filter=Q(actions__status__in=OPEN_ACTION_STATUSES), distinct=True
        ),
        overdue_actions=Count("actions", filter=overdue_actions_q(on, "actions__"), distinct=True),
    )


def plans_for_person(viewer: User, person: Person | int, on: dt.date | None = None) -> list[Plan]:
    """The child's plans the viewer may see, open first then the latest; one query."""
    person_id = person if isinstance(person, int) else person.pk
    plans = policies.plans_visible_to(viewer).filter(person_id=person_id)
    return list(
        with_action_counts(plans, on)
        .select_related("worker", "team")
        .order_by(Case(When(end_date__isnull=True, then=0), default=1), "-start_date", "-pk")
    )


def open_plan(person: Person | int, kind: str = PlanKind.CIN) -> Plan | None:
    """The child's open plan of this kind, if any (at most one: a database constraint)."""
    person_id = person if isinstance(person, int) else person.pk
    return (
        Plan.objects.filter(person_id=person_id, kind=kind, end_date__isnull=True)
        .select_related("worker", "team")
        .first()
    )


@dataclass
class PlanPage:
    plan: Plan
    needs: list[PlanNeed]
    actions: list[PlanAction]
    reviews: list[PlanReview]
    word_limit: int
    today: dt.date
    next_review: Deadline | None = None
    unlinked: list[PlanAction] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for a in self.actions if getattr(a, "is_overdue", False))

    @property
    def long_statements(self) -> list[PlanNeed]:
        return [n for n in self.needs if getattr(n, "is_long", False)]


def plan_page(plan: Plan, on: dt.date | None = None) -> PlanPage:
    """Everything the plan page shows: each need or risk with its actions beneath it (an action
    linked to two appears under both), the reviews and the next review due. Five queries."""
    on = on or today()
    limit = word_limit()
    needs = list(plan.needs.order_by("order", "pk"))
    actions = list(
        plan.actions.select_related("owner_user")
        .prefetch_related("needs")
        .order_by("due_date", "pk")
    )
    by_need: dict[int, list[PlanAction]] = {n.pk: [] for n in needs}
    unlinked = []
    for action in actions:
        action.is_overdue = (  # type: ignore[attr-defined]
            action.status in OPEN_ACTION_STATUSES and action.due_date < on
        )
        linked = [n.pk for n in action.needs.all()]
        action.linked_ids = linked  # type: ignore[attr-defined]
        if not linked:
            unlinked.append(action)
        for need_id in linked:
            by_need.setdefault(need_id, []).append(action)
    labels: dict[int, str] = {}
    for number, n in enumerate(needs, start=1):
        labels[n.pk] = f"{'Risk' if n.kind == NeedKind.RISK else 'Need'} {number}"
        n.label = labels[n.pk]  # type: ignore[attr-defined]
        n.action_list = by_need.get(n.pk, [])  # type: ignore[attr-defined]
        n.is_long = n.kind == NeedKind.RISK and n.word_count > limit  # type: ignore[attr-defined]
    for action in actions:
        action.links = [labels[i] for i in action.linked_ids if i in labels]  # type: ignore[attr-defined]
    reviews = list(plan.reviews.select_related("recorded_by").order_by("-held_on", "-pk"))
    next_review = None
    rules = PLAN_REVIEW_RULES.get(plan.kind)
    if plan.end_date is None and rules:
        next_review = deadlines_due(
            DeadlineFilter(subject=("child", plan.person_id), rule_codes=rules)
        ).first()
    return PlanPage(
        plan=plan,
        needs=needs,
        actions=actions,
        reviews=reviews,
        word_limit=limit,
        today=on,
        next_review=next_review,
        unlinked=unlinked,
    )


def long_danger_statements(
    *,
    viewer: User | None = None,
    teams: QuerySet[Team] | Iterable[Team] | None = None,
    person_ids: Iterable[int] | None = None,
    limit: int | None = None,
) -> QuerySet[PlanNeed]:
    """Current danger statements in open plans longer than the council's word limit, longest
    first: for a manager's teams (the plan's team or the child's lead social worker's team) or
    for some children. With `viewer`, only children the viewer may see. One query."""
    limit = word_limit() if limit is None else limit
    needs = PlanNeed.objects.filter(
        kind=NeedKind.RISK,
        status=NeedStatus.CURRENT,
        plan__end_date__isnull=True,
        word_count__gt=limit,
    )
    if viewer is not None:
        needs = needs.filter(plan__in=policies.plans_visible_to(viewer))
    if teams is not None:
        team_ids = teams.values("pk") if isinstance(teams, QuerySet) else [t.pk for t in teams]
        lead_in = Allocation.objects.filter(
            person=OuterRef("plan__person"),
            role=CaseRole.LEAD_SOCIAL_WORKER,
            end_date__isnull=True,
            team__in=team_ids,
        )
        needs = needs.filter(Q(plan__team__in=team_ids) | Exists(lead_in))
    if person_ids is not None:
        needs = needs.filter(plan__person_id__in=list(person_ids))
    return needs.select_related("plan__person", "plan__worker", "plan__team").order_by(
        "-word_count", "pk"
    )


def owner_choices(plan: Plan, viewer: User, current: User | None = None) -> list[User]:
    """People an action may be given to: the plan's team, its worker, the viewer and the action's
    current owner. One query."""
    ids = [i for i in (plan.worker_id, viewer.pk, current.pk if current else None) if i]
    in_team = (
        Q(memberships__team_id=plan.team_id, memberships__end_date__isnull=True)
        if plan.team_id
        else Q(pk__in=[])
    )
    return list(
        User.objects.filter(Q(is_active=True) & in_team | Q(pk__in=ids))
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
