"""Strategy discussion and section 47 enquiry pages: an allow and a deny for each (a role without
the permission, a restricted child the user is not named for, a viewer who may not change
anything), the forms' repeated rows and refusals (nothing saved), the flag, the enquiry's
target and conference link, and the flagged list's query count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from hearth.core.models import AuditEvent, User
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.protection.codes import Agency, Section47Outcome, StrategyDecision
from hearth.protection.models import Section47Enquiry, StrategyAction, StrategyDiscussion
from hearth.protection.services import strategy as services
from hearth.timescales.models import Deadline

from .factories import (
    INFORMATION,
    RATIONALE,
    ProtectionSetting,
    at_ten,
    days_ago,
    make_enquiry,
    today,
)
from .test_strategy_services import ATTENDEES, POLICE_MISSING, record, restrict, seen, setting

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]
__all__ = ["setting"]  # the fixture, shared with the service tests


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


@pytest.fixture
def viewer_only(make_user: Callable[..., User]) -> User:
    """Sees case records, records none (business support)."""
    return make_user("business_support")


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    """No case records at all (a performance analyst)."""
    return make_user("performance_analyst")


@pytest.fixture
def discussion(setting: ProtectionSetting) -> StrategyDiscussion:
    return record(setting)


@pytest.fixture
def enquiry(discussion: StrategyDiscussion) -> Section47Enquiry:
    assert discussion.section_47 is not None
    return discussion.section_47


def discussion_post(setting: ProtectionSetting, **overrides: str) -> dict[str, str]:
    data = {
        "episode": str(setting.episode.pk),
        **date_fields("held_on", days_ago(3)),
        "held_time": "14:30",
        "chair": str(setting.manager.pk),
        "information_shared": INFORMATION,
        "decision": StrategyDecision.SECTION_47,
        "rationale": RATIONALE,
        "lead_worker": str(setting.worker.pk),
        "attendee_1_agency": Agency.SOCIAL_CARE,
        "attendee_1_name": "Will Worker",
        "attendee_2_agency": Agency.POLICE,
        "attendee_2_name": "DC Pat Constable",
        "attendee_2_role": "CAIT",
        "attendee_3_agency": Agency.HEALTH,
        "attendee_3_name": "Nurse Hana Health",
        "action_1_description": "Visit Ava at school with the police",
        "action_1_owner_name": "Will Worker",
        "action_1_owner_agency": Agency.SOCIAL_CARE,
        **date_fields("action_1_due_date", today()),
    }
    data.update(overrides)
    return data


# Every page that changes something: (url name, pk maker).
def edit_pages(
    setting: ProtectionSetting, discussion: StrategyDiscussion, enquiry: Section47Enquiry
) -> list[tuple[str, int]]:
    action = discussion.actions.get()
    return [
        ("protection:strategy-new", setting.child.pk),
        ("protection:strategy-change", discussion.pk),
        ("protection:strategy-action-add", discussion.pk),
        ("protection:strategy-action-done", action.pk),
        ("protection:enquiry-change", enquiry.pk),
        ("protection:enquiry-complete", enquiry.pk),
    ]


def view_pages(
    setting: ProtectionSetting, discussion: StrategyDiscussion, enquiry: Section47Enquiry
) -> list[tuple[str, int]]:
    return [
        ("protection:strategy-child", setting.child.pk),
        ("protection:strategy-detail", discussion.pk),
        ("protection:enquiry-detail", enquiry.pk),
    ]


# --- the policy matrix ---------------------------------------------------------------------------


def test_every_page_allows_the_childs_worker(
    setting: ProtectionSetting,
    discussion: StrategyDiscussion,
    enquiry: Section47Enquiry,
    client_for: Client,
) -> None:
    client = client_for(setting.worker)
    for name, pk in [
        *view_pages(setting, discussion, enquiry),
        *edit_pages(setting, discussion, enquiry),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 200, name


def test_a_role_without_case_records_is_refused_everywhere(
    setting: ProtectionSetting,
    discussion: StrategyDiscussion,
    enquiry: Section47Enquiry,
    client_for: Client,
    outsider: User,
) -> None:
    client = client_for(outsider)
    for name, pk in [
        *view_pages(setting, discussion, enquiry),
        *edit_pages(setting, discussion, enquiry),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 403, name
    assert client.get(reverse("protection:strategy-flagged")).status_code == 403


def test_a_viewer_reads_but_cannot_change(
    setting: ProtectionSetting,
    discussion: StrategyDiscussion,
    enquiry: Section47Enquiry,
    client_for: Client,
    viewer_only: User,
) -> None:
    client = client_for(viewer_only)
    for name, pk in view_pages(setting, discussion, enquiry):
        page = client.get(reverse(name, args=[pk]))
        assert page.status_code == 200, name
        assert "/change/" not in page.content.decode(), name
    before = (StrategyDiscussion.objects.count(), StrategyAction.objects.count())
    for name, pk in edit_pages(setting, discussion, enquiry):
        assert client.post(reverse(name, args=[pk]), {}).status_code == 403, name
    assert (StrategyDiscussion.objects.count(), StrategyAction.objects.count()) == before


def test_a_restricted_child_is_not_found(
    setting: ProtectionSetting,
    discussion: StrategyDiscussion,
    enquiry: Section47Enquiry,
    client_for: Client,
) -> None:
    restrict(setting)
    client = client_for(setting.worker)
    for name, pk in [
        *view_pages(setting, discussion, enquiry),
        *edit_pages(setting, discussion, enquiry),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert AuditEvent.objects.filter(
        action="access_denied", object_type="protection.strategydiscussion"
    ).exists()
    # The manager who restricted it is named, and still sees it.
    assert (
        client_for(setting.manager)
        .get(reverse("protection:strategy-detail", args=[discussion.pk]))
        .status_code
        == 200
    )


# --- recording a discussion ----------------------------------------------------------------------


def test_recording_a_discussion_with_rows(setting: ProtectionSetting, client_for: Client) -> None:
    client = client_for(setting.worker)
    form = client.get(reverse("protection:strategy-new", args=[setting.child.pk]))
    html = form.content.decode()
    assert 'name="attendee_8_name"' in html and 'name="action_6_description"' in html
    response = client.post(
        reverse("protection:strategy-new", args=[setting.child.pk]), discussion_post(setting)
    )
    assert response.status_code == 302
    discussion = StrategyDiscussion.objects.get()
    assert response["Location"] == reverse("protection:strategy-detail", args=[discussion.pk])
    assert discussion.attendees.count() == 3 and discussion.actions.count() == 1
    assert discussion.section_47 is not None and discussion.section_47.start_date == days_ago(3)
    assert discussion.held_at.astimezone(services.cal.LONDON).strftime("%H:%M") == "14:30"
    assert Deadline.objects.filter(
        subject_type="child", subject_id=setting.child.pk, rule_code="icpc"
    ).exists()


def test_a_partly_filled_row_is_pointed_out_and_nothing_saved(
    setting: ProtectionSetting, client_for: Client
) -> None:
    data = discussion_post(
        setting,
        action_2_description="Health to share the A&E record",
        action_2_owner_agency=Agency.HEALTH,
        attendee_4_role="Housing officer",
    )
    page = client_for(setting.worker).post(
        reverse("protection:strategy-new", args=[setting.child.pk]), data
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Say who will do action 2" in html
    assert "Enter the date action 2 is due by" in html
    assert "Choose attendee 4&#x27;s agency" in html
    assert not StrategyDiscussion.objects.exists()


def test_the_services_refusal_is_shown_and_nothing_saved(
    setting: ProtectionSetting, client_for: Client
) -> None:
    data = discussion_post(setting, **date_fields("held_on", days_ago(130)))
    page = client_for(setting.worker).post(
        reverse("protection:strategy-new", args=[setting.child.pk]), data
    )
    assert page.status_code == 400
    assert "census rule 2889" in page.content.decode()
    assert not StrategyDiscussion.objects.exists() and not Section47Enquiry.objects.exists()


def test_a_discussion_without_the_police_is_saved_and_flagged(
    setting: ProtectionSetting, client_for: Client
) -> None:
    client = client_for(setting.worker)
    data = discussion_post(setting, attendee_2_agency="", attendee_2_name="", attendee_2_role="")
    response = client.post(reverse("protection:strategy-new", args=[setting.child.pk]), data)
    assert response.status_code == 302
    discussion = StrategyDiscussion.objects.get()
    assert discussion.missing_agencies == "police"
    page = client.get(response["Location"])
    assert escape(POLICE_MISSING) in page.content.decode()


def test_the_discussion_page(
    setting: ProtectionSetting, discussion: StrategyDiscussion, client_for: Client
) -> None:
    page = client_for(setting.worker).get(
        reverse("protection:strategy-detail", args=[discussion.pk])
    )
    html = page.content.decode()
    assert "DC Pat Constable" in html and "Police to check the home address" in html
    assert "The section 47 enquiry it started" in html
    assert escape(POLICE_MISSING) not in html and "No one from" not in html
    assert AuditEvent.objects.filter(
        action="view", object_type="protection.strategydiscussion", object_id=str(discussion.pk)
    ).exists()


def test_correcting_a_discussion(
    setting: ProtectionSetting, discussion: StrategyDiscussion, client_for: Client
) -> None:
    client = client_for(setting.worker)
    url = reverse("protection:strategy-change", args=[discussion.pk])
    form = client.get(url).content.decode()
    assert 'value="DC Pat Constable"' in form
    data = discussion_post(
        setting,
        version=str(discussion.version),
        attendee_2_agency="",
        attendee_2_name="",
        attendee_2_role="",
        **date_fields("held_on", days_ago(10)),
        held_time="10:00",
    )
    stale = dict(data, version=str(discussion.version + 1))
    assert client.post(url, stale).status_code == 400
    assert client.post(url, data).status_code == 302
    discussion.refresh_from_db()
    assert discussion.missing_agencies == "police" and discussion.attendees.count() == 2
    assert discussion.version == 2


def test_adding_an_action_and_marking_it_done(
    setting: ProtectionSetting, discussion: StrategyDiscussion, client_for: Client
) -> None:
    client = client_for(setting.worker)
    url = reverse("protection:strategy-action-add", args=[discussion.pk])
    refused = client.post(url, {"description": "Speak to the GP", "owner_agency": Agency.HEALTH})
    assert refused.status_code == 400 and discussion.actions.count() == 1
    added = client.post(
        url,
        {
            "description": "Speak to the GP",
            "owner_name": "Dr Gita Practice",
            "owner_agency": Agency.HEALTH,
            **date_fields("due_date", today()),
        },
    )
    assert added.status_code == 302 and discussion.actions.count() == 2
    action = discussion.actions.get(owner_name="Dr Gita Practice")
    done_url = reverse("protection:strategy-action-done", args=[action.pk])
    future = client.post(
        done_url,
        {
            "version": str(action.version),
            **date_fields("completed_on", today() + dt.timedelta(days=2)),
        },
    )
    assert future.status_code == 400
    done = client.post(
        done_url, {"version": str(action.version), **date_fields("completed_on", today())}
    )
    assert done.status_code == 302
    action.refresh_from_db()
    assert action.completed_on == today()


# --- the enquiry ---------------------------------------------------------------------------------


def test_the_enquiry_page(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    page = client_for(setting.worker).get(reverse("protection:enquiry-detail", args=[enquiry.pk]))
    html = page.content.decode()
    assert "Initial conference target" in html
    assert f"{enquiry.icpc_target_date.day} {enquiry.icpc_target_date:%B %Y}" in html
    assert "working day" in html and "Will Worker" in html
    assert "(started the enquiry)" in html
    assert "Book the initial child protection conference" not in html
    assert AuditEvent.objects.filter(
        action="view", object_type="protection.section47enquiry", object_id=str(enquiry.pk)
    ).exists()


def test_an_overdue_enquiry_says_how_late(setting: ProtectionSetting, client_for: Client) -> None:
    enquiry = make_enquiry(setting, started=60)
    html = (
        client_for(setting.worker)
        .get(reverse("protection:enquiry-detail", args=[enquiry.pk]))
        .content.decode()
    )
    assert "Overdue" in html and "working days late" in html


def test_likely_harm_links_to_booking_the_conference(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    enquiry = seen(enquiry, days_ago(9))
    services.section_47_complete(
        actor=setting.worker,
        enquiry=enquiry,
        outcome=Section47Outcome.LIKELY_HARM,
        outcome_rationale=RATIONALE,
        completed_on=days_ago(1),
    )
    html = (
        client_for(setting.worker)
        .get(reverse("protection:enquiry-detail", args=[enquiry.pk]))
        .content.decode()
    )
    assert "Book the initial child protection conference" in html
    try:
        reverse("protection:conference-book", args=[setting.child.pk])
    except NoReverseMatch:  # the booking page is built separately
        return
    assert f"?enquiry={enquiry.pk}" in html


def test_updating_and_completing_the_enquiry(
    setting: ProtectionSetting, enquiry: Section47Enquiry, client_for: Client
) -> None:
    client = client_for(setting.worker)
    change = reverse("protection:enquiry-change", args=[enquiry.pk])
    complete = reverse("protection:enquiry-complete", args=[enquiry.pk])
    outcome = {
        "outcome": Section47Outcome.NOT_SUBSTANTIATED,
        "outcome_rationale": RATIONALE,
        **date_fields("completed_on", days_ago(1)),
    }
    not_seen = client.post(complete, {"version": str(enquiry.version), **outcome})
    assert not_seen.status_code == 400
    assert "Record when the child was seen" in not_seen.content.decode()
    early = client.post(
        change,
        {
            "version": str(enquiry.version),
            "lead_worker": str(setting.worker.pk),
            **date_fields("child_seen_on", days_ago(20)),
            "seen_alone": "yes",
        },
    )
    assert early.status_code == 400 and "before then" in early.content.decode()
    saved = client.post(
        change,
        {
            "version": str(enquiry.version),
            "lead_worker": str(setting.worker.pk),
            **date_fields("child_seen_on", days_ago(9)),
            "seen_alone": "yes",
        },
    )
    assert saved.status_code == 302
    enquiry.refresh_from_db()
    assert (enquiry.child_seen_on, enquiry.seen_alone) == (days_ago(9), True)
    done = client.post(complete, {"version": str(enquiry.version), **outcome})
    assert done.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.icpc_not_required and enquiry.concluded_on == days_ago(1)


# --- the child's list and the managers' list -----------------------------------------------------


def test_the_childs_discussions_and_enquiries(
    setting: ProtectionSetting, discussion: StrategyDiscussion, client_for: Client
) -> None:
    html = (
        client_for(setting.worker)
        .get(reverse("protection:strategy-child", args=[setting.child.pk]))
        .content.decode()
    )
    assert reverse("protection:strategy-detail", args=[discussion.pk]) in html
    assert reverse("protection:enquiry-detail", args=[discussion.section_47_id]) in html
    assert reverse("protection:strategy-new", args=[setting.child.pk]) in html


def flagged_for(setting: ProtectionSetting, forename: str, days: int) -> StrategyDiscussion:
    child = make_child(forename=forename)
    episode = open_cin_episode(child, referral_date=days_ago(200))
    return record(
        setting,
        person=child,
        episode=episode,
        held_at=at_ten(days_ago(days)),
        attendees=[ATTENDEES[0], ATTENDEES[2]],
        decision=StrategyDecision.SINGLE_AGENCY,
        lead_worker=None,
    )


def test_the_flagged_list(
    setting: ProtectionSetting, discussion: StrategyDiscussion, client_for: Client
) -> None:
    recent = flagged_for(setting, "Evie", 10)
    old = flagged_for(setting, "Olly", 100)
    client = client_for(setting.manager)
    page = client.get(reverse("protection:strategy-flagged"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("protection:strategy-detail", args=[recent.pk]) in html
    assert reverse("protection:strategy-detail", args=[old.pk]) not in html  # over 3 months
    assert reverse("protection:strategy-detail", args=[discussion.pk]) not in html  # not flagged
    assert "Police" in html
    # Scoped to what the viewer may see: a restricted child they are not named for drops out.
    restriction_target = ProtectionSetting(
        manager=setting.worker,
        worker=setting.worker,
        chair=setting.chair,
        team=setting.team,
        child=recent.person,
        episode=recent.episode,
    )
    restrict(restriction_target)  # named: the worker only
    html = client.get(reverse("protection:strategy-flagged")).content.decode()
    assert reverse("protection:strategy-detail", args=[recent.pk]) not in html


def test_the_flagged_list_is_for_managers(setting: ProtectionSetting, client_for: Client) -> None:
    assert client_for(setting.worker).get(reverse("protection:strategy-flagged")).status_code == 403


def test_the_flagged_list_costs_the_same_whatever_its_length(
    setting: ProtectionSetting,
    client_for: Client,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(setting.manager)
    flagged_for(setting, "Evie", 10)
    client.get(reverse("protection:strategy-flagged"))  # warm caches (session, calendar)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("protection:strategy-flagged"))
    for n in range(6):
        flagged_for(setting, f"Child{n}", 5 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("protection:strategy-flagged"))
    assert page.content.decode().count("protection/strategy/") >= 7
