"""The synthetic council's visits: built on a small set of child in need plans made here (the
plans step is its own app's business), then checked for what the step promises: visits through
each plan on working days, the child seen on most, seen alone less for under-5s, a reason when not
seen, actions from the visit's plan, by the lead worker of the day, one clock event per seen
visit, deadlines derived, the figures for council_stats, and the same output for the same seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from hearth.core.models import User
from hearth.demo.context import GenerationContext
from hearth.demo.scenarios import SCENARIOS
from hearth.people.models import Person
from hearth.people.tests.factories import make_child
from hearth.plans.models import Plan, PlanAction
from hearth.timescales.calendar import LONDON
from hearth.timescales.models import ClockEvent, Deadline, DeadlineState
from hearth.timescales.selectors import working_calendar
from hearth.visits.demo_stats import visit_figures
from hearth.visits.demo_steps import generate_visits
from hearth.visits.models import Visit
from hearth.visits.services import clock_source, visit_date
from hearth.workforce.models import Allocation

REFERENCE_DATE = dt.date(2026, 3, 31)
CHILDREN = 60
pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _council(make_user: Callable[..., User]) -> tuple[GenerationContext, list[Plan]]:
    rng = random.Random(3)
    workers = [make_user("social_worker") for _ in range(4)]
    plans: list[Plan] = []
    events: list[ClockEvent] = []
    for n in range(CHILDREN):
        age_days = rng.randint(100, 17 * 365)
        child = make_child(date_of_birth=REFERENCE_DATE - dt.timedelta(days=age_days))
        start = REFERENCE_DATE - dt.timedelta(days=rng.randint(60, 500))
        end = start + dt.timedelta(days=rng.randint(90, 300)) if n % 3 == 0 else None
        if end is not None and end >= REFERENCE_DATE:
            end = None
        first, second = workers[n % 4], workers[(n + 1) % 4]
        handover = start + dt.timedelta(days=40)
        Allocation.objects.create(
            person=child,
            role="lead",
            worker=first,
            start_date=start,
            end_date=handover,
            end_reason="reallocated",
            reason="FCONTA",
        )
        Allocation.objects.create(
            person=child,
            role="lead",
            worker=second,
            start_date=handover + dt.timedelta(days=1),
            reason="FCONTA",
        )
        plan = Plan.objects.create(
            kind="cin", person=child, start_date=start, end_date=end, worker=first
        )
        for i in range(3):
            PlanAction.objects.create(
                plan=plan,
                description=f"Action {i + 1}",
                owner_user=first,
                due_date=start + dt.timedelta(days=30 * (i + 1)),
            )
        events.append(
            ClockEvent(
                subject_type="child",
                subject_id=child.pk,
                name="cin-plan-start",
                occurred_on=start,
                source=f"plans.plan:{plan.pk}",
            )
        )
        if end is not None:
            events.append(
                ClockEvent(
                    subject_type="child",
                    subject_id=child.pk,
                    name="cin-plan-end",
                    occurred_on=end,
                    source=f"plans.plan:{plan.pk}",
                )
            )
        plans.append(plan)
    ClockEvent.objects.bulk_create(events)
    ctx = GenerationContext(
        seed=5,
        children=CHILDREN,
        years=2,
        reference_date=REFERENCE_DATE,
        scenario=SCENARIOS["typical"],
    )
    ctx.staff_by_role["social_worker"] = workers
    return ctx, plans


def run(ctx: GenerationContext) -> None:
    ctx.reseed("visits")  # as the runner does before each step
    generate_visits(ctx)


def natural() -> list[Any]:
    return list(
        Visit.objects.order_by("person__child_id", "visited_at").values_list(
            "person__child_id", "visited_at", "child_seen", "seen_alone", "child_views"
        )
    )


def test_the_step_writes_nothing_without_plans() -> None:
    ctx = GenerationContext(
        seed=1, children=10, years=1, reference_date=REFERENCE_DATE, scenario=SCENARIOS["typical"]
    )
    generate_visits(ctx)
    assert not Visit.objects.exists() and ctx.summary["visits"] == 0


def test_the_visits_step(make_user: Callable[..., User]) -> None:
    ctx, plans = _council(make_user)

    def first_run() -> list[Any]:
        run(ctx)
        return natural()

    try:
        with transaction.atomic():
            once = first_run()
            raise _Rollback
    except _Rollback:
        pass
    run(ctx)
    assert natural() == once  # the same seed gives the same visits

    calendar = working_calendar()
    visits = list(Visit.objects.select_related("plan", "person").prefetch_related("actions"))
    assert ctx.summary["visits"] == len(visits) > CHILDREN * 5
    assert {v.plan_id for v in visits} == {p.pk for p in plans}
    dob: dict[int, dt.date] = dict(Person.objects.values_list("pk", "date_of_birth"))
    leads = list(Allocation.objects.values_list("person_id", "worker_id", "start_date", "end_date"))
    for v in visits:
        day = visit_date(v.visited_at)
        assert v.kind == "cin" and v.plan is not None
        assert v.plan.start_date < day < REFERENCE_DATE
        assert v.plan.end_date is None or day <= v.plan.end_date
        assert calendar.is_working_day(day)
        assert 9 <= v.visited_at.astimezone(LONDON).hour <= 18
        if v.child_seen:
            assert v.seen_alone is not None and not v.reason_not_seen
            assert v.bedroom_seen is None or v.location == "home"
        else:
            assert v.reason_not_seen and v.seen_alone is None and v.bedroom_seen is None
            assert not v.child_views
        served = list(v.actions.all())
        assert len(served) <= 2 and all(a.plan_id == v.plan_id for a in served)
        holder = [
            w for p, w, s, e in leads if p == v.person_id and s <= day and (e is None or day <= e)
        ]
        assert v.worker_id == holder[0]
        if v.child_seen and day - dob[v.person_id] < dt.timedelta(days=3 * 365):
            assert v.child_views.startswith(("Too young", "Not yet"))

    seen = [v for v in visits if v.child_seen]
    assert 0.88 <= len(seen) / len(visits) <= 0.97
    young = [
        v for v in seen if visit_date(v.visited_at) - dob[v.person_id] < dt.timedelta(days=5 * 365)
    ]
    older = [v for v in seen if v not in young]
    alone = lambda vs: sum(bool(v.seen_alone) for v in vs) / len(vs)  # noqa: E731
    assert alone(young) < 0.3 < 0.5 < alone(older)
    assert 0.35 <= alone(seen) <= 0.7

    # One clock event per seen visit, as the service records it; the deadlines derived.
    events = ClockEvent.objects.filter(name="cin-visit")
    assert events.count() == len(seen)
    assert set(events.values_list("source", flat=True)) == {clock_source(v.pk) for v in seen}
    met = Deadline.objects.filter(rule_code="cin-visit", state=DeadlineState.MET)
    assert met.count() >= len(seen) * 0.9
    late = met.filter(met_late=True).count()
    assert 0.05 <= late / met.count() <= 0.3

    figures = visit_figures(None)
    assert figures["visits"] == len(visits)
    assert figures["child_seen_rate"] == round(len(seen) / len(visits), 4)
    assert 0.75 <= figures["cin_visit_intervals_within_20_working_days_rate"] <= 0.93
    assert figures["cin_visit_intervals"] == len(seen)
    assert figures["by_kind"] == {"cin": len(visits)}
