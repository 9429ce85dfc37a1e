"""The child's record page: case discussions from supervision and management oversight.

Never the reflective discussion or the wellbeing check: those stay with the session.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from hearth.core.models import User
from hearth.people.models import Person
from hearth.people.panels import register_person_panel

from . import policies, selectors

SHOWN = 5  # the latest of each; the chronology has them all


@register_person_panel("supervision", order=60, tab="oversight")
def supervision_panel(request: HttpRequest, person: Person) -> str:
    """Two queries for a child with none of either, at most seven with a long history."""
    viewer: User = request.user  # type: ignore[assignment]
    discussions = selectors.discussions_about(person)
    oversight = selectors.oversight_of(person)
    latest_discussions = list(discussions[: SHOWN + 1])
    latest_oversight = list(oversight[: SHOWN + 1])
    may_oversee = viewer.has_perm(policies.MANAGE)
    editable: set[int] = set()
    if may_oversee and latest_oversight:
        editable = set(
            oversight.filter(pk__in=[o.pk for o in latest_oversight])
            .filter(Q(recorded_by=viewer) | policies.above_in_line("recorded_by", viewer))
            .values_list("pk", flat=True)
        )
    return render_to_string(
        "supervision/_person_panel.html",
        {
            "person": person,
            "discussions": latest_discussions[:SHOWN],
            "discussion_count": _count(discussions, latest_discussions),
            "oversight": latest_oversight[:SHOWN],
            "oversight_count": _count(oversight, latest_oversight),
            "editable": editable,
            "may_oversee": may_oversee,
            "today": timezone.localdate(),
        },
        request=request,
    )


def _count(rows: QuerySet[Any], first: list[Any]) -> int:
    """How many there are: counted only when there are more than are shown."""
    return len(first) if len(first) <= SHOWN else rows.count()
