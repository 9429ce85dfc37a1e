"""Legal records in the child's chronology: emergency protection (significant) with its
extension and end; legal gateway meetings (significant when they decided on pre-proceedings or
proceedings); pre-proceedings' start, letter, meetings and outcome; care proceedings' issue,
hearings, extensions, interim orders and final order. One query per kind of record."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person
from hearth.people.policies import persons_visible_to
from hearth.timescales import calendar as cal

from .codes import ENDING_OUTCOMES, GatewayDecision
from .models import (
    CareProceedings,
    CourtHearing,
    EmergencyProtection,
    InterimOrder,
    LegalGatewayMeeting,
    PreProceedings,
    PreProceedingsReview,
    ProceedingsExtension,
)

KIND = "legal"


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _by(user: User | None) -> str:
    return user.full_name if user is not None else ""


@register_chronology_source(KIND, "Legal: emergency protection, pre-proceedings and proceedings")
def legal_entries(person: Person, viewer: User) -> Iterable[Entry]:
    if not persons_visible_to(viewer).filter(pk=person.pk).exists():
        return  # a restricted child's legal records only for their named staff
    yield from _emergencies(person)
    yield from _gateways(person)
    yield from _pre_proceedings(person)
    yield from _proceedings(person)


def _emergencies(person: Person) -> Iterable[Entry]:
    for e in EmergencyProtection.objects.filter(person=person).select_related("recorded_by"):
        url = reverse("legal:emergency-detail", args=[e.pk])
        name = "Police protection" if e.is_police else "Emergency protection order"
        yield Entry(
            on=e.started_at.astimezone(cal.LONDON).date(),
            at=e.started_at,
            kind=KIND,
            title=f"{name}: {'taken into police protection' if e.is_police else 'order made'}",
            detail=_excerpt(e.reason),
            url=url,
            significant=True,
            by=_by(e.recorded_by),
        )
        if e.extended_on is not None:
            yield Entry(
                on=e.extended_on,
                kind=KIND,
                title=f"Emergency protection order extended by {e.extension_days} days",
                detail=_excerpt(e.extension_reason),
                url=url,
            )
        if e.ended_at is not None:
            yield Entry(
                on=e.ended_at.astimezone(cal.LONDON).date(),
                at=e.ended_at,
                kind=KIND,
                title=f"{name} ended: {e.get_outcome_display().lower()}",
                detail=_excerpt(e.outcome_notes),
                url=url,
                significant=True,
            )


def _gateways(person: Person) -> Iterable[Entry]:
    rows = LegalGatewayMeeting.objects.filter(person=person).select_related("recorded_by")
    for m in rows:
        yield Entry(
            on=m.held_on,
            kind=KIND,
            title=f"Legal gateway meeting: {m.get_decision_display().lower()}",
            detail=_excerpt(m.rationale),
            url=reverse("legal:gateway-detail", args=[m.pk]),
            significant=m.decision in (GatewayDecision.PRE_PROCEEDINGS, GatewayDecision.ISSUE),
            by=_by(m.recorded_by),
        )


def _pre_proceedings(person: Person) -> Iterable[Entry]:
    pps = list(PreProceedings.objects.filter(person=person).select_related("recorded_by"))
    for pp in pps:
        url = reverse("legal:pp-detail", args=[pp.pk])
        yield Entry(
            on=pp.start_date,
            kind=KIND,
            title="Pre-proceedings started",
            url=url,
            significant=True,
            by=_by(pp.recorded_by),
        )
        if pp.letter_sent_on:
            yield Entry(
                on=pp.letter_sent_on, kind=KIND, title="Letter before proceedings sent", url=url
            )
        if pp.fgdm_held and pp.fgdm_held_on:
            yield Entry(
                on=pp.fgdm_held_on, kind=KIND, title="Family group conference held", url=url
            )
        if pp.initial_meeting_on:
            yield Entry(
                on=pp.initial_meeting_on,
                kind=KIND,
                title="Initial pre-proceedings meeting",
                url=url,
            )
        if pp.letter_of_intention_on:
            yield Entry(
                on=pp.letter_of_intention_on,
                kind=KIND,
                title="Letter of intention to issue care proceedings sent",
                url=url,
            )
        if pp.outcome and pp.outcome_on:
            yield Entry(
                on=pp.outcome_on,
                kind=KIND,
                title=f"Pre-proceedings: {pp.get_outcome_display().lower()}",
                url=url,
                significant=pp.outcome in ENDING_OUTCOMES,
            )
    if not pps:
        return
    reviews = PreProceedingsReview.objects.filter(pre_proceedings__in=pps).select_related(
        "recorded_by"
    )
    for r in reviews:
        yield Entry(
            on=r.held_on,
            kind=KIND,
            title="Pre-proceedings review meeting",
            detail=_excerpt(r.notes),
            url=reverse("legal:pp-detail", args=[r.pre_proceedings_id]),
            by=_by(r.recorded_by),
        )


def _proceedings(person: Person) -> Iterable[Entry]:
    rows = list(CareProceedings.objects.filter(person=person).select_related("recorded_by"))
    for p in rows:
        url = reverse("legal:proceedings-detail", args=[p.pk])
        yield Entry(
            on=p.issued_on,
            kind=KIND,
            title="Care proceedings issued",
            detail=p.court,
            url=url,
            significant=True,
            by=_by(p.recorded_by),
        )
        if p.final_order and p.final_order_on:
            yield Entry(
                on=p.final_order_on,
                kind=KIND,
                title=f"Final order: {p.get_final_order_display().lower()}",
                url=url,
                significant=True,
            )
    if not rows:
        return
    for h in CourtHearing.objects.filter(proceedings__in=rows):
        yield Entry(
            on=h.held_on,
            kind=KIND,
            title=h.get_kind_display(),
            detail=_excerpt(h.outcome_notes),
            url=reverse("legal:proceedings-detail", args=[h.proceedings_id]),
        )
    for x in ProceedingsExtension.objects.filter(proceedings__in=rows):
        yield Entry(
            on=x.granted_on,
            kind=KIND,
            title=f"Court extended the timetable by {x.weeks} weeks",
            detail=_excerpt(x.reason),
            url=reverse("legal:proceedings-detail", args=[x.proceedings_id]),
        )
    for o in InterimOrder.objects.filter(proceedings__in=rows):
        yield Entry(
            on=o.made_on,
            kind=KIND,
            title=f"{o.get_kind_display()} made",
            detail=_excerpt(o.notes),
            url=reverse("legal:proceedings-detail", args=[o.proceedings_id]),
            significant=True,
        )
