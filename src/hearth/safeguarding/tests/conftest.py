"""A small council for risk and missing tests: a team with its manager and a social worker, and a
child of 14 with an open child-in-need episode whose lead worker is the social worker. Synthetic
people only."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from hearth.casework.models import Assessment, AssessmentFactorIdentified, ChildInNeedEpisode
from hearth.core.models import Team, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.frontdoor.models import Contact, ContactSubmission
from hearth.people.models import Person
from hearth.people.services import restriction_set
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.safeguarding import services
from hearth.safeguarding.models import MissingEpisode, RiskAssessment
from hearth.timescales.calendar import LONDON
from hearth.workforce.models import Allocation

_refs = itertools.count(1)


@dataclass
class Council:
    manager: User
    team: Team
    worker: User
    child: Person
    episode: ChildInNeedEpisode


def today() -> dt.date:
    return timezone.now().astimezone(LONDON).date()


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def hours_ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


@pytest.fixture
def council(make_user: Callable[..., User]) -> Council:
    manager = make_user("team_manager", first_name="Mina", last_name="Manager")
    team = TeamFactory(name="Adolescent Team", manager=manager)
    TeamMembershipFactory(team=team, user=manager)
    worker = make_user("social_worker", first_name="Sol", last_name="Worker", line_manager=manager)
    TeamMembershipFactory(team=team, user=worker)
    child = make_child(forename="Rory", surname="Testchild", date_of_birth=days_ago(14 * 365 + 30))
    episode = open_cin_episode(child, referral_date=days_ago(200))
    lead(child, worker, team)
    return Council(manager=manager, team=team, worker=worker, child=child, episode=episode)


def lead(child: Person, worker: User, team: Team | None) -> Allocation:
    return Allocation.objects.create(
        person=child,
        role="lead",
        worker=worker,
        team=team,
        start_date=days_ago(190),
        reason="FCONTA",
    )


def add_factor(council: Council, code: str = "11A", *, authorised_days_ago: int = 30) -> None:
    """An authorised assessment that identified `code`."""
    on = days_ago(authorised_days_ago)
    assessment = Assessment.objects.create(
        episode=council.episode,
        person=council.child,
        start_date=on - dt.timedelta(days=20),
        worker=council.worker,
        authorised_on=on,
        authorised_by=council.manager,
        outcome="cin_plan",
        authorisation_rationale="Needs are met by a child in need plan.",
    )
    AssessmentFactorIdentified.objects.create(assessment=assessment, code=code)


def add_contact(person: Person, categories: list[str], *, days: int = 20) -> Contact:
    received = timezone.now() - dt.timedelta(days=days)
    submission = ContactSubmission.objects.create(
        reference=f"TEST-{next(_refs):05d}",
        received_at=received,
        source="2A",
        concerns="School worried about older associates collecting the child.",
        concern_categories=categories,
    )
    return Contact.objects.create(
        submission=submission, person=person, received_at=received, source="2A"
    )


def record_risk(council: Council, **overrides: Any) -> RiskAssessment:
    values: dict[str, Any] = {
        "actor": council.worker,
        "person": council.child,
        "kind": "cse",
        "level": "high",
        "assessed_on": days_ago(10),
        "assessor": council.worker,
        "summary": "Seen with older males; gifts and a new phone.",
    }
    values.update(overrides)
    return services.risk_assessment_record(**values)


def record_missing(council: Council, **overrides: Any) -> MissingEpisode:
    values: dict[str, Any] = {
        "actor": council.worker,
        "person": council.child,
        "missing_from": "home",
        "kind": "M",
        "started_at": hours_ago(30),
        "ended_at": hours_ago(20),
        "reported_to_police": True,
        "police_reference": "MP123456",
    }
    values.update(overrides)
    return services.missing_episode_record(**values)


def restrict(council: Council, named: list[User] | None = None) -> None:
    restriction_set(
        actor=council.manager,
        person=council.child,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=named or [],
        expected_version=council.child.version,
    )
    council.child.refresh_from_db()
