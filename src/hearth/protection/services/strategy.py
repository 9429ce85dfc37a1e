"""Writes for strategy discussions and section 47 enquiries.

A strategy discussion is recorded with who took part (by agency), what was shared, the decision
and its rationale, and specific actions each with a named owner and a due date. One that no one
from children's social care, the police or health attended is saved but flagged
(`missing_agencies`): Working Together expects all three.

A decision to start a section 47 enquiry starts one on the discussion's date (the CIN census's
S47ActualStartDate), with its initial conference target 15 working days later; if the episode
already has an open enquiry, the discussion is linked to it instead (a reconvened discussion; the
census start date stays the first). Each discussion tells the timescale engine: the event
`strategy-discussion`, or `strategy-discussion-s47`, which also starts (and restarts) the `icpc`
clock. Completing an enquiry with an outcome that needs no conference records
`icpc-not-required`, which cancels that clock. The initial conference itself is recorded by
`services/conferences.py`.

The CIN census rules that can be checked as the data is entered are refused here, each message
naming its rule (statutory-returns.md §1.6): nothing on a referral closed with no further action
(8831, 8832), nothing before the referral (2889) or after the episode closed (8565), one open
enquiry per episode (8839, also a database constraint) and no overlapping enquiries (8890).
Every change is one transaction with its audit event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import Team, User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.people.models import Person
from hearth.timescales import calendar as cal
from hearth.timescales import services as timescales
from hearth.timescales.rules import SubjectType
from hearth.timescales.selectors import working_calendar

from ..codes import REQUIRED_STRATEGY_AGENCIES, Agency, Section47Outcome, StrategyDecision
from ..models import (
    Conference,
    Section47Enquiry,
    StrategyAction,
    StrategyAttendee,
    StrategyDiscussion,
)

RATIONALE_MIN_WORDS = 10
ICPC_WORKING_DAYS = 15
EVENT = "strategy-discussion"
EVENT_S47 = "strategy-discussion-s47"
EVENT_NOT_REQUIRED = "icpc-not-required"

# How the flag names a missing agency: "No one from the police attended".
AGENCY_WORDS: dict[str, str] = {
    Agency.SOCIAL_CARE: "children's social care",
    Agency.POLICE: "the police",
    Agency.HEALTH: "health",
}
NOT_REGISTERED = (
    "The lead practitioner for a section 47 enquiry must be a registered social worker: choose "
    "someone with a Social Work England registration number on their staff record"
)


# --- helpers -------------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def london_date(at: dt.datetime) -> dt.date:
    return at.astimezone(cal.LONDON).date()


def word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9']+", text or ""))


def discussion_source(discussion: StrategyDiscussion) -> str:
    return f"protection.strategy:{discussion.pk}"


def enquiry_source(enquiry: Section47Enquiry) -> str:
    return f"protection.section_47:{enquiry.pk}"


def missing_agencies(agencies: Iterable[str]) -> str:
    """The required agencies (social care, police, health) not among `agencies`, comma-separated."""
    present = {str(a) for a in agencies}
    return ",".join(str(a) for a in REQUIRED_STRATEGY_AGENCIES if str(a) not in present)


def missing_names(missing: str) -> list[str]:
    """The missing agencies' names, in the order of the codes."""
    return [Agency(c).label for c in (missing or "").split(",") if c]


def missing_warning(missing: str) -> str:
    """The flag on a discussion a required agency did not attend, in words ("" when none)."""
    codes = [c for c in (missing or "").split(",") if c]
    if not codes:
        return ""
    names = [AGENCY_WORDS.get(c) or Agency(c).label for c in codes]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return (
        f"No one from {who} attended: Working Together expects children's social care, police "
        "and health"
    )


class _Refusals:
    """Collects refusals by field, so the form shows every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def extend(self, field: str, messages: Iterable[str]) -> None:
        for message in messages:
            self.add(field, message)

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _check_version(instance: Any, expected: int | None) -> None:
    if expected is not None and instance.version != expected:
        raise ConcurrentEditError(ConcurrentEditError.message)


def _rationale(refusals: _Refusals, field: str, text: str, what: str, explain: str) -> str:
    text = (text or "").strip()
    if not text:
        refusals.add(field, f"Enter the rationale for the {what}")
    elif word_count(text) < RATIONALE_MIN_WORDS:
        refusals.add(
            field,
            f"Explain the {what} in at least {RATIONALE_MIN_WORDS} words: {explain}",
        )
    return text


def _registered(refusals: _Refusals, lead: User | None, field: str = "lead_worker") -> None:
    if lead is None:
        refusals.add(field, "Choose the lead practitioner for the section 47 enquiry")
    elif not lead.is_active:
        refusals.add(field, f"{lead.full_name}'s account is closed: choose someone else")
    elif not (lead.swe_registration or "").strip():
        refusals.add(field, NOT_REGISTERED)


def _team_of(user: User) -> Team | None:
    from hearth.workforce.selectors import current_membership

    membership = current_membership(user)
    return membership.team if membership else None


# --- attendees and actions -----------------------------------------------------------------------


def _text(row: Mapping[str, Any], key: str) -> str:
    return str(row.get(key) or "").strip()


def clean_attendees(
    rows: Iterable[Mapping[str, Any]] | None,
) -> tuple[list[dict[str, str]], list[str]]:
    """The attendees given (blank rows left out) and the problems with them."""
    cleaned: list[dict[str, str]] = []
    problems: list[str] = []
    for n, row in enumerate(rows or [], start=1):
        agency, name, role = _text(row, "agency"), _text(row, "name"), _text(row, "role")
        if not (agency or name or role):
            continue
        if agency not in Agency.values:
            problems.append(f"Attendee {n}: choose the agency they came from")
        if not name:
            problems.append(f"Attendee {n}: enter their name")
        cleaned.append({"agency": agency, "name": name, "role": role})
    if not cleaned and not problems:
        problems.append(
            "Record who took part in the discussion: at least one attendee, with their agency"
        )
    return cleaned, problems


def action_problems(row: Mapping[str, Any], held_on: dt.date | None) -> dict[str, str]:
    """What is wrong with one action, by field: Ofsted found actions owned by nobody."""
    problems: dict[str, str] = {}
    if not _text(row, "description"):
        problems["description"] = "Say what will be done"
    if not _text(row, "owner_name"):
        problems["owner_name"] = "Say who will do it: a named person"
    if _text(row, "owner_agency") not in Agency.values:
        problems["owner_agency"] = "Choose the agency of the person who will do it"
    due = row.get("due_date")
    if not isinstance(due, dt.date):
        problems["due_date"] = "Enter the date it is due by"
    elif held_on is not None and due < held_on:
        problems["due_date"] = f"It cannot be due before the discussion, on {_d(held_on)}"
    return problems


def clean_actions(
    rows: Iterable[Mapping[str, Any]] | None, held_on: dt.date | None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The actions given (blank rows left out) and the problems with them, numbered."""
    cleaned: list[dict[str, Any]] = []
    problems: list[str] = []
    for n, row in enumerate(rows or [], start=1):
        values = {
            "description": _text(row, "description"),
            "owner_name": _text(row, "owner_name"),
            "owner_agency": _text(row, "owner_agency"),
            "due_date": row.get("due_date"),
        }
        if not any(values.values()):
            continue
        wrong = action_problems(values, held_on)
        problems.extend(
            f"Action {n}: {message[:1].lower()}{message[1:]}" for message in wrong.values()
        )
        cleaned.append(values)
    return cleaned, problems


def _attendee_list(rows: Iterable[Mapping[str, str] | StrategyAttendee]) -> list[list[str]]:
    out = []
    for row in rows:
        if isinstance(row, StrategyAttendee):
            out.append([row.agency, row.name, row.role])
        else:
            out.append([row["agency"], row["name"], row["role"]])
    return sorted(out)


# --- the discussion's date, episode and content --------------------------------------------------


def _check_when(
    refusals: _Refusals,
    *,
    person: Person,
    episode: ChildInNeedEpisode,
    held_at: dt.datetime | None,
) -> dt.date | None:
    """The London date of the discussion, refusing dates the census would reject."""
    if episode.person_id != person.pk:
        refusals.add("episode", "That child in need episode is another child's")
        return None
    if episode.referral_nfa:
        refusals.add(
            "episode",
            f"The referral on {_d(episode.referral_date)} was closed with no further action, so "
            "it cannot have a strategy discussion or a section 47 enquiry (census rules 8831 "
            "and 8832): record a new referral if there are new concerns",
        )
        return None
    if not isinstance(held_at, dt.datetime):
        refusals.add("held_at", "Enter the date and time of the discussion")
        return None
    if timezone.is_naive(held_at):
        refusals.add("held_at", "Give the time of the discussion with its time zone")
        return None
    held_on = london_date(held_at)
    if held_at > timezone.now():
        refusals.add("held_at", "The discussion cannot be in the future: record it once held")
    if held_on < episode.referral_date:
        refusals.add(
            "held_at",
            f"The discussion cannot be before the referral, on {_d(episode.referral_date)}: a "
            "section 47 enquiry starts on or after the referral date (census rule 2889)",
        )
    if episode.closure_date is not None and held_on > episode.closure_date:
        refusals.add(
            "held_at",
            f"The episode closed on {_d(episode.closure_date)}: nothing may be dated after the "
            "case closed (census rule 8565). Record a new referral if there are new concerns",
        )
    if person.date_of_death is not None and held_on > person.date_of_death:
        refusals.add(
            "held_at",
            f"The discussion cannot be after {person.full_name}'s date of death, "
            f"{_d(person.date_of_death)}",
        )
    return held_on


def _check_content(
    refusals: _Refusals, *, information_shared: str, decision: str, rationale: str
) -> tuple[str, str]:
    information_shared = (information_shared or "").strip()
    if not information_shared:
        refusals.add(
            "information_shared",
            "Enter the information shared: what each agency knows about the child and family",
        )
    if decision not in StrategyDecision.values:
        refusals.add("decision", "Choose what the discussion decided")
    rationale = _rationale(
        refusals,
        "rationale",
        rationale,
        "decision",
        "what the agencies know, what the risk to the child is and why this response meets it",
    )
    return information_shared, rationale


# --- section 47 enquiries started or continued by a discussion -----------------------------------


def open_enquiry_locked(episode: ChildInNeedEpisode) -> Section47Enquiry | None:
    return (
        Section47Enquiry.objects.select_for_update()
        .filter(episode=episode, concluded_on__isnull=True)
        .first()
    )


def _check_no_overlap(
    refusals: _Refusals,
    episode: ChildInNeedEpisode,
    start: dt.date,
    field: str,
    exclude: int | None = None,
) -> None:
    """Census 8890: an enquiry may not start on or before an earlier one of the episode ended."""
    earlier = Section47Enquiry.objects.filter(
        episode=episode, concluded_on__isnull=False, concluded_on__gte=start
    )
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude)
    last = earlier.order_by("-concluded_on").first()
    if last is not None and last.concluded_on is not None:
        refusals.add(
            field,
            f"An earlier section 47 enquiry on this episode, from {_d(last.start_date)}, "
            f"concluded on {_d(last.concluded_on)}: a new enquiry must start after that "
            "(census rule 8890)",
        )


def _check_enquiry(
    refusals: _Refusals,
    *,
    episode: ChildInNeedEpisode,
    held_on: dt.date,
    lead_worker: User | None,
) -> Section47Enquiry | None:
    """For a decision to start a section 47 enquiry: the episode's open enquiry, which a
    reconvened discussion continues (None when a new one will start), refusing what would make
    the new one wrong."""
    current = open_enquiry_locked(episode)
    if current is not None:
        if held_on < current.start_date:
            refusals.add(
                "held_at",
                f"The section 47 enquiry open on this episode started on "
                f"{_d(current.start_date)}: a discussion that continues it cannot be earlier",
            )
        return current
    _registered(refusals, lead_worker)
    _check_no_overlap(refusals, episode, held_on, "held_at")
    return None


def _start_enquiry(
    *,
    actor: User | None,
    person: Person,
    episode: ChildInNeedEpisode,
    held_on: dt.date,
    lead_worker: User,
) -> Section47Enquiry:
    enquiry = Section47Enquiry.objects.create(
        person=person,
        episode=episode,
        start_date=held_on,
        icpc_target_date=working_calendar().add_working_days(held_on, ICPC_WORKING_DAYS),
        lead_worker=lead_worker,
        team=_team_of(lead_worker),
        recorded_by=actor if actor is not None and actor.pk else None,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=enquiry,
        person_id=person.pk,
        changes={
            name: [None, value]
            for name, value in audit.snapshot(
                enquiry, ["episode", "start_date", "icpc_target_date", "lead_worker", "team"]
            ).items()
        },
    )
    return enquiry


def _enquiry_for(
    refusals: _Refusals,
    *,
    actor: User | None,
    person: Person,
    episode: ChildInNeedEpisode,
    held_on: dt.date | None,
    lead_worker: User | None,
) -> Callable[[], Section47Enquiry]:
    """Check the enquiry a section 47 decision starts or continues; the returned call (made
    once every refusal has been checked) gives it, starting a new one if needed."""
    current = None
    if held_on is not None:
        current = _check_enquiry(
            refusals, episode=episode, held_on=held_on, lead_worker=lead_worker
        )

    def give() -> Section47Enquiry:
        if current is not None:
            return current
        assert held_on is not None and lead_worker is not None
        return _start_enquiry(
            actor=actor, person=person, episode=episode, held_on=held_on, lead_worker=lead_worker
        )

    return give


def starter_of(enquiry: Section47Enquiry) -> StrategyDiscussion | None:
    """The discussion that started the enquiry: the first linked to it."""
    return enquiry.strategy_discussions.order_by("held_at", "pk").first()


def _other_records(enquiry: Section47Enquiry, discussion: StrategyDiscussion) -> list[str]:
    found = []
    if enquiry.strategy_discussions.exclude(pk=discussion.pk).exists():
        found.append("a later strategy discussion")
    if Conference.objects.filter(section_47=enquiry).exists():
        found.append("a conference")
    if enquiry.child_seen_on or enquiry.not_seen_reason or enquiry.seen_alone is not None:
        found.append("when the child was seen")
    if enquiry.outcome or enquiry.concluded_on:
        found.append("its outcome")
    return found


# --- clock events --------------------------------------------------------------------------------


def _event_name(decision: str) -> str:
    return EVENT_S47 if decision == StrategyDecision.SECTION_47 else EVENT


def _record_event(discussion: StrategyDiscussion, previous_decision: str | None = None) -> None:
    name = _event_name(discussion.decision)
    if previous_decision is not None and _event_name(previous_decision) != name:
        timescales.withdraw_event(
            subject_type=SubjectType.CHILD,
            subject_id=discussion.person_id,
            source=discussion_source(discussion),
            name=_event_name(previous_decision),
        )
    timescales.record_event(
        subject_type=SubjectType.CHILD,
        subject_id=discussion.person_id,
        name=name,
        at=discussion.held_at,
        source=discussion_source(discussion),
    )


# --- strategy discussions ------------------------------------------------------------------------


@transaction.atomic
def strategy_discussion_record(
    *,
    actor: User | None,
    person: Person,
    episode: ChildInNeedEpisode,
    held_at: dt.datetime,
    information_shared: str,
    decision: str,
    rationale: str,
    attendees: Sequence[Mapping[str, Any]],
    actions: Sequence[Mapping[str, Any]] = (),
    chair: User | None = None,
    lead_worker: User | None = None,
) -> StrategyDiscussion:
    """Record a strategy discussion. A decision to start a section 47 enquiry starts one (led by
    `lead_worker`, a registered social worker) or continues the episode's open one."""
    person = Person.objects.select_for_update().get(pk=person.pk)  # one at a time per child
    episode = ChildInNeedEpisode.objects.select_for_update().get(pk=episode.pk)
    refusals = _Refusals()
    held_on = _check_when(refusals, person=person, episode=episode, held_at=held_at)
    information_shared, rationale = _check_content(
        refusals, information_shared=information_shared, decision=decision, rationale=rationale
    )
    people, problems = clean_attendees(attendees)
    refusals.extend("attendees", problems)
    todo, problems = clean_actions(actions, held_on)
    refusals.extend("actions", problems)
    give = None
    if decision == StrategyDecision.SECTION_47:
        give = _enquiry_for(
            refusals,
            actor=actor,
            person=person,
            episode=episode,
            held_on=held_on,
            lead_worker=lead_worker,
        )
    refusals.check()
    assert held_on is not None
    enquiry = give() if give is not None else None
    discussion = StrategyDiscussion.objects.create(
        person=person,
        episode=episode,
        held_at=held_at,
        chair=chair,
        information_shared=information_shared,
        decision=decision,
        rationale=rationale,
        section_47=enquiry,
        missing_agencies=missing_agencies(a["agency"] for a in people),
        recorded_by=actor if actor is not None and actor.pk else None,
    )
    StrategyAttendee.objects.bulk_create(
        StrategyAttendee(discussion=discussion, **attendee) for attendee in people
    )
    StrategyAction.objects.bulk_create(StrategyAction(discussion=discussion, **a) for a in todo)
    changes = {
        name: [None, value]
        for name, value in audit.snapshot(
            discussion,
            [
                "episode",
                "held_at",
                "chair",
                "information_shared",
                "decision",
                "rationale",
                "section_47",
                "missing_agencies",
            ],
        ).items()
    }
    changes["attendees"] = [None, _attendee_list(people)]
    changes["actions"] = [
        None,
        [
            [a["description"], a["owner_name"], a["owner_agency"], a["due_date"].isoformat()]
            for a in todo
        ],
    ]
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=discussion,
        person_id=person.pk,
        changes=changes,
    )
    _record_event(discussion)
    return discussion


DISCUSSION_FIELDS = ("held_at", "chair", "information_shared", "decision", "rationale")


def _move_enquiry_start(
    refusals: _Refusals,
    enquiry: Section47Enquiry,
    discussion: StrategyDiscussion,
    held_on: dt.date,
) -> dict[str, Any]:
    """The started enquiry's new start and target when its first discussion's date is
    corrected, refusing what would put its other records before it."""
    earlier = (
        enquiry.strategy_discussions.exclude(pk=discussion.pk).order_by("held_at", "pk").first()
    )
    if earlier is not None and london_date(earlier.held_at) < held_on:
        refusals.add(
            "held_at",
            f"A later discussion on the same enquiry was held on "
            f"{_d(london_date(earlier.held_at))}: the first cannot be after it",
        )
    for day, what in (
        (enquiry.child_seen_on, "the child was seen"),
        (enquiry.completed_on, "the enquiry was completed"),
        (enquiry.concluded_on, "the enquiry concluded"),
    ):
        if day is not None and day < held_on:
            refusals.add(
                "held_at",
                f"The section 47 enquiry started at this discussion records that {what} on "
                f"{_d(day)}: the discussion cannot be after that",
            )
    held = (
        Conference.objects.filter(section_47=enquiry, held_on__lt=held_on)
        .order_by("held_on")
        .first()
    )
    if held is not None and held.held_on is not None:
        refusals.add(
            "held_at",
            f"The initial conference was held on {_d(held.held_on)}: the enquiry must start on "
            "or before it (census rule 8615)",
        )
    _check_no_overlap(refusals, enquiry.episode, held_on, "held_at", exclude=enquiry.pk)
    return {
        "start_date": held_on,
        "icpc_target_date": working_calendar().add_working_days(held_on, ICPC_WORKING_DAYS),
    }


@transaction.atomic
def strategy_discussion_update(
    *,
    actor: User | None,
    discussion: StrategyDiscussion,
    data: Mapping[str, Any],
    attendees: Sequence[Mapping[str, Any]] | None = None,
    lead_worker: User | None = None,
    expected_version: int | None = None,
) -> StrategyDiscussion:
    """Correct a discussion: its date and time, who led it, what was shared, the decision and
    its rationale, and (with `attendees`) who took part. The missing agencies are worked out
    again and a corrected date or decision is recorded again on the child's clocks.

    The decision cannot change away from a section 47 enquiry once the enquiry started at this
    discussion has records of its own (a later discussion, a conference, the child seen, an
    outcome); one with none is removed with the correction (its values kept in the audit log).
    A new decision to start an enquiry starts one, as recording does (`lead_worker`)."""
    discussion = (
        StrategyDiscussion.objects.select_for_update(of=("self",))
        .select_related("person", "episode")
        .get(pk=discussion.pk)
    )
    _check_version(discussion, expected_version)
    unknown = set(data) - set(DISCUSSION_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}")
    person = Person.objects.select_for_update().get(pk=discussion.person_id)
    episode = ChildInNeedEpisode.objects.select_for_update().get(pk=discussion.episode_id)
    refusals = _Refusals()
    held_at = data.get("held_at", discussion.held_at)
    decision = data.get("decision", discussion.decision)
    held_on = _check_when(refusals, person=person, episode=episode, held_at=held_at)
    information_shared, rationale = _check_content(
        refusals,
        information_shared=data.get("information_shared", discussion.information_shared),
        decision=decision,
        rationale=data.get("rationale", discussion.rationale),
    )
    people: list[dict[str, str]] | None = None
    if attendees is not None:
        people, problems = clean_attendees(attendees)
        refusals.extend("attendees", problems)
    refusals.check()
    assert held_on is not None

    old_decision = discussion.decision
    enquiry = (
        Section47Enquiry.objects.select_for_update().get(pk=discussion.section_47_id)
        if discussion.section_47_id is not None
        else None
    )
    first = starter_of(enquiry) if enquiry is not None else None
    starter = first is not None and first.pk == discussion.pk
    enquiry_changes: dict[str, Any] = {}
    new_enquiry = enquiry
    if enquiry is not None and decision != StrategyDecision.SECTION_47:
        # Nothing is deleted: an enquiry, once started, ends with its outcome, never by
        # rewriting the discussion that started it.
        others = _other_records(enquiry, discussion) if starter else []
        also = f" (it already has {', '.join(others)})" if others else ""
        refusals.add(
            "decision",
            f"A section 47 enquiry was started or continued at this discussion{also}, so the "
            "decision cannot be changed. If the enquiry ended without a conference, record its "
            "outcome on the enquiry instead",
        )
        new_enquiry = None
    elif enquiry is not None and held_on != london_date(discussion.held_at):
        if starter:
            enquiry_changes = _move_enquiry_start(refusals, enquiry, discussion, held_on)
        elif held_on < enquiry.start_date:
            refusals.add(
                "held_at",
                f"The section 47 enquiry this discussion continues started on "
                f"{_d(enquiry.start_date)}: the discussion cannot be earlier",
            )
    give = None
    if enquiry is None and decision == StrategyDecision.SECTION_47:
        give = _enquiry_for(
            refusals,
            actor=actor,
            person=person,
            episode=episode,
            held_on=held_on,
            lead_worker=lead_worker,
        )
    refusals.check()
    if give is not None:
        new_enquiry = give()
    changes: dict[str, Any] = {
        "held_at": held_at,
        "chair": data.get("chair", discussion.chair),
        "information_shared": information_shared,
        "decision": decision,
        "rationale": rationale,
        "section_47": new_enquiry,
    }
    related = None
    if people is not None:
        old_list = _attendee_list(discussion.attendees.all())
        new_list = _attendee_list(people)
        changes["missing_agencies"] = missing_agencies(a["agency"] for a in people)
        if old_list != new_list:
            related = {"attendees": [old_list, new_list]}
            # Replaced whole: the old rows are withdrawn (kept), and the audit event has both.
            discussion.attendees.all().update(withdrawn_at=timezone.now())
            StrategyAttendee.objects.bulk_create(
                StrategyAttendee(discussion=discussion, **attendee) for attendee in people
            )
    old_held_at = discussion.held_at
    if enquiry is not None and enquiry_changes:
        model_update(
            actor=actor,
            instance=enquiry,
            data=enquiry_changes,
            person_id=enquiry.person_id,
            detail="The date of the strategy discussion that started it was corrected",
        )
    discussion = model_update(
        actor=actor,
        instance=discussion,
        data=changes,
        person_id=discussion.person_id,
        related_changes=related,
    )
    if discussion.held_at != old_held_at or discussion.decision != old_decision:
        _record_event(discussion, previous_decision=old_decision)
    return discussion


@transaction.atomic
def strategy_action_add(
    *,
    actor: User | None,
    discussion: StrategyDiscussion,
    description: str,
    owner_name: str,
    owner_agency: str,
    due_date: dt.date | None,
) -> StrategyAction:
    """Add an action agreed at the discussion: what, who (a named person and their agency) and by
    when; otherwise refused."""
    discussion = StrategyDiscussion.objects.select_for_update().get(pk=discussion.pk)
    values = {
        "description": (description or "").strip(),
        "owner_name": (owner_name or "").strip(),
        "owner_agency": (owner_agency or "").strip(),
        "due_date": due_date,
    }
    problems = action_problems(values, london_date(discussion.held_at))
    if problems:
        raise ValidationError(problems)
    action = StrategyAction.objects.create(discussion=discussion, **values)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=action,
        person_id=discussion.person_id,
        changes={
            name: [None, value]
            for name, value in audit.snapshot(
                action, ["discussion", "description", "owner_name", "owner_agency", "due_date"]
            ).items()
        },
    )
    return action


@transaction.atomic
def strategy_action_complete(
    *,
    actor: User | None,
    action: StrategyAction,
    completed_on: dt.date | None,
    expected_version: int | None = None,
) -> StrategyAction:
    """Mark an action done, on the day it was done (not in the future, not before the
    discussion)."""
    action = (
        StrategyAction.objects.select_for_update(of=("self",))
        .select_related("discussion")
        .get(pk=action.pk)
    )
    _check_version(action, expected_version)
    if action.completed_on is not None:
        raise ValidationError(f"This action was already marked done, on {_d(action.completed_on)}")
    if completed_on is None:
        raise ValidationError({"completed_on": "Enter the date it was done"})
    if completed_on > today():
        raise ValidationError({"completed_on": "The date it was done cannot be in the future"})
    held_on = london_date(action.discussion.held_at)
    if completed_on < held_on:
        raise ValidationError(
            {"completed_on": f"It cannot have been done before the discussion, on {_d(held_on)}"}
        )
    return model_update(
        actor=actor,
        instance=action,
        data={"completed_on": completed_on},
        person_id=action.discussion.person_id,
        detail="Action done",
    )


# --- section 47 enquiries ------------------------------------------------------------------------


ENQUIRY_FIELDS = ("lead_worker", "team", "child_seen_on", "seen_alone", "not_seen_reason")


@transaction.atomic
def section_47_update(
    *,
    actor: User | None,
    enquiry: Section47Enquiry,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Section47Enquiry:
    """Record the enquiry's progress: its lead practitioner (a registered social worker) and
    team, when the child was seen and whether alone (or why not)."""
    enquiry = (
        Section47Enquiry.objects.select_for_update(of=("self",))
        .select_related("episode")
        .get(pk=enquiry.pk)
    )
    _check_version(enquiry, expected_version)
    unknown = set(data) - set(ENQUIRY_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    refusals = _Refusals()
    if "lead_worker" in cleaned:
        lead = cleaned["lead_worker"]
        if lead is None or lead.pk != enquiry.lead_worker_id:
            _registered(refusals, lead)
        if lead is not None and "team" not in cleaned and lead.pk != enquiry.lead_worker_id:
            cleaned["team"] = _team_of(lead)
    seen_on = cleaned.get("child_seen_on", enquiry.child_seen_on)
    seen_alone = cleaned.get("seen_alone", enquiry.seen_alone)
    reason = cleaned.get("not_seen_reason", enquiry.not_seen_reason)
    if seen_on is not None:
        if seen_on < enquiry.start_date:
            refusals.add(
                "child_seen_on",
                f"The enquiry started on {_d(enquiry.start_date)}: the child cannot have been "
                "seen for it before then",
            )
        if seen_on > today():
            refusals.add("child_seen_on", "The date the child was seen cannot be in the future")
        if enquiry.completed_on is not None and seen_on > enquiry.completed_on:
            refusals.add(
                "child_seen_on",
                f"The enquiry was completed on {_d(enquiry.completed_on)}: the child was seen "
                "for it by then",
            )
    elif seen_alone is not None:
        refusals.add("child_seen_on", "Enter the date the child was seen")
    if seen_alone is False and not reason:
        refusals.add("not_seen_reason", "Say why the child was not seen alone")
    refusals.check()
    return model_update(actor=actor, instance=enquiry, data=cleaned, person_id=enquiry.person_id)


@transaction.atomic
def section_47_complete(
    *,
    actor: User | None,
    enquiry: Section47Enquiry,
    outcome: str,
    outcome_rationale: str,
    completed_on: dt.date | None,
    icpc_not_required: bool = False,
    icpc_not_required_reason: str = "",
    expected_version: int | None = None,
) -> Section47Enquiry:
    """Record the enquiry's outcome. "Likely to suffer significant harm" needs an initial
    conference (unless the worker records why none is needed, e.g. the child has become looked
    after); any other outcome concludes the enquiry with no conference needed, which stops the
    `icpc` clock (`icpc-not-required`)."""
    enquiry = (
        Section47Enquiry.objects.select_for_update(of=("self",))
        .select_related("episode")
        .get(pk=enquiry.pk)
    )
    _check_version(enquiry, expected_version)
    if enquiry.completed_on is not None:
        raise ValidationError(
            f"The outcome of this enquiry was already recorded, on {_d(enquiry.completed_on)}"
        )
    refusals = _Refusals()
    if outcome not in Section47Outcome.values:
        refusals.add("outcome", "Choose the outcome of the enquiry")
    rationale = _rationale(
        refusals,
        "outcome_rationale",
        outcome_rationale,
        "outcome",
        "what the enquiry found and why it leads to this outcome",
    )
    if enquiry.child_seen_on is None and not enquiry.not_seen_reason.strip():
        refusals.add(
            "child_seen_on",
            "Record when the child was seen for the enquiry (or why they were not) before "
            "recording its outcome",
        )
    episode = enquiry.episode
    if completed_on is None:
        refusals.add("completed_on", "Enter the date the enquiry was completed")
    else:
        if completed_on < enquiry.start_date:
            refusals.add(
                "completed_on",
                f"The enquiry started on {_d(enquiry.start_date)}: it cannot be completed "
                "before then",
            )
        if completed_on > today():
            refusals.add(
                "completed_on", "The date the enquiry was completed cannot be in the future"
            )
        if enquiry.child_seen_on is not None and completed_on < enquiry.child_seen_on:
            refusals.add(
                "completed_on",
                f"The child was seen for the enquiry on {_d(enquiry.child_seen_on)}: it cannot "
                "be completed before then",
            )
        if episode.closure_date is not None and completed_on > episode.closure_date:
            refusals.add(
                "completed_on",
                f"The episode closed on {_d(episode.closure_date)}: nothing may be dated after "
                "the case closed (census rule 8565)",
            )
    reason = (icpc_not_required_reason or "").strip()
    not_required = outcome != Section47Outcome.LIKELY_HARM or bool(icpc_not_required)
    if outcome == Section47Outcome.LIKELY_HARM and icpc_not_required and not reason:
        refusals.add(
            "icpc_not_required_reason",
            "Say why no initial conference is needed (for example, the child has become looked "
            "after)",
        )
    refusals.check()
    assert completed_on is not None
    data: dict[str, Any] = {
        "outcome": outcome,
        "outcome_rationale": rationale,
        "completed_on": completed_on,
    }
    concludes = not_required and enquiry.concluded_on is None
    if concludes:
        data.update(
            icpc_not_required=True,
            icpc_not_required_reason=reason or rationale,
            concluded_on=completed_on,
        )
    enquiry = model_update(
        actor=actor,
        instance=enquiry,
        data=data,
        person_id=enquiry.person_id,
        detail="Outcome recorded",
    )
    if concludes:
        timescales.record_event(
            subject_type=SubjectType.CHILD,
            subject_id=enquiry.person_id,
            name=EVENT_NOT_REQUIRED,
            at=completed_on,
            source=enquiry_source(enquiry),
        )
    return enquiry
