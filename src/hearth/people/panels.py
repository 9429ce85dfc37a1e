"""Sections other apps add to a person's record page, without the page knowing about them.

An app puts a module named `person_panels.py` beside its models and registers a function there::

    from hearth.people.panels import register_person_panel

    @register_person_panel("allocation", order=10, tab="summary")
    def allocation_panel(request: HttpRequest, person: Person) -> str:
        return render_to_string("workforce/_person_allocation.html", {...}, request=request)

The function gets the viewer's request and a person the viewer may already see (the page fetched it
through `person_for`); it returns HTML, or "" to show nothing. Panels run in `order`, then name, and
each must cost a bounded number of queries.

The page has tabs (`TABS`); a panel names the tab it belongs to, and only the chosen tab's panels
are rendered, so a long history in one area costs nothing on the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.module_loading import autodiscover_modules
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from .models import Person

PanelFunction = Callable[[HttpRequest, "Person"], str]

# The tabs of a child's page, in order: code -> title. A tab shows when it has panels (or is built
# into the page: summary and details).
TABS: dict[str, str] = {
    "summary": "Summary",
    "casework": "Child in need",
    "protection": "Child protection",
    "care": "Child in care",
    "risk": "Risk and missing",
    "notes": "Notes and documents",
    "oversight": "Oversight",
    "details": "Details and family",
}
BUILT_IN_TABS = ("summary", "details")


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    function: PanelFunction
    tab: str = "summary"


_registry: dict[str, Panel] = {}


def register_person_panel(
    name: str, order: int, tab: str = "summary"
) -> Callable[[PanelFunction], PanelFunction]:
    if tab not in TABS:
        raise ImproperlyConfigured(f"Person panel {name!r}: no tab {tab!r} (one of {list(TABS)})")

    def decorator(function: PanelFunction) -> PanelFunction:
        existing = _registry.get(name)
        if existing is not None and existing.function.__qualname__ != function.__qualname__:
            raise ImproperlyConfigured(f"Two person panels are named {name!r}")
        _registry[name] = Panel(name=name, order=order, function=function, tab=tab)
        return function

    return decorator


def registered_panels() -> list[Panel]:
    autodiscover_modules("person_panels")
    return sorted(_registry.values(), key=lambda p: (p.order, p.name))


def tabs() -> list[tuple[str, str]]:
    """The tabs that have something to show, in order: (code, title)."""
    used = {p.tab for p in registered_panels()} | set(BUILT_IN_TABS)
    return [(code, title) for code, title in TABS.items() if code in used]


def render_panels(request: HttpRequest, person: Person, tab: str | None = None) -> list[SafeString]:
    """Each registered panel's HTML for this person, on one tab or all of them (templates escape
    their own content)."""
    chosen = [p for p in registered_panels() if tab is None or p.tab == tab]
    html = (panel.function(request, person) for panel in chosen)
    return [mark_safe(part) for part in html if part]  # noqa: S308 - rendered by templates
