"""Merging two records of one person: every row of both is kept, undo restores exactly, and a
refused merge changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.choices import AuditAction
from hearth.core.models import AuditEvent, User
from hearth.frontdoor.models import Contact, ContactSubmission, EarlyHelpEpisode
from hearth.people import services
from hearth.people.codes import NameKind, RelationshipKind
from hearth.people.merging import _references, merge_people, undo_merge
from hearth.people.models import (
    Address,
    FamilyMembership,
    Person,
    PersonDisability,
    PersonMerge,
    PersonName,
    Relationship,
    RestrictedAccess,
)
from hearth.timescales.models import ClockEvent, Deadline
from hearth.timescales.services import record_event

pytestmark = pytest.mark.django_db
D = dt.date
NOON = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)


def person(**data: Any) -> Person:
    return services.person_create(actor=None, data={"date_of_birth": D(2014, 2, 3), **data})


def contact(who: Person, reference: str) -> Contact:
    submission = ContactSubmission.objects.create(
        reference=reference, received_at=NOON, source="2A", concerns="Bruising seen at school"
    )
    return Contact.objects.create(submission=submission, person=who, received_at=NOON, source="2A")


def cin_episode(who: Person, *, open_: bool) -> ChildInNeedEpisode:
    closed = {} if open_ else {"closure_date": D(2024, 3, 1), "closure_reason": "RC8"}
    return ChildInNeedEpisode.objects.create(
        person=who, referral_date=D(2024, 1, 8), referral_source="2A", primary_need="N1", **closed
    )


def state() -> dict[str, Any]:
    """Every row that refers to a person, with the person it refers to; every person's
    `merged_into`; and the number of rows in every table."""
    rows: dict[str, Any] = {}
    for label, model, fk in _references():
        rows[label] = set(model._base_manager.values_list("pk", fk.attname))
    rows["clock events"] = set(ClockEvent.objects.values_list("pk", "subject_type", "subject_id"))
    rows["deadlines"] = set(
        Deadline.objects.values_list("subject_type", "subject_id", "rule_code", "due_on", "state")
    )
    rows["merged_into"] = set(Person.objects.values_list("pk", "merged_into_id"))
    rows["counts"] = {m._meta.label: m._base_manager.count() for m in apps.get_models()}
    return rows


def on(who: Person) -> dict[str, set[int]]:
    """The ids of the rows that refer to `who`, by reference."""
    return {
        label: set(model._base_manager.filter(**{fk.attname: who.pk}).values_list("pk", flat=True))
        for label, model, fk in _references()
    } | {
        "timescales.clockevent.subject_id": set(
            ClockEvent.objects.filter(subject_type="child", subject_id=who.pk).values_list(
                "pk", flat=True
            )
        )
    }


@pytest.fixture
def actor(social_worker: User) -> User:
    return social_worker


@pytest.fixture
def pair(actor: User) -> tuple[Person, Person]:
    """Two records of one boy, each with its own history: names, addresses, disabilities,
    relationships both ways, families, contacts, episodes and clock events."""
    kept = person(forename="John", surname="Smith", sex="M")
    merged = person(forename="Jon", surname="Smyth", sex="M", nhs_number="9990001235")
    mother = person(forename="Mary", surname="Smith", sex="F", date_of_birth=D(1990, 1, 1))
    father = person(forename="Paul", surname="Smyth", sex="M", date_of_birth=D(1988, 6, 1))
    sister = person(forename="Ella", surname="Smyth", sex="F", date_of_birth=D(2016, 6, 1))

    services.name_add(
        actor=actor, person=merged, kind=NameKind.ALIAS, forename="Johnny", surname="Smyth"
    )
    services.name_add(
        actor=actor, person=kept, kind=NameKind.PREFERRED, forename="Johnny", surname=""
    )
    for who, postcode, start in (
        (kept, "LS1 4AP", 2019),
        (merged, "M1 1AE", 2018),
        (merged, "M2 3AA", 2021),
    ):
        services.address_add(
            actor=actor, person=who, line_1="1 Road", postcode=postcode, start_date=D(start, 1, 1)
        )
    services.person_update(
        actor=actor, person=kept, data={}, expected_version=None, disabilities=["LD"]
    )
    services.person_update(
        actor=actor, person=merged, data={}, expected_version=None, disabilities=["LD", "AUT"]
    )
    services.relationship_add(
        actor=actor, from_person=mother, to_person=kept, kind=RelationshipKind.MOTHER
    )
    services.relationship_add(
        actor=actor, from_person=merged, to_person=father, kind=RelationshipKind.CHILD
    )
    services.relationship_add(
        actor=actor, from_person=sister, to_person=merged, kind=RelationshipKind.SIBLING
    )
    # Entered in error and ended: it stays on the merged record, so no one is their own sibling.
    services.relationship_add(
        actor=actor,
        from_person=kept,
        to_person=merged,
        kind=RelationshipKind.SIBLING,
        start_date=D(2020, 1, 1),
        end_date=D(2020, 2, 1),
    )
    both = services.family_add(actor=actor, name="Smith family", members=[kept, merged, mother])
    services.family_add(actor=actor, name="Smyth family", members=[merged, father, sister])
    contact(kept, "C-1")
    contact(merged, "C-2")
    contact(merged, "C-3")
    cin_episode(kept, open_=True)
    cin_episode(merged, open_=False)
    EarlyHelpEpisode.objects.create(
        person=merged, start_date=D(2023, 1, 1), reason="School attendance", organisation="School"
    )
    record_event(
        subject_type="child", subject_id=kept.pk, name="referral", at=D(2024, 1, 8), source="k:1"
    )
    record_event(
        subject_type="child", subject_id=merged.pk, name="referral", at=D(2024, 2, 5), source="m:1"
    )
    record_event(
        subject_type="child", subject_id=merged.pk, name="assessment-completed", at=D(2024, 3, 1),
        source="m:2",
    )  # fmt: skip
    assert both.memberships.count() == 3
    return kept, merged


def test_merge_keeps_every_row_of_both_and_undo_restores_exactly(
    actor: User, pair: tuple[Person, Person]
) -> None:
    kept, merged = pair
    before = state()
    kept_rows, merged_rows = on(kept), on(merged)
    audit_count = AuditEvent.objects.count()

    merge = merge_people(actor=actor, kept=kept, merged=merged, reason="Same boy: school records")

    merged.refresh_from_db()
    assert merged.merged_into == kept
    after = on(kept)
    stayed = on(merged)
    # Left on the merged record: its legal name (the kept record has one), the disability the
    # kept record already has, its membership of a family the kept record is in, and the ended
    # relationship between the two.
    assert {label: ids for label, ids in stayed.items() if ids} == {
        "people.personname.person": {merged.names.get(kind="legal").pk},
        "people.persondisability.person": {
            PersonDisability.objects.get(person=merged, code="LD").pk
        },
        "people.familymembership.person": {
            FamilyMembership.objects.get(person=merged, family__name="Smith family").pk
        },
        "people.relationship.from_person": {
            Relationship.objects.get(from_person=merged, to_person=kept).pk
        },
        "people.relationship.to_person": {
            Relationship.objects.get(from_person=kept, to_person=merged).pk
        },
    }
    alias = PersonName.objects.get(person=kept, forename="Jon", surname="Smyth")
    assert alias.kind == NameKind.ALIAS
    for label in after:
        created = {alias.pk} if label == "people.personname.person" else set()
        # Every row is on one of the two records: the kept record's, the merged record's moved.
        assert after[label] == kept_rows[label] | (merged_rows[label] - stayed[label]) | created
        assert merge.moved.get(label, []) == sorted(merged_rows[label] - stayed[label])
    assert merge.moved["created"] == {"people.personname": [alias.pk]}
    assert merge.moved["left_on_merged"]["people.persondisability.person"] == [
        PersonDisability.objects.get(person=merged, code="LD").pk
    ]
    # Every table holds the same rows as before, plus the merge, the alias and the audit events.
    counts = {**before["counts"]}
    for label, extra in (
        ("people.PersonMerge", 1),
        ("people.PersonName", 1),
        ("core.AuditEvent", 2),
    ):
        counts[label] += extra
    assert {k: v for k, v in state()["counts"].items() if k != "timescales.Deadline"} == {
        k: v for k, v in counts.items() if k != "timescales.Deadline"
    }
    # The merged record's clocks now run on the kept record.
    assert not Deadline.objects.filter(subject_type="child", subject_id=merged.pk).exists()
    assert Deadline.objects.filter(subject_type="child", subject_id=kept.pk).count() > 1

    events = AuditEvent.objects.order_by("id")[audit_count:]
    assert [(e.action, e.person_id) for e in events] == [
        (AuditAction.UPDATE, str(kept.pk)),
        (AuditAction.UPDATE, str(merged.pk)),
    ]
    assert (
        events[0].detail
        == f"Merged Jon Smyth ({merged.child_id}) into this record: Same boy: school records"
    )
    assert events[1].detail.startswith(f"Merged into John Smith ({kept.child_id})")

    undone = undo_merge(actor=actor, merge=merge)

    assert undone.undone_by == actor
    assert undone.undone_at is not None
    restored = state()
    for key in before:
        if key == "counts":
            continue
        assert restored[key] == before[key], key
    counts = {**before["counts"]}
    counts["people.PersonMerge"] += 1
    counts["core.AuditEvent"] += 4
    assert restored["counts"] == counts
    undo_events = AuditEvent.objects.order_by("id")[audit_count + 2 :]
    assert [(e.person_id, e.detail.split(":")[0]) for e in undo_events] == [
        (str(kept.pk), "Merge undone"),
        (str(merged.pk), "Merge undone"),
    ]
    with pytest.raises(ValidationError, match="already been undone"):
        undo_merge(actor=actor, merge=merge)


def test_rows_added_after_the_merge_stay_on_the_kept_record_when_undone(
    actor: User, pair: tuple[Person, Person]
) -> None:
    kept, merged = pair
    merge = merge_people(actor=actor, kept=kept, merged=merged, reason="Same boy")
    later = contact(kept, "C-4")
    undo_merge(actor=actor, merge=merge)
    later.refresh_from_db()
    assert later.person == kept
    assert set(
        Contact.objects.filter(person=merged).values_list("submission__reference", flat=True)
    ) == {"C-2", "C-3"}


def test_two_restricted_records_merge_with_their_named_staff(
    make_user: Callable[..., User],
) -> None:
    both, only_merged = make_user("social_worker"), make_user("social_worker")
    kept, merged = person(forename="Ava", surname="Cole"), person(forename="Ava", surname="Cole")
    for who, staff in ((kept, []), (merged, [only_merged])):
        services.restriction_set(
            actor=both, person=who, restricted=True, reason="High profile", named_staff=staff,
            expected_version=None,
        )  # fmt: skip
    merge = merge_people(actor=both, kept=kept, merged=merged, reason="Same girl")
    assert set(RestrictedAccess.objects.filter(person=kept).values_list("user", flat=True)) == {
        both.pk,
        only_merged.pk,
    }
    # The member of staff named on both keeps one current grant; the other stays on the record.
    assert merge.moved["left_on_merged"]["people.restrictedaccess.person"] == [
        RestrictedAccess.objects.get(person=merged, user=both).pk
    ]


def refused(actor: User, kept: Person, merged: Person, message: str, reason: str = "Same") -> None:
    before = state()
    audit_count = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=message):
        merge_people(actor=actor, kept=kept, merged=merged, reason=reason)
    assert state() == before
    assert AuditEvent.objects.count() == audit_count


def test_a_record_cannot_be_merged_with_itself(actor: User, pair: tuple[Person, Person]) -> None:
    kept, _ = pair
    refused(actor, kept, kept, "cannot be merged with itself")


def test_a_merged_record_cannot_be_merged_again(actor: User, pair: tuple[Person, Person]) -> None:
    kept, merged = pair
    merge_people(actor=actor, kept=kept, merged=merged, reason="Same boy")
    third = person(forename="John", surname="Smith")
    refused(actor, third, merged, "Jon Smyth .* has already been merged")
    refused(actor, merged, third, "Jon Smyth .* has already been merged")


def test_two_open_child_in_need_episodes_must_be_reconciled_first(
    actor: User, pair: tuple[Person, Person]
) -> None:
    kept, merged = pair
    ChildInNeedEpisode.objects.filter(person=merged).update(closure_date=None, closure_reason="")
    refused(actor, kept, merged, "Both records have an open child in need episode")


def test_a_current_relationship_between_the_two_must_be_ended_first(
    actor: User, pair: tuple[Person, Person]
) -> None:
    kept, merged = pair
    Relationship.objects.filter(from_person=kept, to_person=merged).update(end_date=None)
    refused(actor, kept, merged, "end that relationship before merging")


def test_a_reason_is_required(actor: User, pair: tuple[Person, Person]) -> None:
    kept, merged = pair
    refused(actor, kept, merged, "Enter why", reason="  ")
    refused(actor, kept, merged, "500 characters or fewer", reason="x" * 501)


def test_a_restricted_record_is_not_merged_with_an_open_one(
    actor: User, pair: tuple[Person, Person]
) -> None:
    kept, merged = pair
    services.restriction_set(
        actor=actor, person=merged, restricted=True, reason="High profile", named_staff=[],
        expected_version=None,
    )  # fmt: skip
    refused(actor, kept, merged, "Jon Smyth .* is restricted and the other record is not")


def test_undo_is_refused_once_the_kept_record_is_merged_again(
    actor: User, pair: tuple[Person, Person]
) -> None:
    kept, merged = pair
    first = merge_people(actor=actor, kept=kept, merged=merged, reason="Same boy")
    third = person(forename="John", surname="Smith")
    ChildInNeedEpisode.objects.filter(person=kept).update(
        closure_date=D(2024, 6, 1), closure_reason="RC8"
    )
    merge_people(actor=actor, kept=third, merged=kept, reason="Same boy again")
    with pytest.raises(ValidationError, match="undo that merge first"):
        undo_merge(actor=actor, merge=first)
    assert PersonMerge.objects.get(pk=first.pk).undone_at is None
    assert Address.objects.filter(person=third).count() == 3
