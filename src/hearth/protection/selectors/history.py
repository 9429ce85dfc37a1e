"""Facts derived from a child's history rather than stored: the number of earlier child
protection plans (CIN census NumberOfPreviousCPP), how long a plan has run, and when its next
review conference is due (from the timescale engine's deadlines)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from hearth.plans.codes import PlanKind
from hearth.plans.models import Plan
from hearth.timescales import calendar as cal
from hearth.timescales.models import Deadline, DeadlineState

from ..codes import LEGAL_GATEWAY_MONTHS

REVIEW_RULES = ("rcpc-first", "rcpc-next")
CORE_GROUP_RULES = ("core-group-first", "core-group")


def previous_plans_subquery() -> Subquery:
    """For a `Plan` queryset: how many child protection plans the child had that started before
    this one (0 for a first plan)."""
    earlier = (
        Plan.objects.filter(
            kind=PlanKind.CP, person_id=OuterRef("person_id"), start_date__lt=OuterRef("start_date")
        )
        .order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(earlier, output_field=IntegerField())


def next_due_subquery(rules: tuple[str, ...]) -> Subquery:
    """For a `Plan` queryset: the earliest open deadline of these rules for the plan's child."""
    due = (
        Deadline.objects.filter(
            subject_type="child",
            subject_id=OuterRef("person_id"),
            rule_code__in=rules,
            state=DeadlineState.OPEN,
        )
        .order_by("due_on")
        .values("due_on")[:1]
    )
    return Subquery(due)


def review_due_by(day: dt.date) -> Exists:
    """For a `Plan` queryset: the child has an open review conference deadline due by `day`."""
    return Exists(
        Deadline.objects.filter(
            subject_type="child",
            subject_id=OuterRef("person_id"),
            rule_code__in=REVIEW_RULES,
            state=DeadlineState.OPEN,
            due_on__lte=day,
        )
    )


def with_protection_facts(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """Child protection plans with their categories, previous plans, next review and next core
    group, in the one query."""
    return plans.annotate(
        initial_category=F("protection__initial_category"),
        latest_category=F("protection__latest_category"),
        previous_plans=Coalesce(previous_plans_subquery(), Value(0)),
        next_review_on=next_due_subquery(REVIEW_RULES),
        next_core_group_on=next_due_subquery(CORE_GROUP_RULES),
    )


def previous_plan_count(plan: Plan) -> int:
    """How many child protection plans the child had that started before this one (CIN census
    NumberOfPreviousCPP; 0 for a first plan)."""
    return Plan.objects.filter(
        kind=PlanKind.CP, person_id=plan.person_id, start_date__lt=plan.start_date
    ).count()


def legal_gateway_date(start: dt.date) -> dt.date:
    """The day a plan that started on `start` has lasted the legal gateway threshold; it is over
    the threshold on the days after."""
    return cal.add_months(start, LEGAL_GATEWAY_MONTHS)


def over_legal_gateway_threshold(plan: Plan, on: dt.date) -> bool:
    """The plan lasted beyond the threshold: by `on` if open, by its end if ended."""
    return (plan.end_date or on) > legal_gateway_date(plan.start_date)


def started_before_threshold(on: dt.date) -> dt.date:
    """Open plans that started before this date have lasted beyond the threshold by `on`
    (filter with `start_date__lt`)."""
    return cal.add_months(on, -LEGAL_GATEWAY_MONTHS)


def duration_text(start: dt.date, end: dt.date) -> str:
    """ "3 months", "1 year 2 months", "12 days": how long a plan has run."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    if months <= 0:
        days = (end - start).days
        return f"{days} day{'' if days == 1 else 's'}"
    years, months = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'' if years == 1 else 's'}")
    if months:
        parts.append(f"{months} month{'' if months == 1 else 's'}")
    return " ".join(parts)
