"""The case audits panel on a child's record: the open actions from audits until each is done, the
audits with their final grades, and the latest audit's findings (three queries)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from hearth.people.models import Person
from hearth.people.panels import register_person_panel

from .selectors import audits_of, open_actions_of


@register_person_panel("case-audits", order=80, tab="oversight")
def case_audits_panel(request: HttpRequest, person: Person) -> str:
    audits = list(audits_of(person)[:20])
    actions = list(open_actions_of(person))
    if not audits and not actions:
        return ""
    latest = max(
        (a for a in audits if a.submitted_at is not None),
        key=lambda a: a.submitted_at.timestamp() if a.submitted_at else 0.0,
        default=None,
    )
    findings = (
        list(latest.findings.filter(removed_at__isnull=True).order_by("kind", "id"))
        if latest
        else []
    )
    # Rendered without the request: the panel needs no context processors (no forms, no user).
    return render_to_string(
        "case_audits/_person_panel.html",
        {
            "person": person,
            "audits": audits,
            "actions": actions,
            "latest": latest,
            "findings": findings,
            "today": timezone.localdate(),
        },
    )
