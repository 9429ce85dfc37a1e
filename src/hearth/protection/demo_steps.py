"""Synthetic child protection for the demo council: strategy discussions, section 47 enquiries,
conferences, child protection plans and their core groups, and the clock events they record.

Two halves, because an episode's closure has to leave room for what happens in it:

- `PathPlanner` runs inside the front door step (order 110) as it opens each child in need
  episode, on its own random stream (so the front door's other draws are unchanged). It decides the
  episode's child protection path as dates: the strategy discussion (every front door "strategy
  discussion" decision, and, for about 4 in 10 other episodes that went further, one on a concern
  raised during the assessment or later on the open case), whether it started a section 47 enquiry,
  how the enquiry concluded (an initial conference, or none needed), whether the conference made
  a plan, the review conferences and the day the plan ended, and whether a child in need plan
  followed. It moves the episode's closure to after all of that (a closed episode has every enquiry
  concluded and every plan ended: census rules 8867, 8868, 8565) and changes RC8/RC9 closures of
  episodes with an enquiry to RC7 (rule 2990), handing those episodes' assessment outcome to the
  casework step. The paths are handed over as "frontdoor.protection" (by episode).
- Step "child-protection" (order 123, after the assessments at 122 and before the plans at 124)
  writes the records: strategy discussions with attendees by agency (social care, police and
  health at about 90%; the rest miss police or health and are flagged), the information shared, a
  decision with a rationale and 1-3 specific actions with owners and due dates; the enquiry (led
  by the child's registered social worker, the child seen, alone for most over five, an outcome
  and rationale, "conference not required" with a reason, and `concluded_on` as the services keep
  it); initial and review conferences (on working days, chaired by a conference chair in post,
  agencies invited with attendance and reports, parents' and child's participation and views,
  decision, categories and rationale); the plan (`plans.Plan` of kind "cp" with its
  `ProtectionPlan`, 2-4 danger statements with safety goals and 3-6 actions linked to them); core
  groups (attendees, progress on the plan's actions). Child protection visits are the visits step's
  (126); step-down child in need plans the plans step's (124), told which plans step down through
  "protection.step_down_plans".

Rates (domain.md §2.1, 2025): section 47 enquiries per referral about 0.36; initial conferences
per enquiry 0.31; plans per initial conference 0.86; enquiry start to conference in working days
0-10: 8.6%, 11-15: 72.4%, 16-20: 8.9%, 21+: 9.7%; initial category neglect 50.5%, emotional 35.7%,
physical 7.4%, sexual 3.8%, multiple 2.6% (2020 split); duration of plans ending: up to 3 months
15.9%, 3-6 months 11.0%, 6-12 months 43.5%, 1-2 years 25.2%, over 2 years 4.4%. Our estimates:
9 in 10 strategy discussions start an enquiry; 85% of first core groups within 10 working days and
most later ones within 6 weeks; about 9 in 10 review conferences on time (the first within 3
months, the next within 6); the latest category changes at about 7% of reviews; a child in need
plan follows most plans that end (always where the episode was to run on; otherwise half).
Brothers and sisters in one front door strategy decision share their path (see `PathPlanner`).

With a short history the figures of the last 12 months lean short: plans that would end after a
year or more mostly started before the history, and no child has a plan from before it, so second
or subsequent plans are rare (low 20s % nationally).

Clock events, with the sources the services use: "strategy-discussion" or
"strategy-discussion-s47" (`protection.strategy:<pk>`), "icpc-not-required"
(`protection.s47:<pk>:not-required`), "icpc" and "rcpc" (`protection.conference:<pk>`),
"cp-plan-start" and "cp-plan-end" (`plans.plan:<pk>`, `plans.plan:<pk>:end`), "core-group"
(`protection.core_group:<pk>`); then the children's deadlines are re-derived.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from hearth.casework.codes import ClosureReason
from hearth.casework.models import ChildInNeedEpisode
from hearth.core.choices import RoleCode
from hearth.core.models import User
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step
from hearth.people.demo_steps import FastRows, add_years, weighted
from hearth.plans.codes import ActionStatus, NeedKind, PlanKind
from hearth.plans.demo_steps import THEMES, Theme, action_status, add_months
from hearth.plans.models import Plan, PlanAction, PlanNeed
from hearth.timescales import services as timescales
from hearth.timescales.calendar import LONDON, WorkingCalendar
from hearth.timescales.models import ClockEvent
from hearth.timescales.rules import SubjectType
from hearth.timescales.selectors import local_periods, working_calendar
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from .codes import (
    REQUIRED_STRATEGY_AGENCIES,
    Agency,
    CategoryOfAbuse,
    ChildParticipation,
    ConferenceDecision,
    ConferenceKind,
    ConferenceStatus,
    ParentParticipation,
    Section47Outcome,
    StrategyDecision,
)
from .models import (
    Conference,
    ConferenceAgency,
    CoreGroup,
    CoreGroupActionProgress,
    CoreGroupAttendee,
    ProtectionPlan,
    Section47Enquiry,
    StrategyAction,
    StrategyAttendee,
    StrategyDiscussion,
)

A = Agency
C = CategoryOfAbuse
SD = StrategyDecision
REDERIVE_BATCH = 1000
NOT_IN_NEED = (ClosureReason.RC8, ClosureReason.RC9)

# --- rates ---------------------------------------------------------------------------------------

# Of the episodes that went further and did not start with a strategy discussion, the share that
# have one later: front door strategy discussions are about 7% of referrals, and 0.36 enquiries
# per referral need about 0.4 discussions (measured).
EXTRA_STRATEGY = 0.42
EXTRA_WEIGHT_NOT_IN_NEED = 0.7  # relative chance for an episode the assessment finds not in need
REPEAT_BOOST = 1.6  # a child who had a plan before is more often back at a strategy discussion
LATER_CONCERN = 0.25  # of those: raised on the open case after the assessment, not during it
MAX_AGE_FOR_ENQUIRY = 17.0
SAME_DAY_DISCUSSION = 0.55  # when the concern comes in office hours
LATE_DISCUSSION = 0.05  # 2-3 working days after the concern
DECISIONS: list[tuple[str, float]] = [
    (SD.SECTION_47, 0.9),
    (SD.SINGLE_AGENCY, 0.06),
    (SD.NO_FURTHER_ACTION, 0.04),
]
RECONVENED = 0.03  # the first discussion reconvenes the next working day
# Conference after an enquiry, for children the assessment finds in need (none for those who
# are not: their closure says so).
ICPC_FROM_FRONT_DOOR = 0.5
ICPC_LATER = 0.44
PLAN_AFTER_ICPC = 0.86
ICPC_WORKING_DAYS: list[tuple[tuple[int, int], float]] = [
    ((4, 10), 6_240),
    ((11, 15), 52_430),
    ((16, 20), 6_430),
    ((21, 35), 6_990),
]
CATEGORIES: list[tuple[str, float]] = [
    (C.NEGLECT, 50.5),
    (C.EMOTIONAL, 35.7),
    (C.PHYSICAL, 7.4),
    (C.SEXUAL, 3.8),
    (C.MULTIPLE, 2.6),
]
# Days from the plan's start to its end (D7 2025 bands of plans ending), each band drawn from a
# triangle (low, high, mode): the shortest end at the first review, about 3 months in; the longer
# bands lean to their start, which gives a mean of about 0.8 years, as 49,420 plans at 31 March
# from 61,840 starts a year imply.
DURATION_DAYS: list[tuple[tuple[int, int, int], float]] = [
    ((42, 91, 91), 15.9),
    ((92, 182, 137), 11.0),
    ((183, 365, 183), 43.5),
    ((366, 730, 366), 25.2),
    ((731, 1100, 731), 4.4),
]
FIRST_REVIEW_ON_TIME = 0.9
REVIEW_ON_TIME = 0.88
ENDING_REVIEW_MERGE_DAYS = 21  # a review this close before the planned end is the ending one
STEP_DOWN = 0.5  # of plans ending where the episode would close soon after: a CIN plan follows
CATEGORY_CHANGE = 0.07
FIRST_CORE_GROUP_ON_TIME = 0.85
CORE_GROUP_ON_TIME = 0.8
FLAGGED_DISCUSSION = 0.1
REPORT_ON_TIME = 0.75
DISSENT = 0.08


def at(day: dt.date, hours: float) -> dt.datetime:
    minutes = max(0, min(int(hours * 60), 24 * 60 - 1))
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=LONDON)


def age_on(dob: dt.date | None, day: dt.date) -> float:
    return (day - dob).days / 365.25 if dob else -1.0


def working_on_or_before(calendar: WorkingCalendar, day: dt.date) -> dt.date:
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def working_on_or_after(calendar: WorkingCalendar, day: dt.date) -> dt.date:
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


# --- the path, planned by the front door ---------------------------------------------------------


@dataclass
class Discussion:
    held_at: dt.datetime
    decision: str


@dataclass
class ProtectionPath:
    """An episode's child protection, as dates. `concluded_on` is the enquiry's conclusion (its
    conference or the decision that none is needed); None while it is still open."""

    concern_at: dt.datetime
    from_front_door: bool
    category: str
    discussions: list[Discussion] = field(default_factory=list)
    s47_start: dt.date | None = None
    outcome: str = ""
    completed_on: dt.date | None = None
    icpc_on: dt.date | None = None
    not_required_on: dt.date | None = None
    plan: bool = False
    reviews: list[dt.date] = field(default_factory=list)
    plan_end: dt.date | None = None
    step_down: bool = False
    not_in_need: bool = False

    @property
    def concluded_on(self) -> dt.date | None:
        return self.icpc_on or self.not_required_on

    @property
    def last_discussion(self) -> dt.date:
        return self.discussions[-1].held_at.astimezone(LONDON).date()


class PathPlanner:
    """Decides, as the front door opens an episode, what child protection happens in it.

    Brothers and sisters in one front door strategy decision share a `family`: their paths are
    drawn from one seed, so they share the discussion, the category, the conference and the plan's
    reviews (unless their own circumstances differ), as joint conferences do."""

    def __init__(self, seed: int, calendar: WorkingCalendar, reference_date: dt.date) -> None:
        self.stream = random.Random(f"{seed}:front-door:protection")
        self.rng = self.stream  # the path being drawn: the stream, or a family's own
        self.calendar = calendar
        self.ref = reference_date

    def plan(
        self,
        *,
        referral: dt.date,
        concern_at: dt.datetime | None,
        assessment: dt.date | None,
        closure: dt.date,
        reason: str,
        dob: dt.date | None,
        earlier_plans: int = 0,
        family: dict[str, Any] | None = None,
    ) -> tuple[ProtectionPath, dt.date, str] | None:
        """The path for an episode that went further, and the episode's closure and reason after
        it (a closure on or after the reference date means still open), or None: no strategy
        discussion. `concern_at` is the front door's decision for a strategy discussion; otherwise
        one may arise on the open case."""
        self.rng = self.stream
        rng, cal, ref = self.rng, self.calendar, self.ref
        if assessment is None:
            return None
        not_in_need = reason in NOT_IN_NEED
        born = dob is not None and dob <= referral
        from_front_door = concern_at is not None
        if concern_at is None:
            if not born or age_on(dob, referral) >= MAX_AGE_FOR_ENQUIRY:
                return None
            chance = EXTRA_STRATEGY * (EXTRA_WEIGHT_NOT_IN_NEED if not_in_need else 1)
            if earlier_plans:
                chance *= REPEAT_BOOST
            if rng.random() >= chance:
                return None
            end = min(closure, ref - dt.timedelta(days=1))
            later_span = (end - assessment).days
            if not not_in_need and later_span > 45 and rng.random() < LATER_CONCERN:
                day = assessment + dt.timedelta(days=rng.randint(7, later_span - 14))
            else:
                span = cal.working_days_between(referral, min(assessment, end))
                day = cal.add_working_days(referral, rng.randint(0, max(0, min(span - 2, 20))))
            concern_at = at(day, rng.uniform(8.5, 17))
        if concern_at.astimezone(LONDON).date() >= ref:
            return None
        if family is not None:
            if "seed" not in family:
                family["seed"] = self.stream.random()
            self.rng = rng = random.Random(family["seed"])
        path = ProtectionPath(
            concern_at=concern_at,
            from_front_door=from_front_door,
            category=weighted(rng, CATEGORIES),
            not_in_need=not_in_need,
        )
        held = self.discussion_time(concern_at)
        if held.date() >= ref:
            return None
        if rng.random() < RECONVENED:
            path.discussions.append(Discussion(held, SD.RECONVENE))
            held = at(cal.add_working_days(held.date(), 1), rng.uniform(9, 12))
        decision: str = weighted(rng, DECISIONS)
        if held.date() < ref:
            path.discussions.append(Discussion(held, decision))
        if path.discussions[-1].decision == SD.SECTION_47:
            self.enquiry(path, held.date(), dob)
        return path, *self.fit_episode(path, closure, reason, dob)

    def discussion_time(self, concern: dt.datetime) -> dt.datetime:
        """Within a working day of the concern, in office hours (a few later)."""
        rng, cal = self.rng, self.calendar
        local = concern.astimezone(LONDON)
        day, hour = local.date(), local.hour + local.minute / 60
        if cal.is_working_day(day) and hour < 15 and rng.random() < SAME_DAY_DISCUSSION:
            return at(day, rng.uniform(max(hour + 0.75, 9), 16.5))
        late = rng.random() < LATE_DISCUSSION
        return at(cal.add_working_days(day, rng.randint(2, 3) if late else 1), rng.uniform(9, 16.5))

    def enquiry(self, path: ProtectionPath, start: dt.date, dob: dt.date | None) -> None:
        rng, cal, ref = self.rng, self.calendar, self.ref
        path.s47_start = start
        chance = ICPC_FROM_FRONT_DOOR if path.from_front_door else ICPC_LATER
        if (
            path.not_in_need
            or dob is None
            or dob > start
            or age_on(dob, start) >= MAX_AGE_FOR_ENQUIRY
        ):
            chance = 0.0
        if rng.random() < chance:
            low, high = weighted(rng, ICPC_WORKING_DAYS)
            days = rng.randint(low, high)
            icpc = cal.add_working_days(start, days)
            completed = cal.add_working_days(start, rng.randint(max(1, days - 8), days - 1))
            if completed < ref:
                path.outcome, path.completed_on = Section47Outcome.LIKELY_HARM, completed
            if icpc < ref:
                path.icpc_on = icpc
                if rng.random() < PLAN_AFTER_ICPC:
                    self.plan_reviews(path, icpc, dob)
            return
        done = cal.add_working_days(start, rng.randint(3, 15))
        if done < ref:
            path.outcome = (
                Section47Outcome.NOT_SUBSTANTIATED
                if path.not_in_need or rng.random() < 0.55
                else Section47Outcome.NOT_LIKELY_HARM
            )
            path.completed_on = path.not_required_on = done

    def plan_reviews(self, path: ProtectionPath, start: dt.date, dob: dt.date | None) -> None:
        """Review conferences (the first within 3 months, then every 6, mostly on time) until the
        review that ends the plan, held when its planned length is reached."""
        rng, cal, ref = self.rng, self.calendar, self.ref
        low, high, mode = weighted(rng, DURATION_DAYS)
        days = round(rng.triangular(low, high, mode))
        target = working_on_or_before(cal, start + dt.timedelta(days=days))
        if dob is not None:
            last = add_years(dob, 18) - dt.timedelta(days=1)
            if target > last:
                target = working_on_or_before(cal, last - dt.timedelta(days=rng.randint(0, 14)))
        if (target - start).days < 28:
            return  # too near the child's 18th birthday: the conference makes no plan
        path.plan = True
        ends = target < ref
        due, first = add_months(start, 3), True
        while True:
            on_time = rng.random() < (FIRST_REVIEW_ON_TIME if first else REVIEW_ON_TIME)
            if on_time:
                held = working_on_or_before(cal, due - dt.timedelta(days=rng.randint(0, 12)))
            else:
                held = working_on_or_after(cal, due + dt.timedelta(days=rng.randint(1, 20)))
            if ends and held >= target - dt.timedelta(days=ENDING_REVIEW_MERGE_DAYS):
                break
            if held >= ref:
                break
            path.reviews.append(held)
            due, first = add_months(held, 6), False
        if ends:
            path.reviews.append(target)
            path.plan_end = target

    def fit_episode(
        self, path: ProtectionPath, closure: dt.date, reason: str, dob: dt.date | None
    ) -> tuple[dt.date, str]:
        """The episode's closure after the path (on or after the reference date: still open)."""
        rng, ref = self.rng, self.ref
        if reason in NOT_IN_NEED and path.s47_start is not None:
            reason = ClosureReason.RC7  # census rule 2990
        else:
            path.not_in_need = False
        closure = max(closure, path.last_discussion)
        if path.s47_start is not None:
            concluded = path.concluded_on
            closure = max(closure, concluded) if concluded is not None else max(closure, ref)
        if path.icpc_on is not None and not path.plan:
            closure = max(closure, path.icpc_on + dt.timedelta(days=rng.randint(30, 200)))
        if path.plan:
            end = path.plan_end
            if end is None:
                closure = max(closure, ref)
            elif closure >= ref or (closure - end).days > 30:
                path.step_down = True
            elif rng.random() < STEP_DOWN:
                path.step_down = True
                closure = end + dt.timedelta(days=rng.randint(60, 240))
            else:
                closure = max(closure, end + dt.timedelta(days=rng.randint(0, 21)))
            if path.step_down and end is not None and closure < ref and (closure - end).days < 14:
                closure = end + dt.timedelta(days=rng.randint(14, 60))
        if dob is not None and closure >= add_years(dob, 18):
            # Closed on the 18th birthday, as the front door closes them, but not before the path.
            floor = [add_years(dob, 18), path.last_discussion]
            if path.s47_start is not None:
                floor.append(path.concluded_on or ref)
            if path.plan:
                floor.append(path.plan_end or ref)
            closure = max(floor)
        return closure, reason


# --- words ---------------------------------------------------------------------------------------

HARM: dict[str, tuple[str, tuple[str, ...]]] = {
    # category: (phrase, what was shared about it)
    C.NEGLECT: (
        "neglect of {name}'s basic care",
        (
            "{name} has been coming to school hungry and unkempt, and was found alone at home "
            "late in the evening.",
            "The home was found cold and dirty with little food; {name} has untreated tooth decay "
            "and has missed health appointments.",
            "{name} was found wandering near a main road without an adult; the parent was asleep "
            "and could not be woken at first.",
        ),
    ),
    C.EMOTIONAL: (
        "domestic abuse and conflict between the adults at home",
        (
            "Police were called to the home after a domestic abuse incident; {name} was present "
            "and was heard screaming.",
            "{name} told a teacher that home is 'always shouting' and that they hide under the "
            "bed when the adults fight.",
            "The mother's partner has been belittling and threatening {name}, and {name} has "
            "begun to self-harm.",
        ),
    ),
    C.PHYSICAL: (
        "an injury to {name} with no clear explanation",
        (
            "{name} was seen with bruising to the face and upper arm; the explanations given do "
            "not match the injury.",
            "{name} told school staff that an adult at home hit them with a belt.",
            "A&E treated {name} for a burn that is not consistent with the account of an accident.",
        ),
    ),
    C.SEXUAL: (
        "possible sexual harm",
        (
            "{name} made a disclosure at school about an older relative touching them.",
            "Police learned that an adult convicted of sexual offences against children is "
            "staying at the address.",
            "{name} has shown sexualised behaviour that worries the school's safeguarding lead.",
        ),
    ),
    C.MULTIPLE: (
        "neglect and domestic abuse together",
        (
            "Police attended a domestic abuse incident and found the home in a very poor state, "
            "with {name} unwashed and hungry.",
            "{name} has injuries that have not been explained, and the home conditions have "
            "got worse since the last visit.",
        ),
    ),
}
POLICE_INFO = (
    "Police: {n} domestic abuse call-outs to the address in the last year, the last graded {grade} "
    "risk.",
    "Police: the mother's partner has a caution for assault and is not known to be living there.",
    "Police: no recent incidents at the address; the father has an old conviction for drugs "
    "supply.",
    "Police: officers attended on the day of the concern and found the adults intoxicated.",
)
HEALTH_INFO_YOUNG = (
    "Health: the health visitor last saw {name} {n} weeks ago; immunisations are overdue.",
    "Health: {name}'s growth has dropped from the 50th to the 9th centile since the last check.",
    "Health: the GP records several missed appointments and the mother's treatment for depression.",
)
HEALTH_INFO_OLDER = (
    "Health: the school nurse has seen {name} twice this term about headaches and low mood.",
    "Health: the GP has no concerns recorded but {name} has not been seen for two years.",
    "Health: {name} attended A&E twice in the last six months with minor injuries.",
)
EDUCATION_INFO = (
    "School: attendance is {pct}% this term and {name} often arrives late and hungry.",
    "School: staff have noticed {name} is withdrawn and tearful, and reluctant to go home.",
    "School: the designated safeguarding lead has logged {n} concerns this year.",
)
SOCIAL_CARE_INFO = (
    "Children's social care: the family are known; the last assessment closed with advice.",
    "Children's social care: this is the first time the family have been known to us.",
    "Children's social care: {name} is open to us on a child and family assessment.",
)
RATIONALE: dict[str, tuple[str, ...]] = {
    SD.SECTION_47: (
        "There is reasonable cause to suspect {name} is suffering, or is likely to suffer, "
        "significant harm from {phrase}; a section 47 enquiry starts today.",
        "The information shared by all agencies about {phrase} meets the threshold for a "
        "section 47 enquiry; a single-agency response would not keep {name} safe.",
    ),
    SD.SINGLE_AGENCY: (
        "The concerns about {phrase} do not meet the threshold for a section 47 enquiry; "
        "children's social care will address them through the assessment with the family.",
    ),
    SD.NO_FURTHER_ACTION: (
        "Checks and the medical view give a consistent accidental explanation; no further "
        "action under section 47, and the assessment continues with the family.",
    ),
    SD.RECONVENE: (
        "The paediatrician's view is not yet available, so the discussion will reconvene next "
        "working day to decide whether a section 47 enquiry is needed.",
    ),
}
STRATEGY_ACTIONS: tuple[tuple[str, str, int], ...] = (
    # description, agency, working days to do it
    ("Visit {name} at home today and see {name} alone", A.SOCIAL_CARE, 0),
    ("Arrange a child protection medical with the paediatrician", A.HEALTH, 1),
    ("Carry out a joint visit with children's social care and speak to both parents", A.POLICE, 1),
    ("Check police systems for the mother's new partner and share the result", A.POLICE, 1),
    ("Share {name}'s attendance record and any disclosures with the social worker", A.EDUCATION, 2),
    ("Share {name}'s health records and growth charts with the social worker", A.HEALTH, 2),
    ("Agree a written safety plan with the parents and the wider family", A.SOCIAL_CARE, 1),
    ("Complete a joint interview of {name} under Achieving Best Evidence guidance", A.POLICE, 3),
)
OUTCOME_RATIONALE: dict[str, tuple[str, ...]] = {
    Section47Outcome.LIKELY_HARM: (
        "The enquiry found {name} is likely to suffer significant harm from {phrase}; an initial "
        "child protection conference is needed to agree a multi-agency plan.",
        "The concerns about {phrase} are substantiated and the parents have not been able to "
        "make {name} safe; a conference is needed.",
    ),
    Section47Outcome.NOT_LIKELY_HARM: (
        "The concerns about {phrase} are substantiated, but the parents have worked with the "
        "enquiry and put safety measures in place; {name} is supported as a child in need.",
    ),
    Section47Outcome.NOT_SUBSTANTIATED: (
        "The enquiry found no evidence that {name} has suffered significant harm: the account "
        "of what happened is consistent and other agencies have no worries.",
        "The concerns about {phrase} were not substantiated; {name} was seen alone and spoke "
        "about home positively.",
    ),
}
NOT_REQUIRED_REASON: dict[str, str] = {
    Section47Outcome.NOT_LIKELY_HARM: "The risks are being managed under a child in need plan "
    "with the family's agreement, so no conference is needed.",
    Section47Outcome.NOT_SUBSTANTIATED: "The concerns were not substantiated, so no conference "
    "is needed.",
}
NOT_SEEN_UNBORN = "The child is not yet born; the mother was seen."
PARENTS_VIEWS: dict[str, tuple[str, ...]] = {
    ParentParticipation.ALL: (
        "Both parents attended. They accept that things need to change and want to keep {name} "
        "at home with support.",
        "The parents attended with an advocate. They disagree with some of the report but agree "
        "to work with the plan.",
    ),
    ParentParticipation.SOME: (
        "Mum attended and agreed with most of the concerns; dad did not attend and sent no views.",
        "Dad attended and said he is worried about mum's drinking; mum did not come.",
    ),
    ParentParticipation.NONE: (
        "Neither parent attended; the social worker shared the report with them beforehand and "
        "mum said she does not agree with it.",
    ),
    ParentParticipation.EXCLUDED: (
        "The chair excluded the father for the first part of the conference because of his "
        "threats to staff; his views were shared in writing.",
    ),
}
CHILD_VIEWS: dict[str, tuple[str, ...]] = {
    "young": (
        "{name} is too young to say. The social worker saw {name} playing happily and going to mum "
        "for comfort.",
    ),
    "child": (
        "'I want everyone to stop shouting. I like it when Nan picks me up from school.'",
        "{name} drew a picture of home with a sad face in the kitchen and said it is 'noisy'.",
        "'I love my mum. I want her to be happy and for us to have food in the cupboards.'",
    ),
    "teen": (
        "'I don't need a plan. I just want my mum to get better and everyone to leave us alone.'",
        "{name} wrote to the chair: things are better at home since the police came, and they "
        "want to stay there.",
        "'I want to feel safe in my room. I don't want him coming round any more.'",
    ),
}
CHAIR_RATIONALE = {
    ConferenceDecision.PLAN: (
        "All agencies agree {name} is likely to suffer significant harm through {label}; a "
        "child protection plan is needed to keep {name} safe while the parents make changes.",
        "The threshold for a plan is met under the category of {label}: the worries are "
        "serious, long-standing and the parents cannot yet keep {name} safe without one.",
    ),
    ConferenceDecision.NO_PLAN: (
        "The conference agreed the risk of significant harm has reduced since the enquiry; "
        "{name} will be supported under a child in need plan.",
    ),
    "continue": (
        "Progress has been made but the worries about {label} remain; the plan continues with "
        "the actions updated.",
        "Little progress since the last conference; the plan continues and the core group will "
        "meet more often.",
    ),
    ConferenceDecision.END_PLAN: (
        "The safety goals have been met for several months and all agencies agree {name} is no "
        "longer likely to suffer significant harm; the plan ends.",
        "The parents have made and kept the changes the plan asked for; the risk of "
        "significant harm has reduced and the plan ends.",
    ),
}
DISSENT_TEXT = (
    "The police representative did not agree and would have {alternative}, given the recent "
    "call-out to the address.",
    "The school did not agree and would have {alternative}: {name}'s attendance is still poor.",
)
CONTINGENCY = (
    "If the safety plan breaks down or {name} is hurt, the social worker will ask for an urgent "
    "strategy discussion and legal advice on the Public Law Outline."
)
CORE_GROUP_SUMMARY = (
    "The core group turned the outline plan into the working plan; everyone knows their actions "
    "and dates.",
    "Most actions are on track. The group agreed the social worker will visit weekly and school "
    "will share attendance every Friday.",
    "Home conditions have improved and {name} is attending school more. The group reviewed the "
    "safety plan with the parents.",
    "Little progress: appointments were missed. The group agreed clearer actions and will tell "
    "the chair before the review conference.",
)
CORE_GROUP_CHILD_VIEWS = (
    "{name} told the social worker they feel happier at home and like their new bedroom.",
    "{name} said they still worry when the adults argue and want the plan to carry on.",
    "{name} is too young to say; they were seen settled and playing at nursery.",
    "",
)
PROGRESS_NOTES: dict[str, str] = {
    ActionStatus.DONE: "Done.",
    ActionStatus.IN_PROGRESS: "Started; the family are engaging.",
    ActionStatus.NOT_STARTED: "Not started yet.",
    ActionStatus.NOT_DONE: "Not done: the family did not attend.",
    ActionStatus.NO_LONGER_NEEDED: "No longer needed since the last core group.",
}
END_REASON = {
    True: "The review conference ended the plan: the risk of significant harm has reduced; "
    "the child is supported under a child in need plan.",
    False: "The review conference ended the plan: the risk of significant harm has reduced.",
}
POLICE_ROLES = ("DC", "DS", "PC")
HEALTH_ROLES_YOUNG = ("Health Visitor", "Named Nurse for Safeguarding", "Paediatrician")
HEALTH_ROLES_OLDER = ("School Nurse", "Named Nurse for Safeguarding", "GP")
EXTRA_AGENCIES: list[tuple[str, str, float]] = [
    (A.DOMESTIC_ABUSE, "Independent Domestic Violence Adviser", 0.3),
    (A.SUBSTANCE_MISUSE, "Recovery Worker", 0.2),
    (A.MENTAL_HEALTH, "Community Psychiatric Nurse", 0.15),
    (A.PROBATION, "Probation Officer", 0.1),
    (A.HOUSING, "Housing Officer", 0.1),
]

# Danger statements and safety goals for child protection plans, by category; the plans step's
# risk themes (domestic abuse, mental health, alcohol, exploitation) join them.
_RISK_THEMES = [t for t in THEMES if t.kind == NeedKind.RISK]
CP_THEMES: dict[str, list[Theme]] = {
    C.NEGLECT: [
        Theme(
            NeedKind.RISK,
            "Children's social care, school and the health visitor are worried that if {name} "
            "keeps going without regular meals, clean clothes and a warm home, {name}'s health "
            "and development will be harmed.",
            "{name} will have three meals a day, clean clothes and a warm, safe home, checked at "
            "unannounced visits for six months.",
            (
                (
                    "Make unannounced home visits every week and check the food and heating",
                    "worker",
                ),
                (
                    "Help the parents draw up and keep a daily routine chart",
                    "Family support service",
                ),
                ("Share {name}'s attendance and presentation every Friday", "School"),
            ),
        ),
        Theme(
            NeedKind.RISK,
            "We are worried that {name} is left without an adult who is awake and able to care "
            "for them, and could be hurt in an accident or by someone else.",
            "{name} will always be looked after by a named, sober adult, and the family network "
            "will step in when the parents cannot.",
            (
                (
                    "Hold a family network meeting and agree who cares for {name}, and when",
                    "worker",
                ),
                ("Check the home for hazards and agree changes with the parents", "Health visitor"),
            ),
        ),
        Theme(
            NeedKind.RISK,
            "We are worried that {name}'s health needs are not being met: appointments are "
            "missed and {name} has untreated tooth decay.",
            "{name} will go to every health and dental appointment, and the health visitor will "
            "see them growing well.",
            (
                ("Book and support {name} to attend a dental appointment", "worker"),
                ("Complete the overdue developmental review and weigh {name}", "Health visitor"),
                ("Tell the social worker the same day if an appointment is missed", "GP"),
            ),
        ),
    ],
    C.EMOTIONAL: [
        _RISK_THEMES[0],
        Theme(
            NeedKind.RISK,
            "We are worried that {name} hears the adults at home shouting, threatening and "
            "belittling each other, and this is making {name} anxious, withdrawn and unable to "
            "sleep.",
            "{name} will live in a calm home where adults sort out disagreements safely, and "
            "will tell us they feel relaxed at home.",
            (
                ("Refer the parents to a parenting through conflict course", "worker"),
                ("Offer {name} weekly sessions with the school counsellor", "School"),
                ("Do direct work with {name} on worries and feelings", "worker"),
            ),
        ),
        _RISK_THEMES[1],
    ],
    C.PHYSICAL: [
        Theme(
            NeedKind.RISK,
            "We are worried that when the adults at home are angry with {name} they hit them, "
            "and {name} could be seriously hurt.",
            "{name} will be cared for by adults who use calm, safe ways to manage behaviour, and "
            "will have no unexplained marks or injuries.",
            (
                ("Refer the parents to a parenting programme on managing behaviour", "worker"),
                ("Check {name} for injuries and record any marks on a body map", "School"),
                ("Share any call-out to the address within one working day", "Police"),
            ),
        ),
        _RISK_THEMES[0],
    ],
    C.SEXUAL: [
        Theme(
            NeedKind.RISK,
            "We are worried that {name} could be sexually harmed by an adult who poses a risk "
            "to children if he has contact with {name}.",
            "{name} will have no contact with the adult concerned, the parent will know how to "
            "keep {name} safe, and {name} will know who to tell.",
            (
                ("Agree a written agreement about contact and check it at visits", "worker"),
                ("Share the adult's whereabouts and any breach of his conditions", "Police"),
                ("Do keeping-safe work with {name} using the 'pants' resources", "School"),
            ),
        ),
        _RISK_THEMES[3],
    ],
    C.MULTIPLE: [_RISK_THEMES[0], _RISK_THEMES[2]],
}
GENERAL_THEMES = [*_RISK_THEMES, *CP_THEMES[C.NEGLECT][1:]]


# --- the step ------------------------------------------------------------------------------------


class Leads:
    """The lead social worker (and team) holding each child's case on a day."""

    def __init__(self) -> None:
        self.spells: dict[int, list[tuple[dt.date, dt.date | None, int, int | None]]] = defaultdict(
            list
        )
        for person_id, start, end, worker, team in (
            Allocation.objects.filter(role=CaseRole.LEAD_SOCIAL_WORKER)
            .order_by("person_id", "start_date", "pk")
            .values_list("person_id", "start_date", "end_date", "worker_id", "team_id")
        ):
            self.spells[person_id].append((start, end, worker, team))

    def on(self, person_id: int, day: dt.date) -> tuple[int | None, int | None]:
        for start, end, worker, team in reversed(self.spells.get(person_id, [])):
            if start <= day and (end is None or day <= end):
                return worker, team
        return None, None


@dataclass
class Staff:
    names: dict[int, str]
    registered: set[int]
    managers: dict[int, int | None]
    chairs: list[tuple[int, dt.date | None, dt.date | None]]
    fallback: list[int]

    @classmethod
    def load(cls, ctx: GenerationContext) -> Staff:
        names: dict[int, str] = {}
        registered: set[int] = set()
        managers: dict[int, int | None] = {}
        spans: dict[int, tuple[dt.date | None, dt.date | None]] = {}
        for pk, first, last, swe, manager, start, end in User.objects.order_by("pk").values_list(
            "pk",
            "first_name",
            "last_name",
            "swe_registration",
            "line_manager_id",
            "employment_start",
            "employment_end",
        ):
            names[pk] = f"{first} {last}".strip()
            if swe:
                registered.add(pk)
            managers[pk] = manager
            spans[pk] = (start, end)
        through = User.roles.through
        chair_ids = sorted(
            set(
                through.objects.filter(role__code=RoleCode.CONFERENCE_CHAIR).values_list(
                    "user_id", flat=True
                )
            )
        )
        chairs = [(pk, *spans[pk]) for pk in chair_ids]
        fallback = sorted(
            u.pk for u in ctx.staff_by_role.get(RoleCode.SOCIAL_WORKER, []) if u.pk in registered
        )
        return cls(names, registered, managers, chairs, fallback)

    def chair(self, day: dt.date) -> int | None:
        """The chair on duty that day (so brothers' and sisters' conferences share one)."""
        in_post = [
            pk for pk, s, e in self.chairs if (s is None or s <= day) and (e is None or day <= e)
        ]
        pool = in_post or [pk for pk, _, _ in self.chairs]
        return pool[day.toordinal() % len(pool)] if pool else None


class Writer:
    """Turns the paths into rows (all in memory, then one insert per table)."""

    def __init__(self, ctx: GenerationContext, calendar: WorkingCalendar) -> None:
        self.ctx, self.rng, self.calendar = ctx, ctx.rng, calendar
        self.ref = ctx.reference_date
        self.latest = ctx.reference_date - dt.timedelta(days=1)
        self.now = timezone.now()
        self.leads = Leads()
        self.staff = Staff.load(ctx)
        self.names = [(ctx.faker.first_name(), ctx.faker.last_name()) for _ in range(400)]
        self.discussions = FastRows(ctx, StrategyDiscussion)
        self.attendees = FastRows(ctx, StrategyAttendee)
        self.strategy_actions = FastRows(ctx, StrategyAction)
        self.enquiries = FastRows(ctx, Section47Enquiry)
        self.conferences = FastRows(ctx, Conference)
        self.conference_agencies = FastRows(ctx, ConferenceAgency)
        self.plans = FastRows(ctx, Plan)
        self.protection = FastRows(ctx, ProtectionPlan)
        self.needs = FastRows(ctx, PlanNeed)
        self.actions = FastRows(ctx, PlanAction)
        self.links = FastRows(ctx, PlanAction.needs.through)
        self.core_groups = FastRows(ctx, CoreGroup)
        self.core_attendees = FastRows(ctx, CoreGroupAttendee)
        self.progress = FastRows(ctx, CoreGroupActionProgress)
        self.events = FastRows(ctx, ClockEvent)
        self.children: set[int] = set()
        self.step_down: set[int] = set()
        self.counts: dict[str, int] = defaultdict(int)

    # helpers ----------------------------------------------------------------------------------

    def person_name(self) -> tuple[str, str]:
        return self.rng.choice(self.names)

    def agency_person(self, agency: str, age: float) -> str:
        rng = self.rng
        first, last = self.person_name()
        if agency == A.POLICE:
            return f"{rng.choice(POLICE_ROLES)} {first} {last}"
        if agency == A.HEALTH:
            role = rng.choice(HEALTH_ROLES_YOUNG if age < 5 else HEALTH_ROLES_OLDER)
            title = "Dr " if role in ("Paediatrician", "GP") else ""
            return f"{title}{first} {last} ({role})"
        if agency == A.EDUCATION:
            return f"{first} {last} (Designated Safeguarding Lead)"
        if agency == A.EARLY_YEARS:
            return f"{first} {last} (Nursery Manager)"
        role = next((r for a, r, _ in EXTRA_AGENCIES if a == agency), "Practitioner")
        return f"{first} {last} ({role})"

    def event(self, person: int, name: str, day: dt.date, source: str, **extra: Any) -> None:
        self.events.add(
            subject_type=SubjectType.CHILD.value,
            subject_id=person,
            name=name,
            occurred_on=day,
            source=source,
            **extra,
        )
        self.children.add(person)

    def worker_on(self, episode: dict[str, Any], day: dt.date) -> tuple[int | None, int | None]:
        """The child's registered lead social worker that day (else the referral's worker)."""
        worker, team = self.leads.on(episode["person_id"], day)
        if worker is not None and worker in self.staff.registered:
            return worker, team
        fallback = episode["referral_worker_id"]
        if fallback is None or fallback not in self.staff.registered:
            fallback = self.rng.choice(self.staff.fallback) if self.staff.fallback else fallback
        return fallback, team or episode["referral_team_id"]

    # one episode ------------------------------------------------------------------------------

    def write(self, episode: dict[str, Any], path: ProtectionPath) -> None:
        rng = self.rng
        person = episode["person_id"]
        dob: dt.date | None = episode["person__date_of_birth"]
        name = episode["person__forename"] or "the child"
        phrase, shared = HARM[path.category]
        fill = {"name": name, "phrase": phrase.format(name=name)}
        start = path.s47_start or path.last_discussion
        worker, team = self.worker_on(episode, start)
        age = age_on(dob, start)
        enquiry_id: int | None = None
        if path.s47_start is not None:
            enquiry_id = self.enquiry(episode, path, worker, team, fill, age)
        concern = rng.choice(shared).format(name=name)
        for discussion in path.discussions:
            self.discussion(episode, discussion, worker, concern, fill, age, enquiry_id)
        if path.icpc_on is None or enquiry_id is None:
            return
        icpc_worker, icpc_team = self.worker_on(episode, path.icpc_on)
        kind = ConferenceKind.INITIAL
        decision = ConferenceDecision.PLAN if path.plan else ConferenceDecision.NO_PLAN
        conference_id = self.conference(
            episode,
            kind,
            path.icpc_on,
            decision,
            fill,
            age_on(dob, path.icpc_on),
            category=path.category,
            initial=True,
            section_47=enquiry_id,
        )
        self.event(person, "icpc", path.icpc_on, f"protection.conference:{conference_id}")
        self.counts["initial_conferences"] += 1
        if path.plan:
            self.plan(episode, path, conference_id, icpc_worker, icpc_team, fill)

    def discussion(
        self,
        episode: dict[str, Any],
        discussion: Discussion,
        worker: int | None,
        concern: str,
        fill: dict[str, str],
        age: float,
        enquiry_id: int | None,
    ) -> None:
        rng, person = self.rng, episode["person_id"]
        held_at = discussion.held_at
        day = held_at.date()
        present: list[str] = [A.SOCIAL_CARE, A.POLICE, A.HEALTH]
        if rng.random() < FLAGGED_DISCUSSION:
            present.remove(rng.choice([A.POLICE, A.HEALTH]))
        if age >= 4 and rng.random() < 0.7:
            present.append(A.EDUCATION)
        elif 0 <= age < 4 and rng.random() < 0.2:
            present.append(A.EARLY_YEARS)
        missing = ",".join(a for a in REQUIRED_STRATEGY_AGENCIES if a not in present)
        lines = [concern, rng.choice(SOCIAL_CARE_INFO)]
        numbers = {"n": rng.randint(2, 6), "grade": rng.choice(("standard", "medium", "high"))}
        if A.POLICE in present:
            lines.append(rng.choice(POLICE_INFO).format(**numbers))
        if A.HEALTH in present:
            pool = HEALTH_INFO_YOUNG if age < 5 else HEALTH_INFO_OLDER
            lines.append(rng.choice(pool).format(**fill, **numbers))
        if A.EDUCATION in present:
            lines.append(
                rng.choice(EDUCATION_INFO).format(**fill, **numbers, pct=rng.randint(62, 91))
            )
        chair = self.staff.managers.get(worker) if worker is not None else None
        decision = discussion.decision
        pk = self.discussions.add(
            person_id=person,
            episode_id=episode["pk"],
            held_at=held_at,
            chair_id=chair or worker,
            information_shared=" ".join(lines).format(**fill),
            decision=decision,
            rationale=rng.choice(RATIONALE[decision]).format(**fill),
            section_47_id=enquiry_id if decision == SD.SECTION_47 else None,
            missing_agencies=missing,
            recorded_by_id=worker,
            created_at=min(held_at + dt.timedelta(hours=rng.uniform(1, 6)), self.now),
        )
        self.counts["strategy_discussions"] += 1
        self.counts["strategy_flagged"] += bool(missing)
        for agency in present:
            if agency == A.SOCIAL_CARE:
                who = self.staff.names.get(worker or 0, "Duty social worker")
                self.attendees.add(discussion_id=pk, agency=agency, name=who, role="Social worker")
                if chair and chair != worker:
                    self.attendees.add(
                        discussion_id=pk,
                        agency=agency,
                        name=self.staff.names.get(chair, ""),
                        role="Team manager (chair)",
                    )
                continue
            who = self.agency_person(agency, age)
            role = who.rpartition("(")[2].rstrip(")") if "(" in who else "Police officer"
            self.attendees.add(discussion_id=pk, agency=agency, name=who, role=role)
        options = [
            a
            for a in STRATEGY_ACTIONS
            if a[1] in present or (a[1] == A.EDUCATION and age >= 4 and decision == SD.SECTION_47)
        ]
        for text, agency, days in rng.sample(options, min(len(options), rng.randint(1, 3))):
            due = self.calendar.add_working_days(day, days)
            owner = (
                self.staff.names.get(worker or 0, "Allocated social worker")
                if agency == A.SOCIAL_CARE
                else self.agency_person(agency, age)
            )
            completed = None
            if due < self.ref and rng.random() < 0.9:
                completed = min(due + dt.timedelta(days=rng.randint(-1, 3)), self.latest)
                completed = max(completed, day)
            self.strategy_actions.add(
                discussion_id=pk,
                description=text.format(**fill),
                owner_name=owner[:200],
                owner_agency=agency,
                due_date=due,
                completed_on=completed,
            )
        name = "strategy-discussion-s47" if decision == SD.SECTION_47 else "strategy-discussion"
        self.event(person, name, day, f"protection.strategy:{pk}", occurred_at=held_at)

    def enquiry(
        self,
        episode: dict[str, Any],
        path: ProtectionPath,
        worker: int | None,
        team: int | None,
        fill: dict[str, str],
        age: float,
    ) -> int:
        rng, cal = self.rng, self.calendar
        start = path.s47_start
        assert start is not None
        person = episode["person_id"]
        dob = episode["person__date_of_birth"]
        limit = min(path.completed_on or self.latest, self.latest)
        seen: dt.date | None = None
        alone: bool | None = None
        reason = ""
        if dob is None or dob > start:
            reason = NOT_SEEN_UNBORN
        else:
            seen = min(cal.add_working_days(start, rng.choice((0, 0, 0, 1, 1, 2))), limit)
            seen = max(seen, start)
            alone = rng.random() < (0.85 if age >= 5 else 0.08)
            if not alone:
                reason = (
                    "Too young to be seen alone; seen with the mother and observed at play."
                    if age < 5
                    else "The child did not want to be seen without their mother; seen together."
                )
        concluded = path.concluded_on
        not_required = path.not_required_on is not None
        pk = self.enquiries.add(
            person_id=person,
            episode_id=episode["pk"],
            start_date=start,
            lead_worker_id=worker,
            team_id=team,
            child_seen_on=seen,
            seen_alone=alone,
            not_seen_reason=reason,
            outcome=path.outcome,
            outcome_rationale=(
                rng.choice(OUTCOME_RATIONALE[path.outcome]).format(**fill) if path.outcome else ""
            ),
            completed_on=path.completed_on,
            icpc_target_date=cal.add_working_days(start, 15),
            icpc_not_required=not_required,
            icpc_not_required_reason=NOT_REQUIRED_REASON[path.outcome] if not_required else "",
            concluded_on=concluded,
            recorded_by_id=worker,
        )
        self.counts["section_47_enquiries"] += 1
        if path.not_required_on is not None:
            self.event(
                person,
                "icpc-not-required",
                path.not_required_on,
                f"protection.s47:{pk}:not-required",
            )
        return pk

    def conference(
        self,
        episode: dict[str, Any],
        kind: str,
        day: dt.date,
        decision: str,
        fill: dict[str, str],
        age: float,
        *,
        category: str,
        initial: bool,
        section_47: int | None = None,
        plan: int | None = None,
        continuing: bool = False,
    ) -> int:
        rng = self.rng
        chair = self.staff.chair(day)
        worker, _team = self.worker_on(episode, day)
        booked = day
        if rng.random() < 0.04 and initial:  # rebooked: the first date was cancelled
            first = working_on_or_before(self.calendar, day - dt.timedelta(days=rng.randint(3, 7)))
            if first > (episode["referral_date"]):
                self.conferences.add(
                    person_id=episode["person_id"],
                    episode_id=episode["pk"],
                    kind=kind,
                    status=ConferenceStatus.CANCELLED,
                    section_47_id=section_47,
                    plan_id=plan,
                    scheduled_on=first,
                    chair_id=chair,
                    cancelled_reason="Agency reports were not ready and the parents had not seen "
                    "them; rebooked for the following week.",
                    booked_by_id=worker,
                    recorded_by_id=worker,
                )
        participation = weighted(
            rng,
            [
                (ParentParticipation.ALL, 0.5),
                (ParentParticipation.SOME, 0.32),
                (ParentParticipation.NONE, 0.15),
                (ParentParticipation.EXCLUDED, 0.03),
            ],
        )
        if age < 4:
            child, band = ChildParticipation.PN0, "young"
        else:
            band = "child" if age < 12 else "teen"
            options = (
                [("PN5", 3), ("PN6", 4), ("PN7", 2), ("PN4", 0.5)]
                if band == "child"
                else [("PN1", 2), ("PN2", 1), ("PN5", 2), ("PN6", 3), ("PN7", 1.5), ("PN3", 0.2)]
            )
            child = weighted(rng, options)
        views = "" if child == ChildParticipation.PN7 else rng.choice(CHILD_VIEWS[band])
        label = CategoryOfAbuse(category).label.lower()
        key = "continue" if continuing else decision
        rationale = rng.choice(CHAIR_RATIONALE[key]).format(**fill, label=label)
        dissent = ""
        if rng.random() < DISSENT:
            alternative = (
                "continued the plan"
                if decision == ConferenceDecision.END_PLAN
                else "made a plan"
                if decision == ConferenceDecision.NO_PLAN
                else "waited for the police enquiry"
            )
            dissent = rng.choice(DISSENT_TEXT).format(**fill, alternative=alternative)
        invited: list[str] = [A.SOCIAL_CARE, A.POLICE, A.HEALTH]
        invited.append(A.EDUCATION if age >= 4 else A.EARLY_YEARS)
        invited += [a for a, _, p in EXTRA_AGENCIES if rng.random() < p]
        attended: dict[str, bool] = {}
        for agency in invited:
            attended[agency] = agency == A.SOCIAL_CARE or rng.random() < 0.85
        others = sum(attended[a] for a in invited if a != A.SOCIAL_CARE)
        with_category = decision in (ConferenceDecision.PLAN, ConferenceDecision.END_PLAN)
        pk = self.conferences.add(
            person_id=episode["person_id"],
            episode_id=episode["pk"],
            kind=kind,
            status=ConferenceStatus.HELD,
            section_47_id=section_47,
            plan_id=plan,
            scheduled_on=booked,
            held_on=day,
            chair_id=chair,
            parent_participation=participation,
            parents_views=rng.choice(PARENTS_VIEWS[participation]).format(**fill),
            child_participation=child,
            child_views=views.format(**fill),
            decision=decision,
            initial_category=category if initial and decision == ConferenceDecision.PLAN else "",
            latest_category=category if with_category else "",
            chair_rationale=rationale,
            dissent=dissent,
            is_quorate=others >= 2,
            booked_by_id=worker,
            recorded_by_id=chair,
        )
        for agency in invited:
            who = (
                self.staff.names.get(worker or 0, "Allocated social worker")
                if agency == A.SOCIAL_CARE
                else self.agency_person(agency, age)
            )
            report: bool | None = None
            if agency in (A.SOCIAL_CARE, A.POLICE, A.HEALTH, A.EDUCATION, A.EARLY_YEARS):
                report = rng.random() < REPORT_ON_TIME
            self.conference_agencies.add(
                conference_id=pk,
                agency=agency,
                name=who[:200],
                attended=attended[agency],
                report_on_time=report,
            )
        return pk

    def plan(
        self,
        episode: dict[str, Any],
        path: ProtectionPath,
        conference_id: int,
        worker: int | None,
        team: int | None,
        fill: dict[str, str],
    ) -> None:
        rng = self.rng
        start = path.icpc_on
        assert start is not None
        person = episode["person_id"]
        dob = episode["person__date_of_birth"]
        end = path.plan_end
        plan_id = self.plans.add(
            kind=PlanKind.CP,
            person_id=person,
            episode_id=episode["pk"],
            start_date=start,
            end_date=end,
            end_reason=END_REASON[path.step_down] if end else "",
            contingency=CONTINGENCY.format(**fill),
            worker_id=worker,
            team_id=team,
            created_by_id=worker,
        )
        self.counts["cp_plans"] += 1
        self.conferences.set(conference_id, plan_id=plan_id)
        self.event(person, "cp-plan-start", start, f"plans.plan:{plan_id}")
        if end is not None:
            self.event(person, "cp-plan-end", end, f"plans.plan:{plan_id}:end")
            if path.step_down:
                self.step_down.add(plan_id)
        # Danger statements and actions.
        stop = min(end or self.latest, self.latest)
        own = list(CP_THEMES[path.category])
        rng.shuffle(own)
        count = rng.randint(2, 4)
        chosen = own[:count]
        pool = [t for t in GENERAL_THEMES if t not in chosen]
        chosen += rng.sample(pool, max(0, count - len(chosen)))
        need_ids = []
        for order, theme in enumerate(chosen, start=1):
            statement = theme.statement.format(name=fill["name"])
            need_ids.append(
                self.needs.add(
                    plan_id=plan_id,
                    kind=NeedKind.RISK,
                    statement=statement,
                    safety_goal=theme.safety_goal.format(name=fill["name"]),
                    order=order,
                    word_count=len(statement.split()),
                )
            )
        pairs = [(i, a) for i, t in enumerate(chosen) for a in t.actions]
        rng.shuffle(pairs)
        picked = [next(p for p in pairs if p[0] == i) for i in range(len(chosen))]
        wanted = rng.randint(max(3, len(chosen)), 6)
        picked += [p for p in pairs if p not in picked][: max(0, wanted - len(picked))]
        actions: list[tuple[int, dt.date, str, dt.date | None]] = []
        for index, (text, owner) in picked:
            due = start + dt.timedelta(weeks=rng.randint(1, 10))
            status, completed = action_status(rng, start, due, stop, end is not None)
            worker_owned = owner == "worker" and worker is not None
            action_id = self.actions.add(
                plan_id=plan_id,
                description=text.format(name=fill["name"]),
                owner_user_id=worker if worker_owned else None,
                owner_agency=""
                if worker_owned
                else ("Children's social care" if owner == "worker" else owner),
                due_date=due,
                status=status,
                completed_on=completed,
                progress=PROGRESS_NOTES[ActionStatus.IN_PROGRESS]
                if status == ActionStatus.IN_PROGRESS
                else "",
            )
            linked = {index}
            if len(chosen) > 1 and rng.random() < 0.3:
                linked.add(rng.choice([i for i in range(len(chosen)) if i != index]))
            for i in sorted(linked):
                self.links.add(planaction_id=action_id, planneed_id=need_ids[i])
            actions.append((action_id, due, status, completed))
        latest = path.category
        for held in path.reviews:
            ending = end is not None and held == end
            if not ending and rng.random() < CATEGORY_CHANGE:
                latest = rng.choice([c for c, _ in CATEGORIES if c != latest])
            review_id = self.conference(
                episode,
                ConferenceKind.REVIEW,
                held,
                ConferenceDecision.END_PLAN if ending else ConferenceDecision.PLAN,
                fill,
                age_on(dob, held),
                category=latest,
                initial=False,
                plan=plan_id,
                continuing=not ending,
            )
            self.event(person, "rcpc", held, f"protection.conference:{review_id}")
            self.counts["review_conferences"] += 1
        self.protection.add(
            plan_id=plan_id,
            initial_conference_id=conference_id,
            initial_category=path.category,
            latest_category=latest,
        )
        self.core_group_meetings(episode, plan_id, start, end, worker, actions, fill, dob)

    def core_group_meetings(
        self,
        episode: dict[str, Any],
        plan_id: int,
        start: dt.date,
        end: dt.date | None,
        worker: int | None,
        actions: Sequence[tuple[int, dt.date, str, dt.date | None]],
        fill: dict[str, str],
        dob: dt.date | None,
    ) -> None:
        rng, cal = self.rng, self.calendar
        stop = min(end or self.ref, self.ref)
        if rng.random() < FIRST_CORE_GROUP_ON_TIME:
            held = cal.add_working_days(start, rng.randint(3, 10))
        else:
            held = cal.add_working_days(start, rng.randint(11, 18))
        previous: dt.date | None = None
        members: list[str] = [A.SOCIAL_CARE, A.HEALTH]
        age = age_on(dob, start)
        members.append(A.EDUCATION if age >= 4 else A.EARLY_YEARS)
        members += [a for a, _, p in EXTRA_AGENCIES[:3] if rng.random() < p]
        names = {a: self.agency_person(a, age) for a in members if a != A.SOCIAL_CARE}
        while held < stop:
            if rng.random() < CORE_GROUP_ON_TIME:
                gap = rng.randint(28, 42)
                following = working_on_or_before(cal, held + dt.timedelta(days=gap))
            else:
                following = working_on_or_after(cal, held + dt.timedelta(days=rng.randint(43, 60)))
            nxt = following if following < (end or dt.date.max) else None
            pk = self.core_groups.add(
                plan_id=plan_id,
                held_on=held,
                summary=rng.choice(
                    CORE_GROUP_SUMMARY if previous else CORE_GROUP_SUMMARY[:1]
                ).format(**fill),
                child_views=rng.choice(
                    CORE_GROUP_CHILD_VIEWS[2:] if age < 4 else CORE_GROUP_CHILD_VIEWS[:2]
                ).format(**fill),
                next_meeting_on=nxt,
                recorded_by_id=worker,
            )
            self.counts["core_groups"] += 1
            self.core_attendees.add(
                core_group_id=pk,
                agency=A.SOCIAL_CARE,
                name=self.staff.names.get(worker or 0, "Allocated social worker"),
                attended=True,
            )
            for agency, who in names.items():
                self.core_attendees.add(
                    core_group_id=pk, agency=agency, name=who[:200], attended=rng.random() < 0.85
                )
            for action_id, due, status, completed in actions:
                now: str
                if completed is not None and previous is not None and completed <= previous:
                    continue  # done before the last core group: no longer discussed
                if completed is not None and completed <= held:
                    now = ActionStatus.DONE
                elif status in (ActionStatus.NOT_DONE, ActionStatus.NO_LONGER_NEEDED) and (
                    held >= due
                ):
                    now = status
                elif held >= start + dt.timedelta(days=7):
                    now = ActionStatus.IN_PROGRESS
                else:
                    now = ActionStatus.NOT_STARTED
                self.progress.add(
                    core_group_id=pk, action_id=action_id, status=now, note=PROGRESS_NOTES[now]
                )
            self.event(episode["person_id"], "core-group", held, f"protection.core_group:{pk}")
            previous, held = held, following

    def flush(self) -> None:
        for rows in (
            self.enquiries,
            self.discussions,
            self.attendees,
            self.strategy_actions,
            self.plans,
            self.conferences,
            self.conference_agencies,
            self.protection,
            self.needs,
            self.actions,
            self.links,
            self.core_groups,
            self.core_attendees,
            self.progress,
            self.events,
        ):
            rows.write()


@register_step("child-protection", order=123)
def generate_child_protection(ctx: GenerationContext) -> None:
    paths: dict[int, ProtectionPath] = ctx.handover.get("frontdoor.protection", {})
    if not paths:
        return
    calendar = working_calendar()
    writer = Writer(ctx, calendar)
    episodes = (
        ChildInNeedEpisode.objects.filter(pk__in=list(paths))
        .order_by("referral_date", "pk")
        .values(
            "pk",
            "person_id",
            "referral_date",
            "closure_date",
            "referral_worker_id",
            "referral_team_id",
            "person__forename",
            "person__date_of_birth",
        )
    )
    for episode in ctx.progress(episodes, desc="Child protection", unit="episodes"):
        writer.write(dict(episode), paths[episode["pk"]])
    writer.flush()
    ctx.handover["protection.step_down_plans"] = writer.step_down
    subjects = sorted((SubjectType.CHILD.value, pk) for pk in writer.children)
    local = local_periods()
    written = 0
    batches = range(0, len(subjects), REDERIVE_BATCH)
    for start in ctx.progress(
        batches, desc="Deadlines", total=math.ceil(len(subjects) / REDERIVE_BATCH), unit="batch"
    ):
        written += timescales.rederive(
            subjects[start : start + REDERIVE_BATCH], calendar=calendar, local=local
        )
    ctx.counts["timescales.deadline"] += written
    counts = writer.counts
    ctx.summary.update(
        strategy_discussions=counts["strategy_discussions"],
        section_47_enquiries=counts["section_47_enquiries"],
        initial_conferences=counts["initial_conferences"],
        cp_plans=counts["cp_plans"],
        cp_plans_open=sum(
            1 for p in paths.values() if p.plan and p.plan_end is None and p.icpc_on is not None
        ),
    )
