"""Template tags for the GOV.UK Design System templates: ``{% load govuk %}``.

Tags:
  {% govuk_field field as g %}             context for one bound field (see forms.renderer)
  {% govuk_error_items form=form errors=errors as items %}   error summary list
  {% querystring_page n %}                  "?<current GET params>&page=n" for pagination
Filters:
  {{ date|govuk_date }}                     "9 May 2025" (no leading zero); "" for None
  {{ attrs|govuk_attrs }}                   a dict of HTML attributes, escaped
  {{ colour|govuk_tag_modifier }}           " govuk-tag--<colour>" or "" (see tag.html)
  {{ rows|any_has:"action_url" }}           True if any dict in rows has that key set
  {{ page_obj|govuk_page_items }}          page numbers and ellipses for pagination
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.forms.boundfield import BoundField
from django.forms.utils import flatatt
from django.http import QueryDict

from ..forms.renderer import error_summary_items, field_context

register = template.Library()

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Colours in the Design System's tag guidance (v5 names) -> GOV.UK Frontend 6 modifiers.
TAG_COLOURS = {
    "grey": "grey",
    "green": "green",
    "turquoise": "turquoise",
    "teal": "teal",
    "blue": "",  # the default tag is blue
    "light-blue": "teal",  # removed in GOV.UK Frontend 6; teal is the nearest
    "purple": "purple",
    "pink": "pink",
    "magenta": "magenta",
    "red": "red",
    "orange": "orange",
    "yellow": "yellow",
}


@register.simple_tag
def govuk_field(field: BoundField) -> dict[str, Any]:
    return field_context(field)


@register.simple_tag
def govuk_error_items(form: Any = None, errors: Any = None) -> list[dict[str, str]]:
    return error_summary_items(form=form or None, errors=errors or None)


@register.simple_tag(takes_context=True)
def querystring_page(context: template.Context, page: Any) -> str:
    """The current query string with ``page`` replaced, e.g. ``?q=smith&page=3``."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query["page"] = str(page)
    return "?" + query.urlencode()


@register.filter
def govuk_date(value: Any) -> str:
    """``date(2025, 5, 9)`` -> ``9 May 2025``."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        return str(value)
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


@register.filter
def govuk_attrs(attrs: dict[str, Any] | None) -> str:
    return flatatt(attrs or {})


@register.filter
def govuk_tag_modifier(colour: str | None) -> str:
    modifier = TAG_COLOURS.get(str(colour or "").strip().lower(), "")
    return f" govuk-tag--{modifier}" if modifier else ""


@register.filter
def any_has(rows: Any, key: str) -> bool:
    return any(isinstance(row, dict) and row.get(key) for row in rows or [])


@register.filter
def govuk_page_items(page_obj: Any) -> list[dict[str, Any]]:
    """Page numbers for GOV.UK pagination: first, last, current ±1, with ellipses between."""
    paginator = page_obj.paginator
    items: list[dict[str, Any]] = []
    for number in paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append({"number": number, "current": number == page_obj.number})
    return items


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ labels|get_item:kind }}``: a dictionary value by a variable key ("" when absent)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
