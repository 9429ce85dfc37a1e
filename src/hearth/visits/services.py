"""Writes for visits: record, change and withdraw. Each is one transaction and one audit event.

Only a visit where the child was seen meets a visit clock: statutory visits must see the child.
A child in need visit records "cin-visit", a child protection visit "cp-visit", a child in care
visit "cla-visit" and a personal adviser's contact "pa-contact", on the visit's London date, with
the source `visits.visit:<pk>`. A change records it again under the same source (the engine
corrects the date), or withdraws it when the child is now recorded as not seen; withdrawing the
visit withdraws its event, so the deadline it met is open again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.people.models import Person
from hearth.plans.models import Plan, PlanAction
from hearth.timescales import calendar as cal
from hearth.timescales import services as timescales
from hearth.timescales.models import ClockEvent
from hearth.timescales.rules import SubjectType

from .codes import CLOCK_EVENTS, VisitKind, VisitLocation
from .models import Visit

TEXT_FIELDS = ("others_present", "child_views", "observations", "reason_not_seen")
EDITABLE = (
    "kind",
    "visited_at",
    "location",
    "child_seen",
    "seen_alone",
    "bedroom_seen",
    *TEXT_FIELDS,
    "worker",
    "plan",
)
MAX_TEXT = 20_000


def clock_source(visit_id: int) -> str:
    return f"visits.visit:{visit_id}"


def visit_date(visited_at: dt.datetime) -> dt.date:
    """The visit's date in London: the date its clock counts."""
    return visited_at.astimezone(cal.LONDON).date()


# --- checks --------------------------------------------------------------------------------------


def _plan_usable(plan: Plan, person_id: int, day: dt.date) -> bool:
    """The child's plan, open now or open on the day of the visit."""
    if plan.person_id != person_id:
        return False
    if plan.end_date is None:
        return True
    return plan.start_date <= day <= plan.end_date


def _check(
    person: Person,
    values: dict[str, Any],
    actions: list[PlanAction],
    *,
    worker_before: int | None = None,
) -> None:
    """Every rule on a visit's values at once, so the form shows every problem; raises
    ValidationError keyed by field. `values` may be tidied (plan inferred from the actions)."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if person.merged_into_id is not None:
        fail("person", "This record was merged into another: record the visit there")
    if values["kind"] not in VisitKind.values:
        fail("kind", "Choose the type of visit")
    if values["location"] and values["location"] not in VisitLocation.values:
        fail("location", "Choose where the visit took place")
    visited_at = values["visited_at"]
    day: dt.date | None = None
    if not isinstance(visited_at, dt.datetime) or timezone.is_naive(visited_at):
        fail("visited_at", "Enter the date and time of the visit")
    else:
        day = visit_date(visited_at)
        if visited_at > timezone.now():
            fail("visited_at", "The visit must be today or in the past: record it after it happens")
        elif person.date_of_birth and day < person.date_of_birth:
            fail(
                "visited_at",
                f"The visit cannot be before {person.full_name}'s date of birth "
                f"({person.date_of_birth:%-d %B %Y})",
            )
        elif person.date_of_death and day > person.date_of_death:
            fail("visited_at", f"The visit cannot be after {person.full_name}'s date of death")
    if values["child_seen"] not in (True, False):
        fail("child_seen", "Say whether the child was seen")
    elif values["child_seen"]:
        if values["seen_alone"] is None:
            fail("seen_alone", "Say whether the child was seen alone")
        if values["reason_not_seen"]:
            fail(
                "reason_not_seen",
                "The child was seen: leave the reason they were not seen empty",
            )
    else:
        if not values["reason_not_seen"]:
            fail(
                "reason_not_seen",
                "Say why the child was not seen: a visit that did not see the child must say why",
            )
        if values["seen_alone"] is not None or values["bedroom_seen"] is not None:
            fail(
                "seen_alone",
                "The child was not seen: they cannot have been seen alone, nor their bedroom",
            )
    for name in TEXT_FIELDS:
        if len(values[name]) > MAX_TEXT:
            fail(name, f"Keep this to {MAX_TEXT:,} characters or fewer")
    worker = values["worker"]
    if worker is None or (not worker.is_active and worker.pk != worker_before):
        fail("worker", "Choose who visited: someone with an active account")
    plan: Plan | None = values["plan"]
    if plan is not None and day is not None and not _plan_usable(plan, person.pk, day):
        fail(
            "plan",
            f"The plan must be one of {person.full_name}'s plans, open now or on the day of "
            "the visit",
        )
    if actions and day is not None:
        for action in actions:
            if action.plan.person_id != person.pk:
                fail(
                    "actions",
                    f"“{_short(action.description)}” is not an action in {person.full_name}'s "
                    "plans",
                )
            elif not _plan_usable(action.plan, person.pk, day):
                fail(
                    "actions",
                    f"“{_short(action.description)}” belongs to a plan that had ended before "
                    "the visit: choose actions from a plan open now or on the day of the visit",
                )
            elif plan is not None and action.plan_id != plan.pk:
                fail("actions", f"“{_short(action.description)}” is not an action in this plan")
        plans = {a.plan_id for a in actions}
        if plan is None and len(plans) == 1 and "actions" not in errors:
            values["plan"] = actions[0].plan
    if errors:
        raise ValidationError(errors)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _actions(actions: Iterable[PlanAction | int]) -> list[PlanAction]:
    """The actions, with their plans (ids are looked up; unknown ids are refused)."""
    items = list(actions)
    ids = [a if isinstance(a, int) else a.pk for a in items]
    found = {a.pk: a for a in PlanAction.objects.select_related("plan").filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({"actions": f"No plan action with id {', '.join(missing)}"})
    return [found[i] for i in dict.fromkeys(ids)]


def _tidy(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


# --- the clock -----------------------------------------------------------------------------------


def _sync_clock(visit: Visit) -> None:
    """The visit's clock event as it now stands: one event for a seen statutory visit, none
    otherwise (not seen, another kind, or withdrawn)."""
    wanted = (
        CLOCK_EVENTS.get(visit.kind) if visit.child_seen and visit.withdrawn_at is None else None
    )
    source = clock_source(visit.pk)
    live = set(
        ClockEvent.objects.filter(
            subject_type=SubjectType.CHILD,
            subject_id=visit.person_id,
            source=source,
            withdrawn_at__isnull=True,
        ).values_list("name", flat=True)
    )
    for name in sorted(live - {wanted}):
        timescales.withdraw_event(
            subject_type=SubjectType.CHILD, subject_id=visit.person_id, source=source, name=name
        )
    if wanted:
        timescales.record_event(
            subject_type=SubjectType.CHILD,
            subject_id=visit.person_id,
            name=wanted,
            at=visit_date(visit.visited_at),
            source=source,
        )


# --- writes --------------------------------------------------------------------------------------


@transaction.atomic
def visit_record(
    *,
    actor: User,
    person: Person,
    kind: str,
    visited_at: dt.datetime,
    child_seen: bool,
    seen_alone: bool | None = None,
    bedroom_seen: bool | None = None,
    location: str = "",
    others_present: str = "",
    child_views: str = "",
    observations: str = "",
    reason_not_seen: str = "",
    worker: User | None = None,
    plan: Plan | None = None,
    actions: Iterable[PlanAction | int] = (),
) -> Visit:
    """Record a visit to a child (by `worker`, the actor by default) and tell the engine."""
    values: dict[str, Any] = {
        "kind": kind,
        "visited_at": visited_at,
        "location": location or "",
        "child_seen": child_seen,
        "seen_alone": seen_alone,
        "bedroom_seen": bedroom_seen,
        "others_present": _tidy(others_present or ""),
        "child_views": _tidy(child_views or ""),
        "observations": _tidy(observations or ""),
        "reason_not_seen": _tidy(reason_not_seen or ""),
        "worker": worker or actor,
        "plan": plan,
    }
    served = _actions(actions)
    _check(person, values, served)
    visit = Visit(person=person, recorded_by=actor, **values)
    visit.full_clean()
    visit.save()
    visit.actions.set(served)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=visit,
        person_id=person.pk,
        changes={
            **{
                k: [None, v]
                for k, v in audit.snapshot(visit, EDITABLE).items()
                if v not in ("", None)
            },
            **({"actions": [None, sorted(a.pk for a in served)]} if served else {}),
        },
    )
    _sync_clock(visit)
    return visit


@transaction.atomic
def visit_update(
    *,
    actor: User,
    visit: Visit,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> Visit:
    """Change a visit: `data` holds the fields to change (any of `EDITABLE`, and `actions`).
    The previous values are kept in the audit trail; the clock event follows the change."""
    unknown = set(data) - set(EDITABLE) - {"actions"}
    if unknown:
        raise ValidationError({name: "This cannot be changed" for name in sorted(unknown)})
    visit = Visit.objects.select_for_update().select_related("person").get(pk=visit.pk)
    if expected_version is not None and visit.version != expected_version:
        raise ConcurrentEditError(ConcurrentEditError.message)
    if visit.withdrawn_at is not None:
        raise ValidationError("This visit was withdrawn: it cannot be changed")
    values: dict[str, Any] = {name: getattr(visit, name) for name in EDITABLE}
    values.update({k: _tidy(v) for k, v in data.items() if k != "actions"})
    for name in (*TEXT_FIELDS, "location"):
        values[name] = values[name] or ""
    if "child_seen" in data:
        # Answers that no longer apply go with the change, unless the caller gave them.
        if not values["child_seen"]:
            for name in ("seen_alone", "bedroom_seen"):
                if name not in data:
                    values[name] = None
        elif "reason_not_seen" not in data:
            values["reason_not_seen"] = ""
    old_actions = sorted(visit.actions.values_list("pk", flat=True))
    served = (
        _actions(data["actions"])
        if "actions" in data
        else list(visit.actions.select_related("plan"))
    )
    _check(visit.person, values, served, worker_before=visit.worker_id)
    new_actions = sorted(a.pk for a in served)
    related = {"actions": [old_actions, new_actions]} if new_actions != old_actions else {}
    if related:
        visit.actions.set(served)
    visit = model_update(
        actor=actor,
        instance=visit,
        data=values,
        person_id=visit.person_id,
        related_changes=related,
        detail="Visit changed",
    )
    _sync_clock(visit)
    return visit


@transaction.atomic
def visit_withdraw(
    *, actor: User, visit: Visit, reason: str, expected_version: int | None
) -> Visit:
    """Withdraw a visit recorded in error (never deleted): it stays, marked, and its clock event
    is withdrawn, so the deadline it met is due again."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if expected_version is not None and visit.version != expected_version:
        raise ConcurrentEditError(ConcurrentEditError.message)
    if visit.withdrawn_at is not None:
        raise ValidationError("This visit has already been withdrawn")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the visit is being withdrawn"})
    visit = model_update(
        actor=actor,
        instance=visit,
        data={
            "withdrawn_at": max(timezone.now(), visit.visited_at),
            "withdrawn_reason": reason.strip(),
            "withdrawn_by": actor,
        },
        person_id=visit.person_id,
        action=AuditAction.ARCHIVE,
        detail="Visit withdrawn (recorded in error)",
    )
    _sync_clock(visit)
    return visit
