"""Writes at the front door: contacts received, screened, checked, recommended and decided; early
help episodes. Each step is one transaction and one audit event, and tells the timescale engine."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hearth.casework.codes import PrimaryNeed, ReferralSource
from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import TeamMembership, User
from hearth.core.services import model_update
from hearth.people.models import IdentifierSequence, Person
from hearth.timescales import services as timescales
from hearth.timescales.rules import SubjectType

from .models import (
    Agency,
    AgencyCheck,
    Channel,
    ConcernCategory,
    Consent,
    Contact,
    ContactSubmission,
    EarlyHelpEpisode,
    EarlyHelpOutcome,
    Outcome,
    Rating,
)

# A rationale is the reasons for a decision, not a word or two (Ofsted: decisions "endorsed with
# no rationale"). Below this many words it is refused.
RATIONALE_MIN_WORDS = 10
DECIDERS = "core.manage_allocations"  # managers decide and endorse
RE_REFERRAL_WINDOW_DAYS = 365


def validate_rationale(
    text: str,
    field_name: str,
    what: str = "decision",
    explain: str = "what the concerns are, what the checks showed and why this response meets them",
) -> str:
    """A written rationale of at least RATIONALE_MIN_WORDS words (casework uses it too)."""
    words = re.findall(r"[A-Za-z0-9']+", text or "")
    if not words:
        raise ValidationError({field_name: f"Enter the reasons for the {what}"})
    if len(words) < RATIONALE_MIN_WORDS:
        raise ValidationError(
            {field_name: f"Explain the {what} in at least {RATIONALE_MIN_WORDS} words: {explain}"}
        )
    return text.strip()


def _next_reference(now: dt.datetime) -> str:
    sequence, _ = IdentifierSequence.objects.select_for_update().get_or_create(
        name=f"contact-{now.year}"
    )
    IdentifierSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
    sequence.refresh_from_db()
    return f"MASH-{now.year}-{sequence.last_value:06d}"


@dataclass(frozen=True)
class ChildDetails:
    """A child the contact is about: an existing record, or the details the referrer gave."""

    person: Person | None = None
    forename: str = ""
    surname: str = ""
    date_of_birth: dt.date | None = None
    address: str = ""

    def as_given(self) -> dict[str, Any]:
        return {
            "forename": self.forename,
            "surname": self.surname,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "address": self.address,
        }


@dataclass(frozen=True)
class Referrer:
    name: str = ""
    role: str = ""
    organisation: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class NewContact:
    received_at: dt.datetime
    source: str
    concerns: str
    children: Sequence[ChildDetails]
    categories: Sequence[str] = ()
    referrer: Referrer = field(default_factory=Referrer)
    channel: str = Channel.STAFF


def _validate_new(new: NewContact, now: dt.datetime) -> None:
    errors: dict[str, str] = {}
    if new.received_at > now + dt.timedelta(minutes=1):
        errors["received_at"] = "The date and time received must be now or in the past"
    if new.source not in ReferralSource.values:
        errors["source"] = "Select who the contact came from"
    if not (new.concerns or "").strip():
        errors["concerns"] = "Enter the concerns about the child"
    unknown = set(new.categories) - set(ConcernCategory.values)
    if unknown:
        errors["categories"] = f"Unknown concern category: {sorted(unknown)[0]}"
    if not new.children:
        errors["children"] = "Enter at least one child"
    for child in new.children:
        if child.person is None and not (child.forename.strip() or child.surname.strip()):
            errors["children"] = "Enter each child's name, or choose an existing record"
        if child.date_of_birth and child.date_of_birth > now.date():
            errors["children"] = "A child's date of birth must be in the past"
    if new.referrer.email:
        try:
            validate_email(new.referrer.email)
        except ValidationError:
            errors["referrer_email"] = "Enter an email address like name@example.org"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contact_submit(*, actor: User | None, new: NewContact) -> ContactSubmission:
    """Record what arrived: one contact per child, all sharing one reference; clocks start."""
    now = timezone.now()
    _validate_new(new, now)
    submission = ContactSubmission.objects.create(
        reference=_next_reference(now),
        received_at=new.received_at,
        channel=new.channel,
        source=new.source,
        referrer_name=new.referrer.name.strip(),
        referrer_role=new.referrer.role.strip(),
        referrer_organisation=new.referrer.organisation.strip(),
        referrer_phone=new.referrer.phone.strip(),
        referrer_email=new.referrer.email.strip(),
        concerns=new.concerns.strip(),
        concern_categories=sorted(set(new.categories)),
        submitted_by=actor if actor is not None and actor.pk else None,
    )
    for child in new.children:
        contact = Contact.objects.create(
            submission=submission,
            person=child.person,
            child_as_given=child.as_given(),
            received_at=new.received_at,
            source=new.source,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=contact,
            person_id=child.person.pk if child.person else None,
            changes={"reference": [None, submission.reference], "source": [None, new.source]},
        )
        timescales.record_event(
            subject_type=SubjectType.CONTACT,
            subject_id=contact.pk,
            name="contact",
            at=new.received_at.date(),
            source=f"frontdoor.contact:{contact.pk}",
        )
    return submission


def _not_decided(contact: Contact) -> None:
    if contact.decision:
        raise ValidationError("This contact has been decided: it cannot be changed")


@transaction.atomic
def contact_link_person(
    *, actor: User, contact: Contact, person: Person, expected_version: int | None
) -> Contact:
    """The child this contact is about (found or newly recorded)."""
    _not_decided(contact)
    if person.merged_into_id:
        raise ValidationError({"person": "That record was merged: choose the record it became"})
    return model_update(
        actor=actor,
        instance=contact,
        data={"person": person},
        expected_version=expected_version,
        person_id=person.pk,
        detail="Contact linked to the child's record",
    )


@transaction.atomic
def contact_screen(
    *,
    actor: User,
    contact: Contact,
    consent: str,
    consent_reason: str,
    consent_authorised_by: User | None,
    rating: str,
    expected_version: int | None,
) -> Contact:
    """The consent gate and the rating: a contact is not screened without a consent position."""
    _not_decided(contact)
    errors: dict[str, str] = {}
    if contact.person_id is None:
        errors["person"] = "Link the contact to the child's record before screening it"
    if consent not in Consent.values:
        errors["consent"] = "Select whether consent to share information was obtained"
    if consent in (Consent.NOT_SOUGHT, Consent.OVERRIDDEN) and not consent_reason.strip():
        errors["consent_reason"] = (
            "Enter why consent was not sought"
            if consent == Consent.NOT_SOUGHT
            else "Enter why consent was overridden"
        )
    if consent == Consent.OVERRIDDEN:
        if consent_authorised_by is None:
            errors["consent_authorised_by"] = "Select the manager who authorised the override"
        elif not consent_authorised_by.has_perm(DECIDERS):
            errors["consent_authorised_by"] = "Only a manager can authorise overriding consent"
    if rating not in Rating.values:
        errors["rating"] = "Select a rating: red, amber or green"
    if errors:
        raise ValidationError(errors)
    previous_rating = contact.rating
    contact = model_update(
        actor=actor,
        instance=contact,
        data={
            "consent": consent,
            "consent_reason": consent_reason.strip() if consent != Consent.OBTAINED else "",
            "consent_authorised_by": consent_authorised_by
            if consent == Consent.OVERRIDDEN
            else None,
            "rating": rating,
            "screened_by": actor,
        },
        expected_version=expected_version,
        person_id=contact.person_id,
        detail="Screened",
    )
    if previous_rating != rating:
        source = f"frontdoor.contact:{contact.pk}:rating"
        timescales.withdraw_event(
            subject_type=SubjectType.CONTACT, subject_id=contact.pk, source=source
        )
        timescales.record_event(
            subject_type=SubjectType.CONTACT,
            subject_id=contact.pk,
            name=f"contact-rated-{rating}",
            at=contact.received_at.date(),
            source=source,
        )
    return contact


@transaction.atomic
def checks_request(
    *, actor: User, contact: Contact, agencies: Iterable[str], at: dt.datetime | None = None
) -> list[AgencyCheck]:
    if contact.decision:
        raise ValidationError("This contact has been decided: no more checks can be requested")
    chosen = sorted(set(agencies))
    if not chosen:
        raise ValidationError({"agencies": "Select at least one agency to check with"})
    unknown = set(chosen) - set(Agency.values)
    if unknown:
        raise ValidationError({"agencies": f"Unknown agency {sorted(unknown)[0]}"})
    open_agencies = set(
        contact.checks.filter(returned_at__isnull=True).values_list("agency", flat=True)
    )
    repeated = open_agencies & set(chosen)
    if repeated:
        raise ValidationError(
            {"agencies": f"A check with {Agency(sorted(repeated)[0]).label} is already waiting"}
        )
    at = at or timezone.now()
    checks = [
        AgencyCheck.objects.create(contact=contact, agency=a, requested_at=at, requested_by=actor)
        for a in chosen
    ]
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=contact,
        person_id=contact.person_id,
        changes={"checks_requested": [None, chosen]},
    )
    return checks


@transaction.atomic
def check_return(
    *,
    actor: User,
    check: AgencyCheck,
    summary: str,
    returned_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> AgencyCheck:
    returned_at = returned_at or timezone.now()
    if check.returned_at is not None:
        raise ValidationError("This check has already been returned")
    if not summary.strip():
        raise ValidationError({"summary": "Enter a summary of what the agency shared"})
    if returned_at < check.requested_at:
        raise ValidationError({"returned_at": "The check cannot be returned before it was asked"})
    if returned_at > timezone.now() + dt.timedelta(minutes=1):
        raise ValidationError({"returned_at": "The time returned must be now or in the past"})
    return model_update(
        actor=actor,
        instance=check,
        data={"returned_at": returned_at, "summary": summary.strip()},
        expected_version=expected_version,
        person_id=check.contact.person_id,
    )


@transaction.atomic
def contact_recommend(
    *, actor: User, contact: Contact, outcome: str, rationale: str, expected_version: int | None
) -> Contact:
    """The screening social worker's recommendation, with its reasons."""
    _not_decided(contact)
    if not (contact.consent and contact.rating and contact.person_id):
        raise ValidationError("Screen the contact (consent and rating) before recommending")
    if outcome not in Outcome.values:
        raise ValidationError({"recommendation": "Select a recommendation"})
    rationale = validate_rationale(rationale, "recommendation_rationale", "recommendation")
    return model_update(
        actor=actor,
        instance=contact,
        data={
            "recommendation": outcome,
            "recommendation_rationale": rationale,
            "recommended_by": actor,
            "recommended_at": timezone.now(),
        },
        expected_version=expected_version,
        person_id=contact.person_id,
        detail="Recommendation",
    )


@dataclass(frozen=True)
class History:
    """The child's contacts and referrals in the 12 months before a date (the decision page)."""

    contacts: list[Contact]
    referrals: list[ChildInNeedEpisode]

    @property
    def referral_count(self) -> int:
        return len(self.referrals)


def history_before(person: Person, before: dt.datetime, *, exclude: int | None = None) -> History:
    since = before - dt.timedelta(days=RE_REFERRAL_WINDOW_DAYS)
    contacts = Contact.objects.filter(
        person=person, received_at__gte=since, received_at__lte=before
    )
    if exclude is not None:
        contacts = contacts.exclude(pk=exclude)
    contacts = contacts.select_related("submission").order_by("-received_at")
    referrals = ChildInNeedEpisode.objects.filter(
        person=person, referral_date__gte=since.date(), referral_date__lte=before.date()
    ).order_by("-referral_date")
    return History(list(contacts), list(referrals))


def _manager_team(user: User) -> Any:
    membership = (
        TeamMembership.objects.filter(user=user, end_date__isnull=True)
        .select_related("team")
        .first()
    )
    return membership.team if membership else None


@transaction.atomic
def contact_decide(
    *,
    actor: User,
    contact: Contact,
    outcome: str,
    rationale: str,
    primary_need: str = "",
    expected_version: int | None,
    decided_at: dt.datetime | None = None,
) -> Contact:
    """The manager's decision, with its reasons; a referral opens a child-in-need episode."""
    if not actor.has_perm(DECIDERS):
        raise ValidationError("Only a manager can decide a contact")
    _not_decided(contact)
    if not contact.recommendation:
        raise ValidationError("The screening social worker's recommendation comes first")
    if outcome not in Outcome.values:
        raise ValidationError({"decision": "Select a decision"})
    rationale = validate_rationale(rationale, "decision_rationale")
    decided_at = decided_at or timezone.now()
    person = contact.person
    assert person is not None  # screened contacts have a person
    opens_episode = outcome in (Outcome.REFERRAL, Outcome.STRATEGY_DISCUSSION)
    if opens_episode:
        if primary_need not in PrimaryNeed.values:
            raise ValidationError({"primary_need": "Select the child's primary need"})
        open_episode = person.cin_episodes.filter(closure_date__isnull=True).first()
        if open_episode is not None:
            raise ValidationError(
                {
                    "decision": "The child already has an open child in need episode (from "
                    f"{open_episode.referral_date:%-d %B %Y}): pass the information to the "
                    "allocated worker instead of opening a new referral"
                }
            )
    episode = None
    early_help = None
    if opens_episode:
        episode = _open_referral(actor, contact, person, primary_need)
        if outcome == Outcome.STRATEGY_DISCUSSION:
            timescales.record_event(
                subject_type=SubjectType.CHILD,
                subject_id=person.pk,
                name="significant-harm-concern",
                at=decided_at.date(),
                source=f"frontdoor.contact:{contact.pk}:strategy",
            )
    elif outcome == Outcome.EARLY_HELP:
        early_help = early_help_open(
            actor=actor,
            person=person,
            start_date=decided_at.date(),
            reason=contact.submission.concerns[:2000],
        )
    contact = model_update(
        actor=actor,
        instance=contact,
        data={
            "decision": outcome,
            "decision_rationale": rationale,
            "primary_need": primary_need if opens_episode else "",
            "decided_by": actor,
            "decided_at": decided_at,
            "cin_episode": episode,
            "early_help_episode": early_help,
        },
        expected_version=expected_version,
        person_id=person.pk,
        detail="Decision",
    )
    timescales.record_event(
        subject_type=SubjectType.CONTACT,
        subject_id=contact.pk,
        name="contact-decision",
        at=decided_at.date(),
        source=f"frontdoor.contact:{contact.pk}:decision",
    )
    return contact


def _open_referral(
    actor: User, contact: Contact, person: Person, primary_need: str
) -> ChildInNeedEpisode:
    from hearth.casework.services import episode_open

    return episode_open(
        actor=actor,
        person=person,
        referral_date=contact.received_at.date(),
        referral_source=contact.source,
        primary_need=primary_need,
        team=_manager_team(actor),
        worker=contact.recommended_by,
    )


# --- early help ----------------------------------------------------------------------------------


@transaction.atomic
def early_help_open(
    *,
    actor: User,
    person: Person,
    start_date: dt.date,
    reason: str,
    organisation: str = "",
    lead_professional: str = "",
    stepped_down_from: ChildInNeedEpisode | None = None,
) -> EarlyHelpEpisode:
    if start_date > timezone.localdate():
        raise ValidationError({"start_date": "The start date must be today or in the past"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for early help"})
    if person.early_help_episodes.filter(end_date__isnull=True).exists():
        raise ValidationError({"start_date": "The child already has an open early help episode"})
    episode = EarlyHelpEpisode.objects.create(
        person=person,
        start_date=start_date,
        reason=reason.strip(),
        organisation=organisation.strip(),
        lead_professional=lead_professional.strip(),
        stepped_down_from=stepped_down_from,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=episode,
        person_id=person.pk,
        changes={"start_date": [None, start_date.isoformat()]},
    )
    return episode


@transaction.atomic
def early_help_update(
    *,
    actor: User,
    episode: EarlyHelpEpisode,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> EarlyHelpEpisode:
    """Assessment dates, organisation and lead professional; dates checked in order."""
    allowed = {"assessment_start", "assessment_completed", "organisation", "lead_professional"}
    values = {k: v for k, v in data.items() if k in allowed}
    start = values.get("assessment_start", episode.assessment_start)
    completed = values.get("assessment_completed", episode.assessment_completed)
    today = timezone.localdate()
    if start and start < episode.start_date:
        raise ValidationError(
            {"assessment_start": "The assessment cannot start before the episode started"}
        )
    if completed and not start:
        raise ValidationError({"assessment_start": "Enter when the assessment started"})
    if completed and start and completed < start:
        raise ValidationError(
            {"assessment_completed": "The assessment must be completed after it started"}
        )
    for name in ("assessment_start", "assessment_completed"):
        if values.get(name) and values[name] > today:
            raise ValidationError({name: "The date must be today or in the past"})
    if start and not (values.get("organisation", episode.organisation) or "").strip():
        raise ValidationError({"organisation": "Enter the organisation completing the assessment"})
    return model_update(
        actor=actor,
        instance=episode,
        data=values,
        expected_version=expected_version,
        person_id=episode.person_id,
    )


@transaction.atomic
def early_help_close(
    *,
    actor: User,
    episode: EarlyHelpEpisode,
    end_date: dt.date,
    outcome: str,
    expected_version: int | None,
    step_up_concerns: str = "",
) -> EarlyHelpEpisode:
    """End an episode. Stepping up to social care creates a contact at the front door."""
    if episode.end_date is not None:
        raise ValidationError("This early help episode has already ended")
    if outcome not in EarlyHelpOutcome.values:
        raise ValidationError({"outcome": "Select the outcome"})
    if end_date < episode.start_date:
        raise ValidationError({"end_date": "The end date must be on or after the start date"})
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": "The end date must be today or in the past"})
    if outcome == EarlyHelpOutcome.STEPPED_UP and not step_up_concerns.strip():
        raise ValidationError(
            {"step_up_concerns": "Enter the concerns for children's social care to screen"}
        )
    episode = model_update(
        actor=actor,
        instance=episode,
        data={"end_date": end_date, "outcome": outcome},
        expected_version=expected_version,
        person_id=episode.person_id,
    )
    if outcome == EarlyHelpOutcome.STEPPED_UP:
        contact_submit(
            actor=actor,
            new=NewContact(
                received_at=timezone.now(),
                source=ReferralSource.LA_EARLY_HELP,
                concerns=step_up_concerns,
                children=[ChildDetails(person=episode.person)],
                referrer=Referrer(
                    name=actor.full_name,
                    role=actor.job_title,
                    organisation=episode.organisation or "Early help",
                    email=actor.email,
                ),
            ),
        )
    return episode


@transaction.atomic
def step_down_to_early_help(
    *,
    actor: User,
    episode: ChildInNeedEpisode,
    on: dt.date,
    reason: str,
    organisation: str = "",
    expected_version: int | None = None,
) -> EarlyHelpEpisode:
    """Children's social care steps a child down: the child-in-need episode closes (RC9, referred
    to early help) and an early help episode opens, linked to it."""
    if episode.closure_date is not None:
        raise ValidationError("This child in need episode is already closed")
    if on < episode.referral_date:
        raise ValidationError({"on": "The step-down date must be on or after the referral date"})
    if on > timezone.localdate():
        raise ValidationError({"on": "The step-down date must be today or in the past"})
    model_update(
        actor=actor,
        instance=episode,
        data={"closure_date": on, "closure_reason": "RC9"},
        expected_version=expected_version,
        person_id=episode.person_id,
        detail="Stepped down to early help",
    )
    # The case closes to social care: the social worker and others on it stop holding it.
    from hearth.workforce.services import allocations_end_for_closed_case

    allocations_end_for_closed_case(actor=actor, person=episode.person, on=on)
    return early_help_open(
        actor=actor,
        person=episode.person,
        start_date=on,
        reason=reason,
        organisation=organisation,
        stepped_down_from=episode,
    )
