"""The escalations API: list (scoped and filtered), raise, read, answer, resolve, accept and
dispute; 400 with field messages, 403 for the wrong person, 404 for records the caller may not
see, 409 for a stale version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hearth.core.models import AuditEvent, User
from hearth.core.tests.api_client import Api, api_for
from hearth.escalations.models import Escalation, Stage, Status
from hearth.frontdoor import services as frontdoor
from hearth.people.services import restriction_set
from hearth.people.tests.factories import make_child

from .conftest import ANSWER, CONCERN, DISPUTE, OUTCOME, Council

pytestmark = pytest.mark.django_db
Raise = Callable[..., Escalation]
LIST = "/api/escalations/"


def one(escalation: Escalation, action: str = "") -> str:
    return f"/api/escalations/{escalation.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    return lambda user: api_for(client, user)


def test_list_is_scoped_and_filtered(
    council: Council, raise_one: Raise, api: Callable[[User], Api], make_user: Any
) -> None:
    first = raise_one()
    second = raise_one(actor=council.chair, at=timezone.now() - dt.timedelta(days=14))
    caller = api(council.team_manager)
    response = caller.get(LIST)
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {first.pk, second.pk}
    # Reading the list moved the overdue one up first.
    second.refresh_from_db()
    assert second.stage == Stage.SERVICE_MANAGER
    rows = caller.get(LIST, {"overdue": "false", "status": "open"}).json()["results"]
    assert {r["id"] for r in rows} == {first.pk, second.pk}
    assert caller.get(LIST, {"overdue": "true"}).json()["results"] == []
    other_child = make_child()
    assert caller.get(LIST, {"person": str(other_child.pk)}).json()["results"] == []
    assert caller.get(LIST, {"status": "resolved"}).json()["results"] == []
    bad = caller.get(LIST, {"status": "closed"})
    assert bad.status_code == 400 and "status" in bad.json()


def test_list_hides_restricted_children_and_is_refused_without_permission(
    council: Council, raise_one: Raise, api: Callable[[User], Api], make_user: Any
) -> None:
    raise_one()
    restriction_set(
        actor=council.team_manager,
        person=council.child,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=[],
        expected_version=council.child.version,
    )
    assert api(make_user("team_manager")).get(LIST).json()["results"] == []
    assert api(make_user("performance_analyst")).get(LIST).status_code == 403


def test_raise_and_read(council: Council, api: Callable[[User], Api]) -> None:
    caller = api(council.iro)
    response = caller.post(
        LIST, {"person_id": council.child.pk, "concern": CONCERN, "outcome_sought": OUTCOME}
    )
    assert response.status_code == 201
    body = response.json()
    escalation = Escalation.objects.get()
    assert body["id"] == escalation.pk and body["owner_id"] == council.team_manager.pk
    assert body["raiser_role"] == "iro" and body["status"] == "open"
    assert len(body["stages"]) == 1 and body["stages"][0]["due_on"] == body["due_on"]
    detail = api(council.team_manager).get(one(escalation))
    assert detail.status_code == 200 and detail.json()["concern"] == CONCERN
    assert AuditEvent.objects.filter(
        action="view", object_id=str(escalation.pk), actor=council.team_manager
    ).exists()


def test_raise_refuses_bad_input_with_field_messages(
    council: Council, api: Callable[[User], Api], make_user: Any
) -> None:
    caller = api(council.iro)
    response = caller.post(LIST, {"person_id": council.child.pk, "concern": ""})
    assert response.status_code == 400
    assert set(response.json()) >= {"concern", "outcome_sought"}
    response = caller.post(
        LIST, {"person_id": 999_999, "concern": CONCERN, "outcome_sought": OUTCOME}
    )
    assert response.status_code == 400 and "person_id" in response.json()
    stranger = api(make_user("social_worker"))
    response = stranger.post(
        LIST, {"person_id": council.child.pk, "concern": CONCERN, "outcome_sought": OUTCOME}
    )
    assert response.status_code == 400 and "hold a role" in str(response.json()["person"])
    assert not Escalation.objects.exists()


def test_a_partner_raises_about_a_child_they_referred_and_sees_only_their_own(
    council: Council, raise_one: Raise, api: Callable[[User], Api], make_user: Any
) -> None:
    partner = make_user("partner_agency")
    caller = api(partner)
    body = {"person_id": council.child.pk, "concern": CONCERN, "outcome_sought": OUTCOME}
    response = caller.post(LIST, body)
    assert response.status_code == 400 and "person_id" in response.json()
    submission = frontdoor.contact_submit(
        actor=partner,
        new=frontdoor.NewContact(
            received_at=timezone.now() - dt.timedelta(days=3),
            source="6",
            concerns="Police attended the home after neighbours reported shouting overnight.",
            children=[frontdoor.ChildDetails(forename="Ava", surname="Testchild")],
            channel="partner",
        ),
    )
    submission.contacts.update(person=council.child)
    response = caller.post(LIST, body)
    assert response.status_code == 201
    mine = response.json()["id"]
    theirs = raise_one()
    assert [r["id"] for r in caller.get(LIST).json()["results"]] == [mine]
    assert caller.get(one(theirs)).status_code == 404


def test_respond_resolve_accept(
    council: Council, raise_one: Raise, api: Callable[[User], Api]
) -> None:
    escalation = raise_one()
    owner = api(council.team_manager)
    response = owner.post(
        one(escalation, "respond"), {"response": ANSWER, "version": escalation.version}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["stages"][0]["response"] == ANSWER
    assert body["version"] == escalation.version + 1
    response = owner.post(
        one(escalation, "resolve"), {"resolution": ANSWER, "version": body["version"]}
    )
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    raiser = api(council.iro)
    response = raiser.post(
        one(escalation, "accept"), {"version": response.json()["version"], "comment": "Agreed."}
    )
    assert response.status_code == 200
    assert response.json()["raiser_accepted"] == "yes"


def test_dispute_rises_a_stage(
    council: Council, raise_one: Raise, api: Callable[[User], Api]
) -> None:
    escalation = raise_one()
    body = (
        api(council.team_manager)
        .post(one(escalation, "respond"), {"response": ANSWER, "version": escalation.version})
        .json()
    )
    response = api(council.iro).post(
        one(escalation, "dispute"),
        {"comment": DISPUTE, "rise": True, "version": body["version"]},
    )
    assert response.status_code == 200
    assert response.json()["stage"] == Stage.SERVICE_MANAGER
    assert response.json()["owner_id"] == council.service_manager.pk


def test_a_stale_version_is_409_and_nothing_is_saved(
    council: Council, raise_one: Raise, api: Callable[[User], Api]
) -> None:
    escalation = raise_one()
    response = api(council.team_manager).post(
        one(escalation, "respond"), {"response": ANSWER, "version": escalation.version + 1}
    )
    assert response.status_code == 409
    assert "changed this record" in response.json()["detail"]
    assert escalation.stages.get().responded_at is None


def test_actions_validate_and_check_who_acts(
    council: Council, raise_one: Raise, api: Callable[[User], Api], make_user: Any
) -> None:
    escalation = raise_one()
    owner = api(council.team_manager)
    response = owner.post(one(escalation, "respond"), {"response": "Fine."})
    assert response.status_code == 400 and "version" in response.json()
    response = owner.post(
        one(escalation, "respond"), {"response": "Fine.", "version": escalation.version}
    )
    assert response.status_code == 400 and "response" in response.json()
    response = api(council.iro).post(
        one(escalation, "respond"), {"response": ANSWER, "version": escalation.version}
    )
    assert response.status_code == 403
    response = owner.post(one(escalation, "accept"), {"comment": "", "version": escalation.version})
    assert response.status_code == 403
    response = api(make_user("partner_agency")).post(
        one(escalation, "accept"), {"comment": "", "version": escalation.version}
    )
    assert response.status_code == 404
    escalation.refresh_from_db()
    assert escalation.status == Status.OPEN and escalation.stages.get().responded_at is None


def test_reading_one_the_caller_may_not_see_is_404(
    council: Council, raise_one: Raise, api: Callable[[User], Api], make_user: Any
) -> None:
    escalation = raise_one()
    assert api(make_user("partner_agency")).get(one(escalation)).status_code == 404
    assert api(council.iro).get("/api/escalations/999999/").status_code == 404


def test_the_schema_describes_the_endpoints(api: Callable[[User], Api], council: Council) -> None:
    schema = api(council.iro).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/escalations/" in paths
    assert "/api/escalations/{id}/dispute/" in paths or "/api/escalations/{pk}/dispute/" in paths
