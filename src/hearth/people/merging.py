"""Merging two records found to be one person, and undoing it exactly.

A merge re-points every row that refers to the merged record (found by walking the foreign keys to
`Person`, so rows of apps written later move too) and its timescale clock events to the kept record,
and marks the merged record `merged_into` the kept one. Nothing is deleted or rewritten: the merged
record stays, with its own fields, as a merged-away record.

`PersonMerge.moved` lists what happened, so undo is exact:

- ``"app_label.model.field": [ids]``: rows re-pointed from the merged record to the kept one;
- ``"left_on_merged": {"app_label.model.field": [ids]}``: rows that stay on the merged record
  because the kept record already has their equal (its legal name, the same disability code, a
  current membership of the same family, the same named member of staff; a clock event from the
  same source), or because they are an ended relationship between the two records;
- ``"created": {"app_label.model": [ids]}``: rows the merge made, which undo removes: the merged
  record's legal name, added to the kept record as an alias so that searches find it.

Who may merge is the caller's business (the views check the permission).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, ForeignObjectRel, Q
from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.timescales.models import ClockEvent
from hearth.timescales.rules import SubjectType
from hearth.timescales.services import rederive

from .codes import NameKind
from .models import Person, PersonMerge, PersonName, Relationship
from .services import name_key

CLOCK_EVENTS = "timescales.clockevent.subject_id"
LEFT, CREATED = "left_on_merged", "created"


@transaction.atomic
def merge_people(*, actor: User, kept: Person, merged: Person, reason: str) -> PersonMerge:
    """Merge `merged` into `kept`: every row of both stays, now under `kept`; see the module."""
    kept, merged = _lock(kept, merged)
    _refuse_merge(kept, merged, reason)
    left = _left_on_merged(kept, merged)
    moved: dict[str, Any] = {}
    with _conflicts_refused("merged"):
        for label, model, fk in _references():
            query = model._base_manager.filter(**{fk.attname: merged.pk})
            ids = sorted(query.exclude(pk__in=left.get(label, [])).values_list("pk", flat=True))
            if ids:
                _repoint(model, fk, ids, merged.pk, kept.pk)
                moved[label] = ids
        events = _clock_events(merged).exclude(pk__in=left.get(CLOCK_EVENTS, []))
        event_ids = sorted(events.values_list("pk", flat=True))
        if event_ids:
            ClockEvent.objects.filter(pk__in=event_ids).update(subject_id=kept.pk)
            moved[CLOCK_EVENTS] = event_ids
    alias = _alias_for_legal_name(kept, merged)
    if alias is not None:
        moved[CREATED] = {"people.personname": [alias.pk]}
    if left:
        moved[LEFT] = left
    _mark(merged, merged_into=kept.pk)
    merge = PersonMerge.objects.create(
        kept=kept, merged=merged, reason=reason.strip(), moved=moved, performed_by=actor
    )
    rederive([(SubjectType.CHILD, kept.pk), (SubjectType.CHILD, merged.pk)])
    counts = _counts(moved)
    _audit(
        actor,
        kept,
        merge,
        f"Merged {_describe(merged)} into this record: {merge.reason}",
        {
            "merged_records": [None, merged.pk],
            "rows_moved": [None, counts],
            **({"alias_added": [None, str(alias)]} if alias else {}),
        },
    )
    _audit(
        actor,
        merged,
        merge,
        f"Merged into {_describe(kept)}: {merge.reason}",
        {"merged_into": [None, kept.pk], "rows_moved": [None, counts]},
    )
    return merge


@transaction.atomic
def undo_merge(*, actor: User, merge: PersonMerge) -> PersonMerge:
    """Move exactly the rows the merge moved back to the merged record, and make it live again.

    Rows added to the kept record since the merge stay on it.
    """
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    kept, merged = _lock(merge.kept, merge.merged)
    if merge.undone_at is not None:
        raise ValidationError("This merge has already been undone")
    if merged.merged_into_id != kept.pk:
        raise ValidationError(f"{_describe(merged)} is no longer merged into {_describe(kept)}")
    if kept.merged_into_id is not None:
        raise ValidationError(
            f"{_describe(kept)} has since been merged into another record: undo that merge first"
        )
    models_by_label = {label: (model, fk) for label, model, fk in _references()}
    with _conflicts_refused("undone"):
        for label, ids in _moves(merge.moved):
            if label == CLOCK_EVENTS:
                _clock_events(kept).filter(pk__in=ids).update(subject_id=merged.pk)
                continue
            if label not in models_by_label:
                raise ValidationError(
                    f"Rows of {label} cannot be moved back: that table no longer refers to people"
                )
            model, fk = models_by_label[label]
            _repoint(model, fk, ids, kept.pk, merged.pk)
        for label, ids in merge.moved.get(CREATED, {}).items():
            apps.get_model(label)._base_manager.filter(pk__in=ids).delete()
    _mark(merged, merged_into=None)
    merge.undone_by = actor
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    rederive([(SubjectType.CHILD, kept.pk), (SubjectType.CHILD, merged.pk)])
    counts = _counts(merge.moved)
    _audit(
        actor,
        kept,
        merge,
        f"Merge undone: {_describe(merged)} is a separate record again",
        {
            "merged_records": [merged.pk, None],
            "rows_moved_back": [None, counts],
            **(
                {"created_rows_removed": [merge.moved[CREATED], None]}
                if CREATED in merge.moved
                else {}
            ),
        },
    )
    _audit(
        actor,
        merged,
        merge,
        f"Merge undone: no longer merged into {_describe(kept)}",
        {"merged_into": [kept.pk, None], "rows_moved_back": [None, counts]},
    )
    return merge


# --- refusals ------------------------------------------------------------------------------------


def _refuse_merge(kept: Person, merged: Person, reason: str) -> None:
    if kept.pk == merged.pk:
        raise ValidationError("A record cannot be merged with itself")
    for person in (merged, kept):
        if person.merged_into_id is not None:
            raise ValidationError(
                f"{_describe(person)} has already been merged into another record"
            )
    if not reason.strip():
        raise ValidationError({"reason": "Enter why these records are the same person"})
    limit = PersonMerge._meta.get_field("reason").max_length or 0
    if len(reason.strip()) > limit:
        raise ValidationError({"reason": f"Enter a reason of {limit} characters or fewer"})
    if kept.is_restricted != merged.is_restricted:
        restricted = kept if kept.is_restricted else merged
        raise ValidationError(
            f"{_describe(restricted)} is restricted and the other record is not: restrict both "
            "records, or lift the restriction, before merging them"
        )
    open_episodes = ChildInNeedEpisode.objects.filter(
        person__in=[kept, merged], closure_date__isnull=True
    )
    if len(set(open_episodes.values_list("person_id", flat=True))) == 2:
        raise ValidationError(
            "Both records have an open child in need episode: reconcile the episodes and close "
            "one of them before merging"
        )
    between = Relationship.objects.filter(
        Q(from_person=kept, to_person=merged) | Q(from_person=merged, to_person=kept),
        end_date__isnull=True,
    )
    if between.exists():
        raise ValidationError(
            "The two records are recorded as related to each other: end that relationship "
            "before merging, so the person is not related to themselves"
        )


# --- the rows that refer to a person --------------------------------------------------------------


def _references() -> Iterator[tuple[str, type[models.Model], models.ForeignKey[Any, Any]]]:
    """("app_label.model.field", model, foreign key) for every foreign key or one-to-one to
    Person, of every installed app, except a person's own `merged_into` and PersonMerge's."""
    for relation in Person._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or relation.many_to_many:
            continue  # many-to-many: its through table's foreign keys are listed themselves
        fk, model = relation.field, relation.field.model
        if not isinstance(fk, models.ForeignKey) or model in (Person, PersonMerge):
            continue
        yield f"{model._meta.label_lower}.{fk.name}", model, fk


def _left_on_merged(kept: Person, merged: Person) -> dict[str, list[int]]:
    """Rows of the merged record that cannot move: the kept record already has their equal under
    a unique constraint, or they are a (necessarily ended) relationship between the two."""
    left: dict[str, list[int]] = defaultdict(list)
    for label, model, fk in _references():
        for fields, condition in _unique_with(model, fk):
            others = [f for f in fields if f != fk.name]
            kept_rows = model._base_manager.filter(condition, **{fk.attname: kept.pk})
            merged_rows = model._base_manager.filter(condition, **{fk.attname: merged.pk})
            if not others:  # one such row per person: any row of the kept record is its equal
                if kept_rows.exists():
                    left[label].extend(merged_rows.values_list("pk", flat=True))
                continue
            taken = set(kept_rows.values_list(*others))
            for pk, *values in merged_rows.values_list("pk", *others):
                if tuple(values) in taken:
                    left[label].append(pk)
    between = Relationship.objects.filter(
        Q(from_person=kept, to_person=merged) | Q(from_person=merged, to_person=kept)
    )
    for row in between.values("pk", "from_person_id"):
        side = "from_person" if row["from_person_id"] == merged.pk else "to_person"
        left[f"people.relationship.{side}"].append(row["pk"])
    kept_sources = set(_clock_events(kept).exclude(source="").values_list("name", "source"))
    for pk, name, source in (
        _clock_events(merged).exclude(source="").values_list("pk", "name", "source")
    ):
        if (name, source) in kept_sources:
            left[CLOCK_EVENTS].append(pk)
    return {label: sorted(set(ids)) for label, ids in left.items()}


def _unique_with(
    model: type[models.Model], fk: models.ForeignKey[Any, Any]
) -> Iterator[tuple[list[str], Q]]:
    """The model's unique field sets that include `fk`, with the condition each applies under."""
    if fk.unique:  # one-to-one
        yield [fk.name], Q()
    for together in model._meta.unique_together:
        if fk.name in together:
            yield list(together), Q()
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and fk.name in constraint.fields:
            yield list(constraint.fields), constraint.condition or Q()


def _repoint(
    model: type[models.Model],
    fk: models.ForeignKey[Any, Any],
    ids: list[int],
    from_id: int,
    to_id: int,
) -> None:
    """Point these rows' `fk` from one person to the other (rows no longer on `from_id` stay)."""
    values: dict[str, Any] = {fk.attname: to_id}
    if any(f.name == "version" for f in model._meta.concrete_fields):
        values["version"] = F("version") + 1  # an edit begun before the move is refused
    model._base_manager.filter(pk__in=ids, **{fk.attname: from_id}).update(**values)


def _clock_events(person: Person) -> models.QuerySet[ClockEvent]:
    return ClockEvent.objects.filter(subject_type=SubjectType.CHILD, subject_id=person.pk)


def _moves(moved: dict[str, Any]) -> Iterator[tuple[str, list[int]]]:
    for label, ids in moved.items():
        if label not in (LEFT, CREATED):
            yield label, ids


def _alias_for_legal_name(kept: Person, merged: Person) -> PersonName | None:
    """The merged record's legal name, as an alias of the kept one, unless it already has it."""
    forename, surname = merged.forename.strip(), merged.surname.strip()
    known = {
        (f.strip().lower(), s.strip().lower())
        for f, s in kept.names.values_list("forename", "surname")
    }
    if (forename.lower(), surname.lower()) in known:
        return None
    return PersonName.objects.create(
        person=kept,
        kind=NameKind.ALIAS,
        forename=forename,
        surname=surname,
        forename_key=name_key(forename),
        surname_key=name_key(surname),
    )


# --- helpers -------------------------------------------------------------------------------------


@contextmanager
def _conflicts_refused(what: str) -> Iterator[None]:
    """A database constraint the checks above did not foresee refuses the merge (or its undo)
    with a message, and the savepoint leaves nothing half-moved."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        raise ValidationError(
            f"The records cannot be {what}: moving their rows would break a rule of the "
            f"database ({error})"
        ) from None


def _lock(kept: Person, merged: Person) -> tuple[Person, Person]:
    """Both records, fresh and locked (in id order, so two merges cannot deadlock)."""
    rows = Person.objects.select_for_update().filter(pk__in=[kept.pk, merged.pk]).order_by("pk")
    by_id = {p.pk: p for p in rows}
    return by_id[kept.pk], by_id[merged.pk]


def _mark(person: Person, *, merged_into: int | None) -> None:
    Person.objects.filter(pk=person.pk).update(
        merged_into_id=merged_into, version=F("version") + 1, updated_at=timezone.now()
    )
    person.refresh_from_db()


def _counts(moved: dict[str, Any]) -> dict[str, int]:
    return {label: len(ids) for label, ids in _moves(moved)}


def _describe(person: Person) -> str:
    return f"{person.full_name} ({person.child_id})"


def _audit(
    actor: User, person: Person, merge: PersonMerge, detail: str, changes: audit.FieldChanges
) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=person,
        person_id=person.pk,
        changes={"merge": [None, merge.pk], **changes},
        detail=detail,
    )
