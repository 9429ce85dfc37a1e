"""A small council for legal tests: a team with its manager and a social worker, a child with an
open child in need episode referred 600 days ago and allocated to the worker, and a child
protection plan that started 560 days ago (over 15 months). Dates are relative to today, since
nothing here may be dated in the future. Synthetic people only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.models import Team, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.legal import services
from hearth.legal.codes import EmergencyKind, GatewayDecision, GatewayReason
from hearth.legal.models import (
    CareProceedings,
    EmergencyProtection,
    LegalGatewayMeeting,
    PreProceedings,
)
from hearth.people.models import Person
from hearth.people.services import restriction_set
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.plans.models import Plan
from hearth.workforce.models import Allocation

TODAY = services.today()
REFERRED = TODAY - dt.timedelta(days=600)
RATIONALE = (
    "The plan has lasted over fifteen months and the worries about neglect have not reduced "
    "despite the support offered."
)


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def hours_ago(n: float) -> dt.datetime:
    return (timezone.now() - dt.timedelta(hours=n)).replace(microsecond=0)


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


@dataclass
class Setting:
    manager: User
    worker: User
    team: Team
    child: Person
    episode: ChildInNeedEpisode
    plan: Plan


@pytest.fixture
def setting(make_user: Callable[..., User]) -> Setting:
    manager = make_user("team_manager", first_name="Tess", last_name="Teamlead")
    team = TeamFactory(name="Child Protection Team East", manager=manager)
    worker = make_user("social_worker", first_name="Will", last_name="Worker", line_manager=manager)
    TeamMembershipFactory(team=team, user=worker)
    TeamMembershipFactory(team=team, user=manager)
    child = make_child(forename="Ava", surname="Testchild", date_of_birth=dt.date(2016, 3, 4))
    episode = open_cin_episode(child, referral_date=REFERRED)
    Allocation.objects.create(
        person=child, role="lead", worker=worker, team=team, start_date=REFERRED, reason="FCONTA"
    )
    plan = Plan.objects.create(
        kind="cp", person=child, episode=episode, start_date=days_ago(560), worker=worker, team=team
    )
    return Setting(
        manager=manager, worker=worker, team=team, child=child, episode=episode, plan=plan
    )


def restrict(setting: Setting) -> None:
    restriction_set(
        actor=setting.manager,
        person=setting.child,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=[],
        expected_version=setting.child.version,
    )


@pytest.fixture
def viewer_only(make_user: Callable[..., User]) -> User:
    """Sees case records, records none (business support)."""
    return make_user("business_support")


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    """No case records at all (a performance analyst)."""
    return make_user("performance_analyst")


def make_gateway(
    setting: Setting,
    decision: str = GatewayDecision.PRE_PROCEEDINGS,
    held_on: dt.date | None = None,
) -> LegalGatewayMeeting:
    return services.gateway_record(
        actor=setting.worker,
        person=setting.child,
        held_on=held_on or days_ago(100),
        reason=GatewayReason.LONG_CP_PLAN,
        plan=setting.plan,
        decision=decision,
        attendees="Head of service (chair), team manager, social worker, solicitor",
        rationale=RATIONALE,
    )


@pytest.fixture
def gateway(setting: Setting) -> LegalGatewayMeeting:
    return make_gateway(setting)


@pytest.fixture
def pp(setting: Setting, gateway: LegalGatewayMeeting) -> PreProceedings:
    return services.pre_proceedings_start(
        actor=setting.worker,
        person=setting.child,
        gateway=gateway,
        episode=setting.episode,
        start_date=days_ago(100),
        letter_sent_on=days_ago(95),
    )


@pytest.fixture
def proceedings(setting: Setting) -> CareProceedings:
    return services.proceedings_issue(
        actor=setting.worker,
        person=setting.child,
        issued_on=days_ago(70),
        court="Family Court sitting at Leeds",
        court_reference="LS25C00123",
    )


@pytest.fixture
def police(setting: Setting) -> EmergencyProtection:
    """Police protection from 30 hours ago, still in force."""
    return services.emergency_record(
        actor=setting.worker,
        person=setting.child,
        kind=EmergencyKind.POLICE,
        started_at=hours_ago(30),
        reason="Found alone at home at night; no adult could be traced.",
        police_force="West Yorkshire Police",
        police_reference="PP/123456",
    )


@pytest.fixture
def epo(setting: Setting) -> EmergencyProtection:
    """An emergency protection order made 3 days ago, still in force."""
    return services.emergency_record(
        actor=setting.worker,
        person=setting.child,
        kind=EmergencyKind.EPO,
        started_at=hours_ago(72),
        reason="Parents refused to let the child be examined after an injury.",
        court="Family Court sitting at Leeds",
        court_reference="EP25C00001",
    )
