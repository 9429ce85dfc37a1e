"""Writes for core groups: the multi-agency group that carries out a child protection plan between
conferences.

A core group is recorded against an open child protection plan, held within its dates and not in
the future: who attended (or sent apologies), what was discussed and agreed, the child's views and
lived experience, the next meeting, and the progress of each of the plan's actions. Each progress
status is also set on the action itself (`plans.services.plan_action_status_set`), so the plan
shows one truth. The core group records `core-group` on the child's clocks (source
`protection.core_group:<pk>`): the first meets `core-group-first` (10 working days from the
initial conference), each starts the next period of the local `core-group` standard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.plans import services as plan_services
from hearth.plans.codes import ActionStatus, PlanKind
from hearth.plans.models import Plan, PlanAction
from hearth.timescales import services as timescales
from hearth.timescales.rules import SubjectType

from ..codes import Agency
from ..models import CoreGroup, CoreGroupActionProgress, CoreGroupAttendee

MAX_TEXT = 20_000
Rows = Sequence[Mapping[str, Any]]
CORE_GROUP_FIELDS = ("held_on", "summary", "child_views", "next_meeting_on")


def today() -> dt.date:
    return plan_services.today()


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def clock_source(core_group: CoreGroup | int) -> str:
    pk = core_group if isinstance(core_group, int) else core_group.pk
    return f"protection.core_group:{pk}"


def _date_errors(
    plan: Plan, held_on: dt.date | None, next_meeting_on: dt.date | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if held_on is None:
        return {"held_on": ["Enter the date the core group met"]}
    if held_on > today():
        errors["held_on"] = ["The core group cannot be recorded before it meets"]
    elif held_on < plan.start_date:
        errors["held_on"] = [
            f"The child protection plan started on {_d(plan.start_date)}: its core group "
            "cannot have met before then"
        ]
    elif plan.end_date is not None and held_on > plan.end_date:
        errors["held_on"] = [
            f"The child protection plan ended on {_d(plan.end_date)}: its core group cannot "
            "meet after it"
        ]
    if next_meeting_on is not None and next_meeting_on <= held_on:
        errors["next_meeting_on"] = ["The next core group must be after this one"]
    return errors


def _attendee_rows(rows: Rows, errors: dict[str, list[str]]) -> list[tuple[str, str, bool]]:
    cleaned = []
    for row in rows:
        agency = str(row.get("agency") or "")
        name = str(row.get("name") or "").strip()
        attended = row.get("attended", True)
        if agency not in Agency.values:
            errors.setdefault("attendees", []).append("Choose each person's agency from the list")
        elif not name:
            errors.setdefault("attendees", []).append(
                "Give the name of each person invited to the core group"
            )
        elif attended not in (True, False):
            errors.setdefault("attendees", []).append(
                f"Say whether {name} attended or sent apologies"
            )
        else:
            cleaned.append((agency, name[:200], bool(attended)))
    if not errors.get("attendees") and not any(attended for _, _, attended in cleaned):
        errors.setdefault("attendees", []).append("Record who attended the core group")
    return cleaned


def _progress_rows(
    plan: Plan, rows: Rows, errors: dict[str, list[str]]
) -> list[tuple[PlanAction, str, str]]:
    """Progress rows for this plan's own actions only, one each."""
    ids = [row.get("action") for row in rows]
    ids = [i.pk if isinstance(i, PlanAction) else i for i in ids]
    own = {a.pk: a for a in PlanAction.objects.filter(plan=plan, pk__in=[i for i in ids if i])}
    cleaned: list[tuple[PlanAction, str, str]] = []
    seen: set[int] = set()
    for row, action_id in zip(rows, ids, strict=True):
        status = str(row.get("status") or "")
        note = str(row.get("note") or "").strip()
        action = own.get(action_id) if isinstance(action_id, int) else None
        if action is None:
            errors.setdefault("progress", []).append(
                "A core group records progress on this plan's own actions only"
            )
        elif action.pk in seen:
            errors.setdefault("progress", []).append(
                f"Progress on “{action.description[:60]}” is given twice"
            )
        elif status not in ActionStatus.values:
            errors.setdefault("progress", []).append(
                f"Choose the status of “{action.description[:60]}”"
            )
        elif len(note) > MAX_TEXT:
            errors.setdefault("progress", []).append(
                f"Keep each note to {MAX_TEXT:,} characters or fewer"
            )
        else:
            seen.add(action.pk)
            cleaned.append((action, status, note))
    return cleaned


def _set_status(actor: User, action: PlanAction, status: str, held_on: dt.date) -> None:
    """The action's own status, as the core group found it (done on the day of the core group,
    unless it was already recorded done earlier)."""
    if action.status == status:
        return
    completed_on = held_on if status == ActionStatus.DONE else None
    try:
        plan_services.plan_action_status_set(
            actor=actor, action=action, status=status, completed_on=completed_on
        )
    except ValidationError as exc:
        raise ValidationError({"progress": exc.messages}) from None


@transaction.atomic
def core_group_record(
    *,
    actor: User,
    plan: Plan,
    held_on: dt.date | None,
    summary: str,
    child_views: str = "",
    next_meeting_on: dt.date | None = None,
    attendees: Rows = (),
    progress: Rows = (),
) -> CoreGroup:
    """Record a core group of an open child protection plan. `attendees`: `{"agency", "name",
    "attended"}`; `progress`: `{"action" (id), "status", "note"}` for this plan's actions."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("person").get(pk=plan.pk)
    if plan.kind != PlanKind.CP:
        raise ValidationError("A core group belongs to a child protection plan")
    if plan.end_date is not None:
        raise ValidationError(
            f"This child protection plan ended on {_d(plan.end_date)}: its core groups ended "
            "with it"
        )
    errors = _date_errors(plan, held_on, next_meeting_on)
    summary, child_views = (summary or "").strip(), (child_views or "").strip()
    if not summary:
        errors.setdefault("summary", []).append("Enter what the core group discussed and agreed")
    for name, text in (("summary", summary), ("child_views", child_views)):
        if len(text) > MAX_TEXT:
            errors.setdefault(name, []).append(f"Keep this to {MAX_TEXT:,} characters or fewer")
    people = _attendee_rows(attendees, errors)
    found = _progress_rows(plan, progress, errors)
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    core_group = CoreGroup.objects.create(
        plan=plan,
        held_on=held_on,
        summary=summary,
        child_views=child_views,
        next_meeting_on=next_meeting_on,
        recorded_by=actor if actor.pk else None,
    )
    CoreGroupAttendee.objects.bulk_create(
        [
            CoreGroupAttendee(core_group=core_group, agency=a, name=n, attended=att)
            for a, n, att in people
        ]
    )
    CoreGroupActionProgress.objects.bulk_create(
        [
            CoreGroupActionProgress(core_group=core_group, action=action, status=status, note=note)
            for action, status, note in found
        ]
    )
    changes = {
        name: [None, value]
        for name, value in audit.snapshot(core_group, ["plan", *CORE_GROUP_FIELDS]).items()
        if value not in (None, "")
    }
    changes["attendees"] = [
        None,
        [f"{a}: {n}" + ("" if att else " (apologies)") for a, n, att in people],
    ]
    if found:
        changes["progress"] = [None, {str(a.pk): s for a, s, _ in found}]
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=core_group,
        person_id=plan.person_id,
        changes=changes,
    )
    for action, status, _note in found:
        _set_status(actor, action, status, held_on)
    timescales.record_event(
        subject_type=SubjectType.CHILD,
        subject_id=plan.person_id,
        name="core-group",
        at=held_on,
        source=clock_source(core_group),
    )
    return core_group


@transaction.atomic
def core_group_update(
    *,
    actor: User,
    core_group: CoreGroup,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> CoreGroup:
    """Correct a core group's date, summary, the child's views or the next meeting; a corrected
    date is recorded again on the child's clocks under the same source."""
    core_group = (
        CoreGroup.objects.select_for_update(of=("self",))
        .select_related("plan__person")
        .get(pk=core_group.pk)
    )
    if expected_version is not None and core_group.version != expected_version:
        raise ConcurrentEditError(ConcurrentEditError.message)
    unknown = set(data) - set(CORE_GROUP_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    errors = _date_errors(
        core_group.plan,
        cleaned.get("held_on", core_group.held_on),
        cleaned.get("next_meeting_on", core_group.next_meeting_on),
    )
    if "summary" in cleaned and not cleaned["summary"]:
        errors.setdefault("summary", []).append("Enter what the core group discussed and agreed")
    for name in ("summary", "child_views"):
        if len(cleaned.get(name) or "") > MAX_TEXT:
            errors.setdefault(name, []).append(f"Keep this to {MAX_TEXT:,} characters or fewer")
    if errors:
        raise ValidationError(errors)
    old = core_group.held_on
    core_group = model_update(
        actor=actor, instance=core_group, data=cleaned, person_id=core_group.plan.person_id
    )
    if core_group.held_on != old:
        timescales.record_event(
            subject_type=SubjectType.CHILD,
            subject_id=core_group.plan.person_id,
            name="core-group",
            at=core_group.held_on,
            source=clock_source(core_group),
        )
    return core_group
