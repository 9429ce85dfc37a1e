"""Plans in the synthetic council: the step on a small generated council (4,000 children, 2 years),
generated once for the module and rolled back at the end. Every action is linked; statuses agree
with the dates; the census rules hold (child in need plans kept clear of the child protection plans
the step before wrote); clock events are written; the figures add up."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from hearth.casework.models import Assessment
from hearth.demo.generator import generate_council
from hearth.plans.codes import ActionStatus, NeedKind
from hearth.plans.demo_stats import plan_figures
from hearth.plans.demo_steps import CP_STARTED, add_months
from hearth.plans.models import Plan, PlanAction, PlanNeed, PlanReview
from hearth.timescales.models import ClockEvent, Deadline

REFERENCE_DATE = dt.date(2025, 3, 31)
# Up to this step: later steps are not needed to check it.
OPTIONS = {
    "seed": 5,
    "children": 4_000,
    "years": 2,
    "reference_date": REFERENCE_DATE,
    "up_to_order": 124,
}
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def council(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        generate_council(**OPTIONS)
        plans = list(Plan.objects.filter(kind="cin").select_related("episode", "person"))
        cp_plans = list(Plan.objects.filter(kind="cp"))
        needs: dict[int, list[PlanNeed]] = defaultdict(list)
        for need in PlanNeed.objects.all():
            needs[need.plan_id].append(need)
        actions: dict[int, list[PlanAction]] = defaultdict(list)
        for action in PlanAction.objects.prefetch_related("needs"):
            actions[action.plan_id].append(action)
        reviews: dict[int, list[PlanReview]] = defaultdict(list)
        for review in PlanReview.objects.order_by("held_on"):
            reviews[review.plan_id].append(review)
        events = {
            (e.source, e.name): e for e in ClockEvent.objects.filter(source__startswith="plans.")
        }
        yield {
            "plans": plans,
            "cp_plans": cp_plans,
            "needs": needs,
            "actions": actions,
            "reviews": reviews,
            "events": events,
            "cin_review_deadlines": Deadline.objects.filter(rule_code="cin-review").count(),
            "assessments": Assessment.objects.filter(
                outcome="cin_plan", authorised_on__isnull=False
            ).count(),
            "stats": json.loads(json.dumps(plan_figures(None))),
        }
        transaction.set_rollback(True)


def test_plans_follow_authorised_assessments(council: dict[str, Any]) -> None:
    plans = council["plans"]
    assert len(plans) > 50
    cp_ends = {(p.person_id, p.end_date) for p in council["cp_plans"] if p.end_date}
    stepped_down = [p for p in plans if (p.person_id, p.start_date) in cp_ends]
    assert stepped_down, "some child protection plans step down to a child in need plan"
    assert len(plans) - len(stepped_down) <= council["assessments"]
    assert sum(p.end_date is None for p in plans) > 10
    assert sum(p.end_date is not None for p in plans) > 10


def test_census_rules_hold(council: dict[str, Any]) -> None:
    by_child: dict[int, list[Plan]] = defaultdict(list)
    cp_starts = {(p.person_id, p.start_date) for p in council["cp_plans"]}
    for p in council["plans"]:
        e = p.episode
        assert p.start_date >= e.referral_date  # 4015
        assert not e.referral_nfa  # 4000
        assert p.start_date < REFERENCE_DATE  # not in the future
        if (p.person_id, p.end_date) in cp_starts:  # ended by a child protection plan
            assert p.end_reason == CP_STARTED
            assert e.closure_date is None or p.end_date <= e.closure_date
        elif e.closure_date is not None:  # 8565, ended on closure
            assert p.end_date == e.closure_date and p.end_reason.startswith("Case closed")
        else:
            assert p.end_date is None
        if p.person.date_of_death is not None:
            assert p.start_date <= p.person.date_of_death  # 4008
        by_child[p.person_id].append(p)
    for plans in by_child.values():  # 4004 and 4014
        plans.sort(key=lambda p: p.start_date)
        assert sum(p.end_date is None for p in plans) <= 1
        for earlier, later in itertools.pairwise(plans):
            assert earlier.end_date is not None and earlier.end_date <= later.start_date
    cin_by_child: dict[int, list[Plan]] = defaultdict(list)
    for p in council["plans"]:
        cin_by_child[p.person_id].append(p)
    assert council["cp_plans"]
    for cp in council["cp_plans"]:  # 4001, 4016, 4017: one may start the day the other ends
        for cin in cin_by_child.get(cp.person_id, []):
            assert (cin.end_date is not None and cin.end_date <= cp.start_date) or (
                cp.end_date is not None and cin.start_date >= cp.end_date
            )


def test_every_action_is_linked_to_its_own_plans_needs(council: dict[str, Any]) -> None:
    for p in council["plans"]:
        own = {n.pk for n in council["needs"][p.pk]}
        assert 2 <= len(own) <= 4
        actions = council["actions"][p.pk]
        assert 3 <= len(actions) <= 6
        linked: set[int] = set()
        for a in actions:
            ids = {n.pk for n in a.needs.all()}
            assert 1 <= len(ids) <= 2 and ids <= own
            assert (a.owner_user_id is None) != (a.owner_agency == "")
            linked |= ids
        assert linked == own, "every need or risk has an action"
    assert council["stats"]["actions_unlinked"] == 0


def test_risks_have_safety_goals_and_a_few_are_too_long(council: dict[str, Any]) -> None:
    risks = [n for ns in council["needs"].values() for n in ns if n.kind == NeedKind.RISK]
    assert all(n.safety_goal for n in risks)
    long = sum(n.word_count > 60 for n in risks)
    assert 0 < long < 0.15 * len(risks)
    assert council["stats"]["danger_statements_over_limit"] == long


def test_statuses_agree_with_dates(council: dict[str, Any]) -> None:
    statuses: Counter[str] = Counter()
    for p in council["plans"]:
        stop = min(p.end_date or REFERENCE_DATE, REFERENCE_DATE)
        for a in council["actions"][p.pk]:
            statuses[a.status] += 1
            assert a.due_date >= p.start_date
            if a.status == ActionStatus.DONE:
                assert a.completed_on is not None and p.start_date <= a.completed_on <= stop
            else:
                assert a.completed_on is None
            if p.end_date is not None:
                assert a.status not in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
    assert statuses[ActionStatus.DONE] > statuses[ActionStatus.NOT_DONE] > 0
    assert statuses[ActionStatus.IN_PROGRESS] > 0


def test_reviews_about_every_three_months(council: dict[str, Any]) -> None:
    on_time = total = 0
    for p in council["plans"]:
        due = add_months(p.start_date, 3)
        for r in council["reviews"][p.pk]:
            assert p.start_date <= r.held_on < REFERENCE_DATE
            assert p.end_date is None or r.held_on <= p.end_date
            total += 1
            on_time += r.held_on <= due
            due = add_months(r.held_on, 3)
    assert total > 50
    assert 0.7 <= on_time / total <= 0.9


def test_clock_events_and_deadlines(council: dict[str, Any]) -> None:
    events = council["events"]
    for p in council["plans"]:
        assert events[(f"plans.plan:{p.pk}", "cin-plan-start")].occurred_on == p.start_date
        if p.end_date is not None:
            assert events[(f"plans.plan:{p.pk}:end", "cin-plan-end")].occurred_on == p.end_date
        for r in council["reviews"][p.pk]:
            assert events[(f"plans.review:{r.pk}", "cin-review")].occurred_on == r.held_on
    assert council["cin_review_deadlines"] >= len(council["plans"])
    stats = council["stats"]
    assert stats["cin_reviews_met"] > 0 and 0.5 < stats["cin_reviews_on_time_rate"] <= 1
    assert sum(k["open"] + k["ended"] for k in stats["plans"].values()) == len(
        council["plans"]
    ) + len(council["cp_plans"])
