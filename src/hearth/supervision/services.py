"""Writes for supervision and management oversight: one transaction and one audit event each.

A held (attended) session tells the timescale engine: the clock event `supervision` for the worker,
named by the session (`supervision.supervisionsession:<pk>`), so the `supervision` deadline is met
and the next one falls due 4 weeks later (2 in the assessed and supported year). A cancelled session
meets nothing. A session entered in error is withdrawn with a reason, and its clock event with it.

The wellbeing check and the reflective discussion are confidential to the worker, the supervisor
and the worker's management line: the audit trail records that they changed, never their words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from hearth.core import audit
from hearth.core.choices import AuditAction, EmploymentType
from hearth.core.models import TeamMembership, User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.people.models import Person
from hearth.timescales import services as timescales
from hearth.timescales.models import ClockEvent, ClockSubject
from hearth.timescales.rules import SubjectType
from hearth.workforce.codes import EndReason
from hearth.workforce.models import Allocation

from . import policies
from .models import (
    CancellationReason,
    CaseDiscussion,
    DiscussionAction,
    ManagementOversight,
    SessionStatus,
    SupervisionSession,
    Wellbeing,
)

# Decisions carry their reasons (Ofsted: decisions "with no rationale"): fewer words are refused.
RATIONALE_MIN_WORDS = 10
CONFIDENTIAL = frozenset({"reflective_discussion", "wellbeing_notes", "wellbeing_rating"})
SESSION_FIELDS = (
    "session_date",
    "supervisor",
    "cancellation_reason",
    "cancellation_note",
    "reflective_discussion",
    "wellbeing_rating",
    "wellbeing_notes",
    "next_session_on",
)
EVENT = "supervision"  # the clock event a held session records, and the rule it meets


def validate_rationale(text: str, field_name: str = "rationale") -> str:
    words = re.findall(r"[A-Za-z0-9']+", text or "")
    if not words:
        raise ValidationError({field_name: "Enter the reasons for the decision"})
    if len(words) < RATIONALE_MIN_WORDS:
        raise ValidationError(
            {
                field_name: f"Explain the decision in at least {RATIONALE_MIN_WORDS} words: what "
                "you considered and why this is the right decision for the child"
            }
        )
    return text.strip()


def _not_future(day: dt.date | None, field_name: str, errors: dict[str, str], what: str) -> None:
    if day is not None and day > timezone.localdate():
        errors.setdefault(field_name, f"{what} must be today or in the past")


def _redacted(changes: audit.FieldChanges) -> audit.FieldChanges:
    """The audit trail says a confidential field changed, never what it says."""
    return {
        name: (["…", "…"] if name in CONFIDENTIAL else values) for name, values in changes.items()
    }


# --- the supervision clock -----------------------------------------------------------------------


def _current_team(worker: User) -> Any:
    membership = (
        TeamMembership.objects.filter(user=worker, end_date__isnull=True)
        .select_related("team")
        .order_by("start_date")
        .first()
    )
    return membership.team if membership else None


def ensure_supervision_clock(worker: User, first_session: dt.date) -> None:
    """Start the worker's supervision clock when nothing has yet: the `supervision` rule runs from
    `joined` (and more often from `asye-start`), which staff records do not yet tell the engine.
    The clock then answers to the worker and their team, so it appears in their deadline lists."""
    subject = (SubjectType.WORKER, worker.pk)
    started = ClockEvent.objects.filter(
        subject_type=subject[0], subject_id=subject[1], name="joined", withdrawn_at__isnull=True
    ).exists()
    if not started:
        joined = min(worker.employment_start or first_session, first_session)
        timescales.record_event(
            subject_type=subject[0],
            subject_id=subject[1],
            name="joined",
            at=joined,
            source=f"core.user:{worker.pk}:employment",
        )
        if worker.employment_type == EmploymentType.ASYE:
            timescales.record_event(
                subject_type=subject[0],
                subject_id=subject[1],
                name="asye-start",
                at=joined,
                source=f"core.user:{worker.pk}:asye",
            )
    answered = ClockSubject.objects.filter(
        subject_type=subject[0], subject_id=subject[1], worker__isnull=False
    ).exists()
    if not answered:
        timescales.set_responsibility(
            subject_type=subject[0],
            subject_id=subject[1],
            worker=worker,
            team=_current_team(worker),
        )


def _record_clock(session: SupervisionSession) -> None:
    ensure_supervision_clock(session.worker, session.session_date)
    timescales.record_event(
        subject_type=SubjectType.WORKER,
        subject_id=session.worker_id,
        name=EVENT,
        at=session.session_date,
        source=session.clock_source,
    )


# --- sessions ------------------------------------------------------------------------------------


def _validate_session(
    *, actor: User, worker: User, values: dict[str, Any], session: SupervisionSession | None
) -> dict[str, Any]:
    """Check a session's values as a whole; returns them tidied. Raises one ValidationError with
    every problem found, each against its field."""
    errors: dict[str, str] = {}
    status = values["status"]
    supervisor: User | None = values.get("supervisor")
    day: dt.date | None = values.get("session_date")
    if status not in SessionStatus.values:
        errors["status"] = "Select whether the session was held or cancelled"
    if supervisor is None:
        errors["supervisor"] = "Select the supervisor"
    elif supervisor.pk == worker.pk:
        errors["supervisor"] = "Someone cannot supervise themselves: select the supervisor"
    elif not supervisor.is_active or not supervisor.has_perm(policies.MANAGE):
        errors["supervisor"] = (
            f"{supervisor} cannot be the supervisor: supervision is given by a team manager, "
            "a senior practitioner or a manager above them"
        )
    elif supervisor.pk != actor.pk and not policies.in_management_line(actor, worker):
        errors["supervisor"] = (
            "You can record only your own sessions with this worker: their line manager can "
            "record sessions given by someone else"
        )
    if day is None:
        errors["session_date"] = "Enter the date of the session"
    else:
        _not_future(day, "session_date", errors, "The date of the session")
        if worker.employment_start and day < worker.employment_start:
            started = f"{worker.employment_start:%-d %B %Y}"
            errors["session_date"] = f"The date must be on or after {worker} started ({started})"
        if worker.employment_end and day > worker.employment_end:
            left = f"{worker.employment_end:%-d %B %Y}"
            errors["session_date"] = f"The date must be on or before {worker} left ({left})"
    text = {
        name: str(values.get(name) or "").strip()
        for name in (
            "cancellation_reason",
            "cancellation_note",
            "reflective_discussion",
            "wellbeing_notes",
        )
    }
    rating = values.get("wellbeing_rating")
    if status == SessionStatus.ATTENDED:
        if not text["reflective_discussion"]:
            errors["reflective_discussion"] = "Enter what you reflected on in the session"
        if rating not in Wellbeing.values:
            errors["wellbeing_rating"] = "Select how the worker says they are"
        if text["cancellation_reason"] or text["cancellation_note"]:
            errors["cancellation_reason"] = (
                "A session that was held has no cancellation reason: clear it, or record the "
                "session as cancelled"
            )
    elif status == SessionStatus.CANCELLED:
        if text["cancellation_reason"] not in CancellationReason.values:
            errors["cancellation_reason"] = "Select why the session was cancelled"
        elif (
            text["cancellation_reason"] == CancellationReason.OTHER
            and not (text["cancellation_note"])
        ):
            errors["cancellation_note"] = "Enter why the session was cancelled"
        if text["reflective_discussion"] or text["wellbeing_notes"] or rating is not None:
            errors["status"] = (
                "A cancelled session has no reflective discussion or wellbeing check: clear them, "
                "or record the session as held"
            )
    next_on: dt.date | None = values.get("next_session_on")
    if next_on is not None and day is not None and next_on <= day:
        errors["next_session_on"] = "The next session must be after this one"
    if day is not None and status == SessionStatus.ATTENDED and "session_date" not in errors:
        same_day = SupervisionSession.objects.filter(
            worker=worker,
            session_date=day,
            status=SessionStatus.ATTENDED,
            withdrawn_at__isnull=True,
        )
        if session is not None:
            same_day = same_day.exclude(pk=session.pk)
        if same_day.exists():
            errors["session_date"] = (
                f"A session with {worker} on this date is already recorded: open it to change it"
            )
    if errors:
        raise ValidationError(errors)
    return {
        **values,
        **text,
        "wellbeing_rating": rating if status == SessionStatus.ATTENDED else None,
    }


@transaction.atomic
def session_record(
    *,
    actor: User,
    worker: User,
    supervisor: User | None,
    session_date: dt.date | None,
    status: str,
    cancellation_reason: str = "",
    cancellation_note: str = "",
    reflective_discussion: str = "",
    wellbeing_rating: int | None = None,
    wellbeing_notes: str = "",
    next_session_on: dt.date | None = None,
) -> SupervisionSession:
    """A supervision session, held or cancelled. A held one meets the worker's supervision
    deadline and starts the next period."""
    if not policies.may_record_for(actor, worker):
        raise ValidationError(
            f"Only {worker}'s supervisor or a manager in their management line can record their "
            "supervision"
        )
    values = _validate_session(
        actor=actor,
        worker=worker,
        session=None,
        values={
            "status": status,
            "supervisor": supervisor,
            "session_date": session_date,
            "cancellation_reason": cancellation_reason,
            "cancellation_note": cancellation_note,
            "reflective_discussion": reflective_discussion,
            "wellbeing_rating": wellbeing_rating,
            "wellbeing_notes": wellbeing_notes,
            "next_session_on": next_session_on,
        },
    )
    session = SupervisionSession(worker=worker, recorded_by=actor, **values)
    session.full_clean()
    session.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=session,
        changes=_redacted(
            {
                "worker": [None, worker.pk],
                **{
                    name: [None, value]
                    for name, value in audit.snapshot(session, ("status", *SESSION_FIELDS)).items()
                    if value not in ("", None)
                },
            }
        ),
    )
    if session.attended:
        _record_clock(session)
    return session


def _check_version(instance: models.Model, expected_version: int | None) -> None:
    if expected_version is None:
        return
    current = (
        type(instance)._default_manager.filter(pk=instance.pk).values_list("version", flat=True)
    )
    if not current or current[0] != expected_version:
        raise ConcurrentEditError(ConcurrentEditError.message)


def _not_withdrawn(record: SupervisionSession | CaseDiscussion | ManagementOversight) -> None:
    if record.is_withdrawn:
        raise ValidationError("This record has been withdrawn: it cannot be changed")


@transaction.atomic
def session_update(
    *,
    actor: User,
    session: SupervisionSession,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> SupervisionSession:
    """Correct a session: its date, supervisor, notes, wellbeing check or next date. Whether it was
    held is not changed here: withdraw a session recorded the wrong way and record it again."""
    _not_withdrawn(session)
    if not policies.may_edit_session(actor, session):
        raise ValidationError("Only the supervisor or a manager in the worker's line can change it")
    _check_version(session, expected_version)
    unknown = set(data) - set(SESSION_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    current = {name: getattr(session, name) for name in SESSION_FIELDS}
    values = _validate_session(
        actor=actor,
        worker=session.worker,
        session=session,
        values={**current, **data, "status": session.status},
    )
    values.pop("status")
    before = audit.snapshot(session, SESSION_FIELDS)
    old_date = session.session_date
    for name, value in values.items():
        setattr(session, name, value)
    changes = audit.diff(before, audit.snapshot(session, SESSION_FIELDS))
    if not changes:
        return session
    session.full_clean()
    session.version = models.F("version") + 1
    session.save()
    session.refresh_from_db()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=session, changes=_redacted(changes))
    if session.attended and session.session_date != old_date:
        _record_clock(session)  # the same source: the engine corrects the event's date
    return session


@transaction.atomic
def session_withdraw(
    *, actor: User, session: SupervisionSession, reason: str, expected_version: int | None
) -> SupervisionSession:
    """Entered in error (the wrong worker, a session that did not happen): kept, but no longer
    counted; its clock event is withdrawn and the supervision deadlines re-derive."""
    _not_withdrawn(session)
    if not policies.may_edit_session(actor, session):
        raise ValidationError(
            "Only the supervisor or a manager in the worker's line can withdraw it"
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the session is being withdrawn"})
    session = model_update(
        actor=actor,
        instance=session,
        data={
            "withdrawn_at": timezone.now(),
            "withdrawn_by": actor,
            "withdrawn_reason": reason.strip(),
        },
        expected_version=expected_version,
        action=AuditAction.ARCHIVE,
        detail="Supervision session withdrawn",
    )
    if session.attended:
        timescales.withdraw_event(
            subject_type=SubjectType.WORKER,
            subject_id=session.worker_id,
            source=session.clock_source,
            name=EVENT,
        )
    return session


# --- case discussions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewAction:
    description: str
    owner: User | None
    due_on: dt.date | None


def held_by(worker: User, person: Person) -> bool:
    """Whether the worker holds or has held a role on the child's case."""
    return (
        Allocation.objects.filter(worker=worker, person=person)
        .exclude(end_reason=EndReason.ENTERED_IN_ERROR)
        .exists()
    )


def _validate_action(action: NewAction, agreed_on: dt.date, prefix: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not action.description.strip():
        errors[f"{prefix}description"] = "Enter what is to be done"
    if action.owner is None:
        errors[f"{prefix}owner"] = "Select who will do it"
    elif not action.owner.is_active:
        errors[f"{prefix}owner"] = f"{action.owner} has left: select someone in post"
    if action.due_on is None:
        errors[f"{prefix}due_on"] = "Enter the date it is due by"
    elif action.due_on < agreed_on:
        errors[f"{prefix}due_on"] = (
            f"The due date must be on or after the session ({agreed_on:%-d %B %Y})"
        )
    return errors


def _create_action(
    actor: User, discussion: CaseDiscussion, action: NewAction, agreed_on: dt.date
) -> DiscussionAction:
    assert action.owner is not None and action.due_on is not None  # validated
    row = DiscussionAction(
        discussion=discussion,
        description=action.description.strip(),
        owner=action.owner,
        agreed_on=agreed_on,
        due_on=action.due_on,
    )
    row.full_clean()
    row.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=row,
        person_id=discussion.person_id,
        changes={
            "description": [None, row.description],
            "owner": [None, action.owner.pk],
            "due_on": [None, action.due_on.isoformat()],
        },
    )
    return row


@transaction.atomic
def discussion_add(
    *,
    actor: User,
    session: SupervisionSession,
    person: Person,
    summary: str,
    decision: str,
    rationale: str,
    actions: Sequence[NewAction] = (),
) -> CaseDiscussion:
    """A child's case discussed in a held session: what was discussed, the decision and its
    reasons, and the actions agreed. It appears on the child's record and in the chronology."""
    _not_withdrawn(session)
    if not policies.may_edit_session(actor, session):
        raise ValidationError("Only the supervisor or a manager in the worker's line can add to it")
    if not session.attended:
        raise ValidationError("Cases are discussed in sessions that were held, not cancelled ones")
    errors: dict[str, str] = {}
    if not held_by(session.worker, person):
        errors["person"] = (
            f"{person.full_name} is not a child {session.worker} holds or has held: record the "
            "discussion in a session of the child's own worker"
        )
    elif session.discussions.filter(person=person, withdrawn_at__isnull=True).exists():
        errors["person"] = (
            f"{person.full_name}'s case is already discussed in this session: change that "
            "discussion instead"
        )
    if not summary.strip():
        errors["summary"] = "Enter what was discussed"
    if not decision.strip():
        errors["decision"] = "Enter the decision"
    try:
        rationale = validate_rationale(rationale)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    for n, action in enumerate(actions, start=1):
        errors.update(_validate_action(action, session.session_date, f"action_{n}_"))
    if errors:
        raise ValidationError(errors)
    discussion = CaseDiscussion.objects.create(
        session=session,
        person=person,
        summary=summary.strip(),
        decision=decision.strip(),
        rationale=rationale,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=discussion,
        person_id=person.pk,
        changes={
            "session": [None, session.pk],
            "decision": [None, discussion.decision],
            "rationale": [None, discussion.rationale],
        },
    )
    for action in actions:
        _create_action(actor, discussion, action, session.session_date)
    return discussion


@transaction.atomic
def discussion_update(
    *,
    actor: User,
    discussion: CaseDiscussion,
    summary: str,
    decision: str,
    rationale: str,
    expected_version: int | None,
) -> CaseDiscussion:
    _not_withdrawn(discussion)
    _not_withdrawn(discussion.session)
    if not policies.may_edit_session(actor, discussion.session):
        raise ValidationError("Only the supervisor or a manager in the worker's line can change it")
    errors: dict[str, str] = {}
    if not summary.strip():
        errors["summary"] = "Enter what was discussed"
    if not decision.strip():
        errors["decision"] = "Enter the decision"
    if errors:
        raise ValidationError(errors)
    return model_update(
        actor=actor,
        instance=discussion,
        data={
            "summary": summary.strip(),
            "decision": decision.strip(),
            "rationale": validate_rationale(rationale),
        },
        expected_version=expected_version,
        person_id=discussion.person_id,
    )


@transaction.atomic
def discussion_withdraw(
    *, actor: User, discussion: CaseDiscussion, reason: str, expected_version: int | None
) -> CaseDiscussion:
    """Recorded on the wrong child, or twice: it leaves the child's record, with a reason."""
    _not_withdrawn(discussion)
    if not policies.may_edit_session(actor, discussion.session):
        raise ValidationError(
            "Only the supervisor or a manager in the worker's line can withdraw it"
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the case discussion is being withdrawn"})
    return model_update(
        actor=actor,
        instance=discussion,
        data={
            "withdrawn_at": timezone.now(),
            "withdrawn_by": actor,
            "withdrawn_reason": reason.strip(),
        },
        expected_version=expected_version,
        person_id=discussion.person_id,
        action=AuditAction.ARCHIVE,
        detail="Case discussion withdrawn",
    )


@transaction.atomic
def action_add(*, actor: User, discussion: CaseDiscussion, action: NewAction) -> DiscussionAction:
    _not_withdrawn(discussion)
    _not_withdrawn(discussion.session)
    if not policies.may_edit_session(actor, discussion.session):
        raise ValidationError("Only the supervisor or a manager in the worker's line can add to it")
    errors = _validate_action(action, discussion.session.session_date, "")
    if errors:
        raise ValidationError(errors)
    return _create_action(actor, discussion, action, discussion.session.session_date)


@transaction.atomic
def action_complete(
    *,
    actor: User,
    action: DiscussionAction,
    completed_on: dt.date | None,
    expected_version: int | None,
) -> DiscussionAction:
    if action.completed_on is not None:
        raise ValidationError(f"This action was done on {action.completed_on:%-d %B %Y}")
    errors: dict[str, str] = {}
    if completed_on is None:
        errors["completed_on"] = "Enter the date it was done"
    else:
        _not_future(completed_on, "completed_on", errors, "The date it was done")
        if completed_on < action.agreed_on:
            errors.setdefault(
                "completed_on",
                f"The date must be on or after it was agreed ({action.agreed_on:%-d %B %Y})",
            )
    if errors:
        raise ValidationError(errors)
    return model_update(
        actor=actor,
        instance=action,
        data={"completed_on": completed_on, "completed_by": actor},
        expected_version=expected_version,
        person_id=action.discussion.person_id,
        detail="Action done",
    )


# --- management oversight ------------------------------------------------------------------------


def _validate_oversight(oversight_on: dt.date | None, decision: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if oversight_on is None:
        errors["oversight_on"] = "Enter the date of the decision"
    else:
        _not_future(oversight_on, "oversight_on", errors, "The date")
    if not decision.strip():
        errors["decision"] = "Enter the decision"
    return errors


@transaction.atomic
def oversight_record(
    *,
    actor: User,
    person: Person,
    oversight_on: dt.date | None,
    decision: str,
    rationale: str,
) -> ManagementOversight:
    """A manager's decision on the child's case, with the reasons, on the child's record."""
    if not actor.has_perm(policies.MANAGE):
        raise ValidationError("Only a manager can record management oversight")
    errors = _validate_oversight(oversight_on, decision)
    try:
        rationale = validate_rationale(rationale)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors or oversight_on is None:
        raise ValidationError(errors)
    oversight = ManagementOversight.objects.create(
        person=person,
        recorded_by=actor,
        oversight_on=oversight_on,
        decision=decision.strip(),
        rationale=rationale,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=oversight,
        person_id=person.pk,
        changes={
            "oversight_on": [None, oversight.oversight_on.isoformat()],
            "decision": [None, oversight.decision],
            "rationale": [None, oversight.rationale],
        },
    )
    return oversight


@transaction.atomic
def oversight_update(
    *,
    actor: User,
    oversight: ManagementOversight,
    oversight_on: dt.date | None,
    decision: str,
    rationale: str,
    expected_version: int | None,
) -> ManagementOversight:
    _not_withdrawn(oversight)
    if not policies.may_edit_oversight(actor, oversight):
        raise ValidationError("Only the manager who recorded it, or their managers, can change it")
    errors = _validate_oversight(oversight_on, decision)
    if errors:
        raise ValidationError(errors)
    return model_update(
        actor=actor,
        instance=oversight,
        data={
            "oversight_on": oversight_on,
            "decision": decision.strip(),
            "rationale": validate_rationale(rationale),
        },
        expected_version=expected_version,
        person_id=oversight.person_id,
    )


@transaction.atomic
def oversight_withdraw(
    *, actor: User, oversight: ManagementOversight, reason: str, expected_version: int | None
) -> ManagementOversight:
    _not_withdrawn(oversight)
    if not policies.may_edit_oversight(actor, oversight):
        raise ValidationError(
            "Only the manager who recorded it, or their managers, can withdraw it"
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the management oversight is being withdrawn"})
    return model_update(
        actor=actor,
        instance=oversight,
        data={
            "withdrawn_at": timezone.now(),
            "withdrawn_by": actor,
            "withdrawn_reason": reason.strip(),
        },
        expected_version=expected_version,
        person_id=oversight.person_id,
        action=AuditAction.ARCHIVE,
        detail="Management oversight withdrawn",
    )
