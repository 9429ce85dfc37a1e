"""Reads for the front door: the MASH queue and the manager's endorsement queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from hearth.core.models import User
from hearth.timescales import calendar as cal
from hearth.timescales.models import Deadline, DeadlineState
from hearth.timescales.selectors import working_calendar

from .models import Contact, ContactStatus
from .policies import contacts_visible_to

SORTS = {
    "oldest": ("received_at", "id"),
    "newest": ("-received_at", "-id"),
    "due": ("response_due", "received_at"),
    "rating": ("rating_order", "received_at"),
}


def with_queue_fields(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """Status, the earliest open response deadline and a rating order, all in the database."""
    due = Deadline.objects.filter(
        subject_type="contact", subject_id=OuterRef("pk"), state=DeadlineState.OPEN
    ).order_by("due_on")
    return contacts.annotate(
        queue_status=Case(
            When(~Q(decision=""), then=Value(ContactStatus.DECIDED.value)),
            When(~Q(recommendation=""), then=Value(ContactStatus.AWAITING_DECISION.value)),
            When(
                ~Q(consent="") & ~Q(rating="") & Q(person__isnull=False),
                then=Value(ContactStatus.AWAITING_CHECKS.value),
            ),
            default=Value(ContactStatus.AWAITING_SCREENING.value),
            output_field=CharField(),
        ),
        response_due=Subquery(due.values("due_on")[:1]),
        response_rule=Subquery(due.values("rule_code")[:1]),
        rating_order=Case(
            When(rating="red", then=Value(0)),
            When(rating="amber", then=Value(1)),
            When(rating="green", then=Value(2)),
            default=Value(3),
        ),
    )


@dataclass(frozen=True)
class QueueFilter:
    status: str = ""  # a ContactStatus value, or "" for every undecided contact
    rating: str = ""
    sort: str = "oldest"


def mash_queue(viewer: User, f: QueueFilter) -> QuerySet[Contact]:
    contacts = with_queue_fields(contacts_visible_to(viewer).select_related("submission", "person"))
    if f.status:
        contacts = contacts.filter(queue_status=f.status)  # type: ignore[misc]  # annotation
    else:
        contacts = contacts.exclude(queue_status=ContactStatus.DECIDED)  # type: ignore[misc]
    if f.rating:
        contacts = contacts.filter(rating=f.rating)
    return contacts.order_by(*SORTS.get(f.sort, SORTS["oldest"]))


def queue_counts(viewer: User) -> dict[str, int]:
    rows = (
        with_queue_fields(contacts_visible_to(viewer))
        .values("queue_status")  # type: ignore[misc]  # an annotation
        .annotate(n=Count("id"))
    )
    return {row["queue_status"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Age:
    hours: int
    working_days: int


def age_of(
    contact: Contact, now: dt.datetime | None = None, calendar: cal.WorkingCalendar | None = None
) -> Age:
    """How long a contact has waited: hours, and working days since the day it arrived."""
    now = now or timezone.now()
    calendar = calendar or working_calendar()
    end = contact.decided_at or now
    hours = int((end - contact.received_at).total_seconds() // 3600)
    days = calendar.working_days_between(
        contact.received_at.astimezone(cal.LONDON).date(), end.astimezone(cal.LONDON).date()
    )
    return Age(max(hours, 0), max(days, 0))
