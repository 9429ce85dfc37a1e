"""This app's section of `manage.py council_stats`: assessments and child in need episodes in the
12 months to the reference date (as the CIN census counts a year), and the children in need at it.

Assessment timeliness is working days from the referral to the authorisation (CIN census C2: 85.7%
within 45 nationally, median 33); episode lengths are of the episodes that closed in the year
(nationally almost half last three months or less)."""

from __future__ import annotations

import statistics
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from hearth.core.models import Council
from hearth.demo.context import years_before
from hearth.demo.stats import register_stats
from hearth.timescales.selectors import working_calendar

from .models import Assessment, AssessmentFactorIdentified, ChildInNeedEpisode


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


@register_stats("casework")
def casework_figures(council: Council | None) -> dict[str, Any]:
    day = council.reference_date if council and council.reference_date else timezone.localdate()
    since = years_before(day, 1)
    per_10k = 10_000 / council.population_0_17 if council and council.population_0_17 else 0
    calendar = working_calendar()

    done = Assessment.objects.filter(authorised_on__gt=since, authorised_on__lte=day)
    lengths = [
        calendar.working_days_between(referral, authorised)
        for referral, authorised in done.values_list("episode__referral_date", "authorised_on")
        if authorised is not None
    ]
    seen = done.filter(child_seen_on__isnull=False)
    factors = AssessmentFactorIdentified.objects.filter(assessment__in=done)
    top = factors.values("code").annotate(n=Count("assessment", distinct=True)).order_by("-n")[:8]
    outcomes = dict(done.order_by().values_list("outcome").annotate(n=Count("pk")))

    closed = ChildInNeedEpisode.objects.filter(closure_date__gt=since, closure_date__lte=day)
    durations = [(c - r).days for r, c in closed.values_list("referral_date", "closure_date") if c]
    reasons = dict(closed.order_by().values_list("closure_reason").annotate(n=Count("pk")))
    open_at = ChildInNeedEpisode.objects.filter(referral_date__lte=day).filter(
        Q(closure_date__isnull=True) | Q(closure_date__gt=day)
    )
    return {
        "last_12_months": {
            "assessments_completed": len(lengths),
            "assessments_per_10k": round(len(lengths) * per_10k, 1),
            "assessments_within_45_working_days_rate": _ratio(
                sum(n <= 45 for n in lengths), len(lengths)
            ),
            "assessment_median_working_days": statistics.median(lengths) if lengths else 0,
            "child_seen_rate": _ratio(seen.count(), len(lengths)),
            "seen_alone_rate_of_seen": _ratio(seen.filter(seen_alone=True).count(), seen.count()),
            "factors_most_identified": {row["code"]: _ratio(row["n"], len(lengths)) for row in top},
            "outcomes": dict(sorted((str(k or "none"), n) for k, n in outcomes.items())),
            "episodes_closed": len(durations),
            "episodes_closed_within_3_months_rate": _ratio(
                sum(d <= 91 for d in durations), len(durations)
            ),
            "closure_reasons": dict(sorted((str(k), n) for k, n in reasons.items())),
        },
        "at_reference_date": {
            "children_in_need": open_at.values("person").distinct().count(),
            "children_in_need_per_10k": round(
                open_at.values("person").distinct().count() * per_10k, 1
            ),
            "assessments_unfinished": Assessment.objects.filter(
                start_date__lte=day, authorised_on__isnull=True
            ).count(),
        },
    }
