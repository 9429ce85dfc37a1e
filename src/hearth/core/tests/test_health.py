from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_ok_without_signing_in(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_database_unreachable(client: Client) -> None:
    with mock.patch(
        "hearth.core.views.public.connection.cursor", side_effect=OperationalError("down")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.parametrize(
    ("url", "heading"),
    [("/sign-in/", "Sign in to Hearth"), ("/password-reset/", "Reset your password")],
)
def test_public_account_pages_render(client: Client, url: str, heading: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert heading in response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
