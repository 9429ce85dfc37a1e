"""Reads for risk and missing: the exploitation flag as database conditions, a child's current risk
assessments and missing episodes, and the managers' lists. Every list is a fixed number of queries
whatever the data size; the flag is `Exists` subqueries, never a loop over children.

The flag: a child with an exploitation concern (an authorised assessment identified factor 11A,
13A or 24A in the last 12 months or in their open episode; a contact about exploitation or going
missing in the last 12 months; or a missing episode in the last 12 months) and no current child
sexual exploitation, criminal exploitation or missing risk assessment. A risk assessment is current
when it is the latest of its kind, not closed, and its review is not overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from hearth.casework.codes import EXPLOITATION_FACTORS
from hearth.casework.models import AssessmentFactorIdentified
from hearth.core.models import Team, User
from hearth.frontdoor.models import Contact
from hearth.people.models import Person
from hearth.people.policies import persons_visible_to
from hearth.timescales import calendar as cal
from hearth.timescales.engine import add_period
from hearth.timescales.models import LocalStandard
from hearth.timescales.rules import Period, Unit, get_rule
from hearth.timescales.selectors import working_calendar
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from .codes import EXPLOITATION_CONTACT_CATEGORIES, EXPLOITATION_KINDS, RiskKind
from .models import MissingEpisode, RiskAssessment

REVIEW_RULE = "risk-assessment-review"
RHI_RULE = "rhi"
CONCERN_MONTHS = 12  # factors, contacts and missing episodes this recent raise the flag
RECENT_MISSING_DAYS = 90  # the allocation queue's "missing in the last 90 days" marker
LIST_LENGTH = 8


def today() -> dt.date:
    return timezone.now().astimezone(cal.LONDON).date()


# --- the review clock, worked out by the engine --------------------------------------------------


def review_period() -> Period:
    """The council's period between risk assessment reviews (a local standard: 3 months)."""
    rule = get_rule(REVIEW_RULE)
    row = (
        LocalStandard.objects.filter(rule_code=rule.code, case_key=rule.cases[-1].key)
        .values_list("amount", "unit")
        .first()
    )
    return Period(row[0], Unit(row[1])) if row else rule.default_period


def rhi_hours() -> int:
    return get_rule(RHI_RULE).default_period.amount


@dataclass(frozen=True)
class ReviewClock:
    """The review arithmetic for one request: the period, and the calendar only if it needs one."""

    period: Period
    today: dt.date

    @classmethod
    def now(cls, day: dt.date | None = None) -> ReviewClock:
        return cls(review_period(), day or today())

    def _calendar(self) -> cal.WorkingCalendar:
        if self.period.unit is Unit.WORKING_DAYS:
            return working_calendar()
        return cal.WorkingCalendar({})

    def due(self, assessed_on: dt.date) -> dt.date:
        """When an assessment made on this date is due for review (the engine's arithmetic)."""
        moment = add_period(self._calendar(), assessed_on, self.period)
        assert isinstance(moment, dt.date)
        return moment

    @property
    def cutoff(self) -> dt.date:
        """The earliest assessment date whose review is not yet overdue today.

        The due date only moves forward as the assessment date does (months clamp to the month's
        end), so a binary search over the last 400 days finds it; 400 days is longer than any
        period a council may set.
        """
        low, high = self.today - dt.timedelta(days=400), self.today
        while low < high:
            middle = low + (high - low) // 2
            if self.due(middle) >= self.today:
                high = middle
            else:
                low = middle + dt.timedelta(days=1)
        return low


# --- conditions on a person, for Exists and filters ----------------------------------------------


def _months_ago(day: dt.date, months: int) -> dt.date:
    return cal.add_months(day, -months)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=cal.LONDON)


def exploitation_factor(person_ref: Any, day: dt.date) -> Exists:
    """An authorised assessment identified 11A, 13A or 24A: in the last 12 months, or in the
    child's open episode."""
    since = _months_ago(day, CONCERN_MONTHS)
    return Exists(
        AssessmentFactorIdentified.objects.filter(
            assessment__person_id=person_ref,
            code__in=sorted(EXPLOITATION_FACTORS),
            assessment__authorised_on__isnull=False,
        ).filter(
            Q(assessment__authorised_on__gte=since)
            | Q(assessment__episode__closure_date__isnull=True)
        )
    )


def exploitation_contact(person_ref: Any, day: dt.date) -> Exists:
    """A contact in the last 12 months whose concerns included exploitation or going missing."""
    categories = Q()
    for code in EXPLOITATION_CONTACT_CATEGORIES:
        # The categories are a JSON list; matching the quoted code works on SQLite and PostgreSQL.
        categories |= Q(submission__concern_categories__icontains=f'"{code}"')
    return Exists(
        Contact.objects.filter(
            person_id=person_ref, received_at__gte=midnight(_months_ago(day, CONCERN_MONTHS))
        ).filter(categories)
    )


def missing_since(person_ref: Any, since: dt.date) -> Exists:
    return Exists(
        MissingEpisode.objects.filter(person_id=person_ref, started_at__gte=midnight(since))
    )


def missing_recently(person_ref: Any, day: dt.date) -> Exists:
    return missing_since(person_ref, _months_ago(day, CONCERN_MONTHS))


def exploitation_concern(person_ref: Any, day: dt.date | None = None) -> Q:
    day = day or today()
    return Q(
        exploitation_factor(person_ref, day)
        | exploitation_contact(person_ref, day)
        | missing_recently(person_ref, day)
    )


def _superseded() -> Exists:
    """A later assessment of the same kind for the same child exists (ties go to the later row)."""
    return Exists(
        RiskAssessment.objects.filter(
            person_id=OuterRef("person_id"), kind=OuterRef("kind")
        ).filter(
            Q(assessed_on__gt=OuterRef("assessed_on"))
            | Q(assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk"))
        )
    )


def current_assessments(clock: ReviewClock) -> QuerySet[RiskAssessment]:
    """The latest of each kind per child, not closed, review not overdue."""
    return RiskAssessment.objects.filter(
        closed_on__isnull=True, assessed_on__gte=clock.cutoff
    ).exclude(_superseded())


def current_risk_assessment(
    person_ref: Any, clock: ReviewClock, kinds: tuple[str, ...] = EXPLOITATION_KINDS
) -> Exists:
    return Exists(current_assessments(clock).filter(person_id=person_ref, kind__in=kinds))


def needs_condition(person_ref: Any, clock: ReviewClock) -> Q:
    """As a filter on people: an exploitation concern and no current exploitation or missing
    risk assessment."""
    return exploitation_concern(person_ref, clock.today) & ~Q(
        current_risk_assessment(person_ref, clock)
    )


def needs_risk_assessment(person_ref: Any, clock: ReviewClock | None = None) -> Exists:
    """The flag as one `Exists` for the person id `person_ref` (queues annotate with it)."""
    clock = clock or ReviewClock.now()
    return Exists(
        Person.objects.filter(pk=person_ref).filter(needs_condition(OuterRef("pk"), clock))
    )


def flagged(people: QuerySet[Person], clock: ReviewClock | None = None) -> QuerySet[Person]:
    clock = clock or ReviewClock.now()
    return people.filter(needs_condition(OuterRef("pk"), clock))


# --- one child -----------------------------------------------------------------------------------


@dataclass
class KindStatus:
    kind: str
    label: str
    latest: RiskAssessment | None
    review_due: dt.date | None
    status: str  # current, due_today, overdue, closed, none
    status_label: str
    colour: str


@dataclass
class FlagReasons:
    factor: bool
    contact: bool
    missing: bool
    current: bool

    @property
    def concern(self) -> bool:
        return self.factor or self.contact or self.missing

    @property
    def raised(self) -> bool:
        return self.concern and not self.current

    @property
    def reasons(self) -> list[str]:
        found = []
        if self.factor:
            found.append("an assessment identified exploitation or gangs")
        if self.contact:
            found.append("a contact raised exploitation or going missing")
        if self.missing:
            found.append("a missing episode in the last 12 months")
        return found


def flag_reasons(person: Person | int, clock: ReviewClock | None = None) -> FlagReasons:
    """Which sources raise the child's exploitation concern, and whether a current risk
    assessment answers it: one query."""
    clock = clock or ReviewClock.now()
    pk = person if isinstance(person, int) else person.pk
    ref = OuterRef("pk")
    row = (
        Person.objects.filter(pk=pk)
        .annotate(
            f_factor=exploitation_factor(ref, clock.today),
            f_contact=exploitation_contact(ref, clock.today),
            f_missing=missing_recently(ref, clock.today),
            f_current=current_risk_assessment(ref, clock),
        )
        .values("f_factor", "f_contact", "f_missing", "f_current")
        .first()
    ) or {"f_factor": False, "f_contact": False, "f_missing": False, "f_current": False}
    return FlagReasons(
        factor=bool(row["f_factor"]),
        contact=bool(row["f_contact"]),
        missing=bool(row["f_missing"]),
        current=bool(row["f_current"]),
    )


FLAG_MESSAGE = (
    "Exploitation risk not assessed: there is a concern ({reasons}) and no current child sexual "
    "exploitation, criminal exploitation or missing risk assessment"
)


def flag_message(reasons: FlagReasons) -> str:
    return FLAG_MESSAGE.format(reasons="; ".join(reasons.reasons))


def latest_by_kind(person: Person) -> QuerySet[RiskAssessment]:
    """The latest risk assessment of each kind for the child: one query."""
    return (
        RiskAssessment.objects.filter(person=person)
        .exclude(_superseded())
        .select_related("assessor", "closed_by")
        .order_by("kind")
    )


def kind_statuses(person: Person, clock: ReviewClock) -> list[KindStatus]:
    """Every kind of risk with the latest assessment, its review date and status."""
    latest = {r.kind: r for r in latest_by_kind(person)}
    rows = []
    for kind in RiskKind:
        r = latest.get(kind.value)
        if r is None:
            rows.append(KindStatus(kind, kind.label, None, None, "none", "Not assessed", "grey"))
            continue
        if r.closed_on is not None:
            rows.append(KindStatus(kind, kind.label, r, None, "closed", "Closed", "grey"))
            continue
        due = clock.due(r.assessed_on)
        if due < clock.today:
            status, label, colour = "overdue", "Review overdue", "red"
        elif due == clock.today:
            status, label, colour = "due_today", "Review due today", "yellow"
        else:
            status, label, colour = "current", "Current", "green"
        rows.append(KindStatus(kind, kind.label, r, due, status, label, colour))
    return rows


def assessment_history(person: Person, kind: str) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(person=person, kind=kind).select_related(
        "assessor", "closed_by"
    )


# --- missing episodes and return interviews ------------------------------------------------------


def with_rhi_status(
    episodes: QuerySet[MissingEpisode], now: dt.datetime | None = None
) -> QuerySet[MissingEpisode]:
    """Annotate `rhi_due_at` and `rhi_status` in the database: missing (not yet returned),
    offered in time, offered late, due (within the 72 hours) or overdue."""
    now = now or timezone.now()
    due = ExpressionWrapper(
        F("ended_at") + dt.timedelta(hours=rhi_hours()), output_field=DateTimeField()
    )
    return episodes.annotate(rhi_due_at=due).annotate(
        rhi_status=Case(
            When(ended_at__isnull=True, then=Value("missing")),
            When(rhi_offered_at__lte=F("rhi_due_at"), then=Value("in_time")),
            When(rhi_offered_at__isnull=False, then=Value("late")),
            When(rhi_due_at__lt=now, then=Value("overdue")),
            default=Value("due"),
            output_field=CharField(),
        ),
        rhi_in_time=Case(
            When(rhi_offered_at__lte=F("rhi_due_at"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


RHI_STATUS = {
    "missing": ("Still missing", "red"),
    "in_time": ("Offered within 72 hours", "green"),
    "late": ("Offered late", "orange"),
    "due": ("Offer due", "yellow"),
    "overdue": ("Offer overdue", "red"),
}


def episodes_for_person(person: Person) -> QuerySet[MissingEpisode]:
    return with_rhi_status(
        MissingEpisode.objects.filter(person=person).select_related("rhi_by", "recorded_by")
    )


def _in_teams(teams: QuerySet[Team]) -> Exists:
    return Exists(
        Allocation.objects.filter(
            person_id=OuterRef("person_id"),
            role=CaseRole.LEAD_SOCIAL_WORKER,
            end_date__isnull=True,
            team__in=teams,
        )
    )


def _lead(column: str) -> Subquery:
    """A column of the child's current lead allocation (for an episode row)."""
    lead = Allocation.objects.filter(
        person_id=OuterRef("person_id"), role=CaseRole.LEAD_SOCIAL_WORKER, end_date__isnull=True
    ).order_by("-start_date", "-pk")
    return Subquery(lead.values(column)[:1])


def missing_list(
    viewer: User,
    *,
    teams: QuerySet[Team] | None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    rhi: str = "",
) -> QuerySet[MissingEpisode]:
    """Missing episodes of children the viewer may see, of children held by `teams` (None: all),
    started between the dates, with their return interview status; newest first."""
    episodes = MissingEpisode.objects.filter(person__in=persons_visible_to(viewer))
    if teams is not None:
        episodes = episodes.filter(_in_teams(teams))
    if since is not None:
        episodes = episodes.filter(started_at__gte=midnight(since))
    if until is not None:
        episodes = episodes.filter(started_at__lt=midnight(until + dt.timedelta(days=1)))
    listed = with_rhi_status(episodes.select_related("person", "rhi_by")).annotate(
        lead_first=_lead("worker__first_name"),
        lead_last=_lead("worker__last_name"),
        team_name=_lead("team__name"),
    )
    if rhi == "in_time":
        listed = listed.filter(rhi_status="in_time")  # type: ignore[misc]  # annotated
    elif rhi == "not_in_time":
        listed = listed.filter(rhi_status__in=("late", "overdue"))  # type: ignore[misc]
    return listed.order_by("-started_at", "-pk")


@dataclass
class MissingSummary:
    episodes: int = 0
    children: int = 0
    returned: int = 0
    in_time: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def in_time_rate(self) -> int:
        return round(100 * self.in_time / self.returned) if self.returned else 0


def missing_summary(episodes: QuerySet[MissingEpisode]) -> MissingSummary:
    """Counts for the list's heading: one query."""
    summary = MissingSummary()
    children: set[int] = set()
    rows = episodes.order_by().values_list("person_id", "rhi_status")  # type: ignore[misc]
    for person_id, status in rows:
        summary.episodes += 1
        children.add(person_id)
        summary.by_status[status] = summary.by_status.get(status, 0) + 1
        if status != "missing":
            summary.returned += 1
        summary.in_time += status == "in_time"
    summary.children = len(children)
    return summary


# --- caseloads and teams -------------------------------------------------------------------------


def held_by_teams(teams: QuerySet[Team]) -> QuerySet[Person]:
    """Children whose current lead social worker works in one of the teams."""
    return Person.objects.live().filter(
        Exists(
            Allocation.objects.filter(
                person_id=OuterRef("pk"),
                role=CaseRole.LEAD_SOCIAL_WORKER,
                end_date__isnull=True,
                team__in=teams,
            )
        )
    )


def held_by_worker(worker: User) -> QuerySet[Person]:
    return Person.objects.live().filter(
        Exists(
            Allocation.objects.filter(
                person_id=OuterRef("pk"),
                role=CaseRole.LEAD_SOCIAL_WORKER,
                end_date__isnull=True,
                worker=worker,
            )
        )
    )


def flagged_in_teams(
    viewer: User, teams: QuerySet[Team], clock: ReviewClock | None = None
) -> QuerySet[Person]:
    """Children held by the teams who need an exploitation risk assessment, each annotated with
    `visible` (the viewer may open the record) and their lead worker's id."""
    clock = clock or ReviewClock.now()
    visible = persons_visible_to(viewer).filter(pk=OuterRef("pk"))
    lead = Allocation.objects.filter(
        person_id=OuterRef("pk"), role=CaseRole.LEAD_SOCIAL_WORKER, end_date__isnull=True
    ).order_by("-start_date", "-pk")
    return (
        flagged(held_by_teams(teams), clock)
        .annotate(
            visible=Exists(visible),
            lead_name=Subquery(lead.values("worker__first_name")[:1]),
            lead_surname=Subquery(lead.values("worker__last_name")[:1]),
            team_name=Subquery(lead.values("team__name")[:1]),
        )
        .order_by("surname", "forename", "pk")
    )


def flagged_for_worker(worker: User, clock: ReviewClock | None = None) -> QuerySet[Person]:
    return flagged(held_by_worker(worker), clock).order_by("surname", "forename", "pk")


def risk_banner_warnings(person: Person) -> list[str]:
    """Warnings for the child's identity banner on every tab: the exploitation flag, and a child
    missing now. Three queries."""
    warnings = []
    reasons = flag_reasons(person)
    if reasons.raised:
        warnings.append(flag_message(reasons))
    open_episode = (
        MissingEpisode.objects.filter(person=person, ended_at__isnull=True)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if open_episode is not None:
        local = open_episode.astimezone(cal.LONDON)
        warnings.append(f"Missing now: since {local.day} {local:%B %Y} at {local:%H:%M}")
    return warnings
