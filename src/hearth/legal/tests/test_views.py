"""Legal pages: an allow and a deny for each (403 without the permission, 404 for a restricted
child, logged), the forms' refusals (400, nothing saved), the views logged, the child's page
panel, the chronology and the managers' service list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearth.core.models import AuditEvent, User
from hearth.core.tests.factories import TeamFactory
from hearth.legal import services
from hearth.legal.codes import HearingKind
from hearth.legal.models import (
    CareProceedings,
    CourtHearing,
    EmergencyProtection,
    LegalGatewayMeeting,
    PreProceedings,
    PreProceedingsReview,
    ProceedingsExtension,
)
from hearth.legal.person_panels import legal_panel
from hearth.people.chronology import chronology_for
from hearth.people.tests.factories import make_child
from hearth.timescales import calendar as cal
from hearth.workforce.models import Allocation

from .conftest import RATIONALE, Setting, date_fields, days_ago, restrict

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]


def moment_fields(prefix: str, moment: dt.datetime) -> dict[str, str]:
    local = moment.astimezone(cal.LONDON)
    return {**date_fields(f"{prefix}_date", local.date()), f"{prefix}_time": f"{local:%H:%M}"}


@pytest.fixture
def records(
    setting: Setting,
    epo: EmergencyProtection,
    gateway: LegalGatewayMeeting,
    pp: PreProceedings,
    proceedings: CareProceedings,
) -> dict[str, Any]:
    hearing = services.hearing_add(
        actor=None, proceedings=proceedings, held_on=days_ago(60), kind=HearingKind.FIRST
    )
    return {
        "e": epo.pk,
        "g": gateway.pk,
        "pp": pp.pk,
        "p": proceedings.pk,
        "h": hearing.pk,
        "person": setting.child.pk,
    }


VIEW_PAGES = [
    ("legal:emergency-detail", "e"),
    ("legal:gateway-detail", "g"),
    ("legal:pp-detail", "pp"),
    ("legal:proceedings-detail", "p"),
]
EDIT_PAGES = [
    ("legal:emergency-record", "person"),
    ("legal:emergency-change", "e"),
    ("legal:emergency-end", "e"),
    ("legal:emergency-extend", "e"),
    ("legal:gateway-record", "person"),
    ("legal:gateway-change", "g"),
    ("legal:pp-start", "person"),
    ("legal:pp-change", "pp"),
    ("legal:pp-outcome", "pp"),
    ("legal:pp-review-add", "pp"),
    ("legal:proceedings-issue", "person"),
    ("legal:proceedings-change", "p"),
    ("legal:hearing-add", "p"),
    ("legal:hearing-change", "h"),
    ("legal:extension-add", "p"),
    ("legal:interim-order-add", "p"),
    ("legal:final-order", "p"),
]


# --- the permission matrix -----------------------------------------------------------------------


def test_view_pages_allow_and_log_the_view(
    setting: Setting, records: dict[str, Any], client_for: Client, viewer_only: User
) -> None:
    client = client_for(viewer_only)
    for name, key in VIEW_PAGES:
        response = client.get(reverse(name, args=[records[key]]))
        assert response.status_code == 200, name
        assert reverse(name.replace("detail", "change"), args=[records[key]]) not in (
            response.content.decode()
        ), name  # a viewer gets no change links
    views = AuditEvent.objects.filter(
        action="view", actor=viewer_only, person_id=str(setting.child.pk)
    )
    assert {e.object_type for e in views} == {
        "legal.emergencyprotection",
        "legal.legalgatewaymeeting",
        "legal.preproceedings",
        "legal.careproceedings",
    }


def test_view_pages_deny(
    setting: Setting, records: dict[str, Any], client_for: Client, outsider: User
) -> None:
    for name, key in VIEW_PAGES:
        assert client_for(outsider).get(reverse(name, args=[records[key]])).status_code == 403
    restrict(setting)
    client = client_for(setting.worker)
    for name, key in VIEW_PAGES:
        assert client.get(reverse(name, args=[records[key]])).status_code == 404, name
    assert AuditEvent.objects.filter(
        action="access_denied", object_type="legal.careproceedings"
    ).exists()


def test_edit_pages_allow(setting: Setting, records: dict[str, Any], client_for: Client) -> None:
    client = client_for(setting.worker)
    for name, key in EDIT_PAGES:
        assert client.get(reverse(name, args=[records[key]])).status_code == 200, name


def test_edit_pages_deny(
    setting: Setting, records: dict[str, Any], client_for: Client, viewer_only: User
) -> None:
    client = client_for(viewer_only)
    for name, key in EDIT_PAGES:
        url = reverse(name, args=[records[key]])
        assert client.get(url).status_code == 403, name
        assert client.post(url, {}).status_code == 403, name
    restrict(setting)
    client = client_for(setting.worker)
    for name, key in EDIT_PAGES:
        assert client.get(reverse(name, args=[records[key]])).status_code == 404, name


def test_service_list_allow_and_deny(
    setting: Setting,
    pp: PreProceedings,
    proceedings: CareProceedings,
    client_for: Client,
    outsider: User,
) -> None:
    url = reverse("legal:service-list")
    page = client_for(setting.manager).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("legal:proceedings-detail", args=[proceedings.pk]) in html
    assert reverse("legal:pp-detail", args=[pp.pk]) in html
    assert "11 of 26" in html and "Will Worker" in html
    assert client_for(setting.worker).get(url).status_code == 403  # no core.manage_allocations
    assert client_for(outsider).get(url).status_code == 403


def test_service_list_is_scoped_to_the_managers_teams_and_visible_children(
    setting: Setting,
    proceedings: CareProceedings,
    client_for: Client,
    make_user: Callable[..., User],
) -> None:
    elsewhere = make_user("team_manager")
    TeamFactory(name="Another team", manager=elsewhere)
    url = reverse("legal:service-list")
    assert reverse("legal:proceedings-detail", args=[proceedings.pk]) not in (
        client_for(elsewhere).get(url).content.decode()
    )
    everything = client_for(elsewhere).get(url, {"team": "all"}).content.decode()
    assert reverse("legal:proceedings-detail", args=[proceedings.pk]) in everything
    restrict(setting)  # named staff: the manager who restricted it, not `elsewhere`
    hidden = client_for(elsewhere).get(url, {"team": "all"}).content.decode()
    assert reverse("legal:proceedings-detail", args=[proceedings.pk]) not in hidden


def _child_in_proceedings(setting: Setting, n: int) -> None:
    child = make_child(forename=f"Child{n}")
    Allocation.objects.create(
        person=child,
        role="lead",
        worker=setting.worker,
        team=setting.team,
        start_date=days_ago(200),
        reason="FCONTA",
    )
    p = services.proceedings_issue(
        actor=None, person=child, issued_on=days_ago(30 + n), court="Family Court"
    )
    services.extension_add(
        actor=None, proceedings=p, granted_on=days_ago(5), weeks=2, reason="Experts"
    )


def test_service_list_queries_do_not_grow_with_the_list(
    setting: Setting, client_for: Client
) -> None:
    client = client_for(setting.manager)
    url = reverse("legal:service-list")
    client.get(url)
    counts = []
    for extra in (1, 6):
        for n in range(extra):
            _child_in_proceedings(setting, len(counts) * 10 + n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- forms ---------------------------------------------------------------------------------------


def test_record_police_protection_and_its_end(setting: Setting, client_for: Client) -> None:
    client = client_for(setting.worker)
    started = timezone.now() - dt.timedelta(hours=100)
    url = reverse("legal:emergency-record", args=[setting.child.pk])
    body = {
        "kind": "police",
        "police_force": "West Yorkshire Police",
        "reason": "Found alone at home.",
        **moment_fields("started", started),
        **moment_fields("ended", started - dt.timedelta(hours=1)),
        "outcome": "returned_home",
    }
    response = client.post(url, body)
    assert response.status_code == 400
    assert "The end cannot be before the start" in response.content.decode()
    body.update(moment_fields("ended", started + dt.timedelta(hours=80)), outcome="s20")
    response = client.post(url, body)
    assert response.status_code == 400
    assert "more than 72 hours" in response.content.decode()
    assert not EmergencyProtection.objects.exists()
    body.update({"ended_date_day": "", "ended_date_month": "", "ended_date_year": ""})
    body.update(ended_time="", outcome="")
    response = client.post(url, body)
    record = EmergencyProtection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("legal:emergency-detail", args=[record.pk])
    page = client.get(response["Location"]).content.decode()
    assert "In force" in page and "It must end by" in page
    response = client.post(
        reverse("legal:emergency-end", args=[record.pk]),
        {
            "version": record.version,
            "outcome": "s20",
            **moment_fields("ended", started + dt.timedelta(hours=10)),
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.outcome == "s20" and record.ended_at is not None


def test_extension_form_refuses_more_than_7_days(
    setting: Setting, epo: EmergencyProtection, client_for: Client
) -> None:
    url = reverse("legal:emergency-extend", args=[epo.pk])
    body = {
        "version": epo.version,
        "extension_days": "8",
        "extension_reason": "More time",
        **date_fields("extended_on", days_ago(0)),
    }
    response = client_for(setting.worker).post(url, body)
    assert response.status_code == 400
    assert "extended by up to 7 days" in response.content.decode()
    body["extension_days"] = "7"
    assert client_for(setting.worker).post(url, body).status_code == 302
    epo.refresh_from_db()
    assert epo.extension_days == 7


def test_a_gateway_deciding_pre_proceedings_leads_to_starting_them(
    setting: Setting, client_for: Client
) -> None:
    client = client_for(setting.worker)
    body = {
        "reason": "long_cp_plan",
        "plan": setting.plan.pk,
        "attendees": "Chair, worker, solicitor",
        "decision": "pre_proceedings",
        "rationale": "Too short.",
        **date_fields("held_on", days_ago(20)),
    }
    url = reverse("legal:gateway-record", args=[setting.child.pk])
    response = client.post(url, body)
    assert response.status_code == 400
    assert "at least 10 words (2 so far)" in response.content.decode()
    body["rationale"] = RATIONALE
    response = client.post(url, body)
    meeting = LegalGatewayMeeting.objects.get()
    start = reverse("legal:pp-start", args=[setting.child.pk]) + f"?gateway={meeting.pk}"
    assert response.status_code == 302 and response["Location"] == start
    form = client.get(start).context["form"]
    assert form.initial["gateway"] == meeting.pk and form.initial["start_date"] == days_ago(20)
    response = client.post(
        start,
        {
            "gateway": meeting.pk,
            "episode": setting.episode.pk,
            **date_fields("start_date", days_ago(20)),
            **date_fields("letter_sent_on", days_ago(25)),
        },
    )
    assert response.status_code == 400
    assert "cannot be sent before pre-proceedings started" in response.content.decode()
    response = client.post(
        start,
        {
            "gateway": meeting.pk,
            "episode": setting.episode.pk,
            **date_fields("start_date", days_ago(20)),
            **date_fields("letter_sent_on", days_ago(15)),
        },
    )
    pp = PreProceedings.objects.get()
    assert response["Location"] == reverse("legal:pp-detail", args=[pp.pk])


def test_pre_proceedings_forms(setting: Setting, pp: PreProceedings, client_for: Client) -> None:
    client = client_for(setting.worker)
    url = reverse("legal:pp-change", args=[pp.pk])
    body = {
        "version": pp.version,
        **date_fields("start_date", days_ago(100)),
        **date_fields("letter_sent_on", days_ago(95)),
        **date_fields("initial_meeting_on", days_ago(97)),
        "fgdm_offered": "yes",
        **date_fields("fgdm_offered_on", days_ago(92)),
        "fgdm_held": "yes",
        **date_fields("fgdm_held_on", days_ago(70)),
        "parents_represented": "all",
    }
    response = client.post(url, body)
    assert response.status_code == 400
    assert "cannot be before the letter before proceedings" in response.content.decode()
    body.update(date_fields("initial_meeting_on", days_ago(90)))
    assert client.post(url, body).status_code == 302
    pp.refresh_from_db()
    assert (pp.fgdm_held, pp.fgdm_held_on, pp.parents_represented) == (True, days_ago(70), "all")
    response = client.post(
        reverse("legal:pp-review-add", args=[pp.pk]),
        {"notes": "Some progress.", **date_fields("held_on", days_ago(60))},
    )
    assert response.status_code == 302
    assert PreProceedingsReview.objects.get().held_on == days_ago(60)
    response = client.post(
        reverse("legal:pp-outcome", args=[pp.pk]),
        {
            "version": pp.version,
            "outcome": "issue",
            **date_fields("outcome_on", days_ago(20)),
            **date_fields("court_application_on", days_ago(25)),
        },
    )
    assert response.status_code == 400
    assert "application to court cannot be before the decision" in response.content.decode()
    response = client.post(
        reverse("legal:pp-outcome", args=[pp.pk]),
        {
            "version": pp.version,
            "outcome": "issue",
            **date_fields("outcome_on", days_ago(20)),
            **date_fields("court_application_on", days_ago(18)),
        },
    )
    assert response.status_code == 302
    detail = client.get(reverse("legal:pp-detail", args=[pp.pk])).content.decode()
    assert "Record care proceedings" in detail and "ReviewMeetingsCount" in detail


def test_a_stale_form_is_refused(setting: Setting, pp: PreProceedings, client_for: Client) -> None:
    services.pre_proceedings_update(
        actor=None, pre_proceedings=pp, data={"parents_represented": "some"}
    )
    response = client_for(setting.worker).post(
        reverse("legal:pp-outcome", args=[pp.pk]),
        {"version": 1, "outcome": "step_down", **date_fields("outcome_on", days_ago(5))},
    )
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    pp.refresh_from_db()
    assert pp.outcome == ""


def test_proceedings_forms_and_the_week_count(setting: Setting, client_for: Client) -> None:
    client = client_for(setting.worker)
    url = reverse("legal:proceedings-issue", args=[setting.child.pk])
    body = {
        "court": "Family Court sitting at Leeds",
        "short_notice": "yes",
        **date_fields("issued_on", days_ago(100)),
    }
    response = client.post(url, body)
    assert response.status_code == 400
    assert "Say why the application was made on short notice" in response.content.decode()
    body["short_notice_reason"] = "Immediate risk."
    response = client.post(url, body)
    p = CareProceedings.objects.get()
    assert response["Location"] == reverse("legal:proceedings-detail", args=[p.pk])
    response = client.post(
        reverse("legal:extension-add", args=[p.pk]),
        {"weeks": "9", "reason": "Experts", **date_fields("granted_on", days_ago(5))},
    )
    assert response.status_code == 400
    assert "up to 8 weeks at a time" in response.content.decode()
    assert not ProceedingsExtension.objects.exists()
    client.post(
        reverse("legal:extension-add", args=[p.pk]),
        {"weeks": "4", "reason": "Experts", **date_fields("granted_on", days_ago(5))},
    )
    client.post(
        reverse("legal:hearing-add", args=[p.pk]),
        {"kind": "first", "outcome_notes": "ICO made", **date_fields("held_on", days_ago(90))},
    )
    client.post(
        reverse("legal:interim-order-add", args=[p.pk]),
        {"kind": "ico", **date_fields("made_on", days_ago(90))},
    )
    page = client.get(reverse("legal:proceedings-detail", args=[p.pk])).content.decode()
    assert "Week 15 of 30" in page and "26 and 4 weeks of extensions" in page
    assert "ICO made" in page and "Interim care order" in page
    hearing = CourtHearing.objects.get()
    response = client.post(
        reverse("legal:hearing-change", args=[hearing.pk]),
        {
            "version": hearing.version,
            "kind": "first",
            "outcome_notes": "Interim care order made.",
            **date_fields("held_on", days_ago(90)),
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("legal:final-order", args=[p.pk]),
        {
            "version": p.version,
            "final_order": "sgo",
            "final_care_plan": "family",
            "final_plan_approved": "yes",
            **date_fields("final_order_on", days_ago(2)),
        },
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.final_order, p.final_plan_approved) == ("sgo", True)
    page = client.get(reverse("legal:proceedings-detail", args=[p.pk])).content.decode()
    assert "Concluded in week 15" in page


# --- the child's page and the chronology ---------------------------------------------------------


def test_panel_shows_each_kind_with_the_week_count(
    setting: Setting, records: dict[str, Any], viewer_only: User
) -> None:
    request = RequestFactory().get("/")
    request.user = setting.worker
    html = legal_panel(request, setting.child)
    assert "Week 11 of 26" in html
    for name, key in VIEW_PAGES:
        assert reverse(name, args=[records[key]]) in html
    assert reverse("legal:emergency-record", args=[setting.child.pk]) in html
    request.user = viewer_only
    html = legal_panel(request, setting.child)
    assert reverse("legal:emergency-record", args=[setting.child.pk]) not in html


def test_panel_on_the_childs_page(
    setting: Setting, records: dict[str, Any], client_for: Client
) -> None:
    url = reverse("people:detail", args=[setting.child.pk]) + "?tab=protection"
    html = client_for(setting.worker).get(url).content.decode()
    assert 'id="legal"' in html and "Week 11 of 26" in html


def test_panel_queries_do_not_grow_with_the_history(setting: Setting) -> None:
    request = RequestFactory().get("/")
    request.user = setting.worker
    legal_panel(request, setting.child)
    with CaptureQueriesContext(connection) as before:
        legal_panel(request, setting.child)
    gateway = LegalGatewayMeeting.objects.create(
        person=setting.child,
        held_on=days_ago(10),
        reason="other",
        attendees="Chair",
        decision="continue",
        rationale=RATIONALE,
    )
    for n in range(3):
        p = services.proceedings_issue(
            actor=None,
            person=setting.child,
            issued_on=days_ago(300 - 60 * n),
            court="Family Court",
        )
        services.proceedings_conclude(
            actor=None, proceedings=p, final_order="no_order", final_order_on=days_ago(250 - 60 * n)
        )
    with CaptureQueriesContext(connection) as after:
        html = legal_panel(request, setting.child)
    assert reverse("legal:gateway-detail", args=[gateway.pk]) in html
    assert len(before) == len(after) <= 6


def test_chronology_entries(setting: Setting, records: dict[str, Any]) -> None:
    entries = chronology_for(setting.child, setting.worker, kinds=["legal"])
    titles = {(e.title, e.significant) for e in entries}
    assert ("Emergency protection order: order made", True) in titles
    assert ("Legal gateway meeting: enter pre-proceedings (public law outline)", True) in titles
    assert ("Pre-proceedings started", True) in titles
    assert ("Letter before proceedings sent", False) in titles
    assert ("Care proceedings issued", True) in titles
    assert ("First hearing", False) in titles
    restrict(setting)
    assert chronology_for(setting.child, setting.worker, kinds=["legal"]) == []
