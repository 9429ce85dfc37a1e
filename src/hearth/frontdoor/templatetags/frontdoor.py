"""``{% load frontdoor %}``: small helpers for the MASH pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()

RATING_COLOURS = {"red": "red", "amber": "orange", "green": "green"}


@register.filter
def rating_colour(rating: str) -> str:
    return RATING_COLOURS.get(rating, "grey")


@register.filter
def get_count(counts: Mapping[str, int] | None, key: str) -> int:
    return (counts or {}).get(key, 0)


@register.inclusion_tag("frontdoor/_involvement.html", takes_context=True)
def person_involvement(context: template.Context, person: Any) -> dict[str, Any]:
    """A person's contacts, referrals and early help, for their record page (three queries)."""
    user = context["request"].user
    early_help = list(person.early_help_episodes.order_by("-start_date"))
    return {
        "person": person,
        "contacts": person.contacts.select_related("submission").order_by("-received_at")[:20],
        "referrals": person.cin_episodes.order_by("-referral_date"),
        "early_help": early_help,
        "may_edit": user.has_perm("core.edit_case_records"),
        "may_open_early_help": user.has_perm("core.edit_case_records")
        and not any(e.end_date is None for e in early_help),
    }
