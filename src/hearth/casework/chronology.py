"""Assessments in the child's chronology: each start, and its authorisation with the outcome and
the child's words (significant: the decision that shaped the plan)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person

from .models import Assessment


def _excerpt(text: str, words: int = 40) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


@register_chronology_source("assessment", "Assessments")
def assessments(person: Person, viewer: User) -> Iterable[Entry]:
    rows = (
        Assessment.objects.filter(person=person)
        .select_related("worker", "authorised_by")
        .prefetch_related("factors")
    )
    for a in rows:
        url = reverse("casework:assessment", args=[a.pk])
        seen = (
            f"Child seen {a.child_seen_on:%-d %B %Y}" + (", alone." if a.seen_alone else ".")
            if a.child_seen_on
            else "Child not yet seen."
        )
        yield Entry(
            on=a.start_date,
            kind="assessment",
            title="Assessment started",
            detail=seen,
            url=url,
            by=a.worker.full_name,
        )
        if a.authorised_on:
            factors = ", ".join(f.get_code_display() for f in a.factors.all())
            words = f" The child said: “{_excerpt(a.child_views)}”" if a.child_views else ""
            yield Entry(
                on=a.authorised_on,
                kind="assessment",
                title=f"Assessment authorised: {a.get_outcome_display().lower()}",
                detail=f"{seen} Factors: {factors or 'none recorded'}.{words}",
                url=url,
                significant=True,
                by=a.authorised_by.full_name if a.authorised_by else "",
            )
