"""This app's section of `manage.py council_stats`: visits, how often the child was seen (and seen
alone, and their words recorded), and how often a child in need visit that saw the child came
within 20 working days of the plan's start or the last visit that saw them (a child protection
visit: within 10). Deterministic for a seed: no timestamps of generation, rates rounded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from hearth.core.models import Council
from hearth.demo.stats import register_stats
from hearth.timescales.calendar import LONDON
from hearth.timescales.selectors import working_calendar

from .codes import VisitKind, VisitLocation
from .models import Visit

CIN_STANDARD_WORKING_DAYS = 20
CP_STANDARD_WORKING_DAYS = 10


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def cin_intervals(
    limit: int = CIN_STANDARD_WORKING_DAYS, kind: str = VisitKind.CIN
) -> tuple[int, int]:
    """(intervals within `limit` working days, all intervals) between the start of each plan and
    the visits of this kind that saw the child, in order. One query."""
    calendar = working_calendar()
    rows = (
        Visit.objects.filter(
            kind=kind, child_seen=True, withdrawn_at__isnull=True, plan__isnull=False
        )
        .order_by("plan_id", "visited_at", "pk")
        .values_list("plan_id", "plan__start_date", "visited_at")
    )
    within = total = 0
    plan_id: int | None = None
    last: dt.date | None = None
    for pid, start, visited_at in rows:
        if pid != plan_id:
            plan_id, last = pid, start
        day = visited_at.astimezone(LONDON).date()
        assert last is not None
        total += 1
        within += calendar.working_days_between(last, day) <= limit
        last = day
    return within, total


@register_stats("visits")
def visit_figures(council: Council | None) -> dict[str, Any]:
    live = Visit.objects.filter(withdrawn_at__isnull=True)
    totals = live.aggregate(
        n=Count("pk"),
        seen=Count("pk", filter=Q(child_seen=True)),
        alone=Count("pk", filter=Q(child_seen=True, seen_alone=True)),
        words=Count("pk", filter=Q(child_seen=True) & ~Q(child_views="")),
        seen_at_home=Count("pk", filter=Q(child_seen=True, location=VisitLocation.HOME)),
        bedroom=Count(
            "pk", filter=Q(child_seen=True, location=VisitLocation.HOME, bedroom_seen=True)
        ),
    )
    by_kind = dict(
        live.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    within, intervals = cin_intervals()
    cp_within, cp_intervals = cin_intervals(CP_STANDARD_WORKING_DAYS, VisitKind.CP)
    return {
        "visits": totals["n"],
        "withdrawn": Visit.objects.filter(withdrawn_at__isnull=False).count(),
        "by_kind": dict(sorted(by_kind.items())),
        "child_seen_rate": _ratio(totals["seen"], totals["n"]),
        "seen_alone_rate": _ratio(totals["alone"], totals["seen"]),
        "views_recorded_rate": _ratio(totals["words"], totals["seen"]),
        "bedroom_seen_at_home_rate": _ratio(totals["bedroom"], totals["seen_at_home"]),
        "cin_visit_intervals": intervals,
        "cin_visit_intervals_within_20_working_days_rate": _ratio(within, intervals),
        "cp_visit_intervals": cp_intervals,
        "cp_visit_intervals_within_10_working_days_rate": _ratio(cp_within, cp_intervals),
    }
