"""The conferences, child protection plan and core group API: an allow and a deny for each
endpoint (403 without the permission, 404 for a child the caller may not see), 400 with the
census rule under the field, 409 for a stale version, and a chair-only "held"."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from hearth.core.models import User
from hearth.core.tests.api_client import Api, api_for
from hearth.plans.codes import PlanKind
from hearth.plans.models import Plan
from hearth.protection.codes import Agency, ConferenceKind, ConferenceStatus
from hearth.protection.models import Conference, CoreGroup, Section47Enquiry
from hearth.protection.services import core_groups

from .factories import (
    RATIONALE,
    ProtectionSetting,
    days_ago,
    make_cp_plan,
    make_enquiry,
    make_protection_setting,
)
from .test_conference_support import (
    book,
    plan_with_action,
    record,
    restrict,
    saturday_ago,
    weekday_ago,
)

pytestmark = pytest.mark.django_db
CONFERENCES = "/api/conferences/"
CORE_GROUPS = "/api/core-groups/"


def one(conference: Conference, part: str = "") -> str:
    return f"{CONFERENCES}{conference.pk}/" + (f"{part}/" if part else "")


def patch(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.patch(path, json.dumps(body), content_type="application/json", **api.header)


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    return lambda user: api_for(client, user)


@pytest.fixture
def setting(make_user: Callable[..., User]) -> ProtectionSetting:
    return make_protection_setting(make_user)


@pytest.fixture
def enquiry(setting: ProtectionSetting) -> Section47Enquiry:
    return make_enquiry(setting, started=20)


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    return make_user("performance_analyst")


def book_body(setting: ProtectionSetting, enquiry: Section47Enquiry, **extra: Any) -> dict:
    return {
        "person_id": setting.child.pk,
        "episode_id": setting.episode.pk,
        "kind": "initial",
        "scheduled_on": weekday_ago(2).isoformat(),
        "chair_id": setting.chair.pk,
        "section_47_id": enquiry.pk,
        "agencies": [
            {"agency": "social_care", "name": "Will Worker"},
            {"agency": "police"},
            {"agency": "health", "name": "Nurse Hana Health"},
        ],
        **extra,
    }


def held_body(conference: Conference, **extra: Any) -> dict:
    return {
        "version": conference.version,
        "held_on": conference.scheduled_on.isoformat(),
        "agencies": [
            {"id": a.pk, "attended": True, "report_on_time": None}
            for a in conference.agencies.all()
        ],
        "parent_participation": "all",
        "child_participation": "PN1",
        "child_views": "I want to stay at my school.",
        "decision": "plan",
        "initial_category": "NEG",
        "chair_rationale": RATIONALE,
        **extra,
    }


# --- conferences ---------------------------------------------------------------------------------


def test_book_and_list(
    setting: ProtectionSetting, enquiry: Section47Enquiry, api: Callable[[User], Api]
) -> None:
    response = api(setting.worker).post(CONFERENCES, book_body(setting, enquiry))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kind"] == "initial" and data["status"] == "booked"
    assert [a["agency"] for a in data["agencies"]] == ["health", "police", "social_care"]
    rows = api(setting.worker).get(CONFERENCES, {"person": str(setting.child.pk)}).json()
    assert [r["id"] for r in rows["results"]] == [data["id"]]
    restrict(setting)
    rows = api(setting.worker).get(CONFERENCES, {"person": str(setting.child.pk)}).json()
    assert rows["results"] == []


def test_book_refusals(
    setting: ProtectionSetting, enquiry: Section47Enquiry, api: Callable[[User], Api]
) -> None:
    weekend = api(setting.worker).post(
        CONFERENCES, book_body(setting, enquiry, scheduled_on=saturday_ago(1).isoformat())
    )
    assert weekend.status_code == 400
    assert "census rule 8875" in " ".join(weekend.json()["scheduled_on"])
    not_chair = api(setting.worker).post(
        CONFERENCES, book_body(setting, enquiry, chair_id=setting.worker.pk)
    )
    assert not_chair.status_code == 400 and "chair" in not_chair.json()
    assert not Conference.objects.exists()


def test_conferences_deny(
    setting: ProtectionSetting,
    enquiry: Section47Enquiry,
    api: Callable[[User], Api],
    outsider: User,
    make_user: Callable[..., User],
) -> None:
    assert api(outsider).get(CONFERENCES).status_code == 403
    assert api(outsider).post(CONFERENCES, book_body(setting, enquiry)).status_code == 403
    viewer_only = make_user("business_support")
    assert api(viewer_only).post(CONFERENCES, book_body(setting, enquiry)).status_code == 403
    restrict(setting)
    response = api(setting.worker).post(CONFERENCES, book_body(setting, enquiry))
    assert response.status_code == 400 and "person_id" in response.json()


def test_read_and_rebook(
    setting: ProtectionSetting, enquiry: Section47Enquiry, api: Callable[[User], Api]
) -> None:
    conference = book(setting, enquiry=enquiry, scheduled_on=weekday_ago(4))
    data = api(setting.worker).get(one(conference)).json()
    assert data["id"] == conference.pk and data["chair"] == "Chloe Chair"
    moved = patch(
        api(setting.worker),
        one(conference),
        {
            "version": data["version"],
            "scheduled_on": weekday_ago(1).isoformat(),
            "add_agencies": [{"agency": "housing"}],
        },
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["scheduled_on"] == weekday_ago(1).isoformat()
    stale = patch(
        api(setting.worker),
        one(conference),
        {"version": data["version"], "scheduled_on": weekday_ago(2).isoformat()},
    )
    assert stale.status_code == 409
    conference.refresh_from_db()
    assert conference.scheduled_on == weekday_ago(1)


def test_read_and_rebook_deny(
    setting: ProtectionSetting,
    enquiry: Section47Enquiry,
    api: Callable[[User], Api],
    outsider: User,
) -> None:
    conference = book(setting, enquiry=enquiry)
    assert api(outsider).get(one(conference)).status_code == 403
    restrict(setting)
    assert api(setting.worker).get(one(conference)).status_code == 404
    body = {"version": conference.version, "scheduled_on": weekday_ago(1).isoformat()}
    assert patch(api(setting.worker), one(conference), body).status_code == 404


def test_the_chair_records_it_as_held(
    setting: ProtectionSetting, enquiry: Section47Enquiry, api: Callable[[User], Api]
) -> None:
    conference = book(setting, enquiry=enquiry)
    response = api(setting.chair).post(one(conference, "held"), held_body(conference))
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "held" and data["is_quorate"] is True
    plan = Plan.objects.get(kind=PlanKind.CP)
    assert data["plan_id"] == plan.pk and plan.start_date == conference.scheduled_on


def test_held_refusals(
    setting: ProtectionSetting, enquiry: Section47Enquiry, api: Callable[[User], Api]
) -> None:
    conference = book(setting, enquiry=enquiry)
    weekend = api(setting.chair).post(
        one(conference, "held"), held_body(conference, held_on=saturday_ago(1).isoformat())
    )
    assert weekend.status_code == 400
    assert "census rule 8875" in " ".join(weekend.json()["held_on"])
    stale = api(setting.chair).post(one(conference, "held"), held_body(conference, version=99))
    assert stale.status_code == 409
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.BOOKED


def test_held_deny(
    setting: ProtectionSetting, enquiry: Section47Enquiry, api: Callable[[User], Api]
) -> None:
    conference = book(setting, enquiry=enquiry)
    # A social worker cannot record a conference as held.
    assert (
        api(setting.worker).post(one(conference, "held"), held_body(conference)).status_code == 403
    )
    restrict(setting)
    assert (
        api(setting.chair).post(one(conference, "held"), held_body(conference)).status_code == 404
    )
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.BOOKED


def test_cancel(
    setting: ProtectionSetting,
    enquiry: Section47Enquiry,
    api: Callable[[User], Api],
    make_user: Callable[..., User],
) -> None:
    conference = book(setting, enquiry=enquiry)
    body = {"version": conference.version, "reason": "The family moved away."}
    assert (
        api(make_user("business_support")).post(one(conference, "cancel"), body).status_code == 403
    )
    stale = api(setting.worker).post(one(conference, "cancel"), {**body, "version": 99})
    assert stale.status_code == 409
    response = api(setting.worker).post(one(conference, "cancel"), body)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = api(setting.worker).post(
        one(conference, "cancel"), {**body, "version": response.json()["version"]}
    )
    assert again.status_code == 400


# --- child protection plans ----------------------------------------------------------------------


def test_the_child_protection_plan(setting: ProtectionSetting, api: Callable[[User], Api]) -> None:
    Plan.objects.create(
        kind=PlanKind.CP,
        person=setting.child,
        episode=setting.episode,
        start_date=days_ago(100),
        end_date=days_ago(60),
    )
    plan = make_cp_plan(setting, started=30, category="EMO")
    review = record(
        setting,
        book(setting, kind=ConferenceKind.REVIEW),
        initial_category="",
        latest_category="MUL",
    )
    data = api(setting.worker).get(f"/api/child-protection-plans/{plan.pk}/").json()
    assert data["id"] == plan.pk and data["start_date"] == plan.start_date.isoformat()
    assert (data["initial_category"], data["latest_category"]) == ("EMO", "MUL")
    assert data["previous_plans"] == 1
    assert [r["id"] for r in data["reviews"]] == [review.pk]
    assert data["reviews"][0]["held_on"] == review.held_on.isoformat()  # type: ignore[union-attr]
    assert data["over_legal_gateway"] is False and data["next_review_due"]


def test_the_child_protection_plan_deny(
    setting: ProtectionSetting, api: Callable[[User], Api], outsider: User
) -> None:
    plan = make_cp_plan(setting)
    url = f"/api/child-protection-plans/{plan.pk}/"
    assert api(outsider).get(url).status_code == 403
    cin = Plan.objects.create(
        kind=PlanKind.CIN,
        person=setting.child,
        episode=setting.episode,
        start_date=days_ago(90),
        end_date=days_ago(40),
    )
    assert api(setting.worker).get(f"/api/child-protection-plans/{cin.pk}/").status_code == 404
    restrict(setting)
    assert api(setting.worker).get(url).status_code == 404


# --- core groups ---------------------------------------------------------------------------------


def test_core_groups(setting: ProtectionSetting, api: Callable[[User], Api]) -> None:
    plan = make_cp_plan(setting, started=30)
    action = plan_with_action(plan, setting.worker)
    body = {
        "plan_id": plan.pk,
        "held_on": days_ago(20).isoformat(),
        "summary": "The detailed plan was agreed.",
        "attendees": [
            {"agency": "health", "name": "Nurse Hana Health"},
            {"agency": "education", "name": "Ms Head Teacher", "attended": False},
        ],
        "progress": [{"action": action.pk, "status": "in_progress", "note": "Booked."}],
    }
    created = api(setting.worker).post(CORE_GROUPS, body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["progress"] == [
        {"action_id": action.pk, "status": "in_progress", "note": "Booked."}
    ]
    listed = api(setting.worker).get(CORE_GROUPS, {"plan": str(plan.pk)}).json()["results"]
    assert [g["id"] for g in listed] == [data["id"]]
    url = f"{CORE_GROUPS}{data['id']}/"
    assert api(setting.worker).get(url).json()["summary"] == "The detailed plan was agreed."
    changed = patch(api(setting.worker), url, {"version": data["version"], "summary": "Fixed."})
    assert changed.status_code == 200 and changed.json()["summary"] == "Fixed."
    stale = patch(api(setting.worker), url, {"version": data["version"], "summary": "Again."})
    assert stale.status_code == 409
    early = api(setting.worker).post(CORE_GROUPS, {**body, "held_on": days_ago(40).isoformat()})
    assert early.status_code == 400 and "held_on" in early.json()


def test_core_groups_deny(
    setting: ProtectionSetting,
    api: Callable[[User], Api],
    outsider: User,
    make_user: Callable[..., User],
) -> None:
    plan = make_cp_plan(setting, started=30)
    group = core_groups.core_group_record(
        actor=setting.worker,
        plan=plan,
        held_on=days_ago(20),
        summary="Agreed.",
        attendees=[{"agency": Agency.HEALTH, "name": "Nurse"}],
    )
    url = f"{CORE_GROUPS}{group.pk}/"
    assert api(outsider).get(CORE_GROUPS).status_code == 403
    assert api(outsider).get(url).status_code == 403
    viewer_only = make_user("business_support")
    assert patch(api(viewer_only), url, {"version": 1, "summary": "x"}).status_code == 403
    restrict(setting)
    assert api(setting.worker).get(url).status_code == 404
    assert api(setting.worker).get(CORE_GROUPS, {"plan": str(plan.pk)}).json()["results"] == []
    body = {
        "plan_id": plan.pk,
        "held_on": days_ago(10).isoformat(),
        "summary": "Agreed.",
        "attendees": [{"agency": "health", "name": "Nurse"}],
    }
    assert api(setting.worker).post(CORE_GROUPS, body).status_code == 400
    assert CoreGroup.objects.count() == 1
