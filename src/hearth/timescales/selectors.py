"""Reads: the calendar and local periods the engine needs, and deadlines for work lists."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, Value, When
from django.utils import timezone

from hearth.core.models import Team, User

from . import calendar as cal
from .engine import LocalPeriods, Status
from .models import BankHoliday, Deadline, DeadlineState, LocalStandard
from .rules import RULES_IN_ORDER, Period, Rule, Unit

_calendar_lock = threading.Lock()
_calendar_cache: dict[str, object] = {}


def working_calendar() -> cal.WorkingCalendar:
    """England's working days from the bank holiday table; rebuilt only when the table changes."""
    stamp = BankHoliday.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    key = f"{stamp['n']}:{stamp['latest']}"
    with _calendar_lock:
        if _calendar_cache.get("key") != key:
            holidays = dict(
                BankHoliday.objects.filter(withdrawn_at__isnull=True).values_list("date", "name")
            )
            _calendar_cache["calendar"] = cal.WorkingCalendar(holidays)
            _calendar_cache["key"] = key
        calendar = _calendar_cache["calendar"]
    assert isinstance(calendar, cal.WorkingCalendar)
    return calendar


def local_periods() -> LocalPeriods:
    return {
        (s.rule_code, s.case_key): Period(s.amount, Unit(s.unit))
        for s in LocalStandard.objects.all()
    }


@dataclass(frozen=True)
class RuleReference:
    """A rule as the reference page shows it: with the council's period for local rules."""

    rule: Rule
    cases: list[tuple[str, Period, Period]]  # (why, council's period, default period)


def rule_reference() -> list[RuleReference]:
    local = local_periods()
    rows = []
    for rule in RULES_IN_ORDER:
        cases = [
            (
                case.label,
                local.get((rule.code, case.key), case.period) if rule.is_local else case.period,
                case.period,
            )
            for case in rule.cases
        ]
        rows.append(RuleReference(rule, cases))
    return rows


def local_standard_list() -> QuerySet[LocalStandard]:
    return LocalStandard.objects.all()


def bank_holiday_list(*, year: int | None = None) -> QuerySet[BankHoliday]:
    holidays = BankHoliday.objects.select_related("added_by")
    if year is not None:
        holidays = holidays.filter(date__year=year)
    return holidays


def bank_holiday_years() -> list[int]:
    return sorted({d.year for d in BankHoliday.objects.dates("date", "year")})


# --- deadlines ---------------------------------------------------------------------------------


def with_status(
    deadlines: QuerySet[Deadline], *, now: dt.datetime | None = None
) -> QuerySet[Deadline]:
    """Annotate `status` in the database as the engine would at `now` (open ones age daily)."""
    now = now or timezone.now()
    today = now.astimezone(cal.LONDON).date()
    return deadlines.annotate(
        status=Case(
            When(state=DeadlineState.NOT_APPLICABLE, then=Value(Status.NOT_APPLICABLE.value)),
            When(state=DeadlineState.MET, met_late=False, then=Value(Status.MET_ON_TIME.value)),
            When(state=DeadlineState.MET, then=Value(Status.MET_LATE.value)),
            When(
                Q(state=DeadlineState.CLOSED) & Q(closed_on__gt=F("due_on")),
                then=Value(Status.OVERDUE.value),
            ),
            When(state=DeadlineState.CLOSED, then=Value(Status.NOT_APPLICABLE.value)),
            When(due_at__lt=now, then=Value(Status.OVERDUE.value)),
            When(due_on__lt=today, then=Value(Status.OVERDUE.value)),
            When(due_on=today, then=Value(Status.DUE_TODAY.value)),
            default=Value(Status.UPCOMING.value),
            output_field=CharField(),
        )
    )


@dataclass(frozen=True)
class DeadlineFilter:
    worker: User | None = None
    team: Team | None = None
    service_area: str = ""
    subject: tuple[str, int] | None = None
    rule_codes: tuple[str, ...] = ()
    overdue_only: bool = False
    due_within_days: int | None = None  # open deadlines due by today + N days


def deadlines_due(f: DeadlineFilter, *, now: dt.datetime | None = None) -> QuerySet[Deadline]:
    """Open deadlines, soonest first, by worker, team, service or subject: one query, indexed."""
    now = now or timezone.now()
    today = now.astimezone(cal.LONDON).date()
    deadlines = Deadline.objects.filter(state=DeadlineState.OPEN).select_related("worker", "team")
    if f.worker is not None:
        deadlines = deadlines.filter(worker=f.worker)
    if f.team is not None:
        deadlines = deadlines.filter(team=f.team)
    if f.service_area:
        deadlines = deadlines.filter(service_area=f.service_area)
    if f.subject is not None:
        deadlines = deadlines.filter(subject_type=f.subject[0], subject_id=f.subject[1])
    if f.rule_codes:
        deadlines = deadlines.filter(rule_code__in=f.rule_codes)
    if f.overdue_only:
        deadlines = deadlines.filter(Q(due_on__lt=today) | Q(due_at__lt=now))
    elif f.due_within_days is not None:
        deadlines = deadlines.filter(due_on__lte=today + dt.timedelta(days=f.due_within_days))
    return with_status(deadlines, now=now).order_by("due_on", "due_at", "rule_code", "id")


def deadlines_for_subject(
    subject_type: str, subject_id: int, *, now: dt.datetime | None = None
) -> QuerySet[Deadline]:
    """Every deadline of one child or worker, open and past: the record's timescales tab."""
    return with_status(
        Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id), now=now
    ).order_by("-due_on", "rule_code", "sequence")


def overdue_counts(*, by: str, now: dt.datetime | None = None) -> dict[object, int]:
    """Overdue open deadlines counted by `worker`, `team` or `service_area`, in the database."""
    if by not in {"worker", "team", "service_area"}:
        raise ValueError(by)
    now = now or timezone.now()
    today = now.astimezone(cal.LONDON).date()
    rows = (
        Deadline.objects.filter(state=DeadlineState.OPEN)
        .filter(Q(due_on__lt=today) | Q(due_at__lt=now))
        .values(by)
        .annotate(n=Count("id"))
    )
    return {row[by]: row["n"] for row in rows}
