"""Evaluate rules against a subject's events: due dates, statuses and plain-English reasons.

Pure: events, a calendar and the council's local periods go in; occurrences come out. Because every
occurrence is derived from the events each time, a back-dated or corrected event re-derives every
deadline that depends on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from . import calendar as cal
from .rules import (
    EVENTS,
    Case,
    ClockContext,
    Event,
    Period,
    Rule,
    SubjectType,
    Unit,
    rules_for_subject,
)

# (rule code, case key) → the council's period for a local-practice rule.
LocalPeriods = Mapping[tuple[str, str], Period]
Moment = dt.date | dt.datetime


class Status(StrEnum):
    UPCOMING = "upcoming"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.UPCOMING: "Upcoming",
    Status.DUE_TODAY: "Due today",
    Status.OVERDUE: "Overdue",
    Status.MET_ON_TIME: "Met on time",
    Status.MET_LATE: "Met late",
    Status.NOT_APPLICABLE: "Not applicable",
}


class MissingEventError(ValueError):
    """The rule cannot be worked out without an event that was not given."""

    def __init__(self, rule: Rule, event: str) -> None:
        self.rule, self.event = rule, event
        super().__init__(
            f"{rule.code} needs {EVENTS.get(event, event)}: add --event {event}=YYYY-MM-DD"
        )


class MissingTimeError(ValueError):
    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        super().__init__(
            f"{rule.code} is counted in hours: give the start as a date and time with its zone, "
            "for example 2025-03-29T14:00+00:00"
        )


@dataclass(frozen=True)
class Occurrence:
    """One deadline: a period of a rule that runs from `anchor` and is met, open or closed."""

    rule: Rule
    clock: str  # which clock of the rule (window and start), stable across re-derivation
    sequence: int  # 1, 2, 3… for repeating rules
    start: Event  # the event that started the clock
    anchor: Event  # the event this period runs from (the start, or the last visit/review)
    case: Case
    period: Period
    due: Moment
    explanation: str
    met: Event | None = None
    closed_on: dt.date | None = None  # a window closed, the clock was cancelled or superseded
    closed_reason: str = ""
    applicable: bool = True

    @property
    def due_date(self) -> dt.date:
        return _day(self.due)

    @property
    def due_at(self) -> dt.datetime | None:
        return self.due if isinstance(self.due, dt.datetime) else None

    @property
    def is_open(self) -> bool:
        return self.applicable and self.met is None and self.closed_on is None

    @property
    def met_on_time(self) -> bool | None:
        if self.met is None:
            return None
        return _not_after(self.met.at, self.due)

    def status(self, now: dt.datetime) -> Status:
        """Status at `now` (a time zone-aware moment); only open deadlines change with time."""
        if not self.applicable:
            return Status.NOT_APPLICABLE
        if self.met is not None:
            return Status.MET_ON_TIME if self.met_on_time else Status.MET_LATE
        if self.closed_on is not None:
            # A clock closed after its due date was missed; one closed before it no longer applies.
            return Status.OVERDUE if self.closed_on > self.due_date else Status.NOT_APPLICABLE
        today = now.astimezone(cal.LONDON).date()
        if isinstance(self.due, dt.datetime):
            if now > self.due:
                return Status.OVERDUE
            return Status.DUE_TODAY if today == self.due_date else Status.UPCOMING
        if today > self.due:
            return Status.OVERDUE
        return Status.DUE_TODAY if today == self.due else Status.UPCOMING


# --- formatting ----------------------------------------------------------------------------------

NAMED_HOLIDAYS = {"Good Friday", "Easter Monday", "Christmas Day", "Boxing Day", "New Year's Day"}


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_date(day: dt.date) -> str:
    """9 May 2025 (whatever the process locale)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_moment(moment: Moment) -> str:
    if isinstance(moment, dt.datetime):
        local = moment.astimezone(cal.LONDON)
        return f"{format_date(local.date())} at {local:%H:%M}"
    return format_date(moment)


def iso(moment: Moment) -> str:
    if isinstance(moment, dt.datetime):
        return moment.astimezone(cal.LONDON).isoformat(timespec="minutes")
    return moment.isoformat()


def _holiday_words(day: dt.date, name: str) -> str:
    if name in NAMED_HOLIDAYS:
        return name
    if "(observed)" in name:
        return (
            f"{day.day} {MONTHS[day.month - 1]} (substitute for {name.replace(' (observed)', '')})"
        )
    return f"{day.day} {MONTHS[day.month - 1]}"


def join_words(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


# --- arithmetic ----------------------------------------------------------------------------------


def _day(moment: Moment) -> dt.date:
    if isinstance(moment, dt.datetime):
        return moment.astimezone(cal.LONDON).date() if moment.tzinfo else moment.date()
    return moment


def _not_after(a: Moment, b: Moment) -> bool:
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a <= b
    return _day(a) <= _day(b)


def _after(a: Moment, b: Moment) -> bool:
    return not _not_after(a, b)


def _as_instant(moment: Moment) -> dt.datetime:
    """A date on an hour clock counts from that day's start in London (the earliest it can be)."""
    if isinstance(moment, dt.datetime):
        return moment
    return dt.datetime.combine(moment, dt.time(0), tzinfo=cal.LONDON)


def add_period(calendar: cal.WorkingCalendar, start: Moment, period: Period) -> Moment:
    if period.unit is Unit.HOURS:
        return cal.add_hours(_as_instant(start), period.amount)
    day = _day(start)
    match period.unit:
        case Unit.WORKING_DAYS:
            return calendar.add_working_days(day, period.amount)
        case Unit.DAYS:
            return cal.add_days(day, period.amount)
        case Unit.WEEKS:
            return cal.add_weeks(day, period.amount)
        case Unit.MONTHS:
            return cal.add_months(day, period.amount)
        case Unit.TERMS:
            return cal.end_of_term_after(day, period.amount)
    raise ValueError(period.unit)  # pragma: no cover


def _extend(calendar: cal.WorkingCalendar, due: Moment, unit: Unit, days: int) -> Moment:
    """Push a due date out by the days paused; a working-day rule still lands on a working day."""
    if isinstance(due, dt.datetime):
        return due + dt.timedelta(days=days)
    moved = due + dt.timedelta(days=days)
    while unit is Unit.WORKING_DAYS and not calendar.is_working_day(moved):
        moved += dt.timedelta(days=1)
    return moved


# --- evaluation ----------------------------------------------------------------------------------


@dataclass
class _Window:
    index: int
    opened: Event | None
    closed: Event | None
    events: list[Event] = field(default_factory=list)


def _sort_key(event: Event) -> tuple[dt.date, float, str]:
    # Same-day events: timed ones in time order, dated ones first (as at the start of the day).
    at = event.at
    return (event.day, at.timestamp() if isinstance(at, dt.datetime) else 0.0, event.name)


def sort_events(events: Iterable[Event]) -> list[Event]:
    return sorted(events, key=_sort_key)


def _windows(rule: Rule, events: Sequence[Event]) -> list[_Window]:
    if rule.window is None:
        return [_Window(0, None, None, list(events))]
    windows: list[_Window] = []
    current: _Window | None = None
    for event in events:
        if current is None and event.name == rule.window.opens:
            current = _Window(len(windows), event, None)
            windows.append(current)
        if current is not None:
            current.events.append(event)
            if event.name in rule.window.closes and event is not current.opened:
                current.closed = event
                current = None
    return windows


def choose_case(
    rule: Rule, ctx: ClockContext, local: LocalPeriods, *, strict: bool
) -> tuple[Case, Period, str]:
    """The case whose condition holds first; its period (the council's, for a local rule)."""
    note = ""
    for case in rule.cases:
        if case.when is not None:
            missing = [n for n in case.when.needs if ctx.last(n) is None]
            if missing:
                if strict:
                    raise MissingEventError(rule, missing[0])
                # Never hide a deadline for want of data: use this (shorter) period and say why.
                note = (
                    f"{EVENTS.get(missing[0], missing[0])} is not recorded, so the more frequent "
                    "interval is used"
                )
                return case, _period(rule, case, local), note
            if not case.when.holds(ctx):
                continue
        return case, _period(rule, case, local), note
    raise AssertionError(f"{rule.code}: the last case must have no condition")  # pragma: no cover


def _period(rule: Rule, case: Case, local: LocalPeriods) -> Period:
    if rule.is_local:
        return local.get((rule.code, case.key), case.period)
    return case.period


def run_clock(
    rule: Rule,
    start: Event,
    events: Sequence[Event],
    calendar: cal.WorkingCalendar,
    local: LocalPeriods,
    *,
    closes: Event | None = None,
    clock: str = "0",
    used: set[int] | None = None,
    strict: bool = False,
    history: Sequence[Event] | None = None,
) -> list[Occurrence]:
    """Every period of one clock of `rule`, started by `start`, given the subject's sorted events.

    `events` are those of the clock's window; `history` (default: the same) is everything
    conditions may consult, such as a date of birth recorded long before the period of care.

    `closes` is the event that ends the clock's window (a plan ending). `used` holds the ids of
    meeting events another clock of the same rule counted, so one visit meets one deadline.
    """
    if (
        strict
        and any(c.period.is_hours for c in rule.cases)
        and not isinstance(start.at, dt.datetime)
    ):
        raise MissingTimeError(rule)
    used = used if used is not None else set()
    reason = ""
    if not _in_force(rule, start.day):
        reason = f"{_force_words(rule)}; {start.label} was on {format_date(start.day)}"
    elif rule.applies is not None and not rule.applies.holds(
        ClockContext(start=start, since=start.day, events=history or events)
    ):
        reason = f"only when {rule.applies.description}"
    if reason:
        period = _period(rule, rule.cases[-1], local)
        return [
            Occurrence(
                rule=rule,
                clock=clock,
                sequence=1,
                start=start,
                anchor=start,
                case=rule.cases[-1],
                period=period,
                due=add_period(calendar, start.at, period),
                explanation=f"{rule.short}: not applicable — {reason}.",
                applicable=False,
            )
        ]
    occurrences: list[Occurrence] = []
    anchor = start
    sequence = 1
    while True:
        ctx = ClockContext(start=start, since=anchor.day, events=history or events)
        case, period, note = choose_case(rule, ctx, local, strict=strict)
        due = add_period(calendar, anchor.at, period)
        reasons: list[str] = []
        if rule.then is not None:
            due = add_period(calendar, due, rule.then)
        if case.label and len(rule.cases) > 1:
            reasons.append(case.label)
        if note:
            reasons.append(note)
        counted_until = _day(add_period(calendar, anchor.at, period))  # skipped days are in here
        inclusive = sequence == 1 and start.name not in rule.met_by
        met = _first_meeting(rule, start, anchor, events, used, inclusive=inclusive, closes=closes)
        due, extra = _adjust(rule, start, anchor, due, met, events, calendar, period)
        reasons.extend(extra)
        if period.unit is Unit.WORKING_DAYS:
            skipped = calendar.holidays_between(_day(anchor.at), counted_until)
            if skipped:
                reasons.append(f"{join_words([_holiday_words(d, n) for d, n in skipped])} skipped")
        closed_on, closed_reason = _closure(rule, anchor, met, events, closes, start)
        explanation = _explain(rule, period, anchor, due, reasons, met, closed_on, closed_reason)
        if met is not None:
            used.add(id(met))
        occurrences.append(
            Occurrence(
                rule=rule,
                clock=clock,
                sequence=sequence,
                start=start,
                anchor=anchor,
                case=case,
                period=period,
                due=due,
                explanation=explanation,
                met=met,
                closed_on=closed_on,
                closed_reason=closed_reason,
            )
        )
        if not rule.repeats or met is None:
            return occurrences
        if closes is not None and not _after(closes.at, met.at):
            return occurrences  # met on the day the window closed: nothing further is due
        anchor, sequence = met, sequence + 1


def _in_force(rule: Rule, day: dt.date) -> bool:
    if rule.effective_from and day < rule.effective_from:
        return False
    return not (rule.effective_to and day > rule.effective_to)


def _force_words(rule: Rule) -> str:
    parts = []
    if rule.effective_from:
        parts.append(f"in force from {format_date(rule.effective_from)}")
    if rule.effective_to:
        parts.append(f"until {format_date(rule.effective_to)}")
    return " ".join(parts)


def _first_meeting(
    rule: Rule,
    start: Event,
    anchor: Event,
    events: Sequence[Event],
    used: set[int],
    *,
    inclusive: bool,
    closes: Event | None,
) -> Event | None:
    for event in events:
        if event.name not in rule.met_by or id(event) in used or event is anchor:
            continue
        if start.key and event.key and start.key != event.key:
            continue  # belongs to another record's clock (another placement, another referral)
        if inclusive:
            if not _not_after(anchor.at, event.at):
                continue
        elif not _after(event.at, anchor.at):
            continue
        if closes is not None and _after(event.at, closes.at):
            return None
        return event
    return None


def _adjust(
    rule: Rule,
    start: Event,
    anchor: Event,
    due: Moment,
    met: Event | None,
    events: Sequence[Event],
    calendar: cal.WorkingCalendar,
    period: Period,
) -> tuple[Moment, list[str]]:
    """Extensions granted, pauses taken and an earlier due-by event, each explained."""
    reasons: list[str] = []
    stop = met.at if met is not None else None
    if rule.extended_by is not None:
        name, extension = rule.extended_by
        grants = [
            e
            for e in events
            if e.name == name
            and _not_after(start.at, e.at)
            and (stop is None or _not_after(e.at, stop))
        ]
        for grant in grants:
            due = add_period(calendar, due, extension)
            reasons.append(f"extended by {extension.describe()} on {format_date(grant.day)}")
    if rule.paused_by:
        due, pause_reasons = _apply_pauses(rule, anchor, due, events, calendar, period)
        reasons.extend(pause_reasons)
    if rule.due_by_event is not None:
        ref = rule.due_by_event
        matching = [e for e in events if e.name == ref.event and _not_after(start.at, e.at)]
        if ref.nth is not None and len(matching) >= ref.nth:
            limit = matching[ref.nth - 1]
            if _after(due, limit.at):
                due = limit.day
                reasons.append(f"brought forward to {limit.label} on {format_date(limit.day)}")
    return due, reasons


def _apply_pauses(
    rule: Rule,
    anchor: Event,
    due: Moment,
    events: Sequence[Event],
    calendar: cal.WorkingCalendar,
    period: Period,
) -> tuple[Moment, list[str]]:
    spans: list[tuple[dt.date, dt.date | None]] = []
    open_from: dt.date | None = None
    for event in events:
        if event.name in rule.paused_by and open_from is None:
            open_from = event.day
        elif event.name in rule.resumed_by and open_from is not None:
            spans.append((open_from, event.day))
            open_from = None
    if open_from is not None:
        spans.append((open_from, None))
    reasons: list[str] = []
    counted: set[int] = set()
    changed = True
    while changed:  # an extension can reach a later pause
        changed = False
        for index, (begin, end) in enumerate(spans):
            if index in counted or begin > _day(due) or (end is not None and end <= anchor.day):
                continue
            counted.add(index)
            if end is None:
                reasons.append(f"paused since {format_date(begin)}")
                continue
            days = (end - max(begin, anchor.day)).days
            due = _extend(calendar, due, period.unit, days)
            reasons.append(f"paused from {format_date(begin)} to {format_date(end)}")
            changed = True
    return due, reasons


def _closure(
    rule: Rule,
    anchor: Event,
    met: Event | None,
    events: Sequence[Event],
    closes: Event | None,
    start: Event,
) -> tuple[dt.date | None, str]:
    if met is not None:
        return None, ""
    for event in events:
        same_record = event.key in ("", start.key)
        if event.name in rule.cancelled_by and _not_after(anchor.at, event.at) and same_record:
            return event.day, f"{event.label} on {format_date(event.day)}"
        if event.name in rule.paused_by and _not_after(anchor.at, event.at):
            resumed = any(e.name in rule.resumed_by and _after(e.at, event.at) for e in events)
            if not resumed:
                return event.day, f"paused by {event.label} on {format_date(event.day)}"
    if closes is not None:
        return closes.day, f"{closes.label} on {format_date(closes.day)}"
    return None, ""


def _explain(
    rule: Rule,
    period: Period,
    anchor: Event,
    due: Moment,
    reasons: list[str],
    met: Event | None,
    closed_on: dt.date | None,
    closed_reason: str,
) -> str:
    amount = period.describe()
    if rule.then is not None:
        amount = f"{amount} and then {rule.then.describe()}"
    since = f"{anchor.label} on {format_moment(anchor.at)}"
    text = f"{rule.short} due {format_moment(due)}: {amount} after {since}"
    if reasons:
        text += "; " + "; ".join(reasons)
    text += "."
    if met is not None:
        on_time = _not_after(met.at, due)
        text += f" {'Met' if on_time else 'Met late'} by {met.label} on {format_moment(met.at)}."
    elif closed_on is not None:
        text += f" Closed by {closed_reason}."
    return text


def evaluate(
    rule: Rule,
    events: Iterable[Event],
    calendar: cal.WorkingCalendar,
    local: LocalPeriods | None = None,
    *,
    strict: bool = False,
    presorted: bool = False,
) -> list[Occurrence]:
    """Every deadline of `rule` for a subject with these events (in any order)."""
    ordered = list(events) if presorted else sort_events(events)
    local = local or {}
    occurrences: list[Occurrence] = []
    used: set[int] = set()
    for window in _windows(rule, ordered):
        starts = [e for e in window.events if e.name == rule.starts_on.event]
        if rule.starts_on.nth is not None:
            starts = starts[rule.starts_on.nth - 1 : rule.starts_on.nth]
        for index, start in enumerate(starts):
            closes = window.closed
            if rule.restarts and index + 1 < len(starts):
                superseding = starts[index + 1]
                closes = (
                    superseding if closes is None or _after(closes.at, superseding.at) else closes
                )
            clock = f"{window.index}.{index}" if not start.key else f"{window.index}.{start.key}"
            occurrences.extend(
                run_clock(
                    rule,
                    start,
                    window.events,
                    calendar,
                    local,
                    closes=closes,
                    clock=clock,
                    used=used,
                    strict=strict,
                    history=ordered,
                )
            )
    return occurrences


def evaluate_subject(
    subject: SubjectType | str,
    events: Iterable[Event],
    calendar: cal.WorkingCalendar,
    local: LocalPeriods | None = None,
) -> list[Occurrence]:
    """Every deadline of every rule that applies to a subject of this type."""
    ordered = sort_events(events)
    names = {e.name for e in ordered}
    found: list[Occurrence] = []
    for rule in rules_for_subject(subject):
        if rule.starts_on.event in names:
            found.extend(evaluate(rule, ordered, calendar, local, presorted=True))
    return found
