from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from hearth.people.models import Person
from hearth.people.panels import register_person_panel

from . import policies, selectors


@register_person_panel("cin-episodes", order=10, tab="casework")
def episodes_panel(request: HttpRequest, person: Person) -> str:
    """The child's child in need episodes, newest first, with their assessments (three queries)."""
    episodes = selectors.episodes_for_person(person)
    user = request.user
    return render_to_string(
        "casework/_person_panel.html",
        {
            "person": person,
            "episodes": episodes,
            "may_refer": user.has_perm(policies.EDIT)
            and not any(e.closure_date is None for e in episodes),
        },
        request=request,
    )
