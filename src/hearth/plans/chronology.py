"""Plans in the child's chronology: each plan's start and end (significant) and its reviews. Two
queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person

from . import policies
from .models import PlanReview

KIND = "plan"


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@register_chronology_source(KIND, "Plans and reviews")
def plan_entries(person: Person, viewer: User) -> Iterable[Entry]:
    plans = list(
        policies.plans_visible_to(viewer)
        .filter(person=person)
        .select_related("worker", "created_by")
        .order_by("start_date", "pk")
    )
    for plan in plans:
        url = reverse("plans:detail", args=[plan.pk])
        name = plan.get_kind_display()
        yield Entry(
            on=plan.start_date,
            kind=KIND,
            title=f"{name} started",
            detail=f"Social worker: {plan.worker.full_name}" if plan.worker else "",
            url=url,
            significant=True,
            by=plan.created_by.full_name if plan.created_by else "",
        )
        if plan.end_date is not None:
            yield Entry(
                on=plan.end_date,
                kind=KIND,
                title=f"{name} ended",
                detail=_excerpt(plan.end_reason),
                url=url,
                significant=True,
            )
    if not plans:
        return
    reviews = (
        PlanReview.objects.filter(plan__in=[p.pk for p in plans])
        .select_related("plan", "recorded_by")
        .order_by("held_on", "pk")
    )
    for review in reviews:
        yield Entry(
            on=review.held_on,
            kind=KIND,
            title=f"{review.plan.get_kind_display()} review: "
            f"{review.get_decision_display().lower()}",
            detail=_excerpt(review.progress_summary),
            url=reverse("plans:detail", args=[review.plan_id]),
            by=review.recorded_by.full_name if review.recorded_by else "",
        )
