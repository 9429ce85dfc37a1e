"""The visits section of a child's page: the next visit due (with the engine's explanation of the
date), when the child was last seen, and the latest visits with whether the child was seen (and
seen alone) and their words. Four queries whatever the number of visits."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from hearth.core.models import User
from hearth.people.models import Person
from hearth.people.panels import register_person_panel

from . import policies, selectors


@register_person_panel("visits", order=30, tab="casework")
def visits_panel(request: HttpRequest, person: Person) -> str:
    viewer: User = request.user  # type: ignore[assignment]
    return render_to_string(
        "visits/_person_panel.html",
        {
            "person": person,
            "visits": selectors.person_visits(viewer, person.pk),
            "may_record": policies.may_record(viewer),
        },
        request=request,
    )
