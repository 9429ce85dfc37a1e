"""Staff, team and role services: validation, concurrency, nothing lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from hearth.core import services
from hearth.core.models import AuditEvent, Role, TeamMembership, User
from hearth.core.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_create_audits_roles_and_refuses_duplicate_email(admin_user: User) -> None:
    role = Role.objects.get(code="social_worker")
    user = services.user_create(
        actor=admin_user,
        email="New.Worker@Council.Example",
        first_name="Nia",
        last_name="Okafor",
        roles=[role],
        swe_registration="SW123456",
    )
    assert user.email == "new.worker@council.example"
    assert not user.has_usable_password()
    event = AuditEvent.objects.get(action="create", object_type="core.user", object_id=str(user.pk))
    assert event.changes["roles"] == [None, ["social_worker"]]
    with pytest.raises(ValidationError, match="already exists"):
        services.user_create(
            actor=admin_user, email="new.worker@council.example", first_name="A", last_name="B"
        )


@pytest.mark.parametrize("value", ["123456", "SW", "SW12345678", "sw-1234", "XY123456"])
def test_swe_registration_number_format_is_enforced(admin_user: User, value: str) -> None:
    with pytest.raises(ValidationError, match="Social Work England"):
        services.user_create(
            actor=admin_user,
            email="a@council.example",
            first_name="A",
            last_name="B",
            swe_registration=value,
        )
    assert not User.objects.filter(email="a@council.example").exists()


def test_concurrent_edit_is_detected_and_the_second_writer_told(admin_user: User) -> None:
    team = TeamFactory(caseload_amber=18)
    opened_version = team.version
    services.team_update(
        actor=admin_user,
        team=team,
        data={"caseload_amber": 19},
        expected_version=opened_version,
    )
    stale = type(team).objects.get(pk=team.pk)
    with pytest.raises(services.ConcurrentEditError):
        services.team_update(
            actor=admin_user,
            team=stale,
            data={"caseload_amber": 21},
            expected_version=opened_version,
        )
    stale.refresh_from_db()
    assert stale.caseload_amber == 19


def test_concurrent_edit_through_the_form_shows_a_message(
    admin_user: User, client_for: Callable[[User], Any]
) -> None:
    team = TeamFactory(name="Adoption team", service_area="adoption")
    c = client_for(admin_user)
    form = {
        "name": "Adoption team",
        "service_area": "adoption",
        "caseload_amber": 15,
        "caseload_red": 20,
        "version": team.version,
    }
    assert c.post(reverse("core:team-edit", args=[team.pk]), form).status_code == 302
    again = c.post(reverse("core:team-edit", args=[team.pk]), {**form, "caseload_amber": 12})
    assert again.status_code == 200
    assert "Someone else changed this record" in again.content.decode()
    team.refresh_from_db()
    assert team.caseload_amber == 15


def test_employment_dates_checked_in_form_and_database(
    admin_user: User, client_for: Callable[[User], Any]
) -> None:
    response = client_for(admin_user).post(
        reverse("core:user-create"),
        {
            "first_name": "Sam",
            "last_name": "Ellis",
            "email": "sam.ellis@council.example",
            "roles": [Role.objects.get(code="social_worker").pk],
            "employment_type": "permanent",
            "fte": "1",
            "employment_start_day": "1",
            "employment_start_month": "9",
            "employment_start_year": "2024",
            "employment_end_day": "1",
            "employment_end_month": "8",
            "employment_end_year": "2024",
        },
    )
    assert response.status_code == 200
    assert "must be the same as or after the start date" in response.content.decode()
    assert not User.objects.filter(email="sam.ellis@council.example").exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(employment_start=dt.date(2024, 9, 1), employment_end=dt.date(2024, 8, 1))


def test_membership_dates_constrained_in_database() -> None:
    team, user = TeamFactory(), UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMembership.objects.create(
            team=team, user=user, start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 4, 1)
        )


def test_admin_creates_user_edits_and_closes_it_through_pages(
    admin_user: User, client_for: Callable[[User], Any]
) -> None:
    c = client_for(admin_user)
    worker_role = Role.objects.get(code="social_worker")
    response = c.post(
        reverse("core:user-create"),
        {
            "first_name": "Priya",
            "last_name": "Shah",
            "email": "priya.shah@council.example",
            "roles": [worker_role.pk],
            "employment_type": "asye",
            "fte": "0.8",
            "employment_start_day": "2",
            "employment_start_month": "9",
            "employment_start_year": "2025",
            "swe_registration": "sw654321",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="priya.shah@council.example")
    assert user.swe_registration == "SW654321" and user.employment_type == "asye"
    assert user.employment_start == dt.date(2025, 9, 2)

    edit = reverse("core:user-edit", args=[user.pk])
    form = c.get(edit).context["form"]
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("roles", "employment_start")
    }
    data.update(
        roles=[worker_role.pk, Role.objects.get(code="senior_practitioner").pk],
        employment_start_day="2",
        employment_start_month="9",
        employment_start_year="2025",
        job_title="Senior practitioner",
    )
    assert c.post(edit, data).status_code == 302
    user.refresh_from_db()
    assert user.has_role("senior_practitioner")
    assert AuditEvent.objects.filter(object_id=str(user.pk), changes__has_key="roles").exists()

    refused = c.post(reverse("core:user-close", args=[user.pk]), {"reason": ""})
    assert (
        refused.status_code == 200
        and "Enter why this account is being closed" in refused.content.decode()
    )
    assert (
        c.post(
            reverse("core:user-close", args=[user.pk]), {"reason": "Moved to another council"}
        ).status_code
        == 302
    )
    user.refresh_from_db()
    assert not user.is_active and User.objects.filter(pk=user.pk).exists()
    assert AuditEvent.objects.filter(
        action="archive", object_id=str(user.pk), detail="Moved to another council"
    ).exists()


def test_team_membership_add_and_end(admin_user: User, client_for: Callable[[User], Any]) -> None:
    team, member = TeamFactory(), UserFactory()
    c = client_for(admin_user)
    add = reverse("core:team-member-add", args=[team.pk])
    data = {
        "user": member.pk,
        "start_date_day": "3",
        "start_date_month": "3",
        "start_date_year": "2025",
    }
    assert c.post(add, data).status_code == 302
    duplicate = c.post(add, data)
    assert "already a member" in duplicate.content.decode()
    membership = TeamMembership.objects.get(team=team, user=member)
    end = reverse("core:team-member-end", args=[membership.pk])
    early = c.post(end, {"end_date_day": "1", "end_date_month": "1", "end_date_year": "2025"})
    assert "must be the same as or after the start date" in early.content.decode()
    assert (
        c.post(
            end, {"end_date_day": "31", "end_date_month": "3", "end_date_year": "2026"}
        ).status_code
        == 302
    )
    membership.refresh_from_db()
    assert membership.end_date == dt.date(2026, 3, 31)


def test_role_update_is_audited(admin_user: User, client_for: Callable[[User], Any]) -> None:
    role = Role.objects.get(code="family_support_worker")
    c = client_for(admin_user)
    form = c.get(reverse("core:role-edit", args=[role.pk])).context["form"]
    perms = [p.pk for p in form.initial["permissions"]]
    response = c.post(
        reverse("core:role-edit", args=[role.pk]),
        {"permissions": perms, "two_factor_required": "on", "version": role.version},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.two_factor_required
    event = AuditEvent.objects.filter(object_type="core.role", object_id=str(role.pk)).latest("id")
    assert event.changes == {"two_factor_required": [False, True]}


def test_an_administrator_cannot_close_their_own_account(admin_user: User) -> None:
    with pytest.raises(ValidationError, match="your own account"):
        services.user_deactivate(actor=admin_user, user=admin_user, reason="oops")


def test_empty_user_form_names_each_missing_answer_and_creates_nothing(
    admin_user: User, client_for: Callable[[User], Any]
) -> None:
    before = User.objects.count()
    response = client_for(admin_user).post(reverse("core:user-create"), {})
    page = response.content.decode()
    assert response.status_code == 200
    for message in [
        "Enter first name",
        "Enter email address",
        "Select employment type",
        "Select at least one role",
    ]:
        assert message in page
    assert "This field is required" not in page
    assert User.objects.count() == before


def test_editing_details_and_roles_together_writes_one_event(admin_user: User) -> None:
    user = UserFactory(roles=["social_worker"], job_title="Social worker")
    before_events, before_version = AuditEvent.objects.count(), user.version
    services.user_update(
        actor=admin_user,
        user=user,
        data={"job_title": "Senior practitioner"},
        roles=Role.objects.filter(code__in=["social_worker", "senior_practitioner"]),
        expected_version=user.version,
    )
    assert AuditEvent.objects.count() == before_events + 1
    event = AuditEvent.objects.latest("id")
    assert event.changes == {
        "job_title": ["Social worker", "Senior practitioner"],
        "roles": [["social_worker"], ["senior_practitioner", "social_worker"]],
    }
    user.refresh_from_db()
    assert user.version == before_version + 1


def test_a_stale_role_edit_changes_no_roles(admin_user: User) -> None:
    user = UserFactory(roles=["social_worker"])
    with pytest.raises(services.ConcurrentEditError):
        services.user_update(
            actor=admin_user,
            user=user,
            data={},
            roles=Role.objects.filter(code="director"),
            expected_version=user.version - 1,
        )
    assert set(user.roles.values_list("code", flat=True)) == {"social_worker"}


def test_closing_an_account_writes_one_archive_event_and_cannot_be_repeated(
    admin_user: User,
) -> None:
    user = UserFactory()
    before = AuditEvent.objects.count()
    services.user_deactivate(actor=admin_user, user=user, reason="Retired")
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.detail, event.changes) == (
        "archive",
        "Retired",
        {"is_active": [True, False]},
    )
    with pytest.raises(ValidationError, match="already closed"):
        services.user_deactivate(actor=admin_user, user=user, reason="Again")
    assert AuditEvent.objects.count() == before + 1
