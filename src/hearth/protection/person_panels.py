"""The child protection tab of the child's page: strategy discussions, section 47 enquiries,
conferences and child protection plans, with the deadlines the timescale engine works out and the
next step as a link. A fixed number of queries, however long the child's history."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from hearth.core.models import User
from hearth.people.models import Person
from hearth.people.panels import register_person_panel

from . import policies
from .codes import LEGAL_GATEWAY_MONTHS
from .selectors.oversight import child_protection_summary


@register_person_panel("child-protection", order=10, tab="protection")
def child_protection_panel(request: HttpRequest, person: Person) -> str:
    viewer: User = request.user  # type: ignore[assignment]
    summary = child_protection_summary(person, timezone.localdate())
    return render_to_string(
        "protection/_person_panel.html",
        {
            "person": person,
            "s": summary,
            "may_edit": policies.may_edit(viewer),
            "may_chair": policies.may_chair(viewer),
            "months": LEGAL_GATEWAY_MONTHS,
        },
        request=request,
    )
