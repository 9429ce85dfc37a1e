"""Escalations in the child's chronology: raised (significant), each stage reached, answered,
the raiser's reply, resolved (significant) and withdrawn. One query. Escalations withdrawn as
entered in error are left out: they never happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person
from hearth.timescales import calendar as cal

from . import policies
from .models import EscalationStage, RaiserReply, Status

KIND = "escalations"


def on(moment: dt.datetime) -> dt.date:
    return moment.astimezone(cal.LONDON).date()


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@register_chronology_source(KIND, "Escalations")
def escalation_entries(person: Person, viewer: User) -> Iterable[Entry]:
    rows = (
        EscalationStage.objects.filter(
            escalation__person=person,
            escalation__entered_in_error=False,
            escalation__in=policies.escalations_visible_to(viewer).values("pk"),
        )
        .select_related("escalation__raised_by", "escalation__resolved_by", "owner", "responded_by")
        .order_by("escalation_id", "stage")
    )
    seen: set[int] = set()
    for row in rows:
        e = row.escalation
        url = reverse("escalations:detail", args=[e.pk])
        stage = row.get_stage_display().lower()
        owner = row.owner.full_name

        first = e.pk not in seen
        seen.add(e.pk)
        if first:
            yield Entry(
                on=on(e.raised_at),
                at=e.raised_at,
                kind=KIND,
                title=f"Escalation {e.reference} raised by {e.raised_by.full_name} "
                f"({e.get_raiser_role_display().lower()}) with {owner}, {stage}",
                detail=f"{_excerpt(e.concern)}\nOutcome sought: {_excerpt(e.outcome_sought)}",
                url=url,
                significant=True,
                by=e.raised_by.full_name,
            )
        else:
            why = (
                "It was not answered in time at the stage below."
                if row.rose_automatically
                else "The raiser did not accept the answer at the stage below."
            )
            yield Entry(
                on=on(row.started_at),
                at=row.started_at,
                kind=KIND,
                title=f"Escalation {e.reference} went to {owner}, {stage}",
                detail=why,
                url=url,
            )
        if row.responded_at is not None and row.responded_by is not None:
            late = on(row.responded_at) > row.due_on
            yield Entry(
                on=on(row.responded_at),
                at=row.responded_at,
                kind=KIND,
                title=f"Escalation {e.reference} answered at the {stage} stage"
                + (" (late)" if late else ""),
                detail=_excerpt(row.response),
                url=url,
                by=row.responded_by.full_name,
            )
        if row.raiser_replied_at is not None:
            accepted = row.raiser_reply == RaiserReply.ACCEPTED
            yield Entry(
                on=on(row.raiser_replied_at),
                at=row.raiser_replied_at,
                kind=KIND,
                title=f"{e.raised_by.full_name} "
                f"{'accepted' if accepted else 'did not accept'} the answer to escalation "
                f"{e.reference}",
                detail=_excerpt(row.raiser_comment),
                url=url,
                by=e.raised_by.full_name,
            )
        last = row.stage == e.stage
        if last and e.status == Status.RESOLVED and e.resolved_at is not None:
            yield Entry(
                on=on(e.resolved_at),
                at=e.resolved_at,
                kind=KIND,
                title=f"Escalation {e.reference} resolved",
                detail=_excerpt(e.resolution),
                url=url,
                significant=True,
                by=e.resolved_by.full_name if e.resolved_by else "",
            )
        if last and e.status == Status.WITHDRAWN and e.withdrawn_at is not None:
            yield Entry(
                on=on(e.withdrawn_at),
                at=e.withdrawn_at,
                kind=KIND,
                title=f"Escalation {e.reference} withdrawn",
                detail=_excerpt(e.withdrawal_reason),
                url=url,
                by=e.raised_by.full_name,
            )
