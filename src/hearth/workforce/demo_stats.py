"""This app's section of `manage.py council_stats`: allocation and caseloads at the reference date.

"Now" is the reference date's midnight (the generated history ends the day before).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from hearth.core.models import Council, Team
from hearth.demo.stats import register_stats

from .models import Allocation
from .selectors import caseloads, unallocated_children, workforce_figures

HEAVY_CASELOAD = 35  # children: the figure Ofsted's letters single out


@register_stats("allocation")
def allocation_stats(council: Council | None) -> dict[str, Any]:
    today = (
        council.reference_date - dt.timedelta(days=1)
        if council and council.reference_date
        else timezone.localdate()
    )
    waiting = unallocated_children()
    loads = [x for x in caseloads(teams=Team.objects.all(), today=today) if x.children]
    total = workforce_figures(on=today)[-1]
    return {
        "allocations": Allocation.objects.count(),
        "children_allocated": Allocation.objects.filter(role="lead", end_date__isnull=True).count(),
        "unallocated_children": len(waiting),
        "longest_unallocated_days": max((c.days(today) for c in waiting), default=0),
        "caseload_mean": float(total.average_caseload or 0),
        "caseload_max": max((x.children for x in loads), default=0),
        "workers_above_35": sum(1 for x in loads if x.children > HEAVY_CASELOAD),
        "workers_over_red_threshold": sum(1 for x in loads if x.status == "red"),
        "agency_rate": float(total.agency_rate or 0),
        "vacancy_rate": float(total.vacancy_rate or 0),
        "establishment_fte": float(total.establishment_fte),
    }
