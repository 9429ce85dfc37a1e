"""Finding likely existing records for a person: before recording a new one, and for duplicates.

Two steps, so the work of one search is bounded whatever the size of the register:

1. **Retrieve** a bounded set of person ids with indexed equality queries, each capped: same NHS
   number; same date of birth; a name with the same phonetic surname key and the same phonetic
   forename key or initial (every name counts: legal, alias, previous, preferred); an address,
   current or past, at the same postcode; a date of birth with day and month swapped or one digit
   different, together with the same surname or forename key.
2. **Score** those people in Python, on values fetched in three more queries, and load the best
   `limit` records. Only records `persons_visible_to(viewer)` allows are scored, so a restricted
   record is never offered to staff who are not named on it, and merged-away records never are.

The score adds the weight of each piece of evidence (in bits, as in Fellegi–Sunter record
linkage: agreement on a rare value counts for more, disagreement on an identifier counts against)
and turns the sum into a 0–100 likelihood. Same NHS number alone, or same name and date of birth,
scores over 95; a name alone about 5. Each piece of evidence gives the user a reason in plain
English.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jellyfish
from django.db.models import Q, QuerySet
from django.utils import timezone

from hearth.core.models import User

from .codes import NameKind
from .models import Address, Person, PersonName
from .policies import persons_visible_to
from .services import name_key
from .validators import normalise_nhs_number, normalise_postcode


@dataclass(frozen=True)
class Candidate:
    forename: str = ""
    surname: str = ""
    date_of_birth: datetime.date | None = None
    nhs_number: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class Match:
    person: Person
    score: int  # 0-100, higher = more likely the same person
    reasons: list[str] = field(default_factory=list)


# Evidence weights in bits (log2 of how much likelier the evidence is for the same person than for
# two different people), and the prior: the sum must pass PRIOR_BITS before a match is even odds.
NHS_SAME, NHS_DIFFERENT = 22.0, -10.0
DOB_SAME, DOB_SWAPPED, DOB_ONE_DIGIT, DOB_DIFFERENT = 10.0, 6.0, 5.0, -3.0
SURNAME_SAME, SURNAME_SIMILAR, SURNAME_DIFFERENT = 7.0, (4.0, 6.0), -2.0
FORENAME_SAME, FORENAME_SIMILAR, FORENAME_INITIAL, FORENAME_DIFFERENT = 5.0, (2.0, 4.0), 1.0, -1.0
POSTCODE_SAME = 5.0
PRIOR_BITS = 16.0

# Jaro-Winkler similarity from which two different spellings count as similar.
SURNAME_THRESHOLD, FORENAME_THRESHOLD = 0.88, 0.85

# Most ids one retrieval query may return: bounds the work whatever the size of the table.
RETRIEVE_CAP = 200
NAME_RETRIEVE_CAP = 400

KIND_LABELS = {
    NameKind.ALIAS: "alias",
    NameKind.PREVIOUS: "previous name",
    NameKind.PREFERRED: "preferred name",
}


def find_matches(
    viewer: User, candidate: Candidate, *, limit: int = 10, exclude: int | None = None
) -> list[Match]:
    """People who may be `candidate`, best first; only records the viewer may see, never
    merged-away records, and never the person `exclude` (when checking an existing record)."""
    query = _Query.of(candidate)
    ids = set(_retrieve(query)) - {exclude}
    if not ids or limit <= 0:
        return []
    scored = sorted(_score_all(query, persons_visible_to(viewer), ids), key=_rank)[:limit]
    people = Person.objects.in_bulk([s.person_id for s in scored])
    return [Match(person=people[s.person_id], score=s.score, reasons=s.reasons) for s in scored]


# --- the candidate, normalised -------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    forename: str
    surname: str
    forename_key: str
    surname_key: str
    initial: str
    date_of_birth: datetime.date | None
    dob_variants: dict[datetime.date, str]
    nhs_number: str
    postcode: str

    @classmethod
    def of(cls, candidate: Candidate) -> _Query:
        forename = candidate.forename.strip()
        letters = _plain(forename)
        nhs = normalise_nhs_number(candidate.nhs_number)
        dob = candidate.date_of_birth
        return cls(
            forename=forename,
            surname=candidate.surname.strip(),
            forename_key=name_key(forename),
            surname_key=name_key(candidate.surname),
            initial=letters[:1].upper(),
            date_of_birth=dob,
            dob_variants=dob_typos(dob) if dob else {},
            nhs_number=nhs if re.fullmatch(r"\d{10}", nhs) else "",
            postcode=normalise_postcode(candidate.postcode),
        )


def dob_typos(day: datetime.date) -> dict[datetime.date, str]:
    """Dates a mistyped `day` may have been: day and month swapped, or any one digit different.

    Only real dates from 1900 to today; {date: "swapped" | "one digit"}.
    """
    today = timezone.localdate()
    found: dict[datetime.date, str] = {}
    digits = day.strftime("%Y%m%d")
    for position in range(len(digits)):
        for digit in "0123456789":
            if digit == digits[position]:
                continue
            typed = digits[:position] + digit + digits[position + 1 :]
            other = _date(int(typed[:4]), int(typed[4:6]), int(typed[6:]))
            if other and datetime.date(1900, 1, 1) <= other <= today:
                found[other] = "one digit"
    swapped = _date(day.year, day.day, day.month)
    if swapped and swapped != day and swapped <= today:
        found[swapped] = "swapped"
    return found


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


# --- step 1: retrieve ----------------------------------------------------------------------------


def _retrieve(query: _Query) -> Iterator[int]:
    """Person ids worth scoring: a union of capped, indexed equality queries."""
    live = Person.objects.live()
    if query.nhs_number:
        yield from _capped(live.filter(nhs_number=query.nhs_number))
    if query.date_of_birth:
        yield from _capped(live.filter(date_of_birth=query.date_of_birth))
    if query.surname_key:
        names = PersonName.objects.filter(surname_key=query.surname_key)
        if query.forename_key:
            yield from _capped(names.filter(forename_key=query.forename_key), "person_id")
            # A forename misspelt past its phonetic key: the same initial, capped on its own so
            # a common initial cannot crowd out the exact key above.
            initial = names.filter(forename__istartswith=query.initial).exclude(
                forename_key=query.forename_key
            )
            yield from _capped(initial, "person_id", NAME_RETRIEVE_CAP)
        else:
            yield from _capped(names, "person_id", NAME_RETRIEVE_CAP)
    if query.postcode:
        yield from _capped(Address.objects.filter(postcode=query.postcode), "person_id")
    if query.dob_variants and (query.surname_key or query.forename_key):
        either = Q(surname_key=query.surname_key) if query.surname_key else Q()
        if query.forename_key:
            either |= Q(forename_key=query.forename_key)
        typos = PersonName.objects.filter(either, person__date_of_birth__in=query.dob_variants)
        yield from _capped(typos, "person_id")


def _capped(queryset: QuerySet[Any], column: str = "pk", cap: int = RETRIEVE_CAP) -> list[int]:
    # No ordering: a model's default order would make the database sort, or walk a name index.
    return list(queryset.order_by().values_list(column, flat=True)[:cap])


# --- step 2: score -------------------------------------------------------------------------------


@dataclass
class _Scored:
    person_id: int
    bits: float
    score: int
    reasons: list[str]
    sort_name: tuple[str, str]


def _rank(scored: _Scored) -> tuple[float, str, str, int]:
    return (-scored.bits, *scored.sort_name, scored.person_id)


def _score_all(query: _Query, visible: QuerySet[Person], ids: set[int]) -> list[_Scored]:
    people = list(
        visible.filter(pk__in=ids).values_list(
            "pk", "forename", "surname", "date_of_birth", "nhs_number"
        )
    )
    if not people:
        return []
    person_ids = [row[0] for row in people]
    names: dict[int, list[tuple[str, str, str, str, str]]] = defaultdict(list)
    for person_id, *name in PersonName.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "kind", "forename", "surname", "forename_key", "surname_key"
    ):
        names[person_id].append(tuple(name))  # type: ignore[arg-type]
    # {person: lives there now}, for people with an address (current or past) at the postcode.
    at_postcode: dict[int, bool] = {}
    today = timezone.localdate()
    if query.postcode:
        for person_id, end_date in Address.objects.filter(
            person_id__in=person_ids, postcode=query.postcode
        ).values_list("person_id", "end_date"):
            current = end_date is None or end_date >= today
            at_postcode[person_id] = at_postcode.get(person_id, False) or current
    scored = []
    for person_id, forename, surname, dob, nhs in people:
        person_names = names.get(person_id) or [
            (NameKind.LEGAL, forename, surname, name_key(forename), name_key(surname))
        ]
        bits, reasons = _evidence(query, person_names, dob, nhs, at_postcode.get(person_id))
        score = round(100 / (1 + 2 ** (PRIOR_BITS - bits)))
        scored.append(_Scored(person_id, bits, score, reasons, (surname, forename)))
    return scored


def _evidence(
    query: _Query,
    names: list[tuple[str, str, str, str, str]],
    dob: datetime.date | None,
    nhs: str,
    lives_at_postcode: bool | None,
) -> tuple[float, list[str]]:
    bits, reasons = 0.0, []

    def add(weight: float, reason: str) -> None:
        nonlocal bits
        bits += weight
        reasons.append(reason)

    if query.nhs_number and nhs:
        if nhs == query.nhs_number:
            add(NHS_SAME, "Same NHS number")
        else:
            add(NHS_DIFFERENT, "Different NHS number")
    if query.date_of_birth and dob:
        kind = "same" if dob == query.date_of_birth else query.dob_variants.get(dob)
        if kind == "same":
            add(DOB_SAME, "Same date of birth")
        elif kind == "swapped":
            add(DOB_SWAPPED, f"Date of birth with day and month swapped: {_long(dob)}")
        elif kind == "one digit":
            add(DOB_ONE_DIGIT, f"Date of birth one digit different: {_long(dob)}")
        else:
            add(DOB_DIFFERENT, f"Different date of birth: {_long(dob)}")
    for part in ("surname", "forename"):
        weight, reason = _best_name(query, names, part)
        if reason:
            add(weight, reason)
    if lives_at_postcode is not None:
        when = "current" if lives_at_postcode else "past"
        add(POSTCODE_SAME, f"Same postcode: {query.postcode} ({when} address)")
    return bits, reasons


def _best_name(
    query: _Query, names: list[tuple[str, str, str, str, str]], part: str
) -> tuple[float, str]:
    """The weight and reason of the person's name (of any kind) closest to the candidate's
    forename or surname. Legal names win ties, so "Same surname" is said when it is true."""
    wanted = query.surname if part == "surname" else query.forename
    wanted_key = query.surname_key if part == "surname" else query.forename_key
    if not _plain(wanted):
        return 0.0, ""
    same, similar, different = (
        (SURNAME_SAME, SURNAME_SIMILAR, SURNAME_DIFFERENT)
        if part == "surname"
        else (FORENAME_SAME, FORENAME_SIMILAR, FORENAME_DIFFERENT)
    )
    threshold = SURNAME_THRESHOLD if part == "surname" else FORENAME_THRESHOLD
    best: tuple[float, int, str] = (-math.inf, 0, "")
    for kind, forename, surname, forename_key, surname_key in names:
        value, key = (surname, surname_key) if part == "surname" else (forename, forename_key)
        if not _plain(value):
            continue
        label = KIND_LABELS.get(kind)  # type: ignore[call-overload]
        legal = 1 if label is None else 0
        suffix = f" ({label})" if label else ""
        exact, closeness = similarity(wanted, value, wanted_key, key, prefix=part == "forename")
        if exact:
            option = (same, legal, f"Same {part}" + (f": {value}{suffix}" if label else ""))
        elif closeness >= threshold:
            low, high = similar
            weight = low + (high - low) * min(1.0, (closeness - threshold) / (1 - threshold))
            option = (round(weight, 2), legal, f"Similar {part}: {value}{suffix}")
        elif part == "forename" and _plain(value)[:1] == _plain(wanted)[:1]:
            option = (FORENAME_INITIAL, legal, f"Same initial: {value[:1].upper()}{suffix}")
        else:
            option = (different, legal, "")
        best = max(best, option)
    if best[0] == -math.inf:
        return 0.0, ""
    return best[0], best[2] or f"Different {part}"


def similarity(
    wanted: str, value: str, wanted_key: str = "", key: str = "", *, prefix: bool = False
) -> tuple[bool, float]:
    """(exactly the same, similarity 0-1) of two names, ignoring case, accents and punctuation.

    Jaro-Winkler, raised for the same phonetic key ("Smith"/"Smyth"), a shared part of a
    double-barrelled or multi-part name ("Smith-Jones"/"Jones") and, for forenames, a short form
    ("Alex"/"Alexander").
    """
    a, b = _plain(wanted), _plain(value)
    if a == b:
        return True, 1.0
    score = jellyfish.jaro_winkler_similarity(a, b)
    if wanted_key and wanted_key == key:
        score = max(score, 0.92)
    if set(_parts(wanted)) & set(_parts(value)):
        score = max(score, 0.9)
    if prefix and min(len(a), len(b)) >= 2 and (a.startswith(b) or b.startswith(a)):
        score = max(score, 0.88)
    return False, score


def _plain(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name or "")
    return re.sub(r"[^a-z]", "", decomposed.lower())


def _parts(name: str) -> list[str]:
    return [p for p in (_plain(w) for w in re.split(r"[\s\-]+", name or "")) if len(p) > 1]


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"
