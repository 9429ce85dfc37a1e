"""Allocations, caseloads and unallocated children over the API: who may call what, what they
see, and the same refusals as the pages (409 with the threshold warning)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from hearth.core.choices import RoleCode
from hearth.core.models import Team, User
from hearth.core.tests.api_client import Api, api_for
from hearth.people.models import Person
from hearth.people.services import restriction_set
from hearth.workforce import selectors
from hearth.workforce.codes import CaseRole, ChangeReason, EndReason
from hearth.workforce.models import Allocation

from .factories import FIVE_WORDS, days_ago, hold, make_team, make_worker, today, waiting_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    return lambda user: api_for(client, user, "Council BI")


def patch(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.patch(path, json.dumps(body), content_type="application/json", **api.header)


@pytest.fixture
def child(team: Team) -> Person:
    return waiting_child(team, referral_date=days_ago(4), forename="Ava")


@pytest.fixture
def hidden(team: Team) -> Person:
    """A waiting child whose record is restricted to someone else."""
    person = waiting_child(team, referral_date=days_ago(9), forename="Kit")
    named = make_worker(None, RoleCode.HEAD_OF_SERVICE)
    return restriction_set(
        actor=named,
        person=person,
        restricted=True,
        reason="Sensitive",
        named_staff=[named],
        expected_version=None,
    )


def body(worker: User, *people: Person, **extra: Any) -> dict[str, Any]:
    return {
        "person_ids": [p.pk for p in people],
        "worker": worker.pk,
        "reason": ChangeReason.FCONTA,
        **extra,
    }


# --- allocations ---------------------------------------------------------------------------------


def test_allocating_returns_201_with_the_allocations(
    api: Callable[[User], Api], manager: User, worker: User, child: Person, team: Team
) -> None:
    sister = waiting_child(team, forename="Mia")
    response = api(manager).post("/api/allocations/", body(worker, child, sister))
    assert response.status_code == 201, response.json()
    rows = response.json()
    assert {r["person"] for r in rows} == {child.pk, sister.pk}
    first = rows[0]
    assert first["role"] == CaseRole.LEAD_SOCIAL_WORKER and first["worker"] == worker.pk
    assert first["worker_name"] == "Sam Worker" and first["team"] == team.pk
    assert first["team_name"] == team.name and first["start_date"] == today().isoformat()
    assert first["end_date"] is None and first["reason"] == "FCONTA"
    assert selectors.current_lead(child) is not None


def test_over_the_threshold_the_api_answers_409_until_a_reason_is_given(
    api: Callable[[User], Api], manager: User, worker: User, child: Person, team: Team
) -> None:
    hold(worker, 18, team=team)
    refused = api(manager).post("/api/allocations/", body(worker, child))
    assert refused.status_code == 409
    assert refused.json()["warnings"] == [
        "Sam Worker would hold 19 weighted units, above the amber threshold of 18 for their hours"
    ]
    assert "over_threshold_reason" in refused.json()["detail"]
    assert selectors.current_lead(child) is None
    short = api(manager).post(
        "/api/allocations/", body(worker, child, over_threshold_reason="Too few words")
    )
    assert short.status_code == 409
    confirmed = api(manager).post(
        "/api/allocations/", body(worker, child, over_threshold_reason=FIVE_WORDS)
    )
    assert confirmed.status_code == 201
    assert confirmed.json()[0]["over_threshold_reason"] == FIVE_WORDS


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"reason": "BECAUSE"}, "reason"),
        ({"role": "driver"}, "role"),
        ({"start_date": "2099-01-01"}, "start_date"),
        ({"start_date": "not a date"}, "start_date"),
        ({"person_ids": []}, "person_ids"),
    ],
)
def test_bad_input_is_400_with_the_field_and_changes_nothing(
    api: Callable[[User], Api],
    manager: User,
    worker: User,
    child: Person,
    extra: dict[str, Any],
    field: str,
) -> None:
    response = api(manager).post("/api/allocations/", {**body(worker, child), **extra})
    assert response.status_code == 400
    assert field in response.json()
    assert not Allocation.objects.exists()


def test_a_worker_who_cannot_hold_the_case_is_400(
    api: Callable[[User], Api], manager: User, child: Person
) -> None:
    unregistered = make_worker(None, registered=False)
    response = api(manager).post("/api/allocations/", body(unregistered, child))
    assert response.status_code == 400
    assert "Social Work England" in response.json()["worker"][0]


def test_a_child_or_worker_that_is_not_there_is_404(
    api: Callable[[User], Api], manager: User, worker: User, child: Person, hidden: Person
) -> None:
    assert api(manager).post("/api/allocations/", body(worker, hidden)).status_code == 404
    assert api(manager).post("/api/allocations/", body(worker, child, hidden)).status_code == 404
    missing = {**body(worker, child), "worker": 999999}
    assert api(manager).post("/api/allocations/", missing).status_code == 404
    assert not Allocation.objects.exists()


def test_allocating_needs_the_allocation_permission(
    api: Callable[[User], Api], worker: User, child: Person
) -> None:
    response = api(worker).post("/api/allocations/", body(worker, child))
    assert response.status_code == 403
    assert not Allocation.objects.exists()


def test_the_list_shows_only_children_the_caller_may_see(
    api: Callable[[User], Api], manager: User, worker: User, child: Person, hidden: Person
) -> None:
    api(manager).post("/api/allocations/", body(worker, child))
    Allocation.objects.create(
        person=hidden,
        role=CaseRole.LEAD_SOCIAL_WORKER,
        worker=worker,
        start_date=today(),
        reason=ChangeReason.FCONTA,
    )
    response = api(worker).get("/api/allocations/")
    assert response.status_code == 200
    assert [r["person"] for r in response.json()["results"]] == [child.pk]
    assert response.json()["count"] == 1


def test_the_list_filters_by_child_worker_and_current(
    api: Callable[[User], Api], manager: User, worker: User, child: Person, team: Team
) -> None:
    other_child = waiting_child(team)
    api(manager).post("/api/allocations/", body(worker, child, start_date=days_ago(3).isoformat()))
    successor = make_worker(team)
    api(manager).post("/api/allocations/", body(successor, child))
    api(manager).post("/api/allocations/", body(worker, other_child))
    client = api(manager)

    def people(**params: str) -> list[tuple[int, int]]:
        rows = client.get("/api/allocations/", params).json()["results"]
        return sorted((r["person"], r["worker"]) for r in rows)

    assert people(person=str(child.pk)) == sorted([(child.pk, worker.pk), (child.pk, successor.pk)])
    assert people(worker=str(worker.pk)) == sorted(
        [(child.pk, worker.pk), (other_child.pk, worker.pk)]
    )
    assert people(person=str(child.pk), current="true") == [(child.pk, successor.pk)]


def test_listing_needs_case_records(api: Callable[[User], Api]) -> None:
    analyst = make_worker(None, RoleCode.PERFORMANCE_ANALYST)
    assert api(analyst).get("/api/allocations/").status_code == 403


def test_one_allocation_is_read_or_not_found(
    api: Callable[[User], Api], manager: User, worker: User, child: Person, hidden: Person
) -> None:
    [row] = api(manager).post("/api/allocations/", body(worker, child)).json()
    response = api(worker).get(f"/api/allocations/{row['id']}/")
    assert response.status_code == 200 and response.json()["person"] == child.pk
    secret = Allocation.objects.create(
        person=hidden,
        role=CaseRole.LEAD_SOCIAL_WORKER,
        worker=worker,
        start_date=today(),
        reason=ChangeReason.FCONTA,
    )
    assert api(manager).get(f"/api/allocations/{secret.pk}/").status_code == 404
    assert api(manager).get("/api/allocations/999999/").status_code == 404


def test_ending_an_allocation_with_patch(
    api: Callable[[User], Api], manager: User, worker: User, child: Person
) -> None:
    [row] = (
        api(manager)
        .post("/api/allocations/", body(worker, child, start_date=days_ago(3).isoformat()))
        .json()
    )
    url = f"/api/allocations/{row['id']}/"
    denied = patch(api(worker), url, {"end_date": today().isoformat(), "end_reason": "worker_left"})
    assert denied.status_code == 403
    wrong = patch(
        api(manager), url, {"end_date": today().isoformat(), "end_reason": EndReason.REALLOCATED}
    )
    assert wrong.status_code == 400 and "end_reason" in wrong.json()
    early = patch(
        api(manager), url, {"end_date": days_ago(5).isoformat(), "end_reason": "worker_left"}
    )
    assert early.status_code == 400 and "end_date" in early.json()
    stale = patch(
        api(manager),
        url,
        {"end_date": today().isoformat(), "end_reason": "worker_left", "version": 99},
    )
    assert stale.status_code == 409
    assert selectors.current_lead(child) is not None
    done = patch(
        api(manager),
        url,
        {"end_date": today().isoformat(), "end_reason": "worker_left", "version": row["version"]},
    )
    assert done.status_code == 200
    assert done.json()["end_date"] == today().isoformat()
    assert done.json()["end_reason"] == "worker_left"
    assert selectors.current_lead(child) is None
    assert [c.person_id for c in selectors.unallocated_children()] == [child.pk]
    again = patch(api(manager), url, {"end_date": today().isoformat(), "end_reason": "worker_left"})
    assert again.status_code == 400


def test_ending_a_hidden_childs_allocation_is_not_found(
    api: Callable[[User], Api], manager: User, worker: User, hidden: Person
) -> None:
    secret = Allocation.objects.create(
        person=hidden,
        role=CaseRole.LEAD_SOCIAL_WORKER,
        worker=worker,
        start_date=today(),
        reason=ChangeReason.FCONTA,
    )
    response = patch(
        api(manager),
        f"/api/allocations/{secret.pk}/",
        {"end_date": today().isoformat(), "end_reason": "worker_left"},
    )
    assert response.status_code == 404
    secret.refresh_from_db()
    assert secret.end_date is None


# --- caseloads -----------------------------------------------------------------------------------


def test_caseloads_for_a_manager_cover_their_teams(
    api: Callable[[User], Api], manager: User, worker: User, team: Team
) -> None:
    hold(worker, 19, team=team)
    elsewhere = make_team(name="Elsewhere")
    make_worker(elsewhere, first_name="Far")
    response = api(manager).get("/api/caseloads/")
    assert response.status_code == 200
    [row] = response.json()
    assert row["worker"] == worker.pk and row["worker_name"] == "Sam Worker"
    assert row["team"] == team.pk and row["employment_type"] == "permanent"
    assert row["children"] == 19 and row["by_type"] == {"child_in_need": 19}
    assert row["units"] == "19.00" and row["units_per_fte"] == "19.0"
    assert row["amber_units"] == "18.00" and row["red_units"] == "22.00"
    assert row["status"] == "amber" and row["fte"] == "1.00"
    assert api(manager).get("/api/caseloads/", {"team": str(team.pk)}).status_code == 200
    assert api(manager).get("/api/caseloads/", {"team": str(elsewhere.pk)}).status_code == 404


def test_caseloads_for_an_analyst_cover_every_team(
    api: Callable[[User], Api], worker: User, team: Team
) -> None:
    elsewhere = make_team(name="Elsewhere")
    far = make_worker(elsewhere, first_name="Far")
    analyst = make_worker(None, RoleCode.PERFORMANCE_ANALYST)
    rows = api(analyst).get("/api/caseloads/").json()
    assert {r["worker"] for r in rows} == {worker.pk, far.pk}
    only = api(analyst).get("/api/caseloads/", {"team": str(elsewhere.pk)}).json()
    assert [r["worker"] for r in only] == [far.pk]


@pytest.mark.parametrize("role", [RoleCode.SOCIAL_WORKER, RoleCode.BUSINESS_SUPPORT])
def test_caseloads_are_refused_without_the_permissions(
    api: Callable[[User], Api], make_user: Callable[..., User], role: str
) -> None:
    assert api(make_user(role)).get("/api/caseloads/").status_code == 403


def test_the_api_needs_a_token(client: Client) -> None:
    for path in ("/api/allocations/", "/api/caseloads/", "/api/unallocated/"):
        assert client.get(path).status_code in (401, 403)


# --- unallocated children ------------------------------------------------------------------------


def test_unallocated_children_in_the_managers_teams(
    api: Callable[[User], Api], manager: User, worker: User, child: Person, team: Team
) -> None:
    waiting_child(make_team(name="Elsewhere"), forename="Ned")
    allocated = waiting_child(team)
    api(manager).post("/api/allocations/", body(worker, allocated))
    response = api(manager).get("/api/unallocated/")
    assert response.status_code == 200
    [row] = response.json()
    assert row == {
        "person": child.pk,
        "child_id": child.child_id,
        "episode_type": "Child in need",
        "opened_on": days_ago(4).isoformat(),
        "unallocated_since": days_ago(4).isoformat(),
        "days_unallocated": 4,
        "team": team.pk,
        "rating": "",
        "markers": [],
    }


@pytest.mark.parametrize(
    "role", [RoleCode.SOCIAL_WORKER, RoleCode.PERFORMANCE_ANALYST, RoleCode.BUSINESS_SUPPORT]
)
def test_unallocated_children_are_refused_without_the_allocation_permission(
    api: Callable[[User], Api], make_user: Callable[..., User], role: str
) -> None:
    assert api(make_user(role)).get("/api/unallocated/").status_code == 403
