"""Navigation showing only what the user's roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

# (label, url name, permission needed or None for every signed-in user)
NAVIGATION: list[tuple[str, str, str | None]] = [
    ("Home", "core:home", None),
    ("Staff and teams", "core:team-list", "core.view_staff_directory"),
    ("Users", "core:user-list", "core.manage_users"),
    ("Roles", "core:role-list", "core.manage_users"),
    ("Audit trail", "core:audit-search", "core.view_audit"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, perm in NAVIGATION:
        if perm is None or user.has_perm(perm):
            url = reverse(name)
            active = request.path == url if name == "core:home" else request.path.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}
