"""A child on a child in need plan for visit tests: the lead social worker, the plan (with two
actions) started two weeks ago with its clock running, and helpers. Synthetic people only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from hearth.core.models import User
from hearth.people.models import Person
from hearth.people.services import restriction_set
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.plans.models import Plan, PlanAction
from hearth.timescales import services as timescales
from hearth.timescales.calendar import LONDON
from hearth.timescales.rules import SubjectType
from hearth.visits import services
from hearth.visits.models import Visit
from hearth.workforce.models import Allocation

VIEWS = "I like it better at home now. Mum doesn't shout as much and I can have friends round."


@dataclass
class Case:
    worker: User
    child: Person
    plan: Plan
    actions: list[PlanAction]


def today() -> dt.date:
    return timezone.now().astimezone(LONDON).date()


def at(days_ago: int, hour: int = 10) -> dt.datetime:
    """A London time `days_ago` days back."""
    day = today() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=LONDON)


def make_plan(
    child: Person, worker: User, start: dt.date, kind: str = "cin", **fields: Any
) -> Plan:
    """A plan (child in need by default) with its clock started (as the plans service would)."""
    plan = Plan.objects.create(kind=kind, person=child, start_date=start, worker=worker, **fields)
    timescales.record_event(
        subject_type=SubjectType.CHILD,
        subject_id=child.pk,
        name=f"{kind}-plan-start",
        at=start,
        source=f"plans.plan:{plan.pk}",
    )
    return plan


def make_action(plan: Plan, description: str, owner: User) -> PlanAction:
    return PlanAction.objects.create(
        plan=plan,
        description=description,
        owner_user=owner,
        due_date=plan.start_date + dt.timedelta(days=60),
    )


@pytest.fixture
def case(make_user: Callable[..., User]) -> Case:
    worker = make_user("social_worker", first_name="Will", last_name="Worker")
    child = make_child(forename="Ava", surname="Testchild", date_of_birth=dt.date(2016, 3, 4))
    episode = open_cin_episode(child, referral_date=today() - dt.timedelta(days=70))
    Allocation.objects.create(
        person=child, role="lead", worker=worker, start_date=episode.referral_date, reason="FCONTA"
    )
    timescales.set_responsibility(
        subject_type=SubjectType.CHILD, subject_id=child.pk, worker=worker, team=None
    )
    plan = make_plan(child, worker, today() - dt.timedelta(days=14), episode=episode)
    actions = [
        make_action(plan, "Ava to attend the young carers group weekly", worker),
        make_action(plan, "Mum to register with the GP and attend the appointment", worker),
    ]
    return Case(worker=worker, child=child, plan=plan, actions=actions)


@pytest.fixture
def record(case: Case) -> Callable[..., Visit]:
    """Record a visit to the case's child: a seen CIN visit by the worker unless told."""

    def make(**overrides: Any) -> Visit:
        values: dict[str, Any] = {
            "actor": case.worker,
            "person": case.child,
            "kind": "cin",
            "visited_at": at(2),
            "child_seen": True,
            "seen_alone": True,
            "bedroom_seen": True,
            "location": "home",
            "child_views": VIEWS,
            "observations": "The home was warm and tidy.",
        }
        values.update(overrides)
        return services.visit_record(**values)

    return make


def restrict(child: Person, actor: User) -> None:
    """Restrict the child's record to `actor` alone."""
    restriction_set(
        actor=actor,
        person=child,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=[],
        expected_version=child.version,
    )
