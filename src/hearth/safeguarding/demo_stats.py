"""This app's section of `manage.py council_stats`: missing incidents and children missing in the
12 months to the reference date, the share of returns with a return interview offered within 72
hours, and the children flagged as needing an exploitation risk assessment on that date. "Now" is
the reference date's midnight, so the figures are the same whenever they are printed."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef
from django.utils import timezone

from hearth.core.models import Council
from hearth.demo.context import years_before
from hearth.demo.stats import register_stats
from hearth.people.models import Person

from . import selectors
from .models import MissingEpisode, RiskAssessment


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


@register_stats("risk_and_missing")
def risk_and_missing_figures(council: Council | None) -> dict[str, Any]:
    day = council.reference_date if council and council.reference_date else timezone.localdate()
    start, end = selectors.midnight(years_before(day, 1)), selectors.midnight(day)
    recent = selectors.with_rhi_status(
        MissingEpisode.objects.filter(started_at__gte=start, started_at__lt=end), now=end
    )
    incidents = recent.count()
    children = recent.values("person_id").distinct().count()
    returned = recent.filter(ended_at__isnull=False, ended_at__lt=end).count()
    in_time = recent.filter(rhi_status="in_time").count()  # type: ignore[misc]
    accepted = recent.filter(rhi_accepted=True).count()
    offered = recent.filter(rhi_offered_at__isnull=False).count()
    clock = selectors.ReviewClock(selectors.review_period(), day)
    flagged = selectors.flagged(Person.objects.live(), clock).count()
    concerned = (
        Person.objects.live().filter(selectors.exploitation_concern(OuterRef("pk"), day)).count()
    )
    return {
        "missing_episodes": MissingEpisode.objects.count(),
        "risk_assessments": RiskAssessment.objects.count(),
        "last_12_months": {
            "incidents": incidents,
            "children_missing": children,
            "incidents_per_child": round(incidents / children, 2) if children else 0.0,
            "reported_to_police_rate": _ratio(
                recent.filter(reported_to_police=True).count(), incidents
            ),
            "returns": returned,
            "rhi_offered_within_72_hours": in_time,
            "rhi_within_72_hours_rate": _ratio(in_time, returned),
            "rhi_accepted_rate": _ratio(accepted, offered),
        },
        "children_with_exploitation_concern": concerned,
        "children_flagged": flagged,
        "flagged_rate": _ratio(flagged, concerned),
    }
