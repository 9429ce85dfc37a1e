from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from hearth.people.models import Person
from hearth.people.panels import register_person_panel

from . import policies, selectors
from .codes import CaseRole


@register_person_panel("allocation", order=10, tab="summary")
def allocation_panel(request: HttpRequest, person: Person) -> str:
    """The lead social worker and others on the case, or a warning that the child is unallocated."""
    current = list(selectors.current_allocations(person))
    lead = next((a for a in current if a.role == CaseRole.LEAD_SOCIAL_WORKER), None)
    waiting = [] if lead else selectors.unallocated_children(person_ids=[person.pk])
    since = waiting[0].unallocated_since if waiting else None
    return render_to_string(
        "workforce/_person_panel.html",
        {
            "person": person,
            "lead": lead,
            "others": [a for a in current if a is not lead],
            "open_episode": bool(waiting),
            "unallocated_text": (
                f"Unallocated: no social worker since {since:%-d %B %Y}"
                if since
                else "Unallocated: no social worker"
            ),
            "may_manage": request.user.has_perm(policies.MANAGE),
        },
        request=request,
    )
