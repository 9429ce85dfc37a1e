"""People services: child IDs, date and identifier checks, names, addresses, reciprocal
relationships, families and restriction. Each write is one audit event tied to the person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hearth.core.choices import AuditAction
from hearth.core.models import AuditEvent, Council, User
from hearth.core.services import ConcurrentEditError
from hearth.people import services
from hearth.people.models import (
    Address,
    FamilyMembership,
    IdentifierSequence,
    Person,
    PersonName,
    Relationship,
)
from hearth.people.policies import persons_visible_to

pytestmark = pytest.mark.django_db
NHS = "9434765919"
TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)


def create(**fields: Any) -> Person:
    data = {
        "forename": "Ellis",
        "surname": "Marsh",
        "date_of_birth": dt.date(2015, 3, 27),
        **fields,
    }
    disabilities = data.pop("disabilities", ())
    return services.person_create(actor=None, data=data, disabilities=disabilities)


def refusal(call: Callable[[], Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- child IDs -----------------------------------------------------------------------------------


def test_child_ids_come_from_a_sequence_and_are_never_reused() -> None:
    first, second = create(), create(forename="Ari")
    assert first.child_id == "H00000001" and second.child_id == "H00000002"
    second.delete()
    third = create(forename="Bo")
    assert third.child_id == "H00000003"  # the deleted record's ID is not issued again
    assert IdentifierSequence.objects.get(name="child_id").last_value == 3
    assert len(set(Person.objects.values_list("child_id", flat=True))) == 2


def test_child_ids_carry_the_councils_la_code() -> None:
    Council.objects.create(name="Northshire", la_code="931", population_0_17=50000)
    assert create().child_id == "93100000001"


def test_a_refused_person_uses_no_child_id() -> None:
    with pytest.raises(ValidationError):
        create(date_of_birth=TOMORROW)
    assert create().child_id == "H00000001"


# --- details checked -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"date_of_birth": TOMORROW},
            "date_of_birth",
            "Date of birth must be today or in the past",
        ),
        (
            {"date_of_death": TOMORROW},
            "date_of_death",
            "Date of death must be today or in the past",
        ),
        (
            {"date_of_death": dt.date(2015, 3, 26)},
            "date_of_death",
            "Date of death must be on or after the date of birth",
        ),
        ({"nhs_number": "9434765918"}, "nhs_number", "Enter a valid NHS number"),
        ({"upn": "B123456789012"}, "upn", "Enter a valid UPN: the check letter does not match"),
        (
            {"upn": "A123456789012", "upn_unknown": "UN1"},
            "upn_unknown",
            "Leave the UPN unknown reason empty when the UPN is known",
        ),
        ({"surname": "  "}, "surname", "Enter surname"),
        (
            {"disabilities": ["NONE", "AUT"]},
            "disabilities",
            "Select no disability, or the disabilities, not both",
        ),
    ],
)
def test_bad_details_are_refused_by_field_and_nothing_is_saved(
    fields: dict[str, Any], field: str, message: str
) -> None:
    errors = refusal(lambda: create(**fields))
    assert any(message in m for m in errors[field])
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(object_type="people.person").exists()


def test_an_unborn_child_must_have_sex_unknown() -> None:
    due = TODAY + dt.timedelta(days=60)
    errors = refusal(lambda: create(date_of_birth=None, expected_date_of_birth=due, sex="F"))
    assert errors == {"sex": ["Select unknown for an unborn child"]}
    unborn = create(forename="", date_of_birth=None, expected_date_of_birth=due, sex="U")
    assert unborn.is_unborn and unborn.full_name == "Unborn child of the Marsh family"


def test_create_normalises_identifiers_keeps_the_legal_name_and_audits() -> None:
    person = create(nhs_number="943 476 5919", upn="a123456789012", disabilities=["AUT", "HEAR"])
    assert (person.nhs_number, person.upn) == (NHS, "A123456789012")
    legal = PersonName.objects.get(person=person, kind="legal")
    assert (legal.forename, legal.surname, legal.surname_key) == ("Ellis", "Marsh", "MRX")
    assert sorted(person.disabilities.values_list("code", flat=True)) == ["AUT", "HEAR"]
    event = AuditEvent.objects.get(object_type="people.person", action=AuditAction.CREATE)
    assert event.person_id == str(person.pk)
    assert event.changes["nhs_number"] == [None, NHS]


def test_update_checks_the_version_and_records_what_changed(social_worker: User) -> None:
    person = create()
    services.person_update(
        actor=social_worker,
        person=person,
        data={"forename": "Elspeth", "surname": "Marsh"},
        expected_version=1,
        disabilities=["LD"],
    )
    person.refresh_from_db()
    assert person.version == 2
    assert PersonName.objects.get(person=person, kind="legal").forename == "Elspeth"
    event = AuditEvent.objects.get(object_type="people.person", action=AuditAction.UPDATE)
    assert event.changes["forename"] == ["Ellis", "Elspeth"]
    assert event.changes["disabilities"] == [[], ["LD"]]
    with pytest.raises(ConcurrentEditError):
        services.person_update(
            actor=social_worker, person=person, data={"forename": "Late"}, expected_version=1
        )
    person.refresh_from_db()
    assert person.forename == "Elspeth"


def test_update_refuses_a_death_before_birth(social_worker: User) -> None:
    person = create()
    errors = refusal(
        lambda: services.person_update(
            actor=social_worker,
            person=person,
            # As the edit page sends it: every field (with only the date of death, the model's
            # constraint refuses it, but without naming the field).
            data={"date_of_birth": person.date_of_birth, "date_of_death": dt.date(2010, 1, 1)},
            expected_version=None,
        )
    )
    assert errors == {"date_of_death": ["Date of death must be on or after the date of birth"]}
    person.refresh_from_db()
    assert person.date_of_death is None and person.version == 1


# --- names ---------------------------------------------------------------------------------------


def test_other_names_are_kept_with_phonetic_keys(social_worker: User) -> None:
    person = create()
    name = services.name_add(
        actor=social_worker, person=person, kind="alias", forename="Jon", surname="Smyth"
    )
    assert (name.forename_key, name.surname_key) == ("JN", "SM0")
    assert name.forename_key == services.name_key("John")
    assert AuditEvent.objects.filter(
        object_type="people.personname", person_id=str(person.pk)
    ).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "legal", "forename": "A", "surname": "B"}, "kind"),
        ({"kind": "alias", "forename": " ", "surname": ""}, "forename"),
        (
            {
                "kind": "previous",
                "forename": "A",
                "surname": "B",
                "from_date": dt.date(2020, 1, 1),
                "to_date": dt.date(2019, 1, 1),
            },
            "to_date",
        ),
    ],
)
def test_bad_names_are_refused(social_worker: User, fields: dict[str, Any], field: str) -> None:
    person = create()
    errors = refusal(lambda: services.name_add(actor=social_worker, person=person, **fields))
    assert list(errors) == [field]
    assert person.names.count() == 1


# --- addresses -----------------------------------------------------------------------------------


def test_a_new_address_ends_the_current_one_of_the_same_kind(social_worker: User) -> None:
    person = create()

    def add(line: str, start: dt.date, kind: str = "home") -> Address:
        return services.address_add(
            actor=social_worker,
            person=person,
            line_1=line,
            postcode="ls1 4ap",
            start_date=start,
            kind=kind,
        )

    first = add("4 Tern Walk", dt.date(2019, 5, 1))
    placement = add("Foster home", dt.date(2020, 1, 1), kind="placement")
    second = add("9 Heron Court", dt.date(2022, 8, 1))
    first.refresh_from_db()
    placement.refresh_from_db()
    assert first.end_date == dt.date(2022, 7, 31)
    assert second.end_date is None and second.postcode == "LS1 4AP"
    assert placement.end_date is None  # another kind: left alone
    assert (
        AuditEvent.objects.filter(
            object_type="people.address", action=AuditAction.UPDATE, person_id=str(person.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"postcode": "LS1"}, "postcode", "Enter a full UK postcode, like SW1A 1AA"),
        (
            {"start_date": TOMORROW},
            "start_date",
            "The date they moved in must be today or in the past",
        ),
        (
            {"start_date": dt.date(2019, 5, 1)},
            "start_date",
            "The current address started on 1 May 2019: the new one must start after it",
        ),
        (
            {"start_date": dt.date(2021, 5, 1), "end_date": dt.date(2021, 4, 1)},
            "end_date",
            "The date they left must be after the date they moved in",
        ),
    ],
)
def test_bad_addresses_are_refused_and_nothing_changes(
    social_worker: User, fields: dict[str, Any], field: str, message: str
) -> None:
    person = create()
    current = services.address_add(
        actor=social_worker,
        person=person,
        line_1="4 Tern Walk",
        postcode="LS1 4AP",
        start_date=dt.date(2019, 5, 1),
    )
    data = {"line_1": "9 Heron Court", "postcode": "LS2 7EE", "start_date": dt.date(2022, 1, 1)}
    data.update(fields)
    errors = refusal(lambda: services.address_add(actor=social_worker, person=person, **data))
    assert errors[field] == [message]
    current.refresh_from_db()
    assert current.end_date is None and person.addresses.count() == 1


# --- relationships -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "other_sex", "reciprocal"),
    [
        ("mother", "F", "child"),
        ("father", "M", "child"),
        ("step_parent", "U", "step_child"),
        ("sibling", "U", "sibling"),
        ("half_sibling", "U", "half_sibling"),
        ("grandparent", "U", "grandchild"),
        ("carer", "U", "cared_for"),
        ("professional", "U", "client"),
        ("household_member", "U", "household_member"),
    ],
)
def test_relationships_are_stored_in_pairs(kind: str, other_sex: str, reciprocal: str) -> None:
    a = create(forename="Dana", sex=other_sex)
    b = create(forename="Kit")
    forward = services.relationship_add(actor=None, from_person=a, to_person=b, kind=kind)
    backward = Relationship.objects.get(from_person=b, to_person=a)
    assert (forward.kind, backward.kind) == (kind, reciprocal)
    assert forward.inverse_id == backward.pk and backward.inverse_id == forward.pk
    assert Relationship.objects.count() == 2


@pytest.mark.parametrize(
    ("parent_sex", "parent_kind"), [("F", "mother"), ("M", "father"), ("U", "other_relative")]
)
def test_a_childs_parent_is_mother_or_father_by_their_sex(
    parent_sex: str, parent_kind: str
) -> None:
    child = create(forename="Kit")
    parent = create(forename="Sam", sex=parent_sex, date_of_birth=dt.date(1980, 1, 1))
    services.relationship_add(actor=None, from_person=child, to_person=parent, kind="child")
    assert Relationship.objects.get(from_person=parent, to_person=child).kind == parent_kind


def test_a_relationship_is_audited_on_both_people() -> None:
    a, b = create(forename="Dana", sex="F"), create(forename="Kit")
    services.relationship_add(actor=None, from_person=a, to_person=b, kind="mother")
    events = AuditEvent.objects.filter(object_type="people.relationship", action=AuditAction.CREATE)
    assert set(events.values_list("person_id", flat=True)) == {str(a.pk), str(b.pk)}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "friend", "parental_responsibility": True}, "parental_responsibility"),
        ({"kind": "nonsense"}, "kind"),
        (
            {"kind": "sibling", "start_date": dt.date(2020, 1, 1), "end_date": dt.date(2019, 1, 1)},
            "end_date",
        ),
    ],
)
def test_bad_relationships_are_refused(fields: dict[str, Any], field: str) -> None:
    a, b = create(forename="Dana"), create(forename="Kit")
    errors = refusal(
        lambda: services.relationship_add(actor=None, from_person=a, to_person=b, **fields)
    )
    assert list(errors) == [field]
    assert not Relationship.objects.exists()


def test_no_one_is_related_to_themselves_or_twice_the_same_way() -> None:
    a, b = create(forename="Dana", sex="F"), create(forename="Kit")
    errors = refusal(
        lambda: services.relationship_add(actor=None, from_person=a, to_person=a, kind="sibling")
    )
    assert errors == {"to_person": ["A person cannot be related to themselves"]}
    services.relationship_add(actor=None, from_person=a, to_person=b, kind="mother")
    errors = refusal(
        lambda: services.relationship_add(actor=None, from_person=a, to_person=b, kind="mother")
    )
    assert errors == {"kind": ["This relationship is already recorded"]}
    assert Relationship.objects.count() == 2


def test_ending_a_relationship_ends_both_sides(social_worker: User) -> None:
    a, b = create(forename="Dana", sex="F"), create(forename="Kit")
    forward = services.relationship_add(
        actor=None, from_person=a, to_person=b, kind="mother", lives_with=True
    )
    services.relationship_end(
        actor=social_worker, relationship=forward, end_date=dt.date(2024, 3, 3), expected_version=1
    )
    rows = Relationship.objects.all()
    assert {(r.end_date, r.lives_with, r.version) for r in rows} == {
        (dt.date(2024, 3, 3), False, 2)
    }


def test_ending_refuses_a_stale_version_or_an_end_before_the_start(social_worker: User) -> None:
    a, b = create(forename="Dana", sex="F"), create(forename="Kit")
    forward = services.relationship_add(
        actor=None, from_person=a, to_person=b, kind="mother", start_date=dt.date(2016, 1, 1)
    )
    errors = refusal(
        lambda: services.relationship_end(
            actor=social_worker,
            relationship=forward,
            end_date=dt.date(2015, 1, 1),
            expected_version=1,
        )
    )
    assert errors == {"end_date": ["The end date must be after the start date"]}
    with pytest.raises(ConcurrentEditError):
        services.relationship_end(
            actor=social_worker,
            relationship=forward,
            end_date=dt.date(2020, 1, 1),
            expected_version=7,
        )
    assert not Relationship.objects.filter(end_date__isnull=False).exists()


# --- families ------------------------------------------------------------------------------------


def test_a_family_group_holds_its_members() -> None:
    a, b = create(forename="Dana"), create(forename="Kit")
    family = services.family_add(actor=None, name=" Marsh household ", members=[a, b])
    assert family.name == "Marsh household"
    assert set(FamilyMembership.objects.values_list("person_id", flat=True)) == {a.pk, b.pk}


# --- restriction ---------------------------------------------------------------------------------


def test_restriction_names_staff_and_always_the_manager(make_user: Callable[..., User]) -> None:
    manager, named, other = (
        make_user("team_manager"),
        make_user("social_worker"),
        make_user("social_worker"),
    )
    person = create()
    services.restriction_set(
        actor=manager,
        person=person,
        restricted=True,
        reason="Staff relative",
        named_staff=[named],
        expected_version=1,
    )
    person.refresh_from_db()
    assert person.is_restricted and person.restriction_reason == "Staff relative"
    assert set(
        person.named_staff.filter(ended_at__isnull=True).values_list("user_id", flat=True)
    ) == {
        manager.pk,
        named.pk,
    }
    assert persons_visible_to(named).filter(pk=person.pk).exists()
    assert not persons_visible_to(other).filter(pk=person.pk).exists()
    event = AuditEvent.objects.filter(object_type="people.person", action=AuditAction.UPDATE).get()
    assert event.changes["is_restricted"] == [False, True]
    assert event.changes["named_staff"] == [[], sorted([manager.pk, named.pk])]


def test_changing_the_named_staff_ends_access_for_those_removed(
    make_user: Callable[..., User],
) -> None:
    manager, first, second = (
        make_user("team_manager"),
        make_user("social_worker"),
        make_user("social_worker"),
    )
    person = create()
    person = services.restriction_set(
        actor=manager,
        person=person,
        restricted=True,
        reason="Staff relative",
        named_staff=[first],
        expected_version=None,
    )
    services.restriction_set(
        actor=manager,
        person=person,
        restricted=True,
        reason="Staff relative",
        named_staff=[second],
        expected_version=None,
    )
    assert not persons_visible_to(first).filter(pk=person.pk).exists()
    assert persons_visible_to(second).filter(pk=person.pk).exists()
    assert person.named_staff.filter(user=first, ended_at__isnull=False).exists()


def test_lifting_a_restriction_ends_every_named_access(make_user: Callable[..., User]) -> None:
    manager, other = make_user("team_manager"), make_user("social_worker")
    person = services.restriction_set(
        actor=manager,
        person=create(),
        restricted=True,
        reason="High profile",
        named_staff=[],
        expected_version=None,
    )
    person = services.restriction_set(
        actor=manager,
        person=person,
        restricted=False,
        reason="",
        named_staff=[],
        expected_version=None,
    )
    assert not person.is_restricted and person.restriction_reason == ""
    assert not person.named_staff.filter(ended_at__isnull=True).exists()
    assert persons_visible_to(other).filter(pk=person.pk).exists()


def test_restricting_needs_a_reason_and_the_current_version(make_user: Callable[..., User]) -> None:
    manager = make_user("team_manager")
    person = create()
    errors = refusal(
        lambda: services.restriction_set(
            actor=manager,
            person=person,
            restricted=True,
            reason=" ",
            named_staff=[],
            expected_version=1,
        )
    )
    assert errors == {"reason": ["Enter why the record is restricted"]}
    with pytest.raises(ConcurrentEditError):
        services.restriction_set(
            actor=manager,
            person=person,
            restricted=True,
            reason="Staff relative",
            named_staff=[],
            expected_version=5,
        )
    person.refresh_from_db()
    assert not person.is_restricted and not person.named_staff.exists()


def test_partner_agency_staff_see_no_one(make_user: Callable[..., User]) -> None:
    create()
    assert not persons_visible_to(make_user("partner_agency")).exists()


def test_a_partial_update_still_checks_death_after_birth(make_user: Any) -> None:
    worker = make_user("social_worker")
    person = services.person_create(
        actor=worker,
        data={"forename": "Ida", "surname": "Datecheck", "date_of_birth": dt.date(2015, 5, 1)},
    )
    with pytest.raises(ValidationError) as refused:
        services.person_update(
            actor=worker,
            person=person,
            data={"date_of_death": dt.date(2014, 1, 1)},
            expected_version=person.version,
        )
    assert "date_of_death" in refused.value.message_dict
