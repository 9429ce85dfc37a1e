"""``{% load workforce %}``: caseload units and FTE as people write them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from ..selectors import plain as plain_decimal

register = template.Library()


@register.filter
def plain(value: Any) -> Any:
    """10, 18.5, 0.6: no trailing zeros and never an exponent (``normalize`` alone gives 1E+1)."""
    if isinstance(value, Decimal):
        return plain_decimal(value)
    return value
