"""This app's section of `manage.py council_stats`: the audit programme's figures.

Audits completed are those submitted in the 12 months up to the reference date (after the same
day a year earlier); grades are final grades (the moderator's once moderated). Actions overdue are
those open at the reference date and due before it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone

from hearth.core.models import Council
from hearth.demo.context import years_before
from hearth.demo.stats import register_stats

from .models import (
    COMPLETED_STATUSES,
    GRADE_ORDER,
    AuditProgramme,
    AuditStatus,
    AuditTemplate,
    CaseAudit,
    Finding,
    FindingKind,
)
from .models import AuditAction as Action
from .selectors import with_final_grade

LONDON = ZoneInfo("Europe/London")


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


@register_stats("case_audits")
def case_audit_figures(council: Council | None) -> dict[str, Any]:
    day = council.reference_date if council and council.reference_date else timezone.localdate()
    since = years_before(day, 1)
    start = dt.datetime.combine(since + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)

    audits = CaseAudit.objects.order_by()
    by_status = dict(
        audits.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    completed = audits.filter(
        status__in=COMPLETED_STATUSES, submitted_at__gte=start, submitted_at__lt=end
    )
    totals = completed.aggregate(
        completed=Count("id"),
        moderated=Count("id", filter=Q(status=AuditStatus.MODERATED)),
        changed=Count("id", filter=Q(moderation__agreed=False)),
        lowered=Count(
            "id",
            filter=Q(moderation__agreed=False)
            & (
                Q(overall_grade="outstanding")
                | Q(
                    overall_grade="good",
                    moderation__grade__in=["requires_improvement", "inadequate"],
                )
                | Q(overall_grade="requires_improvement", moderation__grade="inadequate")
            ),
        ),
    )
    grades = dict.fromkeys(GRADE_ORDER, 0)
    for grade, n in (
        with_final_grade(completed)
        .values_list("final_grade")  # type: ignore[misc]  # an annotation
        .annotate(n=Count("id"))
        .values_list("final_grade", "n")
    ):
        grades[grade] = n
    findings = dict(
        Finding.objects.filter(audit__in=completed, removed_at__isnull=True)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    actions = Action.objects.order_by()
    open_actions = actions.filter(completed_on__isnull=True, cancelled_on__isnull=True)
    return {
        "templates": AuditTemplate.objects.count(),
        "programmes": AuditProgramme.objects.count(),
        "audits": audits.count(),
        "audits_by_status": dict(sorted(by_status.items())),
        "last_12_months": {
            "audits_completed": totals["completed"],
            "by_final_grade": grades,
            "good_or_better_share": _ratio(
                grades["outstanding"] + grades["good"], totals["completed"]
            ),
            "moderated": totals["moderated"],
            "moderated_share": _ratio(totals["moderated"], totals["completed"]),
            "grade_changed_at_moderation": totals["changed"],
            "grade_changed_share_of_moderated": _ratio(totals["changed"], totals["moderated"]),
            "grade_lowered_at_moderation": totals["lowered"],
            "strengths": findings.get(FindingKind.STRENGTH, 0),
            "areas_for_improvement": findings.get(FindingKind.AREA_FOR_IMPROVEMENT, 0),
        },
        "actions": {
            "raised": actions.count(),
            "completed": actions.filter(completed_on__isnull=False).count(),
            "open": open_actions.count(),
            "overdue_at_reference_date": open_actions.filter(due_on__lt=day).count(),
        },
    }
