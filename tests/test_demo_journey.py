"""What `make demo` promises: each demo role signs in through the real form and gets its home."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from hearth.core.choices import RoleCode
from hearth.core.models import Council
from hearth.demo.accounts import DEMO_PASSWORD, demo_email

pytestmark = pytest.mark.django_db


def test_each_demo_role_signs_in_and_sees_its_home_page() -> None:
    call_command("generate_council", seed=11, children=5_000, verbosity=0)
    council = Council.objects.get()
    for role in RoleCode:
        client = Client()
        response = client.post(
            "/sign-in/", {"username": demo_email(role), "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, role
        home = client.get("/")
        assert home.status_code == 200, role
        page = home.content.decode()
        assert role.label in page, role
        assert council.name in page, role


@override_settings(HEARTH_ALLOW_SYNTHETIC_DATA=False)
def test_synthetic_council_is_refused_where_not_allowed() -> None:
    with pytest.raises(CommandError, match="refused in this deployment"):
        call_command("generate_council", seed=11, children=5_000, verbosity=0)
    assert not Council.objects.exists()


def test_leaders_home_pages_list_the_teams_below_them() -> None:
    call_command("generate_council", seed=11, children=5_000, verbosity=0)
    from hearth.core.models import Team, User

    director = User.objects.get(email=demo_email(RoleCode.DIRECTOR))
    client = Client()
    client.force_login(director)
    page = client.get("/").content.decode()
    led = Team.objects.exclude(manager=None)
    assert led.count() > 5
    assert all(f'href="/teams/{team.pk}/"' in page for team in led)
    worker = User.objects.get(email=demo_email(RoleCode.SOCIAL_WORKER))
    client.force_login(worker)
    page = client.get("/").content.decode()
    own = Team.objects.get(memberships__user=worker, memberships__end_date=None)
    linked = [t.pk for t in Team.objects.all() if f'href="/teams/{t.pk}/"' in page]
    assert linked == [own.pk]
