"""Visits in the child's chronology: each visit, titled with whether the child was seen (and
seen alone), the child's words as the detail. A visit where the child was not seen is significant.
Withdrawn visits (recorded in error) are left out: they did not happen. One query."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person

from . import selectors
from .models import Visit
from .policies import visits_visible_to

KIND = "visit"


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def title(visit: Visit) -> str:
    """ "Child in need visit: child seen alone", "Child protection visit: child not seen"."""
    return f"{visit.get_kind_display()}: {visit.seen_summary[:1].lower()}{visit.seen_summary[1:]}"


@register_chronology_source(KIND, "Visits")
def visit_entries(person: Person, viewer: User) -> Iterable[Entry]:
    visits = (
        visits_visible_to(viewer)
        .filter(person=person, withdrawn_at__isnull=True)
        .select_related("worker")
        .order_by("visited_at", "pk")
    )
    for visit in visits:
        if visit.child_seen:
            detail = f"“{_excerpt(visit.child_views)}”" if visit.child_views else ""
        else:
            detail = f"Not seen: {_excerpt(visit.reason_not_seen)}"
        yield Entry(
            on=selectors.today(visit.visited_at),
            at=visit.visited_at,
            kind=KIND,
            title=title(visit),
            detail=detail,
            url=reverse("visits:detail", args=[visit.pk]),
            significant=not visit.child_seen,
            by=visit.worker.full_name,
        )
