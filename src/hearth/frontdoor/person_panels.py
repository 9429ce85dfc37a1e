from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from hearth.people.models import Person
from hearth.people.panels import register_person_panel

from .templatetags.frontdoor import person_involvement


@register_person_panel("front-door", order=90, tab="casework")
def involvement_panel(request: HttpRequest, person: Person) -> str:
    """Contacts, referrals and early help: the front door's history of the child."""
    context = person_involvement({"request": request}, person)  # type: ignore[arg-type]
    return render_to_string("frontdoor/_involvement.html", context, request=request)
