"""Risk and missing in the child's chronology: each missing episode (significant), its return and
its return interview; each risk assessment and closure. One query per source."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person
from hearth.timescales import calendar as cal

from .models import MissingEpisode, RiskAssessment


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@register_chronology_source("missing", "Missing episodes")
def missing_entries(person: Person, viewer: User) -> Iterable[Entry]:
    episodes = MissingEpisode.objects.filter(person=person).select_related("rhi_by", "recorded_by")
    for e in episodes:
        url = reverse("safeguarding:missing-detail", args=[e.pk])
        police = "reported to the police" if e.reported_to_police else "not reported to the police"
        yield Entry(
            on=e.started_at.astimezone(cal.LONDON).date(),
            at=e.started_at,
            kind="missing",
            title=f"{e.get_kind_display().split(' (')[0]} {e.get_missing_from_display().lower()}",
            detail=police[:1].upper() + police[1:],
            url=url,
            significant=True,
            by=e.recorded_by.full_name,
        )
        if e.ended_at is not None:
            yield Entry(
                on=e.ended_at.astimezone(cal.LONDON).date(),
                at=e.ended_at,
                kind="missing",
                title="Returned from a missing episode",
                detail=_excerpt(e.where_found),
                url=url,
            )
        if e.rhi_offered_at is not None:
            answer = {True: "accepted", False: "declined", None: "no answer yet"}[e.rhi_accepted]
            yield Entry(
                on=e.rhi_offered_at.astimezone(cal.LONDON).date(),
                at=e.rhi_offered_at,
                kind="missing",
                title=f"Return interview offered ({answer})",
                url=url,
            )
        if e.rhi_completed_on is not None:
            yield Entry(
                on=e.rhi_completed_on,
                kind="missing",
                title="Return interview completed",
                detail=_excerpt(e.rhi_findings),
                url=url,
                by=e.rhi_by_name,
            )


@register_chronology_source("risk_assessment", "Risk assessments")
def risk_entries(person: Person, viewer: User) -> Iterable[Entry]:
    rows = RiskAssessment.objects.filter(person=person).select_related("assessor", "closed_by")
    for r in rows:
        url = reverse("safeguarding:risk-detail", args=[r.pk])
        yield Entry(
            on=r.assessed_on,
            kind="risk_assessment",
            title=f"{r.get_kind_display()} risk assessed: {r.get_level_display().lower()}",
            detail=_excerpt(r.summary),
            url=url,
            by=r.assessor.full_name,
        )
        if r.closed_on is not None:
            yield Entry(
                on=r.closed_on,
                kind="risk_assessment",
                title=f"{r.get_kind_display()} risk closed: no longer applies",
                detail=_excerpt(r.closed_reason),
                url=url,
                by=r.closed_by.full_name if r.closed_by else "",
            )
