"""Front door pages: the policy matrix, the forms' refusals, the partner and public forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from hearth.core.models import AuditEvent, User
from hearth.frontdoor import services
from hearth.frontdoor.models import Contact, ContactSubmission
from hearth.people.models import Person
from hearth.people.services import person_create, restriction_set

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]
REASONS = (
    "Police attended a domestic incident; the children were present and frightened; "
    "the mother agrees to support and checks show no previous concerns."
)


@pytest.fixture
def child(social_worker: User) -> Person:
    return person_create(
        actor=social_worker,
        data={"forename": "Ava", "surname": "Testchild", "date_of_birth": dt.date(2016, 3, 4)},
    )


@pytest.fixture
def contact(social_worker: User, child: Person) -> Contact:
    submission = services.contact_submit(
        actor=social_worker,
        new=services.NewContact(
            received_at=timezone.now() - dt.timedelta(hours=3),
            source="6",
            concerns="Police attended a domestic incident at the family home overnight.",
            children=[services.ChildDetails(person=child)],
        ),
    )
    return submission.contacts.get()


def contact_form(**overrides: str) -> dict[str, str]:
    now = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "received_date_day": str(now.day),
        "received_date_month": str(now.month),
        "received_date_year": str(now.year),
        "received_time": now.strftime("%H:%M"),
        "source": "2A",
        "referrer_name": "A Teacher",
        "referrer_email": "teacher@school.example",
        "concerns": "The children say there is no food at home and they are often alone.",
        "categories": "neglect",
        "child_1_forename": "Sam",
        "child_1_surname": "Testfamily",
        "child_2_forename": "Kit",
        "child_2_surname": "Testfamily",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["social_worker", "team_manager", "iro"])
def test_mash_queue_allowed_for_case_staff(
    role: str, make_user: Callable[..., User], client_for: Client, contact: Contact
) -> None:
    page = client_for(make_user(role)).get(reverse("frontdoor:queue"))
    assert page.status_code == 200
    assert contact.submission.reference in page.content.decode()


@pytest.mark.parametrize("role", ["partner_agency", "performance_analyst", "system_administrator"])
def test_mash_queue_refused_to_others(
    role: str, make_user: Callable[..., User], client_for: Client
) -> None:
    assert client_for(make_user(role)).get(reverse("frontdoor:queue")).status_code == 403


def test_queue_filters_by_status_and_rating(
    social_worker: User, client_for: Client, contact: Contact
) -> None:
    client = client_for(social_worker)
    page = client.get(reverse("frontdoor:queue") + "?status=awaiting_screening").content.decode()
    assert contact.submission.reference in page
    page = client.get(reverse("frontdoor:queue") + "?status=awaiting_decision").content.decode()
    assert contact.submission.reference not in page
    page = client.get(reverse("frontdoor:queue") + "?rating=red").content.decode()
    assert contact.submission.reference not in page


def test_decision_queue_is_for_managers(make_user: Callable[..., User], client_for: Client) -> None:
    assert (
        client_for(make_user("team_manager")).get(reverse("frontdoor:decisions")).status_code == 200
    )
    assert (
        client_for(make_user("social_worker")).get(reverse("frontdoor:decisions")).status_code
        == 403
    )


def test_recording_a_contact_for_two_children(social_worker: User, client_for: Client) -> None:
    response = client_for(social_worker).post(reverse("frontdoor:contact-new"), contact_form())
    assert response.status_code == 302
    submission = ContactSubmission.objects.get()
    assert submission.contacts.count() == 2 and submission.source == "2A"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"concerns": ""}, "Enter what are the concerns?"),
        ({"child_1_forename": "", "child_1_surname": "", "child_2_forename": "",
          "child_2_surname": ""}, "Enter the name of at least one child"),
        ({"received_time": "25:99"}, "Enter a time like 14:30"),
        ({"received_date_year": str(timezone.localdate().year + 1)},
         "The date received must be today or in the past"),
        ({"child_1_dob_day": "1", "child_1_dob_month": "1",
          "child_1_dob_year": str(timezone.localdate().year + 2)},
         "Date of birth must be in the past"),
    ],
)  # fmt: skip
def test_bad_contact_is_explained_and_saves_nothing(
    overrides: dict[str, str], message: str, social_worker: User, client_for: Client
) -> None:
    response = client_for(social_worker).post(
        reverse("frontdoor:contact-new"), contact_form(**overrides)
    )
    assert response.status_code == 200
    assert message.replace("?", "") in response.content.decode().replace("?", "")
    assert not ContactSubmission.objects.exists()


def test_contact_page_allowed_and_logged(
    social_worker: User, client_for: Client, contact: Contact, child: Person
) -> None:
    response = client_for(social_worker).get(reverse("frontdoor:contact", args=[contact.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="view", person_id=str(child.pk)).exists()


def test_contact_about_a_restricted_child_is_not_found(
    make_user: Callable[..., User], client_for: Client, contact: Contact, child: Person
) -> None:
    manager = make_user("team_manager")
    restriction_set(
        actor=manager,
        person=child,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=[],
        expected_version=child.version,
    )
    other = make_user("social_worker")
    assert client_for(other).get(reverse("frontdoor:contact", args=[contact.pk])).status_code == 404
    assert (
        contact.submission.reference
        not in client_for(other).get(reverse("frontdoor:queue")).content.decode()
    )
    assert (
        client_for(manager).get(reverse("frontdoor:contact", args=[contact.pk])).status_code == 200
    )


def test_partner_cannot_open_mash_contact_pages(
    make_user: Callable[..., User], client_for: Client, contact: Contact
) -> None:
    partner = make_user("partner_agency")
    assert (
        client_for(partner).get(reverse("frontdoor:contact", args=[contact.pk])).status_code == 403
    )


def test_the_screen_to_decision_journey(
    social_worker: User, make_user: Callable[..., User], client_for: Client, contact: Contact
) -> None:
    worker = client_for(social_worker)
    url = reverse("frontdoor:contact-screen", args=[contact.pk])
    refused = worker.post(url, {"rating": "amber", "version": contact.version})
    assert (
        refused.status_code == 400
        and "Select consent to share information" in refused.content.decode()
    )
    assert (
        worker.post(
            url, {"consent": "obtained", "rating": "amber", "version": contact.version}
        ).status_code
        == 302
    )
    assert (
        worker.post(
            reverse("frontdoor:contact-checks", args=[contact.pk]),
            {"agencies": ["police", "health"]},
        ).status_code
        == 302
    )
    check = contact.checks.get(agency="police")
    assert (
        worker.post(
            reverse("frontdoor:check-return", args=[contact.pk, check.pk]),
            {"summary": "Two previous call-outs.", "version": check.version},
        ).status_code
        == 302
    )
    contact.refresh_from_db()
    assert (
        worker.post(
            reverse("frontdoor:contact-recommend", args=[contact.pk]),
            {
                "recommendation": "referral",
                "recommendation_rationale": REASONS,
                "version": contact.version,
            },
        ).status_code
        == 302
    )
    # A social worker cannot decide; a manager can, but only with a rationale.
    decide = reverse("frontdoor:contact-decide", args=[contact.pk])
    assert (
        worker.post(decide, {"decision": "nfa", "decision_rationale": REASONS}).status_code == 403
    )
    manager = client_for(make_user("team_manager"))
    contact.refresh_from_db()
    response = manager.post(
        decide,
        {
            "decision": "referral",
            "decision_rationale": "Agreed.",
            "primary_need": "N1",
            "version": contact.version,
        },
    )
    assert response.status_code == 400
    assert "Explain the decision in at least 10 words" in response.content.decode()
    contact.refresh_from_db()
    assert contact.decision == ""
    assert (
        manager.post(
            decide,
            {
                "decision": "referral",
                "decision_rationale": REASONS,
                "primary_need": "N1",
                "version": contact.version,
            },
        ).status_code
        == 302
    )
    contact.refresh_from_db()
    assert contact.decision == "referral" and contact.cin_episode is not None
    # Once decided, nothing more can be changed.
    assert (
        manager.post(
            decide, {"decision": "nfa", "decision_rationale": REASONS, "version": contact.version}
        ).status_code
        == 400
    )
    contact.refresh_from_db()
    assert contact.decision == "referral"


def test_linking_an_unmatched_contact_to_a_person(
    social_worker: User, client_for: Client, child: Person
) -> None:
    submission = services.contact_submit(
        actor=social_worker,
        new=services.NewContact(
            received_at=timezone.now(),
            source="3A",
            concerns="GP worried about repeated injuries explained as falls.",
            children=[
                services.ChildDetails(
                    forename="Ava", surname="Testchild", date_of_birth=dt.date(2016, 3, 4)
                )
            ],
        ),
    )
    contact = submission.contacts.get()
    page = (
        client_for(social_worker)
        .get(reverse("frontdoor:contact", args=[contact.pk]))
        .content.decode()
    )
    assert child.child_id in page  # offered as a likely match
    response = client_for(social_worker).post(
        reverse("frontdoor:contact-link", args=[contact.pk]),
        {"person": child.pk, "version": contact.version},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.person == child


def test_partner_contact_form(make_user: Callable[..., User], client_for: Client) -> None:
    partner = make_user("partner_agency")
    client = client_for(partner)
    data = contact_form()
    for key in ("received_date_day", "received_date_month", "received_date_year", "received_time"):
        data.pop(key)
    response = client.post(reverse("frontdoor:partner-contact"), data)
    assert response.status_code == 302
    submission = ContactSubmission.objects.get()
    assert submission.submitted_by == partner and submission.channel == "partner"
    sent = client.get(reverse("frontdoor:contact-sent")).content.decode()
    assert submission.reference in sent


def test_partner_form_refused_to_staff_without_the_permission(
    make_user: Callable[..., User], client_for: Client
) -> None:
    assert (
        client_for(make_user("performance_analyst"))
        .get(reverse("frontdoor:partner-contact"))
        .status_code
        == 403
    )


def test_public_form_is_rate_limited(client: Any) -> None:
    cache.clear()
    data = contact_form(referrer_phone="01632 960000")
    for key in ("received_date_day", "received_date_month", "received_date_year", "received_time"):
        data.pop(key)
    url = reverse("frontdoor:public-contact")
    assert client.get(url).status_code == 200
    bad = client.post(url, {**data, "referrer_name": "", "referrer_phone": ""})
    assert "Enter your name" in bad.content.decode()
    assert not ContactSubmission.objects.exists()
    for _ in range(4):
        assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 429
    assert ContactSubmission.objects.count() == 4
    assert ContactSubmission.objects.first().channel == "public_form"  # type: ignore[union-attr]
    cache.clear()


def test_sent_page_needs_a_reference_in_the_session(client: Any) -> None:
    assert client.get(reverse("frontdoor:contact-sent")).status_code == 404


def test_early_help_pages(
    social_worker: User, make_user: Callable[..., User], client_for: Client, child: Person
) -> None:
    client = client_for(social_worker)
    today = timezone.localdate()
    new_url = reverse("frontdoor:early-help-new", args=[child.pk])
    refused = client.post(
        new_url,
        {
            "start_date_day": "1",
            "start_date_month": "1",
            "start_date_year": str(today.year + 1),
            "reason": "x",
        },
    )
    assert "The start date must be today or in the past" in refused.content.decode()
    response = client.post(
        new_url,
        {
            "start_date_day": str(today.day),
            "start_date_month": str(today.month),
            "start_date_year": str(today.year),
            "reason": "Parenting support after a house move.",
        },
    )
    assert response.status_code == 302
    episode = child.early_help_episodes.get()
    assert client.get(reverse("frontdoor:early-help-list")).status_code == 200
    detail = reverse("frontdoor:early-help", args=[episode.pk])
    assert client.get(detail).status_code == 200
    closed = client.post(
        detail,
        {
            "form": "close",
            "end_date_day": str(today.day),
            "end_date_month": str(today.month),
            "end_date_year": str(today.year),
            "outcome": "needs_met",
            "version": episode.version,
        },
    )
    assert closed.status_code == 302
    episode.refresh_from_db()
    assert episode.outcome == "needs_met"
    # client_for signs the same client in as someone else: the refusal is checked last.
    assert client_for(make_user("partner_agency")).get(detail).status_code == 403


def test_recording_the_child_from_the_contact_details(
    social_worker: User, make_user: Callable[..., User], client_for: Client
) -> None:
    submission = services.contact_submit(
        actor=social_worker,
        new=services.NewContact(
            received_at=timezone.now(),
            source="3B",
            concerns="Health visitor concerned about a baby's weight loss and home conditions.",
            children=[
                services.ChildDetails(
                    forename="Noor", surname="Newfamily", date_of_birth=dt.date(2025, 1, 5)
                )
            ],
        ),
    )
    contact = submission.contacts.get()
    url = reverse("frontdoor:contact-new-person", args=[contact.pk])
    assert client_for(make_user("performance_analyst")).post(url).status_code == 403
    assert client_for(social_worker).post(url, {"version": contact.version}).status_code == 302
    contact.refresh_from_db()
    assert contact.person is not None
    assert (contact.person.forename, contact.person.date_of_birth) == ("Noor", dt.date(2025, 1, 5))
    # Already linked: the button no longer applies.
    assert client_for(social_worker).post(url, {"version": contact.version}).status_code == 404


def test_the_persons_page_lists_contacts_and_referrals(
    social_worker: User, client_for: Client, contact: Contact, child: Person
) -> None:
    page = (
        client_for(social_worker)
        .get(reverse("people:detail", args=[child.pk]) + "?tab=casework")
        .content.decode()
    )
    assert contact.submission.reference in page
    assert reverse("frontdoor:early-help-new", args=[child.pk]) in page


def test_queue_queries_do_not_grow_with_the_queue(
    social_worker: User, client_for: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        services.contact_submit(
            actor=social_worker,
            new=services.NewContact(
                received_at=timezone.now() - dt.timedelta(hours=n),
                source="6",
                concerns="Police attended a domestic incident at the family home overnight.",
                children=[services.ChildDetails(forename=f"Child{n}", surname="Queuetest")],
            ),
        )
    client = client_for(social_worker)
    client.get(reverse("frontdoor:queue"))  # warm the calendar cache
    with django_assert_max_num_queries(14):
        assert client.get(reverse("frontdoor:queue")).status_code == 200


def test_stepping_down_from_social_care_opens_early_help(
    social_worker: User, make_user: Callable[..., User], client_for: Client, child: Person
) -> None:
    from hearth.casework.models import ChildInNeedEpisode

    episode = ChildInNeedEpisode.objects.create(
        person=child,
        referral_date=timezone.localdate() - dt.timedelta(days=40),
        referral_source="6",
        primary_need="N4",
    )
    url = reverse("frontdoor:step-down", args=[episode.pk])
    today = timezone.localdate()
    data = {
        "on_day": str(today.day),
        "on_month": str(today.month),
        "on_year": str(today.year),
        "reason": "Family hub to support routines and school attendance.",
        "version": episode.version,
    }
    assert client_for(make_user("performance_analyst")).post(url, data).status_code == 403
    client = client_for(social_worker)
    refused = client.post(url, {**data, "on_year": str(today.year - 1)})
    assert "on or after the referral date" in refused.content.decode()
    assert client.post(url, data).status_code == 302
    episode.refresh_from_db()
    assert (episode.closure_date, episode.closure_reason) == (today, "RC9")
    early_help = child.early_help_episodes.get()
    assert early_help.stepped_down_from == episode
    assert client.get(url).status_code == 404  # closed: nothing to step down


def test_linking_a_decided_contact_is_refused_with_a_message(
    social_worker: User, make_user: Callable[..., User], client_for: Client, contact: Contact
) -> None:
    manager = make_user("team_manager")
    contact = services.contact_screen(
        actor=social_worker, contact=contact, consent="obtained", consent_reason="",
        consent_authorised_by=None, rating="green", expected_version=contact.version,
    )  # fmt: skip
    contact = services.contact_recommend(
        actor=social_worker, contact=contact, outcome="advice", rationale=REASONS,
        expected_version=contact.version,
    )  # fmt: skip
    contact = services.contact_decide(
        actor=manager, contact=contact, outcome="advice", rationale=REASONS,
        expected_version=contact.version,
    )  # fmt: skip
    other = person_create(actor=social_worker, data={"forename": "Zed", "surname": "Other"})
    client = client_for(social_worker)
    response = client.post(
        reverse("frontdoor:contact-link", args=[contact.pk]),
        {"person": other.pk, "version": contact.version},
        follow=True,
    )
    assert "This contact has been decided" in response.content.decode()
    contact.refresh_from_db()
    assert contact.person != other
