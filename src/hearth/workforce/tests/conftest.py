"""A team with its manager and a registered social worker, shared by the allocation tests."""

from __future__ import annotations

import pytest

from hearth.core.models import Team, User

from .factories import make_manager, make_team, make_worker


@pytest.fixture
def team(db: None) -> Team:
    return make_team(name="Child in Need Team North")


@pytest.fixture
def manager(team: Team) -> User:
    return make_manager(team, first_name="Maya", last_name="Manager")


@pytest.fixture
def worker(team: Team) -> User:
    return make_worker(team, first_name="Sam", last_name="Worker")
