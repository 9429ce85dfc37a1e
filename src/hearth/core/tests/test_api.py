"""API tokens: issued by command, authenticate /api/ with the user's own permissions."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from hearth.core import services
from hearth.core.models import ApiToken, AuditEvent, User
from hearth.core.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def _issue(email: str) -> str:
    out = StringIO()
    call_command("issue_api_token", "--user", email, stdout=out)
    return out.getvalue().strip()


def test_issued_token_authenticates_with_the_users_permissions(
    client: Client, make_user: Callable[..., User]
) -> None:
    manager = make_user("team_manager")
    raw = _issue(manager.email.upper())
    assert raw.startswith("hth_") and len(raw) > 40
    token = ApiToken.objects.get(user=manager)
    assert token.digest != raw and raw not in token.digest  # only the digest is stored
    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == manager.email
    assert "core.manage_allocations" in body["permissions"]
    assert "core.manage_users" not in body["permissions"]
    assert AuditEvent.objects.filter(action="token_issued", object_id=str(token.pk)).count() == 1


def test_token_user_with_directory_lists_teams_partner_is_refused(
    client: Client, make_user: Callable[..., User]
) -> None:
    team = TeamFactory(name="Children in care south")
    worker_token = _issue(make_user("social_worker").email)
    partner_token = _issue(make_user("partner_agency").email)
    listed = client.get("/api/teams/", HTTP_AUTHORIZATION=f"Bearer {worker_token}")
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()["results"]] == ["Children in care south"]
    detail = client.get(f"/api/teams/{team.pk}/", HTTP_AUTHORIZATION=f"Bearer {worker_token}")
    assert detail.status_code == 200 and detail.json()["name"] == team.name
    missing = client.get("/api/teams/999999/", HTTP_AUTHORIZATION=f"Bearer {worker_token}")
    assert missing.status_code == 404
    refused = client.get("/api/teams/", HTTP_AUTHORIZATION=f"Bearer {partner_token}")
    assert refused.status_code == 403


def test_bad_revoked_and_closed_tokens_are_refused(
    client: Client, make_user: Callable[..., User], admin_user: User
) -> None:
    assert client.get("/api/me/", HTTP_AUTHORIZATION="Bearer hth_nonsense").status_code == 401
    assert client.get("/api/me/", HTTP_AUTHORIZATION="Bearer a b").status_code == 401
    worker = make_user("social_worker")
    raw = _issue(worker.email)
    services.user_deactivate(actor=admin_user, user=worker, reason="Left the council")
    assert client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_issue_api_token_for_unknown_user_fails_clearly() -> None:
    with pytest.raises(
        CommandError, match=r"No user has the email address nobody@council\.example"
    ):
        call_command("issue_api_token", "--user", "nobody@council.example")


def test_openapi_schema_for_signed_in_callers(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/teams/" in response.content
