"""The statutory and local-practice timescales: immutable definitions, reviewed like any code.

Every rule names the event that starts its clock, its period, the events that meet, pause, extend or
cancel it, whether it repeats, and when it applies. Sources: `docs/timescales.md` and the
shared domain reference (§1). Local-practice rules carry a default that each council may change on
the local standards page; statutory rules cannot be changed there.

Codes are a public interface (other tools call them): never rename one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from . import calendar as cal


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    HOURS = "hours"
    TERMS = "terms"


UNIT_WORDS = {
    Unit.WORKING_DAYS: ("working day", "working days"),
    Unit.DAYS: ("day", "days"),
    Unit.WEEKS: ("week", "weeks"),
    Unit.MONTHS: ("month", "months"),
    Unit.HOURS: ("hour", "hours"),
    Unit.TERMS: ("school term", "school terms"),
}

# Units a council may choose for a local standard.
LOCAL_UNITS = (Unit.WORKING_DAYS, Unit.DAYS, Unit.WEEKS, Unit.MONTHS)


class RuleStatus(StrEnum):
    STATUTE = "statute"
    STATUTORY_GUIDANCE = "statutory_guidance"
    LOCAL = "local"

    @property
    def label(self) -> str:
        return {
            "statute": "Statute or regulation",
            "statutory_guidance": "Statutory guidance",
            "local": "Local practice standard",
        }[self.value]


class SubjectType(StrEnum):
    CHILD = "child"
    WORKER = "worker"
    CONTACT = "contact"  # a contact at the front door, before or after it is linked to a child


class Area(StrEnum):
    FRONT_DOOR = "Front door and assessment"
    CHILD_PROTECTION = "Child in need and child protection"
    CHILDREN_IN_CARE = "Children in care"
    CARE_LEAVERS = "Care leavers"
    COURT = "Courts"
    WORKFORCE = "Workforce and oversight"


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("A period cannot be negative")

    def describe(self) -> str:
        singular, plural = UNIT_WORDS[self.unit]
        return f"{self.amount} {singular if self.amount == 1 else plural}"

    @property
    def is_hours(self) -> bool:
        return self.unit is Unit.HOURS


# --- events ------------------------------------------------------------------------------------

# The events clocks are built from: name → how an explanation names it. Services record these
# names (`services.record_event`); the command line accepts them after --event.
EVENTS: Mapping[str, str] = {
    "birth": "date of birth",
    "contact": "the contact",
    "contact-rated-red": "the contact (rated red)",
    "contact-rated-amber": "the contact (rated amber)",
    "contact-rated-green": "the contact (rated green)",
    "contact-decision": "the decision on the contact",
    "referral": "the referral",
    "referral-nfa": "the decision to take no further action",
    "significant-harm-concern": "the concern of significant harm",
    "strategy-discussion": "the strategy discussion",
    "strategy-discussion-s47": "the strategy discussion",
    "assessment-completed": "the authorised assessment",
    "episode-closed": "the case closure",
    "icpc": "the initial child protection conference",
    "icpc-not-required": "the decision that no conference was needed",
    "cp-plan-start": "the initial child protection conference",
    "cp-plan-end": "the end of the child protection plan",
    "core-group": "the core group",
    "rcpc": "the review conference",
    "cp-visit": "the visit",
    "cin-plan-start": "the start of the child in need plan",
    "cin-plan-end": "the end of the child in need plan",
    "cin-review": "the child in need review",
    "cin-visit": "the visit",
    "became-looked-after": "becoming looked after",
    "ceased-looked-after": "ceasing to be looked after",
    "placement-start": "the start of the placement",
    "care-plan": "the care plan",
    "placement-plan": "the placement plan",
    "cla-review": "the review",
    "cla-visit": "the visit",
    "visit-frequency-agreed": "the child's agreement to visits every 6 months",
    "health-assessment": "the health assessment",
    "pep": "the personal education plan",
    "permanence-plan": "the permanence plan",
    "missing-return": "the child's return",
    "rhi-offered": "the return home interview offer",
    "risk-assessment": "the risk assessment",
    "risk-closed": "the decision that the risk no longer applies",
    "eligibility": "becoming an eligible child (16th birthday, or later eligibility)",
    "pathway-needs-assessment": "the needs assessment",
    "pathway-plan": "the pathway plan",
    "pathway-plan-review": "the pathway plan review",
    "pa-appointed": "the personal adviser's appointment",
    "pa-contact": "the contact",
    "leaving-care-ended": "the end of leaving care support",
    "police-protection-start": "the child being taken into police protection",
    "police-protection-end": "the end of police protection",
    "epo-start": "the emergency protection order",
    "epo-extended": "the extension of the emergency protection order",
    "epo-end": "the end of the emergency protection order",
    "proceedings-issued": "the issue of proceedings",
    "proceedings-extended": "the court's extension",
    "proceedings-concluded": "the final order",
    "joined": "the start of employment",
    "left": "the end of employment",
    "supervision": "the supervision",
    "asye-start": "the start of the assessed and supported year",
    "asye-end": "the end of the assessed and supported year",
    "leave-start": "the start of long leave",
    "leave-end": "the return from long leave",
    "escalation-raised": "the escalation",
    "escalation-responded": "the response to the escalation",
    "escalation-risen": "the escalation rising to the next stage unanswered",
    "escalation-withdrawn": "the withdrawal of the escalation",
}


@dataclass(frozen=True)
class Event:
    """Something that happened to a subject on a date (or, for hour clocks, at a time)."""

    name: str
    at: dt.date | dt.datetime
    key: str = ""  # ties clocks to their record (one placement, one escalation…)
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def day(self) -> dt.date:
        if isinstance(self.at, dt.datetime):
            return self.at.astimezone(cal.LONDON).date() if self.at.tzinfo else self.at.date()
        return self.at

    @property
    def label(self) -> str:
        return EVENTS.get(self.name, self.name)


# --- conditions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockContext:
    """What a condition may look at: the event that started the clock, the date the current period
    runs from, and the subject's events up to then."""

    start: Event
    since: dt.date
    events: Sequence[Event]

    def last(self, name: str) -> Event | None:
        found = [e for e in self.events if e.name == name and e.day <= self.since]
        return found[-1] if found else None


@dataclass(frozen=True)
class Condition:
    description: str
    test: Callable[[ClockContext], bool]
    needs: tuple[str, ...] = ()  # events without which the condition cannot be decided

    def holds(self, ctx: ClockContext) -> bool:
        return self.test(ctx)

    def __and__(self, other: Condition) -> Condition:
        return Condition(
            f"{self.description} and {other.description}",
            lambda ctx: self.holds(ctx) and other.holds(ctx),
            self.needs + other.needs,
        )


def age_under(years: int) -> Condition:
    def test(ctx: ClockContext) -> bool:
        birth = ctx.last("birth")
        return birth is not None and ctx.since < cal.add_years(birth.day, years)

    return Condition(f"the child was under {years}", test, needs=("birth",))


def start_attribute(name: str, description: str, value: object = True) -> Condition:
    return Condition(description, lambda ctx: ctx.start.attributes.get(name) == value)


def months_since_start(months: int, description: str) -> Condition:
    return Condition(description, lambda ctx: ctx.since >= cal.add_months(ctx.start.day, months))


def no_event_since_start(name: str, description: str) -> Condition:
    return Condition(
        description,
        lambda ctx: (
            not any(e.name == name and ctx.start.day <= e.day <= ctx.since for e in ctx.events)
        ),
    )


def event_since_start(name: str, description: str) -> Condition:
    return Condition(
        description,
        lambda ctx: any(e.name == name and ctx.start.day <= e.day <= ctx.since for e in ctx.events),
    )


def within_span(opens: str, closes: str, description: str) -> Condition:
    def test(ctx: ClockContext) -> bool:
        opened, closed = ctx.last(opens), ctx.last(closes)
        return opened is not None and (closed is None or closed.day < opened.day)

    return Condition(description, test)


def not_short_breaks() -> Condition:
    def test(ctx: ClockContext) -> bool:
        entered = ctx.last("became-looked-after")
        return entered is None or entered.attributes.get("legal_status") not in SHORT_BREAKS

    return Condition(
        "the child is not looked after under a series of short breaks (legal status V3 or V4: "
        "regulation 48 sets their own visits and reviews)",
        test,
    )


SHORT_BREAKS = frozenset({"V3", "V4"})


def in_force_from(day: dt.date, description: str) -> Condition:
    return Condition(description, lambda ctx: ctx.since >= day)


# --- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One period a rule can take, and when. A rule's cases are tried in order; the first whose
    condition holds sets the period. `key` names the case on the local standards page."""

    key: str
    period: Period
    when: Condition | None = None
    label: str = (
        ""  # why this period applies, for explanations ("in the first year of the placement")
    )


@dataclass(frozen=True)
class Window:
    """The stretch of a record a rule lives in (a plan, a period of care); clocks close with it."""

    opens: str
    closes: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class StartsOn:
    """The event that starts the clock; `nth` counts within the window (1 = the first review)."""

    event: str
    nth: int | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    short: str  # how an explanation opens: "ICPC due 9 May 2025: …"
    area: Area
    subject: SubjectType
    source: str
    status: RuleStatus
    starts_on: StartsOn
    cases: tuple[Case, ...]
    met_by: tuple[str, ...]
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    window: Window | None = None
    repeats: bool = False  # the next period runs from the event that met the last one
    restarts: bool = (
        False  # a new start event replaces an unmet clock ("the last strategy discussion")
    )
    cancelled_by: tuple[str, ...] = ()
    paused_by: tuple[str, ...] = ()
    resumed_by: tuple[str, ...] = ()
    extended_by: tuple[str, Period] | None = None
    due_by_event: StartsOn | None = (
        None  # due no later than this event (permanence: the 2nd review)
    )
    then: Period | None = None  # a second period added after the first (20 WD, then 3 months)
    applies: Condition | None = None  # when false at the start, the clock does not apply
    applies_when: str = ""  # plain words: when the rule applies
    notes: str = ""

    @property
    def is_local(self) -> bool:
        return self.status is RuleStatus.LOCAL

    @property
    def default_period(self) -> Period:
        return self.cases[-1].period

    @property
    def needs(self) -> tuple[str, ...]:
        """Events a clock cannot be worked out without (besides its start)."""
        return tuple(sorted({n for c in self.cases if c.when for n in c.when.needs}))

    def case(self, key: str) -> Case:
        for candidate in self.cases:
            if candidate.key == key:
                return candidate
        raise KeyError(key)


NOT_SHORT_BREAKS = not_short_breaks()
INTERIM_WITH_PARENT = start_attribute(
    "arrangement",
    "placed with a parent under an interim care order or with a temporarily approved connected "
    "person",
    "interim-parent-or-connected",
)
WITH_PARENT_BEFORE_ASSESSMENT = start_attribute(
    "arrangement",
    "placed with a parent before the assessment is complete",
    "parent-before-assessment",
)
BEFORE_FIRST_REVIEW = no_event_since_start("cla-review", "before the first review")
CP_PLAN = Window("cp-plan-start", ("cp-plan-end",), "the child protection plan")
CIN_PLAN = Window("cin-plan-start", ("cin-plan-end",), "the child in need plan")
IN_CARE = Window("became-looked-after", ("ceased-looked-after",), "the period of care")
EMPLOYMENT = Window("joined", ("left",), "employment")
RISK = Window("risk-assessment", ("risk-closed",), "the identified risk")
PATHWAY = Window("pathway-plan", ("leaving-care-ended",), "leaving care support")
PA = Window("pa-appointed", ("leaving-care-ended",), "leaving care support")

WT = (
    "Working Together to Safeguard Children 2023, chapter 1 "
    "(unchanged from the 2018 and 2013 editions)"
)
WT_FROM = dt.date(2013, 4, 15)  # Working Together 2013 came into force (single assessment, 45 WD)
CPPCR = "Care Planning, Placement and Case Review (England) Regulations 2010"
CPPCR_FROM = dt.date(2011, 4, 1)
CLR = "Care Leavers (England) Regulations 2010"
CA1989_FROM = dt.date(1991, 10, 14)  # the Children Act 1989 came into force
LOCAL_SOURCE = "Local practice standard set by the council"


def _one(key: str, amount: int, unit: Unit) -> tuple[Case, ...]:
    return (Case(key, Period(amount, unit)),)


WD, D, W, M, H = Unit.WORKING_DAYS, Unit.DAYS, Unit.WEEKS, Unit.MONTHS, Unit.HOURS

RULES_IN_ORDER: tuple[Rule, ...] = (
    # Front door and assessment ---------------------------------------------------------------
    Rule(
        code="referral-decision",
        title="Decision on a contact or referral",
        short="Referral decision",
        area=Area.FRONT_DOOR,
        subject=SubjectType.CONTACT,
        source=WT,
        status=RuleStatus.STATUTORY_GUIDANCE,
        effective_from=WT_FROM,
        starts_on=StartsOn("contact"),
        cases=_one("default", 1, WD),
        met_by=("contact-decision",),
        notes="From the time the contact was received. The referrer is told the decision.",
    ),
    *(
        Rule(
            code=f"contact-{rating}",
            title=f"Response to a {rating}-rated contact",
            short=f"{rating.capitalize()} contact decision",
            area=Area.FRONT_DOOR,
            subject=SubjectType.CONTACT,
            source="Local MASH protocol (response times by rating)",
            status=RuleStatus.LOCAL,
            starts_on=StartsOn(f"contact-rated-{rating}"),
            cases=_one("default", days, WD),
            met_by=("contact-decision",),
            notes="From the time the contact was received; 0 working days means the same day.",
        )
        for rating, days in (("red", 0), ("amber", 1), ("green", 3))
    ),
    Rule(
        code="strategy-discussion",
        title="Strategy discussion after a concern of significant harm",
        short="Strategy discussion",
        area=Area.FRONT_DOOR,
        subject=SubjectType.CHILD,
        source=f'{WT} ("as soon as possible"); period set locally',
        status=RuleStatus.LOCAL,
        starts_on=StartsOn("significant-harm-concern"),
        cases=_one("default", 1, WD),
        met_by=("strategy-discussion", "strategy-discussion-s47"),
    ),
    Rule(
        code="assessment",
        title="Child and family assessment completed",
        short="Assessment",
        area=Area.FRONT_DOOR,
        subject=SubjectType.CHILD,
        source=WT,
        status=RuleStatus.STATUTORY_GUIDANCE,
        effective_from=WT_FROM,
        starts_on=StartsOn("referral"),
        cases=_one("default", 45, WD),
        met_by=("assessment-completed",),
        cancelled_by=("referral-nfa",),
        notes="45 working days at most; the clock runs from the referral, not the allocation.",
    ),
    # Child in need and child protection ------------------------------------------------------
    Rule(
        code="icpc",
        title="Initial child protection conference",
        short="ICPC",
        area=Area.CHILD_PROTECTION,
        subject=SubjectType.CHILD,
        source=WT,
        status=RuleStatus.STATUTORY_GUIDANCE,
        effective_from=WT_FROM,
        starts_on=StartsOn("strategy-discussion-s47"),
        cases=_one("default", 15, WD),
        met_by=("icpc",),
        restarts=True,
        cancelled_by=("icpc-not-required",),
        notes="From the strategy discussion at which the section 47 enquiry was started (the last, "
        "if there were several). The CIN census measures from the enquiry's start instead.",
    ),
    Rule(
        code="core-group-first",
        title="First core group",
        short="First core group",
        area=Area.CHILD_PROTECTION,
        subject=SubjectType.CHILD,
        source="Working Together to Safeguard Children 2018, chapter 1 (kept in local procedures "
        "under the 2023 edition)",
        status=RuleStatus.STATUTORY_GUIDANCE,
        effective_from=WT_FROM,
        window=CP_PLAN,
        starts_on=StartsOn("cp-plan-start"),
        cases=_one("default", 10, WD),
        met_by=("core-group",),
    ),
    Rule(
        code="core-group",
        title="Core group meetings",
        short="Core group",
        area=Area.CHILD_PROTECTION,
        subject=SubjectType.CHILD,
        source=LOCAL_SOURCE,
        status=RuleStatus.LOCAL,
        window=CP_PLAN,
        starts_on=StartsOn("core-group", nth=1),
        cases=_one("default", 6, W),
        met_by=("core-group",),
        repeats=True,
    ),
    Rule(
        code="rcpc-first",
        title="First review child protection conference",
        short="First review conference",
        area=Area.CHILD_PROTECTION,
        subject=SubjectType.CHILD,
        source=WT,
        status=RuleStatus.STATUTORY_GUIDANCE,
        effective_from=WT_FROM,
        window=CP_PLAN,
        starts_on=StartsOn("cp-plan-start"),
        cases=_one("default", 3, M),
        met_by=("rcpc",),
    ),
    Rule(
        code="rcpc-next",
        title="Later review child protection conferences",
        short="Review conference",
        area=Area.CHILD_PROTECTION,
        subject=SubjectType.CHILD,
        source=WT,
        status=RuleStatus.STATUTORY_GUIDANCE,
        effective_from=WT_FROM,
        window=CP_PLAN,
        starts_on=StartsOn("rcpc", nth=1),
        cases=_one("default", 6, M),
        met_by=("rcpc",),
        repeats=True,
    ),
    Rule(
        code="cp-visit",
        title="Visits to a child on a child protection plan",
        short="Child protection visit",
        area=Area.CHILD_PROTECTION,
        subject=SubjectType.CHILD,
        source=f"{LOCAL_SOURCE} (Working Together sets no national frequency)",
        status=RuleStatus.LOCAL,
        window=CP_PLAN,
        starts_on=StartsOn("cp-plan-start"),
        cases=_one("default", 10, WD),
        met_by=("cp-visit",),
        repeats=True,
    ),
    Rule(
        code="cin-review",
        title="Child in need plan reviews",
        short="Child in need review",
        area=Area.CHILD_PROTECTION,
        subject=SubjectType.CHILD,
        source=LOCAL_SOURCE,
        status=RuleStatus.LOCAL,
        window=CIN_PLAN,
        starts_on=StartsOn("cin-plan-start"),
        cases=_one("default", 3, M),
        met_by=("cin-review",),
        repeats=True,
    ),
    Rule(
        code="cin-visit",
        title="Visits to a child on a child in need plan",
        short="Child in need visit",
        area=Area.CHILD_PROTECTION,
        subject=SubjectType.CHILD,
        source=LOCAL_SOURCE,
        status=RuleStatus.LOCAL,
        window=CIN_PLAN,
        starts_on=StartsOn("cin-plan-start"),
        cases=_one("default", 20, WD),
        met_by=("cin-visit",),
        repeats=True,
    ),
    # Children in care ------------------------------------------------------------------------
    Rule(
        code="care-plan",
        title="Care plan",
        short="Care plan",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source=f"{CPPCR}, regulation 4",
        status=RuleStatus.STATUTE,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("placement-start", nth=1),
        cases=_one("default", 10, WD),
        met_by=("care-plan",),
        notes="Before the first placement; if not practicable, within 10 working days of it.",
    ),
    Rule(
        code="placement-plan",
        title="Placement plan",
        short="Placement plan",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source=f"{CPPCR}, regulation 9",
        status=RuleStatus.STATUTE,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("placement-start"),
        cases=_one("default", 5, WD),
        met_by=("placement-plan",),
        restarts=True,
        notes="For every placement: before it starts, or within 5 working days.",
    ),
    Rule(
        code="cla-review-first",
        title="First review of a child in care",
        short="First review",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source=f"{CPPCR}, regulation 33",
        status=RuleStatus.STATUTE,
        applies=NOT_SHORT_BREAKS,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("became-looked-after"),
        cases=_one("default", 20, WD),
        met_by=("cla-review",),
    ),
    Rule(
        code="cla-review-second",
        title="Second review of a child in care",
        short="Second review",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source=f"{CPPCR}, regulation 33",
        status=RuleStatus.STATUTE,
        applies=NOT_SHORT_BREAKS,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("cla-review", nth=1),
        cases=_one("default", 3, M),
        met_by=("cla-review",),
    ),
    Rule(
        code="cla-review-next",
        title="Later reviews of a child in care",
        short="Review",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source=f"{CPPCR}, regulations 32 and 33",
        status=RuleStatus.STATUTE,
        applies=NOT_SHORT_BREAKS,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("cla-review", nth=2),
        cases=_one("default", 6, M),
        met_by=("cla-review",),
        repeats=True,
    ),
    Rule(
        code="cla-visit-first-week",
        title="Visit in the first week of a placement",
        short="First-week visit",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source=f"{CPPCR}, regulation 28(2)(a)",
        status=RuleStatus.STATUTE,
        applies=NOT_SHORT_BREAKS,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("placement-start"),
        cases=_one("default", 7, D),
        met_by=("cla-visit",),
        restarts=True,
        notes="Every placement, including each move.",
    ),
    Rule(
        code="cla-visit",
        title="Statutory visits to a child in care",
        short="Statutory visit",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source=f"{CPPCR}, regulation 28",
        status=RuleStatus.STATUTE,
        applies=NOT_SHORT_BREAKS,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("placement-start"),
        restarts=True,
        cases=(
            Case(
                "with-parent-or-connected-person-until-review",
                Period(1, W),
                INTERIM_WITH_PARENT & BEFORE_FIRST_REVIEW,
                "weekly until the first review: placed with a parent under an interim care order "
                "or with a temporarily approved connected person (regulation 28(4))",
            ),
            Case(
                "with-parent-or-connected-person",
                Period(4, W),
                INTERIM_WITH_PARENT,
                "at most 4 weeks apart after the first review: placed with a parent under an "
                "interim care order or with a temporarily approved connected person",
            ),
            Case(
                "with-parent-before-assessment-until-review",
                Period(1, W),
                WITH_PARENT_BEFORE_ASSESSMENT & BEFORE_FIRST_REVIEW,
                "weekly until the first review: placed with a parent before the parent assessment "
                "is complete (regulation 28(3))",
            ),
            Case(
                "long-term-foster-agreed",
                Period(6, M),
                start_attribute("long_term_foster", "a long-term foster placement")
                & months_since_start(12, "over a year old")
                & event_since_start("visit-frequency-agreed", "the child agrees")
                & in_force_from(dt.date(2015, 4, 1), "from April 2015"),
                "at most 6 months apart: a long-term foster placement over a year old, and the "
                "child agrees (regulation 28(3A))",
            ),
            Case(
                "long-term-after-first-year",
                Period(3, M),
                start_attribute("long_term", "a placement meant to last until 18")
                & months_since_start(12, "after its first year"),
                "at most 3 months apart after the first year of a placement meant to last until "
                "the child is 18 (regulation 28(2)(c))",
            ),
            Case(
                "default",
                Period(6, W),
                None,
                "at most 6 weeks apart in the first year of a placement, or in any placement not "
                "meant to last until 18 (regulation 28(2)(b))",
            ),
        ),
        met_by=("cla-visit",),
        repeats=True,
        applies_when="Every child in care; the interval depends on the placement, its age and the "
        "child's agreement.",
    ),
    Rule(
        code="health-assessment-initial",
        title="Initial health assessment",
        short="Initial health assessment",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source=f"{CPPCR}, regulation 7; Promoting the health and wellbeing of looked-after "
        "children (DfE and DHSC, 2015)",
        status=RuleStatus.STATUTE,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("became-looked-after"),
        cases=_one("default", 20, WD),
        met_by=("health-assessment",),
        notes="In time to inform the first review. Not needed if one was done in the previous "
        "3 months: record that assessment's date.",
    ),
    Rule(
        code="health-assessment-review",
        title="Review health assessments",
        short="Review health assessment",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source=f"{CPPCR}, regulation 7; Promoting the health and wellbeing of looked-after "
        "children (DfE and DHSC, 2015)",
        status=RuleStatus.STATUTE,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("health-assessment", nth=1),
        cases=(
            Case(
                "under-5", Period(6, M), age_under(5), "every 6 months while the child is under 5"
            ),
            Case("default", Period(12, M), None, "every 12 months from the age of 5"),
        ),
        met_by=("health-assessment",),
        repeats=True,
        applies_when="The interval depends on the child's age at the last assessment.",
    ),
    Rule(
        code="pep-initial",
        title="Personal education plan",
        short="Personal education plan",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source="Promoting the education of looked-after and previously looked-after children "
        "(DfE, 2018)",
        status=RuleStatus.STATUTORY_GUIDANCE,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("became-looked-after"),
        cases=_one("default", 10, WD),
        met_by=("pep",),
    ),
    Rule(
        code="pep-review",
        title="Personal education plan reviews",
        short="PEP review",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source="Promoting the education of looked-after and previously looked-after children "
        "(DfE, 2018)",
        status=RuleStatus.STATUTORY_GUIDANCE,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("pep", nth=1),
        cases=(
            Case(
                "default",
                Period(1, Unit.TERMS),
                None,
                "once each school term (terms: spring January–March, summer April–August, "
                "autumn September–December)",
            ),
        ),
        met_by=("pep",),
        repeats=True,
    ),
    Rule(
        code="permanence-plan",
        title="Plan for permanence",
        short="Permanence plan",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source="Children Act 1989 guidance and regulations volume 2: care planning, placement and "
        "case review (2015)",
        status=RuleStatus.STATUTORY_GUIDANCE,
        effective_from=CPPCR_FROM,
        window=IN_CARE,
        starts_on=StartsOn("became-looked-after"),
        cases=_one("default", 20, WD),
        then=Period(3, M),
        due_by_event=StartsOn("cla-review", nth=2),
        met_by=("permanence-plan",),
        notes="By the second review: at the latest 20 working days and then 3 months after "
        "becoming looked after, or the second review's date if it is held earlier.",
    ),
    Rule(
        code="rhi",
        title="Return home interview offered",
        short="Return home interview",
        area=Area.CHILDREN_IN_CARE,
        subject=SubjectType.CHILD,
        source="Statutory guidance on children who run away or go missing from home or care "
        "(DfE, 2014)",
        status=RuleStatus.STATUTORY_GUIDANCE,
        effective_from=dt.date(2014, 1, 1),
        starts_on=StartsOn("missing-return"),
        cases=_one("default", 72, H),
        met_by=("rhi-offered",),
        notes="For any child who has been missing, in care or not. Counted in elapsed hours.",
    ),
    Rule(
        code="risk-assessment-review",
        title="Exploitation risk assessment review",
        short="Risk assessment review",
        area=Area.CHILD_PROTECTION,
        subject=SubjectType.CHILD,
        source=LOCAL_SOURCE,
        status=RuleStatus.LOCAL,
        window=RISK,
        starts_on=StartsOn("risk-assessment", nth=1),
        cases=_one("default", 3, M),
        met_by=("risk-assessment",),
        repeats=True,
    ),
    # Care leavers ----------------------------------------------------------------------------
    Rule(
        code="pathway-needs-assessment",
        title="Needs assessment for the pathway plan",
        short="Pathway needs assessment",
        area=Area.CARE_LEAVERS,
        subject=SubjectType.CHILD,
        source=f"{CPPCR}, regulation 42",
        status=RuleStatus.STATUTE,
        effective_from=CPPCR_FROM,
        starts_on=StartsOn("eligibility"),
        cases=_one("default", 3, M),
        met_by=("pathway-needs-assessment",),
        notes="From the 16th birthday, or the date the young person became eligible if later.",
    ),
    Rule(
        code="pathway-plan-review",
        title="Pathway plan reviews",
        short="Pathway plan review",
        area=Area.CARE_LEAVERS,
        subject=SubjectType.CHILD,
        source=f"{CPPCR}, regulation 43; {CLR}, regulation 7",
        status=RuleStatus.STATUTE,
        effective_from=CPPCR_FROM,
        window=PATHWAY,
        starts_on=StartsOn("pathway-plan", nth=1),
        cases=_one("default", 6, M),
        met_by=("pathway-plan-review",),
        repeats=True,
    ),
    Rule(
        code="pa-contact",
        title="Personal adviser contact",
        short="Personal adviser contact",
        area=Area.CARE_LEAVERS,
        subject=SubjectType.CHILD,
        source=f"{CLR}, regulation 8",
        status=RuleStatus.STATUTE,
        effective_from=CPPCR_FROM,
        window=PA,
        starts_on=StartsOn("pa-appointed"),
        cases=_one("default", 8, W),
        met_by=("pa-contact",),
        repeats=True,
        notes="At intervals of not more than 2 months (8 weeks).",
    ),
    # Courts ----------------------------------------------------------------------------------
    Rule(
        code="police-protection",
        title="Police protection ended",
        short="Police protection",
        area=Area.COURT,
        subject=SubjectType.CHILD,
        source="Children Act 1989, section 46(6)",
        status=RuleStatus.STATUTE,
        effective_from=CA1989_FROM,
        starts_on=StartsOn("police-protection-start"),
        cases=_one("default", 72, H),
        met_by=("police-protection-end",),
        notes="No child may be kept in police protection for more than 72 hours, counted in "
        "elapsed hours from the time the child was taken into police protection. One clock for "
        "each time (keyed by the record).",
    ),
    Rule(
        code="epo",
        title="Emergency protection order ended",
        short="Emergency protection order",
        area=Area.COURT,
        subject=SubjectType.CHILD,
        source="Children Act 1989, section 45(1) and (5)",
        status=RuleStatus.STATUTE,
        effective_from=CA1989_FROM,
        starts_on=StartsOn("epo-start"),
        cases=_one("default", 8, D),
        met_by=("epo-end",),
        extended_by=("epo-extended", Period(7, D)),
        notes="An order has effect for at most 8 days from the day it was made; the court may "
        "extend it once, by up to 7 days (section 45(5) and (6)). The clock counts the longest "
        "the law allows: 7 days for the extension, whatever the court granted.",
    ),
    Rule(
        code="proceedings",
        title="Care or supervision proceedings concluded",
        short="Proceedings",
        area=Area.COURT,
        subject=SubjectType.CHILD,
        source="Children Act 1989, section 32 (as amended by the Children and Families Act 2014, "
        "section 14)",
        status=RuleStatus.STATUTE,
        effective_from=dt.date(2014, 4, 22),
        starts_on=StartsOn("proceedings-issued"),
        cases=_one("default", 26, W),
        met_by=("proceedings-concluded",),
        extended_by=("proceedings-extended", Period(8, W)),
        notes="Each extension granted by the court adds up to 8 weeks.",
    ),
    # Workforce -------------------------------------------------------------------------------
    Rule(
        code="supervision",
        title="Supervision of a social worker",
        short="Supervision",
        area=Area.WORKFORCE,
        subject=SubjectType.WORKER,
        source=LOCAL_SOURCE,
        status=RuleStatus.LOCAL,
        window=EMPLOYMENT,
        starts_on=StartsOn("joined"),
        cases=(
            Case(
                "newly-qualified",
                Period(2, W),
                within_span("asye-start", "asye-end", "in the assessed and supported year"),
                "more often in the assessed and supported year in employment (ASYE)",
            ),
            Case("default", Period(4, W)),
        ),
        met_by=("supervision",),
        repeats=True,
        paused_by=("leave-start",),
        resumed_by=("leave-end",),
        notes="Paused during long leave (maternity, long-term sickness).",
    ),
    Rule(
        code="escalation-response",
        title="Response to an escalation",
        short="Escalation response",
        area=Area.WORKFORCE,
        subject=SubjectType.CHILD,
        source=LOCAL_SOURCE,
        status=RuleStatus.LOCAL,
        starts_on=StartsOn("escalation-raised"),
        cases=_one("default", 5, WD),
        met_by=("escalation-responded",),
        cancelled_by=("escalation-risen", "escalation-withdrawn"),
        notes="One clock for each stage of an escalation (team manager, service manager, head of "
        "service, director), from the day it reached that stage. A stage not answered in time "
        "rises to the next by itself, which closes its clock as missed; withdrawing the "
        "escalation closes the open one.",
    ),
)

RULES: Mapping[str, Rule] = {rule.code: rule for rule in RULES_IN_ORDER}


class UnknownRuleError(KeyError):
    pass


def get_rule(code: str) -> Rule:
    try:
        return RULES[code]
    except KeyError:
        raise UnknownRuleError(code) from None


def rules_for_subject(subject: SubjectType | str) -> list[Rule]:
    return [rule for rule in RULES_IN_ORDER if rule.subject == subject]
