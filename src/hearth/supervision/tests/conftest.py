"""A small service for supervision tests: a head of service above a team manager, who line
manages a social worker, a peer and a senior practitioner in one team; another team's manager; and
children the worker holds."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hearth.core.models import User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.people.tests.factories import make_child

from .helpers import Service, allocate, days_ago


@pytest.fixture
def service(make_user: Callable[..., User]) -> Service:
    head = make_user("head_of_service", first_name="Hana", last_name="Head")
    manager = make_user("team_manager", first_name="Mo", last_name="Manager", line_manager=head)
    worker = make_user(
        "social_worker",
        first_name="Wren",
        last_name="Worker",
        line_manager=manager,
        employment_start=days_ago(20),
    )
    peer = make_user("social_worker", first_name="Pat", last_name="Peer", line_manager=manager)
    senior = make_user(
        "senior_practitioner", first_name="Sam", last_name="Senior", line_manager=manager
    )
    other_manager = make_user(
        "team_manager", first_name="Olu", last_name="Other", line_manager=head
    )
    team = TeamFactory(name="Child in Need Team 1", manager=manager)
    other_team = TeamFactory(name="Child in Need Team 2", manager=other_manager)
    for user in (manager, worker, peer, senior):
        TeamMembershipFactory(team=team, user=user)
    TeamMembershipFactory(team=other_team, user=other_manager)
    child = make_child(forename="Ava")
    other_child = make_child(forename="Noah")
    allocate(child, worker, team)
    allocate(other_child, peer, team)
    return Service(
        head, manager, worker, peer, senior, other_manager, team, other_team, child, other_child
    )
