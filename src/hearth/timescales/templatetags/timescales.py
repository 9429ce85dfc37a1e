"""``{% load timescales %}``: link any due date to the rule behind it.

{% rule_url "icpc" %}      the reference page, at that rule
{{ status|status_colour }}  the tag colour for a deadline status
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from ..engine import Status
from ..rules import EVENTS, RULES

register = template.Library()

STATUS_COLOURS = {
    Status.UPCOMING: "blue",
    Status.DUE_TODAY: "yellow",
    Status.OVERDUE: "red",
    Status.MET_ON_TIME: "green",
    Status.MET_LATE: "orange",
    Status.NOT_APPLICABLE: "grey",
}


@register.simple_tag
def rule_url(code: str) -> str:
    return f"{reverse('timescales:reference')}#rule-{code}"


@register.filter
def rule_title(code: str) -> str:
    rule = RULES.get(code)
    return rule.title if rule else code


@register.filter
def status_colour(status: str) -> str:
    try:
        return STATUS_COLOURS[Status(status)]
    except ValueError:
        return "grey"


@register.filter
def status_label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


@register.filter
def event_label(name: str) -> str:
    return EVENTS.get(name, name)
