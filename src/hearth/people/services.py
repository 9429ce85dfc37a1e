"""Writes to people: create and change a person, names, addresses, disabilities, relationships,
families and restriction. One transaction and one audit event each, tied to the person."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

import jellyfish
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.core.selectors import current_council
from hearth.core.services import model_update

from .codes import PARENT_KINDS, RECIPROCAL, Disability, NameKind, RelationshipKind, Sex
from .models import (
    Address,
    FamilyGroup,
    FamilyMembership,
    IdentifierSequence,
    Person,
    PersonDisability,
    PersonName,
    Relationship,
    RestrictedAccess,
)
from .validators import (
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    validate_nhs_number,
    validate_postcode,
    validate_upn,
)

PERSON_FIELDS = (
    "forename",
    "surname",
    "date_of_birth",
    "expected_date_of_birth",
    "sex",
    "gender_identity",
    "ethnicity",
    "first_language",
    "religion",
    "nationality",
    "nhs_number",
    "upn",
    "former_upn",
    "upn_unknown",
    "date_of_death",
    "immigration_status",
    "is_uasc",
)


def name_key(name: str) -> str:
    """A phonetic key (metaphone) so "Jon" finds "John" and "Smyth" finds "Smith"."""
    letters = re.sub(r"[^A-Za-z]", "", name or "")
    return jellyfish.metaphone(letters)[:40] if letters else ""


def _next_child_id() -> str:
    """The council's LA code and a number from a sequence that only counts up: never reused."""
    sequence, _ = IdentifierSequence.objects.select_for_update().get_or_create(name="child_id")
    IdentifierSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
    sequence.refresh_from_db()
    council = current_council()
    prefix = council.la_code if council else "H"
    return f"{prefix}{sequence.last_value:08d}"


def clean_person_data(data: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Normalise identifiers and check what a single field cannot: every error named by field."""
    today = today or timezone.localdate()
    cleaned = dict(data)
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in ("forename", "surname"):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
    if "nhs_number" in cleaned:
        cleaned["nhs_number"] = normalise_nhs_number(cleaned["nhs_number"])
        if cleaned["nhs_number"]:
            try:
                validate_nhs_number(cleaned["nhs_number"])
            except ValidationError as error:
                fail("nhs_number", error.messages[0])
    for field in ("upn", "former_upn"):
        if cleaned.get(field):
            cleaned[field] = normalise_upn(cleaned[field])
            try:
                validate_upn(cleaned[field])
            except ValidationError as error:
                fail(field, error.messages[0])
    dob, edd, died = (
        cleaned.get("date_of_birth"),
        cleaned.get("expected_date_of_birth"),
        cleaned.get("date_of_death"),
    )
    if dob and dob > today:
        fail("date_of_birth", "Date of birth must be today or in the past")
    # A child once unborn keeps the expected date beside the date of birth (pre-birth history).
    if died and died > today:
        fail("date_of_death", "Date of death must be today or in the past")
    if died and dob and died < dob:
        fail("date_of_death", "Date of death must be on or after the date of birth")
    if edd and not dob and cleaned.get("sex", Sex.UNKNOWN) != Sex.UNKNOWN:
        # CIN census rule 8750: an unborn child's sex is recorded as unknown.
        fail("sex", "Select unknown for an unborn child")
    if cleaned.get("upn") and cleaned.get("upn_unknown"):
        fail("upn_unknown", "Leave the UPN unknown reason empty when the UPN is known")
    if not cleaned.get("surname", "x"):
        fail("surname", "Enter surname")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _sync_legal_name(person: Person) -> None:
    PersonName.objects.update_or_create(
        person=person,
        kind=NameKind.LEGAL,
        defaults={
            "forename": person.forename,
            "surname": person.surname,
            "forename_key": name_key(person.forename),
            "surname_key": name_key(person.surname),
        },
    )


@transaction.atomic
def person_create(
    *,
    actor: User | None,
    data: Mapping[str, Any],
    disabilities: Iterable[str] = (),
    today: dt.date | None = None,
) -> Person:
    cleaned = clean_person_data({k: v for k, v in data.items() if k in PERSON_FIELDS}, today=today)
    person = Person(**cleaned, child_id=_next_child_id())
    person.full_clean()
    person.save()
    _sync_legal_name(person)
    _set_disabilities(person, list(disabilities))
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=person,
        person_id=person.pk,
        changes={k: [None, audit._jsonable(v)] for k, v in cleaned.items() if v not in ("", None)},
    )
    return person


@transaction.atomic
def person_update(
    *,
    actor: User,
    person: Person,
    data: Mapping[str, Any],
    expected_version: int | None,
    disabilities: Iterable[str] | None = None,
) -> Person:
    # Checks that span fields (death after birth) see the stored values of fields not sent.
    current = {name: getattr(person, name) for name in PERSON_FIELDS}
    cleaned = clean_person_data(
        {**current, **{k: v for k, v in data.items() if k in PERSON_FIELDS}}
    )
    related: audit.FieldChanges = {}
    if disabilities is not None:
        before = sorted(person.disabilities.values_list("code", flat=True))
        after = sorted(set(disabilities))
        if before != after:
            _set_disabilities(person, after)
            related["disabilities"] = [before, after]
    person = model_update(
        actor=actor,
        instance=person,
        data=cleaned,
        expected_version=expected_version,
        person_id=person.pk,
        related_changes=related,
    )
    _sync_legal_name(person)
    return person


def _set_disabilities(person: Person, codes: list[str]) -> None:
    unknown = set(codes) - set(Disability.values)
    if unknown:
        raise ValidationError({"disabilities": f"Unknown disability code {sorted(unknown)[0]}"})
    if Disability.NONE in codes and len(set(codes)) > 1:
        # CIN census rule 8790.
        raise ValidationError(
            {"disabilities": "Select no disability, or the disabilities, not both"}
        )
    person.disabilities.all().delete()
    PersonDisability.objects.bulk_create(
        [PersonDisability(person=person, code=c) for c in sorted(set(codes))]
    )


@transaction.atomic
def name_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    forename: str,
    surname: str,
    from_date: dt.date | None = None,
    to_date: dt.date | None = None,
) -> PersonName:
    if kind == NameKind.LEGAL:
        raise ValidationError({"kind": "Change the legal name on the person's details"})
    if from_date and to_date and to_date < from_date:
        raise ValidationError({"to_date": "The date the name ended must be after it started"})
    if not (forename.strip() or surname.strip()):
        raise ValidationError({"forename": "Enter a forename or a surname"})
    name = PersonName.objects.create(
        person=person,
        kind=kind,
        forename=forename.strip(),
        surname=surname.strip(),
        forename_key=name_key(forename),
        surname_key=name_key(surname),
        from_date=from_date,
        to_date=to_date,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=name,
        person_id=person.pk,
        changes={"kind": [None, kind], "name": [None, f"{forename} {surname}".strip()]},
    )
    return name


@transaction.atomic
def address_add(
    *,
    actor: User,
    person: Person,
    line_1: str,
    postcode: str,
    start_date: dt.date,
    line_2: str = "",
    town: str = "",
    kind: str = "home",
    end_date: dt.date | None = None,
    end_current: bool = True,
) -> Address:
    """A new address; the current one of the same kind ends the day before, unless told not to."""
    try:
        validate_postcode(postcode)
    except ValidationError as error:
        raise ValidationError({"postcode": error.messages}) from None
    if end_date and end_date < start_date:
        raise ValidationError(
            {"end_date": "The date they left must be after the date they moved in"}
        )
    if start_date > timezone.localdate():
        raise ValidationError({"start_date": "The date they moved in must be today or in the past"})
    if end_current:
        for current in person.addresses.filter(kind=kind, end_date__isnull=True):
            if current.start_date >= start_date:
                raise ValidationError(
                    {
                        "start_date": "The current address started on "
                        f"{current.start_date:%-d %B %Y}: the new one must start after it"
                    }
                )
            model_update(
                actor=actor,
                instance=current,
                data={"end_date": start_date - dt.timedelta(days=1)},
                person_id=person.pk,
                detail="Ended by a new address",
            )
    address = Address(
        person=person,
        kind=kind,
        line_1=line_1.strip(),
        line_2=line_2.strip(),
        town=town.strip(),
        postcode=normalise_postcode(postcode),
        start_date=start_date,
        end_date=end_date,
    )
    address.full_clean()
    address.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=address,
        person_id=person.pk,
        changes={"address": [None, str(address)], "start_date": [None, start_date.isoformat()]},
    )
    return address


# Parents, and relatives or carers given it by a court order (special guardianship and the like).
MAY_HOLD_PARENTAL_RESPONSIBILITY = PARENT_KINDS | {
    RelationshipKind.GRANDPARENT,
    RelationshipKind.OTHER_RELATIVE,
    RelationshipKind.CARER,
}


def reciprocal_kind(kind: str, other: Person) -> str:
    """The kind seen from the other side. A child's parent is mother or father by their sex."""
    if kind == RelationshipKind.CHILD:
        parent_by_sex: dict[str, str] = {
            Sex.FEMALE: RelationshipKind.MOTHER,
            Sex.MALE: RelationshipKind.FATHER,
        }
        return parent_by_sex.get(other.sex, RelationshipKind.OTHER_RELATIVE)
    return RECIPROCAL[kind]


@transaction.atomic
def relationship_add(
    *,
    actor: User | None,
    from_person: Person,
    to_person: Person,
    kind: str,
    parental_responsibility: bool = False,
    lives_with: bool = False,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> Relationship:
    """`from_person` is the `kind` of `to_person`; the reciprocal row is written with it."""
    if from_person.pk == to_person.pk:
        raise ValidationError({"to_person": "A person cannot be related to themselves"})
    if kind not in RelationshipKind.values:
        raise ValidationError({"kind": "Select the relationship"})
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": "The end date must be after the start date"})
    if parental_responsibility and kind not in MAY_HOLD_PARENTAL_RESPONSIBILITY:
        raise ValidationError(
            {
                "parental_responsibility": "Only a parent, relative or carer can hold parental "
                "responsibility for the other person"
            }
        )
    if Relationship.objects.filter(
        from_person=from_person, to_person=to_person, kind=kind, end_date__isnull=True
    ).exists():
        raise ValidationError({"kind": "This relationship is already recorded"})
    forward = Relationship.objects.create(
        from_person=from_person,
        to_person=to_person,
        kind=kind,
        parental_responsibility=parental_responsibility,
        lives_with=lives_with,
        start_date=start_date,
        end_date=end_date,
    )
    backward = Relationship.objects.create(
        from_person=to_person,
        to_person=from_person,
        kind=reciprocal_kind(kind, to_person),
        lives_with=lives_with,
        start_date=start_date,
        end_date=end_date,
        inverse=forward,
    )
    Relationship.objects.filter(pk=forward.pk).update(inverse=backward)
    for person in (from_person, to_person):
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=forward,
            person_id=person.pk,
            changes={"relationship": [None, str(forward)]},
        )
    forward.refresh_from_db()
    return forward


@transaction.atomic
def relationship_end(
    *, actor: User, relationship: Relationship, end_date: dt.date, expected_version: int | None
) -> Relationship:
    """End both sides of a relationship (nothing is deleted)."""
    if relationship.start_date and end_date < relationship.start_date:
        raise ValidationError({"end_date": "The end date must be after the start date"})
    ended = model_update(
        actor=actor,
        instance=relationship,
        data={"end_date": end_date, "lives_with": False},
        expected_version=expected_version,
        person_id=relationship.from_person_id,
    )
    if relationship.inverse_id:
        Relationship.objects.filter(pk=relationship.inverse_id).update(
            end_date=end_date, lives_with=False, version=F("version") + 1
        )
    # Both people's records show the change, as when it was added.
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=ended,
        person_id=relationship.to_person_id,
        changes={"end_date": [None, end_date.isoformat()]},
    )
    return ended


@transaction.atomic
def family_add(*, actor: User | None, name: str, members: Iterable[Person]) -> FamilyGroup:
    family = FamilyGroup.objects.create(name=name.strip())
    FamilyMembership.objects.bulk_create(
        [FamilyMembership(family=family, person=p) for p in members]
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=family, changes={"name": [None, name]})
    return family


@transaction.atomic
def family_join(
    *,
    actor: User,
    person: Person,
    family: FamilyGroup | None = None,
    new_name: str = "",
    with_people: Iterable[Person] = (),
    start_date: dt.date | None = None,
) -> FamilyGroup:
    """Put a person in a family group: an existing one, or a new one with the people chosen."""
    if start_date and start_date > timezone.localdate():
        raise ValidationError({"start_date": "The date they joined must be today or in the past"})
    if family is None and not new_name.strip():
        raise ValidationError({"family": "Choose a family group, or name a new one"})
    if family is not None and new_name.strip():
        raise ValidationError({"new_name": "Choose a family group or name a new one, not both"})
    if family is None:
        family = FamilyGroup.objects.create(name=new_name.strip())
        audit.record(
            actor=actor, action=AuditAction.CREATE, obj=family, changes={"name": [None, new_name]}
        )
    joining = [person, *[p for p in with_people if p.pk != person.pk]]
    current = set(
        family.memberships.filter(end_date__isnull=True).values_list("person_id", flat=True)
    )
    if person.pk in current:
        raise ValidationError({"family": f"{person.full_name} is already in {family.name}"})
    for member in joining:
        if member.pk in current:
            continue
        FamilyMembership.objects.create(family=family, person=member, start_date=start_date)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=family,
            person_id=member.pk,
            changes={"family_group": [None, family.name]},
        )
    return family


@transaction.atomic
def family_leave(*, actor: User, membership: FamilyMembership, end_date: dt.date) -> None:
    """A person left a family group: the membership ends (nothing is deleted)."""
    if membership.end_date is not None:
        raise ValidationError("They have already left this family group")
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": "The date they left must be today or in the past"})
    if membership.start_date and end_date < membership.start_date:
        raise ValidationError({"end_date": "The date they left must be after they joined"})
    membership.end_date = end_date
    membership.save(update_fields=["end_date"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=membership.family,
        person_id=membership.person_id,
        changes={"family_group": [membership.family.name, None], "end_date": [None, str(end_date)]},
    )


@transaction.atomic
def restriction_set(
    *,
    actor: User,
    person: Person,
    restricted: bool,
    reason: str,
    named_staff: Iterable[User],
    expected_version: int | None,
) -> Person:
    """Restrict a record to named staff (always including the person restricting it), or lift it."""
    if restricted and not reason.strip():
        raise ValidationError({"reason": "Enter why the record is restricted"})
    staff = {u.pk: u for u in named_staff}
    staff.setdefault(actor.pk, actor)
    current = {a.user_id: a for a in person.named_staff.filter(ended_at__isnull=True)}
    now = timezone.now()
    if restricted:
        for user_id, access in current.items():
            if user_id not in staff:
                access.ended_at = now
                access.save(update_fields=["ended_at"])
        for user_id, user in staff.items():
            if user_id not in current:
                RestrictedAccess.objects.create(person=person, user=user, granted_by=actor)
    else:
        person.named_staff.filter(ended_at__isnull=True).update(ended_at=now)
    before_staff = sorted(current)
    after_staff = sorted(staff) if restricted else []
    related = {"named_staff": [before_staff, after_staff]} if before_staff != after_staff else {}
    return model_update(
        actor=actor,
        instance=person,
        data={
            "is_restricted": restricted,
            "restriction_reason": reason.strip() if restricted else "",
        },
        expected_version=expected_version,
        person_id=person.pk,
        related_changes=related,
    )
