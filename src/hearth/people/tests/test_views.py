"""People pages: allow and deny for each, the check-for-existing-records flow, restricted records,
refused input that changes nothing, and the access log."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearth.core.choices import AuditAction
from hearth.core.models import AuditEvent, User
from hearth.people import services
from hearth.people.models import Address, Person, PersonMerge, PersonName, Relationship

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]
NHS = "9434765919"  # a valid test NHS number


def make_person(**fields: Any) -> Person:
    data = {
        "forename": "Ellis",
        "surname": "Marsh",
        "date_of_birth": dt.date(2015, 3, 27),
        "sex": "F",
        **fields,
    }
    return services.person_create(actor=None, data=data)


def restrict(person: Person, manager: User, *named: User) -> Person:
    return services.restriction_set(
        actor=manager,
        person=person,
        restricted=True,
        reason="A relative of a member of staff",
        named_staff=list(named),
        expected_version=None,
    )


def details(**fields: str) -> dict[str, str]:
    """What the add-a-person form posts."""
    data = {
        "forename": "Robin",
        "surname": "Quarry",
        "date_of_birth_day": "4",
        "date_of_birth_month": "6",
        "date_of_birth_year": "2016",
        "expected_date_of_birth_day": "",
        "expected_date_of_birth_month": "",
        "expected_date_of_birth_year": "",
        "sex": "M",
        "gender_identity": "00",
        "ethnicity": "WBRI",
        "first_language": "English",
        "religion": "",
        "nationality": "British",
        "nhs_number": "",
        "upn": "",
        "former_upn": "",
        "upn_unknown": "",
        "date_of_death_day": "",
        "date_of_death_month": "",
        "date_of_death_year": "",
        "immigration_status": "",
        "address_line_1": "",
        "address_town": "",
        "address_postcode": "",
        "address_start_date_day": "",
        "address_start_date_month": "",
        "address_start_date_year": "",
    }
    data.update(fields)
    return data


def edit_data(person: Person, **fields: str) -> dict[str, Any]:
    data = details(
        forename=person.forename,
        surname=person.surname,
        sex=person.sex,
        date_of_birth_day=str(person.date_of_birth.day) if person.date_of_birth else "",
        date_of_birth_month=str(person.date_of_birth.month) if person.date_of_birth else "",
        date_of_birth_year=str(person.date_of_birth.year) if person.date_of_birth else "",
        nhs_number=person.nhs_number,
        ethnicity=person.ethnicity,
        version=str(person.version),
    )
    for name in list(data):
        if name.startswith("address_"):
            del data[name]
    data.update(fields)
    return data


def page(response: Any) -> str:
    return response.content.decode()


# --- navigation and search -----------------------------------------------------------------------


def test_people_is_in_the_navigation_for_case_record_staff_only(
    social_worker: User, make_user: Callable[..., User], client_for: Client
) -> None:
    home = page(client_for(social_worker).get(reverse("reporting:home")))
    assert f'href="{reverse("people:search")}"' in home
    partner = page(client_for(make_user("partner_agency")).get(reverse("reporting:home")))
    assert f'href="{reverse("people:search")}"' not in partner


def test_search_finds_by_any_name_child_id_nhs_number_and_date_of_birth(
    social_worker: User, client_for: Client
) -> None:
    ellis = make_person(nhs_number=NHS)
    services.name_add(
        actor=social_worker, person=ellis, kind="alias", forename="Elle", surname="Rook"
    )
    other = make_person(forename="Jordan", surname="Vale", date_of_birth=dt.date(2012, 1, 9))
    c = client_for(social_worker)
    url = reverse("people:search")
    for query in ("Marsh", "ellis marsh", "Rook", "elle", ellis.child_id, "943 476 5919"):
        body = page(c.get(url, {"q": query}))
        assert reverse("people:detail", args=[ellis.pk]) in body, query
        assert reverse("people:detail", args=[other.pk]) not in body, query
    body = page(c.get(url, {"q": "27/3/2015"}))
    assert reverse("people:detail", args=[ellis.pk]) in body
    body = page(c.get(url, {"q": "Vale 9 January 2012"}))
    assert reverse("people:detail", args=[other.pk]) in body
    assert reverse("people:detail", args=[ellis.pk]) not in body
    body = page(c.get(url, {"q": "Marsh 1/1/2001"}))
    assert "No records match" in body


def test_search_page_without_a_query_shows_the_box(social_worker: User, client_for: Client) -> None:
    response = client_for(social_worker).get(reverse("people:search"))
    assert response.status_code == 200
    assert 'name="q"' in page(response) and "matching record" not in page(response)


@pytest.mark.parametrize("role", ["partner_agency", "performance_analyst", "system_administrator"])
def test_search_refused_to_staff_without_case_records(
    role: str, make_user: Callable[..., User], client_for: Client
) -> None:
    make_person()
    response = client_for(make_user(role)).get(reverse("people:search"), {"q": "Marsh"})
    assert response.status_code == 403


def test_search_is_paginated_with_a_fixed_number_of_queries(
    social_worker: User, client_for: Client, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        person = make_person(forename=f"Child{chr(65 + i % 26)}", surname="Marsh")
        services.address_add(
            actor=None,  # type: ignore[arg-type]
            person=person,
            line_1=f"{i} Mill Lane",
            postcode="LS1 4AP",
            start_date=dt.date(2020, 1, 1),
        )
    c = client_for(social_worker)
    c.get(reverse("people:search"), {"q": "Marsh"})  # warm the session and permissions
    with django_assert_max_num_queries(14):
        response = c.get(reverse("people:search"), {"q": "Marsh"})
    body = page(response)
    assert "30 matching records" in body and "Mill Lane" in body
    assert 'href="?q=Marsh&amp;page=2"' in body and "Page 2" in body
    assert len(re.findall(r'class="govuk-link" href="/people/\d+/"', body)) == 25


# --- add a person --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["social_worker", "team_manager", "family_support_worker"])
def test_add_a_person_allowed_for_those_who_record_casework(
    role: str, make_user: Callable[..., User], client_for: Client
) -> None:
    assert client_for(make_user(role)).get(reverse("people:create")).status_code == 200


@pytest.mark.parametrize("role", ["business_support", "auditor", "partner_agency"])
def test_add_a_person_refused_to_others(
    role: str, make_user: Callable[..., User], client_for: Client
) -> None:
    c = client_for(make_user(role))
    assert c.get(reverse("people:create")).status_code == 403
    assert c.post(reverse("people:create"), details()).status_code == 403
    assert not Person.objects.exists()


def test_add_a_person_with_no_matches_creates_them_with_their_address(
    social_worker: User, client_for: Client
) -> None:
    response = client_for(social_worker).post(
        reverse("people:create"),
        details(
            nhs_number="943 476 5919",
            disabilities=["HEAR", "VIS"],
            address_line_1="4 Tern Walk",
            address_town="Leeds",
            address_postcode="ls1 4ap",
            address_start_date_day="1",
            address_start_date_month="2",
            address_start_date_year="2020",
        ),
    )
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert (person.forename, person.surname, person.nhs_number) == ("Robin", "Quarry", NHS)
    assert person.date_of_birth == dt.date(2016, 6, 4)
    assert sorted(person.disabilities.values_list("code", flat=True)) == ["HEAR", "VIS"]
    address = person.addresses.get()
    assert (address.postcode, address.start_date) == ("LS1 4AP", dt.date(2020, 2, 1))
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="people.person", person_id=str(person.pk)
    ).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"date_of_birth_year": str(timezone.localdate().year + 1)},
            "date_of_birth",
            "Date of birth must be today or in the past",
        ),
        (
            {"date_of_death_day": "1", "date_of_death_month": "1", "date_of_death_year": "2016"},
            "date_of_death",
            "Date of death must be on or after the date of birth",
        ),
        (
            {
                "date_of_birth_day": "",
                "date_of_birth_month": "",
                "date_of_birth_year": "",
                "expected_date_of_birth_day": "1",
                "expected_date_of_birth_month": "1",
                "expected_date_of_birth_year": str(timezone.localdate().year + 1),
                "sex": "F",
            },
            "sex",
            "Select unknown for an unborn child",
        ),
        ({"nhs_number": "9434765918"}, "nhs_number", "Enter a valid NHS number"),
        ({"upn": "B123456789012"}, "upn", "Enter a valid UPN: the check letter does not match"),
        ({"surname": ""}, "surname", "Enter surname"),
        ({"date_of_birth_month": "13"}, "date_of_birth", "Date of birth must be a real date"),
        (
            {"address_line_1": "4 Tern Walk", "address_postcode": "LS1"},
            "address_postcode",
            "Enter a full UK postcode, like SW1A 1AA",
        ),
        (
            {"address_line_1": "4 Tern Walk"},
            "address_postcode",
            "Enter the postcode, or leave the address blank",
        ),
        (
            {"disabilities": ["NONE", "HEAR"]},
            "disabilities",
            "Select no disability, or the disabilities, not both",
        ),
        (
            {"expected_date_of_birth_day": "1", "expected_date_of_birth_month": "1"},
            "expected_date_of_birth",
            "Expected date of birth must include a year",
        ),
    ],
)
def test_add_a_person_refuses_bad_details_with_a_message_and_saves_nothing(
    fields: dict[str, str], field: str, message: str, social_worker: User, client_for: Client
) -> None:
    response = client_for(social_worker).post(reverse("people:create"), details(**fields))
    assert response.status_code == 200
    body = page(response)
    assert "govuk-error-summary" in body and message in body
    assert any(message in e for e in response.context["form"].errors[field])
    assert not Person.objects.exists()
    assert not Address.objects.exists()


def test_details_matching_an_existing_record_are_shown_before_anything_is_created(
    social_worker: User, client_for: Client
) -> None:
    existing = make_person(forename="Robin", surname="Quarry", date_of_birth=dt.date(2016, 6, 4))
    existing.nhs_number = NHS
    existing.save()
    c = client_for(social_worker)
    response = c.post(reverse("people:create"), details(nhs_number=NHS))
    body = page(response)
    assert response.status_code == 200
    assert "Check whether they already have a record" in body
    assert reverse("people:detail", args=[existing.pk]) in body
    assert existing.child_id in body
    assert "NHS number" in body  # a reason is given for the match
    assert "None of these is the same person" in body
    assert Person.objects.count() == 1


def test_confirming_none_of_the_matches_is_required_before_creating(
    social_worker: User, client_for: Client
) -> None:
    existing = make_person(forename="Robin", surname="Quarry", date_of_birth=dt.date(2016, 6, 4))
    c = client_for(social_worker)
    data = details(step="confirm", shown_matches=str(existing.pk))
    response = c.post(reverse("people:create"), data)
    body = page(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "Select ‘None of these is the same person’ to create a new record" in body
    assert Person.objects.count() == 1

    response = c.post(reverse("people:create"), {**data, "none_match": "on"})
    assert response.status_code == 302
    assert Person.objects.count() == 2
    created = Person.objects.exclude(pk=existing.pk).get()
    assert response["Location"] == reverse("people:detail", args=[created.pk])
    assert created.child_id != existing.child_id


def test_a_confirmation_that_did_not_see_every_match_shows_them_again(
    social_worker: User, client_for: Client
) -> None:
    existing = make_person(forename="Robin", surname="Quarry", date_of_birth=dt.date(2016, 6, 4))
    response = client_for(social_worker).post(
        reverse("people:create"), details(step="confirm", shown_matches="", none_match="on")
    )
    body = page(response)
    assert response.status_code == 200
    assert "The records that match have changed" in body
    assert reverse("people:detail", args=[existing.pk]) in body
    assert Person.objects.count() == 1


def test_matches_page_carries_the_details_and_change_returns_to_the_form(
    social_worker: User, client_for: Client
) -> None:
    make_person(forename="Robin", surname="Quarry", date_of_birth=dt.date(2016, 6, 4))
    c = client_for(social_worker)
    body = page(c.post(reverse("people:create"), details(religion="Quaker")))
    assert '<input type="hidden" name="religion" value="Quaker">' in body
    response = c.post(reverse("people:create"), details(step="change", religion="Quaker"))
    body = page(response)
    assert "Add a person" in body and 'value="Quaker"' in body
    assert "govuk-error-summary" not in body
    assert Person.objects.count() == 1


def test_matches_only_offer_records_the_worker_may_see(
    social_worker: User, make_user: Callable[..., User], client_for: Client
) -> None:
    hidden = make_person(forename="Robin", surname="Quarry", date_of_birth=dt.date(2016, 6, 4))
    restrict(hidden, make_user("team_manager"))
    response = client_for(social_worker).post(reverse("people:create"), details())
    assert response.status_code == 302  # nothing they may see matched: created straight away
    assert Person.objects.count() == 2
    assert response["Location"] != reverse("people:detail", args=[hidden.pk])


# --- the person page -----------------------------------------------------------------------------


def test_person_page_shows_the_record_and_logs_the_view(
    social_worker: User, client_for: Client
) -> None:
    ellis = make_person(nhs_number=NHS, upn="A123456789012", ethnicity="WIRI")
    services.person_update(
        actor=social_worker,
        person=ellis,
        data={"forename": "Ellis", "surname": "Marsh"},
        expected_version=None,
        disabilities=["AUT"],
    )
    services.name_add(
        actor=social_worker, person=ellis, kind="previous", forename="Ellis", surname="Brook"
    )
    services.address_add(
        actor=social_worker,
        person=ellis,
        line_1="4 Tern Walk",
        postcode="LS1 4AP",
        start_date=dt.date(2019, 5, 1),
    )
    services.address_add(
        actor=social_worker,
        person=ellis,
        line_1="9 Heron Court",
        postcode="LS2 7EE",
        start_date=dt.date(2022, 8, 1),
    )
    response = client_for(social_worker).get(
        reverse("people:detail", args=[ellis.pk]) + "?tab=details"
    )
    body = page(response)
    assert response.status_code == 200
    for text in (
        ellis.child_id,
        "Ellis Brook (previous name)",
        "27 March 2015 (age",
        "White Irish",
        "Autism",
        NHS,
        "A123456789012",
        "9 Heron Court, LS2 7EE",
        "31 July 2022",  # the first address ended the day before the second began
        "Current",
    ):
        assert text in body, text
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.VIEW, object_type="people.person", person_id=str(ellis.pk)
        ).count()
        == 1
    )


def test_person_page_shows_relationships_as_a_map_and_a_list(
    social_worker: User, client_for: Client
) -> None:
    child = make_person()
    mother = make_person(forename="Dana", date_of_birth=dt.date(1988, 1, 2))
    father = make_person(
        forename="Rowan",
        sex="M",
        date_of_birth=dt.date(1985, 4, 5),
        date_of_death=dt.date(2021, 1, 1),
    )
    brother = make_person(forename="Ari", sex="M", date_of_birth=dt.date(2013, 9, 9))
    services.relationship_add(
        actor=None, from_person=mother, to_person=child, kind="mother", parental_responsibility=True
    )
    services.relationship_add(actor=None, from_person=father, to_person=child, kind="father")
    rel = services.relationship_add(
        actor=None, from_person=brother, to_person=child, kind="sibling"
    )
    services.relationship_end(
        actor=social_worker, relationship=rel, end_date=dt.date(2023, 1, 1), expected_version=None
    )
    body = page(
        client_for(social_worker).get(reverse("people:detail", args=[child.pk]) + "?tab=details")
    )
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in body and 'role="img"' in body
    assert "Relationship map for Ellis Marsh: 2 parents and 1 sibling." in body
    assert 'stroke-dasharray="6 4"' in body  # the ended sibling link
    assert "Father, died" in body
    for person in (mother, father, brother):
        assert reverse("people:detail", args=[person.pk]) in body
    assert "Yes, Dana Marsh for Ellis Marsh" in body  # parental responsibility
    assert "Ended 1 January 2023" in body and ">Ended</strong>" in body


def test_person_page_queries_do_not_grow_with_relationships(
    social_worker: User, client_for: Client
) -> None:
    def queries_for(relatives: int) -> int:
        child = make_person()
        for i in range(relatives):
            relative = make_person(forename=f"Relative{chr(65 + i)}", date_of_birth=None)
            services.relationship_add(
                actor=None, from_person=relative, to_person=child, kind="other_relative"
            )
        c = client_for(social_worker)
        url = reverse("people:detail", args=[child.pk]) + "?tab=details"
        c.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert c.get(url).status_code == 200
        return len(captured)

    few, many = queries_for(1), queries_for(12)
    assert few == many
    # The record, its involvement and each registered panel cost a fixed few queries.
    assert many <= 40


def test_person_page_refused_to_staff_without_case_records(
    make_user: Callable[..., User], client_for: Client
) -> None:
    ellis = make_person()
    response = client_for(make_user("partner_agency")).get(
        reverse("people:detail", args=[ellis.pk])
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_missing_person_is_404(social_worker: User, client_for: Client) -> None:
    assert client_for(social_worker).get(reverse("people:detail", args=[99999])).status_code == 404


# --- restricted records --------------------------------------------------------------------------


def test_a_restricted_record_opens_only_for_named_staff(
    make_user: Callable[..., User], client_for: Client
) -> None:
    manager = make_user("team_manager")
    named = make_user("social_worker")
    unnamed = make_user("social_worker")
    ellis = restrict(make_person(), manager, named)

    assert client_for(named).get(reverse("people:detail", args=[ellis.pk])).status_code == 200
    assert client_for(named).get(reverse("people:edit", args=[ellis.pk])).status_code == 200

    c = client_for(unnamed)
    for name in ("detail", "edit", "name-add", "address-add", "relationship-add"):
        assert c.get(reverse(f"people:{name}", args=[ellis.pk])).status_code == 404, name
    denied = AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, person_id=str(ellis.pk), actor=unnamed
    )
    assert denied.count() == 5
    assert not AuditEvent.objects.filter(
        action=AuditAction.VIEW, person_id=str(ellis.pk), actor=unnamed
    ).exists()
    search = page(c.get(reverse("people:search"), {"q": "Marsh"}))
    assert reverse("people:detail", args=[ellis.pk]) not in search
    assert "No records match" in search
    named_search = page(client_for(named).get(reverse("people:search"), {"q": ellis.child_id}))
    assert reverse("people:detail", args=[ellis.pk]) in named_search
    assert "Restricted" in named_search


def test_a_restricted_relative_appears_without_name_or_link(
    make_user: Callable[..., User], social_worker: User, client_for: Client
) -> None:
    child = make_person()
    sister = make_person(forename="Secret", date_of_birth=dt.date(2011, 2, 2))
    services.relationship_add(actor=None, from_person=sister, to_person=child, kind="sibling")
    restrict(sister, make_user("team_manager"))
    body = page(
        client_for(social_worker).get(reverse("people:detail", args=[child.pk]) + "?tab=details")
    )
    assert "Secret" not in body
    assert reverse("people:detail", args=[sister.pk]) not in body
    assert "Restricted record" in body


def test_restriction_page_for_managers_only(
    make_user: Callable[..., User], social_worker: User, client_for: Client
) -> None:
    ellis = make_person()
    url = reverse("people:restriction", args=[ellis.pk])
    assert client_for(make_user("team_manager")).get(url).status_code == 200
    assert client_for(social_worker).get(url).status_code == 403
    response = client_for(social_worker).post(
        url, {"restricted": "yes", "reason": "x", "version": "1"}
    )
    assert response.status_code == 403
    ellis.refresh_from_db()
    assert not ellis.is_restricted


def test_a_manager_restricts_a_record_to_named_staff_then_lifts_it(
    make_user: Callable[..., User], client_for: Client
) -> None:
    manager = make_user("team_manager")
    named = make_user("social_worker")
    other = make_user("social_worker")
    ellis = make_person()
    url = reverse("people:restriction", args=[ellis.pk])
    c = client_for(manager)
    response = c.post(
        url,
        {
            "restricted": "yes",
            "reason": "High-profile case",
            "named_staff": [str(named.pk)],
            "version": str(ellis.version),
        },
    )
    assert response.status_code == 302
    ellis.refresh_from_db()
    assert ellis.is_restricted and ellis.restriction_reason == "High-profile case"
    assert set(ellis.named_staff.values_list("user_id", flat=True)) == {manager.pk, named.pk}
    assert client_for(named).get(reverse("people:detail", args=[ellis.pk])).status_code == 200
    assert client_for(other).get(reverse("people:detail", args=[ellis.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, person_id=str(ellis.pk), actor=other
    ).exists()

    response = client_for(manager).post(
        url, {"restricted": "no", "reason": "", "version": str(ellis.version)}
    )
    assert response.status_code == 302
    ellis.refresh_from_db()
    assert not ellis.is_restricted
    assert client_for(other).get(reverse("people:detail", args=[ellis.pk])).status_code == 200


def test_restricting_without_a_reason_is_refused_and_changes_nothing(
    make_user: Callable[..., User], client_for: Client
) -> None:
    ellis = make_person()
    response = client_for(make_user("team_manager")).post(
        reverse("people:restriction", args=[ellis.pk]),
        {"restricted": "yes", "reason": " ", "version": str(ellis.version)},
    )
    assert response.status_code == 200
    assert "Enter why the record is restricted" in page(response)
    ellis.refresh_from_db()
    assert not ellis.is_restricted and not ellis.named_staff.exists()


def test_an_unnamed_manager_cannot_change_a_restriction(
    make_user: Callable[..., User], client_for: Client
) -> None:
    ellis = restrict(make_person(), make_user("team_manager"))
    other_manager = make_user("team_manager")
    url = reverse("people:restriction", args=[ellis.pk])
    assert client_for(other_manager).get(url).status_code == 404
    client_for(other_manager).post(url, {"restricted": "no", "version": str(ellis.version)})
    ellis.refresh_from_db()
    assert ellis.is_restricted


# --- editing -------------------------------------------------------------------------------------


def test_edit_details_saves_through_the_service(social_worker: User, client_for: Client) -> None:
    ellis = make_person()
    url = reverse("people:edit", args=[ellis.pk])
    c = client_for(social_worker)
    assert c.get(url).status_code == 200
    response = c.post(url, edit_data(ellis, forename="Elspeth", nhs_number=NHS, disabilities="LD"))
    assert response.status_code == 302
    ellis.refresh_from_db()
    assert (ellis.forename, ellis.nhs_number, ellis.version) == ("Elspeth", NHS, 2)
    assert list(ellis.disabilities.values_list("code", flat=True)) == ["LD"]
    assert PersonName.objects.get(person=ellis, kind="legal").forename == "Elspeth"
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, person_id=str(ellis.pk)).get()
    assert event.changes["forename"] == ["Ellis", "Elspeth"]


@pytest.mark.parametrize("role", ["business_support", "auditor", "partner_agency"])
def test_edit_details_refused_to_those_who_do_not_record_casework(
    role: str, make_user: Callable[..., User], client_for: Client
) -> None:
    ellis = make_person()
    c = client_for(make_user(role))
    url = reverse("people:edit", args=[ellis.pk])
    assert c.get(url).status_code == 403
    assert c.post(url, edit_data(ellis, forename="Changed")).status_code == 403
    ellis.refresh_from_db()
    assert ellis.forename == "Ellis"


def test_edit_refuses_bad_details_and_changes_nothing(
    social_worker: User, client_for: Client
) -> None:
    ellis = make_person()
    response = client_for(social_worker).post(
        reverse("people:edit", args=[ellis.pk]),
        edit_data(ellis, forename="Changed", nhs_number="1234567890"),
    )
    assert response.status_code == 200
    assert "Enter a valid NHS number" in page(response)
    ellis.refresh_from_db()
    assert (ellis.forename, ellis.nhs_number, ellis.version) == ("Ellis", "", 1)


def test_edit_detects_a_concurrent_change(social_worker: User, client_for: Client) -> None:
    ellis = make_person()
    stale = edit_data(ellis, forename="Mine")
    services.person_update(
        actor=social_worker, person=ellis, data={"surname": "Theirs"}, expected_version=1
    )
    response = client_for(social_worker).post(reverse("people:edit", args=[ellis.pk]), stale)
    assert response.status_code == 200
    assert "Someone else changed this record while you were editing it" in page(response)
    ellis.refresh_from_db()
    assert (ellis.forename, ellis.surname) == ("Ellis", "Theirs")


def test_add_another_name(social_worker: User, client_for: Client) -> None:
    ellis = make_person()
    url = reverse("people:name-add", args=[ellis.pk])
    c = client_for(social_worker)
    assert c.get(url).status_code == 200
    response = c.post(url, {"kind": "alias", "forename": "Elle", "surname": "Rook"})
    assert response.status_code == 302
    assert ellis.names.filter(kind="alias", forename="Elle", surname="Rook").exists()


def test_add_another_name_refuses_bad_input_and_the_wrong_roles(
    make_user: Callable[..., User], social_worker: User, client_for: Client
) -> None:
    ellis = make_person()
    url = reverse("people:name-add", args=[ellis.pk])
    data = {
        "kind": "previous",
        "forename": "Ellis",
        "surname": "Brook",
        "from_date_day": "1",
        "from_date_month": "1",
        "from_date_year": "2020",
        "to_date_day": "1",
        "to_date_month": "1",
        "to_date_year": "2019",
    }
    response = client_for(social_worker).post(url, data)
    assert "The date the name ended must be after it started" in page(response)
    response = client_for(social_worker).post(url, {"kind": "alias"})
    assert "Enter a forename or a surname" in page(response)
    assert client_for(make_user("business_support")).post(url, data).status_code == 403
    assert ellis.names.count() == 1  # the legal name only


def test_add_an_address_ends_the_current_one(social_worker: User, client_for: Client) -> None:
    ellis = make_person()
    services.address_add(
        actor=social_worker,
        person=ellis,
        line_1="4 Tern Walk",
        postcode="LS1 4AP",
        start_date=dt.date(2019, 5, 1),
    )
    url = reverse("people:address-add", args=[ellis.pk])
    c = client_for(social_worker)
    assert c.get(url).status_code == 200
    response = c.post(
        url,
        {
            "kind": "home",
            "line_1": "9 Heron Court",
            "town": "Leeds",
            "postcode": "ls27ee",
            "start_date_day": "1",
            "start_date_month": "8",
            "start_date_year": "2022",
        },
    )
    assert response.status_code == 302
    old, new = ellis.addresses.order_by("start_date")
    assert old.end_date == dt.date(2022, 7, 31) and new.end_date is None
    assert new.postcode == "LS2 7EE"


def test_add_an_address_refuses_bad_input_and_the_wrong_roles(
    make_user: Callable[..., User], social_worker: User, client_for: Client
) -> None:
    ellis = make_person()
    url = reverse("people:address-add", args=[ellis.pk])
    data = {
        "kind": "home",
        "line_1": "9 Heron Court",
        "postcode": "LS2 7EE",
        "start_date_day": "1",
        "start_date_month": "1",
        "start_date_year": str(timezone.localdate().year + 1),
    }
    response = client_for(social_worker).post(url, data)
    assert "The date they moved in must be today or in the past" in page(response)
    response = client_for(social_worker).post(url, {**data, "postcode": "LS2 7E"})
    assert "Enter a full UK postcode, like SW1A 1AA" in page(response)
    assert client_for(make_user("auditor")).post(url, data).status_code == 403
    assert not ellis.addresses.exists()


# --- relationships -------------------------------------------------------------------------------


def test_add_a_relationship_finds_the_other_person_then_records_both_sides(
    social_worker: User, client_for: Client
) -> None:
    child = make_person()
    mother = make_person(forename="Dana", surname="Marsh", date_of_birth=dt.date(1988, 1, 2))
    url = reverse("people:relationship-add", args=[child.pk])
    c = client_for(social_worker)
    body = page(c.get(url, {"q": "Dana"}))
    assert f"{url}?other={mother.pk}" in body
    assert f"?other={child.pk}" not in body  # never the person themselves
    body = page(c.get(url, {"other": mother.pk}))
    assert "What is Dana Marsh to Ellis Marsh?" in body
    response = c.post(
        f"{url}?other={mother.pk}",
        {"kind": "mother", "parental_responsibility": "on", "lives_with": "on"},
    )
    assert response.status_code == 302
    forward = Relationship.objects.get(from_person=mother, to_person=child)
    backward = Relationship.objects.get(from_person=child, to_person=mother)
    assert (forward.kind, backward.kind) == ("mother", "child")
    assert forward.parental_responsibility and forward.lives_with
    assert forward.inverse_id == backward.pk


def test_add_a_relationship_refuses_bad_input_and_changes_nothing(
    social_worker: User, client_for: Client
) -> None:
    child = make_person()
    friend = make_person(forename="Jo", surname="Vale")
    url = f"{reverse('people:relationship-add', args=[child.pk])}?other={friend.pk}"
    c = client_for(social_worker)
    response = c.post(url, {"kind": "friend", "parental_responsibility": "on"})
    assert "Only a parent, relative or carer can hold parental responsibility" in page(response)
    response = c.post(
        url,
        {
            "kind": "friend",
            "start_date_day": "1",
            "start_date_month": "1",
            "start_date_year": "2022",
            "end_date_day": "1",
            "end_date_month": "1",
            "end_date_year": "2021",
        },
    )
    assert "The end date must be after the start date" in page(response)
    response = c.post(url, {"kind": ""})
    assert "Select the relationship" in page(response)
    assert not Relationship.objects.exists()


def test_add_a_relationship_refused_for_hidden_people_and_the_wrong_roles(
    make_user: Callable[..., User], social_worker: User, client_for: Client
) -> None:
    child = make_person()
    hidden = restrict(make_person(forename="Secret"), make_user("team_manager"))
    url = reverse("people:relationship-add", args=[child.pk])
    c = client_for(social_worker)
    body = page(c.get(url, {"q": "Secret"}))
    assert f"?other={hidden.pk}" not in body and "No records match" in body
    assert c.get(url, {"other": hidden.pk}).status_code == 404
    assert c.post(f"{url}?other={hidden.pk}", {"kind": "sibling"}).status_code == 404
    assert client_for(make_user("business_support")).get(url).status_code == 403
    assert not Relationship.objects.exists()


def test_end_a_relationship_ends_both_sides(social_worker: User, client_for: Client) -> None:
    child = make_person()
    mother = make_person(forename="Dana")
    forward = services.relationship_add(
        actor=None, from_person=mother, to_person=child, kind="mother", lives_with=True
    )
    own = forward.inverse  # the child's side, as linked from the child's page
    body = page(
        client_for(social_worker).get(reverse("people:detail", args=[child.pk]) + "?tab=details")
    )
    url = reverse("people:relationship-end", args=[own.pk])
    assert url in body
    c = client_for(social_worker)
    assert c.get(url).status_code == 200
    response = c.post(
        url,
        {
            "end_date_day": "3",
            "end_date_month": "3",
            "end_date_year": "2024",
            "version": str(own.version),
        },
    )
    assert response.status_code == 302
    assert set(Relationship.objects.values_list("end_date", flat=True)) == {dt.date(2024, 3, 3)}
    assert not Relationship.objects.filter(lives_with=True).exists()
    assert c.get(url).status_code == 404  # already ended


def test_end_a_relationship_refuses_bad_input_and_the_wrong_people(
    make_user: Callable[..., User], social_worker: User, client_for: Client
) -> None:
    child = make_person()
    mother = make_person(forename="Dana")
    forward = services.relationship_add(
        actor=None, from_person=mother, to_person=child, kind="mother"
    )
    url = reverse("people:relationship-end", args=[forward.inverse_id])
    future = str(timezone.localdate().year + 1)
    response = client_for(social_worker).post(
        url, {"end_date_day": "1", "end_date_month": "1", "end_date_year": future}
    )
    assert "The date the relationship ended must be today or in the past" in page(response)
    assert client_for(make_user("business_support")).get(url).status_code == 403
    restrict(child, make_user("team_manager"))
    assert client_for(social_worker).get(url).status_code == 404
    assert not Relationship.objects.filter(end_date__isnull=False).exists()


# --- merge ---------------------------------------------------------------------------------------


def _duplicates() -> tuple[Person, Person]:
    kept = make_person(nhs_number=NHS)
    duplicate = make_person(forename="Elis", nhs_number=NHS)
    return kept, duplicate


def test_merge_page_offers_likely_duplicates_with_reasons(
    make_user: Callable[..., User], client_for: Client
) -> None:
    kept, duplicate = _duplicates()
    unrelated = make_person(forename="Jordan", surname="Vale", date_of_birth=dt.date(2001, 1, 1))
    response = client_for(make_user("team_manager")).get(reverse("people:merge", args=[kept.pk]))
    body = page(response)
    assert response.status_code == 200
    assert f"?duplicate={duplicate.pk}" in body
    assert f"?duplicate={kept.pk}" not in body and f"?duplicate={unrelated.pk}" not in body
    assert "NHS number" in body


def test_merge_refused_to_social_workers(social_worker: User, client_for: Client) -> None:
    kept, duplicate = _duplicates()
    url = reverse("people:merge", args=[kept.pk])
    c = client_for(social_worker)
    assert c.get(url).status_code == 403
    assert c.post(f"{url}?duplicate={duplicate.pk}", {"reason": "Same NHS"}).status_code == 403
    assert not PersonMerge.objects.exists()


def test_merge_needs_a_reason_and_then_the_duplicate_opens_the_kept_record(
    make_user: Callable[..., User], social_worker: User, client_for: Client
) -> None:
    kept, duplicate = _duplicates()
    manager = make_user("team_manager")
    url = f"{reverse('people:merge', args=[kept.pk])}?duplicate={duplicate.pk}"
    c = client_for(manager)
    body = page(c.get(url))
    assert "Are these the same person?" in body and duplicate.child_id in body
    response = c.post(url, {"reason": ""})
    assert "Enter why these records are the same person" in page(response)
    assert not PersonMerge.objects.exists()

    response = c.post(url, {"reason": "Same NHS number and date of birth"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == kept.pk
    response = client_for(social_worker).get(reverse("people:detail", args=[duplicate.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[kept.pk])
    body = page(client_for(manager).get(reverse("people:detail", args=[kept.pk]) + "?tab=details"))
    assert "Merge history" in body and "Same NHS number and date of birth" in body
    assert reverse("people:merge-undo", args=[PersonMerge.objects.get().pk]) in body


def test_undo_a_merge_from_the_kept_records_history(
    make_user: Callable[..., User], social_worker: User, client_for: Client
) -> None:
    from hearth.people.merging import merge_people

    kept, duplicate = _duplicates()
    manager = make_user("team_manager")
    merge = merge_people(actor=manager, kept=kept, merged=duplicate, reason="Same NHS number")
    url = reverse("people:merge-undo", args=[merge.pk])
    assert client_for(social_worker).post(url).status_code == 403
    c = client_for(manager)
    assert c.get(url).status_code == 200
    response = c.post(url)
    assert response.status_code == 302
    merge.refresh_from_db()
    duplicate.refresh_from_db()
    assert merge.undone_at is not None and duplicate.merged_into_id is None
    assert (
        client_for(social_worker).get(reverse("people:detail", args=[duplicate.pk])).status_code
        == 200
    )
    assert client_for(manager).get(url).status_code == 404  # nothing left to undo


def test_family_groups_join_and_leave(
    social_worker: User, make_user: Callable[..., User], client_for: Client
) -> None:
    from hearth.people.models import FamilyMembership
    from hearth.people.services import person_create, relationship_add

    mum = person_create(
        actor=social_worker, data={"forename": "Kay", "surname": "Famtest", "sex": "F"}
    )
    kid = person_create(actor=social_worker, data={"forename": "Lu", "surname": "Famtest"})
    relationship_add(actor=social_worker, from_person=mum, to_person=kid, kind="mother")
    url = reverse("people:family-join", args=[kid.pk])
    assert (
        client_for(make_user("performance_analyst")).post(url, {"new_name": "X"}).status_code == 403
    )
    client = client_for(social_worker)
    refused = client.post(url, {})
    assert "Choose a family group, or name a new one" in refused.content.decode()
    assert not FamilyMembership.objects.exists()
    assert (
        client.post(url, {"new_name": "Famtest household", "with_people": [mum.pk]}).status_code
        == 302
    )
    assert set(FamilyMembership.objects.values_list("person_id", flat=True)) == {kid.pk, mum.pk}
    membership = FamilyMembership.objects.get(person=kid)
    leave = reverse("people:family-leave", args=[membership.pk])
    assert client.post(leave).status_code == 302
    membership.refresh_from_db()
    assert membership.end_date is not None
