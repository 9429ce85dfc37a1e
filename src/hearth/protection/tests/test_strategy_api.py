"""The strategy discussion and section 47 enquiry API: list and record, read and correct,
record an enquiry's progress and outcome; 400 with field messages for the same rules as the
pages (nothing saved), 403 without the permission, 404 for children the caller may not see,
409 for a stale version."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from hearth.core.models import AuditEvent, User
from hearth.core.tests.api_client import Api, api_for
from hearth.protection.codes import Agency, Section47Outcome, StrategyDecision
from hearth.protection.models import Section47Enquiry, StrategyDiscussion
from hearth.timescales.models import ClockEvent, Deadline

from .factories import INFORMATION, RATIONALE, ProtectionSetting, at_ten, days_ago, today
from .test_strategy_services import ATTENDEES, record, restrict, seen, setting

pytestmark = pytest.mark.django_db
__all__ = ["setting"]  # the fixture, shared with the service tests
DISCUSSIONS = "/api/strategy-discussions/"
ENQUIRIES = "/api/section-47-enquiries/"


def patch(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.patch(path, json.dumps(body), content_type="application/json", **api.header)


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    return lambda user: api_for(client, user)


@pytest.fixture
def viewer_only(make_user: Callable[..., User]) -> User:
    return make_user("business_support")


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    return make_user("performance_analyst")


def body(setting: ProtectionSetting, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "person_id": setting.child.pk,
        "episode_id": setting.episode.pk,
        "held_at": at_ten(days_ago(5)).isoformat(),
        "chair_id": setting.manager.pk,
        "information_shared": INFORMATION,
        "decision": StrategyDecision.SECTION_47,
        "rationale": RATIONALE,
        "attendees": [dict(a) for a in ATTENDEES],
        "actions": [
            {
                "description": "Visit Ava at school",
                "owner_name": "Will Worker",
                "owner_agency": Agency.SOCIAL_CARE,
                "due_date": today().isoformat(),
            }
        ],
        "lead_worker_id": setting.worker.pk,
    }
    values.update(overrides)
    return values


def nothing_saved() -> tuple[int, int, int]:
    return (
        StrategyDiscussion.objects.count(),
        Section47Enquiry.objects.count(),
        ClockEvent.objects.count(),
    )


# --- strategy discussions ------------------------------------------------------------------------


def test_recording_a_discussion(setting: ProtectionSetting, api: Callable[[User], Api]) -> None:
    response = api(setting.worker).post(DISCUSSIONS, body(setting))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["decision"] == "s47" and data["flagged"] is False
    assert data["missing_agencies"] == [] and len(data["attendees"]) == 3
    assert data["actions"][0]["owner_name"] == "Will Worker"
    assert response["Location"] == f"{DISCUSSIONS}{data['id']}/"
    enquiry = Section47Enquiry.objects.get(pk=data["section_47_id"])
    assert enquiry.start_date == days_ago(5)
    assert Deadline.objects.filter(
        subject_type="child", subject_id=setting.child.pk, rule_code="icpc"
    ).exists()


def test_a_discussion_without_the_police_is_flagged(
    setting: ProtectionSetting, api: Callable[[User], Api]
) -> None:
    response = api(setting.worker).post(
        DISCUSSIONS, body(setting, attendees=[ATTENDEES[0], ATTENDEES[2]])
    )
    assert response.status_code == 201
    assert response.json()["missing_agencies"] == ["police"] and response.json()["flagged"]


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"attendees": []}, "attendees", "at least one attendee"),
        ({"rationale": "Worried."}, "rationale", "at least 10 words"),
        ({"lead_worker_id": None}, "lead_worker_id", "Choose the lead practitioner"),
        ({"held_at": at_ten(days_ago(200)).isoformat()}, "held_at", "2889"),
        (
            {"actions": [{"description": "Visit", "owner_agency": "police", "due_date": None}]},
            "actions",
            "Action 1: say who will do it",
        ),
    ],
)
def test_refusals_are_400_with_the_field_and_nothing_saved(
    setting: ProtectionSetting,
    api: Callable[[User], Api],
    overrides: dict[str, Any],
    field: str,
    text: str,
) -> None:
    before = nothing_saved()
    response = api(setting.worker).post(DISCUSSIONS, body(setting, **overrides))
    assert response.status_code == 400
    assert any(text in m for m in response.json()[field]), response.json()
    assert nothing_saved() == before


def test_no_section_47_on_a_no_further_action_referral(
    setting: ProtectionSetting, api: Callable[[User], Api]
) -> None:
    from hearth.casework.models import ChildInNeedEpisode

    ChildInNeedEpisode.objects.filter(pk=setting.episode.pk).update(
        referral_nfa=True, closure_date=days_ago(100), closure_reason="RC7"
    )
    response = api(setting.worker).post(DISCUSSIONS, body(setting))
    assert response.status_code == 400
    assert "8832" in response.json()["episode_id"][0]


def test_listing_reading_and_its_permissions(
    setting: ProtectionSetting,
    api: Callable[[User], Api],
    viewer_only: User,
    outsider: User,
) -> None:
    discussion = record(setting)
    rows = api(viewer_only).get(DISCUSSIONS, {"person": str(setting.child.pk)}).json()["results"]
    assert [r["id"] for r in rows] == [discussion.pk]
    one = api(viewer_only).get(f"{DISCUSSIONS}{discussion.pk}/")
    assert one.status_code == 200 and one.json()["section_47_id"] == discussion.section_47_id
    assert AuditEvent.objects.filter(
        action="view", object_type="protection.strategydiscussion", detail__endswith="(API)"
    ).exists()
    assert api(outsider).get(DISCUSSIONS).status_code == 403
    assert api(outsider).get(f"{DISCUSSIONS}{discussion.pk}/").status_code == 403
    before = nothing_saved()
    assert api(viewer_only).post(DISCUSSIONS, body(setting)).status_code == 403
    refused = patch(
        api(viewer_only),
        f"{DISCUSSIONS}{discussion.pk}/",
        {"version": discussion.version, "rationale": RATIONALE + " Again."},
    )
    assert refused.status_code == 403
    assert nothing_saved() == before


def test_a_restricted_child_is_not_found(
    setting: ProtectionSetting, api: Callable[[User], Api]
) -> None:
    discussion = record(setting)
    restrict(setting)
    worker = api(setting.worker)
    assert worker.get(DISCUSSIONS, {"person": str(setting.child.pk)}).json()["results"] == []
    assert worker.get(f"{DISCUSSIONS}{discussion.pk}/").status_code == 404
    assert worker.get(f"{ENQUIRIES}{discussion.section_47_id}/").status_code == 404
    assert worker.get(ENQUIRIES, {"person": str(setting.child.pk)}).json()["results"] == []
    stale = patch(worker, f"{DISCUSSIONS}{discussion.pk}/", {"version": discussion.version})
    assert stale.status_code == 404
    created = worker.post(DISCUSSIONS, body(setting, held_at=at_ten(days_ago(2)).isoformat()))
    assert created.status_code == 400 and "person_id" in created.json()


def test_correcting_a_discussion(setting: ProtectionSetting, api: Callable[[User], Api]) -> None:
    discussion = record(setting)
    path = f"{DISCUSSIONS}{discussion.pk}/"
    stale = patch(api(setting.worker), path, {"version": discussion.version + 1, "chair_id": None})
    assert stale.status_code == 409
    response = patch(
        api(setting.worker),
        path,
        {
            "version": discussion.version,
            "attendees": [ATTENDEES[0], ATTENDEES[1]],
            "held_at": at_ten(days_ago(9)).isoformat(),
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["missing_agencies"] == ["health"]
    assert response.json()["version"] == discussion.version + 1
    assert Section47Enquiry.objects.get().start_date == days_ago(9)


# --- section 47 enquiries ------------------------------------------------------------------------


def test_reading_and_updating_an_enquiry(
    setting: ProtectionSetting,
    api: Callable[[User], Api],
    viewer_only: User,
    outsider: User,
    make_user: Callable[..., User],
) -> None:
    discussion = record(setting)
    enquiry = discussion.section_47
    assert enquiry is not None
    path = f"{ENQUIRIES}{enquiry.pk}/"
    rows = api(viewer_only).get(ENQUIRIES, {"person": str(setting.child.pk)}).json()["results"]
    assert [r["id"] for r in rows] == [enquiry.pk]
    data = api(viewer_only).get(path).json()
    assert data["is_open"] and data["strategy_discussions"] == [discussion.pk]
    assert data["icpc_target_date"] == enquiry.icpc_target_date.isoformat()
    assert api(outsider).get(ENQUIRIES).status_code == 403
    assert patch(api(viewer_only), path, {"version": enquiry.version}).status_code == 403
    unregistered = make_user("family_support_worker", swe_registration="")
    refused = patch(
        api(setting.worker), path, {"version": enquiry.version, "lead_worker_id": unregistered.pk}
    )
    assert refused.status_code == 400
    assert "registered social worker" in refused.json()["lead_worker_id"][0]
    assert patch(api(setting.worker), path, {"version": enquiry.version + 1}).status_code == 409
    saved = patch(
        api(setting.worker),
        path,
        {
            "version": enquiry.version,
            "child_seen_on": days_ago(8).isoformat(),
            "seen_alone": False,
            "not_seen_reason": "Mum would not leave the room; seen alone at school next day.",
        },
    )
    assert saved.status_code == 200, saved.json()
    assert saved.json()["seen_alone"] is False and saved.json()["version"] == enquiry.version + 1


def test_recording_the_outcome(
    setting: ProtectionSetting, api: Callable[[User], Api], viewer_only: User
) -> None:
    enquiry = record(setting).section_47
    assert enquiry is not None
    path = f"{ENQUIRIES}{enquiry.pk}/outcome/"
    outcome = {
        "version": enquiry.version,
        "outcome": Section47Outcome.NOT_LIKELY_HARM,
        "outcome_rationale": RATIONALE,
        "completed_on": days_ago(1).isoformat(),
    }
    not_seen = api(setting.worker).post(path, outcome)
    assert not_seen.status_code == 400 and "child_seen_on" in not_seen.json()
    enquiry = seen(enquiry, days_ago(9))
    assert api(viewer_only).post(path, dict(outcome, version=enquiry.version)).status_code == 403
    assert api(setting.worker).post(path, outcome).status_code == 409  # the version moved on
    done = api(setting.worker).post(path, dict(outcome, version=enquiry.version))
    assert done.status_code == 200, done.json()
    data = done.json()
    assert data["icpc_not_required"] and not data["is_open"]
    assert data["concluded_on"] == days_ago(1).isoformat()
    assert ClockEvent.objects.filter(name="icpc-not-required").count() == 1
    missing = api(setting.worker).post(f"{ENQUIRIES}999999/outcome/", outcome)
    assert missing.status_code == 404
