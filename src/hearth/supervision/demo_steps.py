"""The demo council's supervision: sessions held and cancelled over the history, the clock events
they record, case discussions about children the worker held at the time, their actions, and
managers' oversight of new allocations. Then every worker's supervision deadlines are derived.

Reads what earlier steps wrote: the workers on the clock and their joining, leaving, ASYE and leave
(`employment-clocks`, order 30) and lead allocations (order 120, one query; none is fine). The
scenario's `supervision_on_time` is the share of sessions held within the standard (4 weeks, 2 in
the ASYE); the rest are late, often after a cancelled session.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

from hearth.core.choices import RoleCode
from hearth.core.models import User
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step
from hearth.timescales import services as timescales
from hearth.timescales.models import ClockEvent
from hearth.timescales.rules import SubjectType
from hearth.timescales.selectors import local_periods, working_calendar
from hearth.workforce.codes import CaseRole, EndReason
from hearth.workforce.models import Allocation

from . import demo_text as text
from .models import (
    CancellationReason,
    CaseDiscussion,
    DiscussionAction,
    ManagementOversight,
    SessionStatus,
    SupervisionSession,
)

EMPLOYMENT_EVENTS = ("joined", "left", "asye-start", "asye-end", "leave-start", "leave-end")
CANCELLED_WHEN_LATE = 0.6  # a late session often follows one that was cancelled [estimate]
DISCUSSED_PER_SESSION = (1, 3)
ACTIONS_PER_DISCUSSION = (0, 2)
# Oversight of a new allocation: most in a well-run council, fewer where oversight is weak (Ofsted:
# "management oversight is not evident"); then a review every few months on long allocations.
OVERSIGHT_REVIEW_DAYS = (75, 120)
OVERSIGHT_REVIEW_SHARE = 0.5
REDERIVE_BATCH = 500


@dataclass
class Worker:
    user: User
    joined: dt.date
    left: dt.date | None = None
    asye: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    leave: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)

    def in_asye(self, day: dt.date) -> bool:
        return any(start <= day and (end is None or day < end) for start, end in self.asye)

    def on_leave(self, day: dt.date) -> tuple[dt.date, dt.date | None] | None:
        for start, end in self.leave:
            if start <= day and (end is None or day < end):
                return start, end
        return None


def insert_rows(
    ctx: GenerationContext, model: type[models.Model], rows: Sequence[dict[str, Any]]
) -> int:
    """Insert plain rows (attribute name -> value; absent fields take their default) in one
    executemany, counted like `ctx.bulk_create`. For rows whose primary keys are not needed back:
    the ORM's per-value compilation costs most of an insert (as `timescales.services._insert`
    found for deadlines)."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    unknown = set().union(*rows) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"Not fields of {model.__name__}: {sorted(unknown)}")
    now = timezone.now()
    # Per field: how its value is prepared ("stamp", "date", "prepare" or "as is"), and the
    # prepared value used when a row leaves it out.
    plan: list[tuple[str, models.Field[Any, Any], Any]] = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            plan.append(("stamp", f, f.get_db_prep_save(now, connection)))
        elif isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            plan.append(("date", f, connection.ops.adapt_datefield_value(f.get_default())))
        elif isinstance(f, models.DateTimeField | models.DecimalField | models.JSONField):
            plan.append(("prepare", f, f.get_db_prep_save(f.get_default(), connection)))
        else:  # text, numbers, booleans and keys go to the database as they are
            plan.append(("as is", f, f.get_db_prep_save(f.get_default(), connection)))
    adapt_date = connection.ops.adapt_datefield_value

    def values(row: dict[str, Any]) -> list[Any]:
        out = []
        for how, f, default in plan:
            if how == "stamp" or f.attname not in row:
                out.append(default)
            elif how == "date":
                out.append(adapt_date(row[f.attname]))
            elif how == "prepare":
                out.append(f.get_db_prep_save(row[f.attname], connection))
            else:
                out.append(row[f.attname])
        return out

    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names only)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [values(row) for row in rows])
    ctx.counts[model._meta.label_lower] += len(rows)
    return len(rows)


def _employed(user: User, day: dt.date) -> bool:
    return (user.employment_start is None or user.employment_start <= day) and (
        user.employment_end is None or day <= user.employment_end
    )


class Structure:
    """Who managed whom and when: team managers and senior practitioners by team membership."""

    def __init__(self, ctx: GenerationContext) -> None:
        self.users: dict[int, User] = {
            u.pk: u
            for u in [
                *(u for users in ctx.staff_by_role.values() for u in users),
                *ctx.former_staff,
            ]
        }
        roles: dict[int, set[str]] = defaultdict(set)
        wanted = (RoleCode.TEAM_MANAGER, RoleCode.SENIOR_PRACTITIONER)
        for user_id, code in User.roles.through.objects.filter(role__code__in=wanted).values_list(
            "user_id", "role__code"
        ):
            roles[user_id].add(code)
        self.roles = roles
        # (start, end, user) of each membership, by team; and each user's memberships.
        self.team_staff: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        self.memberships: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        for m in sorted(ctx.memberships, key=lambda m: (m.start_date, m.user_id)):
            self.team_staff[m.team_id].append((m.start_date, m.end_date, m.user_id))
            self.memberships[m.user_id].append((m.start_date, m.end_date, m.team_id))

    def holder(self, team_id: int, day: dt.date, role: str, exclude: int) -> int | None:
        for start, end, user_id in self.team_staff.get(team_id, ()):
            employed = start <= day and (end is None or day <= end)
            if employed and user_id != exclude and role in self.roles.get(user_id, ()):
                return user_id
        return None

    def team_on(self, user_id: int, day: dt.date) -> int | None:
        for start, end, team_id in self.memberships.get(user_id, ()):
            if start <= day and (end is None or day <= end):
                return team_id
        return None

    def _line_on(self, user: User, day: dt.date) -> int | None:
        manager_id = user.line_manager_id
        for _ in range(2):  # the line manager, or theirs when the post was vacant that day
            manager = self.users.get(manager_id) if manager_id else None
            if manager is None:
                return None
            if _employed(manager, day):
                return manager.pk
            manager_id = manager.line_manager_id
        return None

    def supervisor_on(self, user: User, day: dt.date) -> int | None:
        """The team manager that day; for a team manager, their own line manager; when the post
        was vacant, the line above or a senior practitioner deputising."""
        if RoleCode.TEAM_MANAGER in self.roles.get(user.pk, ()):
            return self._line_on(user, day)
        team_id = self.team_on(user.pk, day)
        if team_id is not None:
            manager = self.holder(team_id, day, RoleCode.TEAM_MANAGER, user.pk)
            if manager is not None:
                return manager
        line = self._line_on(user, day)
        if line is not None and line != user.pk:
            return line
        if team_id is not None:
            return self.holder(team_id, day, RoleCode.SENIOR_PRACTITIONER, user.pk)
        return None


def _workers(ctx: GenerationContext, structure: Structure) -> list[Worker]:
    """The workers on the supervision clock, from their employment events: one query."""
    found: dict[int, Worker] = {}
    asye_open: dict[int, dt.date] = {}
    leave_open: dict[int, dt.date] = {}
    rows = (
        ClockEvent.objects.filter(
            subject_type=SubjectType.WORKER,
            name__in=EMPLOYMENT_EVENTS,
            withdrawn_at__isnull=True,
        )
        .order_by("subject_id", "occurred_on", "id")
        .values_list("subject_id", "name", "occurred_on")
    )
    for subject_id, name, day in rows:
        user = structure.users.get(subject_id)
        if user is None:
            continue
        if name == "joined":
            found[subject_id] = Worker(user=user, joined=day)
            continue
        worker = found.get(subject_id)
        if worker is None:
            continue
        if name == "left":
            worker.left = day
        elif name == "asye-start":
            asye_open[subject_id] = day
        elif name == "asye-end" and subject_id in asye_open:
            worker.asye.append((asye_open.pop(subject_id), day))
        elif name == "leave-start":
            leave_open[subject_id] = day
        elif name == "leave-end" and subject_id in leave_open:
            worker.leave.append((leave_open.pop(subject_id), day))
    for subject_id, day in asye_open.items():
        found[subject_id].asye.append((day, None))
    for subject_id, day in leave_open.items():
        found[subject_id].leave.append((day, None))
    return [found[pk] for pk in sorted(found)]


def _weekday(day: dt.date, *, forward: bool) -> dt.date:
    """Sessions fall on weekdays: an on-time one moves back to Friday, a late one on to Monday."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1 if forward else -1)
    return day


@dataclass
class PlannedSession:
    worker: Worker
    supervisor_id: int
    day: dt.date
    status: str
    next_on: dt.date | None
    reason: str = ""


def _schedule(ctx: GenerationContext, worker: Worker, structure: Structure) -> list[PlannedSession]:
    """The worker's sessions from joining to leaving (or the reference date)."""
    rng, on_time = ctx.rng, ctx.scenario.supervision_on_time
    end = min(worker.left or ctx.reference_date, ctx.reference_date)
    planned: list[PlannedSession] = []
    day = worker.joined
    while day < end:
        interval = 14 if worker.in_asye(day) else 28
        target = _weekday(day + dt.timedelta(days=interval - rng.randint(0, 6)), forward=False)
        if target <= day:
            target = day + dt.timedelta(days=interval)
        cancelled: dt.date | None = None
        if rng.random() < on_time:
            held = target
        else:
            late = _weekday(day + dt.timedelta(days=interval + rng.randint(1, 28)), forward=True)
            if rng.random() < CANCELLED_WHEN_LATE:
                cancelled = target
            held = late
        leave = worker.on_leave(held) or (worker.on_leave(cancelled) if cancelled else None)
        if leave is not None:
            if leave[1] is None:
                break
            cancelled = None
            held = _weekday(leave[1] + dt.timedelta(days=rng.randint(0, 10)), forward=True)
        if cancelled is not None and cancelled < end:
            supervisor = structure.supervisor_on(worker.user, cancelled)
            if supervisor is not None:
                planned.append(
                    PlannedSession(
                        worker=worker,
                        supervisor_id=supervisor,
                        day=cancelled,
                        status=SessionStatus.CANCELLED,
                        next_on=held,
                        reason=text.cancellation_reason(rng),
                    )
                )
        if held >= end:
            break
        supervisor = structure.supervisor_on(worker.user, held)
        if supervisor is not None:
            next_interval = 14 if worker.in_asye(held) else 28
            planned.append(
                PlannedSession(
                    worker=worker,
                    supervisor_id=supervisor,
                    day=held,
                    status=SessionStatus.ATTENDED,
                    next_on=_weekday(held + dt.timedelta(days=next_interval), forward=False),
                )
            )
        day = held  # without a supervisor in post the session is missed: the clock runs on
    return planned


class HeldCases:
    """Lead allocations by worker, to find the children a worker held on a day: one query."""

    def __init__(self) -> None:
        self.by_worker: dict[int, list[tuple[dt.date, dt.date | None, int, int | None]]] = (
            defaultdict(list)
        )
        rows = (
            Allocation.objects.filter(role=CaseRole.LEAD_SOCIAL_WORKER)
            .exclude(end_reason=EndReason.ENTERED_IN_ERROR)
            .order_by("worker_id", "start_date", "person_id", "id")
            .values_list("worker_id", "start_date", "end_date", "person_id", "team_id")
        )
        for worker_id, start, end, person_id, team_id in rows:
            self.by_worker[worker_id].append((start, end, person_id, team_id))
        self.starts = {
            worker_id: [a[0] for a in allocations]
            for worker_id, allocations in self.by_worker.items()
        }

    def held_on(self, worker_id: int, day: dt.date) -> list[int]:
        allocations = self.by_worker.get(worker_id)
        if not allocations:
            return []
        upto = bisect.bisect_right(self.starts[worker_id], day)
        return [
            person_id
            for start, end, person_id, _ in allocations[:upto]
            if end is None or end >= day
        ]

    def all(self) -> Iterable[tuple[int, dt.date, dt.date | None, int, int | None]]:
        for worker_id in sorted(self.by_worker):
            for start, end, person_id, team_id in self.by_worker[worker_id]:
                yield worker_id, start, end, person_id, team_id


def _wellbeing(ctx: GenerationContext) -> int:
    strain = 1 - ctx.scenario.supervision_on_time  # 0.15 typical, 0.55 stressed
    weights = [
        0.02 + 0.2 * strain,
        0.08 + 0.3 * strain,
        0.35,
        0.42 - 0.35 * strain,
        0.13 - 0.15 * strain,
    ]
    return ctx.rng.choices(range(1, 6), weights=[max(w, 0.01) for w in weights])[0]


def _sessions(ctx: GenerationContext, planned: list[PlannedSession]) -> list[SupervisionSession]:
    rng = ctx.rng
    rows = []
    for p in planned:
        attended = p.status == SessionStatus.ATTENDED
        rating = _wellbeing(ctx) if attended else None
        rows.append(
            SupervisionSession(
                worker_id=p.worker.user.pk,
                supervisor_id=p.supervisor_id,
                session_date=p.day,
                status=p.status,
                cancellation_reason="" if attended else p.reason,
                cancellation_note=text.cancellation_note(rng)
                if p.reason == CancellationReason.OTHER
                else "",
                reflective_discussion=text.reflection(rng) if attended else "",
                wellbeing_rating=rating,
                wellbeing_notes=text.wellbeing_note(rng, rating) if rating else "",
                next_session_on=p.next_on if p.next_on and p.next_on > p.day else None,
                recorded_by_id=p.supervisor_id,
            )
        )
    return rows


def _discussions(
    ctx: GenerationContext, sessions: list[SupervisionSession], cases: HeldCases
) -> tuple[list[CaseDiscussion], list[tuple[int, SupervisionSession]]]:
    rng = ctx.rng
    discussions: list[CaseDiscussion] = []
    owners: list[tuple[int, SupervisionSession]] = []
    for session in sessions:
        if session.status != SessionStatus.ATTENDED:
            continue
        held = cases.held_on(session.worker_id, session.session_date)
        if not held:
            continue
        chosen = rng.sample(held, min(len(held), rng.randint(*DISCUSSED_PER_SESSION)))
        for person_id in sorted(chosen):
            summary, decision, rationale = text.case_discussion(rng)
            discussions.append(
                CaseDiscussion(
                    session_id=session.pk,
                    person_id=person_id,
                    summary=summary,
                    decision=decision,
                    rationale=rationale,
                    recorded_by_id=session.supervisor_id,
                )
            )
            owners.append((person_id, session))
    return discussions, owners


def _actions(
    ctx: GenerationContext,
    discussions: list[CaseDiscussion],
    sessions_of: list[tuple[int, SupervisionSession]],
) -> list[dict[str, Any]]:
    rng, today = ctx.rng, ctx.reference_date
    done_share = 0.55 + 0.4 * ctx.scenario.supervision_on_time
    actions = []
    for discussion, (_, session) in zip(discussions, sessions_of, strict=True):
        for _ in range(rng.randint(*ACTIONS_PER_DISCUSSION)):
            agreed = session.session_date
            due = agreed + dt.timedelta(days=rng.randint(5, 28))
            owner = session.worker_id if rng.random() < 0.8 else session.supervisor_id
            completed = None
            if due < today and rng.random() < done_share:
                took = rng.randint(1, (due - agreed).days + 10)
                completed = min(agreed + dt.timedelta(days=took), today)
            actions.append(
                {
                    "discussion_id": discussion.pk,
                    "description": text.action(rng),
                    "owner_id": owner,
                    "agreed_on": agreed,
                    "due_on": due,
                    "completed_on": completed,
                    "completed_by_id": owner if completed else None,
                }
            )
    return actions


def _oversight(
    ctx: GenerationContext, cases: HeldCases, structure: Structure
) -> list[dict[str, Any]]:
    """A manager's decision when a child is allocated, and reviews on some long allocations."""
    rng, today = ctx.rng, ctx.reference_date
    share = 0.3 + 0.6 * ctx.scenario.supervision_on_time
    rows = []
    for worker_id, start, end, person_id, team_id in cases.all():
        worker = structure.users.get(worker_id)
        if worker is None or rng.random() >= share:
            continue
        day = start + dt.timedelta(days=rng.randint(0, 5))
        last = min(end or today, today)
        first = True
        while day <= last:
            manager = None
            if team_id is not None:
                manager = structure.holder(team_id, day, RoleCode.TEAM_MANAGER, worker_id)
            manager = manager or structure.supervisor_on(worker, day)
            if manager is not None:
                decision, rationale = text.oversight(rng, first=first)
                rows.append(
                    {
                        "person_id": person_id,
                        "recorded_by_id": manager,
                        "oversight_on": day,
                        "decision": decision,
                        "rationale": rationale,
                    }
                )
            first = False
            if rng.random() >= share * OVERSIGHT_REVIEW_SHARE:
                break
            day += dt.timedelta(days=rng.randint(*OVERSIGHT_REVIEW_DAYS))
    return rows


@register_step("supervision", order=130)
def generate_supervision(ctx: GenerationContext) -> None:
    structure = Structure(ctx)
    workers = _workers(ctx, structure)
    planned = [s for worker in workers for s in _schedule(ctx, worker, structure)]
    sessions = ctx.bulk_create(_sessions(ctx, planned), desc="Supervision sessions")
    insert_rows(
        ctx,
        ClockEvent,
        [
            {
                "subject_type": SubjectType.WORKER.value,
                "subject_id": s.worker_id,
                "name": "supervision",
                "occurred_on": s.session_date,
                "source": s.clock_source,
            }
            for s in sessions
            if s.status == SessionStatus.ATTENDED
        ],
    )
    cases = HeldCases()
    discussions, sessions_of = _discussions(ctx, sessions, cases)
    discussions = ctx.bulk_create(discussions, desc="Case discussions")
    insert_rows(ctx, DiscussionAction, _actions(ctx, discussions, sessions_of))
    insert_rows(ctx, ManagementOversight, _oversight(ctx, cases, structure))

    calendar, local = working_calendar(), local_periods()
    subjects = [(str(SubjectType.WORKER), w.user.pk) for w in workers]
    written = 0
    for start in ctx.progress(
        range(0, len(subjects), REDERIVE_BATCH), desc="Supervision deadlines", unit="batch"
    ):
        written += timescales.rederive(
            subjects[start : start + REDERIVE_BATCH], calendar=calendar, local=local
        )
    ctx.counts["timescales.deadline"] += written
    ctx.summary["supervision_sessions"] = len(sessions)
    ctx.summary["supervision_deadlines"] = written
