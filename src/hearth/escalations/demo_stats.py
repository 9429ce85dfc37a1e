"""This app's section of `manage.py council_stats`: escalations raised in the 12 months to the
reference date, the stage each reached, how many are open and overdue at the reference date, and
how often a stage was answered within its timescale. Deterministic for a seed: as at the reference
date (its midnight), not the day the command runs."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max
from django.utils import timezone

from hearth.core.models import Council
from hearth.demo.context import years_before
from hearth.demo.stats import register_stats

from .models import Escalation, EscalationStage, Stage, Status

LONDON = ZoneInfo("Europe/London")


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


@register_stats("escalations")
def escalation_figures(council: Council | None) -> dict[str, Any]:
    day = council.reference_date if council and council.reference_date else timezone.localdate()
    since = years_before(day, 1)
    start = dt.datetime.combine(since + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)
    end = dt.datetime.combine(day, dt.time(0), tzinfo=LONDON)  # the reference date's midnight

    recent = Escalation.objects.filter(raised_at__gte=start, raised_at__lt=end)
    reached = {stage.label.lower().replace(" ", "_"): 0 for stage in Stage}
    for row in recent.values("pk").annotate(top=Max("stages__stage")).order_by():
        reached[Stage(row["top"]).label.lower().replace(" ", "_")] += 1
    by_role = dict(
        sorted(
            recent.order_by()
            .values_list("raiser_role")
            .annotate(n=Count("pk"))
            .values_list("raiser_role", "n")
        )
    )
    current = EscalationStage.objects.filter(escalation__status=Status.OPEN, ended_at__isnull=True)
    open_count = Escalation.objects.filter(status=Status.OPEN).count()
    overdue = current.filter(responded_at__isnull=True, due_on__lt=day).count()
    # Stages whose deadline fell in the 12 months: answered by it, or not (rose, or still open).
    due = EscalationStage.objects.filter(
        due_on__gt=since, due_on__lt=day, escalation__entered_in_error=False
    ).exclude(ended_at__isnull=False, responded_at__isnull=True, escalation__status="withdrawn")
    in_time = 0
    total = 0
    for due_on, responded_at in due.values_list("due_on", "responded_at"):
        total += 1
        in_time += responded_at is not None and responded_at.astimezone(LONDON).date() <= due_on
    rose = EscalationStage.objects.filter(escalation__in=recent, rose_automatically=True).count()
    return {
        "escalations": Escalation.objects.count(),
        "open": open_count,
        "open_overdue": overdue,
        "last_12_months": {
            "raised": recent.count(),
            "by_raiser_role": by_role,
            "by_stage_reached": reached,
            "resolved": recent.filter(status=Status.RESOLVED).count(),
            "accepted_by_raiser": recent.filter(raiser_accepted="yes").count(),
            "withdrawn": recent.filter(status=Status.WITHDRAWN).count(),
            "stages_rose_unanswered": rose,
            "stages_due": total,
            "answered_within_time": in_time,
            "answered_within_time_rate": _ratio(in_time, total),
        },
    }
