"""Risk markers on the allocation queue: a child with an exploitation concern and no current risk
assessment, and a child missing in the last 90 days. Each a database condition (`Exists`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from hearth.workforce.cases import RiskMarker, register_risk_marker

from . import selectors


def _needs_assessment(person_ref: OuterRef) -> Exists:
    return selectors.needs_risk_assessment(person_ref)


def _missing_lately(person_ref: OuterRef) -> Exists:
    since = selectors.today() - dt.timedelta(days=selectors.RECENT_MISSING_DAYS)
    return selectors.missing_since(person_ref, since)


register_risk_marker(
    RiskMarker("exploitation_unassessed", "Exploitation risk not assessed", _needs_assessment)
)
register_risk_marker(RiskMarker("missing_90", "Missing in the last 90 days", _missing_lately))
