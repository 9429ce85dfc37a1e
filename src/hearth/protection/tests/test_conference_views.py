"""Conference pages: book (from an enquiry, a plan, or the child), the conference, rebook, cancel
and record as held; an allow and a deny for each (no permission 403, a restricted child's record
404, a social worker may not record a conference as held), the chair's escalation link, and a
bounded number of queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearth.core.models import AuditEvent, User
from hearth.plans.codes import PlanKind
from hearth.plans.models import Plan
from hearth.protection.codes import Agency, ConferenceDecision, ConferenceKind, ConferenceStatus
from hearth.protection.models import Conference, Section47Enquiry
from hearth.protection.services import conferences as services
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from .factories import (
    RATIONALE,
    ProtectionSetting,
    make_cp_plan,
    make_enquiry,
    make_protection_setting,
)
from .test_conference_support import (
    book,
    date_fields,
    other_childs_enquiry,
    record,
    restrict,
    saturday_ago,
    start_icpc_clock,
    weekday_ago,
)

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]


@pytest.fixture
def setting(make_user: Callable[..., User]) -> ProtectionSetting:
    return make_protection_setting(make_user)


@pytest.fixture
def enquiry(setting: ProtectionSetting) -> Section47Enquiry:
    return make_enquiry(setting, started=20)


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    """No case records at all (a performance analyst)."""
    return make_user("performance_analyst")


@pytest.fixture
def viewer_only(make_user: Callable[..., User]) -> User:
    """Sees case records, records none (business support)."""
    return make_user("business_support")


def book_url(setting: ProtectionSetting, query: str = "") -> str:
    return reverse("protection:conference-book", args=[setting.child.pk]) + query


def book_post(setting: ProtectionSetting, **extra: str) -> dict[str, Any]:
    return {
        "kind": "initial",
        "episode": str(setting.episode.pk),
        **date_fields("scheduled_on", weekday_ago(2)),
        "chair": str(setting.chair.pk),
        "agency_1": Agency.SOCIAL_CARE,
        "agency_1_name": "Will Worker",
        "agency_2": Agency.POLICE,
        "agency_2_name": "DC Pat Constable",
        "agency_3": Agency.HEALTH,
        "agency_4": "",
        **extra,
    }


# --- booking -------------------------------------------------------------------------------------


def test_book_from_the_enquiry(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    client = client_for(setting.worker)
    url = book_url(setting, f"?enquiry={enquiry.pk}")
    page = client.get(url)
    assert page.status_code == 200
    assert "Initial child protection conference" in page.content.decode()
    response = client.post(url, book_post(setting))
    conference = Conference.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("protection:conference-detail", args=[conference.pk])
    assert conference.section_47 == enquiry and conference.kind == ConferenceKind.INITIAL
    assert conference.agencies.count() == 3
    assert Allocation.objects.filter(
        worker=setting.chair, person=setting.child, role=CaseRole.CONFERENCE_CHAIR
    ).exists()


def test_book_refusal_shows_on_the_form_and_saves_nothing(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    response = client_for(setting.worker).post(
        book_url(setting, f"?enquiry={enquiry.pk}"),
        book_post(setting, **date_fields("scheduled_on", saturday_ago(1))),
    )
    assert response.status_code == 400
    assert "census rule 8875" in response.content.decode()
    assert not Conference.objects.exists()


def test_book_a_review_from_the_plan(setting: ProtectionSetting, client_for: Client) -> None:
    plan = make_cp_plan(setting, started=30)
    url = book_url(setting, f"?plan={plan.pk}")
    client = client_for(setting.worker)
    assert "Review child protection conference" in client.get(url).content.decode()
    response = client.post(url, book_post(setting, kind="review"))
    assert response.status_code == 302
    assert Conference.objects.get(kind=ConferenceKind.REVIEW).plan == plan


def test_book_a_transfer_in_or_a_review_from_the_child(
    setting: ProtectionSetting, client_for: Client
) -> None:
    client = client_for(setting.worker)
    html = client.get(book_url(setting)).content.decode()
    assert "Transfer-in conference" in html and "Review child protection conference" not in html
    response = client.post(book_url(setting), book_post(setting, kind="transfer_in"))
    assert response.status_code == 302
    conference = Conference.objects.get()
    assert conference.kind == ConferenceKind.TRANSFER_IN and conference.section_47 is None
    services.conference_cancel(actor=setting.worker, conference=conference, reason="Moved.")
    plan = make_cp_plan(setting, started=30)
    html = client.get(book_url(setting)).content.decode()
    assert "Review child protection conference" in html
    response = client.post(book_url(setting), book_post(setting, kind="review"))
    assert response.status_code == 302
    assert Conference.objects.get(kind=ConferenceKind.REVIEW).plan == plan


def test_book_deny(
    setting: ProtectionSetting,
    enquiry: Section47Enquiry,
    client_for: Client,
    outsider: User,
    viewer_only: User,
) -> None:
    url = book_url(setting, f"?enquiry={enquiry.pk}")
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(viewer_only).get(url).status_code == 403
    # Another child's enquiry is not found here.
    other = other_childs_enquiry(setting)
    assert (
        client_for(setting.worker).get(book_url(setting, f"?enquiry={other.pk}")).status_code == 404
    )
    # A child protection plan of another kind is not found either.
    cin = Plan.objects.create(
        kind=PlanKind.CIN, person=setting.child, episode=setting.episode, start_date=weekday_ago(9)
    )
    assert client_for(setting.worker).get(book_url(setting, f"?plan={cin.pk}")).status_code == 404
    restrict(setting)
    assert client_for(setting.worker).get(url).status_code == 404


# --- the conference page -------------------------------------------------------------------------


def test_the_conference_page(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    start_icpc_clock(setting, enquiry)
    held = record(setting, book(setting, enquiry=enquiry))
    page = client_for(setting.worker).get(reverse("protection:conference-detail", args=[held.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Within 15 working days" in html
    assert "Neglect (NEG)" in html and RATIONALE in html
    assert "Raise an escalation" not in html  # for the chair
    assert "Record the conference as held" not in html  # already held
    assert AuditEvent.objects.filter(
        action="view", object_type="protection.conference", object_id=str(held.pk)
    ).exists()


def test_the_conference_page_deny(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client, outsider: User
) -> None:
    conference = book(setting, enquiry=enquiry)
    url = reverse("protection:conference-detail", args=[conference.pk])
    assert client_for(outsider).get(url).status_code == 403
    restrict(setting)
    assert client_for(setting.worker).get(url).status_code == 404
    assert AuditEvent.objects.filter(
        action="access_denied", object_type="protection.conference"
    ).exists()


def test_the_chair_raises_an_escalation_from_the_conference(
    setting: ProtectionSetting,
    enquiry: Section47Enquiry,
    client_for: Client,
    make_user: Callable[..., User],
) -> None:
    conference = book(setting, enquiry=enquiry)
    html = (
        client_for(setting.chair)
        .get(reverse("protection:conference-detail", args=[conference.pk]))
        .content.decode()
    )
    raise_url = reverse("escalations:raise", args=[setting.child.pk])
    assert "Raise an escalation" in html and raise_url in html
    assert client_for(setting.chair).get(raise_url).status_code == 200
    # A chair with no role on the child's case may not.
    stranger = make_user("conference_chair")
    assert client_for(stranger).get(raise_url).status_code == 403
    # Nor after recording it (the chair keeps the role).
    record(setting, conference, decision=ConferenceDecision.NO_PLAN)
    assert client_for(setting.chair).get(raise_url).status_code == 200


def test_the_conference_page_costs_a_bounded_number_of_queries(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    start_icpc_clock(setting, enquiry)
    conference = book(setting, enquiry=enquiry, agencies=[{"agency": Agency.SOCIAL_CARE}])
    client = client_for(setting.chair)
    url = reverse("protection:conference-detail", args=[conference.pk])
    client.get(url)  # warm the caches (working calendar)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    services.conference_rebook(
        actor=setting.worker,
        conference=conference,
        add_agencies=[{"agency": a, "name": f"Person {a}"} for a in Agency.values],
    )
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)
    assert len(few) <= 25


# --- recording it as held ------------------------------------------------------------------------


def record_post(conference: Conference, **extra: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": str(conference.version),
        **date_fields("held_on", conference.scheduled_on),
        "parent_participation": "some",
        "parents_views": "Dad disagrees with the worries.",
        "child_participation": "PN6",
        "child_views": "I like my school.",
        "decision": "plan",
        "initial_category": "EMO",
        "latest_category": "",
        "chair_rationale": RATIONALE,
        "dissent": "",
    }
    for row in conference.agencies.all():
        data[f"attended_{row.pk}"] = "yes"
        data[f"report_{row.pk}"] = "none"
    data.update(extra)
    return data


def test_the_chair_records_the_conference(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    conference = book(setting, enquiry=enquiry)
    url = reverse("protection:conference-record", args=[conference.pk])
    client = client_for(setting.chair)
    form = client.get(url)
    assert form.status_code == 200
    assert "Did Police (DC Pat Constable) attend?" in form.content.decode()
    response = client.post(url, record_post(conference, extra_1="housing", extra_1_name="Ann"))
    assert response.status_code == 302, response.content.decode()
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.HELD
    assert conference.plan is not None and conference.plan.kind == PlanKind.CP
    assert conference.agencies.filter(agency=Agency.HOUSING, attended=True).exists()
    detail = client.get(response["Location"]).content.decode()
    assert "the child protection plan started" in detail


def test_record_refusal_saves_nothing(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    conference = book(setting, enquiry=enquiry)
    response = client_for(setting.chair).post(
        reverse("protection:conference-record", args=[conference.pk]),
        record_post(conference, chair_rationale="Too short."),
    )
    assert response.status_code == 400
    assert "at least 10 words" in response.content.decode()
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.BOOKED and conference.plan is None


def test_a_social_worker_cannot_record_a_conference_as_held(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    conference = book(setting, enquiry=enquiry)
    url = reverse("protection:conference-record", args=[conference.pk])
    assert client_for(setting.worker).get(url).status_code == 403
    assert client_for(setting.worker).post(url, record_post(conference)).status_code == 403
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.BOOKED
    page = client_for(setting.worker).get(
        reverse("protection:conference-detail", args=[conference.pk])
    )
    assert "Record the conference as held" not in page.content.decode()


def test_a_restricted_childs_conference_is_not_found_by_the_chair(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    conference = book(setting, enquiry=enquiry)
    restrict(setting)
    url = reverse("protection:conference-record", args=[conference.pk])
    assert client_for(setting.chair).get(url).status_code == 404
    restrict_named = Conference.objects.get(pk=conference.pk)
    assert restrict_named.status == ConferenceStatus.BOOKED


# --- rebook and cancel ---------------------------------------------------------------------------


def test_rebook_and_cancel_pages(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    conference = book(setting, enquiry=enquiry, scheduled_on=weekday_ago(4))
    client = client_for(setting.worker)
    rebook = reverse("protection:conference-rebook", args=[conference.pk])
    assert client.get(rebook).status_code == 200
    response = client.post(
        rebook,
        {
            "version": str(conference.version),
            **date_fields("scheduled_on", weekday_ago(1)),
            "chair": str(setting.chair.pk),
            "invite_1": Agency.HOUSING,
            "invite_1_name": "Housing officer",
        },
    )
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.scheduled_on == weekday_ago(1)
    stale = client.post(
        rebook,
        {
            "version": "1",
            **date_fields("scheduled_on", weekday_ago(2)),
            "chair": str(setting.chair.pk),
        },
    )
    assert stale.status_code == 400 and "changed" in stale.content.decode()
    cancel = reverse("protection:conference-cancel", args=[conference.pk])
    assert client.get(cancel).status_code == 200
    response = client.post(
        cancel, {"version": str(conference.version), "reason": "The family moved away."}
    )
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.CANCELLED


def test_rebook_and_cancel_deny(
    setting: ProtectionSetting,
    enquiry: Section47Enquiry,
    client_for: Client,
    viewer_only: User,
) -> None:
    conference = book(setting, enquiry=enquiry)
    for name in ("protection:conference-rebook", "protection:conference-cancel"):
        url = reverse(name, args=[conference.pk])
        assert client_for(viewer_only).get(url).status_code == 403
    restrict(setting)
    for name in ("protection:conference-rebook", "protection:conference-cancel"):
        url = reverse(name, args=[conference.pk])
        assert client_for(setting.worker).get(url).status_code == 404
        assert client_for(setting.worker).post(url, {"reason": "x"}).status_code == 404
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.BOOKED


def test_the_step_down_link_after_the_plan_ends(
    setting: ProtectionSetting, client_for: Client
) -> None:
    make_cp_plan(setting, started=30)
    held = record(
        setting,
        book(setting, kind=ConferenceKind.REVIEW),
        initial_category="",
        decision=ConferenceDecision.END_PLAN,
    )
    html = (
        client_for(setting.worker)
        .get(reverse("protection:conference-detail", args=[held.pk]))
        .content.decode()
    )
    start = reverse("plans:start", args=[setting.child.pk])
    assert "start a child in need plan" in html and start in html
    assert f"start={held.held_on:%Y-%m-%d}" in html
    # The link opens the child in need plan form with that date filled in.
    form = client_for(setting.worker).get(
        f"{start}?episode={setting.episode.pk}&start={held.held_on:%Y-%m-%d}"
    )
    assert form.status_code == 200
    html = form.content.decode()
    assert f'name="start_date_year" type="text" value="{held.held_on.year}"' in html  # type: ignore[union-attr]
    assert f'name="start_date_day" type="text" value="{held.held_on.day}"' in html  # type: ignore[union-attr]
