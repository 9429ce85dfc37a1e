"""Writes: bank holidays, local standards, clock events, and re-deriving deadlines from events.

The one entry point for later issues is `record_event` (and `withdraw_event`): call it in the
transaction that saves the real record; it re-derives that subject's deadlines.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from typing import Any

import holidays as holidays_package
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import Team, User
from hearth.core.services import model_update

from . import calendar as cal
from .engine import LocalPeriods, Occurrence, evaluate_subject
from .models import (
    BankHoliday,
    ClockEvent,
    ClockSubject,
    Deadline,
    DeadlineState,
    HolidaySource,
    LocalStandard,
)
from .rules import EVENTS, RULES_IN_ORDER, Event, SubjectType, Unit, get_rule
from .selectors import local_periods, working_calendar

Subject = tuple[str, int]

# The published calendar is copied for these years; the table grows as the years pass.
HOLIDAY_YEARS_BACK = 15
HOLIDAY_YEARS_AHEAD = 10


# --- bank holidays -----------------------------------------------------------------------------


def sync_bank_holidays(*, years: Iterable[int] | None = None) -> int:
    """Copy England's bank holidays from the `holidays` package into the table; returns rows added.

    Existing dates are left alone, so an administrator's additions and withdrawals survive.
    """
    if years is None:
        this_year = timezone.localdate().year
        years = range(this_year - HOLIDAY_YEARS_BACK, this_year + HOLIDAY_YEARS_AHEAD + 1)
    published = holidays_package.country_holidays("GB", subdiv="ENG", years=list(years))
    existing = set(BankHoliday.objects.values_list("date", flat=True))
    new = [
        BankHoliday(date=day, name=name[:100], source=HolidaySource.PACKAGE)
        for day, name in sorted(published.items())
        if day not in existing
    ]
    BankHoliday.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def bank_holiday_add(*, actor: User, date: dt.date, name: str) -> BankHoliday:
    """An announced one-off bank holiday; every deadline running over it is re-derived."""
    existing = BankHoliday.objects.filter(date=date).first()
    if existing is not None and existing.withdrawn_at is None:
        raise ValidationError({"date": f"{existing.name} is already a bank holiday on this date"})
    if date.weekday() >= 5:
        raise ValidationError({"date": "This date is a weekend: it is not a working day already"})
    if existing is not None:
        holiday = model_update(
            actor=actor,
            instance=existing,
            data={
                "name": name,
                "withdrawn_at": None,
                "withdrawn_reason": "",
                "added_by": actor,
                "source": HolidaySource.ADMINISTRATOR,
            },
            detail="Bank holiday restored",
        )
    else:
        holiday = BankHoliday(
            date=date, name=name, source=HolidaySource.ADMINISTRATOR, added_by=actor
        )
        holiday.full_clean()
        holiday.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=holiday,
            changes={"date": [None, date.isoformat()], "name": [None, name]},
        )
    rederive_around(date)
    return holiday


@transaction.atomic
def bank_holiday_withdraw(
    *, actor: User, holiday: BankHoliday, reason: str, expected_version: int | None = None
) -> BankHoliday:
    """Withdraw an administrator's entry (entered in error). Published holidays stay as they are."""
    if holiday.source != HolidaySource.ADMINISTRATOR:
        raise ValidationError("Published bank holidays cannot be withdrawn: only ones added here")
    if holiday.withdrawn_at is not None:
        raise ValidationError("This bank holiday has already been withdrawn")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the bank holiday is being withdrawn"})
    holiday = model_update(
        actor=actor,
        instance=holiday,
        data={"withdrawn_at": timezone.now(), "withdrawn_reason": reason.strip()},
        expected_version=expected_version,
        action=AuditAction.ARCHIVE,
    )
    rederive_around(holiday.date)
    return holiday


def rederive_around(day: dt.date) -> int:
    """Re-derive every subject with a deadline whose count could have crossed `day`."""
    subjects = (
        Deadline.objects.filter(starts_on__lt=day)
        .filter(Q(due_on__gte=day) | Q(met_on__gte=day) | Q(state=DeadlineState.OPEN))
        .values_list("subject_type", "subject_id")
        .distinct()
    )
    return rederive(list(subjects))


# --- local standards ---------------------------------------------------------------------------


def sync_local_standards() -> int:
    """A row per case of every local rule, at its default, for the council to change."""
    existing = set(LocalStandard.objects.values_list("rule_code", "case_key"))
    new = [
        LocalStandard(
            rule_code=rule.code, case_key=case.key, amount=case.period.amount, unit=case.period.unit
        )
        for rule in RULES_IN_ORDER
        if rule.is_local
        for case in rule.cases
        if (rule.code, case.key) not in existing
    ]
    LocalStandard.objects.bulk_create(new)
    return len(new)


# A council's standard must stay a standard: nothing longer than these.
LOCAL_LIMITS = {Unit.WORKING_DAYS: 130, Unit.DAYS: 183, Unit.WEEKS: 26, Unit.MONTHS: 6}
# Only a working-day standard may be 0 ("the same working day", as for a red-rated contact).
LOCAL_MINIMUM = {Unit.WORKING_DAYS: 0}


@transaction.atomic
def local_standard_update(
    *, actor: User, standard: LocalStandard, amount: int, unit: str, expected_version: int | None
) -> LocalStandard:
    rule = get_rule(standard.rule_code)
    if not rule.is_local:
        raise ValidationError("This is a statutory timescale: it cannot be changed locally")
    try:
        chosen = Unit(unit)
    except ValueError:
        raise ValidationError({"unit": "Choose working days, days, weeks or months"}) from None
    limit = LOCAL_LIMITS.get(chosen)
    if limit is None:
        raise ValidationError({"unit": "Choose working days, days, weeks or months"})
    low = LOCAL_MINIMUM.get(chosen, 1)
    if not low <= amount <= limit:
        raise ValidationError(
            {"amount": f"Enter a period between {low} and {limit} {chosen.value.replace('_', ' ')}"}
        )
    standard = model_update(
        actor=actor,
        instance=standard,
        data={"amount": amount, "unit": chosen.value},
        expected_version=expected_version,
        detail=f"Local standard for {rule.code}",
    )
    rederive(
        list(
            Deadline.objects.filter(rule_code=rule.code)
            .values_list("subject_type", "subject_id")
            .distinct()
        )
    )
    return standard


# --- events and responsibility -----------------------------------------------------------------


def _validate_event(name: str, at: dt.date | dt.datetime) -> None:
    if name not in EVENTS:
        raise ValidationError(f"Unknown clock event {name!r}")
    if isinstance(at, dt.datetime) and timezone.is_naive(at):
        raise ValidationError("Give event times with their time zone")


@transaction.atomic
def record_event(
    *,
    subject_type: SubjectType | str,
    subject_id: int,
    name: str,
    at: dt.date | dt.datetime,
    key: str = "",
    attributes: Mapping[str, Any] | None = None,
    source: str = "",
) -> ClockEvent:
    """Tell the engine something happened (or that its date was corrected); re-derives the subject.

    With a `source`, recording again for the same source and name corrects the earlier event.
    """
    _validate_event(name, at)
    occurred_on = at.astimezone(cal.LONDON).date() if isinstance(at, dt.datetime) else at
    values = {
        "occurred_on": occurred_on,
        "occurred_at": at if isinstance(at, dt.datetime) else None,
        "key": key,
        "attributes": dict(attributes or {}),
        "withdrawn_at": None,
    }
    if source:
        event, _ = ClockEvent.objects.update_or_create(
            subject_type=subject_type,
            subject_id=subject_id,
            name=name,
            source=source,
            defaults=values,
        )
    else:
        event = ClockEvent.objects.create(
            subject_type=subject_type, subject_id=subject_id, name=name, source=source, **values
        )
    rederive([(str(subject_type), subject_id)])
    return event


@transaction.atomic
def withdraw_event(
    *, subject_type: SubjectType | str, subject_id: int, source: str, name: str = ""
) -> int:
    """The record behind these events was withdrawn (entered in error); deadlines re-derive."""
    events = ClockEvent.objects.filter(
        subject_type=subject_type, subject_id=subject_id, source=source, withdrawn_at__isnull=True
    )
    if name:
        events = events.filter(name=name)
    count = events.update(withdrawn_at=timezone.now())
    rederive([(str(subject_type), subject_id)])
    return count


@transaction.atomic
def set_responsibility(
    *,
    subject_type: SubjectType | str,
    subject_id: int,
    worker: User | None,
    team: Team | None,
    service_area: str = "",
) -> ClockSubject:
    """Who answers for a subject's deadlines (allocation calls this); work lists follow at once."""
    service_area = service_area or (team.service_area if team else "")
    subject, _ = ClockSubject.objects.update_or_create(
        subject_type=subject_type,
        subject_id=subject_id,
        defaults={"worker": worker, "team": team, "service_area": service_area},
    )
    Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id).update(
        worker=worker, team=team, service_area=service_area
    )
    return subject


# --- deriving ----------------------------------------------------------------------------------


def _to_event(row: ClockEvent) -> Event:
    return Event(
        name=row.name,
        at=row.occurred_at or row.occurred_on,
        key=row.key,
        attributes=row.attributes or {},
    )


def _deadline(subject: Subject, occurrence: Occurrence, owner: ClockSubject | None) -> Deadline:
    met = occurrence.met
    if not occurrence.applicable:
        state = DeadlineState.NOT_APPLICABLE
    elif met is not None:
        state = DeadlineState.MET
    elif occurrence.closed_on is not None:
        state = DeadlineState.CLOSED
    else:
        state = DeadlineState.OPEN
    return Deadline(
        subject_type=subject[0],
        subject_id=subject[1],
        rule_code=occurrence.rule.code,
        clock=occurrence.clock[:100],
        sequence=occurrence.sequence,
        state=state,
        starts_on=occurrence.anchor.day,
        due_on=occurrence.due_date,
        due_at=occurrence.due_at,
        met_on=met.day if met is not None else None,
        met_at=met.at if met is not None and isinstance(met.at, dt.datetime) else None,
        met_late=None if met is None else not occurrence.met_on_time,
        closed_on=occurrence.closed_on,
        explanation=occurrence.explanation,
        worker_id=owner.worker_id if owner else None,
        team_id=owner.team_id if owner else None,
        service_area=owner.service_area if owner else "",
    )


def derive(
    subjects: Iterable[Subject],
    *,
    calendar: cal.WorkingCalendar | None = None,
    local: LocalPeriods | None = None,
) -> list[Deadline]:
    """The deadlines of these subjects from their events (unsaved): three queries for any number."""
    subjects = list(subjects)
    if not subjects:
        return []
    calendar = calendar or working_calendar()
    local = local if local is not None else local_periods()
    by_type: dict[str, list[int]] = defaultdict(list)
    for subject_type, subject_id in subjects:
        by_type[subject_type].append(subject_id)
    events: dict[Subject, list[Event]] = defaultdict(list)
    owners: dict[Subject, ClockSubject] = {}
    for subject_type, ids in by_type.items():
        rows = ClockEvent.objects.filter(
            subject_type=subject_type, subject_id__in=ids, withdrawn_at__isnull=True
        ).order_by("occurred_on", "occurred_at", "id")
        for row in rows:
            events[(subject_type, row.subject_id)].append(_to_event(row))
        for owner in ClockSubject.objects.filter(subject_type=subject_type, subject_id__in=ids):
            owners[(subject_type, owner.subject_id)] = owner
    deadlines = []
    for subject in subjects:
        for occurrence in evaluate_subject(subject[0], events.get(subject, []), calendar, local):
            deadlines.append(_deadline(subject, occurrence, owners.get(subject)))
    return deadlines


@transaction.atomic
def rederive(
    subjects: Iterable[Subject],
    *,
    calendar: cal.WorkingCalendar | None = None,
    local: LocalPeriods | None = None,
) -> int:
    """Replace these subjects' deadlines with ones derived from their events; returns the count."""
    subjects = sorted(dict.fromkeys((str(t), int(i)) for t, i in subjects))
    if not subjects:
        return 0
    by_type: dict[str, list[int]] = defaultdict(list)
    for subject_type, subject_id in subjects:
        by_type[subject_type].append(subject_id)
    _lock(by_type)
    deadlines = derive(subjects, calendar=calendar, local=local)
    for subject_type, ids in by_type.items():
        Deadline.objects.filter(subject_type=subject_type, subject_id__in=ids).delete()
    _insert(deadlines)
    return len(deadlines)


def _insert(deadlines: list[Deadline]) -> None:
    """One executemany for the batch: derived rows skip the ORM's per-value compilation, which
    cost three quarters of a rebuild (SQLite allows only ~50 rows per bulk_create statement)."""
    if not deadlines:
        return
    fields = [f for f in Deadline._meta.concrete_fields if not f.primary_key]
    connection = connections[router.db_for_write(Deadline)]
    now = timezone.now()
    for deadline in deadlines:
        deadline.derived_at = now
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(Deadline._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names only)
    rows = [
        [f.get_db_prep_save(getattr(d, f.attname), connection) for f in fields] for d in deadlines
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _lock(by_type: Mapping[str, list[int]]) -> None:
    """Serialise re-derivation per subject: two saves for one child at once must not both insert.

    The lock is taken before the events are read, so the second sees the first's events.
    """
    ClockSubject.objects.bulk_create(
        [ClockSubject(subject_type=t, subject_id=i) for t, ids in by_type.items() for i in ids],
        ignore_conflicts=True,
    )
    for subject_type, ids in sorted(by_type.items()):
        list(
            ClockSubject.objects.select_for_update()
            .filter(subject_type=subject_type, subject_id__in=ids)
            .order_by("subject_id")
            .values_list("id", flat=True)
        )


def all_subjects() -> list[Subject]:
    """Every subject with events or with deadlines (so deadlines of withdrawn events go too)."""
    with_events = ClockEvent.objects.values_list("subject_type", "subject_id").distinct()
    with_deadlines = Deadline.objects.values_list("subject_type", "subject_id").distinct()
    return sorted({*with_events, *with_deadlines})


def _batches(items: list[Subject], size: int) -> Iterable[list[Subject]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def rebuild_deadlines(
    *, batch_size: int = 500, progress: Callable[[int], object] | None = None
) -> tuple[int, int]:
    """Rebuild every deadline from the events, a batch of subjects per transaction.

    Idempotent: running it twice gives the same table. Returns (subjects, deadlines).
    """
    calendar, local = working_calendar(), local_periods()
    subjects = all_subjects()
    written = 0
    for batch in _batches(subjects, batch_size):
        written += rederive(batch, calendar=calendar, local=local)
        if progress is not None:
            progress(len(batch))
    return len(subjects), written
