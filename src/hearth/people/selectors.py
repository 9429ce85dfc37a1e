"""Reads for the people pages: search, a person's record, pickers. Scoped to the viewer through
`policies.persons_visible_to`, with a fixed number of queries however many rows there are."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from hearth.core.forms.fields import MONTHS
from hearth.core.models import User

from . import genogram
from .codes import AddressKind, NameKind
from .matching import Candidate
from .models import (
    Address,
    FamilyMembership,
    Person,
    PersonMerge,
    PersonName,
    Relationship,
)
from .policies import VIEW, persons_visible_to
from .services import name_key
from .validators import normalise_nhs_number, normalise_upn

_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_WORDED_DATE = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})\b")
MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class SearchTerms:
    """What a search box entry means: identifiers, dates of birth and name words."""

    text: str
    identifiers: list[str] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


def _date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_search(text: str) -> SearchTerms:
    """ "Smith 3/5/2015" -> a name word and a date; "943 476 5919" -> an NHS number."""
    text = " ".join(text.split())[:200]
    dates: list[dt.date] = []
    rest = text

    def take(match: re.Match[str], date: dt.date | None) -> str:
        if date is None:
            return match.group(0)
        dates.append(date)
        return " "

    rest = _ISO_DATE.sub(lambda m: take(m, _date(m[1], m[2], m[3])), rest)
    rest = _NUMERIC_DATE.sub(lambda m: take(m, _date(m[3], m[2], m[1])), rest)
    rest = _WORDED_DATE.sub(
        lambda m: (
            take(m, _date(m[3], str(MONTHS[m[2].lower()]), m[1]))
            if m[2].lower() in MONTHS
            else m[0]
        ),
        rest,
    )
    identifiers = [text] if text else []
    words = [
        w
        for w in re.split(r"[\s,]+", rest)
        if w and not any(ch.isdigit() for ch in w) and re.search(r"[A-Za-z]", w)
    ][:MAX_NAME_WORDS]
    return SearchTerms(text=text, identifiers=identifiers, dates=dates, words=words)


def _name_matches(words: list[str]) -> Exists:
    """A name row (legal, preferred, previous or alias) holding every word: the start of the
    forename or surname, or the same sound ("Jon" finds "John")."""
    condition = Q()
    for word in words:
        key = name_key(word)
        either = Q(forename__istartswith=word) | Q(surname__istartswith=word)
        if key:
            either |= Q(forename_key=key) | Q(surname_key=key)
        condition &= either
    return Exists(PersonName.objects.filter(condition, person=OuterRef("pk")))


def person_search(*, viewer: User, query: str, exclude: int | None = None) -> QuerySet[Person]:
    """People the viewer may see matching a child ID, NHS number, UPN, date of birth or name.

    Dates and names combine ("smith 3/5/2015"); an identifier is matched on its own.
    """
    terms = parse_search(query)
    if not terms.text:
        return Person.objects.none()
    condition = Q()
    for ident in terms.identifiers:
        condition |= Q(child_id__iexact=ident)
        digits = normalise_nhs_number(ident)
        if re.fullmatch(r"\d{10}", digits):
            condition |= Q(nhs_number=digits)
        upn = normalise_upn(ident)
        if len(upn) == 13:
            condition |= Q(upn=upn) | Q(former_upn=upn)
    if terms.dates or terms.words:
        described = Q()
        if terms.dates:
            described &= Q(date_of_birth__in=terms.dates) | Q(
                expected_date_of_birth__in=terms.dates
            )
        if terms.words:
            described &= Q(_name_matches(terms.words))
        condition |= described
    qs = persons_visible_to(viewer).filter(condition)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    current = Address.objects.filter(end_date__isnull=True).order_by("kind", "-start_date")
    other_names = PersonName.objects.exclude(kind=NameKind.LEGAL)
    return qs.prefetch_related(
        Prefetch("names", queryset=other_names, to_attr="other_names"),
        Prefetch("addresses", queryset=current, to_attr="current_addresses"),
    ).order_by("surname", "forename", "date_of_birth", "pk")


def current_postcode(person: Person) -> str:
    home = (
        person.addresses.filter(end_date__isnull=True, kind=AddressKind.HOME)
        .order_by("-start_date")
        .values_list("postcode", flat=True)
        .first()
    )
    return home or ""


def candidate_for(person: Person) -> Candidate:
    """A recorded person's details as a matching candidate (to look for their duplicates)."""
    return Candidate(
        forename=person.forename,
        surname=person.surname,
        date_of_birth=person.date_of_birth,
        nhs_number=person.nhs_number,
        postcode=current_postcode(person),
    )


# --- one person's record -----------------------------------------------------------------------


@dataclass
class RelationshipRow:
    """A relationship seen from the person whose page it is: `other` is `kind` of them."""

    relationship: Relationship  # other -> person
    other: Person
    visible: bool  # the viewer may open the other person's record
    own_id: int | None  # the person's own row (person -> other), which "end" acts on

    @property
    def kind_label(self) -> str:
        return self.relationship.get_kind_display()

    @property
    def ended(self) -> bool:
        return self.relationship.end_date is not None

    @property
    def other_holds_pr(self) -> bool:
        return self.relationship.parental_responsibility

    @property
    def person_holds_pr(self) -> bool:
        inverse = self.relationship.inverse
        return bool(inverse and inverse.parental_responsibility)


@dataclass
class FamilyRow:
    membership: FamilyMembership
    members: list[Person]
    hidden: int


@dataclass
class PersonRecord:
    person: Person
    other_names: list[PersonName]
    addresses: list[Address]
    disabilities: list[str]
    relationships: list[RelationshipRow]
    families: list[FamilyRow]
    merges: list[PersonMerge]
    genogram: genogram.Genogram

    @property
    def current_relationships(self) -> list[RelationshipRow]:
        return [r for r in self.relationships if not r.ended]

    @property
    def ended_relationships(self) -> list[RelationshipRow]:
        return [r for r in self.relationships if r.ended]

    def grouped(self) -> list[tuple[str, list[RelationshipRow]]]:
        """The map's groups, as text: the accessible equivalent of the picture."""
        titles = {
            "parent": "Parents",
            "sibling": "Siblings",
            "child": "Children",
            "other": "Others",
        }
        groups: list[tuple[str, list[RelationshipRow]]] = []
        for group in genogram.GROUPS:
            rows = [
                r for r in self.relationships if genogram.group_of(r.relationship.kind) == group
            ]
            if rows:
                groups.append((titles[group], rows))
        return groups


HIDDEN_NAME = "Restricted record"
CURRENT_FIRST = F("end_date").desc(nulls_first=True)  # ongoing, then the most recently ended


def _figure(person: Person, *, name: str | None = None) -> genogram.Figure:
    return genogram.Figure(
        name=name or person.full_name,
        sex=person.sex,
        deceased=person.date_of_death is not None,
        unborn=person.is_unborn,
        key="centre",
    )


def person_record(*, viewer: User, person: Person) -> PersonRecord:
    """Everything the person page shows, in a fixed number of queries."""
    rels = sorted(
        Relationship.objects.filter(to_person=person).select_related("from_person", "inverse"),
        key=lambda r: (
            r.end_date is not None,
            genogram.kind_rank(r.kind),
            r.from_person.surname.lower(),
            r.from_person.forename.lower(),
            r.pk,
        ),
    )
    memberships = list(
        FamilyMembership.objects.filter(person=person)
        .select_related("family")
        .prefetch_related(
            Prefetch(
                "family__memberships",
                queryset=FamilyMembership.objects.filter(end_date__isnull=True)
                .exclude(person=person)
                .select_related("person"),
                to_attr="current_members",
            )
        )
        .order_by(CURRENT_FIRST, "family__name")
    )
    related_ids = {r.from_person_id for r in rels} | {
        m.person_id
        for ms in memberships
        for m in ms.family.current_members  # type: ignore[attr-defined]
    }
    visible = set(
        persons_visible_to(viewer).filter(pk__in=related_ids).values_list("pk", flat=True)
    )
    rows = [
        RelationshipRow(
            relationship=r,
            other=r.from_person,
            visible=r.from_person_id in visible,
            own_id=r.inverse_id,
        )
        for r in rels
    ]
    families = []
    for membership in memberships:
        members = [m.person for m in membership.family.current_members]  # type: ignore[attr-defined]
        shown = [p for p in members if p.pk in visible]
        families.append(
            FamilyRow(membership=membership, members=shown, hidden=len(members) - len(shown))
        )
    relatives = [
        genogram.Figure(
            name=row.other.full_name if row.visible else HIDDEN_NAME,
            sex=row.other.sex if row.visible else "U",
            deceased=row.visible and row.other.date_of_death is not None,
            unborn=row.visible and row.other.is_unborn,
            kind=row.relationship.kind,
            ended=row.ended,
            key=f"relationship-{row.relationship.pk}",
        )
        for row in rows
    ]
    return PersonRecord(
        person=person,
        other_names=list(
            person.names.exclude(kind=NameKind.LEGAL).order_by("kind", "from_date", "pk")
        ),
        addresses=list(person.addresses.order_by(CURRENT_FIRST, "-start_date", "kind")),
        disabilities=[d.get_code_display() for d in person.disabilities.order_by("code")],
        relationships=rows,
        families=families,
        merges=list(
            PersonMerge.objects.filter(kept=person).select_related(
                "merged", "performed_by", "undone_by"
            )
        ),
        genogram=genogram.layout(_figure(person), relatives),
    )


def age(person: Person, today: dt.date | None = None) -> int | None:
    """Age in whole years, at death for someone who has died."""
    if person.date_of_birth is None:
        return None
    on = person.date_of_death or today or timezone.localdate()
    born = person.date_of_birth
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def merged_target(pk: int) -> Person | None:
    """For a record merged away: the live record it ended up in (following merges of merges)."""
    person = Person.objects.filter(pk=pk, merged_into__isnull=False).first()
    seen = set()
    while person is not None and person.merged_into_id is not None and person.pk not in seen:
        seen.add(person.pk)
        person = Person.objects.filter(pk=person.merged_into_id).first()
    return person if person is not None and person.merged_into_id is None else None


def merge_for_undo(pk: int) -> PersonMerge | None:
    return (
        PersonMerge.objects.filter(pk=pk, undone_at__isnull=True)
        .select_related("kept", "merged", "performed_by")
        .first()
    )


def staff_who_may_be_named() -> QuerySet[User]:
    """Active staff who can see case records: the choice of named staff for a restriction."""
    app_label, codename = VIEW.split(".")
    return (
        User.objects.filter(
            is_active=True,
            roles__permissions__content_type__app_label=app_label,
            roles__permissions__codename=codename,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def named_staff(person: Person) -> list[User]:
    return list(
        User.objects.filter(
            pk__in=person.named_staff.filter(ended_at__isnull=True).values("user_id")
        ).order_by("last_name", "first_name")
    )
