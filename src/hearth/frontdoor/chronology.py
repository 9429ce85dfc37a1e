"""The front door's entries in a child's chronology: contacts and their decisions, referrals
(child-in-need episodes opening and closing) and early help."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person
from hearth.timescales.calendar import LONDON

from .models import Outcome


@register_chronology_source("contact", "Contacts and decisions")
def contacts(person: Person, viewer: User) -> Iterable[Entry]:
    for c in person.contacts.select_related("submission", "decided_by"):
        url = reverse("frontdoor:contact", args=[c.pk])
        received = c.received_at.astimezone(LONDON)
        yield Entry(
            on=received.date(),
            at=received,
            kind="contact",
            title=f"Contact from {c.get_source_display().lower()} ({c.submission.reference})",
            detail=c.submission.concerns,
            url=url,
        )
        if c.decided_at:
            decided = c.decided_at.astimezone(LONDON)
            yield Entry(
                on=decided.date(),
                at=decided,
                kind="contact",
                title=f"Front door decision: {c.get_decision_display().lower()}",
                detail=c.decision_rationale,
                url=url,
                significant=c.decision in (Outcome.REFERRAL, Outcome.STRATEGY_DISCUSSION),
                by=c.decided_by.full_name if c.decided_by else "",
            )


@register_chronology_source("referral", "Referrals and closures")
def referrals(person: Person, viewer: User) -> Iterable[Entry]:
    for e in person.cin_episodes.select_related("closed_by"):
        url = reverse("casework:episode", args=[e.pk])
        yield Entry(
            on=e.referral_date,
            kind="referral",
            title="Referral to children's social care"
            + (" (re-referral within 12 months)" if e.is_re_referral else ""),
            detail=f"Source: {e.get_referral_source_display()}."
            + (f" Primary need: {e.get_primary_need_display()}." if e.primary_need else ""),
            url=url,
            significant=True,
        )
        if e.closure_date:
            yield Entry(
                on=e.closure_date,
                kind="referral",
                title="No further action on the referral" if e.referral_nfa else "Case closed",
                detail=" ".join(
                    x for x in (f"{e.get_closure_reason_display()}.", e.closure_summary) if x
                ),
                url=url,
                significant=True,
                by=e.closed_by.full_name if e.closed_by else "",
            )


@register_chronology_source("early_help", "Early help")
def early_help(person: Person, viewer: User) -> Iterable[Entry]:
    for e in person.early_help_episodes.all():
        url = reverse("frontdoor:early-help", args=[e.pk])
        yield Entry(
            on=e.start_date, kind="early_help", title="Early help began", detail=e.reason, url=url
        )
        if e.end_date:
            yield Entry(
                on=e.end_date,
                kind="early_help",
                title="Early help ended",
                detail=e.get_outcome_display(),
                url=url,
            )
