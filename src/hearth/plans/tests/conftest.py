"""A small council for plan tests: a team with its manager and a social worker, a child with an
open child in need episode referred 200 days ago and allocated to the worker. Dates are relative
to today, since a plan may not start in the future. Synthetic people only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.models import Team, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.people.models import Person
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.plans import services
from hearth.plans.codes import NeedKind
from hearth.plans.models import Plan, PlanAction, PlanNeed
from hearth.workforce.models import Allocation

TODAY = services.today()
REFERRED = TODAY - dt.timedelta(days=200)
DANGER = (
    "Social workers and school are worried that if the adults at home argue and it becomes "
    "physical again, Ava could be hurt or badly frightened."
)
GOAL = "Everyone will know Ava is safe when the adults sort out disagreements calmly."


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@dataclass
class Setting:
    manager: User
    worker: User
    team: Team
    child: Person
    episode: ChildInNeedEpisode


@pytest.fixture
def setting(make_user: Callable[..., User]) -> Setting:
    manager = make_user("team_manager", first_name="Tess", last_name="Teamlead")
    team = TeamFactory(name="Child in Need Team North", manager=manager)
    worker = make_user("social_worker", first_name="Will", last_name="Worker", line_manager=manager)
    TeamMembershipFactory(team=team, user=worker)
    TeamMembershipFactory(team=team, user=manager)
    child = make_child(forename="Ava", surname="Testchild")
    episode = open_cin_episode(child, referral_date=REFERRED)
    Allocation.objects.create(
        person=child,
        role="lead",
        worker=worker,
        team=team,
        start_date=REFERRED,
        reason="FCONTA",
    )
    return Setting(manager=manager, worker=worker, team=team, child=child, episode=episode)


@pytest.fixture
def plan(setting: Setting) -> Plan:
    return services.plan_start(
        actor=setting.worker,
        person=setting.child,
        episode=setting.episode,
        start_date=days_ago(150),
        contingency="Strategy discussion if the worries grow.",
    )


@pytest.fixture
def risk(setting: Setting, plan: Plan) -> PlanNeed:
    return services.plan_need_add(
        actor=setting.worker, plan=plan, kind=NeedKind.RISK, statement=DANGER, safety_goal=GOAL
    )


@pytest.fixture
def need(setting: Setting, plan: Plan) -> PlanNeed:
    return services.plan_need_add(
        actor=setting.worker,
        plan=plan,
        kind=NeedKind.NEED,
        statement="Ava's attendance is below 80%.",
    )


@pytest.fixture
def action(setting: Setting, plan: Plan, risk: PlanNeed) -> PlanAction:
    return services.plan_action_add(
        actor=setting.worker,
        plan=plan,
        description="Complete the safety plan with mum",
        needs=[risk],
        owner_user=setting.worker,
        due_date=days_ago(100),
    )
