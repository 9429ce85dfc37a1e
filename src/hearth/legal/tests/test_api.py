"""The legal API: list (?person=), create, read and change each kind of record and its parts;
400 with field messages for the same rules as the pages, 403 without the permission, 404 (or a
400 on the child's id) for children the caller may not see, 409 for a stale version."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hearth.core.models import AuditEvent, User
from hearth.core.tests.api_client import Api, api_for
from hearth.legal.models import (
    CareProceedings,
    CourtHearing,
    EmergencyProtection,
    InterimOrder,
    LegalGatewayMeeting,
    PreProceedings,
    PreProceedingsReview,
    ProceedingsExtension,
)

from .conftest import RATIONALE, Setting, days_ago, make_gateway, restrict

pytestmark = pytest.mark.django_db
Maker = Callable[[User], Api]


def patch(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.patch(path, json.dumps(body), content_type="application/json", **api.header)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


@pytest.fixture
def api(client: Client) -> Maker:
    return lambda user: api_for(client, user)


def person(setting: Setting) -> dict[str, str]:
    return {"person": str(setting.child.pk)}


# --- emergency protection ------------------------------------------------------------------------


def test_emergency_list_and_create(
    setting: Setting, api: Maker, viewer_only: User, outsider: User
) -> None:
    caller = api(setting.worker)
    started = timezone.now() - dt.timedelta(hours=10)
    body = {
        "person_id": setting.child.pk,
        "kind": "police",
        "started_at": iso(started),
        "reason": "Found alone at night.",
        "police_force": "West Yorkshire Police",
        "ended_at": iso(started + dt.timedelta(hours=73)),
        "outcome": "s20",
    }
    refused = caller.post("/api/emergency-protection/", body)
    assert refused.status_code == 400
    assert "The end cannot be in the future" in " ".join(refused.json()["ended_at"])
    body.update(ended_at=None, outcome="")
    created = caller.post("/api/emergency-protection/", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["legal_status"] == "L1" and data["must_end_by"]
    rows = caller.get("/api/emergency-protection/", person(setting)).json()["results"]
    assert [r["id"] for r in rows] == [data["id"]]
    assert api(viewer_only).post("/api/emergency-protection/", body).status_code == 403
    assert api(outsider).get("/api/emergency-protection/").status_code == 403
    restrict(setting)
    assert caller.get("/api/emergency-protection/", person(setting)).json()["results"] == []
    hidden = caller.post("/api/emergency-protection/", body)
    assert hidden.status_code == 400 and "person_id" in hidden.json()
    assert EmergencyProtection.objects.count() == 1


def test_emergency_detail_patch_and_extension(
    setting: Setting, epo: EmergencyProtection, api: Maker, viewer_only: User
) -> None:
    caller = api(setting.worker)
    path = f"/api/emergency-protection/{epo.pk}/"
    assert caller.get(path).json()["legal_status"] == "L2"
    assert AuditEvent.objects.filter(action="view", object_type="legal.emergencyprotection")
    extension = {
        "version": epo.version,
        "extended_on": days_ago(0).isoformat(),
        "extension_days": 8,
        "extension_reason": "More time",
    }
    too_long = caller.post(f"{path}extension/", extension)
    assert too_long.status_code == 400
    assert "up to 7 days" in " ".join(too_long.json()["extension_days"])
    extension["extension_days"] = 4
    assert caller.post(f"{path}extension/", extension).json()["extension_days"] == 4
    again = caller.post(f"{path}extension/", {**extension, "version": 2})
    assert again.status_code == 400 and "only once" in " ".join(again.json()["non_field_errors"])
    stale = patch(caller, path, {"version": 1, "outcome_notes": "x"})
    assert stale.status_code == 409
    ended = patch(
        caller,
        path,
        {"version": 2, "ended_at": iso(timezone.now() - dt.timedelta(hours=1)), "outcome": "s20"},
    )
    assert ended.status_code == 200 and ended.json()["outcome"] == "s20"
    assert patch(api(viewer_only), path, {"version": 3, "reason": "x"}).status_code == 403
    assert api(viewer_only).post(f"{path}extension/", extension).status_code == 403
    restrict(setting)
    assert caller.get(path).status_code == 404
    assert patch(caller, path, {"version": 3, "reason": "x"}).status_code == 404
    assert caller.post(f"{path}extension/", extension).status_code == 404


# --- legal gateway meetings ----------------------------------------------------------------------


def test_gateway_list_create_read_and_patch(
    setting: Setting, api: Maker, viewer_only: User
) -> None:
    caller = api(setting.worker)
    body = {
        "person_id": setting.child.pk,
        "held_on": days_ago(3).isoformat(),
        "reason": "long_cp_plan",
        "plan_id": setting.plan.pk,
        "attendees": "Chair, social worker, solicitor",
        "decision": "pre_proceedings",
        "rationale": "Too short to explain.",
    }
    short = caller.post("/api/legal-gateway-meetings/", body)
    assert short.status_code == 400 and "at least 10 words" in " ".join(short.json()["rationale"])
    created = caller.post("/api/legal-gateway-meetings/", {**body, "rationale": RATIONALE})
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert caller.get("/api/legal-gateway-meetings/", person(setting)).json()["count"] == 1
    path = f"/api/legal-gateway-meetings/{pk}/"
    assert caller.get(path).json()["plan_id"] == setting.plan.pk
    changed = patch(caller, path, {"version": 1, "chair": "Head of service"})
    assert changed.status_code == 200 and changed.json()["chair"] == "Head of service"
    assert patch(caller, path, {"version": 1, "chair": "Other"}).status_code == 409
    assert api(viewer_only).get(path).status_code == 200
    assert api(viewer_only).post("/api/legal-gateway-meetings/", body).status_code == 403
    assert patch(api(viewer_only), path, {"version": 2, "chair": "x"}).status_code == 403
    restrict(setting)
    assert caller.get(path).status_code == 404
    assert patch(caller, path, {"version": 2, "chair": "x"}).status_code == 404
    assert LegalGatewayMeeting.objects.count() == 1


# --- pre-proceedings -----------------------------------------------------------------------------


def test_pre_proceedings_create_read_patch_and_reviews(
    setting: Setting, gateway: LegalGatewayMeeting, api: Maker, viewer_only: User
) -> None:
    caller = api(setting.worker)
    body = {
        "person_id": setting.child.pk,
        "gateway_id": gateway.pk,
        "episode_id": setting.episode.pk,
        "start_date": days_ago(101).isoformat(),
    }
    early = caller.post("/api/pre-proceedings/", body)
    assert early.status_code == 400
    assert "before the legal gateway meeting" in " ".join(early.json()["start_date"])
    body["start_date"] = days_ago(100).isoformat()
    created = caller.post("/api/pre-proceedings/", body)
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    path = f"/api/pre-proceedings/{pk}/"
    bad = patch(caller, path, {"version": 1, "letter_sent_on": days_ago(101).isoformat()})
    assert bad.status_code == 400 and "letter_sent_on" in bad.json()
    good = patch(
        caller,
        path,
        {
            "version": 1,
            "letter_sent_on": days_ago(95).isoformat(),
            "initial_meeting_on": days_ago(90).isoformat(),
            "fgdm_offered": True,
            "fgdm_offered_on": days_ago(92).isoformat(),
        },
    )
    assert good.status_code == 200 and good.json()["fgdm_offered"] is True
    assert patch(caller, path, {"version": 1, "fgdm_held": False}).status_code == 409
    review = caller.post(
        f"{path}reviews/", {"held_on": days_ago(60).isoformat(), "notes": "Progress"}
    )
    assert review.status_code == 201
    data = caller.get(path).json()
    assert data["review_meetings_count"] == 1 and data["previous_periods"] == 0
    assert len(data["reviews"]) == 1
    assert caller.get("/api/pre-proceedings/", person(setting)).json()["count"] == 1
    viewer = api(viewer_only)
    assert viewer.get(path).status_code == 200
    assert viewer.post("/api/pre-proceedings/", body).status_code == 403
    assert patch(viewer, path, {"version": 2, "fgdm_held": False}).status_code == 403
    assert viewer.post(f"{path}reviews/", {"held_on": "2020-01-01", "notes": "x"}).status_code == (
        403
    )
    restrict(setting)
    assert caller.get(path).status_code == 404
    assert patch(caller, path, {"version": 2, "fgdm_held": False}).status_code == 404
    assert caller.post(f"{path}reviews/", {"held_on": "2020-01-01", "notes": "x"}).status_code == (
        404
    )
    assert PreProceedingsReview.objects.count() == 1 and PreProceedings.objects.count() == 1


# --- care proceedings ----------------------------------------------------------------------------


def test_proceedings_create_read_patch_and_parts(
    setting: Setting, api: Maker, viewer_only: User, outsider: User
) -> None:
    caller = api(setting.worker)
    meeting = make_gateway(setting, decision="issue", held_on=days_ago(72))
    body = {
        "person_id": setting.child.pk,
        "issued_on": days_ago(70).isoformat(),
        "court": "Family Court sitting at Leeds",
        "short_notice": True,
        "gateway_id": meeting.pk,
    }
    missing = caller.post("/api/care-proceedings/", body)
    assert missing.status_code == 400 and "short_notice_reason" in missing.json()
    created = caller.post("/api/care-proceedings/", {**body, "short_notice_reason": "Urgent"})
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["timetable"]["week_number"] == 11 and data["timetable"]["target_weeks"] == 26
    path = f"/api/care-proceedings/{data['id']}/"
    long = caller.post(
        f"{path}extensions/",
        {"granted_on": days_ago(3).isoformat(), "weeks": 9, "reason": "Experts"},
    )
    assert long.status_code == 400 and "up to 8 weeks" in " ".join(long.json()["weeks"])
    assert (
        caller.post(
            f"{path}extensions/",
            {"granted_on": days_ago(3).isoformat(), "weeks": 6, "reason": "Experts"},
        ).status_code
        == 201
    )
    assert (
        caller.post(
            f"{path}hearings/", {"held_on": days_ago(60).isoformat(), "kind": "first"}
        ).status_code
        == 201
    )
    assert (
        caller.post(
            f"{path}interim-orders/", {"kind": "ico", "made_on": days_ago(60).isoformat()}
        ).status_code
        == 201
    )
    read = caller.get(path).json()
    assert read["timetable"]["target_weeks"] == 32 and len(read["hearings"]) == 1
    assert len(read["extensions"]) == 1 and len(read["interim_orders"]) == 1
    concluded = patch(
        caller,
        path,
        {"version": 1, "final_order": "care", "final_order_on": days_ago(1).isoformat()},
    )
    assert concluded.status_code == 200 and concluded.json()["timetable"]["within_26"]
    assert patch(caller, path, {"version": 1, "court": "Other"}).status_code == 409
    assert caller.get("/api/care-proceedings/", person(setting)).json()["count"] == 1
    viewer = api(viewer_only)
    assert viewer.get(path).status_code == 200
    assert api(outsider).get(path).status_code == 403
    assert viewer.post("/api/care-proceedings/", body).status_code == 403
    assert patch(viewer, path, {"version": 2, "court": "x"}).status_code == 403
    for part in ("hearings", "extensions", "interim-orders"):
        assert viewer.post(f"{path}{part}/", {}).status_code == 403
    restrict(setting)
    assert caller.get(path).status_code == 404
    assert patch(caller, path, {"version": 2, "court": "x"}).status_code == 404
    for part in ("hearings", "extensions", "interim-orders"):
        assert caller.post(f"{path}{part}/", {}).status_code == 404
    assert CareProceedings.objects.count() == 1
    assert CourtHearing.objects.count() == InterimOrder.objects.count() == 1
    assert ProceedingsExtension.objects.count() == 1


def test_another_childs_records_cannot_be_linked(
    setting: Setting, gateway: LegalGatewayMeeting, api: Maker
) -> None:
    from hearth.people.tests.factories import make_child

    other = make_child(forename="Olly")
    response = api(setting.worker).post(
        "/api/care-proceedings/",
        {
            "person_id": other.pk,
            "issued_on": days_ago(5).isoformat(),
            "court": "Family Court",
            "gateway_id": gateway.pk,
        },
    )
    assert response.status_code == 400
    assert "This child has no legal gateway meeting" in " ".join(response.json()["gateway_id"])
