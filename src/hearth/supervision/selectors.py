"""Reads for supervision: deadlines from the timescale engine, a worker's record, a team's overview
and the child's record. Every function costs a fixed number of queries, whatever the number of
workers or sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from hearth.core.models import Team, User
from hearth.people.models import Person
from hearth.people.policies import persons_visible_to
from hearth.timescales import calendar as cal
from hearth.timescales.engine import Status
from hearth.timescales.models import Deadline, DeadlineState
from hearth.timescales.rules import SubjectType
from hearth.timescales.selectors import with_status
from hearth.workforce.codes import EndReason
from hearth.workforce.models import Allocation

from . import policies
from .models import (
    CaseDiscussion,
    DiscussionAction,
    ManagementOversight,
    SessionStatus,
    SupervisionSession,
)

RULE = "supervision"


def _today(now: dt.datetime | None) -> dt.date:
    return (now or timezone.now()).astimezone(cal.LONDON).date()


def supervision_deadlines() -> QuerySet[Deadline]:
    """Every worker's supervision deadlines, past and open."""
    return Deadline.objects.filter(subject_type=SubjectType.WORKER, rule_code=RULE)


def supervision_overdue(
    *, workers: QuerySet[User], now: dt.datetime | None = None
) -> QuerySet[Deadline]:
    """The open supervision deadlines of these workers that are past due, oldest first, annotated
    with `status` (always "overdue" here): one query."""
    now = now or timezone.now()
    return with_status(
        supervision_deadlines()
        .filter(
            state=DeadlineState.OPEN,
            due_on__lt=_today(now),
            subject_id__in=workers.order_by().values("pk"),
        )
        .select_related("worker", "team"),
        now=now,
    ).order_by("due_on", "subject_id")


def next_supervision_due(worker: User, *, now: dt.datetime | None = None) -> Deadline | None:
    """The worker's open supervision deadline (with `status`), or None when no clock runs (they
    have no start recorded, or are on long leave)."""
    return (
        with_status(
            supervision_deadlines().filter(subject_id=worker.pk, state=DeadlineState.OPEN),
            now=now,
        )
        .order_by("due_on", "id")
        .first()
    )


@dataclass(frozen=True)
class OnTime:
    on_time: int
    decided: int  # met, or missed (past due and still open, or closed after the due date)

    @property
    def rate(self) -> float | None:
        return self.on_time / self.decided if self.decided else None


def on_time_counts(
    deadlines: QuerySet[Deadline], *, since: dt.date, until: dt.date, today: dt.date
) -> OnTime:
    """Of the deadlines falling due from `since` to `until` (inclusive) whose outcome is known on
    `today`, how many were met on time: one query."""
    window = deadlines.filter(due_on__gte=since, due_on__lte=until)
    met_on_time = Q(state=DeadlineState.MET, met_late=False)
    decided = (
        Q(state=DeadlineState.MET)
        | Q(state=DeadlineState.OPEN, due_on__lt=today)
        | Q(state=DeadlineState.CLOSED, closed_on__gt=F("due_on"))
    )
    figures = window.aggregate(
        on_time=Count("id", filter=met_on_time), decided=Count("id", filter=decided)
    )
    return OnTime(figures["on_time"], figures["decided"])


def supervision_on_time_rate(
    *, since: dt.date, until: dt.date, today: dt.date | None = None
) -> float | None:
    """The share of supervision deadlines falling due from `since` to `until` that were met on
    time, or None when none fell due. A deadline still open after its date counts as missed; one
    not yet due, or closed by long leave or leaving before its date, is left out."""
    return on_time_counts(
        supervision_deadlines(), since=since, until=until, today=today or timezone.localdate()
    ).rate


# --- a worker's record ---------------------------------------------------------------------------


def sessions_of(worker: User, *, viewer: User) -> QuerySet[SupervisionSession]:
    """The worker's sessions the viewer may see, newest first, with their live case discussions
    counted."""
    return (
        policies.sessions_visible_to(viewer)
        .filter(worker=worker)
        .select_related("supervisor")
        .annotate(
            discussion_count=Count("discussions", filter=Q(discussions__withdrawn_at__isnull=True))
        )
        .order_by("-session_date", "-id")
    )


def worker_on_time(worker: User, *, today: dt.date | None = None) -> OnTime:
    """The worker's supervision in the last 12 months: deadlines met on time of those decided."""
    today = today or timezone.localdate()
    return on_time_counts(
        supervision_deadlines().filter(subject_id=worker.pk),
        since=today - dt.timedelta(days=365),
        until=today,
        today=today,
    )


def open_actions_for(worker: User, *, viewer: User) -> QuerySet[DiscussionAction]:
    """Actions from case discussions that the worker owns and has not done, about children the
    viewer may see, soonest due first."""
    return (
        DiscussionAction.objects.filter(
            owner=worker,
            completed_on__isnull=True,
            discussion__in=policies.discussions_visible_to(viewer),
        )
        .select_related("discussion__person", "discussion__session")
        .order_by("due_on", "id")
    )


def children_held_by(worker: User, *, viewer: User) -> QuerySet[Person]:
    """The children the worker now holds (any role on the case), that the viewer may see."""
    held = Allocation.objects.filter(worker=worker, end_date__isnull=True).values("person")
    return persons_visible_to(viewer).filter(pk__in=held).order_by("surname", "forename", "pk")


def children_discussable(worker: User, *, viewer: User) -> QuerySet[Person]:
    """Children whose case may be discussed in the worker's supervision: those they hold or have
    held, that the viewer may see; current ones first in the form."""
    held = (
        Allocation.objects.filter(worker=worker)
        .exclude(end_reason=EndReason.ENTERED_IN_ERROR)
        .values("person")
    )
    return persons_visible_to(viewer).filter(pk__in=held)


# --- a team or a manager's reports ---------------------------------------------------------------


@dataclass(frozen=True)
class MemberSupervision:
    worker: User
    last_session: dt.date | None
    next_due: Deadline | None

    @property
    def overdue(self) -> bool:
        return self.next_due is not None and self.next_due.status == Status.OVERDUE  # type: ignore[attr-defined]


def supervision_summary(
    workers: QuerySet[User], *, now: dt.datetime | None = None
) -> list[MemberSupervision]:
    """For each worker: the last session held, and the open supervision deadline: two queries."""
    last = SupervisionSession.objects.filter(
        worker=OuterRef("pk"), status=SessionStatus.ATTENDED, withdrawn_at__isnull=True
    ).order_by("-session_date")
    rows = list(
        workers.annotate(last_session_on=Subquery(last.values("session_date")[:1])).order_by(
            "last_name", "first_name", "pk"
        )
    )
    due: dict[int, Deadline] = {}
    open_deadlines = with_status(
        supervision_deadlines().filter(
            state=DeadlineState.OPEN, subject_id__in=[w.pk for w in rows]
        ),
        now=now,
    ).order_by("-due_on")
    for deadline in open_deadlines:
        due[deadline.subject_id] = deadline  # the earliest open one wins
    return [
        MemberSupervision(worker=w, last_session=w.last_session_on, next_due=due.get(w.pk))
        for w in rows
    ]


def team_members(team: Team) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__team=team, memberships__end_date__isnull=True
    ).distinct()


def direct_reports(manager: User) -> QuerySet[User]:
    return User.objects.filter(is_active=True, line_manager=manager)


# --- the child's record --------------------------------------------------------------------------


def discussions_about(person: Person) -> QuerySet[CaseDiscussion]:
    """The child's live case discussions, newest first, with the session's people and the actions:
    two queries."""
    return (
        CaseDiscussion.objects.filter(
            person=person, withdrawn_at__isnull=True, session__withdrawn_at__isnull=True
        )
        .select_related("session__worker", "session__supervisor")
        .prefetch_related(
            Prefetch("actions", queryset=DiscussionAction.objects.select_related("owner"))
        )
        .order_by("-session__session_date", "-id")
    )


def oversight_of(person: Person) -> QuerySet[ManagementOversight]:
    return (
        ManagementOversight.objects.filter(person=person, withdrawn_at__isnull=True)
        .select_related("recorded_by")
        .order_by("-oversight_on", "-id")
    )
