"""The visits API: list (scoped, by child), record, read, change with the version, withdraw; 400
with field messages, 403 without the permission, 404 for a child or visit the caller may not
see, 409 for a stale version."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from hearth.core.models import AuditEvent, User
from hearth.core.tests.api_client import Api, api_for
from hearth.people.tests.factories import make_child
from hearth.timescales.models import ClockEvent
from hearth.visits import services
from hearth.visits.models import Visit

from .conftest import VIEWS, Case, at, restrict

pytestmark = pytest.mark.django_db
Record = Callable[..., Visit]
LIST = "/api/visits/"


def one(visit: Visit, action: str = "") -> str:
    return f"/api/visits/{visit.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    return lambda user: api_for(client, user)


def patch(caller: Api, path: str, body: dict[str, Any]) -> Any:
    return caller.client.patch(
        path, json.dumps(body), content_type="application/json", **caller.header
    )


def new_visit(case: Case, **overrides: Any) -> dict[str, Any]:
    body = {
        "person_id": case.child.pk,
        "kind": "cin",
        "visited_at": at(1).isoformat(),
        "location": "home",
        "child_seen": True,
        "seen_alone": False,
        "bedroom_seen": True,
        "others_present": "Mother",
        "child_views": VIEWS,
        "action_ids": [case.actions[0].pk],
    }
    body.update(overrides)
    return body


def test_list_is_scoped_and_filtered_by_child(
    case: Case, record: Record, api: Callable[[User], Api], make_user: Any
) -> None:
    visit = record()
    caller = api(case.worker)
    rows = caller.get(LIST).json()["results"]
    assert [r["id"] for r in rows] == [visit.pk]
    assert rows[0]["action_ids"] == [] and rows[0]["child_seen"] is True
    other = make_child()
    assert caller.get(LIST, {"person": str(other.pk)}).json()["results"] == []
    assert caller.get(LIST, {"person": str(case.child.pk)}).json()["results"][0]["id"] == visit.pk
    assert caller.get(LIST, {"person": "x"}).status_code == 400
    assert api(make_user("performance_analyst")).get(LIST).status_code == 403


def test_list_hides_a_restricted_child(
    case: Case, record: Record, api: Callable[[User], Api], make_user: Any
) -> None:
    record()
    manager = make_user("team_manager")
    restrict(case.child, manager)
    caller = api(case.worker)
    assert caller.get(LIST).json()["results"] == []
    assert caller.get(LIST, {"person": str(case.child.pk)}).status_code == 404
    assert len(api(manager).get(LIST).json()["results"]) == 1


def test_record_a_visit(case: Case, api: Callable[[User], Api]) -> None:
    response = api(case.worker).post(LIST, new_visit(case))
    assert response.status_code == 201, response.json()
    body = response.json()
    visit = Visit.objects.get(pk=body["id"])
    assert response["Location"] == one(visit)
    assert body["action_ids"] == [case.actions[0].pk]
    assert body["plan_id"] == case.plan.pk  # the actions' plan
    assert body["worker_id"] == case.worker.pk
    assert ClockEvent.objects.filter(source=services.clock_source(visit.pk), name="cin-visit")


def test_record_gives_field_messages(case: Case, api: Callable[[User], Api]) -> None:
    caller = api(case.worker)
    response = caller.post(LIST, new_visit(case, child_seen=False, seen_alone=None))
    assert response.status_code == 400
    assert "reason_not_seen" in response.json()
    response = caller.post(LIST, new_visit(case, action_ids=[999_999]))
    assert response.status_code == 400 and "action_ids" in response.json()
    response = caller.post(LIST, new_visit(case, kind="weekly"))
    assert response.status_code == 400 and "kind" in response.json()
    response = caller.post(LIST, new_visit(case, worker_id=999_999))
    assert response.status_code == 400 and "worker_id" in response.json()
    assert not Visit.objects.exists()


def test_record_is_refused_without_edit_and_for_a_hidden_child(
    case: Case, api: Callable[[User], Api], make_user: Any
) -> None:
    assert api(make_user("business_support")).post(LIST, new_visit(case)).status_code == 403
    restrict(case.child, make_user("team_manager"))
    assert api(case.worker).post(LIST, new_visit(case)).status_code == 404
    assert not Visit.objects.exists()


def test_read_one(case: Case, record: Record, api: Callable[[User], Api], make_user: Any) -> None:
    visit = record()
    reader = make_user("business_support")
    response = api(reader).get(one(visit))
    assert response.status_code == 200
    assert response.json()["child_views"] == VIEWS
    assert AuditEvent.objects.filter(action="view", object_id=str(visit.pk), actor=reader).exists()
    assert api(make_user("performance_analyst")).get(one(visit)).status_code == 403
    restrict(case.child, make_user("team_manager"))
    assert api(case.worker).get(one(visit)).status_code == 404


def test_change_with_the_version(case: Case, record: Record, api: Callable[[User], Api]) -> None:
    visit = record()
    caller = api(case.worker)
    response = patch(
        caller,
        one(visit),
        {"version": 1, "child_seen": False, "reason_not_seen": "Asleep; mum would not wake him."},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["child_seen"] is False and body["seen_alone"] is None and body["version"] == 2
    assert not ClockEvent.objects.filter(
        source=services.clock_source(visit.pk), withdrawn_at__isnull=True
    ).exists()
    stale = patch(caller, one(visit), {"version": 1, "observations": "Late"})
    assert stale.status_code == 409
    bad = patch(caller, one(visit), {"version": 2, "reason_not_seen": ""})
    assert bad.status_code == 400 and "reason_not_seen" in bad.json()
    missing = patch(caller, one(visit), {"observations": "No version"})
    assert missing.status_code == 400 and "version" in missing.json()


def test_change_is_refused_and_hidden(
    case: Case, record: Record, api: Callable[[User], Api], make_user: Any
) -> None:
    visit = record()
    assert patch(api(make_user("business_support")), one(visit), {"version": 1}).status_code == 403
    restrict(case.child, make_user("team_manager"))
    assert patch(api(case.worker), one(visit), {"version": 1}).status_code == 404


def test_withdraw(case: Case, record: Record, api: Callable[[User], Api], make_user: Any) -> None:
    visit = record()
    caller = api(case.worker)
    assert caller.post(one(visit, "withdraw"), {"version": 1}).status_code == 400
    assert caller.post(one(visit, "withdraw"), {"version": 9, "reason": "Twice"}).status_code == 409
    response = caller.post(one(visit, "withdraw"), {"version": 1, "reason": "Recorded twice"})
    assert response.status_code == 200
    assert response.json()["withdrawn_reason"] == "Recorded twice"
    again = caller.post(one(visit, "withdraw"), {"version": 2, "reason": "Again"})
    assert again.status_code == 400


def test_withdraw_is_refused_and_hidden(
    case: Case, record: Record, api: Callable[[User], Api], make_user: Any
) -> None:
    visit = record()
    body = {"version": 1, "reason": "Twice"}
    assert api(make_user("business_support")).post(one(visit, "withdraw"), body).status_code == 403
    restrict(case.child, make_user("team_manager"))
    assert api(case.worker).post(one(visit, "withdraw"), body).status_code == 404
    visit.refresh_from_db()
    assert visit.withdrawn_at is None


def test_the_list_costs_the_same_whatever_the_number(
    case: Case, record: Record, api: Callable[[User], Api], django_assert_max_num_queries: Any
) -> None:
    record(actions=[case.actions[0]])
    caller = api(case.worker)
    caller.get(LIST)
    with django_assert_max_num_queries(12) as few:
        caller.get(LIST)
    for days in range(3, 13):
        record(visited_at=at(days), actions=case.actions)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = caller.get(LIST).json()["results"]
    assert len(rows) == 11
