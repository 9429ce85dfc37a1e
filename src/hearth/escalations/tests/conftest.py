"""A small council for escalation tests: a management line (team manager, service manager, head
of service, director), a team, and a child with a lead social worker, an IRO and a conference
chair. Synthetic people only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from hearth.core.models import Team, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.escalations import services
from hearth.escalations.models import Escalation
from hearth.people.models import Person
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.workforce.models import Allocation

CONCERN = "The child has had no statutory visit for ten weeks and the plan has not been reviewed."
OUTCOME = "A visit within five working days and a review of the plan with the IRO this month."
ANSWER = (
    "I have allocated a visit for Thursday and booked the review for the 14th with the IRO; "
    "the social worker will send the plan beforehand."
)
ANOTHER_ANSWER = (
    "The service manager has agreed extra capacity for the team so that visits are kept up "
    "to date, and will check the plan personally next week."
)
DISPUTE = "The visit is welcome but the plan has still not been reviewed and nobody has said when."


@dataclass
class Council:
    director: User
    head: User
    service_manager: User
    team_manager: User
    team: Team
    social_worker: User
    iro: User
    chair: User
    child: Person


def allocate(person: Person, worker: User, role: str, team: Team | None = None) -> Allocation:
    return Allocation.objects.create(
        person=person,
        role=role,
        worker=worker,
        team=team,
        start_date=dt.date(2025, 1, 6),
        reason="FCONTA",
    )


@pytest.fixture
def council(make_user: Callable[..., User]) -> Council:
    director = make_user("director", first_name="Dana", last_name="Director")
    head = make_user("head_of_service", first_name="Hal", last_name="Head", line_manager=director)
    service_manager = make_user(
        "service_manager", first_name="Sam", last_name="Service", line_manager=head
    )
    team_manager = make_user(
        "team_manager", first_name="Tess", last_name="Teamlead", line_manager=service_manager
    )
    team = TeamFactory(name="Child in Need Team North", manager=team_manager)
    social_worker = make_user(
        "social_worker", first_name="Will", last_name="Worker", line_manager=team_manager
    )
    TeamMembershipFactory(team=team, user=social_worker)
    TeamMembershipFactory(team=team, user=team_manager)
    iro = make_user("iro", first_name="Iris", last_name="Reviewer")
    chair = make_user("conference_chair", first_name="Chris", last_name="Chair")
    child = make_child(forename="Ava", surname="Testchild")
    open_cin_episode(child, referral_date=dt.date(2025, 1, 6))
    allocate(child, social_worker, "lead", team)
    allocate(child, iro, "iro")
    allocate(child, chair, "conference_chair")
    return Council(
        director=director,
        head=head,
        service_manager=service_manager,
        team_manager=team_manager,
        team=team,
        social_worker=social_worker,
        iro=iro,
        chair=chair,
        child=child,
    )


@pytest.fixture
def raise_one(council: Council) -> Callable[..., Escalation]:
    def make(**overrides: Any) -> Escalation:
        values: dict[str, Any] = {
            "actor": council.iro,
            "person": council.child,
            "concern": CONCERN,
            "outcome_sought": OUTCOME,
        }
        values.update(overrides)
        return services.escalation_raise(**values)

    return make


def days_later(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)
