"""Role × page matrix: each page is allowed for the roles that need it and refused to the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from hearth.core.models import Role, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db

ADMIN_ONLY = ["core:user-list", "core:user-create", "core:role-list", "core:team-create"]


@pytest.mark.parametrize("url_name", ADMIN_ONLY)
def test_admin_pages_allowed_for_administrators(
    url_name: str, admin_user: User, client_for: Callable[[User], Any]
) -> None:
    assert client_for(admin_user).get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("role", ["social_worker", "team_manager", "director", "partner_agency"])
@pytest.mark.parametrize("url_name", ADMIN_ONLY)
def test_admin_pages_refused_to_other_roles(
    url_name: str, role: str, make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    assert client_for(make_user(role)).get(reverse(url_name)).status_code == 403


def test_record_pages_for_administrators(
    admin_user: User, client_for: Callable[[User], Any]
) -> None:
    membership = TeamMembershipFactory()
    role = Role.objects.get(code="auditor")
    c = client_for(admin_user)
    for url in [
        reverse("core:user-detail", args=[membership.user_id]),
        reverse("core:user-edit", args=[membership.user_id]),
        reverse("core:user-close", args=[membership.user_id]),
        reverse("core:team-edit", args=[membership.team_id]),
        reverse("core:team-member-add", args=[membership.team_id]),
        reverse("core:team-member-end", args=[membership.pk]),
        reverse("core:role-edit", args=[role.pk]),
    ]:
        assert c.get(url).status_code == 200, url


def test_record_pages_refused_to_social_worker(
    social_worker: User, client_for: Callable[[User], Any]
) -> None:
    membership = TeamMembershipFactory()
    c = client_for(social_worker)
    for url in [
        reverse("core:user-detail", args=[membership.user_id]),
        reverse("core:user-edit", args=[membership.user_id]),
        reverse("core:team-edit", args=[membership.team_id]),
        reverse("core:team-member-end", args=[membership.pk]),
    ]:
        assert c.get(url).status_code in (403, 404), url


def test_missing_record_is_404_for_administrator(
    admin_user: User, client_for: Callable[[User], Any]
) -> None:
    c = client_for(admin_user)
    assert c.get(reverse("core:user-edit", args=[999999])).status_code == 404
    assert c.get(reverse("core:team-edit", args=[999999])).status_code == 404


def test_team_directory_allowed_for_casework_roles_refused_to_partners(
    make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    team = TeamFactory()
    worker = make_user("social_worker")
    assert client_for(worker).get(reverse("core:team-list")).status_code == 200
    assert client_for(worker).get(reverse("core:team-detail", args=[team.pk])).status_code == 200
    partner = make_user("partner_agency")
    assert client_for(partner).get(reverse("core:team-list")).status_code == 403
    assert client_for(partner).get(reverse("core:team-detail", args=[team.pk])).status_code == 403


def test_audit_search_allowed_for_auditor_refused_to_manager(
    make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    assert client_for(make_user("auditor")).get(reverse("core:audit-search")).status_code == 200
    assert (
        client_for(make_user("team_manager")).get(reverse("core:audit-search")).status_code == 403
    )


@pytest.mark.parametrize("role", [code for code, _ in Role._meta.get_field("code").choices])
def test_every_role_has_a_home_page(
    role: str, make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    response = client_for(make_user(role)).get("/")
    assert response.status_code == 200
    assert Role.objects.get(code=role).name in response.content.decode()


def test_navigation_shows_only_what_roles_allow(
    make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    page = client_for(make_user("social_worker")).get("/").content.decode()
    assert reverse("core:team-list") in page
    assert reverse("core:user-list") not in page
    assert reverse("core:audit-search") not in page


def test_user_holding_two_roles_has_both_permission_sets(make_user: Callable[..., User]) -> None:
    user = make_user("performance_analyst", "auditor")
    assert user.has_perm("core.view_performance")
    assert user.has_perm("core.view_audit")
    assert not user.has_perm("core.manage_users")
