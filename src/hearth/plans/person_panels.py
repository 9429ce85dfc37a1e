"""The plans section of the child's page (Child in need tab): the child's plans, open first, each
with its open and overdue actions, and "Start a child in need plan" when no child in need or
child protection plan is open (census rule 4001). Two queries (the plans with their counts, and
the episodes a plan could start in)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.models import User
from hearth.people.models import Person
from hearth.people.panels import register_person_panel

from . import policies, selectors
from .codes import PlanKind


@register_person_panel("plans", order=30, tab="casework")
def plans_panel(request: HttpRequest, person: Person) -> str:
    viewer: User = request.user  # type: ignore[assignment]
    plans = selectors.plans_for_person(viewer, person)
    may_start = (
        policies.may_edit(viewer)
        and not any(p.kind in (PlanKind.CIN, PlanKind.CP) and p.end_date is None for p in plans)
        and ChildInNeedEpisode.objects.filter(person=person, referral_nfa=False).exists()
    )
    return render_to_string(
        "plans/_person_panel.html",
        {"person": person, "plans": plans, "may_start": may_start},
        request=request,
    )
