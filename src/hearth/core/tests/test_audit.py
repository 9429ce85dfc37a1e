"""The audit trail: one event per change with old and new values, access events, append-only."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from hearth.core import audit, context, services
from hearth.core.models import AppendOnlyError, AuditEvent, User
from hearth.core.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_a_change_writes_exactly_one_event_with_old_and_new_values(admin_user: User) -> None:
    team = TeamFactory(name="Front door east", caseload_amber=18)
    before = AuditEvent.objects.count()
    token = context.set_current(context.RequestContext(request_id="req-123", ip_address="10.1.2.3"))
    try:
        services.team_update(actor=admin_user, team=team, data={"caseload_amber": 20})
    finally:
        context.reset(token)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "update"
    assert event.actor == admin_user
    assert event.object_type == "core.team"
    assert event.object_id == str(team.pk)
    assert event.changes == {"caseload_amber": [18, 20]}
    assert event.request_id == "req-123"
    assert event.ip_address == "10.1.2.3"


def test_an_unchanged_save_writes_nothing(admin_user: User) -> None:
    team = TeamFactory(caseload_amber=18)
    before = AuditEvent.objects.count()
    services.team_update(actor=admin_user, team=team, data={"caseload_amber": 18})
    assert AuditEvent.objects.count() == before


def test_a_failed_change_writes_no_event_and_changes_nothing(admin_user: User) -> None:
    team = TeamFactory(name="Original")
    TeamFactory(name="Taken")
    before = AuditEvent.objects.count()
    with pytest.raises(Exception, match="already exists"):
        services.team_update(actor=admin_user, team=team, data={"name": "Taken"})
    team.refresh_from_db()
    assert team.name == "Original"
    assert AuditEvent.objects.count() == before


def test_the_http_request_id_and_address_reach_the_event(
    admin_user: User, client_for: Callable[[User], Any]
) -> None:
    team = TeamFactory(name="Leaving care north", caseload_amber=18)
    c = client_for(admin_user)
    response = c.post(
        reverse("core:team-edit", args=[team.pk]),
        {
            "version": team.version,
            "name": team.name,
            "service_area": "leaving_care",
            "caseload_amber": 20,
            "caseload_red": 24,
        },
        HTTP_X_REQUEST_ID="trace-abc",
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_type="core.team", action="update").latest("id")
    assert event.changes["caseload_amber"] == [18, 20]
    assert event.changes["service_area"] == ["assessment", "leaving_care"]
    assert event.request_id == "trace-abc"
    assert event.ip_address == "192.0.2.44"


def test_viewing_a_record_about_a_person_writes_an_access_event(
    admin_user: User, make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    worker = make_user("social_worker")
    client_for(admin_user).get(reverse("core:user-detail", args=[worker.pk]))
    event = AuditEvent.objects.filter(action="view").latest("id")
    assert event.actor == admin_user
    assert event.object_type == "core.user"
    assert event.object_id == str(worker.pk)


def test_record_view_keeps_the_person_id(admin_user: User) -> None:
    audit.record_view(actor=admin_user, obj=admin_user, person_id=4242)
    assert AuditEvent.objects.filter(action="view", person_id="4242").count() == 1


def test_application_cannot_change_or_delete_events(admin_user: User) -> None:
    event = audit.record(actor=admin_user, action="export", detail="test")
    event.detail = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize(
    "sql", ["UPDATE core_auditevent SET detail = 'x'", "DELETE FROM core_auditevent"]
)
def test_database_trigger_refuses_raw_update_and_delete(admin_user: User, sql: str) -> None:
    audit.record(actor=admin_user, action="export", detail="kept")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.filter(detail="kept").count() == 1


def test_search_by_user_action_and_date_range_and_csv_export(
    make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    auditor = make_user("auditor")
    worker = make_user("social_worker", email="kim.worker@council.example")
    audit.record(actor=worker, action="view", obj=worker, person_id=77, detail="=HYPERLINK(1)")
    audit.record(actor=auditor, action="export", detail="other")
    c = client_for(auditor)
    today = dt.date.today()
    params = {
        "actor": "kim.worker",
        "action": "view",
        "person": "77",
        "date_from_day": str(today.day),
        "date_from_month": str(today.month),
        "date_from_year": str(today.year),
    }
    page = c.get(reverse("core:audit-search"), params)
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 1

    export = c.get(reverse("core:audit-search"), {**params, "format": "csv"})
    assert export["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][:3] == ["occurred_at", "actor_label", "action"]
    assert len(rows) == 2
    assert rows[1][1] == "kim.worker@council.example"
    assert rows[1][8] == "'=HYPERLINK(1)"  # formula neutralised
    assert AuditEvent.objects.filter(action="export", actor=auditor).exists()


def test_search_rejects_a_date_range_that_ends_before_it_starts(
    make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    page = client_for(make_user("auditor")).get(
        reverse("core:audit-search"),
        {
            "date_from_day": "10",
            "date_from_month": "5",
            "date_from_year": "2025",
            "date_to_day": "1",
            "date_to_month": "5",
            "date_to_year": "2025",
        },
    )
    assert page.context["page_obj"] is None
    assert "must be the same as or after" in page.content.decode()
