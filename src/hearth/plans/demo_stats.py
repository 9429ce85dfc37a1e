"""This app's section of `manage.py council_stats`: plans open and ended, needs, risks and
actions (and how many actions are linked to nothing: should be 0), danger statements over the
council's word limit, reviews and the share held on time (from the `cin-review` clock)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from hearth.core.models import Council
from hearth.demo.stats import register_stats
from hearth.timescales.models import Deadline, DeadlineState

from .codes import NeedKind
from .models import Plan, PlanAction, PlanNeed, PlanReview


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


@register_stats("plans")
def plan_figures(council: Council | None) -> dict[str, Any]:
    limit = council.danger_statement_word_limit if council else 60
    by_kind = {
        row["kind"]: {"open": row["open"], "ended": row["ended"]}
        for row in Plan.objects.order_by()
        .values("kind")
        .annotate(
            open=Count("pk", filter=Q(end_date__isnull=True)),
            ended=Count("pk", filter=Q(end_date__isnull=False)),
        )
    }
    reviews = Deadline.objects.filter(rule_code="cin-review", state=DeadlineState.MET)
    met = reviews.count()
    late = reviews.filter(met_late=True).count()
    return {
        "plans": by_kind,
        "needs": PlanNeed.objects.filter(kind=NeedKind.NEED).count(),
        "risks": PlanNeed.objects.filter(kind=NeedKind.RISK).count(),
        "danger_statements_over_limit": PlanNeed.objects.filter(
            kind=NeedKind.RISK, word_count__gt=limit
        ).count(),
        "actions": PlanAction.objects.count(),
        "actions_by_status": dict(
            sorted(
                PlanAction.objects.order_by()
                .values_list("status")
                .annotate(n=Count("pk"))
                .values_list("status", "n")
            )
        ),
        "actions_unlinked": PlanAction.objects.filter(needs__isnull=True).count(),
        "reviews": PlanReview.objects.count(),
        "cin_reviews_met": met,
        "cin_reviews_on_time_rate": _ratio(met - late, met),
    }
