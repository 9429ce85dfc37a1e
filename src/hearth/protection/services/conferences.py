"""Writes for child protection conferences and the child protection plans they start, review and
end.

A conference is booked (its kind, date, chair and invited agencies), then rebooked, cancelled
with a reason, or recorded as held by a conference chair or IRO: attendance, participation, the
views of the parents and the child, the decision with its categories of abuse, the chair's
rationale and any dissent. The CIN census rules on conferences and plans (statutory-returns.md
§1.6) are checked as the data is entered, each message naming its rule.

A held initial, pre-birth or transfer-in conference records `icpc` (which meets the 15-working-day
clock) and concludes its section 47 enquiry; deciding a plan ends any open child in need plan that
day and starts the child protection plan on the conference date (`plans.services.plan_start`,
census rule 2885) with its `ProtectionPlan`. A held review conference records `rcpc`, keeps the
latest category of abuse, and may end the plan (`plans.services.plan_end`).

Core groups are in `core_groups.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from hearth.core import audit
from hearth.core.choices import AuditAction, RoleCode
from hearth.core.models import User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.people.models import Person
from hearth.plans import services as plan_services
from hearth.plans.codes import PlanKind
from hearth.plans.models import Plan
from hearth.timescales import calendar as cal
from hearth.timescales import services as timescales
from hearth.timescales.rules import SubjectType
from hearth.workforce.codes import CaseRole, ChangeReason
from hearth.workforce.models import Allocation
from hearth.workforce.services import allocate

from .. import policies
from ..codes import (
    INITIAL_KINDS,
    Agency,
    CategoryOfAbuse,
    ChildParticipation,
    ConferenceDecision,
    ConferenceKind,
    ConferenceStatus,
    ParentParticipation,
)
from ..models import Conference, ConferenceAgency, ProtectionPlan, Section47Enquiry

CHAIR_ROLES = (RoleCode.CONFERENCE_CHAIR, RoleCode.IRO)
MIN_RATIONALE_WORDS = 10
CIN_PLAN_ENDED_REASON = "Child protection plan started"
MAX_TEXT = 20_000
Rows = Sequence[Mapping[str, Any]]


# --- helpers -------------------------------------------------------------------------------------


def today() -> dt.date:
    return plan_services.today()


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def clock_source(conference: Conference | int) -> str:
    pk = conference if isinstance(conference, int) else conference.pk
    return f"protection.conference:{pk}"


def _check_version(instance: Conference, expected: int | None) -> None:
    if expected is not None and instance.version != expected:
        raise ConcurrentEditError(ConcurrentEditError.message)


def is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def under_four(person: Person, on: dt.date) -> bool | None:
    """Whether the child was under 4 on the day (an unborn child is); None when not known."""
    if person.date_of_birth is None:
        return True if person.is_unborn else None
    return on < cal.add_years(person.date_of_birth, 4)


def may_chair_conferences(user: User) -> bool:
    return user.is_active and user.has_role(*CHAIR_ROLES)


def _rekey(exc: ValidationError, field: str) -> ValidationError:
    """A plan service's refusal, every message under one of this form's fields."""
    return ValidationError({field: exc.messages})


def _agency_rows(rows: Rows, field: str = "agencies") -> list[tuple[str, str]]:
    """Invited agencies as (agency, name); raises ValidationError for an unknown agency."""
    cleaned = []
    for row in rows:
        agency = str(row.get("agency") or "")
        if agency not in Agency.values:
            raise ValidationError({field: "Choose each agency from the list"})
        cleaned.append((agency, str(row.get("name") or "").strip()[:200]))
    return cleaned


def _give_chair_role(actor: User, person: Person, chair: User) -> Allocation | None:
    """The chair holds a conference chair role on the child's case (so they may raise an
    escalation about the child); given today unless they hold one already."""
    holds = Allocation.objects.filter(
        person=person, worker=chair, role=CaseRole.CONFERENCE_CHAIR, end_date__isnull=True
    ).exists()
    if holds:
        return None
    return allocate(
        actor=actor,
        people=[person],
        worker=chair,
        role=CaseRole.CONFERENCE_CHAIR,
        start_date=today(),
        reason=ChangeReason.OTHERS,
        note="Chairs the child's child protection conferences",
    )[0]


def _open_cp_plan(person: Person | int) -> Plan | None:
    person_id = person if isinstance(person, int) else person.pk
    return Plan.objects.filter(person_id=person_id, kind=PlanKind.CP, end_date__isnull=True).first()


# --- booking -------------------------------------------------------------------------------------


def _schedule_errors(
    *,
    person: Person,
    episode: Any,
    kind: str,
    scheduled_on: dt.date | None,
    section_47: Section47Enquiry | None,
    plan: Plan | None,
) -> dict[str, list[str]]:
    """What is wrong with the date a conference is booked for."""
    errors: dict[str, list[str]] = {}
    if scheduled_on is None:
        return {"scheduled_on": ["Enter the date the conference is booked for"]}
    initial = kind in INITIAL_KINDS
    if initial and is_weekend(scheduled_on):
        errors.setdefault("scheduled_on", []).append(
            f"{_d(scheduled_on)} is a {scheduled_on:%A}: an initial conference is held on a "
            "weekday (census rule 8875)"
        )
    if scheduled_on < episode.referral_date:
        errors.setdefault("scheduled_on", []).append(
            f"The conference cannot be before the referral date, {_d(episode.referral_date)}"
            + (" (census rule 1104)" if initial else "")
        )
    if section_47 is not None and scheduled_on < section_47.start_date:
        errors.setdefault("scheduled_on", []).append(
            f"The section 47 enquiry started on {_d(section_47.start_date)}: its conference "
            "cannot be before then (census rule 8615)"
        )
    if plan is not None and scheduled_on <= plan.start_date:
        errors.setdefault("scheduled_on", []).append(
            f"The plan started on {_d(plan.start_date)}: its review conference must be after "
            "that day (census rule 8841)"
        )
    if person.date_of_death is not None and scheduled_on > person.date_of_death:
        errors.setdefault("scheduled_on", []).append(
            f"The conference cannot be after {person.full_name}'s date of death, "
            f"{_d(person.date_of_death)}"
        )
    return errors


def _check_chair(chair: User | None) -> dict[str, list[str]]:
    if chair is None:
        return {"chair": ["Choose who will chair the conference"]}
    if not may_chair_conferences(chair):
        return {
            "chair": [
                f"{chair.full_name} cannot chair a conference: choose a conference chair or an "
                "independent reviewing officer"
            ]
        }
    return {}


@transaction.atomic
def conference_book(
    *,
    actor: User,
    person: Person,
    episode: Any,
    kind: str,
    scheduled_on: dt.date | None,
    chair: User | None,
    section_47: Section47Enquiry | None = None,
    plan: Plan | None = None,
    agencies: Rows = (),
) -> Conference:
    """Book a conference for the child in an episode: an initial one from a section 47 enquiry
    (the child's, in that episode, not concluded), a review of the child's open child protection
    plan, a transfer-in (no enquiry) or a pre-birth one (an unborn child). The chair (a conference
    chair or IRO) is given a conference chair role on the child's case if they hold none."""
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one booking at a time
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if kind not in ConferenceKind.values:
        raise ValidationError({"kind": "Choose the kind of conference"})
    if episode is None or episode.person_id != person.pk:
        raise ValidationError({"episode": "Choose one of the child's child in need episodes"})
    if episode.referral_nfa:
        refuse(
            "episode",
            f"The referral on {_d(episode.referral_date)} was closed with no further action, so "
            "it cannot have a conference (census rules 8831 and 8832)",
        )
    if episode.closure_date is not None:
        refuse(
            "episode",
            f"The episode closed on {_d(episode.closure_date)}: nothing can be booked after the "
            "case closed (census rule 8565)",
        )
    open_plan = _open_cp_plan(person)
    if kind in INITIAL_KINDS:
        if plan is not None:
            refuse("plan", "Only a review conference belongs to an existing plan")
        if open_plan is not None:
            refuse(
                "kind",
                f"{person.full_name} already has an open child protection plan, from "
                f"{_d(open_plan.start_date)}: book a review conference (census rule 8935)",
            )
    if kind == ConferenceKind.INITIAL:
        if person.is_unborn:
            refuse("kind", f"{person.full_name} is not born yet: book a pre-birth conference")
        if section_47 is None:
            refuse(
                "section_47",
                "An initial conference follows a section 47 enquiry: book it from the enquiry",
            )
    if kind == ConferenceKind.PRE_BIRTH and not person.is_unborn:
        refuse(
            "kind",
            f"A pre-birth conference is for an unborn child: {person.full_name} is born, so "
            "book an initial conference",
        )
    if kind in (ConferenceKind.TRANSFER_IN, ConferenceKind.REVIEW) and section_47 is not None:
        refuse(
            "section_47",
            "Only an initial or pre-birth conference follows a section 47 enquiry here",
        )
    if section_47 is not None:
        if section_47.person_id != person.pk:
            refuse("section_47", "That section 47 enquiry is another child's")
        elif section_47.episode_id != episode.pk:
            refuse("section_47", "That section 47 enquiry belongs to another episode")
        elif section_47.concluded_on is not None:
            refuse(
                "section_47",
                f"That section 47 enquiry was concluded on {_d(section_47.concluded_on)}: it "
                "cannot have another conference",
            )
        else:
            booked = Conference.objects.filter(
                section_47=section_47, status=ConferenceStatus.BOOKED
            ).first()
            if booked is not None:
                refuse(
                    "section_47",
                    f"A conference for this enquiry is already booked for "
                    f"{_d(booked.scheduled_on)}: rebook or cancel that one",
                )
    if kind == ConferenceKind.REVIEW:
        plan = plan or open_plan
        if plan is None or plan.kind != PlanKind.CP or plan.person_id != person.pk:
            refuse(
                "plan",
                f"A review conference reviews the child's open child protection plan, and "
                f"{person.full_name} has none",
            )
            plan = None
        elif plan.end_date is not None:
            refuse("plan", f"That child protection plan ended on {_d(plan.end_date)}")
            plan = None
        elif plan.episode_id is not None and plan.episode_id != episode.pk:
            refuse("episode", "The child protection plan belongs to another episode: choose it")
            plan = None
        else:
            booked = Conference.objects.filter(
                plan=plan, kind=ConferenceKind.REVIEW, status=ConferenceStatus.BOOKED
            ).first()
            if booked is not None:
                refuse(
                    "plan",
                    f"A review conference is already booked for {_d(booked.scheduled_on)}: "
                    "rebook or cancel that one",
                )
    for field, messages in _check_chair(chair).items():
        for message in messages:
            refuse(field, message)
    for field, messages in _schedule_errors(
        person=person,
        episode=episode,
        kind=kind,
        scheduled_on=scheduled_on,
        section_47=section_47,
        plan=plan if kind == ConferenceKind.REVIEW else None,
    ).items():
        for message in messages:
            refuse(field, message)
    invited = _agency_rows(agencies)
    if errors:
        raise ValidationError(errors)
    assert chair is not None and scheduled_on is not None
    conference = Conference.objects.create(
        person=person,
        episode=episode,
        kind=kind,
        section_47=section_47,
        plan=plan if kind == ConferenceKind.REVIEW else None,
        scheduled_on=scheduled_on,
        chair=chair,
        booked_by=actor if actor.pk else None,
    )
    ConferenceAgency.objects.bulk_create(
        [ConferenceAgency(conference=conference, agency=a, name=n) for a, n in invited]
    )
    changes = {
        name: [None, value]
        for name, value in audit.snapshot(
            conference, ["kind", "episode", "section_47", "plan", "scheduled_on", "chair"]
        ).items()
        if value is not None
    }
    changes["agencies"] = [None, [f"{a}: {n}" if n else a for a, n in invited]]
    audit.record(
        actor=actor, action=AuditAction.CREATE, obj=conference, person_id=person.pk, changes=changes
    )
    _give_chair_role(actor, person, chair)
    return conference


def _locked(conference: Conference) -> Conference:
    return (
        Conference.objects.select_for_update(of=("self",))
        .select_related("person", "episode", "section_47", "plan", "chair")
        .get(pk=conference.pk)
    )


def _still_booked(conference: Conference) -> None:
    if conference.status == ConferenceStatus.HELD:
        raise ValidationError(f"This conference was held on {_d(conference.held_on)}")  # type: ignore[arg-type]
    if conference.status == ConferenceStatus.CANCELLED:
        raise ValidationError("This conference was cancelled")


@transaction.atomic
def conference_rebook(
    *,
    actor: User,
    conference: Conference,
    scheduled_on: dt.date | None = None,
    chair: User | None = None,
    add_agencies: Rows = (),
    expected_version: int | None = None,
) -> Conference:
    """Move a booked conference to another date, give it another chair, or invite more agencies.
    Invitations are never taken back: the record shows who did not attend."""
    conference = _locked(conference)
    _check_version(conference, expected_version)
    _still_booked(conference)
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if scheduled_on is not None and scheduled_on != conference.scheduled_on:
        errors.update(
            _schedule_errors(
                person=conference.person,
                episode=conference.episode,
                kind=conference.kind,
                scheduled_on=scheduled_on,
                section_47=conference.section_47,
                plan=conference.plan if conference.kind == ConferenceKind.REVIEW else None,
            )
        )
        data["scheduled_on"] = scheduled_on
    if chair is not None and chair.pk != conference.chair_id:
        errors.update(_check_chair(chair))
        data["chair"] = chair
    invited = _agency_rows(add_agencies)
    if errors:
        raise ValidationError(errors)
    related = None
    if invited:
        ConferenceAgency.objects.bulk_create(
            [ConferenceAgency(conference=conference, agency=a, name=n) for a, n in invited]
        )
        related = {"agencies": [None, [f"{a}: {n}" if n else a for a, n in invited]]}
    if not data and not related:
        return conference
    if not data:
        # Only invitations: the conference row is unchanged, but its version moves on.
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=conference,
            person_id=conference.person_id,
            changes=related,
            detail="Agencies invited",
        )
        Conference.objects.filter(pk=conference.pk).update(version=conference.version + 1)
        conference.refresh_from_db()
        return conference
    conference = model_update(
        actor=actor,
        instance=conference,
        data=data,
        person_id=conference.person_id,
        related_changes=related,
        detail="Conference rebooked",
    )
    if "chair" in data:
        _give_chair_role(actor, conference.person, data["chair"])
    return conference


@transaction.atomic
def conference_cancel(
    *,
    actor: User,
    conference: Conference,
    reason: str,
    expected_version: int | None = None,
) -> Conference:
    """Cancel a booked conference, saying why (nothing is deleted)."""
    conference = _locked(conference)
    _check_version(conference, expected_version)
    _still_booked(conference)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the conference is cancelled"})
    return model_update(
        actor=actor,
        instance=conference,
        data={"status": ConferenceStatus.CANCELLED, "cancelled_reason": reason},
        person_id=conference.person_id,
        detail="Conference cancelled",
    )


# --- holding -------------------------------------------------------------------------------------


def _attendance(
    conference: Conference, rows: Rows, errors: dict[str, list[str]]
) -> tuple[dict[int, tuple[bool, bool | None]], list[tuple[str, str, bool, bool | None]]]:
    """Attendance for each invited agency (by row id) and the agencies that came uninvited."""
    invited = {a.pk: a for a in conference.agencies.all()}
    marked: dict[int, tuple[bool, bool | None]] = {}
    extra: list[tuple[str, str, bool, bool | None]] = []
    for row in rows:
        attended = row.get("attended")
        report = row.get("report_on_time")
        if attended not in (True, False):
            errors.setdefault("agencies", []).append("Say whether each invited agency attended")
            continue
        if report not in (True, False, None):
            errors.setdefault("agencies", []).append(
                "Say whether each agency's report came on time, or that none was asked for"
            )
            continue
        row_id = row.get("id")
        if row_id is not None:
            if row_id not in invited:
                errors.setdefault("agencies", []).append(
                    f"Agency {row_id} was not invited to this conference"
                )
                continue
            marked[row_id] = (attended, report)
        else:
            agency = str(row.get("agency") or "")
            if agency not in Agency.values:
                errors.setdefault("agencies", []).append("Choose each agency from the list")
                continue
            extra.append((agency, str(row.get("name") or "").strip()[:200], attended, report))
    missing = [a for pk, a in invited.items() if pk not in marked]
    if missing:
        errors.setdefault("agencies", []).append(
            "Say whether each invited agency attended: "
            + ", ".join(a.get_agency_display() for a in missing)
        )
    return marked, extra


def quorate(attended_agencies: Sequence[str]) -> bool:
    """Children's social care and at least two other agencies attended (Working Together)."""
    present = set(attended_agencies)
    return Agency.SOCIAL_CARE in present and len(present - {Agency.SOCIAL_CARE}) >= 2


def _one_initial_conference(conference: Conference, held_on: dt.date) -> str | None:
    """Census rule 2884: an enquiry has one initial conference, and a conference is recorded with
    its enquiry (Section47 DateOfInitialCPC) or without one (CINdetails DateOfInitialCPC), not
    both; an episode holds one initial conference without an enquiry."""
    held_initial = Conference.objects.filter(
        person_id=conference.person_id, status=ConferenceStatus.HELD, kind__in=INITIAL_KINDS
    ).exclude(pk=conference.pk)
    if conference.section_47_id is not None:
        same = held_initial.filter(section_47=conference.section_47_id).first()
        if same is not None:
            return (
                f"This enquiry's initial conference was already held, on {_d(same.date)}: an "
                "enquiry has one (census rule 2884)"
            )
        both = held_initial.filter(section_47__isnull=True, held_on=held_on).first()
    else:
        both = held_initial.filter(section_47__isnull=False, held_on=held_on).first()
        earlier = held_initial.filter(
            episode=conference.episode_id, section_47__isnull=True
        ).first()
        if earlier is not None:
            return (
                f"This episode already recorded an initial conference without an enquiry, on "
                f"{_d(earlier.date)}: the census holds one for each episode"
            )
    if both is not None:
        return (
            f"An initial conference on {_d(held_on)} is already recorded "
            + ("without an enquiry" if conference.section_47_id else "with its enquiry")
            + ": record it once, with its enquiry or without one, not both (census rule 2884)"
        )
    return None


@transaction.atomic
def conference_record(
    *,
    actor: User,
    conference: Conference,
    held_on: dt.date | None,
    agencies: Rows,
    parent_participation: str,
    parents_views: str = "",
    child_participation: str,
    child_views: str = "",
    decision: str,
    initial_category: str = "",
    latest_category: str = "",
    chair_rationale: str,
    dissent: str = "",
    expected_version: int | None = None,
) -> Conference:
    """Record a booked conference as held (a conference chair or IRO only). `agencies` gives
    each invited agency's attendance (`{"id", "attended", "report_on_time"}`) and any that came
    uninvited (`{"agency", "name", "attended", "report_on_time"}`)."""
    if not policies.may_chair(actor):
        raise PermissionDenied("Only a conference chair or IRO records a conference as held")
    conference = _locked(conference)
    _check_version(conference, expected_version)
    _still_booked(conference)
    person, episode, enquiry = conference.person, conference.episode, conference.section_47
    initial = conference.kind in INITIAL_KINDS
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    # The date, and the census rules on it.
    now = today()
    if held_on is None:
        refuse("held_on", "Enter the date the conference was held")
    elif held_on > now:
        refuse("held_on", "The conference cannot be recorded as held before it happens")
    else:
        if initial and is_weekend(held_on):
            refuse(
                "held_on",
                f"{_d(held_on)} is a {held_on:%A}: an initial conference is not held at a "
                "weekend (census rule 8875)",
            )
        if enquiry is not None and held_on < enquiry.start_date:
            refuse(
                "held_on",
                f"The section 47 enquiry started on {_d(enquiry.start_date)}: the conference "
                "cannot be before it (census rule 8615)",
            )
        if held_on < episode.referral_date:
            refuse(
                "held_on",
                f"The conference cannot be before the referral date, "
                f"{_d(episode.referral_date)} (census rule 1104)",
            )
        if episode.closure_date is not None and held_on > episode.closure_date:
            refuse(
                "held_on",
                f"The episode closed on {_d(episode.closure_date)}: nothing can be dated after "
                "the case closed (census rule 8565)",
            )
        if person.date_of_death is not None and held_on > person.date_of_death:
            refuse(
                "held_on",
                f"The conference cannot be after {person.full_name}'s date of death, "
                f"{_d(person.date_of_death)} (census rule 8915)",
            )
    # Participation and views.
    if parent_participation not in ParentParticipation.values:
        refuse("parent_participation", "Say whether the parents or carers took part")
    if child_participation not in ChildParticipation.values:
        refuse("child_participation", "Say how the child took part")
    elif held_on is not None:
        young = under_four(person, held_on)
        if young is True and child_participation != ChildParticipation.PN0:
            refuse(
                "child_participation",
                f"{person.full_name} was under 4 on {_d(held_on)}: choose PN0",
            )
        if young is False and child_participation == ChildParticipation.PN0:
            refuse(
                "child_participation",
                f"PN0 is for a child under 4, and {person.full_name} was 4 or older on "
                f"{_d(held_on)}: say how they took part",
            )
    texts = {
        "parents_views": (parents_views or "").strip(),
        "child_views": (child_views or "").strip(),
        "chair_rationale": (chair_rationale or "").strip(),
        "dissent": (dissent or "").strip(),
    }
    for name, text in texts.items():
        if len(text) > MAX_TEXT:
            refuse(name, f"Keep this to {MAX_TEXT:,} characters or fewer")
    if len(texts["chair_rationale"].split()) < MIN_RATIONALE_WORDS:
        refuse(
            "chair_rationale",
            f"Give the chair's rationale for the decision in at least {MIN_RATIONALE_WORDS} words",
        )
    # The decision and the categories of abuse.
    protection = None
    if conference.kind == ConferenceKind.REVIEW and conference.plan_id is not None:
        protection = ProtectionPlan.objects.filter(plan_id=conference.plan_id).first()
    allowed = (
        (ConferenceDecision.PLAN, ConferenceDecision.NO_PLAN)
        if initial
        else (ConferenceDecision.PLAN, ConferenceDecision.END_PLAN)
    )
    initial_category = initial_category or ""
    latest_category = latest_category or ""
    if decision not in allowed:
        refuse(
            "decision",
            "Choose whether the child needs a child protection plan"
            if initial
            else "Choose whether the plan continues or ends",
        )
    elif decision == ConferenceDecision.PLAN and initial:
        if initial_category not in CategoryOfAbuse.values:
            refuse(
                "initial_category",
                "Choose the category of abuse the plan is under (census rule 8905)",
            )
        latest_category = latest_category or initial_category
    elif decision == ConferenceDecision.PLAN:
        initial_category = ""
        latest_category = latest_category or (protection.latest_category if protection else "")
        if latest_category not in CategoryOfAbuse.values:
            refuse(
                "latest_category",
                "Choose the category of abuse the plan is now under (census rule 8910)",
            )
    elif decision == ConferenceDecision.END_PLAN:
        initial_category = ""
        if latest_category and latest_category not in CategoryOfAbuse.values:
            refuse("latest_category", "Choose the latest category of abuse from the list")
    else:
        initial_category = latest_category = ""
    if latest_category and latest_category not in CategoryOfAbuse.values:
        refuse("latest_category", "Choose the latest category of abuse from the list")
    marked, extra = _attendance(conference, agencies, errors)
    if errors:
        raise ValidationError(errors)
    assert held_on is not None

    # The rules that look at the child's other records.
    plan = conference.plan
    if initial:
        clash = _one_initial_conference(conference, held_on)
        if clash:
            refuse("held_on", clash)
        if enquiry is not None and enquiry.concluded_on is not None:
            refuse(
                "held_on",
                f"The section 47 enquiry was concluded on {_d(enquiry.concluded_on)}"
                + (" (no conference needed)" if enquiry.icpc_not_required else "")
                + ": cancel this conference",
            )
        if decision == ConferenceDecision.PLAN:
            open_plan = _open_cp_plan(person)
            if open_plan is not None:
                refuse(
                    "decision",
                    f"{person.full_name} already has an open child protection plan, from "
                    f"{_d(open_plan.start_date)}: a child has one at a time (census rule 8935)",
                )
    else:
        if plan is None:
            refuse("held_on", "This review conference has no child protection plan to review")
        else:
            if held_on <= plan.start_date:
                refuse(
                    "held_on",
                    f"The plan started on {_d(plan.start_date)}: a review conference is held "
                    "after that day (census rule 8841)",
                )
            if plan.end_date is not None:
                refuse(
                    "held_on",
                    f"The plan ended on {_d(plan.end_date)}: record a review conference held "
                    "while it was open",
                )
            cin = (
                Plan.objects.filter(person=person, kind=PlanKind.CIN, start_date__lt=held_on)
                .exclude(end_date__lte=held_on)
                .first()
            )
            if cin is not None:
                refuse(
                    "held_on",
                    f"A child in need plan was open on {_d(held_on)}, from "
                    f"{_d(cin.start_date)}: a child protection review cannot be held while "
                    "one is open (census rule 4003)",
                )
    if errors:
        raise ValidationError(errors)

    # Attendance.
    rows = list(conference.agencies.all())
    before = [(r.agency, r.name, r.attended, r.report_on_time) for r in rows]
    for row in rows:
        row.attended, row.report_on_time = marked[row.pk]
    ConferenceAgency.objects.bulk_update(rows, ["attended", "report_on_time"])
    added = ConferenceAgency.objects.bulk_create(
        [
            ConferenceAgency(
                conference=conference, agency=a, name=n, attended=att, report_on_time=rep
            )
            for a, n, att, rep in extra
        ]
    )
    after = [(r.agency, r.name, r.attended, r.report_on_time) for r in [*rows, *added]]
    present = [r.agency for r in [*rows, *added] if r.attended]

    # An initial conference deciding a plan starts it on the conference date (2885), ending any
    # open child in need plan that day (4001, 4016, 4017).
    new_plan: Plan | None = None
    if initial and decision == ConferenceDecision.PLAN:
        cin = Plan.objects.filter(person=person, kind=PlanKind.CIN, end_date__isnull=True).first()
        try:
            if cin is not None:
                plan_services.plan_end(
                    actor=actor, plan=cin, end_date=held_on, reason=CIN_PLAN_ENDED_REASON
                )
            new_plan = plan_services.plan_start(
                actor=actor,
                person=person,
                start_date=held_on,
                kind=PlanKind.CP,
                episode=episode,
            )
        except ValidationError as exc:
            raise _rekey(exc, "held_on") from None

    data: dict[str, Any] = {
        "status": ConferenceStatus.HELD,
        "held_on": held_on,
        "parent_participation": parent_participation,
        "child_participation": child_participation,
        "decision": decision,
        "initial_category": initial_category,
        "latest_category": latest_category,
        "is_quorate": quorate(present),
        "recorded_by": actor if actor.pk else None,
        **texts,
    }
    if new_plan is not None:
        data["plan"] = new_plan
    conference = model_update(
        actor=actor,
        instance=conference,
        data=data,
        person_id=person.pk,
        related_changes={"agencies": [before, after]},
        detail="Conference held",
    )
    source = clock_source(conference)
    if initial:
        if enquiry is not None:
            model_update(
                actor=actor,
                instance=Section47Enquiry.objects.select_for_update().get(pk=enquiry.pk),
                data={"concluded_on": held_on},
                person_id=person.pk,
                detail="Concluded by its initial conference",
            )
        timescales.record_event(
            subject_type=SubjectType.CHILD,
            subject_id=person.pk,
            name="icpc",
            at=held_on,
            source=source,
        )
        if new_plan is not None:
            detail = ProtectionPlan.objects.create(
                plan=new_plan,
                initial_conference=conference,
                initial_category=initial_category,
                latest_category=latest_category,
            )
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=detail,
                person_id=person.pk,
                changes={
                    name: [None, value]
                    for name, value in audit.snapshot(
                        detail,
                        ["plan", "initial_conference", "initial_category", "latest_category"],
                    ).items()
                },
            )
        return conference

    # A review conference: the review clocks, the latest category, and perhaps the plan's end.
    assert plan is not None
    timescales.record_event(
        subject_type=SubjectType.CHILD, subject_id=person.pk, name="rcpc", at=held_on, source=source
    )
    if latest_category:
        if protection is None:
            protection = ProtectionPlan.objects.create(
                plan=plan, initial_category=latest_category, latest_category=latest_category
            )
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=protection,
                person_id=person.pk,
                changes={"plan": [None, plan.pk], "latest_category": [None, latest_category]},
            )
        elif protection.latest_category != latest_category:
            model_update(
                actor=actor,
                instance=protection,
                data={"latest_category": latest_category},
                person_id=person.pk,
                detail=f"Latest category of abuse, from the review conference on {_d(held_on)}",
            )
    if decision == ConferenceDecision.END_PLAN:
        try:
            plan_services.plan_end(
                actor=actor,
                plan=plan,
                end_date=held_on,
                reason=f"Ended at the review conference on {_d(held_on)}",
            )
        except ValidationError as exc:
            raise _rekey(exc, "held_on") from None
    return conference
