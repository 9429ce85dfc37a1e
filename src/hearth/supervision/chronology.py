"""The child's chronology: case discussions in supervision and management oversight decisions,
both significant events (a decision about the child, with its reasons)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person

from . import selectors


@register_chronology_source("case-discussion", "Case discussions in supervision")
def case_discussions(person: Person, viewer: User) -> Iterable[Entry]:
    for d in selectors.discussions_about(person):
        actions = [
            f"Action: {a.description} ({a.owner.full_name}, by {a.due_on:%-d %B %Y}"
            + (f"; done {a.completed_on:%-d %B %Y})" if a.completed_on else ")")
            for a in d.actions.all()
        ]
        yield Entry(
            on=d.session.session_date,
            kind="case-discussion",
            title=f"Case discussed in supervision: {_first_line(d.decision)}",
            detail="\n".join(
                [d.summary, f"Decision: {d.decision}", f"Reasons: {d.rationale}", *actions]
            ),
            url=reverse("supervision:discussion", args=[d.pk]),
            significant=True,
            by=f"{d.session.supervisor.full_name} with {d.session.worker.full_name}",
        )


@register_chronology_source("management-oversight", "Management oversight")
def management_oversight(person: Person, viewer: User) -> Iterable[Entry]:
    for o in selectors.oversight_of(person):
        yield Entry(
            on=o.oversight_on,
            kind="management-oversight",
            title=f"Management oversight: {_first_line(o.decision)}",
            detail=f"Decision: {o.decision}\nReasons: {o.rationale}",
            url=reverse("people:detail", args=[person.pk]) + "#supervision",
            significant=True,
            by=o.recorded_by.full_name,
        )


def _first_line(text: str, limit: int = 80) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
