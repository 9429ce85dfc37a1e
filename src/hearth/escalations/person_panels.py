"""The escalations section of a child's page: open ones first, each with its stage and deadline,
and "Raise an escalation" for those with a role on the child's case. Two queries."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from hearth.core.models import User
from hearth.people.models import Person
from hearth.people.panels import register_person_panel
from hearth.timescales import calendar as cal

from . import policies, selectors


@register_person_panel("escalations", order=70, tab="oversight")
def escalations_panel(request: HttpRequest, person: Person) -> str:
    viewer: User = request.user  # type: ignore[assignment]
    escalations = selectors.escalations_for_person(
        policies.escalations_visible_to(viewer), person.pk
    )
    may_raise = policies.may_raise(viewer, person)
    return render_to_string(
        "escalations/_person_panel.html",
        {
            "person": person,
            "escalations": escalations,
            "may_raise": may_raise,
            "today": timezone.now().astimezone(cal.LONDON).date(),
        },
        request=request,
    )
