"""Writes for escalations: raise, answer, resolve, the raiser's acceptance or dispute, withdrawal,
and the automatic rise of a stage not answered in time.

Each is one transaction and one audit event; the escalation row is locked first, so an answer and
the automatic rise cannot both win. Every stage has its own clock in the timescale engine
(`escalation-response`, keyed `escalation-<pk>-<stage>`): raising starts it, the answer meets it,
and rising unanswered (or withdrawal) closes it. Notifications say only that there is an
escalation to look at, never anything about the child.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.choices import AuditAction, RoleCode
from hearth.core.models import Team, User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.frontdoor.models import Contact
from hearth.notifications.services import notify
from hearth.people.models import Person
from hearth.timescales import calendar as cal
from hearth.timescales import services as timescales
from hearth.timescales.models import ClockSubject, Deadline
from hearth.timescales.rules import SubjectType
from hearth.timescales.selectors import working_calendar
from hearth.workforce.selectors import current_lead

from . import policies, routing
from .models import (
    Acceptance,
    Escalation,
    EscalationStage,
    RaiserReply,
    RaiserRole,
    Stage,
    Status,
)

RULE = "escalation-response"
DEFAULT_RESPONSE_WORKING_DAYS = 5  # the rule's default, if the engine gave no deadline
# An answer, a resolution or a dispute says what and why: below this many words it is refused.
MIN_WORDS = 10
WORD = re.compile(r"[A-Za-z0-9']+")


# --- clocks --------------------------------------------------------------------------------------


def clock_key(escalation_id: int, stage: int) -> str:
    return f"escalation-{escalation_id}-{stage}"


def clock_source(stage_row_id: int) -> str:
    return f"escalations.escalationstage:{stage_row_id}"


def _due_on(person_id: int, key: str, started: dt.date) -> dt.date:
    """The stage's due date as the engine worked it out (the council's local period)."""
    due = (
        Deadline.objects.filter(
            subject_type=SubjectType.CHILD,
            subject_id=person_id,
            rule_code=RULE,
            clock__endswith=f".{key}",
        )
        .values_list("due_on", flat=True)
        .first()
    )
    if due is not None:
        return due
    return working_calendar().add_working_days(started, DEFAULT_RESPONSE_WORKING_DAYS)


def _start_stage(
    escalation: Escalation, stage: int, owner_id: int, at: dt.datetime, *, rose: bool
) -> EscalationStage:
    started = at.astimezone(cal.LONDON).date()
    row = EscalationStage.objects.create(
        escalation=escalation,
        stage=stage,
        owner_id=owner_id,
        started_at=at,
        due_on=started,  # replaced below, once the engine has the clock
        rose_automatically=rose,
    )
    key = clock_key(escalation.pk, stage)
    timescales.record_event(
        subject_type=SubjectType.CHILD,
        subject_id=escalation.person_id,
        name="escalation-raised",
        at=at,
        key=key,
        source=clock_source(row.pk),
    )
    row.due_on = _due_on(escalation.person_id, key, started)
    row.save(update_fields=["due_on"])
    return row


def _stage_event(escalation: Escalation, row: EscalationStage, name: str, at: dt.datetime) -> None:
    timescales.record_event(
        subject_type=SubjectType.CHILD,
        subject_id=escalation.person_id,
        name=name,
        at=at,
        key=clock_key(escalation.pk, row.stage),
        source=clock_source(row.pk),
    )


# --- the management line -------------------------------------------------------------------------


class DatabaseDirectory:
    """`routing.Directory` over the users table: one query per person looked up."""

    def __init__(self) -> None:
        self._facts: dict[int, routing.UserFacts | None] = {}

    def facts(self, user_id: int) -> routing.UserFacts | None:
        if user_id not in self._facts:
            director = User.roles.through.objects.filter(
                user_id=OuterRef("pk"), role__code=RoleCode.DIRECTOR
            )
            row = (
                User.objects.filter(pk=user_id)
                .annotate(is_director=Exists(director))
                .values("pk", "is_active", "line_manager_id", "is_director")
                .first()
            )
            self._facts[user_id] = routing.UserFacts(**row) if row else None
        return self._facts[user_id]

    def directors(self) -> list[int]:
        return list(
            User.objects.filter(is_active=True, roles__code=RoleCode.DIRECTOR)
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()
        )


def answerable_teams(person: Person) -> list[Team]:
    """Teams answerable for the child, in order: the lead social worker's; for a child with no
    lead worker, the team answerable for their deadlines, then their latest referral's team."""
    teams: list[Team] = []
    lead = current_lead(person)
    if lead is not None and lead.team is not None:
        teams.append(lead.team)
    subject = (
        ClockSubject.objects.filter(
            subject_type=SubjectType.CHILD, subject_id=person.pk, team__isnull=False
        )
        .select_related("team__manager")
        .first()
    )
    if subject is not None and subject.team is not None:
        teams.append(subject.team)
    episode = (
        ChildInNeedEpisode.objects.filter(person=person, referral_team__isnull=False)
        .select_related("referral_team__manager")
        .order_by("-referral_date", "-pk")
        .first()
    )
    if episode is not None and episode.referral_team is not None:
        teams.append(episode.referral_team)
    return teams


def first_owner(person: Person, raiser: User) -> tuple[int, int]:
    """(stage, owner id) for a new escalation about the child."""
    directory = DatabaseDirectory()
    for team in answerable_teams(person):
        found = routing.first_stage(directory, team.manager_id, raiser.pk)
        if found is not None:
            return found
    raise ValidationError(
        "No team is answerable for this child, so there is no manager to send the escalation "
        "to: ask the service manager to allocate the child, or raise it with them directly"
    )


# --- helpers -------------------------------------------------------------------------------------


def _words(text: str, field: str, what: str) -> str:
    words = WORD.findall(text or "")
    if not words:
        raise ValidationError({field: f"Enter {what}"})
    if len(words) < MIN_WORDS:
        raise ValidationError({field: f"Explain {what} in at least {MIN_WORDS} words"})
    return text.strip()


def _url(escalation: Escalation) -> str:
    return reverse("escalations:detail", args=[escalation.pk])


def _locked(escalation: Escalation) -> Escalation:
    return Escalation.objects.select_for_update().get(pk=escalation.pk)


def _current(escalation: Escalation) -> EscalationStage:
    return EscalationStage.objects.select_for_update().get(
        escalation=escalation, stage=escalation.stage
    )


def _tell_owner(escalation: Escalation, row: EscalationStage, why: str) -> None:
    notify(
        recipients=[row.owner],
        subject=f"Escalation {escalation.reference} needs your response by "
        f"{row.due_on.day} {row.due_on:%B %Y}",
        body=f"{why} You own its {row.get_stage_display().lower()} stage.",
        url=_url(escalation),
    )


def _tell_raiser(escalation: Escalation, subject: str, body: str = "") -> None:
    notify(recipients=[escalation.raised_by], subject=subject, body=body, url=_url(escalation))


def _check_version(escalation: Escalation, expected_version: int | None) -> None:
    if expected_version is not None and escalation.version != expected_version:
        raise ConcurrentEditError(ConcurrentEditError.message)


# --- raising -------------------------------------------------------------------------------------


@transaction.atomic
def escalation_raise(
    *,
    actor: User,
    person: Person,
    concern: str,
    outcome_sought: str,
    raiser_role: str = "",
    at: dt.datetime | None = None,
) -> Escalation:
    """Raise an escalation about a child: the first stage starts, its owner is told."""
    now = timezone.now()
    at = at or now
    roles = policies.raiser_roles(actor, person)
    if not roles:
        raise ValidationError(
            {
                "person": "You can raise an escalation only about a child on whose case you hold "
                "a role, or, for a partner agency, a child you referred"
            }
        )
    errors: dict[str, str] = {}
    if raiser_role and raiser_role not in roles:
        errors["raiser_role"] = "Choose a role you hold on this child's case"
    if not (concern or "").strip():
        errors["concern"] = "Enter the concern: what is wrong for the child"
    if not (outcome_sought or "").strip():
        errors["outcome_sought"] = "Enter the outcome you are seeking"
    if at > now + dt.timedelta(minutes=1):
        errors["raised_at"] = "An escalation cannot be raised in the future"
    if person.merged_into_id:
        errors["person"] = "That record was merged: choose the record it became"
    if errors:
        raise ValidationError(errors)
    role = raiser_role or roles[0]
    contact: Contact | None = None
    if role == RaiserRole.PARTNER_AGENCY:
        contact = policies.referring_contact(actor, person)
    stage, owner_id = first_owner(person, actor)
    escalation = Escalation.objects.create(
        person=person,
        raised_by=actor,
        raiser_role=role,
        contact=contact,
        raised_at=at,
        concern=concern.strip(),
        outcome_sought=outcome_sought.strip(),
        stage=stage,
        owner_id=owner_id,
    )
    row = _start_stage(escalation, stage, owner_id, at, rose=False)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=escalation,
        person_id=person.pk,
        changes={
            "raiser_role": [None, role],
            "stage": [None, stage],
            "owner": [None, owner_id],
            "due_on": [None, row.due_on.isoformat()],
        },
    )
    _tell_owner(escalation, row, "An escalation has been raised.")
    return escalation


# --- the owner's answer and resolution -----------------------------------------------------------


@transaction.atomic
def escalation_respond(
    *,
    actor: User,
    escalation: Escalation,
    response: str,
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Escalation:
    """The current stage's owner answers: the stage's clock is met and the raiser is told."""
    escalation = _locked(escalation)
    _check_version(escalation, expected_version)
    if escalation.status != Status.OPEN:
        raise ValidationError("This escalation is closed: it cannot be answered")
    if escalation.owner_id != actor.pk:
        raise ValidationError("Only the owner of the current stage can answer it")
    row = _current(escalation)
    if row.responded_at is not None:
        raise ValidationError(
            "This stage has been answered: record a resolution, or wait for the raiser's reply"
        )
    text = _words(response, "response", "your response: what will be done, by whom and when")
    at = at or timezone.now()
    row.response, row.responded_at, row.responded_by = text, at, actor
    row.full_clean()
    row.save()
    _stage_event(escalation, row, "escalation-responded", at)
    escalation = model_update(
        actor=actor,
        instance=escalation,
        data={},
        related_changes={f"stage_{row.stage}_response": [None, text]},
        person_id=escalation.person_id,
        detail=f"Answered at the {row.get_stage_display().lower()} stage",
    )
    _tell_raiser(
        escalation,
        f"Your escalation {escalation.reference} has been answered",
        "Read the answer, then say whether you accept it or want it to go further.",
    )
    return escalation


@transaction.atomic
def escalation_resolve(
    *,
    actor: User,
    escalation: Escalation,
    resolution: str,
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Escalation:
    """The current owner records how the concern was resolved; an unanswered stage is answered
    by it. The raiser is asked whether they accept it."""
    escalation = _locked(escalation)
    _check_version(escalation, expected_version)
    if escalation.status != Status.OPEN:
        raise ValidationError("This escalation is already closed")
    if escalation.owner_id != actor.pk:
        raise ValidationError("Only the owner of the current stage can resolve it")
    text = _words(resolution, "resolution", "the resolution: what was agreed and what will change")
    at = at or timezone.now()
    row = _current(escalation)
    if row.responded_at is None:
        row.response, row.responded_at, row.responded_by = text, at, actor
        _stage_event(escalation, row, "escalation-responded", at)
    row.resolution, row.ended_at = text, at
    row.full_clean()
    row.save()
    escalation = _close_resolved(escalation, resolved_by=actor, resolution=text, at=at, actor=actor)
    _tell_raiser(
        escalation,
        f"Your escalation {escalation.reference} has been resolved",
        "Read the resolution, then say whether you accept it.",
    )
    return escalation


def _close_resolved(
    escalation: Escalation,
    *,
    resolved_by: User,
    resolution: str,
    at: dt.datetime,
    actor: User,
    acceptance: str = Acceptance.NOT_YET,
    comment: str = "",
) -> Escalation:
    return model_update(
        actor=actor,
        instance=escalation,
        data={
            "status": Status.RESOLVED,
            "resolution": resolution,
            "resolved_at": max(at, escalation.raised_at),
            "resolved_by": resolved_by,
            "raiser_accepted": acceptance,
            "raiser_comment": comment,
        },
        person_id=escalation.person_id,
        detail="Resolved",
    )


# --- the raiser's reply --------------------------------------------------------------------------


def _answered_stage(escalation: Escalation, actor: User) -> EscalationStage:
    if escalation.raised_by_id != actor.pk:
        raise ValidationError("Only the person who raised the escalation can reply to its answer")
    if escalation.status == Status.WITHDRAWN:
        raise ValidationError("This escalation was withdrawn")
    if escalation.status == Status.RESOLVED and escalation.raiser_accepted != Acceptance.NOT_YET:
        raise ValidationError("You have already replied to this resolution")
    row = _current(escalation)
    if row.responded_at is None:
        raise ValidationError("There is no answer to reply to yet: the stage is awaiting it")
    if row.raiser_reply:
        raise ValidationError("You have already replied to this answer")
    return row


@transaction.atomic
def escalation_accept(
    *,
    actor: User,
    escalation: Escalation,
    comment: str = "",
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Escalation:
    """The raiser accepts the answer or the resolution: the escalation is resolved, accepted."""
    escalation = _locked(escalation)
    _check_version(escalation, expected_version)
    row = _answered_stage(escalation, actor)
    at = max(at or timezone.now(), row.responded_at or escalation.raised_at)
    row.raiser_reply, row.raiser_comment, row.raiser_replied_at = (
        RaiserReply.ACCEPTED,
        comment.strip(),
        at,
    )
    if row.ended_at is None:
        row.ended_at = at
    row.full_clean()
    row.save()
    if escalation.status == Status.OPEN:
        assert row.responded_by is not None
        escalation = _close_resolved(
            escalation,
            resolved_by=row.responded_by,
            resolution=row.response,
            at=at,
            actor=actor,
            acceptance=Acceptance.YES,
            comment=comment.strip(),
        )
    else:
        escalation = model_update(
            actor=actor,
            instance=escalation,
            data={"raiser_accepted": Acceptance.YES, "raiser_comment": comment.strip()},
            person_id=escalation.person_id,
            detail="The raiser accepted the resolution",
        )
    notify(
        recipients=[row.owner],
        subject=f"The raiser accepted the answer to escalation {escalation.reference}",
        url=_url(escalation),
    )
    return escalation


@transaction.atomic
def escalation_dispute(
    *,
    actor: User,
    escalation: Escalation,
    comment: str,
    rise: bool,
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Escalation:
    """The raiser does not accept the answer. Asking to rise takes it to the next stage (not past
    the director); otherwise the disagreement is recorded and the escalation closes unaccepted."""
    escalation = _locked(escalation)
    _check_version(escalation, expected_version)
    row = _answered_stage(escalation, actor)
    text = _words(comment, "comment", "why you do not accept the answer")
    at = max(at or timezone.now(), row.responded_at or escalation.raised_at)
    step = None
    if rise:
        step = routing.next_stage(DatabaseDirectory(), row.stage, row.owner_id, actor.pk)
        if step is None:
            raise ValidationError(
                {
                    "rise": "This escalation is at the director stage (the last): it cannot go "
                    "further. Record your disagreement instead."
                }
            )
    row.raiser_reply, row.raiser_comment, row.raiser_replied_at = (
        RaiserReply.DISPUTED,
        text,
        at,
    )
    if row.ended_at is None:
        row.ended_at = at
    row.full_clean()
    row.save()
    if step is None:
        if escalation.status == Status.OPEN:
            assert row.responded_by is not None
            escalation = _close_resolved(
                escalation,
                resolved_by=row.responded_by,
                resolution=row.response,
                at=at,
                actor=actor,
                acceptance=Acceptance.NO,
                comment=text,
            )
        else:
            escalation = model_update(
                actor=actor,
                instance=escalation,
                data={"raiser_accepted": Acceptance.NO, "raiser_comment": text},
                person_id=escalation.person_id,
                detail="The raiser did not accept the resolution",
            )
        notify(
            recipients=[row.owner],
            subject=f"The raiser did not accept the answer to escalation {escalation.reference}",
            url=_url(escalation),
        )
        return escalation
    stage, owner_id = step
    new_row = _start_stage(escalation, stage, owner_id, at, rose=False)
    escalation = model_update(
        actor=actor,
        instance=escalation,
        data={
            "stage": stage,
            "owner": new_row.owner,
            "status": Status.OPEN,
            "resolution": "",
            "resolved_at": None,
            "resolved_by": None,
            "raiser_accepted": Acceptance.NOT_YET,
            "raiser_comment": "",
        },
        person_id=escalation.person_id,
        detail=f"Disputed by the raiser: moved to the {new_row.get_stage_display().lower()} stage",
    )
    _tell_owner(
        escalation,
        new_row,
        "The raiser did not accept the answer at the stage below and asked for it to go further.",
    )
    return escalation


# --- withdrawal ----------------------------------------------------------------------------------


@transaction.atomic
def escalation_withdraw(
    *,
    actor: User,
    escalation: Escalation,
    reason: str,
    entered_in_error: bool = False,
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Escalation:
    """The raiser withdraws an open escalation. Entered in error: its clocks are withdrawn too (no
    deadline ever counted); otherwise the open stage's clock closes."""
    escalation = _locked(escalation)
    _check_version(escalation, expected_version)
    if escalation.raised_by_id != actor.pk:
        raise ValidationError("Only the person who raised the escalation can withdraw it")
    if escalation.status != Status.OPEN:
        raise ValidationError("Only an open escalation can be withdrawn")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the escalation is being withdrawn"})
    at = at or timezone.now()
    row = _current(escalation)
    row.ended_at = max(at, row.started_at)
    row.save(update_fields=["ended_at", "updated_at"])
    if entered_in_error:
        for pk in escalation.stages.values_list("pk", flat=True):
            timescales.withdraw_event(
                subject_type=SubjectType.CHILD,
                subject_id=escalation.person_id,
                source=clock_source(pk),
            )
    elif row.responded_at is None:
        _stage_event(escalation, row, "escalation-withdrawn", max(at, row.started_at))
    owner = escalation.owner
    escalation = model_update(
        actor=actor,
        instance=escalation,
        data={
            "status": Status.WITHDRAWN,
            "withdrawn_at": max(at, escalation.raised_at),
            "withdrawal_reason": reason.strip(),
            "entered_in_error": entered_in_error,
        },
        person_id=escalation.person_id,
        action=AuditAction.ARCHIVE if entered_in_error else AuditAction.UPDATE,
        detail="Withdrawn (entered in error)" if entered_in_error else "Withdrawn",
    )
    notify(
        recipients=[owner],
        subject=f"Escalation {escalation.reference} has been withdrawn",
        url=_url(escalation),
    )
    return escalation


# --- the automatic rise --------------------------------------------------------------------------


def overdue_stages(
    *, now: dt.datetime, among: Iterable[int] | QuerySet[Escalation] | None = None
) -> QuerySet[EscalationStage]:
    """Current stages of open escalations not answered by their due date (London) as at `now`."""
    today = now.astimezone(cal.LONDON).date()
    rows = EscalationStage.objects.filter(
        ended_at__isnull=True,
        responded_at__isnull=True,
        due_on__lt=today,
        escalation__status=Status.OPEN,
        stage__lt=Stage.DIRECTOR,
    )
    if among is not None:
        ids = among.values("pk") if isinstance(among, QuerySet) else list(among)
        rows = rows.filter(escalation_id__in=ids)
    return rows


def escalations_rise_overdue(
    *, now: dt.datetime, among: Iterable[int] | QuerySet[Escalation] | None = None
) -> list[Escalation]:
    """Move every open escalation whose current stage is past its due date up one stage; tell the
    new owner and the raiser. Idempotent: the new stage is due in the future, so a second run
    moves nothing. A director stage, or a line with nowhere to go, stays overdue and visible.

    `among` limits it to some escalations (a page showing them, so a late run cannot hide one).
    Returns the escalations that rose.
    """
    candidates = list(
        overdue_stages(now=now, among=among)
        .order_by("escalation_id")
        .values_list("escalation_id", flat=True)
    )
    risen = []
    directory = DatabaseDirectory()
    for escalation_id in candidates:
        escalation = _rise_one(escalation_id, now, directory)
        if escalation is not None:
            risen.append(escalation)
    return risen


@transaction.atomic
def _rise_one(
    escalation_id: int, now: dt.datetime, directory: DatabaseDirectory
) -> Escalation | None:
    escalation = Escalation.objects.select_for_update().filter(pk=escalation_id).first()
    if escalation is None or escalation.status != Status.OPEN:
        return None
    row = _current(escalation)
    today = now.astimezone(cal.LONDON).date()
    if row.responded_at is not None or row.due_on >= today or row.ended_at is not None:
        return None  # answered, or risen, since the candidates were read
    step = routing.next_stage(directory, row.stage, row.owner_id, escalation.raised_by_id)
    if step is None:
        return None
    at = max(now, row.started_at)
    row.ended_at = at
    row.save(update_fields=["ended_at", "updated_at"])
    _stage_event(escalation, row, "escalation-risen", at)
    stage, owner_id = step
    new_row = _start_stage(escalation, stage, owner_id, at, rose=True)
    missed = row.get_stage_display().lower()
    escalation = model_update(
        actor=None,
        instance=escalation,
        data={"stage": stage, "owner": new_row.owner},
        person_id=escalation.person_id,
        detail=f"Not answered at the {missed} stage by {row.due_on.isoformat()}: rose to the "
        f"{new_row.get_stage_display().lower()} stage",
    )
    _tell_owner(
        escalation,
        new_row,
        f"It was not answered in time at the {missed} stage, so it has come to you.",
    )
    _tell_raiser(
        escalation,
        f"Your escalation {escalation.reference} was not answered in time and has gone to the "
        f"{new_row.get_stage_display().lower()}",
    )
    return escalation
