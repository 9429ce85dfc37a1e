"""Finding likely existing records: ranking, reasons, and who may be offered which record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from hearth.core.models import User
from hearth.people import services
from hearth.people.codes import NameKind
from hearth.people.matching import Candidate, dob_typos, find_matches, similarity
from hearth.people.merging import merge_people
from hearth.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date
# Valid synthetic NHS numbers (the 999 range is never issued to a real patient).
NHS_A, NHS_B = "9990001235", "9990002045"


def person(**data: Any) -> Person:
    return services.person_create(actor=None, data=data)


@pytest.fixture
def viewer(social_worker: User) -> User:
    return social_worker


def test_an_alias_is_found_and_named_in_the_reasons(viewer: User) -> None:
    kelly = person(forename="Kelly", surname="Brown", date_of_birth=D(2012, 5, 1))
    services.name_add(
        actor=viewer, person=kelly, kind=NameKind.ALIAS, forename="Kelly", surname="Okafor"
    )
    person(forename="Kelly", surname="Okonjo", date_of_birth=D(2009, 1, 9))

    [best, *_] = find_matches(viewer, Candidate(forename="Kelly", surname="Okafor"))

    assert best.person == kelly
    assert best.reasons == ["Same surname: Okafor (alias)", "Same forename"]


def test_a_similar_alias_says_which_name_matched(viewer: User) -> None:
    john = person(forename="John", surname="Smith", date_of_birth=D(2014, 2, 3))
    services.name_add(
        actor=viewer, person=john, kind=NameKind.ALIAS, forename="Johnny", surname="Smyth"
    )
    [match] = find_matches(
        viewer, Candidate(forename="Johnny", surname="Smythe", date_of_birth=D(2014, 2, 3))
    )
    assert match.reasons == [
        "Same date of birth",
        "Similar surname: Smyth (alias)",
        "Same forename: Johnny (alias)",
    ]
    assert match.score >= 95


def test_previous_and_preferred_names_are_named_by_kind(viewer: User) -> None:
    amy = person(forename="Amelia", surname="Hart", date_of_birth=D(2010, 8, 8))
    services.name_add(
        actor=viewer, person=amy, kind=NameKind.PREVIOUS, forename="Amelia", surname="Price"
    )
    services.name_add(actor=viewer, person=amy, kind=NameKind.PREFERRED, forename="Amy", surname="")
    [match] = find_matches(viewer, Candidate(forename="Amy", surname="Price"))
    assert match.reasons == [
        "Same surname: Price (previous name)",
        "Same forename: Amy (preferred name)",
    ]


def test_a_same_nhs_number_outranks_a_same_name(viewer: User) -> None:
    same_name = person(forename="Sam", surname="Jones", date_of_birth=D(2011, 4, 4))
    same_nhs = person(forename="Sam", surname="Ellis", nhs_number=NHS_A)

    matches = find_matches(viewer, Candidate(forename="Sam", surname="Jones", nhs_number=NHS_A))

    assert [m.person for m in matches] == [same_nhs, same_name]
    assert matches[0].reasons[0] == "Same NHS number"
    assert "Different surname" in matches[0].reasons
    assert matches[0].score > matches[1].score


def test_a_different_nhs_number_counts_against(viewer: User) -> None:
    twin = person(forename="Sam", surname="Jones", date_of_birth=D(2011, 4, 4), nhs_number=NHS_B)
    [match] = find_matches(
        viewer,
        Candidate(forename="Sam", surname="Jones", date_of_birth=D(2011, 4, 4), nhs_number=NHS_A),
    )
    assert match.person == twin
    assert match.reasons[0] == "Different NHS number"
    assert match.score < 50


def test_nhs_number_is_matched_however_it_is_typed(viewer: User) -> None:
    same_nhs = person(forename="Ada", surname="Lowe", nhs_number=NHS_A)
    [match] = find_matches(viewer, Candidate(nhs_number="999 000 1235"))
    assert match.person == same_nhs
    assert match.reasons == ["Same NHS number"]
    assert match.score >= 95


def test_a_date_of_birth_with_day_and_month_swapped_is_found(viewer: User) -> None:
    lily = person(forename="Lily", surname="Evans", date_of_birth=D(2015, 3, 7))
    [match] = find_matches(
        viewer, Candidate(forename="Lily", surname="Evans", date_of_birth=D(2015, 7, 3))
    )
    assert match.person == lily
    assert "Date of birth with day and month swapped: 7 March 2015" in match.reasons


def test_a_date_of_birth_one_digit_out_is_found_with_a_misspelt_surname(viewer: User) -> None:
    # "Avans" has another phonetic key than "Evans": only the date of birth typo search finds it.
    lily = person(forename="Lily", surname="Evans", date_of_birth=D(2015, 3, 17))
    [match] = find_matches(
        viewer, Candidate(forename="Lily", surname="Avans", date_of_birth=D(2015, 3, 27))
    )
    assert match.person == lily
    assert "Date of birth one digit different: 17 March 2015" in match.reasons


def test_exact_beats_typo_beats_different_date_of_birth(viewer: User) -> None:
    exact = person(forename="Noah", surname="Green", date_of_birth=D(2016, 1, 2))
    swapped = person(forename="Noah", surname="Green", date_of_birth=D(2016, 2, 1))
    other = person(forename="Noah", surname="Green", date_of_birth=D(2005, 9, 30))
    matches = find_matches(
        viewer, Candidate(forename="Noah", surname="Green", date_of_birth=D(2016, 1, 2))
    )
    assert [m.person for m in matches] == [exact, swapped, other]
    assert "Different date of birth: 30 September 2005" in matches[2].reasons


def test_same_postcode_on_a_current_or_past_address(viewer: User) -> None:
    mo = person(forename="Mo", surname="Patel")
    services.address_add(
        actor=viewer, person=mo, line_1="1 High St", postcode="LS1 4AP", start_date=D(2020, 1, 1)
    )
    services.address_add(
        actor=viewer, person=mo, line_1="2 Low Rd", postcode="M1 1AE", start_date=D(2022, 1, 1)
    )
    [past] = find_matches(viewer, Candidate(surname="Patel", postcode="ls14ap"))
    [current] = find_matches(viewer, Candidate(postcode="m1 1ae"))
    assert past.reasons == ["Same surname", "Same postcode: LS1 4AP (past address)"]
    assert current.person == mo
    assert current.reasons == ["Same postcode: M1 1AE (current address)"]


def test_a_misspelt_forename_with_the_same_initial_is_found(viewer: User) -> None:
    olivia = person(forename="Olivia", surname="Turner")
    [match] = find_matches(viewer, Candidate(forename="Oliwia", surname="Turner"))
    assert match.person == olivia
    assert match.reasons == ["Same surname", "Similar forename: Olivia"]


def test_restricted_records_are_offered_only_to_named_staff(
    make_user: Callable[..., User],
) -> None:
    named, unnamed = make_user("social_worker"), make_user("social_worker")
    hidden = person(forename="Rosa", surname="Quinn", date_of_birth=D(2013, 6, 6), nhs_number=NHS_A)
    services.restriction_set(
        actor=named,
        person=hidden,
        restricted=True,
        reason="Relative of a member of staff",
        named_staff=[],
        expected_version=None,
    )
    candidate = Candidate(forename="Rosa", surname="Quinn", nhs_number=NHS_A)
    assert find_matches(unnamed, candidate) == []
    assert [m.person for m in find_matches(named, candidate)] == [hidden]


def test_staff_without_access_to_case_records_are_offered_nothing(
    make_user: Callable[..., User],
) -> None:
    person(forename="Rosa", surname="Quinn")
    assert find_matches(make_user("performance_analyst"), Candidate(surname="Quinn")) == []


def test_merged_away_records_and_the_excluded_record_are_not_offered(viewer: User) -> None:
    kept = person(forename="Tom", surname="Reed", date_of_birth=D(2012, 12, 12))
    merged = person(forename="Tom", surname="Reed", date_of_birth=D(2012, 12, 12))
    merge_people(actor=viewer, kept=kept, merged=merged, reason="Same child, entered twice")
    candidate = Candidate(forename="Tom", surname="Reed", date_of_birth=D(2012, 12, 12))

    assert [m.person for m in find_matches(viewer, candidate)] == [kept]
    assert find_matches(viewer, candidate, exclude=kept.pk) == []


def test_limit_keeps_the_best(viewer: User) -> None:
    for day in range(1, 6):
        person(forename="Ben", surname="Hall", date_of_birth=D(2010, 1, day))
    matches = find_matches(
        viewer, Candidate(forename="Ben", surname="Hall", date_of_birth=D(2010, 1, 3)), limit=2
    )
    assert len(matches) == 2
    assert matches[0].person.date_of_birth == D(2010, 1, 3)
    assert find_matches(viewer, Candidate()) == []


def test_a_search_costs_a_bounded_number_of_queries(
    viewer: User, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        person(forename=f"Child{'abcdefghij'[i % 10]}", surname="Ward", date_of_birth=D(2010, 1, 1))
    candidate = Candidate(
        forename="Childa", surname="Ward", date_of_birth=D(2010, 1, 1), nhs_number=NHS_A,
        postcode="LS1 4AP",
    )  # fmt: skip
    viewer.has_perm("core.view_case_records")  # permissions are cached once per request
    # Six retrieval queries, three scoring queries (people, names, addresses), one to load.
    with django_assert_max_num_queries(10):
        assert len(find_matches(viewer, candidate, limit=50)) == 30


def test_date_of_birth_typos() -> None:
    typos = dob_typos(D(2015, 3, 7))
    assert typos[D(2015, 7, 3)] == "swapped"
    assert typos[D(2015, 3, 1)] == typos[D(2016, 3, 7)] == typos[D(2015, 8, 7)] == "one digit"
    assert D(2015, 3, 7) not in typos
    assert all(D(1900, 1, 1) <= day <= dt.date.today() for day in typos)
    assert D(2015, 12, 12) not in dob_typos(D(2015, 12, 12))  # swapping changes nothing


@pytest.mark.parametrize(
    ("a", "b", "exact", "at_least"),
    [
        ("O'Brien", "obrien", True, 1.0),
        ("Zoë", "Zoe", True, 1.0),
        ("Smith-Jones", "Jones", False, 0.9),
        ("Alex", "Alexander", False, 0.88),
    ],
)
def test_name_similarity(a: str, b: str, exact: bool, at_least: float) -> None:
    same, score = similarity(a, b, prefix=True)
    assert same is exact
    assert score >= at_least
