"""Writes for legal planning and orders: emergency protection, the legal gateway meeting,
pre-proceedings and care proceedings. One transaction and one audit event each; the timescale
engine is told in the same transaction.

The law's limits are refused here with a message that says what to fix: police protection over 72
hours (Children Act 1989 s46(6)), an emergency protection order over 8 days, or 15 with its one
extension of up to 7 days (s45(1), (5) and (6)), a court extension of proceedings over 8 weeks
(s32(8)). Dates must be in order (an end not before its start; the letter, the meetings and the
decision not before pre-proceedings started; hearings, extensions and orders not before issue and
not after the final order) and must have happened.

Clock events (sources name the record, so a corrected date is recorded again under the same one):
- police protection: "police-protection-start" and "police-protection-end", an emergency
  protection order: "epo-start", "epo-end" and "epo-extended"; keyed `emergency:<pk>`, sources
  `legal.emergency:<pk>`, `…:end`, `…:extension`.
- care proceedings: "proceedings-issued" (`legal.proceedings:<pk>`, keyed `proceedings:<pk>`),
  "proceedings-extended" (`legal.extension:<pk>`), "proceedings-concluded"
  (`legal.proceedings:<pk>:final`): the 26-week `proceedings` clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.people.models import Person
from hearth.plans.codes import PlanKind
from hearth.plans.models import Plan
from hearth.timescales import calendar as cal
from hearth.timescales import services as timescales
from hearth.timescales.models import ClockEvent
from hearth.timescales.rules import SubjectType

from .codes import (
    ENDING_OUTCOMES,
    EPO_EXTENSION_DAYS,
    EPO_LIMIT,
    EXTENSION_MAX_WEEKS,
    LONG_PLAN_MONTHS,
    POLICE_PROTECTION_LIMIT,
    CarePlanKind,
    EmergencyKind,
    EmergencyOutcome,
    FinalOrderKind,
    GatewayDecision,
    GatewayReason,
    HearingKind,
    InterimOrderKind,
    PreProceedingsOutcome,
    Representation,
)
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

CHILD = SubjectType.CHILD
# A little slack for clocks that differ between the browser, the server and a partner's system.
FUTURE_SLACK = dt.timedelta(minutes=5)
RATIONALE_MIN_WORDS = 10

Errors = dict[str, str]


# --- helpers -------------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.now().astimezone(cal.LONDON).date()


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _at(moment: dt.datetime) -> str:
    local = moment.astimezone(cal.LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=cal.LONDON)


def _london_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(cal.LONDON).date()


def _text(value: Any) -> str:
    return str(value or "").strip()


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _check_version(instance: Model, expected: int | None) -> None:
    if expected is not None and getattr(instance, "version", None) != expected:
        raise ConcurrentEditError(ConcurrentEditError.message)


def _unknown(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}")


def _cleaned(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _created(actor: User | None, obj: Model, person_id: int, fields: tuple[str, ...]) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=obj,
        person_id=person_id,
        changes={
            name: [None, value]
            for name, value in audit.snapshot(obj, fields).items()
            if value not in ("", None)
        },
    )


def _past_day(errors: Errors, field: str, day: dt.date | None, what: str) -> None:
    """A date that must have happened: not in the future."""
    if day is not None and day > today():
        errors.setdefault(field, f"The date {what} cannot be in the future")


def _withdraw_if_recorded(person_id: int, source: str) -> None:
    if ClockEvent.objects.filter(
        subject_type=CHILD, subject_id=person_id, source=source, withdrawn_at__isnull=True
    ).exists():
        timescales.withdraw_event(subject_type=CHILD, subject_id=person_id, source=source)


def _check_person(person: Person, errors: Errors) -> None:
    if person.merged_into_id:
        errors["person"] = "That record was merged: choose the record it became"


# --- emergency protection ------------------------------------------------------------------------

EMERGENCY_FIELDS = (
    "kind",
    "started_at",
    "ended_at",
    "reason",
    "police_force",
    "police_reference",
    "designated_officer",
    "court",
    "court_reference",
    "outcome",
    "outcome_notes",
)
EMERGENCY_TEXT = (
    "reason",
    "police_force",
    "police_reference",
    "designated_officer",
    "court",
    "court_reference",
    "outcome_notes",
)


def emergency_source(record: EmergencyProtection) -> str:
    return f"legal.emergency:{record.pk}"


def emergency_key(record: EmergencyProtection) -> str:
    return f"emergency:{record.pk}"


def emergency_limit(kind: str, extension_days: int | None) -> dt.timedelta:
    """The longest the law allows: 72 hours, or 8 days plus the extension granted."""
    if kind == EmergencyKind.POLICE:
        return POLICE_PROTECTION_LIMIT
    return EPO_LIMIT + dt.timedelta(days=extension_days or 0)


def _check_emergency(
    person: Person,
    values: Mapping[str, Any],
    *,
    exclude: int | None,
    extension_days: int | None = None,
) -> None:
    errors: Errors = {}
    _check_person(person, errors)
    now = timezone.now()
    kind = values.get("kind")
    if kind not in EmergencyKind.values:
        errors["kind"] = "Choose police protection or an emergency protection order"
    started, ended = values.get("started_at"), values.get("ended_at")
    for name, moment in (("started_at", started), ("ended_at", ended)):
        if moment is not None and timezone.is_naive(moment):
            errors[name] = "Give the time with its time zone"
    _raise(errors)
    police = kind == EmergencyKind.POLICE
    if started is None:
        errors["started_at"] = (
            "Enter when the child was taken into police protection"
            if police
            else "Enter when the emergency protection order was made"
        )
    elif started > now + FUTURE_SLACK:
        errors["started_at"] = "The start cannot be in the future"
    elif person.date_of_birth and started.astimezone(cal.LONDON).date() < person.date_of_birth:
        errors["started_at"] = "The start cannot be before the child was born"
    if not _text(values.get("reason")):
        errors["reason"] = (
            "Enter why the child was taken into police protection"
            if police
            else "Enter why the emergency protection order was needed"
        )
    if police:
        if not _text(values.get("police_force")):
            errors["police_force"] = "Enter the police force that took the child into protection"
        if _text(values.get("court")) or _text(values.get("court_reference")):
            errors["court"] = (
                "Police protection has no court: clear the court details, or choose an "
                "emergency protection order"
            )
    else:
        if not _text(values.get("court")):
            errors["court"] = "Enter the court that made the order"
        if _text(values.get("designated_officer")):
            errors["designated_officer"] = (
                "A designated officer is only for police protection: clear it"
            )
    outcome = values.get("outcome") or ""
    if ended is not None:
        if ended > now + FUTURE_SLACK:
            errors["ended_at"] = "The end cannot be in the future"
        elif started is not None and ended < started:
            errors["ended_at"] = f"The end cannot be before the start, {_at(started)}"
        elif started is not None and kind in EmergencyKind.values:
            limit = emergency_limit(kind, extension_days)
            if ended - started > limit:
                latest = started + limit
                if police:
                    errors["ended_at"] = (
                        "A child cannot be kept in police protection for more than 72 hours "
                        f"(Children Act 1989, section 46(6)): it started {_at(started)}, so it "
                        f"ended by {_at(latest)} at the latest. Check the times"
                    )
                elif extension_days:
                    errors["ended_at"] = (
                        "An emergency protection order lasts at most 8 days, 15 with its one "
                        f"extension (Children Act 1989, section 45): with {extension_days} days' "
                        f"extension this one ended by {_at(latest)} at the latest"
                    )
                else:
                    errors["ended_at"] = (
                        "An emergency protection order lasts at most 8 days (Children Act 1989, "
                        f"section 45(1)): made {_at(started)}, it ended by {_at(latest)} at the "
                        "latest. If the court extended it, record the extension first"
                    )
        if not outcome:
            errors["outcome"] = "Choose what happened when it ended"
    elif outcome:
        errors["outcome"] = "Record the outcome with the end: enter when it ended"
    if outcome and outcome not in EmergencyOutcome.values:
        errors["outcome"] = "Choose what happened when it ended"
    elif outcome == EmergencyOutcome.EPO_MADE and not police:
        errors["outcome"] = (
            "'Emergency protection order made' follows police protection: choose another outcome"
        )
    elif outcome == EmergencyOutcome.OTHER and not _text(values.get("outcome_notes")):
        errors["outcome_notes"] = "Say what happened"
    if not errors and started is not None:
        others = EmergencyProtection.objects.filter(person=person)
        if exclude is not None:
            others = others.exclude(pk=exclude)
        for other in others.order_by("started_at"):
            other_end = other.ended_at
            if (other_end is None or started < other_end) and (
                ended is None or other.started_at < ended
            ):
                name = "police protection" if other.is_police else "an emergency protection order"
                errors["started_at"] = (
                    f"This overlaps {name} from {_at(other.started_at)} to {_at(other_end)}: "
                    "change that one instead"
                    if other_end is not None
                    else f"The child is already in {name} since {_at(other.started_at)}: "
                    "record its end first"
                )
                break
    _raise(errors)


def _event_names(kind: str) -> tuple[str, str]:
    if kind == EmergencyKind.POLICE:
        return "police-protection-start", "police-protection-end"
    return "epo-start", "epo-end"


def _emergency_events(
    record: EmergencyProtection, before: EmergencyProtection | None = None
) -> None:
    """Record what changed on the record's clock; a changed kind withdraws the other's events."""
    source, key = emergency_source(record), emergency_key(record)
    start_name, end_name = _event_names(record.kind)
    kind_changed = before is not None and before.kind != record.kind
    if kind_changed:
        for suffix in ("", ":end", ":extension"):
            _withdraw_if_recorded(record.person_id, source + suffix)
    if before is None or kind_changed or before.started_at != record.started_at:
        timescales.record_event(
            subject_type=CHILD,
            subject_id=record.person_id,
            name=start_name,
            at=record.started_at,
            key=key,
            source=source,
        )
    if record.ended_at is not None:
        if before is None or kind_changed or before.ended_at != record.ended_at:
            timescales.record_event(
                subject_type=CHILD,
                subject_id=record.person_id,
                name=end_name,
                at=record.ended_at,
                key=key,
                source=f"{source}:end",
            )
    elif before is not None and before.ended_at is not None:
        _withdraw_if_recorded(record.person_id, f"{source}:end")
    if record.extended_on is not None and (
        before is None or kind_changed or before.extended_on != record.extended_on
    ):
        timescales.record_event(
            subject_type=CHILD,
            subject_id=record.person_id,
            name="epo-extended",
            at=record.extended_on,
            key=key,
            source=f"{source}:extension",
        )


@transaction.atomic
def emergency_record(
    *,
    actor: User | None,
    person: Person,
    kind: str,
    started_at: dt.datetime | None,
    reason: str,
    police_force: str = "",
    police_reference: str = "",
    designated_officer: str = "",
    court: str = "",
    court_reference: str = "",
    ended_at: dt.datetime | None = None,
    outcome: str = "",
    outcome_notes: str = "",
) -> EmergencyProtection:
    """The child was taken into police protection (at that time), or an emergency protection
    order was made; with the end and its outcome when known. Starts the 72-hour or 8-day clock."""
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one record at a time
    values: dict[str, Any] = {
        "kind": kind,
        "started_at": started_at,
        "ended_at": ended_at,
        "reason": reason,
        "police_force": police_force,
        "police_reference": police_reference,
        "designated_officer": designated_officer,
        "court": court,
        "court_reference": court_reference,
        "outcome": outcome or "",
        "outcome_notes": outcome_notes,
    }
    values = {k: (_text(v) if k in EMERGENCY_TEXT else v) for k, v in values.items()}
    _check_emergency(person, values, exclude=None)
    record = EmergencyProtection(person=person, recorded_by=_actor(actor), **values)
    record.full_clean()
    record.save()
    _created(actor, record, person.pk, EMERGENCY_FIELDS)
    _emergency_events(record)
    return record


def _locked_emergency(record: EmergencyProtection, expected: int | None) -> EmergencyProtection:
    locked = (
        EmergencyProtection.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=record.pk)
    )
    _check_version(locked, expected)
    return locked


@transaction.atomic
def emergency_update(
    *,
    actor: User | None,
    record: EmergencyProtection,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> EmergencyProtection:
    """Correct the details, or record the end and its outcome. Corrected times are recorded on
    the clock again."""
    _unknown(data, EMERGENCY_FIELDS)
    record = _locked_emergency(record, expected_version)
    cleaned = {k: (_text(v) if k in EMERGENCY_TEXT else v) for k, v in data.items()}
    if "outcome" in cleaned:
        cleaned["outcome"] = cleaned["outcome"] or ""
    merged = {name: cleaned.get(name, getattr(record, name)) for name in EMERGENCY_FIELDS}
    if merged["kind"] != record.kind and record.extended_on is not None:
        raise ValidationError(
            {
                "kind": "This emergency protection order was extended: it cannot become police "
                "protection"
            }
        )
    _check_emergency(record.person, merged, exclude=record.pk, extension_days=record.extension_days)
    if record.extended_on is not None and merged["started_at"] + EPO_LIMIT < _midnight(
        record.extended_on
    ):
        raise ValidationError(
            {
                "started_at": f"The order was extended on {_d(record.extended_on)}: it must "
                "have been made no more than 8 days before that"
            }
        )
    before = EmergencyProtection(
        pk=record.pk,
        kind=record.kind,
        started_at=record.started_at,
        ended_at=record.ended_at,
        extended_on=record.extended_on,
        person_id=record.person_id,
    )
    updated = model_update(
        actor=actor,
        instance=record,
        data=cleaned,
        person_id=record.person_id,
        detail="Ended" if before.ended_at is None and merged["ended_at"] is not None else "",
    )
    _emergency_events(updated, before)
    return updated


@transaction.atomic
def emergency_end(
    *,
    actor: User | None,
    record: EmergencyProtection,
    ended_at: dt.datetime | None,
    outcome: str,
    outcome_notes: str = "",
    expected_version: int | None = None,
) -> EmergencyProtection:
    """The child was released or returned, or the order ended: when, and what happened."""
    locked = _locked_emergency(record, expected_version)
    if locked.ended_at is not None:
        raise ValidationError(f"This already ended, {_at(locked.ended_at)}: change it instead")
    if ended_at is None:
        raise ValidationError({"ended_at": "Enter when it ended"})
    return emergency_update(
        actor=actor,
        record=locked,
        data={"ended_at": ended_at, "outcome": outcome, "outcome_notes": outcome_notes},
        expected_version=expected_version,
    )


@transaction.atomic
def epo_extend(
    *,
    actor: User | None,
    record: EmergencyProtection,
    extended_on: dt.date | None,
    days: int | None,
    reason: str,
    expected_version: int | None = None,
) -> EmergencyProtection:
    """The court extended an emergency protection order: once only, by up to 7 days
    (Children Act 1989, section 45(5) and (6)). The `epo` clock moves on by 7 days."""
    record = _locked_emergency(record, expected_version)
    if record.kind != EmergencyKind.EPO:
        raise ValidationError(
            "Police protection cannot be extended: it ends within 72 hours. Apply for an "
            "emergency protection order and record it"
        )
    if record.extended_on is not None:
        raise ValidationError(
            f"This order was already extended, on {_d(record.extended_on)}: an emergency "
            "protection order may be extended only once (Children Act 1989, section 45(6))"
        )
    errors: Errors = {}
    start_day = record.started_at.astimezone(cal.LONDON).date()
    if extended_on is None:
        errors["extended_on"] = "Enter the date the court extended the order"
    elif extended_on > today():
        errors["extended_on"] = "The date the order was extended cannot be in the future"
    elif extended_on < start_day:
        errors["extended_on"] = (
            f"The order cannot be extended before it was made, on {_d(start_day)}"
        )
    elif record.ended_at is not None and extended_on > _london_day(record.ended_at):
        errors["extended_on"] = (
            f"The order ended {_at(record.ended_at)}: it cannot be extended after that"
        )
    elif record.started_at + EPO_LIMIT < _midnight(extended_on):
        errors["extended_on"] = (
            f"The order made {_at(record.started_at)} had expired by then: an extension is "
            "granted while it is in force"
        )
    if days is None:
        errors["extension_days"] = "Enter how many days the court extended the order by"
    elif not 1 <= days <= EPO_EXTENSION_DAYS:
        errors["extension_days"] = (
            "An emergency protection order may be extended by up to 7 days (Children Act "
            f"1989, section 45(5)): enter 1 to 7, not {days}"
        )
    if not _text(reason):
        errors["extension_reason"] = "Enter why the court extended the order"
    _raise(errors)
    if (
        record.ended_at is not None
        and days is not None
        and record.ended_at - record.started_at > emergency_limit(EmergencyKind.EPO, days)
    ):
        raise ValidationError(
            {
                "extension_days": f"The order ended {_at(record.ended_at)}, later than "
                f"{days} days' extension allows: check the days granted or the end"
            }
        )
    before = EmergencyProtection(
        pk=record.pk,
        kind=record.kind,
        started_at=record.started_at,
        ended_at=record.ended_at,
        extended_on=None,
        person_id=record.person_id,
    )
    updated = model_update(
        actor=actor,
        instance=record,
        data={"extended_on": extended_on, "extension_days": days, "extension_reason": reason},
        person_id=record.person_id,
        detail="Order extended",
    )
    _emergency_events(updated, before)
    return updated


# --- legal gateway meetings ----------------------------------------------------------------------

GATEWAY_FIELDS = (
    "held_on",
    "reason",
    "reason_detail",
    "plan",
    "chair",
    "attendees",
    "decision",
    "rationale",
)


def word_count(text: str) -> int:
    return len((text or "").split())


def _plan_months(plan: Plan, on: dt.date) -> bool:
    """Whether the plan had lasted over 15 months by `on` (or by its end)."""
    until = min(on, plan.end_date) if plan.end_date else on
    return until > cal.add_months(plan.start_date, LONG_PLAN_MONTHS)


def _check_gateway(person: Person, values: Mapping[str, Any]) -> None:
    errors: Errors = {}
    _check_person(person, errors)
    held_on: dt.date | None = values.get("held_on")
    reason, decision = values.get("reason"), values.get("decision")
    plan: Plan | None = values.get("plan")
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting"
    elif held_on > today():
        errors["held_on"] = "The date of the meeting cannot be in the future"
    elif person.date_of_birth and held_on < person.date_of_birth and reason != "pre_birth":
        errors["held_on"] = "The meeting cannot be before the child was born"
    if reason not in GatewayReason.values:
        errors["reason"] = "Choose why the meeting was called"
    elif reason == GatewayReason.OTHER and not _text(values.get("reason_detail")):
        errors["reason_detail"] = "Say why the meeting was called"
    if decision not in GatewayDecision.values:
        errors["decision"] = "Choose what the meeting decided"
    if not _text(values.get("attendees")):
        errors["attendees"] = "Enter who attended: names and roles"
    words = word_count(_text(values.get("rationale")))
    if words < RATIONALE_MIN_WORDS:
        errors["rationale"] = (
            f"Give the reasons for the decision in at least {RATIONALE_MIN_WORDS} words "
            f"({words} so far): what the worries are and why this is the right step"
        )
    if plan is not None:
        if plan.person_id != person.pk:
            errors["plan"] = "That plan is another child's"
        elif held_on is not None and plan.start_date > held_on:
            errors["plan"] = (
                f"That plan started on {_d(plan.start_date)}, after the meeting: choose the plan "
                "that led to it"
            )
    if reason == GatewayReason.LONG_CP_PLAN and "plan" not in errors:
        if plan is None or plan.kind != PlanKind.CP:
            errors["plan"] = "Choose the child protection plan that has lasted over 15 months"
        elif held_on is not None and not _plan_months(plan, held_on):
            errors["reason"] = (
                f"The child protection plan started on {_d(plan.start_date)}: it had not lasted "
                f"over {LONG_PLAN_MONTHS} months by the meeting. Choose another reason"
            )
    _raise(errors)


@transaction.atomic
def gateway_record(
    *,
    actor: User | None,
    person: Person,
    held_on: dt.date | None,
    reason: str,
    decision: str,
    attendees: str,
    rationale: str,
    plan: Plan | None = None,
    reason_detail: str = "",
    chair: str = "",
) -> LegalGatewayMeeting:
    """A legal gateway (planning) meeting: why it was called, who came, what it decided and why
    (the reasons in at least 10 words)."""
    values: dict[str, Any] = {
        "held_on": held_on,
        "reason": reason,
        "reason_detail": _text(reason_detail),
        "plan": plan,
        "chair": _text(chair),
        "attendees": _text(attendees),
        "decision": decision,
        "rationale": _text(rationale),
    }
    _check_gateway(person, values)
    meeting = LegalGatewayMeeting(person=person, recorded_by=_actor(actor), **values)
    meeting.full_clean()
    meeting.save()
    _created(actor, meeting, person.pk, GATEWAY_FIELDS)
    return meeting


@transaction.atomic
def gateway_update(
    *,
    actor: User | None,
    meeting: LegalGatewayMeeting,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> LegalGatewayMeeting:
    """Correct a meeting's record; the old values stay in the audit log."""
    _unknown(data, GATEWAY_FIELDS)
    meeting = (
        LegalGatewayMeeting.objects.select_for_update(of=("self",))
        .select_related("person", "plan")
        .get(pk=meeting.pk)
    )
    _check_version(meeting, expected_version)
    cleaned = _cleaned(data)
    merged = {name: cleaned.get(name, getattr(meeting, name)) for name in GATEWAY_FIELDS}
    _check_gateway(meeting.person, merged)
    followed = meeting.pre_proceedings.order_by("start_date").first()
    if followed is not None:
        if merged["decision"] != GatewayDecision.PRE_PROCEEDINGS:
            raise ValidationError(
                {
                    "decision": f"Pre-proceedings from {_d(followed.start_date)} followed this "
                    "decision: it stays a decision to enter pre-proceedings"
                }
            )
        if merged["held_on"] > followed.start_date:
            raise ValidationError(
                {
                    "held_on": f"Pre-proceedings followed this meeting on "
                    f"{_d(followed.start_date)}: the meeting cannot be after that"
                }
            )
    issued = meeting.care_proceedings.order_by("issued_on").first()
    if issued is not None:
        if merged["decision"] != GatewayDecision.ISSUE:
            raise ValidationError(
                {
                    "decision": f"Care proceedings issued on {_d(issued.issued_on)} followed this "
                    "decision: it stays a decision to issue"
                }
            )
        if merged["held_on"] > issued.issued_on:
            raise ValidationError(
                {
                    "held_on": f"Care proceedings were issued on {_d(issued.issued_on)} after "
                    "this meeting: the meeting cannot be after that"
                }
            )
    return model_update(actor=actor, instance=meeting, data=cleaned, person_id=meeting.person_id)


# --- pre-proceedings -----------------------------------------------------------------------------

PP_FIELDS = (
    "start_date",
    "letter_sent_on",
    "fgdm_offered",
    "fgdm_offered_on",
    "fgdm_held",
    "fgdm_held_on",
    "initial_meeting_on",
    "parents_represented",
    "outcome",
    "outcome_on",
    "court_application_on",
    "letter_of_intention_on",
)
PP_DATES = {
    "start_date": "pre-proceedings started",
    "letter_sent_on": "the letter before proceedings was sent",
    "fgdm_offered_on": "the family group meeting was offered",
    "fgdm_held_on": "the family group meeting was held",
    "initial_meeting_on": "of the initial meeting",
    "outcome_on": "of the decision",
    "court_application_on": "of the application to court",
    "letter_of_intention_on": "the letter of intention was sent",
}


def _check_pre_proceedings(
    person: Person,
    episode: ChildInNeedEpisode,
    gateway: LegalGatewayMeeting,
    values: Mapping[str, Any],
    *,
    pk: int | None,
) -> None:
    errors: Errors = {}
    _check_person(person, errors)
    start: dt.date | None = values.get("start_date")
    if gateway.person_id != person.pk:
        errors["gateway"] = "That legal gateway meeting is another child's"
    elif gateway.decision != GatewayDecision.PRE_PROCEEDINGS:
        errors["gateway"] = (
            f"The legal gateway meeting on {_d(gateway.held_on)} decided: "
            f"{gateway.get_decision_display().lower()}. Pre-proceedings follow a decision to "
            "enter them"
        )
    elif PreProceedings.objects.filter(gateway=gateway).exclude(pk=pk or 0).exists():
        errors["gateway"] = (
            f"Pre-proceedings already follow the legal gateway meeting on {_d(gateway.held_on)}"
        )
    if episode.person_id != person.pk:
        errors["episode"] = "That child in need episode is another child's"
    elif episode.referral_nfa:
        errors["episode"] = (
            f"The referral on {_d(episode.referral_date)} was closed with no further action: "
            "choose the child's open episode"
        )
    if start is None:
        errors["start_date"] = "Enter the date the decision was made to enter pre-proceedings"
        _raise(errors)
        return
    for name, what in PP_DATES.items():
        _past_day(errors, name, values.get(name), what)
    if "gateway" not in errors and start < gateway.held_on:
        errors["start_date"] = (
            "Pre-proceedings cannot start before the legal gateway meeting that decided them, "
            f"on {_d(gateway.held_on)}"
        )
    if "episode" not in errors:
        if start < episode.referral_date:
            errors["start_date"] = (
                f"Pre-proceedings cannot start before the referral, on {_d(episode.referral_date)}"
            )
        closed = episode.closure_date
        if closed is not None:
            for name, what in PP_DATES.items():
                day = values.get(name)
                if day is not None and day > closed and name not in errors:
                    errors[name] = (
                        f"The case closed on {_d(closed)}: the date {what} cannot be after it"
                    )
    letter = values.get("letter_sent_on")
    if letter is not None and letter < start:
        errors.setdefault(
            "letter_sent_on",
            f"The letter before proceedings cannot be sent before pre-proceedings started, on "
            f"{_d(start)}",
        )
    meeting = values.get("initial_meeting_on")
    if meeting is not None:
        if letter is None:
            errors.setdefault(
                "initial_meeting_on",
                "Enter when the letter before proceedings was sent: the initial meeting follows it",
            )
        elif meeting < letter:
            errors.setdefault(
                "initial_meeting_on",
                "The initial meeting cannot be before the letter before proceedings was sent, on "
                f"{_d(letter)}",
            )
    offered, offered_on = values.get("fgdm_offered"), values.get("fgdm_offered_on")
    held, held_on = values.get("fgdm_held"), values.get("fgdm_held_on")
    if offered is True:
        if offered_on is None:
            errors.setdefault("fgdm_offered_on", "Enter when the family group meeting was offered")
        elif offered_on < start:
            errors.setdefault(
                "fgdm_offered_on",
                f"The family group meeting cannot be offered before pre-proceedings started, on "
                f"{_d(start)}",
            )
    elif offered_on is not None:
        errors.setdefault(
            "fgdm_offered_on", "A date offered is only for a family group meeting that was offered"
        )
    if held is True:
        if offered is not True:
            errors.setdefault(
                "fgdm_held",
                "A family group meeting is held after it is offered: say it was offered",
            )
        elif held_on is None:
            errors.setdefault("fgdm_held_on", "Enter when the family group meeting was held")
        elif offered_on is not None and held_on < offered_on:
            errors.setdefault(
                "fgdm_held_on",
                f"The family group meeting cannot be held before it was offered, on "
                f"{_d(offered_on)}",
            )
    elif held_on is not None:
        errors.setdefault(
            "fgdm_held_on", "A date held is only for a family group meeting that was held"
        )
    represented = values.get("parents_represented") or ""
    if represented and represented not in Representation.values:
        errors["parents_represented"] = "Choose whether the parents had legal representation"
    outcome, outcome_on = values.get("outcome") or "", values.get("outcome_on")
    if outcome and outcome not in PreProceedingsOutcome.values:
        errors["outcome"] = "Choose the outcome of pre-proceedings"
    elif outcome and outcome_on is None:
        errors.setdefault("outcome_on", "Enter the date the decision was made")
    elif not outcome and outcome_on is not None:
        errors.setdefault("outcome", "Choose what was decided on that date")
    elif outcome_on is not None and outcome_on < start:
        errors.setdefault(
            "outcome_on",
            f"The decision cannot be before pre-proceedings started, on {_d(start)}",
        )
    court = values.get("court_application_on")
    if court is not None:
        if outcome != PreProceedingsOutcome.ISSUE:
            errors.setdefault(
                "court_application_on",
                "An application to court follows a decision to issue care proceedings: record "
                "that outcome first",
            )
        elif outcome_on is not None and court < outcome_on:
            errors.setdefault(
                "court_application_on",
                f"The application to court cannot be before the decision to issue, on "
                f"{_d(outcome_on)}",
            )
    intention = values.get("letter_of_intention_on")
    if intention is not None:
        if intention < start:
            errors.setdefault(
                "letter_of_intention_on",
                "The letter of intention to issue cannot be sent before pre-proceedings "
                f"started, on {_d(start)}",
            )
        elif court is not None and intention > court:
            errors.setdefault(
                "letter_of_intention_on",
                "The letter of intention to issue care proceedings comes before the application "
                f"to court, on {_d(court)}",
            )
    if pk is not None:
        reviews = PreProceedingsReview.objects.filter(pre_proceedings_id=pk)
        first = reviews.order_by("held_on").first()
        if first is not None and (meeting is None or first.held_on < meeting):
            errors.setdefault(
                "initial_meeting_on",
                f"A review meeting was held on {_d(first.held_on)}: the initial meeting was "
                "before it",
            )
        if outcome in ENDING_OUTCOMES and outcome_on is not None:
            last = reviews.order_by("-held_on").first()
            if last is not None and last.held_on > outcome_on:
                errors.setdefault(
                    "outcome_on",
                    f"A review meeting was held on {_d(last.held_on)}, after that date: check "
                    "the dates",
                )
    _raise(errors)
    others = PreProceedings.objects.filter(person=person).exclude(pk=pk or 0)
    is_open = outcome not in ENDING_OUTCOMES
    if is_open:
        open_one = others.exclude(outcome__in=ENDING_OUTCOMES).first()
        if open_one is not None:
            raise ValidationError(
                {
                    "start_date": f"{person.full_name} is already in pre-proceedings, from "
                    f"{_d(open_one.start_date)}: record that period's outcome first"
                }
            )
    end = outcome_on if not is_open else None
    for other in others.order_by("start_date"):
        other_end = other.outcome_on if other.outcome in ENDING_OUTCOMES else None
        if (other_end is None or start < other_end) and (end is None or other.start_date < end):
            raise ValidationError(
                {
                    "start_date": f"These dates overlap the pre-proceedings from "
                    f"{_d(other.start_date)}" + (f" to {_d(other_end)}" if other_end else "")
                }
            )


@transaction.atomic
def pre_proceedings_start(
    *,
    actor: User | None,
    person: Person,
    gateway: LegalGatewayMeeting,
    episode: ChildInNeedEpisode,
    start_date: dt.date | None,
    letter_sent_on: dt.date | None = None,
    parents_represented: str = "",
) -> PreProceedings:
    """The child enters pre-proceedings on the date the decision was made (PPStartDate), after
    the legal gateway meeting that decided it, within their child in need episode."""
    Person.objects.select_for_update().filter(pk=person.pk).first()
    values: dict[str, Any] = {
        "start_date": start_date,
        "letter_sent_on": letter_sent_on,
        "parents_represented": parents_represented or "",
    }
    _check_pre_proceedings(person, episode, gateway, values, pk=None)
    pp = PreProceedings(
        person=person, episode=episode, gateway=gateway, recorded_by=_actor(actor), **values
    )
    pp.full_clean()
    pp.save()
    _created(actor, pp, person.pk, ("episode", "gateway", *values))
    return pp


@transaction.atomic
def pre_proceedings_update(
    *,
    actor: User | None,
    pre_proceedings: PreProceedings,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> PreProceedings:
    """Record or correct the letter, the family group meeting, the initial meeting, the parents'
    representation, the outcome and its date, the application to court and the letter of
    intention. Every date is checked against the start and the others."""
    _unknown(data, PP_FIELDS)
    pp = (
        PreProceedings.objects.select_for_update(of=("self",))
        .select_related("person", "episode", "gateway")
        .get(pk=pre_proceedings.pk)
    )
    _check_version(pp, expected_version)
    cleaned = _cleaned(data)
    for name in ("outcome", "parents_represented"):
        if name in cleaned:
            cleaned[name] = cleaned[name] or ""
    merged = {name: cleaned.get(name, getattr(pp, name)) for name in PP_FIELDS}
    _check_pre_proceedings(pp.person, pp.episode, pp.gateway, merged, pk=pp.pk)
    issued = pp.care_proceedings.order_by("issued_on").first()
    if issued is not None and merged["outcome"] != PreProceedingsOutcome.ISSUE:
        raise ValidationError(
            {
                "outcome": f"Care proceedings issued on {_d(issued.issued_on)} followed these "
                "pre-proceedings: the outcome stays 'issue care proceedings'"
            }
        )
    return model_update(actor=actor, instance=pp, data=cleaned, person_id=pp.person_id)


@transaction.atomic
def pre_proceedings_review_add(
    *,
    actor: User | None,
    pre_proceedings: PreProceedings,
    held_on: dt.date | None,
    notes: str,
) -> PreProceedingsReview:
    """A review meeting with the parents after the initial meeting (ReviewMeetingsCount)."""
    pp = (
        PreProceedings.objects.select_for_update(of=("self",))
        .select_related("episode")
        .get(pk=pre_proceedings.pk)
    )
    errors: Errors = {}
    if pp.initial_meeting_on is None:
        raise ValidationError(
            "Record the initial pre-proceedings meeting first: review meetings follow it"
        )
    if held_on is None:
        errors["held_on"] = "Enter the date of the review meeting"
    elif held_on > today():
        errors["held_on"] = "The date of the review meeting cannot be in the future"
    elif held_on < pp.initial_meeting_on:
        errors["held_on"] = (
            f"A review meeting cannot be before the initial meeting, on {_d(pp.initial_meeting_on)}"
        )
    elif pp.outcome in ENDING_OUTCOMES and pp.outcome_on and held_on > pp.outcome_on:
        errors["held_on"] = (
            f"Pre-proceedings ended on {_d(pp.outcome_on)}: a review meeting cannot be after it"
        )
    elif pp.episode.closure_date is not None and held_on > pp.episode.closure_date:
        errors["held_on"] = (
            f"The case closed on {_d(pp.episode.closure_date)}: a review meeting cannot be after it"
        )
    if not _text(notes):
        errors["notes"] = "Enter what the review meeting found and agreed"
    _raise(errors)
    assert held_on is not None
    review = PreProceedingsReview.objects.create(
        pre_proceedings=pp, held_on=held_on, notes=_text(notes), recorded_by=_actor(actor)
    )
    _created(actor, review, pp.person_id, ("pre_proceedings", "held_on", "notes"))
    return review


# --- care proceedings ----------------------------------------------------------------------------

PROCEEDINGS_FIELDS = (
    "issued_on",
    "court",
    "court_reference",
    "short_notice",
    "short_notice_reason",
    "parents_represented",
    "initial_care_plan",
    "initial_plan_approved",
    "final_care_plan",
    "final_plan_approved",
    "final_order",
    "final_order_on",
)


def proceedings_source(proceedings: CareProceedings) -> str:
    return f"legal.proceedings:{proceedings.pk}"


def proceedings_key(proceedings: CareProceedings) -> str:
    return f"proceedings:{proceedings.pk}"


def extension_source(extension: ProceedingsExtension) -> str:
    return f"legal.extension:{extension.pk}"


def _check_proceedings(
    person: Person,
    values: Mapping[str, Any],
    *,
    pre_proceedings: PreProceedings | None,
    gateway: LegalGatewayMeeting | None,
    pk: int | None,
) -> None:
    errors: Errors = {}
    _check_person(person, errors)
    issued: dt.date | None = values.get("issued_on")
    if issued is None:
        errors["issued_on"] = "Enter the date the court issued the proceedings"
    elif issued > today():
        errors["issued_on"] = "The date issued cannot be in the future"
    elif person.date_of_birth and issued < person.date_of_birth:
        errors["issued_on"] = "Proceedings cannot be issued before the child was born"
    if not _text(values.get("court")):
        errors["court"] = "Enter the court"
    if values.get("short_notice"):
        if not _text(values.get("short_notice_reason")):
            errors["short_notice_reason"] = "Say why the application was made on short notice"
    elif _text(values.get("short_notice_reason")):
        errors["short_notice_reason"] = (
            "A reason is only for a short notice application: say it was one, or clear the reason"
        )
    for name in ("parents_represented",):
        value = values.get(name) or ""
        if value and value not in Representation.values:
            errors[name] = "Choose whether the parents had legal representation"
    for plan_field, approved_field, when in (
        ("initial_care_plan", "initial_plan_approved", "initial"),
        ("final_care_plan", "final_plan_approved", "final"),
    ):
        plan = values.get(plan_field) or ""
        if plan and plan not in CarePlanKind.values:
            errors[plan_field] = f"Choose the council's {when} care plan"
        if values.get(approved_field) is not None and not plan:
            errors[plan_field] = (
                f"Choose the council's {when} care plan, then whether it was approved"
            )
    order, order_on = values.get("final_order") or "", values.get("final_order_on")
    if order and order not in FinalOrderKind.values:
        errors["final_order"] = "Choose the final order"
    elif order and order_on is None:
        errors["final_order_on"] = "Enter the date of the final order"
    elif not order and order_on is not None:
        errors["final_order"] = "Choose the order the court made on that date"
    elif order_on is not None:
        if order_on > today():
            errors["final_order_on"] = "The date of the final order cannot be in the future"
        elif issued is not None and order_on < issued:
            errors["final_order_on"] = (
                f"The final order cannot be before the proceedings were issued, on {_d(issued)}"
            )
    if pre_proceedings is not None and issued is not None:
        if pre_proceedings.person_id != person.pk:
            errors["pre_proceedings"] = "Those pre-proceedings are another child's"
        elif pre_proceedings.outcome != PreProceedingsOutcome.ISSUE:
            errors["pre_proceedings"] = (
                "Record the pre-proceedings outcome (issue care proceedings) first: care "
                "proceedings follow that decision"
            )
        elif pre_proceedings.outcome_on and issued < pre_proceedings.outcome_on:
            errors["issued_on"] = (
                "Proceedings cannot be issued before the decision to issue, on "
                f"{_d(pre_proceedings.outcome_on)}"
            )
        elif pre_proceedings.court_application_on and issued < pre_proceedings.court_application_on:
            errors["issued_on"] = (
                "Proceedings cannot be issued before the application to court, on "
                f"{_d(pre_proceedings.court_application_on)}"
            )
    if gateway is not None and issued is not None:
        if gateway.person_id != person.pk:
            errors["gateway"] = "That legal gateway meeting is another child's"
        elif gateway.decision != GatewayDecision.ISSUE:
            errors["gateway"] = (
                f"The legal gateway meeting on {_d(gateway.held_on)} did not decide to issue care "
                "proceedings: link the pre-proceedings that did, or leave it out"
            )
        elif issued < gateway.held_on:
            errors["issued_on"] = (
                "Proceedings cannot be issued before the legal gateway meeting that decided to "
                f"issue them, on {_d(gateway.held_on)}"
            )
    if pk is not None and issued is not None:
        earliest = _earliest_part(pk)
        if earliest is not None and earliest[0] < issued:
            errors.setdefault(
                "issued_on",
                f"{earliest[1]} is recorded on {_d(earliest[0])}, before that date: check the "
                "dates",
            )
        if order_on is not None:
            latest = _latest_part(pk)
            if latest is not None and latest[0] > order_on:
                errors.setdefault(
                    "final_order_on",
                    f"{latest[1]} is recorded on {_d(latest[0])}, after that date: check the dates",
                )
    _raise(errors)
    assert issued is not None
    others = CareProceedings.objects.filter(person=person).exclude(pk=pk or 0)
    if order_on is None:
        open_one = others.filter(final_order_on__isnull=True).first()
        if open_one is not None:
            raise ValidationError(
                {
                    "issued_on": f"{person.full_name} is already in care proceedings, issued "
                    f"{_d(open_one.issued_on)}: record their final order first"
                }
            )
    for other in others.order_by("issued_on"):
        if (other.final_order_on is None or issued < other.final_order_on) and (
            order_on is None or other.issued_on < order_on
        ):
            raise ValidationError(
                {
                    "issued_on": f"These dates overlap the care proceedings issued "
                    f"{_d(other.issued_on)}"
                }
            )


def _parts(pk: int) -> list[tuple[dt.date, str]]:
    found: list[tuple[dt.date, str]] = []
    for day in CourtHearing.objects.filter(proceedings_id=pk).values_list("held_on", flat=True):
        found.append((day, "A hearing"))
    for day in ProceedingsExtension.objects.filter(proceedings_id=pk).values_list(
        "granted_on", flat=True
    ):
        found.append((day, "An extension"))
    for day in InterimOrder.objects.filter(proceedings_id=pk).values_list("made_on", flat=True):
        found.append((day, "An interim order"))
    return found


def _earliest_part(pk: int) -> tuple[dt.date, str] | None:
    parts = _parts(pk)
    return min(parts) if parts else None


def _latest_part(pk: int) -> tuple[dt.date, str] | None:
    parts = _parts(pk)
    return max(parts) if parts else None


def _proceedings_events(proceedings: CareProceedings, before: CareProceedings | None) -> None:
    source, key = proceedings_source(proceedings), proceedings_key(proceedings)
    if before is None or before.issued_on != proceedings.issued_on:
        timescales.record_event(
            subject_type=CHILD,
            subject_id=proceedings.person_id,
            name="proceedings-issued",
            at=proceedings.issued_on,
            key=key,
            source=source,
        )
    if proceedings.final_order_on is not None:
        if before is None or before.final_order_on != proceedings.final_order_on:
            timescales.record_event(
                subject_type=CHILD,
                subject_id=proceedings.person_id,
                name="proceedings-concluded",
                at=proceedings.final_order_on,
                key=key,
                source=f"{source}:final",
            )
    elif before is not None and before.final_order_on is not None:
        _withdraw_if_recorded(proceedings.person_id, f"{source}:final")


@transaction.atomic
def proceedings_issue(
    *,
    actor: User | None,
    person: Person,
    issued_on: dt.date | None,
    court: str,
    court_reference: str = "",
    short_notice: bool = False,
    short_notice_reason: str = "",
    parents_represented: str = "",
    initial_care_plan: str = "",
    pre_proceedings: PreProceedings | None = None,
    gateway: LegalGatewayMeeting | None = None,
) -> CareProceedings:
    """Care proceedings issued: the 26-week `proceedings` clock starts on the issue date."""
    Person.objects.select_for_update().filter(pk=person.pk).first()
    values: dict[str, Any] = {
        "issued_on": issued_on,
        "court": _text(court),
        "court_reference": _text(court_reference),
        "short_notice": bool(short_notice),
        "short_notice_reason": _text(short_notice_reason),
        "parents_represented": parents_represented or "",
        "initial_care_plan": initial_care_plan or "",
    }
    _check_proceedings(person, values, pre_proceedings=pre_proceedings, gateway=gateway, pk=None)
    proceedings = CareProceedings(
        person=person,
        pre_proceedings=pre_proceedings,
        gateway=gateway,
        recorded_by=_actor(actor),
        **values,
    )
    proceedings.full_clean()
    proceedings.save()
    _created(actor, proceedings, person.pk, ("pre_proceedings", "gateway", *values))
    _proceedings_events(proceedings, None)
    return proceedings


def _locked_proceedings(proceedings: CareProceedings, expected: int | None) -> CareProceedings:
    locked = (
        CareProceedings.objects.select_for_update(of=("self",))
        .select_related("person", "pre_proceedings", "gateway")
        .get(pk=proceedings.pk)
    )
    _check_version(locked, expected)
    return locked


@transaction.atomic
def proceedings_update(
    *,
    actor: User | None,
    proceedings: CareProceedings,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> CareProceedings:
    """Change the court details and care plans, or correct the dates (issue, final order): a
    corrected date is recorded on the clock again."""
    _unknown(data, PROCEEDINGS_FIELDS)
    proceedings = _locked_proceedings(proceedings, expected_version)
    cleaned = _cleaned(data)
    for name in ("parents_represented", "initial_care_plan", "final_care_plan", "final_order"):
        if name in cleaned:
            cleaned[name] = cleaned[name] or ""
    if "short_notice" in cleaned:
        cleaned["short_notice"] = bool(cleaned["short_notice"])
    merged = {name: cleaned.get(name, getattr(proceedings, name)) for name in PROCEEDINGS_FIELDS}
    _check_proceedings(
        proceedings.person,
        merged,
        pre_proceedings=proceedings.pre_proceedings,
        gateway=proceedings.gateway,
        pk=proceedings.pk,
    )
    before = CareProceedings(
        pk=proceedings.pk,
        person_id=proceedings.person_id,
        issued_on=proceedings.issued_on,
        final_order_on=proceedings.final_order_on,
    )
    concluding = before.final_order_on is None and merged["final_order_on"] is not None
    updated = model_update(
        actor=actor,
        instance=proceedings,
        data=cleaned,
        person_id=proceedings.person_id,
        detail="Final order" if concluding else "",
    )
    _proceedings_events(updated, before)
    return updated


@transaction.atomic
def proceedings_conclude(
    *,
    actor: User | None,
    proceedings: CareProceedings,
    final_order: str,
    final_order_on: dt.date | None,
    final_care_plan: str = "",
    final_plan_approved: bool | None = None,
    expected_version: int | None = None,
) -> CareProceedings:
    """The court made its final order (or the application was withdrawn): meets the clock."""
    locked = _locked_proceedings(proceedings, expected_version)
    if locked.final_order_on is not None:
        raise ValidationError(
            f"The final order was already made, on {_d(locked.final_order_on)}: change it instead"
        )
    if not final_order:
        raise ValidationError({"final_order": "Choose the final order"})
    if final_order_on is None:
        raise ValidationError({"final_order_on": "Enter the date of the final order"})
    data: dict[str, Any] = {"final_order": final_order, "final_order_on": final_order_on}
    if final_care_plan:
        data["final_care_plan"] = final_care_plan
    if final_plan_approved is not None:
        data["final_plan_approved"] = final_plan_approved
    return proceedings_update(
        actor=actor, proceedings=locked, data=data, expected_version=expected_version
    )


def _check_part_date(
    proceedings: CareProceedings, field: str, day: dt.date | None, what: str, *, future: bool
) -> Errors:
    errors: Errors = {}
    if day is None:
        errors[field] = f"Enter the date {what}"
    elif not future and day > today():
        errors[field] = f"The date {what} cannot be in the future"
    elif day < proceedings.issued_on:
        errors[field] = (
            f"The date {what} cannot be before the proceedings were issued, on "
            f"{_d(proceedings.issued_on)}"
        )
    elif proceedings.final_order_on is not None and day > proceedings.final_order_on:
        errors[field] = (
            f"The final order was made on {_d(proceedings.final_order_on)}: the date {what} "
            "cannot be after it"
        )
    return errors


HEARING_FIELDS = ("held_on", "kind", "outcome_notes")


def _check_hearing(
    proceedings: CareProceedings, values: Mapping[str, Any], *, pk: int | None
) -> None:
    held_on, kind = values.get("held_on"), values.get("kind")
    errors = _check_part_date(proceedings, "held_on", held_on, "of the hearing", future=True)
    if kind not in HearingKind.values:
        errors["kind"] = "Choose the kind of hearing"
    elif kind == HearingKind.FIRST:
        first = (
            CourtHearing.objects.filter(proceedings=proceedings, kind=HearingKind.FIRST)
            .exclude(pk=pk or 0)
            .first()
        )
        if first is not None:
            errors["kind"] = f"The first hearing is already recorded, on {_d(first.held_on)}"
    if held_on is not None and held_on > today() and _text(values.get("outcome_notes")):
        errors["outcome_notes"] = "The hearing has not happened yet: record what happened after it"
    _raise(errors)


@transaction.atomic
def hearing_add(
    *,
    actor: User | None,
    proceedings: CareProceedings,
    held_on: dt.date | None,
    kind: str,
    outcome_notes: str = "",
) -> CourtHearing:
    """A hearing: one that happened (with what happened) or one listed for a later date."""
    proceedings = CareProceedings.objects.select_for_update().get(pk=proceedings.pk)
    values = {"held_on": held_on, "kind": kind, "outcome_notes": _text(outcome_notes)}
    _check_hearing(proceedings, values, pk=None)
    hearing = CourtHearing.objects.create(
        proceedings=proceedings, recorded_by=_actor(actor), **values
    )
    _created(actor, hearing, proceedings.person_id, ("proceedings", *HEARING_FIELDS))
    return hearing


@transaction.atomic
def hearing_update(
    *,
    actor: User | None,
    hearing: CourtHearing,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> CourtHearing:
    """Record what happened at a hearing, or correct it."""
    _unknown(data, HEARING_FIELDS)
    hearing = (
        CourtHearing.objects.select_for_update(of=("self",))
        .select_related("proceedings")
        .get(pk=hearing.pk)
    )
    _check_version(hearing, expected_version)
    cleaned = _cleaned(data)
    merged = {name: cleaned.get(name, getattr(hearing, name)) for name in HEARING_FIELDS}
    _check_hearing(hearing.proceedings, merged, pk=hearing.pk)
    return model_update(
        actor=actor, instance=hearing, data=cleaned, person_id=hearing.proceedings.person_id
    )


@transaction.atomic
def extension_add(
    *,
    actor: User | None,
    proceedings: CareProceedings,
    granted_on: dt.date | None,
    weeks: int | None,
    reason: str,
) -> ProceedingsExtension:
    """The court extended the 26-week timetable, by up to 8 weeks (Children Act 1989,
    section 32(5) and (8)), with its reason. Moves the `proceedings` clock on."""
    proceedings = CareProceedings.objects.select_for_update().get(pk=proceedings.pk)
    errors = _check_part_date(
        proceedings, "granted_on", granted_on, "the extension was granted", future=False
    )
    if weeks is None:
        errors["weeks"] = "Enter how many weeks the court extended the timetable by"
    elif not 1 <= weeks <= EXTENSION_MAX_WEEKS:
        errors["weeks"] = (
            "The court extends the timetable by up to 8 weeks at a time (Children Act 1989, "
            f"section 32(8)): enter 1 to 8, not {weeks}"
        )
    if not _text(reason):
        errors["reason"] = (
            "Enter why the court extended the timetable: an extension is granted only when "
            "necessary to resolve the proceedings justly"
        )
    _raise(errors)
    assert granted_on is not None and weeks is not None
    extension = ProceedingsExtension.objects.create(
        proceedings=proceedings,
        granted_on=granted_on,
        weeks=weeks,
        reason=_text(reason),
        recorded_by=_actor(actor),
    )
    _created(
        actor, extension, proceedings.person_id, ("proceedings", "granted_on", "weeks", "reason")
    )
    timescales.record_event(
        subject_type=CHILD,
        subject_id=proceedings.person_id,
        name="proceedings-extended",
        at=granted_on,
        key=proceedings_key(proceedings),
        source=extension_source(extension),
    )
    return extension


@transaction.atomic
def interim_order_add(
    *,
    actor: User | None,
    proceedings: CareProceedings,
    kind: str,
    made_on: dt.date | None,
    notes: str = "",
) -> InterimOrder:
    """An interim order (care, supervision, child arrangements) made during the proceedings."""
    proceedings = CareProceedings.objects.select_for_update().get(pk=proceedings.pk)
    errors = _check_part_date(proceedings, "made_on", made_on, "the order was made", future=False)
    if kind not in InterimOrderKind.values:
        errors["kind"] = "Choose the interim order"
    _raise(errors)
    assert made_on is not None
    order = InterimOrder.objects.create(
        proceedings=proceedings,
        kind=kind,
        made_on=made_on,
        notes=_text(notes),
        recorded_by=_actor(actor),
    )
    _created(actor, order, proceedings.person_id, ("proceedings", "kind", "made_on", "notes"))
    return order
