"""Contacts over the API: a partner system sends one, staff and partners follow it; who sees
what."""

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
from hearth.frontdoor import services
from hearth.frontdoor.models import Channel, Contact, ContactSubmission
from hearth.people.models import Person
from hearth.people.services import person_create, restriction_set

pytestmark = pytest.mark.django_db
REASONS = (
    "Police attended a domestic incident; the children were present and frightened; "
    "the mother agrees to support and checks show no previous concerns."
)


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    return lambda user: api_for(client, user, "Police case system")


@pytest.fixture
def partner(make_user: Callable[..., User]) -> User:
    return make_user("partner_agency")


@pytest.fixture
def reading_partner(make_user: Callable[..., User]) -> User:
    """A partner agency user who has also been given `core.view_case_records`."""
    return make_user("partner_agency", "business_support")


@pytest.fixture
def child(social_worker: User) -> Person:
    return person_create(
        actor=social_worker,
        data={"forename": "Ava", "surname": "Testchild", "date_of_birth": dt.date(2016, 3, 4)},
    )


def sent_by(actor: User, person: Person | None = None, surname: str = "Testfamily") -> Contact:
    submission = services.contact_submit(
        actor=actor,
        new=services.NewContact(
            received_at=timezone.now() - dt.timedelta(hours=3),
            source="6",
            concerns="Police attended a domestic incident at the family home overnight.",
            children=[services.ChildDetails(person=person, forename="Sam", surname=surname)],
            channel=Channel.API,
        ),
    )
    return submission.contacts.get()


def contact_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "received_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "source": "6",
        "referrer": {
            "name": "PC Test Officer",
            "role": "Constable",
            "organisation": "Example Police",
            "phone": "01632 960000",
            "email": "officer@police.example",
        },
        "concerns": "Police attended a domestic incident overnight; both children were present.",
        "categories": ["domestic_abuse"],
        "children": [
            {"forename": "Sam", "surname": "Testfamily", "date_of_birth": "2015-06-01"},
            {"forename": "Kit", "surname": "Testfamily", "address": "1 Example Street, EX1 1AA"},
        ],
    }
    body.update(overrides)
    return body


# --- send ----------------------------------------------------------------------------------------


def test_partner_system_sends_a_contact_for_two_children(
    api: Callable[[User], Api], partner: User
) -> None:
    response = api(partner).post("/api/contacts/", contact_body())

    assert response.status_code == 201, response.json()
    body = response.json()
    submission = ContactSubmission.objects.get()
    assert body["reference"] == submission.reference and body["reference"].startswith("MASH-")
    assert [c["id"] for c in body["contacts"]] == list(
        submission.contacts.order_by("pk").values_list("pk", flat=True)
    )
    assert [c["child"]["forename"] for c in body["contacts"]] == ["Sam", "Kit"]
    assert body["contacts"][0]["child"]["date_of_birth"] == "2015-06-01"
    assert body["contacts"][1]["person_id"] is None
    assert submission.channel == Channel.API and submission.submitted_by == partner
    assert submission.referrer_organisation == "Example Police"
    assert submission.concern_categories == ["domestic_abuse"]
    assert AuditEvent.objects.filter(action="create", actor=partner).count() == 2


def test_mash_staff_send_a_contact_linked_to_a_record(
    api: Callable[[User], Api], social_worker: User, child: Person
) -> None:
    response = api(social_worker).post(
        "/api/contacts/",
        contact_body(children=[{"person_id": child.pk, "forename": "Ava", "surname": "Testchild"}]),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["contacts"][0]["person_id"] == child.pk
    assert Contact.objects.get().person == child


def test_sending_is_refused_without_permission_or_token(
    api: Callable[[User], Api], make_user: Callable[..., User], client: Client
) -> None:
    for role in ("performance_analyst", "business_support"):
        assert api(make_user(role)).post("/api/contacts/", contact_body()).status_code == 403
    unsigned = client.post(
        "/api/contacts/", json.dumps(contact_body()), content_type="application/json"
    )
    assert unsigned.status_code == 401
    assert not ContactSubmission.objects.exists()


def test_shape_errors_are_given_per_field_and_nothing_is_saved(
    api: Callable[[User], Api], partner: User
) -> None:
    response = api(partner).post(
        "/api/contacts/",
        contact_body(
            source="99",
            concerns="",
            categories=["gossip"],
            referrer={"email": "not an email"},
            children=[{"forename": "Sam"}, {"date_of_birth": "2015-06-01"}],
        ),
    )

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"source", "concerns", "categories", "referrer", "children"}
    assert list(errors["referrer"]) == ["email"]
    assert errors["children"] == {  # by position, only the children with errors
        "1": {"surname": ["Enter the child's name, or the person_id of their record"]}
    }
    assert not ContactSubmission.objects.exists()


def test_no_children_is_an_error(api: Callable[[User], Api], partner: User) -> None:
    response = api(partner).post("/api/contacts/", contact_body(children=[]))
    assert response.status_code == 400 and list(response.json()) == ["children"]


def test_the_services_errors_are_given_per_field(api: Callable[[User], Api], partner: User) -> None:
    tomorrow = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = api(partner).post("/api/contacts/", contact_body(received_at=tomorrow))
    assert response.status_code == 400
    assert response.json() == {
        "received_at": ["The date and time received must be now or in the past"]
    }
    assert not ContactSubmission.objects.exists()


def test_a_record_the_caller_may_not_open_cannot_be_linked(
    api: Callable[[User], Api], partner: User, make_user: Callable[..., User], child: Person
) -> None:
    """A partner cannot link any record; staff cannot link a restricted one they are not named
    for. The error is the same as for an id that does not exist, and nothing is saved."""
    restricted = person_create(actor=None, data={"forename": "Cara", "surname": "Hiddenchild"})
    restriction_set(
        actor=make_user("team_manager"),
        person=restricted,
        restricted=True,
        reason="A member of staff's relative",
        named_staff=[],
        expected_version=None,
    )
    staff = make_user("social_worker")
    for caller, person_id in ((partner, child.pk), (staff, restricted.pk), (staff, 999999)):
        response = api(caller).post(
            "/api/contacts/",
            contact_body(children=[{"forename": "Sam"}, {"person_id": person_id}]),
        )
        assert response.status_code == 400
        assert response.json() == {
            "children": {"1": {"person_id": ["No child record with this id"]}}
        }
    assert not ContactSubmission.objects.exists()
    assert AuditEvent.objects.filter(
        action="access_denied", actor=staff, person_id=str(restricted.pk)
    ).exists()


# --- list and read -------------------------------------------------------------------------------


def test_staff_list_every_contact_a_partner_only_their_own(
    api: Callable[[User], Api],
    social_worker: User,
    reading_partner: User,
    make_user: Callable[..., User],
) -> None:
    own = sent_by(reading_partner, surname="Own")
    other = sent_by(make_user("partner_agency"), surname="Other")
    staff_sent = sent_by(social_worker, surname="Staff")

    staff_list = api(social_worker).get("/api/contacts/").json()
    partner_list = api(reading_partner).get("/api/contacts/").json()

    assert {c["id"] for c in staff_list["results"]} == {own.pk, other.pk, staff_sent.pk}
    assert staff_list["count"] == 3
    assert [c["id"] for c in partner_list["results"]] == [own.pk]
    by_reference = api(social_worker).get(
        "/api/contacts/", {"reference": other.submission.reference}
    )
    assert [c["id"] for c in by_reference.json()["results"]] == [other.pk]


def test_listing_is_refused_without_permission_or_token(
    api: Callable[[User], Api], partner: User, make_user: Callable[..., User], client: Client
) -> None:
    mine = sent_by(partner)
    sent_by(make_user("partner_agency"))
    listed = api(partner).get("/api/contacts/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [mine.pk]  # only their own
    assert api(make_user("performance_analyst")).get("/api/contacts/").status_code == 403
    assert client.get("/api/contacts/").status_code == 401


def test_list_leaves_out_contacts_about_a_restricted_child_unless_named(
    api: Callable[[User], Api], make_user: Callable[..., User], child: Person
) -> None:
    named, other = make_user("team_manager"), make_user("social_worker")
    contact = sent_by(named, person=child)
    restriction_set(
        actor=named,
        person=child,
        restricted=True,
        reason="A member of staff's relative",
        named_staff=[],
        expected_version=None,
    )
    assert api(other).get("/api/contacts/").json()["results"] == []
    assert [c["id"] for c in api(named).get("/api/contacts/").json()["results"]] == [contact.pk]


def test_contact_shows_its_progress_and_decision_and_the_read_is_logged(
    api: Callable[[User], Api], make_user: Callable[..., User], child: Person
) -> None:
    worker, manager = make_user("social_worker"), make_user("team_manager")
    contact = sent_by(worker)
    contact = services.contact_link_person(
        actor=worker, contact=contact, person=child, expected_version=None
    )
    contact = services.contact_screen(
        actor=worker,
        contact=contact,
        consent="obtained",
        consent_reason="",
        consent_authorised_by=None,
        rating="amber",
        expected_version=None,
    )
    caller = api(worker)
    screened = caller.get(f"/api/contacts/{contact.pk}/").json()
    assert (screened["status"], screened["rating"], screened["decision"]) == (
        "awaiting_checks",
        "amber",
        "",
    )
    contact = services.contact_recommend(
        actor=worker, contact=contact, outcome="nfa", rationale=REASONS, expected_version=None
    )
    services.contact_decide(
        actor=manager, contact=contact, outcome="nfa", rationale=REASONS, expected_version=None
    )

    response = caller.get(f"/api/contacts/{contact.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == contact.submission.reference
    assert body["status"] == "decided" and body["decision"] == "nfa"
    assert body["decision_rationale"] == REASONS
    assert body["person_id"] == child.pk
    assert body["child"] == {
        "forename": "Sam",
        "surname": "Testfamily",
        "date_of_birth": None,
        "address": "",
    }
    assert body["received_at"] and body["decided_at"]
    assert AuditEvent.objects.filter(
        action="view", actor=worker, object_id=str(contact.pk), person_id=str(child.pk)
    ).exists()


def test_a_partner_reads_only_the_contacts_they_sent(
    api: Callable[[User], Api],
    reading_partner: User,
    partner: User,
    make_user: Callable[..., User],
    client: Client,
) -> None:
    own = sent_by(reading_partner)
    someone_elses = sent_by(make_user("partner_agency"))

    assert api(reading_partner).get(f"/api/contacts/{own.pk}/").status_code == 200
    assert api(reading_partner).get(f"/api/contacts/{someone_elses.pk}/").status_code == 404
    # A partner with only their submit permission reads back their own, and no one else's.
    assert api(partner).get(f"/api/contacts/{own.pk}/").status_code == 404
    assert api(partner).get(f"/api/contacts/{sent_by(partner).pk}/").status_code == 200
    assert client.get(f"/api/contacts/{own.pk}/").status_code == 401


def test_contact_about_a_restricted_child_is_not_found_and_the_attempt_is_logged(
    api: Callable[[User], Api], make_user: Callable[..., User], child: Person
) -> None:
    named, other = make_user("team_manager"), make_user("social_worker")
    contact = sent_by(named, person=child)
    restriction_set(
        actor=named,
        person=child,
        restricted=True,
        reason="A member of staff's relative",
        named_staff=[],
        expected_version=None,
    )
    assert api(named).get(f"/api/contacts/{contact.pk}/").status_code == 200
    assert api(other).get(f"/api/contacts/{contact.pk}/").status_code == 404
    assert api(other).get("/api/contacts/999999/").status_code == 404
    assert AuditEvent.objects.filter(
        action="access_denied", actor=other, person_id=str(child.pk)
    ).exists()
    assert not AuditEvent.objects.filter(action="view", actor=other).exists()
