"""The plans API: list and start, read with needs, actions and reviews, change the contingency
plan, add needs, actions and reviews, set an action's status; 400 with field messages for the
same rules as the pages, 403 without the permission, 404 for children the caller may not see,
409 for a stale version."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from hearth.core.models import User
from hearth.core.tests.api_client import Api, api_for
from hearth.people.services import restriction_set
from hearth.plans.models import Plan, PlanAction, PlanNeed, PlanReview

from .conftest import DANGER, GOAL, Setting, days_ago

pytestmark = pytest.mark.django_db
LIST = "/api/plans/"


def one(plan: Plan, part: str = "") -> str:
    return f"/api/plans/{plan.pk}/" + (f"{part}/" if part else "")


def patch(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.patch(path, json.dumps(body), content_type="application/json", **api.header)


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    return lambda user: api_for(client, user)


@pytest.fixture
def viewer_only(make_user: Callable[..., User]) -> User:
    return make_user("business_support")


def restrict(setting: Setting) -> None:
    restriction_set(
        actor=setting.manager,
        person=setting.child,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=[],
        expected_version=setting.child.version,
    )


def test_list_for_a_child(setting: Setting, plan: Plan, api: Callable[[User], Api]) -> None:
    rows = api(setting.worker).get(LIST, {"person": str(setting.child.pk)}).json()["results"]
    assert [r["id"] for r in rows] == [plan.pk]
    assert rows[0]["kind"] == "cin" and rows[0]["overdue_actions"] == 0
    restrict(setting)
    assert api(setting.worker).get(LIST, {"person": str(setting.child.pk)}).json()["results"] == []


def test_list_deny(make_user: Callable[..., User], api: Callable[[User], Api]) -> None:
    assert api(make_user("performance_analyst")).get(LIST).status_code == 403


def test_start_a_plan(setting: Setting, api: Callable[[User], Api]) -> None:
    body = {
        "person_id": setting.child.pk,
        "episode_id": setting.episode.pk,
        "start_date": days_ago(5).isoformat(),
        "contingency": "Strategy discussion.",
    }
    response = api(setting.worker).post(LIST, body)
    assert response.status_code == 201, response.json()
    assert (
        response.json()["needs"] == [] and response.json()["contingency"] == "Strategy discussion."
    )
    again = api(setting.worker).post(LIST, body)
    assert again.status_code == 400
    assert "census rule 4004" in " ".join(again.json()["start_date"])


def test_start_deny(setting: Setting, api: Callable[[User], Api], viewer_only: User) -> None:
    body = {
        "person_id": setting.child.pk,
        "episode_id": setting.episode.pk,
        "start_date": days_ago(5).isoformat(),
    }
    assert api(viewer_only).post(LIST, body).status_code == 403
    restrict(setting)
    response = api(setting.worker).post(LIST, body)
    assert response.status_code == 400 and "person_id" in response.json()
    assert not Plan.objects.exists()


def test_read_a_plan(
    setting: Setting, plan: Plan, action: PlanAction, risk: PlanNeed, api: Callable[[User], Api]
) -> None:
    data = api(setting.worker).get(one(plan)).json()
    assert [n["id"] for n in data["needs"]] == [risk.pk]
    assert data["needs"][0]["flagged"] is False
    assert data["actions"][0]["needs"] == [risk.pk]
    assert data["actions"][0]["is_overdue"] is True
    assert data["overdue_actions"] == 1


def test_read_deny(
    setting: Setting, plan: Plan, api: Callable[[User], Api], make_user: Callable[..., User]
) -> None:
    assert api(make_user("performance_analyst")).get(one(plan)).status_code == 403
    restrict(setting)
    assert api(setting.worker).get(one(plan)).status_code == 404


def test_patch_contingency_with_version(
    setting: Setting, plan: Plan, api: Callable[[User], Api], viewer_only: User
) -> None:
    caller = api(setting.worker)
    response = patch(caller, one(plan), {"contingency": "Call a strategy meeting", "version": 1})
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = patch(caller, one(plan), {"contingency": "Mine", "version": 1})
    assert stale.status_code == 409
    assert patch(api(viewer_only), one(plan), {"contingency": "x", "version": 2}).status_code == 403
    restrict(setting)
    assert patch(caller, one(plan), {"contingency": "x", "version": 2}).status_code == 404


def test_add_needs_with_the_flag(
    setting: Setting, plan: Plan, api: Callable[[User], Api], viewer_only: User
) -> None:
    caller = api(setting.worker)
    long = " ".join(["worried"] * 61)
    response = caller.post(
        one(plan, "needs"), {"kind": "risk", "statement": long, "safety_goal": GOAL}
    )
    assert response.status_code == 201 and response.json()["flagged"] is True
    missing = caller.post(one(plan, "needs"), {"kind": "risk", "statement": DANGER})
    assert missing.status_code == 400 and "safety_goal" in missing.json()
    assert [n["flagged"] for n in caller.get(one(plan, "needs")).json()] == [True]
    body = {"kind": "need", "statement": "School attendance"}
    assert api(viewer_only).post(one(plan, "needs"), body).status_code == 403
    restrict(setting)
    assert caller.post(one(plan, "needs"), body).status_code == 404


def test_change_a_need(
    setting: Setting, risk: PlanNeed, api: Callable[[User], Api], viewer_only: User
) -> None:
    path = f"/api/plan-needs/{risk.pk}/"
    caller = api(setting.worker)
    response = patch(caller, path, {"status": "resolved", "version": 1})
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    assert patch(caller, path, {"status": "current", "version": 1}).status_code == 409
    assert caller.get(path).status_code == 200
    assert patch(api(viewer_only), path, {"status": "current", "version": 2}).status_code == 403
    restrict(setting)
    assert caller.get(path).status_code == 404


def test_add_actions_with_the_rules(
    setting: Setting, plan: Plan, risk: PlanNeed, api: Callable[[User], Api], viewer_only: User
) -> None:
    caller = api(setting.worker)
    bad = caller.post(one(plan, "actions"), {"description": "Visit", "needs": [], "due_date": None})
    assert bad.status_code == 400
    errors = bad.json()
    assert "at least one" in " ".join(errors["needs"])
    assert "a person or an agency" in " ".join(errors["owner_user_id"])
    assert "due by" in " ".join(errors["due_date"])
    good = {
        "description": "Visit",
        "needs": [risk.pk],
        "owner_agency": "School",
        "due_date": days_ago(-10).isoformat(),
    }
    response = caller.post(one(plan, "actions"), good)
    assert response.status_code == 201 and response.json()["needs"] == [risk.pk]
    assert [a["owner"] for a in caller.get(one(plan, "actions")).json()] == ["School"]
    assert api(viewer_only).post(one(plan, "actions"), good).status_code == 403
    restrict(setting)
    assert caller.post(one(plan, "actions"), good).status_code == 404
    assert PlanAction.objects.count() == 1


def test_set_an_actions_status(
    setting: Setting, action: PlanAction, api: Callable[[User], Api], viewer_only: User
) -> None:
    path = f"/api/plan-actions/{action.pk}/"
    caller = api(setting.worker)
    missing = patch(caller, path, {"status": "done", "version": 1})
    assert missing.status_code == 400 and "completed_on" in missing.json()
    done = patch(
        caller, path, {"status": "done", "completed_on": days_ago(1).isoformat(), "version": 1}
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["is_overdue"]) == ("done", False)
    assert patch(caller, path, {"status": "not_done", "version": 1}).status_code == 409
    assert patch(api(viewer_only), path, {"status": "done", "version": 2}).status_code == 403
    restrict(setting)
    assert caller.get(path).status_code == 404


def test_reviews(
    setting: Setting, plan: Plan, api: Callable[[User], Api], viewer_only: User
) -> None:
    caller = api(setting.worker)
    body = {
        "held_on": days_ago(30).isoformat(),
        "decision": "continue",
        "progress_summary": "Good progress.",
    }
    assert caller.post(one(plan, "reviews"), body).status_code == 201
    early = caller.post(one(plan, "reviews"), {**body, "held_on": days_ago(400).isoformat()})
    assert early.status_code == 400 and "8841" in " ".join(early.json()["held_on"])
    assert [r["decision"] for r in caller.get(one(plan, "reviews")).json()] == ["continue"]
    assert api(viewer_only).post(one(plan, "reviews"), body).status_code == 403
    restrict(setting)
    assert caller.get(one(plan, "reviews")).status_code == 404
    assert PlanReview.objects.count() == 1


def test_end_a_plan(setting: Setting, plan: Plan, api: Callable[[User], Api]) -> None:
    caller = api(setting.worker)
    body = {"end_date": days_ago(1).isoformat(), "end_reason": "Stepped down", "version": 1}
    response = caller.post(one(plan, "end"), body)
    assert response.status_code == 200 and response.json()["end_date"] == days_ago(1).isoformat()
    assert caller.post(one(plan, "end"), body).status_code == 409
