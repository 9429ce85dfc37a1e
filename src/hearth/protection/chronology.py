"""Child protection in the child's chronology: strategy discussions and their decisions, section
47 enquiries (start and outcome), conferences held (significant) and core groups. One query per
source."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person
from hearth.timescales import calendar as cal

from .codes import ConferenceStatus, StrategyDecision
from .models import Conference, CoreGroup, Section47Enquiry, StrategyDiscussion


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _name(user: User | None) -> str:
    return user.full_name if user is not None else ""


@register_chronology_source("strategy", "Strategy discussions")
def strategy_entries(person: Person, viewer: User) -> Iterable[Entry]:
    for d in StrategyDiscussion.objects.filter(person=person).select_related("recorded_by"):
        missing = ""
        if d.missing_agencies:
            missing = " Not every required agency took part (social care, police, health)."
        yield Entry(
            on=d.held_at.astimezone(cal.LONDON).date(),
            at=d.held_at,
            kind="strategy",
            title=f"Strategy discussion: {d.get_decision_display().lower()}",
            detail=_excerpt(d.rationale) + missing,
            url=reverse("protection:strategy-detail", args=[d.pk]),
            significant=d.decision == StrategyDecision.SECTION_47,
            by=_name(d.recorded_by),
        )


@register_chronology_source("s47", "Section 47 enquiries")
def enquiry_entries(person: Person, viewer: User) -> Iterable[Entry]:
    for e in Section47Enquiry.objects.filter(person=person).select_related("lead_worker"):
        url = reverse("protection:enquiry-detail", args=[e.pk])
        yield Entry(
            on=e.start_date,
            kind="s47",
            title="Section 47 enquiry started",
            detail=f"Lead practitioner: {_name(e.lead_worker) or 'not recorded'}",
            url=url,
            significant=True,
        )
        if e.completed_on is not None:
            yield Entry(
                on=e.completed_on,
                kind="s47",
                title=f"Section 47 enquiry outcome: {e.get_outcome_display().lower()}",
                detail=_excerpt(e.outcome_rationale),
                url=url,
                significant=True,
            )


@register_chronology_source("conference", "Child protection conferences")
def conference_entries(person: Person, viewer: User) -> Iterable[Entry]:
    held = Conference.objects.filter(person=person, status=ConferenceStatus.HELD)
    for c in held.select_related("chair"):
        assert c.held_on is not None
        decision = c.get_decision_display().split(" (")[0].lower()
        yield Entry(
            on=c.held_on,
            kind="conference",
            title=f"{c.get_kind_display()}: {decision}",
            detail=_excerpt(c.chair_rationale),
            url=reverse("protection:conference-detail", args=[c.pk]),
            significant=True,
            by=f"Chaired by {_name(c.chair)}" if c.chair else "",
        )


@register_chronology_source("core-group", "Core groups")
def core_group_entries(person: Person, viewer: User) -> Iterable[Entry]:
    for g in CoreGroup.objects.filter(plan__person=person).select_related("recorded_by"):
        yield Entry(
            on=g.held_on,
            kind="core-group",
            title="Core group",
            detail=_excerpt(g.summary),
            url=reverse("protection:core-group-detail", args=[g.pk]),
            by=_name(g.recorded_by),
        )
