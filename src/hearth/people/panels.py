"""Sections other apps add to a person's record page, without the page knowing about them.

An app puts a module named `person_panels.py` beside its models and registers a function there::

    from hearth.people.panels import register_person_panel

    @register_person_panel("allocation", order=10)
    def allocation_panel(request: HttpRequest, person: Person) -> str:
        return render_to_string("workforce/_person_allocation.html", {...}, request=request)

The function gets the viewer's request and a person the viewer may already see (the page fetched it
through `person_for`); it returns HTML, or "" to show nothing. Panels run in `order`, then name, and
each must cost a bounded number of queries.
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


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    function: PanelFunction


_registry: dict[str, Panel] = {}


def register_person_panel(name: str, order: int) -> Callable[[PanelFunction], PanelFunction]:
    def decorator(function: PanelFunction) -> PanelFunction:
        existing = _registry.get(name)
        if existing is not None and existing.function.__qualname__ != function.__qualname__:
            raise ImproperlyConfigured(f"Two person panels are named {name!r}")
        _registry[name] = Panel(name=name, order=order, function=function)
        return function

    return decorator


def registered_panels() -> list[Panel]:
    autodiscover_modules("person_panels")
    return sorted(_registry.values(), key=lambda p: (p.order, p.name))


def render_panels(request: HttpRequest, person: Person) -> list[SafeString]:
    """Each registered panel's HTML for this person (templates escape their own content)."""
    html = (panel.function(request, person) for panel in registered_panels())
    return [mark_safe(part) for part in html if part]  # noqa: S308 - rendered by templates
