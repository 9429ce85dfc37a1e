"""Writes for risk assessments and missing episodes: one transaction and one audit event each, and
the timescale engine told in the same transaction.

Clocks:
- "risk-assessment" at each assessment's date (source `safeguarding.risk:<pk>`, no key) starts and
  meets the child's `risk-assessment-review` clock. The engine's review window is one per child,
  not one per kind (a window cannot be keyed), so "risk-closed" (same source) is recorded only
  when the closure leaves no kind open; `_sync_risk_closures` works that out again after every
  change. Whether each kind's assessment is in date is worked out per kind from the same period
  (`selectors.ReviewClock`).
- "missing-return" at the return (source `safeguarding.missing:<pk>:return`) starts the episode's
  `rhi` clock, 72 hours; "rhi-offered" (source `safeguarding.missing:<pk>:rhi`) meets it. Both are
  keyed `missing:<pk>`, so one episode's offer never meets another's clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.notifications.services import notify
from hearth.people.models import Person
from hearth.timescales import calendar as cal
from hearth.timescales import services as timescales
from hearth.timescales.models import ClockEvent, ClockSubject
from hearth.timescales.rules import SubjectType
from hearth.workforce.selectors import current_lead

from . import selectors
from .codes import EXPLOITATION_KINDS, MissingFrom, MissingKind, RiskKind, RiskLevel
from .models import MissingEpisode, RiskAssessment

CHILD = SubjectType.CHILD
RISK_FIELDS = (
    "level",
    "assessed_on",
    "assessor",
    "summary",
    "indicators",
    "protective_factors",
    "actions",
)
EPISODE_FIELDS = (
    "missing_from",
    "kind",
    "started_at",
    "ended_at",
    "where_found",
    "reported_to_police",
    "police_reference",
)
RHI_FIELDS = (
    "rhi_offered_at",
    "rhi_accepted",
    "rhi_completed_on",
    "rhi_by",
    "rhi_by_agency",
    "rhi_findings",
)
# A little slack for clocks that differ between the browser, the server and a partner's system.
FUTURE_SLACK = dt.timedelta(minutes=5)


def risk_source(assessment_id: int) -> str:
    return f"safeguarding.risk:{assessment_id}"


def missing_key(episode_id: int) -> str:
    return f"missing:{episode_id}"


def _today() -> dt.date:
    return timezone.now().astimezone(cal.LONDON).date()


def _day(moment: dt.datetime) -> str:
    local = moment.astimezone(cal.LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _text(value: str | None) -> str:
    return (value or "").strip()


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _check_person(person: Person, errors: dict[str, str]) -> None:
    if person.merged_into_id:
        errors["person"] = "That record was merged: choose the record it became"


# --- risk assessments ----------------------------------------------------------------------------


def _latest_of_kind(
    person_id: int, kind: str, *, exclude: int | None = None
) -> RiskAssessment | None:
    rows = RiskAssessment.objects.filter(person_id=person_id, kind=kind)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.order_by("-assessed_on", "-pk").first()


def _check_assessment(
    *,
    person: Person,
    kind: str,
    level: str,
    assessed_on: dt.date | None,
    assessor: User | None,
    summary: str,
    before: RiskAssessment | None,
) -> None:
    """Field rules shared by recording and correcting; `before` is the previous one of the kind."""
    errors: dict[str, str] = {}
    _check_person(person, errors)
    if kind not in RiskKind.values:
        errors["kind"] = "Choose the kind of risk"
    if level not in RiskLevel.values:
        errors["level"] = "Choose the level of risk"
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date the risk was assessed"
    elif assessed_on > _today():
        errors["assessed_on"] = "The date assessed cannot be in the future"
    elif person.date_of_birth and assessed_on < person.date_of_birth:
        errors["assessed_on"] = "The date assessed cannot be before the child was born"
    elif before is not None and kind in RiskKind.values:
        label = RiskKind(kind).label.lower()
        if before.closed_on is not None and assessed_on < before.closed_on:
            errors["assessed_on"] = (
                f"The {label} risk was closed on {_date(before.closed_on)}: a new assessment "
                "must be dated on or after that"
            )
        elif assessed_on < before.assessed_on:
            errors["assessed_on"] = (
                f"A review cannot be dated before the last {label} risk assessment, on "
                f"{_date(before.assessed_on)}"
            )
    if assessor is None:
        errors["assessor"] = "Choose who assessed the risk"
    elif not assessor.is_active:
        errors["assessor"] = "The assessor's account is closed: choose someone in post"
    if not _text(summary):
        errors["summary"] = "Enter a summary of the risk"
    _raise(errors)


@transaction.atomic
def risk_assessment_record(
    *,
    actor: User,
    person: Person,
    kind: str,
    level: str,
    assessed_on: dt.date,
    assessor: User | None,
    summary: str,
    indicators: str = "",
    protective_factors: str = "",
    actions: str = "",
) -> RiskAssessment:
    """A risk assessment of one kind: the first, a review of the last one, or a new one after the
    risk was closed. Its review falls due on the council's `risk-assessment-review` period."""
    before = _latest_of_kind(person.pk, kind) if kind in RiskKind.values else None
    _check_assessment(
        person=person,
        kind=kind,
        level=level,
        assessed_on=assessed_on,
        assessor=assessor,
        summary=summary,
        before=before,
    )
    assessment = RiskAssessment(
        person=person,
        kind=kind,
        level=level,
        assessed_on=assessed_on,
        assessor=assessor,
        summary=_text(summary),
        indicators=_text(indicators),
        protective_factors=_text(protective_factors),
        actions=_text(actions),
        recorded_by=actor,
    )
    assessment.full_clean()
    assessment.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assessment,
        person_id=person.pk,
        changes={
            name: [None, value]
            for name, value in audit.snapshot(assessment, ("kind", *RISK_FIELDS)).items()
            if value not in ("", None)
        },
        detail="Review of the last assessment of this kind" if before else "",
    )
    timescales.record_event(
        subject_type=CHILD,
        subject_id=person.pk,
        name="risk-assessment",
        at=assessed_on,
        source=risk_source(assessment.pk),
    )
    _sync_risk_closures(person.pk)
    return assessment


def _check_latest_open(assessment: RiskAssessment) -> None:
    label = assessment.get_kind_display().lower()
    if assessment.closed_on is not None:
        raise ValidationError(
            f"This {label} risk assessment was closed on {_date(assessment.closed_on)}: it cannot "
            "be changed or reviewed. If the risk has returned, record a new assessment"
        )
    latest = _latest_of_kind(assessment.person_id, assessment.kind)
    if latest is not None and latest.pk != assessment.pk:
        raise ValidationError(
            f"This {label} risk assessment has been reviewed since (on "
            f"{_date(latest.assessed_on)}): change the latest one"
        )


@transaction.atomic
def risk_assessment_update(
    *,
    actor: User,
    assessment: RiskAssessment,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> RiskAssessment:
    """Correct the latest assessment of a kind (not a closed one). The kind cannot change: record
    an assessment of the other kind instead."""
    unknown = set(data) - set(RISK_FIELDS)
    if "kind" in unknown:
        raise ValidationError(
            {"kind": "The kind of risk cannot be changed: record an assessment of that kind"}
        )
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    assessment = (
        RiskAssessment.objects.select_for_update().select_related("person").get(pk=assessment.pk)
    )
    if expected_version is not None and assessment.version != expected_version:
        raise ConcurrentEditError(ConcurrentEditError.message)
    _check_latest_open(assessment)
    merged = {name: data.get(name, getattr(assessment, name)) for name in RISK_FIELDS}
    before = _latest_of_kind(assessment.person_id, assessment.kind, exclude=assessment.pk)
    _check_assessment(
        person=assessment.person,
        kind=assessment.kind,
        level=merged["level"],
        assessed_on=merged["assessed_on"],
        assessor=merged["assessor"],
        summary=merged["summary"],
        before=before,
    )
    for name in ("summary", "indicators", "protective_factors", "actions"):
        merged[name] = _text(merged[name])
    assessment = model_update(
        actor=actor,
        instance=assessment,
        data=merged,
        expected_version=expected_version,
        person_id=assessment.person_id,
    )
    timescales.record_event(
        subject_type=CHILD,
        subject_id=assessment.person_id,
        name="risk-assessment",
        at=assessment.assessed_on,
        source=risk_source(assessment.pk),
    )
    _sync_risk_closures(assessment.person_id)
    return assessment


@transaction.atomic
def risk_assessment_close(
    *,
    actor: User,
    assessment: RiskAssessment,
    closed_on: dt.date | None,
    reason: str,
    expected_version: int | None,
) -> RiskAssessment:
    """The risk of this kind no longer applies: its reviews stop (and the child's review clock
    closes when no kind is left open)."""
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if expected_version is not None and assessment.version != expected_version:
        raise ConcurrentEditError(ConcurrentEditError.message)
    if assessment.closed_on is not None:
        raise ValidationError("This risk assessment is already closed")
    _check_latest_open(assessment)
    errors: dict[str, str] = {}
    if closed_on is None:
        errors["closed_on"] = "Enter the date the risk stopped applying"
    elif closed_on > _today():
        errors["closed_on"] = "The date closed cannot be in the future"
    elif closed_on < assessment.assessed_on:
        errors["closed_on"] = (
            f"The risk cannot be closed before it was assessed, on {_date(assessment.assessed_on)}"
        )
    if not _text(reason):
        errors["closed_reason"] = "Enter why the risk no longer applies"
    _raise(errors)
    assessment = model_update(
        actor=actor,
        instance=assessment,
        data={"closed_on": closed_on, "closed_reason": _text(reason), "closed_by": actor},
        expected_version=expected_version,
        person_id=assessment.person_id,
        action=AuditAction.ARCHIVE,
        detail="Risk no longer applies",
    )
    _sync_risk_closures(assessment.person_id)
    return assessment


def _closures_wanted(rows: list[dict[str, Any]]) -> dict[str, dt.date]:
    """source -> date of the "risk-closed" events the child's assessments call for: a closure on a
    day when no other kind's latest assessment was still open."""
    wanted: dict[str, dt.date] = {}
    for row in rows:
        closed = row["closed_on"]
        if closed is None:
            continue
        still_open = False
        for kind in {r["kind"] for r in rows} - {row["kind"]}:
            made = [r for r in rows if r["kind"] == kind and r["assessed_on"] <= closed]
            if not made:
                continue
            latest = max(made, key=lambda r: (r["assessed_on"], r["pk"]))
            if latest["closed_on"] is None or latest["closed_on"] > closed:
                still_open = True
                break
        if not still_open:
            wanted[risk_source(row["pk"])] = closed
    return wanted


def _sync_risk_closures(person_id: int) -> None:
    """Record or withdraw "risk-closed" so the engine's one review window per child closes only
    when no kind of risk is left open."""
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in RiskAssessment.objects.filter(person_id=person_id).values(
            "pk", "kind", "assessed_on", "closed_on"
        )
    ]
    wanted = _closures_wanted(rows)
    existing = dict(
        ClockEvent.objects.filter(
            subject_type=CHILD,
            subject_id=person_id,
            name="risk-closed",
            withdrawn_at__isnull=True,
            source__startswith="safeguarding.risk:",
        ).values_list("source", "occurred_on")
    )
    for source, day in wanted.items():
        if existing.get(source) != day:
            timescales.record_event(
                subject_type=CHILD, subject_id=person_id, name="risk-closed", at=day, source=source
            )
    for source in set(existing) - set(wanted):
        timescales.withdraw_event(
            subject_type=CHILD, subject_id=person_id, source=source, name="risk-closed"
        )


# --- missing episodes ----------------------------------------------------------------------------


def _check_episode(person: Person, values: Mapping[str, Any], *, exclude: int | None) -> None:
    errors: dict[str, str] = {}
    _check_person(person, errors)
    now = timezone.now()
    missing_from, kind = values.get("missing_from"), values.get("kind")
    if missing_from not in MissingFrom.values:
        errors["missing_from"] = "Say whether the child went missing from home or from care"
    if kind not in MissingKind.values:
        errors["kind"] = "Say whether the child was missing or away without authorisation"
    elif kind == MissingKind.AWAY and missing_from == MissingFrom.HOME:
        errors["kind"] = (
            "Away without authorisation is only for a child in care who is away from their "
            "placement: for a child missing from home choose missing"
        )
    started, ended = values.get("started_at"), values.get("ended_at")
    for name, moment in (("started_at", started), ("ended_at", ended)):
        if moment is not None and timezone.is_naive(moment):
            errors[name] = "Give the time with its time zone"
    if errors:
        _raise(errors)
    if started is None:
        errors["started_at"] = "Enter when the child went missing"
    elif started > now + FUTURE_SLACK:
        errors["started_at"] = "The time the child went missing cannot be in the future"
    elif person.date_of_birth and started.astimezone(cal.LONDON).date() < person.date_of_birth:
        errors["started_at"] = "The child cannot have gone missing before they were born"
    if ended is not None:
        if ended > now + FUTURE_SLACK:
            errors["ended_at"] = "The time the child returned cannot be in the future"
        elif started is not None and ended < started:
            errors["ended_at"] = (
                f"The return cannot be before the child went missing ({_day(started)})"
            )
    if values.get("police_reference") and not values.get("reported_to_police"):
        errors["police_reference"] = (
            "A police reference is only for an episode reported to the police"
        )
    if not errors and started is not None:
        others = MissingEpisode.objects.filter(person=person)
        if exclude is not None:
            others = others.exclude(pk=exclude)
        overlap = others.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=started))
        if ended is not None:
            overlap = overlap.filter(started_at__lt=ended)
        clash = overlap.order_by("started_at").first()
        if clash is not None:
            errors["started_at"] = (
                f"This overlaps the child's missing episode from {_day(clash.started_at)}: "
                "change that one instead"
                if clash.ended_at is not None
                else f"The child is already recorded as missing since {_day(clash.started_at)}: "
                "record their return on that episode first"
            )
    _raise(errors)


def _return_event(episode: MissingEpisode) -> None:
    source = f"safeguarding.missing:{episode.pk}:return"
    if episode.ended_at is not None:
        timescales.record_event(
            subject_type=CHILD,
            subject_id=episode.person_id,
            name="missing-return",
            at=episode.ended_at,
            key=missing_key(episode.pk),
            source=source,
        )
    elif ClockEvent.objects.filter(
        subject_type=CHILD, subject_id=episode.person_id, source=source, withdrawn_at__isnull=True
    ).exists():
        timescales.withdraw_event(subject_type=CHILD, subject_id=episode.person_id, source=source)


def _rhi_event(episode: MissingEpisode) -> None:
    source = f"safeguarding.missing:{episode.pk}:rhi"
    if episode.rhi_offered_at is not None:
        timescales.record_event(
            subject_type=CHILD,
            subject_id=episode.person_id,
            name="rhi-offered",
            at=episode.rhi_offered_at,
            key=missing_key(episode.pk),
            source=source,
        )
    elif ClockEvent.objects.filter(
        subject_type=CHILD, subject_id=episode.person_id, source=source, withdrawn_at__isnull=True
    ).exists():
        timescales.withdraw_event(subject_type=CHILD, subject_id=episode.person_id, source=source)


def responsible_staff(person: Person) -> list[User]:
    """The child's lead social worker and their team manager; for a child with no lead worker,
    the manager of the team answerable for their deadlines."""
    lead = current_lead(person)
    if lead is not None:
        manager = lead.team.manager if lead.team is not None else None
        return [u for u in (lead.worker, manager) if u is not None]
    owner = (
        ClockSubject.objects.filter(subject_type=CHILD, subject_id=person.pk, team__isnull=False)
        .select_related("team__manager")
        .first()
    )
    if owner is not None and owner.team is not None and owner.team.manager is not None:
        return [owner.team.manager]
    return []


NOT_ASSESSED_SUBJECT = (
    "A child on your caseload has been reported missing and has no current exploitation or "
    "missing risk assessment"
)


def _tell_if_unassessed(person: Person) -> None:
    clock = selectors.ReviewClock.now()
    assessed = (
        selectors.current_assessments(clock)
        .filter(person=person, kind__in=EXPLOITATION_KINDS)
        .exists()
    )
    if assessed:
        return
    notify(
        recipients=responsible_staff(person),
        subject=NOT_ASSESSED_SUBJECT,
        body="Open the child's risk and missing page to record a risk assessment.",
        url=reverse("people:detail", args=[person.pk]) + "?tab=risk",
    )


@transaction.atomic
def missing_episode_record(
    *,
    actor: User,
    person: Person,
    missing_from: str,
    kind: str,
    started_at: dt.datetime,
    ended_at: dt.datetime | None = None,
    where_found: str = "",
    reported_to_police: bool = False,
    police_reference: str = "",
) -> MissingEpisode:
    """A child went missing (or away without authorisation). With the return, the 72-hour return
    interview clock starts. The lead worker and their manager are told if the child has no
    current exploitation or missing risk assessment."""
    values = {
        "missing_from": missing_from,
        "kind": kind,
        "started_at": started_at,
        "ended_at": ended_at,
        "reported_to_police": reported_to_police,
        "police_reference": _text(police_reference),
    }
    _check_episode(person, values, exclude=None)
    episode = MissingEpisode(
        person=person,
        where_found=_text(where_found),
        recorded_by=actor,
        **values,
    )
    episode.full_clean()
    episode.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=episode,
        person_id=person.pk,
        changes={
            name: [None, value]
            for name, value in audit.snapshot(episode, EPISODE_FIELDS).items()
            if value not in ("", None)
        },
    )
    _return_event(episode)
    _tell_if_unassessed(person)
    return episode


def _locked_episode(episode: MissingEpisode, expected_version: int | None) -> MissingEpisode:
    locked = MissingEpisode.objects.select_for_update().select_related("person").get(pk=episode.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(ConcurrentEditError.message)
    return locked


@transaction.atomic
def missing_episode_update(
    *,
    actor: User,
    episode: MissingEpisode,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> MissingEpisode:
    """Change the episode's details, or record the child's return (`ended_at`): the return starts
    the episode's 72-hour return interview clock."""
    unknown = set(data) - set(EPISODE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    episode = _locked_episode(episode, expected_version)
    merged = {name: data.get(name, getattr(episode, name)) for name in EPISODE_FIELDS}
    merged["where_found"] = _text(merged["where_found"])
    merged["police_reference"] = _text(merged["police_reference"])
    _check_episode(episode.person, merged, exclude=episode.pk)
    ended = merged["ended_at"]
    if episode.rhi_offered_at is not None:
        if ended is None:
            raise ValidationError(
                {
                    "ended_at": "A return interview has been offered, so the child had returned: "
                    "enter when"
                }
            )
        if ended > episode.rhi_offered_at:
            raise ValidationError(
                {
                    "ended_at": "The return cannot be after the return interview was offered "
                    f"({_day(episode.rhi_offered_at)})"
                }
            )
    episode = model_update(
        actor=actor,
        instance=episode,
        data=merged,
        expected_version=expected_version,
        person_id=episode.person_id,
        detail="Return recorded" if ended and "ended_at" in data else "",
    )
    _return_event(episode)
    return episode


@transaction.atomic
def return_interview_record(
    *,
    actor: User,
    episode: MissingEpisode,
    offered_at: dt.datetime | None,
    accepted: bool | None = None,
    completed_on: dt.date | None = None,
    by: User | None = None,
    by_agency: str = "",
    findings: str = "",
    expected_version: int | None,
) -> MissingEpisode:
    """The return home interview: when it was offered (meeting the 72-hour clock), whether the
    child accepted it, and when it was completed, by whom and what it found."""
    episode = _locked_episode(episode, expected_version)
    errors: dict[str, str] = {}
    now = timezone.now()
    by_agency = _text(by_agency)
    findings = _text(findings)
    if episode.ended_at is None:
        raise ValidationError(
            {"rhi_offered_at": "Record the child's return before the return interview"}
        )
    if offered_at is None:
        errors["rhi_offered_at"] = "Enter when the return interview was offered"
    elif timezone.is_naive(offered_at):
        errors["rhi_offered_at"] = "Give the time with its time zone"
    elif offered_at > now + FUTURE_SLACK:
        errors["rhi_offered_at"] = "The time the interview was offered cannot be in the future"
    elif offered_at < episode.ended_at:
        errors["rhi_offered_at"] = (
            "The return interview cannot be offered before the child returned "
            f"({_day(episode.ended_at)})"
        )
    if completed_on is not None:
        if accepted is not True:
            errors["rhi_accepted"] = (
                "Only an interview the child accepted can be completed: say they accepted it"
            )
        if completed_on > _today():
            errors["rhi_completed_on"] = "The date completed cannot be in the future"
        elif offered_at is not None and completed_on < offered_at.astimezone(cal.LONDON).date():
            errors["rhi_completed_on"] = (
                "The return interview cannot be completed before it was offered"
            )
        if by is None and not by_agency:
            errors["rhi_by"] = "Say who did the return interview: a member of staff or an agency"
        if not findings:
            errors["rhi_findings"] = "Enter what the return interview found"
    if by is not None and by_agency:
        errors["rhi_by_agency"] = "Choose a member of staff or name an agency, not both"
    _raise(errors)
    episode = model_update(
        actor=actor,
        instance=episode,
        data={
            "rhi_offered_at": offered_at,
            "rhi_accepted": accepted,
            "rhi_completed_on": completed_on,
            "rhi_by": by,
            "rhi_by_agency": by_agency,
            "rhi_findings": findings,
        },
        expected_version=expected_version,
        person_id=episode.person_id,
        detail="Return interview",
    )
    _rhi_event(episode)
    return episode
