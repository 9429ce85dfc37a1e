"""Writes for plans: start, change and end a plan; add and change its needs and risks and its
actions; set an action's status; record a review.

The rules Ofsted found broken are refused here, with a message that says what to fix: an action
with no linked need or risk, no owner or no due date; a link to another plan's need. For child in
need and child protection plans the CIN census rules that concern plans (statutory-returns.md
§1.6) are checked as the data is entered, each message naming its rule (`RULES`: the same check
answers to a different rule number for each kind). A danger statement longer than the council's
limit is saved, but flagged (see `selectors.long_danger_statements`).

Every change is one transaction with one audit event (`model_update` keeps old and new values).
The plan's kind decides which clock events it records (`codes.PLAN_EVENTS`): a child in need plan
records `cin-plan-start`, `cin-plan-end` and `cin-review`, a child protection plan
`cp-plan-start` and `cp-plan-end` (its reviews are review conferences, which record `rcpc` from
`hearth.protection`), each under a source naming its record, so a corrected date is recorded
again under the same source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import Council, Team, User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.people.models import Person
from hearth.timescales import calendar as cal
from hearth.timescales import services as timescales
from hearth.timescales.rules import SubjectType

from .codes import (
    PLAN_EVENTS,
    REVIEWED_ELSEWHERE,
    ActionStatus,
    NeedKind,
    NeedStatus,
    PlanKind,
    ReviewDecision,
)
from .models import Plan, PlanAction, PlanNeed, PlanReview

DEFAULT_WORD_LIMIT = 60
CLOSED_EPISODE_REASON = "Case closed"
# Plans that belong to a child in need episode (the census reports them inside CINdetails).
EPISODE_KINDS = (PlanKind.CIN, PlanKind.CP)
KIND_NAMES: dict[str, str] = {
    PlanKind.CIN: "child in need plan",
    PlanKind.CP: "child protection plan",
}


# --- helpers -------------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.now().astimezone(cal.LONDON).date()


def word_count(text: str) -> int:
    return len((text or "").split())


def word_limit() -> int:
    """The council's limit on a danger statement's length, in words."""
    council = Council.objects.only("danger_statement_word_limit").first()
    return council.danger_statement_word_limit if council else DEFAULT_WORD_LIMIT


def is_long_danger_statement(need: PlanNeed, limit: int | None = None) -> bool:
    """A current risk whose danger statement is longer than the council's limit."""
    limit = word_limit() if limit is None else limit
    return need.kind == NeedKind.RISK and need.word_count > limit


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _check_version(
    instance: Plan | PlanNeed | PlanAction | PlanReview, expected: int | None
) -> None:
    if expected is not None and instance.version != expected:
        raise ConcurrentEditError(ConcurrentEditError.message)


def _record(plan: Plan, which: int, at: dt.date, source: str) -> None:
    """Tell the timescale engine, if the plan's kind has clock events (0 start, 1 end, 2 review)."""
    events = PLAN_EVENTS.get(plan.kind)
    if events is None:
        return
    timescales.record_event(
        subject_type=SubjectType.CHILD,
        subject_id=plan.person_id,
        name=events[which],
        at=at,
        source=source,
    )


def start_source(plan: Plan) -> str:
    return f"plans.plan:{plan.pk}"


def end_source(plan: Plan) -> str:
    return f"plans.plan:{plan.pk}:end"


def review_source(review: PlanReview) -> str:
    return f"plans.review:{review.pk}"


def _overlaps(
    start: dt.date, end: dt.date | None, other_start: dt.date, other_end: dt.date | None
) -> bool:
    """Whether two plans ran at the same time. One may start on the day the other ended."""
    return (other_end is None or start < other_end) and (end is None or other_start < end)


# --- the census rules on a plan's dates ----------------------------------------------------------

# The CIN census rule each check answers to, by kind of plan (statutory-returns.md §1.6). A check
# with no rule for a kind is still made; its message just names no rule.
RULES: dict[str, dict[str, str]] = {
    PlanKind.CIN: {
        "end_before_start": "4011",
        "start_after_death": "4008",
        "before_referral": "4015",
        "one_open": "4004",
        "overlap": "4014",
    },
    PlanKind.CP: {
        "end_before_start": "8925",
        "same_day": "8840",
        "start_after_death": "8915",
        "end_after_death": "8920",
        "before_referral": "1105",
        "one_open": "8935",
        "overlap": "8940",
    },
}


def _rule(kind: str, check: str) -> str:
    """ " (census rule 8840)", or "" when the kind has no rule for the check."""
    number = RULES.get(kind, {}).get(check)
    return f" (census rule {number})" if number else ""


def _held_review_conferences(**filters: Any) -> list[dt.date]:
    """Dates of held review conferences (`hearth.protection`, looked up by name: that app builds
    on this one)."""
    conference = apps.get_model("protection", "Conference")
    return sorted(
        conference.objects.filter(kind="review", status="held", **filters).values_list(
            "held_on", flat=True
        )
    )


def check_plan_dates(
    *,
    person: Person,
    kind: str,
    episode: ChildInNeedEpisode | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
    plan_pk: int | None = None,
) -> None:
    """Refuse dates the CIN census would reject (rule numbers in the messages), or that are in the
    future. Raises ValidationError keyed by field; returns None when the dates are acceptable."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    name = KIND_NAMES.get(kind, PlanKind(kind).label.lower())
    now = today()
    if start_date is None:
        raise ValidationError({"start_date": "Enter the date the plan started"})
    if start_date > now:
        refuse("start_date", "The plan's start date cannot be in the future")
    if end_date is not None:
        if end_date < start_date:
            refuse(
                "end_date",
                f"The plan cannot end before it started on {_d(start_date)}"
                f"{_rule(kind, 'end_before_start')}",
            )
        elif end_date == start_date and kind == PlanKind.CP:
            refuse(
                "end_date",
                f"A {name} cannot start and end on the same day ({_d(start_date)})"
                f"{_rule(kind, 'same_day')}",
            )
        if end_date > now:
            refuse("end_date", "The plan's end date cannot be in the future")
    death = person.date_of_death
    if death is not None and start_date > death:
        refuse(
            "start_date",
            f"The plan cannot start after {person.full_name}'s date of death, "
            f"{_d(death)}{_rule(kind, 'start_after_death')}",
        )
    if death is not None and end_date is not None and end_date > death and kind == PlanKind.CP:
        refuse(
            "end_date",
            f"The {name} cannot end after {person.full_name}'s date of death, "
            f"{_d(death)}{_rule(kind, 'end_after_death')}",
        )
    if kind in EPISODE_KINDS:
        if episode is None:
            refuse("episode", f"A {name} belongs to a child in need episode: choose the episode")
        elif episode.person_id != person.pk:
            refuse("episode", "That child in need episode is another child's")
        else:
            if episode.referral_nfa:
                refuse(
                    "episode",
                    f"The referral on {_d(episode.referral_date)} was closed with no further "
                    f"action, so it cannot have a {name} (census rules 4000 and 8831)",
                )
            if start_date < episode.referral_date:
                refuse(
                    "start_date",
                    f"The {name} cannot start before the referral date, "
                    f"{_d(episode.referral_date)}{_rule(kind, 'before_referral')}",
                )
            closed = episode.closure_date
            if closed is not None and start_date > closed:
                refuse(
                    "start_date",
                    f"The episode closed on {_d(closed)}: a {name} cannot start after the case "
                    "closed (census rule 8565)",
                )
            if closed is not None and end_date is not None and end_date > closed:
                refuse(
                    "end_date",
                    f"The episode closed on {_d(closed)}: the {name} must end by then "
                    "(census rule 8565)",
                )
    if kind == PlanKind.CP and plan_pk is not None:
        # A review conference is held after the plan started, and not after it ended (8841).
        reviews = _held_review_conferences(plan_id=plan_pk)
        early = [d for d in reviews if d <= start_date]
        late = [d for d in reviews if end_date is not None and d > end_date]
        if early:
            refuse(
                "start_date",
                f"A review conference of this plan was held on {_d(early[0])}: the plan must "
                "have started before it (census rule 8841)",
            )
        if late:
            refuse(
                "end_date",
                f"A review conference of this plan was held on {_d(late[-1])}, after that end "
                "date: check the dates",
            )
    if kind == PlanKind.CIN:
        # A child protection review conference is never held while a child in need plan is open
        # (4003). The plan may start on the day of the review that ended the protection plan.
        inside = [
            d
            for d in _held_review_conferences(person_id=person.pk, held_on__gt=start_date)
            if end_date is None or d < end_date
        ]
        if inside:
            refuse(
                "start_date",
                f"A child protection review conference was held on {_d(inside[0])}: a child in "
                "need plan cannot be open then (census rule 4003)",
            )
    if errors:
        raise ValidationError(errors)

    others = Plan.objects.filter(person=person)
    if plan_pk is not None:
        others = others.exclude(pk=plan_pk)
    same = [p for p in others.filter(kind=kind).order_by("start_date")]
    open_one = next((p for p in same if p.end_date is None), None)
    if end_date is None and open_one is not None:
        refuse(
            "start_date",
            f"{person.full_name} already has an open {name}, from "
            f"{_d(open_one.start_date)}: end it first{_rule(kind, 'one_open')}",
        )
    else:
        for other in same:
            if _overlaps(start_date, end_date, other.start_date, other.end_date):
                until = f"to {_d(other.end_date)}" if other.end_date else "and still open"
                refuse(
                    "start_date",
                    f"These dates overlap {person.full_name}'s earlier {name}, from "
                    f"{_d(other.start_date)} {until}{_rule(kind, 'overlap')}",
                )
                break
    # A child in need plan and a child protection plan may not be open at the same time; a child
    # in need plan may start on the day the child protection plan ended (4001, 4016, 4017).
    rival_kind = {PlanKind.CIN: PlanKind.CP, PlanKind.CP: PlanKind.CIN}.get(PlanKind(kind))
    if rival_kind is not None:
        for other in others.filter(kind=rival_kind).order_by("start_date"):
            if _overlaps(start_date, end_date, other.start_date, other.end_date):
                until = f"to {_d(other.end_date)}" if other.end_date else "and is still open"
                rival = KIND_NAMES[rival_kind]
                refuse(
                    "start_date",
                    f"{person.full_name}'s {rival} ran from {_d(other.start_date)} {until}: "
                    f"a child in need plan and a child protection plan cannot be open at the "
                    f"same time; a child in need plan may start on the day the child "
                    f"protection plan ends (census rules 4001, 4016 and 4017)",
                )
                break
    if errors:
        raise ValidationError(errors)


# --- plans ---------------------------------------------------------------------------------------


@transaction.atomic
def plan_start(
    *,
    actor: User | None,
    person: Person,
    start_date: dt.date,
    kind: str = PlanKind.CIN,
    episode: ChildInNeedEpisode | None = None,
    contingency: str = "",
    worker: User | None = None,
    team: Team | None = None,
) -> Plan:
    """Start a plan for the child. With no worker given, the child's lead social worker (and
    their team) holds it."""
    if kind not in PlanKind.values:
        raise ValidationError({"kind": "Choose the kind of plan"})
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one start at a time
    check_plan_dates(
        person=person, kind=kind, episode=episode, start_date=start_date, end_date=None
    )
    if worker is None:
        from hearth.workforce.selectors import current_lead

        lead = current_lead(person)
        if lead is not None:
            worker, team = lead.worker, team or lead.team
    plan = Plan.objects.create(
        kind=kind,
        person=person,
        episode=episode,
        start_date=start_date,
        contingency=(contingency or "").strip(),
        worker=worker,
        team=team,
        created_by=actor if actor is not None and actor.pk else None,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=plan,
        person_id=person.pk,
        changes={
            name: [None, value]
            for name, value in audit.snapshot(
                plan, ["kind", "episode", "start_date", "contingency", "worker", "team"]
            ).items()
        },
    )
    _record(plan, 0, start_date, start_source(plan))
    return plan


PLAN_FIELDS = ("start_date", "end_date", "end_reason", "contingency", "worker", "team")


@transaction.atomic
def plan_update(
    *,
    actor: User | None,
    plan: Plan,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Plan:
    """Change a plan: its contingency plan, worker and team, or correct its dates (an end date
    only on an ended plan: `plan_end` ends one). Corrected dates are recorded again."""
    plan = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("person", "episode")
        .get(pk=plan.pk)
    )
    _check_version(plan, expected_version)
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}")
    if "end_date" in data and plan.end_date is None and data["end_date"] is not None:
        raise ValidationError({"end_date": "End the plan with 'End the plan', giving a reason"})
    if "end_date" in data and plan.end_date is not None and data["end_date"] is None:
        raise ValidationError({"end_date": "Enter the date the plan ended"})
    if "end_reason" in data and plan.end_date is not None and not str(data["end_reason"]).strip():
        raise ValidationError({"end_reason": "Enter why the plan ended"})
    start = data.get("start_date", plan.start_date)
    end = data.get("end_date", plan.end_date)
    if start != plan.start_date or end != plan.end_date:
        check_plan_dates(
            person=plan.person,
            kind=plan.kind,
            episode=plan.episode,
            start_date=start,
            end_date=end,
            plan_pk=plan.pk,
        )
        if plan.reviews.filter(held_on__lt=start).exists():
            raise ValidationError(
                {"start_date": "A review of this plan was held before that date: check the dates"}
            )
    old_start, old_end = plan.start_date, plan.end_date
    cleaned: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    plan = model_update(actor=actor, instance=plan, data=cleaned, person_id=plan.person_id)
    if plan.start_date != old_start:
        _record(plan, 0, plan.start_date, start_source(plan))
    if plan.end_date is not None and plan.end_date != old_end:
        _record(plan, 1, plan.end_date, end_source(plan))
    return plan


def _end(actor: User | None, plan: Plan, end_date: dt.date, reason: str) -> Plan:
    plan = model_update(
        actor=actor,
        instance=plan,
        data={"end_date": end_date, "end_reason": reason.strip()},
        person_id=plan.person_id,
        detail="Plan ended",
    )
    _record(plan, 1, end_date, end_source(plan))
    return plan


@transaction.atomic
def plan_end(
    *,
    actor: User | None,
    plan: Plan,
    end_date: dt.date,
    reason: str,
    expected_version: int | None = None,
) -> Plan:
    """End an open plan on a date, with the reason (stepped down, closed, a child protection plan
    started…)."""
    plan = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("person", "episode")
        .get(pk=plan.pk)
    )
    _check_version(plan, expected_version)
    if plan.end_date is not None:
        raise ValidationError(f"This plan already ended, on {_d(plan.end_date)}")
    if not (reason or "").strip():
        raise ValidationError({"end_reason": "Enter why the plan is ending"})
    if end_date is None:
        raise ValidationError({"end_date": "Enter the date the plan ended"})
    try:
        check_plan_dates(
            person=plan.person,
            kind=plan.kind,
            episode=plan.episode,
            start_date=plan.start_date,
            end_date=end_date,
            plan_pk=plan.pk,
        )
    except ValidationError as exc:
        # Only the end date is new: report every problem against it.
        raise ValidationError({"end_date": exc.messages}) from None
    if plan.reviews.filter(held_on__gt=end_date).exists():
        raise ValidationError(
            {"end_date": "A review of this plan was held after that date: check the dates"}
        )
    return _end(actor, plan, end_date, reason)


@transaction.atomic
def plans_end_for_closed_episode(
    *, actor: User | None, episode: ChildInNeedEpisode, on: dt.date
) -> int:
    """End every open plan of a closing episode on its closure date ("Case closed"); the count.
    The episode-closure service calls this in its own transaction. A plan that started after
    the closure date is refused (census rule 8565), so the closure is too."""
    ended = 0
    plans = Plan.objects.select_for_update().filter(episode=episode, end_date__isnull=True)
    for plan in plans.order_by("pk"):
        if plan.start_date > on:
            raise ValidationError(
                {
                    "closure_date": f"The {plan.get_kind_display().lower()} started on "
                    f"{_d(plan.start_date)}, after that closure date: nothing may be dated after "
                    "the case closed (census rule 8565)"
                }
            )
        if plan.kind == PlanKind.CP and plan.start_date == on:
            raise ValidationError(
                {
                    "closure_date": f"The child protection plan started on {_d(on)}: it cannot "
                    f"end on the day it started{_rule(plan.kind, 'same_day')}, so the case "
                    "cannot close that day"
                }
            )
        _end(actor, plan, on, CLOSED_EPISODE_REASON)
        ended += 1
    return ended


# --- needs and risks -----------------------------------------------------------------------------


def _need_errors(kind: str, statement: str, safety_goal: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in NeedKind.values:
        errors["kind"] = "Choose whether this is a need or a risk"
    if not statement.strip():
        errors["statement"] = (
            "Enter the danger statement: what we are worried will happen to the child"
            if kind == NeedKind.RISK
            else "Enter the need"
        )
    if kind == NeedKind.RISK and not safety_goal.strip():
        errors["safety_goal"] = (
            "Enter the safety goal: what the child's life will look like when they are safe"
        )
    return errors


def _open_plan(plan: Plan, what: str) -> None:
    if plan.end_date is not None:
        raise ValidationError(f"This plan ended on {_d(plan.end_date)}: {what}")


@transaction.atomic
def plan_need_add(
    *,
    actor: User | None,
    plan: Plan,
    kind: str,
    statement: str,
    safety_goal: str = "",
    order: int | None = None,
) -> PlanNeed:
    """Add a need, or a risk (a danger statement with its safety goal). A danger statement longer
    than the council's limit is saved and flagged for the manager."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _open_plan(plan, "needs and risks can no longer be added")
    statement, safety_goal = (statement or "").strip(), (safety_goal or "").strip()
    errors = _need_errors(kind, statement, safety_goal)
    if errors:
        raise ValidationError(errors)
    if order is None:
        order = plan.needs.count() + 1
    need = PlanNeed.objects.create(
        plan=plan,
        kind=kind,
        statement=statement,
        safety_goal=safety_goal,
        order=order,
        word_count=word_count(statement),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=need,
        person_id=plan.person_id,
        changes={
            name: [None, value]
            for name, value in audit.snapshot(
                need, ["plan", "kind", "statement", "safety_goal", "order"]
            ).items()
        },
    )
    return need


NEED_FIELDS = ("kind", "statement", "safety_goal", "status", "order")


@transaction.atomic
def plan_need_update(
    *,
    actor: User | None,
    need: PlanNeed,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> PlanNeed:
    """Change a need or risk (or mark it resolved); the previous wording stays in the audit log."""
    need = PlanNeed.objects.select_for_update().select_related("plan").get(pk=need.pk)
    _check_version(need, expected_version)
    unknown = set(data) - set(NEED_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    kind = cleaned.get("kind", need.kind)
    errors = _need_errors(
        kind, cleaned.get("statement", need.statement), cleaned.get("safety_goal", need.safety_goal)
    )
    if "status" in cleaned and cleaned["status"] not in NeedStatus.values:
        errors["status"] = "Choose whether it is current or resolved"
    if errors:
        raise ValidationError(errors)
    if "statement" in cleaned:
        cleaned["word_count"] = word_count(cleaned["statement"])
    return model_update(actor=actor, instance=need, data=cleaned, person_id=need.plan.person_id)


# --- actions -------------------------------------------------------------------------------------


def _need_ids(needs: Iterable[PlanNeed | int]) -> list[int]:
    return sorted({n if isinstance(n, int) else n.pk for n in needs})


def _action_errors(
    plan: Plan,
    *,
    description: str,
    need_ids: list[int],
    owner_user: User | None,
    owner_agency: str,
    due_date: dt.date | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = "Enter what will be done"
    if not need_ids:
        errors["needs"] = (
            "Link the action to at least one of the plan's needs or risks: say which it addresses"
        )
    else:
        own = set(plan.needs.filter(pk__in=need_ids).values_list("pk", flat=True))
        if own != set(need_ids):
            errors["needs"] = "An action can only be linked to this plan's own needs and risks"
    if owner_user is None and not owner_agency.strip():
        errors["owner"] = "Say who will do it: a person or an agency"
    elif owner_user is not None and owner_agency.strip():
        errors["owner"] = "Give one owner: a person or an agency, not both"
    if due_date is None:
        errors["due_date"] = "Enter the date the action is due by"
    elif due_date < plan.start_date:
        errors["due_date"] = (
            f"An action cannot be due before the plan started, on {_d(plan.start_date)}"
        )
    return errors


@transaction.atomic
def plan_action_add(
    *,
    actor: User | None,
    plan: Plan,
    description: str,
    needs: Iterable[PlanNeed | int],
    due_date: dt.date | None,
    owner_user: User | None = None,
    owner_agency: str = "",
    progress: str = "",
) -> PlanAction:
    """Add an action: linked to at least one of the plan's needs or risks, with one owner (a
    person or an agency) and a due date; otherwise refused."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _open_plan(plan, "actions can no longer be added")
    need_ids = _need_ids(needs)
    description, owner_agency = (description or "").strip(), (owner_agency or "").strip()
    errors = _action_errors(
        plan,
        description=description,
        need_ids=need_ids,
        owner_user=owner_user,
        owner_agency=owner_agency,
        due_date=due_date,
    )
    if errors:
        raise ValidationError(errors)
    assert due_date is not None
    action = PlanAction.objects.create(
        plan=plan,
        description=description,
        owner_user=owner_user,
        owner_agency=owner_agency,
        due_date=due_date,
        progress=(progress or "").strip(),
    )
    action.needs.set(need_ids)
    changes = {
        name: [None, value]
        for name, value in audit.snapshot(
            action, ["plan", "description", "owner_user", "owner_agency", "due_date"]
        ).items()
    }
    changes["needs"] = [None, need_ids]
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=action,
        person_id=plan.person_id,
        changes=changes,
    )
    return action


ACTION_FIELDS = ("description", "needs", "owner_user", "owner_agency", "due_date", "progress")


@transaction.atomic
def plan_action_update(
    *,
    actor: User | None,
    action: PlanAction,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> PlanAction:
    """Change an action: what, the needs and risks it addresses, its owner, due date, progress.
    The same rules as adding one; previous values stay in the audit log."""
    action = PlanAction.objects.select_for_update().select_related("plan").get(pk=action.pk)
    _check_version(action, expected_version)
    unknown = set(data) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    old_ids = sorted(action.needs.values_list("pk", flat=True))
    need_ids = _need_ids(cleaned.pop("needs")) if "needs" in cleaned else old_ids
    if "owner_user" in cleaned and cleaned["owner_user"] is not None:
        cleaned.setdefault("owner_agency", "")
    if cleaned.get("owner_agency"):
        cleaned.setdefault("owner_user", None)
    errors = _action_errors(
        action.plan,
        description=cleaned.get("description", action.description),
        need_ids=need_ids,
        owner_user=cleaned.get("owner_user", action.owner_user),
        owner_agency=cleaned.get("owner_agency", action.owner_agency),
        due_date=cleaned.get("due_date", action.due_date),
    )
    if errors:
        raise ValidationError(errors)
    related = {"needs": [old_ids, need_ids]} if need_ids != old_ids else None
    if related:
        action.needs.set(need_ids)  # model_update audits the links with the fields
    return model_update(
        actor=actor,
        instance=action,
        data=cleaned,
        person_id=action.plan.person_id,
        related_changes=related,
    )


@transaction.atomic
def plan_action_status_set(
    *,
    actor: User | None,
    action: PlanAction,
    status: str,
    completed_on: dt.date | None = None,
    progress: str | None = None,
    expected_version: int | None = None,
) -> PlanAction:
    """Set an action's status. Done needs the date it was done (not in the future, not before the
    plan started); any other status clears that date."""
    action = PlanAction.objects.select_for_update().select_related("plan").get(pk=action.pk)
    _check_version(action, expected_version)
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose the action's status"})
    if status == ActionStatus.DONE:
        if completed_on is None:
            raise ValidationError({"completed_on": "Enter the date the action was done"})
        if completed_on > today():
            raise ValidationError({"completed_on": "The date it was done cannot be in the future"})
        if completed_on < action.plan.start_date:
            raise ValidationError(
                {
                    "completed_on": "The date it was done cannot be before the plan started, on "
                    f"{_d(action.plan.start_date)}"
                }
            )
    else:
        completed_on = None
    data: dict[str, Any] = {"status": status, "completed_on": completed_on}
    if progress is not None:
        data["progress"] = progress.strip()
    return model_update(actor=actor, instance=action, data=data, person_id=action.plan.person_id)


# --- reviews -------------------------------------------------------------------------------------


REVIEW_FIELDS = ("held_on", "attendees", "child_views", "progress_summary", "decision")


def _review_errors(plan: Plan, held_on: dt.date | None, decision: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "Enter the date the review was held"
    elif held_on > today():
        errors["held_on"] = "The date of the review cannot be in the future"
    elif held_on < plan.start_date:
        errors["held_on"] = (
            f"A review cannot be held before the plan started, on {_d(plan.start_date)} "
            "(census rule 8841)"
        )
    elif plan.end_date is not None and held_on > plan.end_date:
        errors["held_on"] = f"The plan ended on {_d(plan.end_date)}: a review cannot be after it"
    if decision not in ReviewDecision.values:
        errors["decision"] = "Choose what the review decided"
    return errors


@transaction.atomic
def plan_review_record(
    *,
    actor: User | None,
    plan: Plan,
    held_on: dt.date | None,
    decision: str,
    attendees: str = "",
    child_views: str = "",
    progress_summary: str = "",
) -> PlanReview:
    """Record a review of the plan; for a child in need plan it meets the `cin-review` clock. A
    child protection plan is reviewed at a review conference (`hearth.protection`), not here."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.kind in REVIEWED_ELSEWHERE:
        raise ValidationError(REVIEWED_ELSEWHERE[plan.kind])
    errors = _review_errors(plan, held_on, decision)
    if not (progress_summary or "").strip():
        errors["progress_summary"] = "Enter what progress the review found against the plan"
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    review = PlanReview.objects.create(
        plan=plan,
        held_on=held_on,
        attendees=(attendees or "").strip(),
        child_views=(child_views or "").strip(),
        progress_summary=progress_summary.strip(),
        decision=decision,
        recorded_by=actor if actor is not None and actor.pk else None,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=review,
        person_id=plan.person_id,
        changes={
            name: [None, value]
            for name, value in audit.snapshot(review, ["plan", *REVIEW_FIELDS]).items()
        },
    )
    _record(plan, 2, held_on, review_source(review))
    return review


@transaction.atomic
def plan_review_update(
    *,
    actor: User | None,
    review: PlanReview,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> PlanReview:
    """Correct a review; a corrected date is recorded again under the same source."""
    review = PlanReview.objects.select_for_update().select_related("plan").get(pk=review.pk)
    _check_version(review, expected_version)
    unknown = set(data) - set(REVIEW_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    errors = _review_errors(
        review.plan,
        cleaned.get("held_on", review.held_on),
        cleaned.get("decision", review.decision),
    )
    if "progress_summary" in cleaned and not cleaned["progress_summary"]:
        errors["progress_summary"] = "Enter what progress the review found against the plan"
    if errors:
        raise ValidationError(errors)
    old = review.held_on
    review = model_update(
        actor=actor, instance=review, data=cleaned, person_id=review.plan.person_id
    )
    if review.held_on != old:
        _record(review.plan, 2, review.held_on, review_source(review))
    return review
