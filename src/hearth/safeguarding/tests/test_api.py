"""The API: list, record, read, change (409 on a stale version), close; 400 with the services'
messages; 403 without the permission; 404 for a child the caller may not see."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from hearth.core.models import User
from hearth.core.tests.api_client import Api, api_for
from hearth.safeguarding.models import MissingEpisode, RiskAssessment

from .conftest import Council, days_ago, hours_ago, record_missing, record_risk, restrict

pytestmark = pytest.mark.django_db
RISKS = "/api/risk-assessments/"
EPISODES = "/api/missing-episodes/"


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    return lambda user: api_for(client, user)


def patch(caller: Api, path: str, body: dict[str, Any]) -> Any:
    return caller.client.patch(
        path, json.dumps(body), content_type="application/json", **caller.header
    )


def test_risk_assessments_list_create_read_patch_close(
    council: Council, api: Callable[[User], Api]
) -> None:
    caller = api(council.worker)
    created = caller.post(
        RISKS,
        {
            "person_id": council.child.pk,
            "risk_kind": "cse",
            "risk_level": "high",
            "assessed_on": days_ago(3).isoformat(),
            "summary": "Older males collecting the child from school.",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["assessor_id"] == council.worker.pk and body["next_review_due"]
    assert body["review_overdue"] is False
    pk = body["id"]
    listed = caller.get(RISKS, {"person": str(council.child.pk)}).json()["results"]
    assert [r["id"] for r in listed] == [pk]
    assert caller.get(f"{RISKS}{pk}/").json()["risk_level"] == "high"
    changed = patch(caller, f"{RISKS}{pk}/", {"version": body["version"], "risk_level": "medium"})
    assert changed.status_code == 200 and changed.json()["risk_level"] == "medium"
    stale = patch(caller, f"{RISKS}{pk}/", {"version": body["version"], "risk_level": "low"})
    assert stale.status_code == 409
    closed = caller.post(
        f"{RISKS}{pk}/close/",
        {
            "version": changed.json()["version"],
            "closed_on": days_ago(1).isoformat(),
            "closed_reason": "No longer applies.",
        },
    )
    assert closed.status_code == 200 and closed.json()["next_review_due"] is None
    again = patch(caller, f"{RISKS}{pk}/", {"version": closed.json()["version"], "summary": "x"})
    assert again.status_code == 400 and "was closed on" in json.dumps(again.json())


def test_risk_assessment_400s_name_the_field(council: Council, api: Callable[[User], Api]) -> None:
    response = api(council.worker).post(
        RISKS,
        {
            "person_id": council.child.pk,
            "risk_kind": "cce",
            "risk_level": "low",
            "assessed_on": "2099-01-01",
            "summary": "Found with cash.",
        },
    )
    assert response.status_code == 400
    assert response.json() == {"assessed_on": ["The date assessed cannot be in the future"]}
    assert not RiskAssessment.objects.exists()


def test_missing_episodes_create_then_return_and_interview_in_one_patch(
    council: Council, api: Callable[[User], Api]
) -> None:
    caller = api(council.worker)
    created = caller.post(
        EPISODES,
        {
            "person_id": council.child.pk,
            "missing_from": "care",
            "missing_or_away": "A",
            "started_at": hours_ago(30).isoformat(),
            "reported_to_police": True,
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["rhi_due_at"] is None
    pk = body["id"]
    response = patch(
        caller,
        f"{EPISODES}{pk}/",
        {
            "version": body["version"],
            "ended_at": hours_ago(20).isoformat(),
            "rhi_offered_at": hours_ago(25).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "before the child returned" in response.json()["rhi_offered_at"][0]
    assert MissingEpisode.objects.get().ended_at is None  # nothing saved
    response = patch(
        caller,
        f"{EPISODES}{pk}/",
        {
            "version": body["version"],
            "ended_at": hours_ago(20).isoformat(),
            "rhi_offered_at": hours_ago(10).isoformat(),
            "rhi_accepted": False,
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["rhi_offered_in_time"] is True
    assert patch(caller, f"{EPISODES}{pk}/", {"version": 1, "where_found": "x"}).status_code == 409
    bad = caller.post(
        EPISODES,
        {
            "person_id": council.child.pk,
            "missing_from": "home",
            "missing_or_away": "A",
            "started_at": hours_ago(3).isoformat(),
        },
    )
    assert bad.status_code == 400 and "missing_or_away" in bad.json()


def test_permissions_and_restricted_children(
    council: Council, api: Callable[[User], Api], make_user: Any
) -> None:
    risk = record_risk(council)
    episode = record_missing(council)
    analyst = api(make_user("performance_analyst"))
    for path in (RISKS, f"{RISKS}{risk.pk}/", EPISODES, f"{EPISODES}{episode.pk}/"):
        assert analyst.get(path).status_code == 403
    reader = api(make_user("business_support"))
    assert reader.get(f"{RISKS}{risk.pk}/").status_code == 200
    assert reader.post(RISKS, {}).status_code == 403
    assert patch(reader, f"{EPISODES}{episode.pk}/", {"version": 1}).status_code == 403
    restrict(council, named=[council.worker])
    outsider = api(make_user("social_worker"))
    assert outsider.get(f"{RISKS}{risk.pk}/").status_code == 404
    assert outsider.get(f"{EPISODES}{episode.pk}/").status_code == 404
    assert outsider.post(f"{RISKS}{risk.pk}/close/", {}).status_code == 404
    assert outsider.get(RISKS).json()["results"] == []
    refused = outsider.post(
        EPISODES,
        {
            "person_id": council.child.pk,
            "missing_from": "home",
            "started_at": hours_ago(2).isoformat(),
        },
    )
    assert refused.status_code == 400 and "person_id" in refused.json()
    assert api(council.worker).get(f"{EPISODES}{episode.pk}/").status_code == 200
