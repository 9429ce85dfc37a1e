"""Synthetic visits for the demo council, and the clock events they record.

Step "visits" (order 126) runs after the plans step (124) and reads its child in need plans (one
query), their actions (one) and the lead allocations (one); with no plans it writes nothing.

For each child in need plan, visits run from the plan's start to its end (or the reference date,
whose midnight is "now") [our estimates; visit timeliness is not published nationally]:

- The next visit falls 14 to 20 working days after the last one that saw the child (the council's
  standard is 20) with probability 0.88, otherwise 21 to 32 working days: late. With the retries
  below, about 85% of the intervals between visits that saw the child are within 20 working days.
- The child is seen on 93% of visits. A visit that did not see the child says why, and is
  followed by another attempt 1 to 4 working days later.
- Seen alone: 12% of under-5s, 90% of older children seen at school, 60% of older children seen
  elsewhere (about 55% overall). The bedroom is seen on half the visits that saw the child at home.
- Under-3s' "views" are what their behaviour showed, not words; older children's are in their own
  words by age; about 8% of seen visits have none recorded (the gap Ofsted found).
- 0 to 2 of the plan's actions served; by the lead social worker holding the case that day (the
  plan's worker, or any social worker, when no allocation covers it).

Child protection plans (written by the child protection step, 123) get child protection visits
the same way, against the council's 10 working day standard: the next visit 6 to 10 working days
after the last one that saw the child with probability 0.85, otherwise 11 to 16.

A "cin-visit" or "cp-visit" clock event is written for each visit that saw the child (source
`visits.visit:<pk>`, as `services.visit_record` would), then the children's deadlines are
re-derived.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hearth.core.choices import RoleCode
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step
from hearth.people.demo_steps import FastRows
from hearth.plans.models import Plan, PlanAction
from hearth.timescales import services as timescales
from hearth.timescales.calendar import LONDON, WorkingCalendar
from hearth.timescales.models import ClockEvent
from hearth.timescales.rules import SubjectType
from hearth.timescales.selectors import local_periods, working_calendar
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from . import demo_text as text
from .codes import CLOCK_EVENTS, KIND_FOR_PLAN, VisitLocation
from .models import Visit
from .services import clock_source

REDERIVE_BATCH = 500
VISITED_PLANS = ("cin", "cp")
ON_TIME = 0.88
ON_TIME_GAP = (14, 20)  # working days after the last visit that saw the child
LATE_GAP = (21, 32)
# Child protection visits (local standard 10 working days).
CP_ON_TIME = 0.85
CP_ON_TIME_GAP = (6, 10)
CP_LATE_GAP = (11, 16)
RETRY_GAP = (1, 4)  # after a visit that did not see the child
SEEN = 0.93
ALONE_UNDER_5 = 0.12
ALONE_AT_SCHOOL = 0.9
ALONE_ELSEWHERE = 0.6
BEDROOM_AT_HOME = 0.5
NO_VIEWS_RECORDED = 0.08
ACTIONS_SERVED = [(0, 0.35), (1, 0.4), (2, 0.25)]


@dataclass(frozen=True)
class CinPlan:
    """A child in need or child protection plan (`kind`), as the visits see it."""

    pk: int
    person_id: int
    start: dt.date
    end: dt.date | None
    worker_id: int | None
    dob: dt.date | None
    kind: str = "cin"


class Leads:
    """Who held each child's case as lead social worker on a day (from the allocations)."""

    def __init__(self) -> None:
        spells: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        rows = Allocation.objects.filter(role=CaseRole.LEAD_SOCIAL_WORKER).values_list(
            "person_id", "start_date", "end_date", "worker_id"
        )
        for person_id, start, end, worker_id in rows:
            spells[person_id].append((start, end, worker_id))
        self.spells = {k: sorted(v, key=lambda s: s[0]) for k, v in spells.items()}

    def on(self, person_id: int, day: dt.date) -> int | None:
        spells = self.spells.get(person_id, [])
        i = bisect.bisect_right([s[0] for s in spells], day)
        for _start, end, worker_id in reversed(spells[:i]):
            if end is None or end >= day:
                return worker_id
        return None


def _age(dob: dt.date | None, day: dt.date) -> int:
    if dob is None:
        return 8
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _weighted(rng: random.Random, options: list[tuple[int, float]]) -> int:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


class Planner:
    def __init__(self, ctx: GenerationContext, calendar: WorkingCalendar) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.calendar = calendar
        self.leads = Leads()
        self.fallback = sorted(
            u.pk for u in ctx.staff_by_role.get(RoleCode.SOCIAL_WORKER, []) if u.is_active
        )
        self.now = timezone.now()

    def gap(self, kind: str = "cin") -> int:
        if kind == "cp":
            low, high = CP_ON_TIME_GAP if self.rng.random() < CP_ON_TIME else CP_LATE_GAP
        else:
            low, high = ON_TIME_GAP if self.rng.random() < ON_TIME else LATE_GAP
        return self.rng.randint(low, high)

    def worker(self, plan: CinPlan, day: dt.date, default: int | None) -> int | None:
        return self.leads.on(plan.person_id, day) or plan.worker_id or default

    def moment(self, day: dt.date, age: int) -> dt.datetime:
        if age >= 5 and self.rng.random() < 0.25:  # after school
            minutes = self.rng.randint(15 * 60 + 45, 18 * 60 + 30)
        else:
            minutes = self.rng.randint(9 * 60, 16 * 60 + 30)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=LONDON)

    def visits(self, plan: CinPlan, actions: list[int]) -> list[dict[str, Any]]:
        rng = self.rng
        ref = self.ctx.reference_date
        stop = min(plan.end + dt.timedelta(days=1), ref) if plan.end else ref
        default = rng.choice(self.fallback) if self.fallback else None
        out: list[dict[str, Any]] = []
        day = self.calendar.add_working_days(plan.start, self.gap(plan.kind))
        while day < stop:
            worker_id = self.worker(plan, day, default)
            if worker_id is None:
                break
            age = _age(plan.dob, day)
            seen = rng.random() < SEEN
            out.append(self.visit(plan, day, age, seen, worker_id, actions))
            gap = self.gap(plan.kind) if seen else rng.randint(*RETRY_GAP)
            day = self.calendar.add_working_days(day, gap)
        return out

    def visit(
        self,
        plan: CinPlan,
        day: dt.date,
        age: int,
        seen: bool,
        worker_id: int,
        actions: list[int],
    ) -> dict[str, Any]:
        rng = self.rng
        at = self.moment(day, age)
        if age < 5:
            location = rng.choices(
                [VisitLocation.HOME, VisitLocation.SCHOOL, VisitLocation.OTHER], [85, 5, 10]
            )[0]
        else:
            location = rng.choices(
                [
                    VisitLocation.HOME,
                    VisitLocation.SCHOOL,
                    VisitLocation.OFFICE,
                    VisitLocation.OTHER,
                ],
                [65, 25, 5, 5],
            )[0]
        values: dict[str, Any] = {
            "person_id": plan.person_id,
            "kind": KIND_FOR_PLAN[plan.kind],
            "visited_at": at,
            "location": location.value,
            "child_seen": seen,
            "worker_id": worker_id,
            "recorded_by_id": worker_id,
            "plan_id": plan.pk,
            "created_at": min(at + dt.timedelta(hours=rng.randint(2, 72)), self.now),
        }
        place = location.value if location.value in text.OTHERS_PRESENT else "other"
        others = rng.choice(text.OTHERS_PRESENT[place])
        if not seen:
            values["reason_not_seen"] = rng.choice(text.NOT_SEEN_REASONS)
            values["others_present"] = others if location == VisitLocation.HOME else ""
            values["served"] = []
            return values
        if age < 5:
            alone = rng.random() < ALONE_UNDER_5
        elif location == VisitLocation.SCHOOL:
            alone = rng.random() < ALONE_AT_SCHOOL
        else:
            alone = rng.random() < ALONE_ELSEWHERE
        values["seen_alone"] = alone
        values["bedroom_seen"] = (
            rng.random() < BEDROOM_AT_HOME if location == VisitLocation.HOME else None
        )
        values["others_present"] = others + (text.ALONE_NOTE if alone else "")
        if age < 3:
            values["child_views"] = rng.choice(text.BABY_VIEWS)
            values["observations"] = rng.choice(text.BABY_OBSERVATIONS)
        else:
            words = (
                text.YOUNG_VIEWS if age < 7 else text.MIDDLE_VIEWS if age < 12 else text.TEEN_VIEWS
            )
            views = rng.choice(words)
            values["child_views"] = "" if rng.random() < NO_VIEWS_RECORDED else views
            values["observations"] = rng.choice(text.OBSERVATIONS)
        count = min(_weighted(rng, ACTIONS_SERVED), len(actions))
        values["served"] = sorted(rng.sample(actions, count)) if count else []
        return values


def load_plans(ctx: GenerationContext) -> tuple[list[CinPlan], dict[int, list[int]]]:
    plans = [
        CinPlan(pk, person_id, start, end, worker_id, dob, kind)
        for pk, person_id, start, end, worker_id, dob, kind in Plan.objects.filter(
            kind__in=VISITED_PLANS, start_date__lt=ctx.reference_date
        )
        .order_by("person_id", "start_date", "pk")
        .values_list(
            "pk",
            "person_id",
            "start_date",
            "end_date",
            "worker_id",
            "person__date_of_birth",
            "kind",
        )
    ]
    actions: dict[int, list[int]] = defaultdict(list)
    for plan_id, pk in (
        PlanAction.objects.filter(plan__kind__in=VISITED_PLANS)
        .order_by("plan_id", "pk")
        .values_list("plan_id", "pk")
    ):
        actions[plan_id].append(pk)
    return plans, actions


@register_step("visits", order=126)
def generate_visits(ctx: GenerationContext) -> None:
    plans, actions = load_plans(ctx)
    if not plans:
        ctx.summary["visits"] = 0
        return
    calendar = working_calendar()
    planner = Planner(ctx, calendar)
    visits = FastRows(ctx, Visit)
    links = FastRows(ctx, Visit.actions.through)
    events: list[ClockEvent] = []
    seen = 0
    for plan in ctx.progress(plans, desc="Visits", unit="plans"):
        for values in planner.visits(plan, actions.get(plan.pk, [])):
            served = values.pop("served")
            pk = visits.add(**values)
            for action_id in served:
                links.add(visit_id=pk, planaction_id=action_id)
            if values["child_seen"]:
                seen += 1
                events.append(
                    ClockEvent(
                        subject_type=SubjectType.CHILD,
                        subject_id=plan.person_id,
                        name=CLOCK_EVENTS[values["kind"]],
                        occurred_on=values["visited_at"].date(),
                        source=clock_source(pk),
                    )
                )
    total = visits.write()
    links.write()
    ctx.bulk_create(events, desc="Visit clocks")
    children = sorted({(SubjectType.CHILD.value, p.person_id) for p in plans})
    local = local_periods()
    written = 0
    for start in ctx.progress(
        range(0, len(children), REDERIVE_BATCH), desc="Visit deadlines", unit="batch"
    ):
        written += timescales.rederive(
            children[start : start + REDERIVE_BATCH], calendar=calendar, local=local
        )
    ctx.counts["timescales.deadline"] += written
    ctx.summary["visits"] = total
    ctx.summary["visits_child_seen"] = seen
