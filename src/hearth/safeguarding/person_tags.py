from __future__ import annotations

from hearth.people.models import Person
from hearth.people.tags import register_banner_warning

from .selectors import risk_banner_warnings


@register_banner_warning("safeguarding")
def exploitation_and_missing(person: Person) -> list[str]:
    """An exploitation concern with no current risk assessment, or a child missing now: shown on
    every tab of the child's page."""
    return risk_banner_warnings(person)
