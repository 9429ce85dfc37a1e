"""People over the API: search, one record, create; who may do which; the schema and its docs."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from hearth.core.models import AuditEvent, User
from hearth.core.tests.api_client import Api, api_for
from hearth.people import services
from hearth.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date
NHS = "9434765919"  # a valid synthetic test NHS number


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    return lambda user: api_for(client, user, "Test system")


def person(**data: Any) -> Person:
    return services.person_create(actor=None, data=data)


def restrict(person: Person, actor: User) -> Person:
    return services.restriction_set(
        actor=actor,
        person=person,
        restricted=True,
        reason="A member of staff's relative",
        named_staff=[],
        expected_version=None,
    )


# --- search --------------------------------------------------------------------------------------


def test_name_search_finds_by_name_and_child_id_without_scores_or_audit(
    api: Callable[[User], Api], social_worker: User
) -> None:
    ava = person(forename="Ava", surname="Testchild", date_of_birth=D(2016, 3, 4))
    person(forename="Ben", surname="Otherchild", date_of_birth=D(2015, 1, 2))
    caller = api(social_worker)

    by_name = caller.get("/api/people/", {"q": "ava testchild"})
    by_id = caller.get("/api/people/", {"q": ava.child_id.lower()})

    assert by_name.status_code == 200
    assert by_name.json()["count"] == 1
    [row] = by_name.json()["results"]
    assert row["id"] == ava.pk and row["child_id"] == ava.child_id
    assert row["forename"] == "Ava" and row["date_of_birth"] == "2016-03-04"
    assert row["sex"] == "U"
    assert row["names"] == [
        {
            "kind": "legal",
            "forename": "Ava",
            "surname": "Testchild",
            "from_date": None,
            "to_date": None,
        }
    ]
    assert row["score"] is None and row["reasons"] == []
    assert [r["id"] for r in by_id.json()["results"]] == [ava.pk]
    assert not AuditEvent.objects.filter(action="view").exists()  # searches are not views


def test_details_search_uses_matching_with_scores_and_reasons(
    api: Callable[[User], Api], social_worker: User
) -> None:
    ava = person(forename="Ava", surname="Testchild", date_of_birth=D(2016, 3, 4), nhs_number=NHS)
    person(forename="Ava", surname="Different", date_of_birth=D(2011, 7, 8))

    response = api(social_worker).get(
        "/api/people/", {"q": "Ava Testchild", "nhs_number": "943 476 5919"}
    )

    assert response.status_code == 200
    best = response.json()["results"][0]
    assert best["id"] == ava.pk
    assert best["score"] > 95
    assert "Same NHS number" in best["reasons"]


def test_search_leaves_out_restricted_records_unless_named(
    api: Callable[[User], Api], make_user: Callable[..., User]
) -> None:
    named, other = make_user("social_worker"), make_user("social_worker")
    hidden = restrict(
        person(forename="Cara", surname="Hiddenchild", date_of_birth=D(2014, 2, 2)), named
    )

    for params in ({"q": "Hiddenchild"}, {"q": "Cara Hiddenchild", "date_of_birth": "2014-02-02"}):
        assert api(other).get("/api/people/", params).json()["results"] == []
        assert [r["id"] for r in api(named).get("/api/people/", params).json()["results"]] == [
            hidden.pk
        ]


def test_search_is_refused_without_view_permission_or_token(
    api: Callable[[User], Api], make_user: Callable[..., User], client: Client
) -> None:
    person(forename="Ava", surname="Testchild")
    assert api(make_user("partner_agency")).get("/api/people/", {"q": "Ava"}).status_code == 403
    assert client.get("/api/people/", {"q": "Ava"}).status_code == 401


def test_search_errors_are_given_per_field(api: Callable[[User], Api], social_worker: User) -> None:
    caller = api(social_worker)

    empty = caller.get("/api/people/")
    bad = caller.get(
        "/api/people/",
        {"nhs_number": "9434765918", "postcode": "not a postcode", "date_of_birth": "4/3/2016"},
    )

    assert empty.status_code == 400 and list(empty.json()) == ["q"]
    assert bad.status_code == 400
    assert set(bad.json()) == {"nhs_number", "postcode", "date_of_birth"}
    assert "last digit" in bad.json()["nhs_number"][0]


# --- one record ----------------------------------------------------------------------------------


def test_record_has_names_addresses_disabilities_relationships_and_the_view_is_logged(
    api: Callable[[User], Api], social_worker: User
) -> None:
    ava = services.person_create(
        actor=None,
        data={"forename": "Ava", "surname": "Testchild", "date_of_birth": D(2016, 3, 4)},
        disabilities=["AUT", "COMM"],
    )
    mother = person(forename="Dana", surname="Testchild", sex="F")
    services.address_add(
        actor=social_worker,
        person=ava,
        line_1="1 Example Street",
        town="Exampletown",
        postcode="sw1a1aa",
        start_date=D(2020, 1, 1),
    )
    services.relationship_add(
        actor=social_worker,
        from_person=mother,
        to_person=ava,
        kind="mother",
        parental_responsibility=True,
        lives_with=True,
    )

    response = api(social_worker).get(f"/api/people/{ava.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["child_id"] == ava.child_id and body["surname"] == "Testchild"
    assert [n["kind"] for n in body["names"]] == ["legal"]
    assert [(a["line_1"], a["postcode"], a["end_date"]) for a in body["addresses"]] == [
        ("1 Example Street", "SW1A 1AA", None)
    ]
    assert body["disabilities"] == ["AUT", "COMM"]
    [relationship] = body["relationships"]
    assert relationship["related_person_id"] == mother.pk
    assert relationship["kind"] == "mother"
    assert relationship["parental_responsibility"] is True
    assert AuditEvent.objects.filter(
        action="view", actor=social_worker, person_id=str(ava.pk), object_id=str(ava.pk)
    ).exists()
    # The mother's record shows the same relationship from her side.
    mothers = api(social_worker).get(f"/api/people/{mother.pk}/").json()
    assert [(r["related_person_id"], r["kind"]) for r in mothers["relationships"]] == [
        (ava.pk, "child")
    ]


def test_restricted_record_is_not_found_for_staff_not_named_and_the_attempt_is_logged(
    api: Callable[[User], Api], make_user: Callable[..., User]
) -> None:
    named, other = make_user("social_worker"), make_user("social_worker")
    hidden = restrict(person(forename="Cara", surname="Hiddenchild"), named)

    assert api(named).get(f"/api/people/{hidden.pk}/").status_code == 200
    assert api(other).get(f"/api/people/{hidden.pk}/").status_code == 404
    assert AuditEvent.objects.filter(
        action="access_denied", actor=other, person_id=str(hidden.pk)
    ).exists()
    assert not AuditEvent.objects.filter(action="view", actor=other).exists()


def test_record_is_refused_without_permission_token_or_record(
    api: Callable[[User], Api], make_user: Callable[..., User], client: Client
) -> None:
    ava = person(forename="Ava", surname="Testchild")
    assert api(make_user("partner_agency")).get(f"/api/people/{ava.pk}/").status_code == 403
    assert api(make_user("social_worker")).get("/api/people/999999/").status_code == 404
    assert client.get(f"/api/people/{ava.pk}/").status_code == 401


# --- create --------------------------------------------------------------------------------------


def test_create_returns_the_new_record(api: Callable[[User], Api], social_worker: User) -> None:
    response = api(social_worker).post(
        "/api/people/",
        {
            "forename": " Ava ",
            "surname": "Testchild",
            "date_of_birth": "2016-03-04",
            "sex": "F",
            "ethnicity": "WBRI",
            "nhs_number": "943 476 5919",
            "upn_unknown": "UN4",
            "first_language": "English",
            "disabilities": ["AUT"],
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    created = Person.objects.get()
    assert body["id"] == created.pk and body["child_id"] == created.child_id
    assert response["Location"] == f"/api/people/{created.pk}/"
    assert (created.forename, created.nhs_number, created.sex) == ("Ava", NHS, "F")
    assert body["disabilities"] == ["AUT"]
    assert body["names"][0]["kind"] == "legal"
    assert AuditEvent.objects.filter(
        action="create", actor=social_worker, person_id=str(created.pk)
    ).exists()


def test_create_offers_likely_existing_records_first(
    api: Callable[[User], Api], social_worker: User
) -> None:
    body = {"forename": "Ava", "surname": "Testchild", "date_of_birth": "2016-03-04"}
    assert api(social_worker).post("/api/people/", body).status_code == 201
    again = api(social_worker).post("/api/people/", {**body, "forename": "Eva"})
    assert again.status_code == 409
    matches = again.json()["possible_matches"]
    assert matches[0]["forename"] == "Ava" and matches[0]["reasons"]
    assert Person.objects.count() == 1
    confirmed = api(social_worker).post(
        "/api/people/", {**body, "forename": "Eva", "not_a_duplicate": True}
    )
    assert confirmed.status_code == 201
    assert Person.objects.count() == 2


def test_create_is_refused_without_edit_permission_or_token(
    api: Callable[[User], Api], make_user: Callable[..., User], client: Client
) -> None:
    body = {"forename": "Ava", "surname": "Testchild"}
    assert api(make_user("business_support")).post("/api/people/", body).status_code == 403
    assert api(make_user("partner_agency")).post("/api/people/", body).status_code == 403
    assert (
        client.post("/api/people/", json.dumps(body), content_type="application/json").status_code
        == 401
    )
    assert not Person.objects.exists()


def test_create_gives_shape_errors_per_field_and_saves_nothing(
    api: Callable[[User], Api], social_worker: User
) -> None:
    response = api(social_worker).post(
        "/api/people/",
        {"forename": "Ava", "sex": "X", "date_of_birth": "yesterday", "disabilities": ["ZZZ"]},
    )

    assert response.status_code == 400
    assert set(response.json()) == {"surname", "sex", "date_of_birth", "disabilities"}
    assert not Person.objects.exists()


def test_create_gives_the_services_errors_per_field_and_saves_nothing(
    api: Callable[[User], Api], social_worker: User
) -> None:
    caller = api(social_worker)
    checks = caller.post(
        "/api/people/",
        {
            "surname": "Testchild",
            "nhs_number": "9434765918",
            "date_of_birth": "2016-03-04",
            "date_of_death": "2015-01-01",
        },
    )
    disabilities = caller.post(
        "/api/people/", {"surname": "Testchild", "disabilities": ["NONE", "AUT"]}
    )

    assert checks.status_code == 400
    assert set(checks.json()) == {"nhs_number", "date_of_death"}
    assert checks.json()["date_of_death"] == ["Date of death must be on or after the date of birth"]
    assert disabilities.status_code == 400
    assert disabilities.json() == {
        "disabilities": ["Select no disability, or the disabilities, not both"]
    }
    assert not Person.objects.exists()


# --- the description ----------------------------------------------------------------------------


def test_schema_describes_every_people_and_contact_endpoint(
    client: Client, social_worker: User
) -> None:
    client.force_login(social_worker)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert set(paths["/api/people/"]) == {"get", "post"}
    assert set(paths["/api/people/{id}/"]) == {"get"}
    assert set(paths["/api/contacts/"]) == {"get", "post"}
    assert set(paths["/api/contacts/{id}/"]) == {"get"}
    create = paths["/api/people/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PersonCreate"
    )
    assert {"201", "400", "401", "403"} <= set(create["responses"])
    components = schema["components"]["schemas"]
    assert {"score", "reasons"} <= set(components["PersonSearchResult"]["properties"])
    assert "referrer" in components["ContactCreate"]["properties"]


def test_docs_page_lists_the_endpoints_without_outside_scripts(
    client: Client, social_worker: User
) -> None:
    assert client.get("/api/docs/").status_code == 302  # signed out: to the sign-in page
    client.force_login(social_worker)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    for endpoint in ("GET /api/people/", "POST /api/contacts/", "GET /api/contacts/{id}/"):
        assert endpoint in page
    assert 'id="schema-PersonCreate"' in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page)  # no CDN assets
