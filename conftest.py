"""Shared fixtures: users holding a given role, signed-in clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from hearth.core.models import User
from hearth.core.tests.factories import UserFactory


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(*roles: str, **fields: object) -> User:
        return UserFactory(roles=list(roles), **fields)

    return make


@pytest.fixture
def client_for(client: Client) -> Callable[[User], Client]:
    def sign_in(user: User) -> Client:
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    return make_user("system_administrator", first_name="Ada", last_name="Admin")


@pytest.fixture
def social_worker(make_user: Callable[..., User]) -> User:
    return make_user("social_worker")
