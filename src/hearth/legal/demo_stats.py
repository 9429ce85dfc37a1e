"""This app's section of `manage.py council_stats`: emergency protection by kind, legal gateway
meetings by decision, pre-proceedings by outcome (with the letter and family group meeting
rates), care proceedings open and concluded, the share decided within 26 weeks and the average
weeks to the final order, beside the Ministry of Justice's figures (domain.md row 45a: 35% within
26 weeks, 40 weeks on average)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from hearth.core.models import Council
from hearth.demo.stats import register_stats
from hearth.timescales.models import Deadline, DeadlineState

from .codes import ENDING_OUTCOMES, PROCEEDINGS_WEEKS, EmergencyKind
from .models import (
    CareProceedings,
    EmergencyProtection,
    LegalGatewayMeeting,
    PreProceedings,
    PreProceedingsReview,
)

MOJ_WITHIN_26_WEEKS = 0.35
MOJ_AVERAGE_WEEKS = 40


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def _counts(rows: Any, field: str) -> dict[str, int]:
    return dict(
        sorted(rows.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
    )


def proceedings_figures() -> dict[str, Any]:
    concluded = list(
        CareProceedings.objects.filter(final_order_on__isnull=False).values_list(
            "issued_on", "final_order_on"
        )
    )
    days = [(end - start).days for start, end in concluded if end is not None]
    within = sum(1 for d in days if d <= PROCEEDINGS_WEEKS * 7)
    clocks = Deadline.objects.filter(rule_code="proceedings", state=DeadlineState.MET)
    return {
        "open": CareProceedings.objects.filter(final_order_on__isnull=True).count(),
        "concluded": len(concluded),
        "within_26_weeks_rate": _ratio(within, len(concluded)),
        "average_weeks": _mean([d / 7 for d in days]),
        "moj_within_26_weeks_rate": MOJ_WITHIN_26_WEEKS,
        "moj_average_weeks": MOJ_AVERAGE_WEEKS,
        "final_orders": _counts(CareProceedings.objects.exclude(final_order=""), "final_order"),
        "with_extensions": CareProceedings.objects.filter(extensions__isnull=False)
        .distinct()
        .count(),
        "clocks_met": clocks.count(),
        "clocks_met_late": clocks.filter(met_late=True).count(),
    }


@register_stats("legal")
def legal_figures(council: Council | None) -> dict[str, Any]:
    emergencies = EmergencyProtection.objects.all()
    pps = PreProceedings.objects.all()
    total = pps.count()
    spans = pps.filter(outcome__in=ENDING_OUTCOMES).values_list("start_date", "outcome_on")
    pp_weeks = [(end - start).days / 7 for start, end in spans if end is not None]
    offered = pps.filter(fgdm_offered=True).count()
    return {
        "emergency_protection": {
            "police_protection": emergencies.filter(kind=EmergencyKind.POLICE).count(),
            "emergency_protection_orders": emergencies.filter(kind=EmergencyKind.EPO).count(),
            "orders_extended": emergencies.filter(extended_on__isnull=False).count(),
            "children": emergencies.values("person_id").distinct().count(),
            "by_outcome": _counts(emergencies.exclude(outcome=""), "outcome"),
        },
        "legal_gateway_meetings": _counts(LegalGatewayMeeting.objects.all(), "decision"),
        "pre_proceedings": {
            "total": total,
            "open": pps.exclude(outcome__in=ENDING_OUTCOMES).count(),
            "by_outcome": _counts(pps.exclude(outcome=""), "outcome"),
            "letter_sent_rate": _ratio(pps.filter(letter_sent_on__isnull=False).count(), total),
            "fgdm_offered_rate": _ratio(offered, total),
            "fgdm_held_rate": _ratio(pps.filter(fgdm_held=True).count(), offered),
            "average_weeks_to_outcome": _mean(pp_weeks),
            "review_meetings": PreProceedingsReview.objects.count(),
        },
        "care_proceedings": proceedings_figures(),
    }
