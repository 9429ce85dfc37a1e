"""Navigation showing only what the user's roles allow, and the council's name for the header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

# (label, url name, permission needed or None for every signed-in user)
NAVIGATION: list[tuple[str, str, str | None]] = [
    ("Home", "reporting:home", None),
    ("Notifications", "notifications:list", None),
    ("People", "people:search", "core.view_case_records"),
    ("MASH", "frontdoor:queue", "core.view_case_records"),
    ("Send a contact", "frontdoor:partner-contact", "core.submit_partner_contacts"),
    ("Visits due", "visits:mine", "core.edit_case_records"),
    ("To authorise", "casework:awaiting", "core.manage_allocations"),
    ("Conferences", "protection:chair", "core.chair_reviews"),
    ("On CP plans", "protection:plans", "core.manage_allocations"),
    ("Legal", "legal:service-list", "core.manage_allocations"),
    ("Allocation", "workforce:queue", "core.manage_allocations"),
    ("Caseloads", "workforce:caseloads", "core.manage_allocations"),
    ("Workforce", "workforce:figures", "core.view_performance"),
    ("Supervision", "supervision:home", "core.view_case_records"),
    ("Escalations", "escalations:awaiting", "core.view_case_records"),
    ("Case audits", "case_audits:mine", "core.view_case_records"),
    ("Audit summary", "case_audits:summary", "core.view_performance"),
    ("Your escalations", "escalations:awaiting", "core.submit_partner_contacts"),
    ("Deadlines", "timescales:deadline-list", None),
    ("Staff and teams", "core:team-list", "core.view_staff_directory"),
    ("Users", "core:user-list", "core.manage_users"),
    ("Roles", "core:role-list", "core.manage_users"),
    ("Audit trail", "core:audit-search", "core.view_audit"),
    ("Timescales", "timescales:reference", None),
]


def _council_name() -> str:
    from django.conf import settings

    from .selectors import current_council

    if settings.HEARTH_COUNCIL_NAME:
        return str(settings.HEARTH_COUNCIL_NAME)
    council = current_council()
    return council.name if council else ""


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "council_name": _council_name}
    items = []
    for label, name, perm in NAVIGATION:
        if perm is None or user.has_perm(perm):
            url = reverse(name)
            home = name == "reporting:home"
            active = request.path == url if home else request.path.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    # A callable: templates evaluate it (one query) only where the header shows the name.
    return {"nav_items": items, "council_name": _council_name}
