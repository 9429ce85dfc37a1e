"""This app's section of `manage.py council_stats`: supervision sessions, how many were on time in
the 12 months up to the council's reference date, and who is overdue on that date.

"Now" is the reference date, so the figures are the same whenever they are printed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone

from hearth.core.models import Council
from hearth.demo.context import years_before
from hearth.demo.stats import register_stats
from hearth.timescales.models import DeadlineState

from .models import CaseDiscussion, DiscussionAction, ManagementOversight, SupervisionSession
from .selectors import on_time_counts, supervision_deadlines


@register_stats("supervision")
def supervision_figures(council: Council | None) -> dict[str, Any]:
    day = council.reference_date if council and council.reference_date else timezone.localdate()
    sessions = SupervisionSession.objects.filter(withdrawn_at__isnull=True)
    by_status = dict(
        sessions.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    reasons = dict(
        sessions.exclude(cancellation_reason="")
        .order_by()
        .values_list("cancellation_reason")
        .annotate(n=Count("pk"))
        .values_list("cancellation_reason", "n")
    )
    year = on_time_counts(
        supervision_deadlines(),
        since=years_before(day, 1) + dt.timedelta(days=1),
        until=day,
        today=day,
    )
    overdue_workers = (
        supervision_deadlines()
        .filter(state=DeadlineState.OPEN, due_on__lt=day)
        .values("subject_id")
        .distinct()
        .count()
    )
    on_clock = supervision_deadlines().values("subject_id").distinct().count()
    return {
        "sessions": sum(by_status.values()),
        "held": by_status.get("attended", 0),
        "cancelled": by_status.get("cancelled", 0),
        "cancelled_by_reason": dict(sorted(reasons.items())),
        "case_discussions": CaseDiscussion.objects.filter(withdrawn_at__isnull=True).count(),
        "actions": DiscussionAction.objects.count(),
        "management_oversight": ManagementOversight.objects.filter(
            withdrawn_at__isnull=True
        ).count(),
        "workers_on_the_clock": on_clock,
        "last_12_months": {
            "deadlines_due": year.decided,
            "met_on_time": year.on_time,
            "supervision_on_time_rate": round(year.rate, 4) if year.rate is not None else None,
        },
        "workers_overdue_at_reference_date": overdue_workers,
    }
