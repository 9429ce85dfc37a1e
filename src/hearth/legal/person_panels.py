"""The legal section of the child's page (tab "Child protection", after the child protection
panel): care proceedings with their week count, pre-proceedings, legal gateway meetings and
emergency protection, and links to record each. Four queries whatever the history's length."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from hearth.core.models import User
from hearth.people.models import Person
from hearth.people.panels import register_person_panel

from . import policies, selectors


@register_person_panel("legal", order=50, tab="protection")
def legal_panel(request: HttpRequest, person: Person) -> str:
    viewer: User = request.user  # type: ignore[assignment]
    return render_to_string(
        "legal/_person_panel.html",
        {
            "person": person,
            "legal": selectors.legal_for_person(viewer, person),
            "may_edit": policies.may_edit(viewer),
        },
        request=request,
    )
