"""Synthetic escalations for the demo council, and their clocks.

Step "escalations" (order 140) runs after the allocation step (120) and reads who held a role on
each child's case, and when, from its `Allocation` rows (one query); with none it raises only what
partner agencies can (about children they referred), and with neither it writes nothing.

Rates [our estimates; escalations are not collected nationally]:

- About 6 escalations a year per 1,000 children in need (child-years of open child-in-need
  episodes in the history), 10 in the `stressed` and `struggling` scenarios, where more goes wrong
  and more is challenged.
- Raised mostly by IROs (35%) and conference chairs (30%), then lead social workers (25%) and
  partner agencies (10%) about children they referred; the mix follows the roles the allocations
  actually hold (no IRO allocations, no IRO escalations).
- Each stage is answered within its timescale (the council's `escalation-response`, 5 working
  days by default) with probability 0.85, 0.8, 0.75, 0.7 at the team manager, service manager,
  head of service and director stages (0.55, 0.5, 0.5, 0.45 when stressed or struggling). An
  unanswered stage rises to the next at the first quarter-hourly run after its due date; a
  director's unanswered stage waits, overdue, for a late answer (1 to 25 working days).
- Half the answers also record the resolution. The raiser replies within a week: accepts (75%;
  60% stressed or struggling), or disputes and asks for the next stage (60% of disputes, while
  there is one), or records the disagreement and the escalation closes unaccepted. 3% are
  withdrawn by the raiser before the first answer.
- So most are answered at the first stage and some rise. At the reference date (its midnight is
  "now") the latest are open; on top of them a handful (1.5 per 1,000 children in need at the
  reference date, 3 when stressed or struggling, at least one) are open and overdue: most at the
  director stage after rising unanswered through every stage below (the Ofsted finding behind
  this feature), the rest due yesterday and moved up by the first run of `escalate_overdue`.

Each stage has its clock events, as the services record them ("escalation-raised", "-responded",
"-risen", "-withdrawn", keyed `escalation-<pk>-<stage>`), then the children's deadlines are
re-derived. The owner of each open, unanswered escalation has a notification.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.choices import RoleCode
from hearth.core.models import User
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step
from hearth.frontdoor.models import Contact
from hearth.notifications.models import Notification
from hearth.timescales import services as timescales
from hearth.timescales.calendar import WorkingCalendar
from hearth.timescales.engine import add_period
from hearth.timescales.models import ClockEvent, ClockSubject
from hearth.timescales.rules import Period, SubjectType, get_rule
from hearth.timescales.selectors import local_periods, working_calendar
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from . import routing
from .models import (
    Acceptance,
    Escalation,
    EscalationStage,
    RaiserReply,
    RaiserRole,
    Stage,
    Status,
)
from .services import RULE, clock_key, clock_source

LONDON = ZoneInfo("Europe/London")
HARD_TIMES = {"stressed", "struggling"}
REDERIVE_BATCH = 500

RATE_PER_1000_CIN = {"typical": 6.0, "hard": 10.0}
OVERDUE_PER_1000_CIN = {"typical": 1.5, "hard": 3.0}
RAISERS: list[tuple[str, float]] = [
    (RaiserRole.IRO, 0.35),
    (RaiserRole.CONFERENCE_CHAIR, 0.30),
    (RaiserRole.LEAD, 0.25),
    (RaiserRole.PARTNER_AGENCY, 0.10),
]
IN_TIME = {"typical": (0.85, 0.8, 0.75, 0.7), "hard": (0.55, 0.5, 0.5, 0.45)}
ACCEPTS = {"typical": 0.75, "hard": 0.6}
DISPUTE_RISES = 0.6
RESOLVES_WITH_ANSWER = 0.5
WITHDRAWN = 0.03
DIRECTOR_LATE_WORKING_DAYS = (1, 25)
OVERDUE_AT_DIRECTOR = 0.6  # of the backlog at the reference date; the rest are due yesterday
PARTNER_DELAY_DAYS = (10, 120)  # from their contact to their escalation

# --- words ---------------------------------------------------------------------------------------

CONCERNS: dict[str, list[str]] = {
    RaiserRole.IRO: [
        "The care plan has not been updated since the last review and three of its actions are "
        "outstanding, including the referral to CAMHS.",
        "The child has had no statutory visit for nine weeks and has told me they do not know "
        "who their social worker is.",
        "The recommendation from the last review to assess the aunt as a connected carer has "
        "not been started and the review date is approaching.",
        "The placement plan was not sent before the review and the carers say they have not "
        "seen it; the child's contact arrangements are unclear.",
        "The permanence plan has drifted: no parallel plan has been agreed although the review "
        "asked for one three months ago.",
    ],
    RaiserRole.CONFERENCE_CHAIR: [
        "The core group has not met since the conference and the written plan has not been "
        "circulated to the family or the agencies.",
        "Statutory visits under the child protection plan have been missed twice this month "
        "and the last one did not see the child alone.",
        "The assessment the conference asked for was not completed before the review "
        "conference, so the conference could not consider it.",
        "The outline plan from the initial conference has not become a detailed plan and no "
        "one is checking the actions agreed with health.",
    ],
    RaiserRole.LEAD: [
        "I have asked twice for a decision on funding the residential assessment and have had "
        "no answer; the court date is in three weeks.",
        "My caseload is now 31 and I cannot visit this child as often as the plan requires; I "
        "need the case reallocated or support.",
        "The request for a legal planning meeting has not been scheduled although the threshold "
        "was agreed at supervision a month ago.",
    ],
    RaiserRole.PARTNER_AGENCY: [
        "We referred the child after a further incident and have heard nothing about what "
        "happened next or who the social worker is.",
        "The school has raised new concerns since the referral and does not know whether the "
        "child is being supported by children's social care.",
        "We were told the case would be discussed at a strategy meeting but we were not invited "
        "and have had no outcome.",
    ],
}
OUTCOMES: dict[str, list[str]] = {
    RaiserRole.IRO: [
        "The outstanding actions completed, and a written update before the review.",
        "A visit within five working days and a named social worker the child has met.",
        "The assessment started this month, with a date for its completion.",
    ],
    RaiserRole.CONFERENCE_CHAIR: [
        "A core group meeting within ten working days and the plan circulated.",
        "Visits restored to the agreed frequency, with the child seen alone.",
        "The assessment completed before the review conference.",
    ],
    RaiserRole.LEAD: [
        "A decision on funding this week.",
        "The case reallocated or my caseload reduced within a fortnight.",
        "A legal planning meeting within ten working days.",
    ],
    RaiserRole.PARTNER_AGENCY: [
        "Confirmation of who the social worker is and what the plan is.",
        "To be invited to the next meeting about the child and told its outcome.",
    ],
}
ANSWERS = [
    "I have discussed this with the social worker and the actions will be completed by the end "
    "of next week; I will check them in supervision and let you know.",
    "A visit has been arranged for this week and a new social worker allocated from Monday; I "
    "have asked them to contact you and the family straight away.",
    "The core group is booked for the 12th and the plan has been sent to all agencies today; I "
    "apologise for the delay and have raised it with the team.",
    "Funding has been agreed and the assessment will start on the first available date; the "
    "social worker will confirm the arrangements to everyone involved.",
    "I agree the plan has drifted: I have booked a permanence planning meeting within two weeks "
    "and will chair it myself, with the IRO invited.",
]
DISPUTES = [
    "This does not address the concern: the same assurance was given last month and nothing "
    "changed for the child, so I am asking for it to go further.",
    "The answer does not say when the assessment will be completed or who is responsible, and "
    "the review is now only days away.",
    "The visit is welcome but the plan still has not been reviewed and the child has no "
    "consistent worker; this needs a senior decision.",
]
ACCEPT_COMMENTS = [
    "",
    "",
    "Thank you: this addresses the concern.",
    "Agreed; I will check at the review.",
]
WITHDRAW_REASONS = [
    "Resolved in a conversation with the team manager the next day.",
    "The visit has now happened and the plan has been circulated.",
]


# --- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """A role on a child's case over a span (an allocation)."""

    person_id: int
    role: str
    worker_id: int
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class Referral:
    """A partner agency's contact about a child now on record."""

    contact_id: int
    person_id: int
    partner_id: int
    received: dt.date


@dataclass
class MemoryDirectory:
    """`routing.Directory` over every user, loaded once."""

    users: dict[int, routing.UserFacts]
    director_ids: list[int]

    def facts(self, user_id: int) -> routing.UserFacts | None:
        return self.users.get(user_id)

    def directors(self) -> list[int]:
        return self.director_ids


@dataclass
class Inputs:
    holdings: list[Holding]
    referrals: list[Referral]
    lead_teams: dict[int, list[tuple[dt.date, dt.date | None, int]]]  # person -> lead spans
    fallback_team: dict[int, int]  # person -> the team answerable when no lead worker
    managers: dict[int, int | None]  # team -> manager
    directory: MemoryDirectory
    child_years: float  # child-in-need child-years in the history
    cin_at_reference: int

    def team_at(self, person_id: int, day: dt.date) -> int | None:
        for start, end, team_id in self.lead_teams.get(person_id, []):
            if start <= day and (end is None or day <= end):
                return team_id
        return self.fallback_team.get(person_id)


# --- the plan ------------------------------------------------------------------------------------


@dataclass
class PlannedStage:
    stage: int
    owner_id: int
    started_at: dt.datetime
    due_on: dt.date
    rose_automatically: bool = False
    responded_at: dt.datetime | None = None
    responded_by: int | None = None
    response: str = ""
    resolution: str = ""
    raiser_reply: str = ""
    raiser_comment: str = ""
    raiser_replied_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    risen: bool = False  # ended unanswered by the automatic rise
    withdrawn: bool = False  # ended unanswered by withdrawal


@dataclass
class PlannedEscalation:
    person_id: int
    raised_by: int
    raiser_role: str
    contact_id: int | None
    raised_at: dt.datetime
    concern: str
    outcome_sought: str
    held_from: dt.date  # since when the raiser could raise it (their role, or their contact)
    stages: list[PlannedStage] = field(default_factory=list)
    status: str = Status.OPEN
    resolution: str = ""
    resolved_at: dt.datetime | None = None
    resolved_by: int | None = None
    raiser_accepted: str = Acceptance.NOT_YET
    raiser_comment: str = ""
    withdrawn_at: dt.datetime | None = None
    withdrawal_reason: str = ""

    @property
    def current(self) -> PlannedStage:
        return self.stages[-1]


@dataclass(frozen=True)
class Params:
    rate: float
    overdue_rate: float
    in_time: tuple[float, ...]
    accepts: float

    @classmethod
    def for_scenario(cls, name: str) -> Params:
        key = "hard" if name in HARD_TIMES else "typical"
        return cls(
            rate=RATE_PER_1000_CIN[key],
            overdue_rate=OVERDUE_PER_1000_CIN[key],
            in_time=IN_TIME[key],
            accepts=ACCEPTS[key],
        )


def at_time(day: dt.date, hour: float) -> dt.datetime:
    minutes = int(hour * 60)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=LONDON)


class Planner:
    """Lives through each escalation's stages up to the reference date's midnight."""

    def __init__(
        self,
        ctx: GenerationContext,
        inputs: Inputs,
        calendar: WorkingCalendar,
        period: Period,
        params: Params,
    ) -> None:
        self.rng = ctx.rng
        self.inputs = inputs
        self.calendar = calendar
        self.period = period
        self.params = params
        self.start = ctx.history_start
        self.ref = ctx.reference_date
        self.now = at_time(ctx.reference_date, 0)
        self.by_role: dict[str, list[Holding]] = defaultdict(list)
        for h in inputs.holdings:
            if h.role in (RaiserRole.IRO, RaiserRole.CONFERENCE_CHAIR, RaiserRole.LEAD):
                self.by_role[h.role].append(h)
        # Longer holdings are likelier to see an escalation: weights by days held in the history.
        self.cumulative: dict[str, list[float]] = {}
        for role, rows in self.by_role.items():
            self.cumulative[role] = list(itertools.accumulate(self._days(h) for h in rows))

    def _days(self, h: Holding) -> float:
        end = min(h.end or self.ref, self.ref - dt.timedelta(days=1))
        return max((end - max(h.start, self.start)).days, 0) + 0.5

    # --- dates -----------------------------------------------------------------------------------

    def working_moment(
        self, low: dt.date, high: dt.date, *, before_now: bool = True
    ) -> dt.datetime | None:
        """A time in office hours on a working day between `low` and `high` (before now, unless
        `before_now` is false: an answer may come after the reference date)."""
        if before_now:
            high = min(high, self.ref - dt.timedelta(days=1))
        if high < low:
            return None
        day = low + dt.timedelta(days=self.rng.randint(0, (high - low).days))
        step = dt.timedelta(days=-1 if day > low else 1)
        while not self.calendar.is_working_day(day) and low <= day + step <= high:
            day += step
        return at_time(day, self.rng.uniform(8.5, 17.5))

    def due(self, started: dt.datetime) -> dt.date:
        return _day(add_period(self.calendar, started.astimezone(LONDON).date(), self.period))

    def after(self, moment: dt.datetime, min_hours: float, max_days: int) -> dt.datetime:
        """A later moment in office hours, at least `min_hours` on."""
        day = moment.astimezone(LONDON).date() + dt.timedelta(days=self.rng.randint(0, max_days))
        while not self.calendar.is_working_day(day):
            day += dt.timedelta(days=1)
        later = at_time(day, self.rng.uniform(8.5, 17.5))
        return max(later, moment + dt.timedelta(hours=min_hours))

    # --- who raises ------------------------------------------------------------------------------

    def draw_raiser(self, *, current_only: bool = False) -> PlannedEscalation | None:
        """A raiser, a child, a moment and the first stage's owner; None if this draw fails."""
        roles = [
            (role, weight)
            for role, weight in RAISERS
            if (
                self.by_role.get(role)
                if role != RaiserRole.PARTNER_AGENCY
                else self.inputs.referrals
            )
        ]
        if current_only:
            roles = [(r, w) for r, w in roles if r != RaiserRole.PARTNER_AGENCY]
        if not roles:
            return None
        role = _weighted(self.rng, roles)
        contact_id = None
        if role == RaiserRole.PARTNER_AGENCY:
            referral = self.rng.choice(self.inputs.referrals)
            low, high = PARTNER_DELAY_DAYS
            moment = self.working_moment(
                referral.received + dt.timedelta(days=low),
                referral.received + dt.timedelta(days=high),
            )
            person_id, raiser, contact_id = (
                referral.person_id,
                referral.partner_id,
                referral.contact_id,
            )
            held_from = referral.received
        else:
            rows = self.by_role[role]
            if current_only:
                rows = [h for h in rows if h.end is None]
                if not rows:
                    return None
                holding = self.rng.choice(rows)
            else:
                x = self.rng.random() * self.cumulative[role][-1]
                holding = rows[bisect.bisect_right(self.cumulative[role], x)]
            end = holding.end or self.ref
            moment = self.working_moment(max(holding.start, self.start), end)
            person_id, raiser, held_from = holding.person_id, holding.worker_id, holding.start
        if moment is None:
            return None
        team = self.inputs.team_at(person_id, moment.astimezone(LONDON).date())
        manager = self.inputs.managers.get(team) if team is not None else None
        first = routing.first_stage(self.inputs.directory, manager, raiser)
        if first is None:
            return None
        stage, owner = first
        escalation = PlannedEscalation(
            person_id=person_id,
            raised_by=raiser,
            raiser_role=role,
            contact_id=contact_id,
            raised_at=moment,
            concern=self.rng.choice(CONCERNS[role]),
            outcome_sought=self.rng.choice(OUTCOMES[role]),
            held_from=held_from,
        )
        escalation.stages.append(
            PlannedStage(stage=stage, owner_id=owner, started_at=moment, due_on=self.due(moment))
        )
        return escalation

    # --- living through the stages ---------------------------------------------------------------

    def next_stage(self, e: PlannedEscalation) -> tuple[int, int] | None:
        row = e.current
        return routing.next_stage(self.inputs.directory, row.stage, row.owner_id, e.raised_by)

    def open_next(self, e: PlannedEscalation, at: dt.datetime, *, rose: bool) -> bool:
        step = self.next_stage(e)
        if step is None:
            return False
        stage, owner = step
        e.stages.append(
            PlannedStage(
                stage=stage,
                owner_id=owner,
                started_at=at,
                due_on=self.due(at),
                rose_automatically=rose,
            )
        )
        return True

    def live(self, e: PlannedEscalation) -> None:
        first = True
        while True:
            row = e.current
            if first and self.rng.random() < WITHDRAWN:
                moment = self.working_moment(row.started_at.astimezone(LONDON).date(), row.due_on)
                if moment is not None and moment > row.started_at:
                    e.status, e.withdrawn_at = Status.WITHDRAWN, moment
                    e.withdrawal_reason = self.rng.choice(WITHDRAW_REASONS)
                    row.ended_at, row.withdrawn = moment, True
                    return
            first = False
            in_time = self.rng.random() < self.params.in_time[row.stage - 1]
            if in_time:
                answer_at = self.working_moment(
                    row.started_at.astimezone(LONDON).date(), row.due_on, before_now=False
                )
                if answer_at is None:  # pragma: no cover - due is never before the start
                    return
                answer_at = max(answer_at, row.started_at + dt.timedelta(hours=1))
            elif self.next_stage(e) is not None:
                rise_at = at_time(row.due_on + dt.timedelta(days=1), 0.25)
                if rise_at >= self.now:
                    return  # overdue since midnight: the first run moves it
                row.ended_at, row.risen = rise_at, True
                self.open_next(e, rise_at, rose=True)
                continue
            else:
                low, high = DIRECTOR_LATE_WORKING_DAYS
                late = self.calendar.add_working_days(row.due_on, self.rng.randint(low, high))
                answer_at = at_time(late, self.rng.uniform(8.5, 17.5))
            if answer_at >= self.now:
                return
            row.responded_at, row.responded_by = answer_at, row.owner_id
            row.response = self.rng.choice(ANSWERS)
            if self.rng.random() < RESOLVES_WITH_ANSWER:
                row.resolution, row.ended_at = row.response, answer_at
                e.status, e.resolution = Status.RESOLVED, row.response
                e.resolved_at, e.resolved_by = answer_at, row.owner_id
            reply_at = self.after(answer_at, 1, 6)
            if reply_at >= self.now:
                return  # the raiser has not replied yet
            if self.rng.random() < self.params.accepts:
                comment = self.rng.choice(ACCEPT_COMMENTS)
                row.raiser_reply, row.raiser_comment = RaiserReply.ACCEPTED, comment
                row.raiser_replied_at = reply_at
                row.ended_at = row.ended_at or reply_at
                self._resolve(e, row, reply_at, Acceptance.YES, comment)
                return
            comment = self.rng.choice(DISPUTES)
            row.raiser_reply, row.raiser_comment = RaiserReply.DISPUTED, comment
            row.raiser_replied_at = reply_at
            row.ended_at = row.ended_at or reply_at
            if self.rng.random() < DISPUTE_RISES and self.open_next(e, reply_at, rose=False):
                e.status, e.resolution, e.resolved_at, e.resolved_by = Status.OPEN, "", None, None
                continue
            self._resolve(e, row, reply_at, Acceptance.NO, comment)
            return

    def _resolve(
        self,
        e: PlannedEscalation,
        row: PlannedStage,
        at: dt.datetime,
        acceptance: str,
        comment: str,
    ) -> None:
        if e.status != Status.RESOLVED:
            e.status, e.resolution = Status.RESOLVED, row.response
            e.resolved_at, e.resolved_by = at, row.responded_by
        e.raiser_accepted, e.raiser_comment = acceptance, comment

    def overdue_backlog(self, e: PlannedEscalation) -> bool:
        """Rewrite a freshly drawn escalation as one open and overdue now: it climbed unanswered
        to the director (or as far as the line goes), or its stage was due yesterday."""
        yesterday = self.ref - dt.timedelta(days=1)
        # Due yesterday only works if yesterday was a working day: a stage due on a Friday
        # rose early on the Saturday.
        to_director = self.rng.random() < OVERDUE_AT_DIRECTOR or not self.calendar.is_working_day(
            yesterday
        )
        first = e.stages[0]
        e.stages = [first]
        if to_director:
            # Four stages of five working days, then some days waiting for the director.
            began = self.calendar.add_working_days(yesterday, -(4 * 6 + self.rng.randint(2, 15)))
        else:
            began = self.calendar.add_working_days(yesterday, -5)
        moment = at_time(began, self.rng.uniform(8.5, 17.5))
        if began < max(self.start, e.held_from):
            return False  # they did not hold the role then
        team = self.inputs.team_at(e.person_id, began)
        manager = self.inputs.managers.get(team) if team is not None else None
        owner = routing.first_stage(self.inputs.directory, manager, e.raised_by)
        if owner is None:
            return False
        e.raised_at = first.started_at = moment
        first.stage, first.owner_id = owner
        first.due_on = self.due(moment)
        while to_director:
            row = e.current
            rise_at = at_time(row.due_on + dt.timedelta(days=1), 0.25)
            if rise_at >= self.now or self.next_stage(e) is None:
                break
            row.ended_at, row.risen = rise_at, True
            self.open_next(e, rise_at, rose=True)
        return e.current.due_on < self.ref


def _day(moment: dt.date | dt.datetime) -> dt.date:
    return moment.astimezone(LONDON).date() if isinstance(moment, dt.datetime) else moment


def _weighted(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    total = sum(w for _, w in options)
    x = rng.random() * total
    for value, weight in options:
        x -= weight
        if x < 0:
            return value
    return options[-1][0]


def plan_escalations(
    ctx: GenerationContext, inputs: Inputs, calendar: WorkingCalendar, period: Period
) -> list[PlannedEscalation]:
    params = Params.for_scenario(ctx.scenario.name)
    planner = Planner(ctx, inputs, calendar, period, params)
    wanted = round(params.rate * inputs.child_years / 1000)
    planned: list[PlannedEscalation] = []
    for _ in range(wanted * 5):  # some draws fail (no team to answer): try again
        if len(planned) >= wanted:
            break
        escalation = planner.draw_raiser()
        if escalation is None:
            continue
        planner.live(escalation)
        planned.append(escalation)
    backlog = max(1, round(params.overdue_rate * inputs.cin_at_reference / 1000))
    added = 0
    for _ in range(backlog * 10):
        if added >= backlog:
            break
        escalation = planner.draw_raiser(current_only=True)
        if escalation is not None and planner.overdue_backlog(escalation):
            planned.append(escalation)
            added += 1
    planned.sort(key=lambda e: (e.raised_at, e.person_id, e.raised_by))
    return planned


# --- reading -------------------------------------------------------------------------------------


def load_inputs(ctx: GenerationContext) -> Inputs:
    ref, start = ctx.reference_date, ctx.history_start
    holdings = [
        Holding(person_id, role, worker_id, begin, end)
        for person_id, role, worker_id, begin, end in Allocation.objects.filter(
            role__in=(CaseRole.IRO, CaseRole.CONFERENCE_CHAIR, CaseRole.LEAD_SOCIAL_WORKER),
            start_date__lt=ref,
        )
        .exclude(end_date__lt=start)
        .order_by("pk")
        .values_list("person_id", "role", "worker_id", "start_date", "end_date")
    ]
    lead_teams: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
    for person_id, begin, end, team_id in (
        Allocation.objects.filter(role=CaseRole.LEAD_SOCIAL_WORKER, team__isnull=False)
        .order_by("person_id", "start_date", "pk")
        .values_list("person_id", "start_date", "end_date", "team_id")
    ):
        lead_teams[person_id].append((begin, end, team_id))
    fallback: dict[int, int] = {}
    child_days = 0
    cin_now = 0
    for person_id, referred, closed, team_id in ChildInNeedEpisode.objects.order_by(
        "referral_date", "pk"
    ).values_list("person_id", "referral_date", "closure_date", "referral_team_id"):
        if team_id is not None:
            fallback[person_id] = team_id
        opened, ended = max(referred, start), min(closed or ref, ref)
        child_days += max((ended - opened).days, 0)
        cin_now += closed is None
    fallback.update(
        ClockSubject.objects.filter(subject_type=SubjectType.CHILD, team__isnull=False)
        .order_by("subject_id")
        .values_list("subject_id", "team_id")
    )
    partners = [u.pk for u in ctx.staff_by_role.get(RoleCode.PARTNER_AGENCY, [])]
    referrals = [
        Referral(pk, person_id, partner_id, received.astimezone(LONDON).date())
        for pk, person_id, partner_id, received in Contact.objects.filter(
            submission__submitted_by__in=partners, person__isnull=False
        )
        .order_by("pk")
        .values_list("pk", "person_id", "submission__submitted_by", "received_at")
    ]
    directors = set(
        User.roles.through.objects.filter(role__code=RoleCode.DIRECTOR).values_list(
            "user_id", flat=True
        )
    )
    users = {
        pk: routing.UserFacts(pk, active, line_manager, pk in directors)
        for pk, active, line_manager in User.objects.order_by("pk").values_list(
            "pk", "is_active", "line_manager_id"
        )
    }
    directory = MemoryDirectory(
        users, sorted(pk for pk in directors if pk in users and users[pk].is_active)
    )
    return Inputs(
        holdings=holdings,
        referrals=referrals,
        lead_teams=dict(lead_teams),
        fallback_team=fallback,
        managers={t.pk: t.manager_id for t in ctx.teams},
        directory=directory,
        child_years=child_days / 365.25,
        cin_at_reference=cin_now,
    )


# --- the step ------------------------------------------------------------------------------------


@register_step("escalations", order=140)
def generate_escalations(ctx: GenerationContext) -> None:
    inputs = load_inputs(ctx)
    calendar = working_calendar()
    rule = get_rule(RULE)
    period = local_periods().get((rule.code, "default"), rule.default_period)
    planned = plan_escalations(ctx, inputs, calendar, period)
    if planned:
        write(ctx, planned, calendar)
    ctx.summary["escalations"] = len(planned)
    ctx.summary["escalations_open"] = sum(e.status == Status.OPEN for e in planned)


def write(
    ctx: GenerationContext, planned: list[PlannedEscalation], calendar: WorkingCalendar
) -> None:
    escalations = ctx.bulk_create(
        [
            Escalation(
                person_id=e.person_id,
                raised_by_id=e.raised_by,
                raiser_role=e.raiser_role,
                contact_id=e.contact_id,
                raised_at=e.raised_at,
                concern=e.concern,
                outcome_sought=e.outcome_sought,
                stage=e.current.stage,
                owner_id=e.current.owner_id,
                status=e.status,
                resolution=e.resolution,
                resolved_at=e.resolved_at,
                resolved_by_id=e.resolved_by,
                raiser_accepted=e.raiser_accepted,
                raiser_comment=e.raiser_comment,
                withdrawn_at=e.withdrawn_at,
                withdrawal_reason=e.withdrawal_reason,
            )
            for e in planned
        ]
    )
    stage_rows: list[EscalationStage] = []
    for row, e in zip(escalations, planned, strict=True):
        for s in e.stages:
            stage_rows.append(
                EscalationStage(
                    escalation_id=row.pk,
                    stage=s.stage,
                    owner_id=s.owner_id,
                    started_at=s.started_at,
                    due_on=s.due_on,
                    responded_at=s.responded_at,
                    responded_by_id=s.responded_by,
                    response=s.response,
                    rose_automatically=s.rose_automatically,
                    resolution=s.resolution,
                    raiser_reply=s.raiser_reply,
                    raiser_comment=s.raiser_comment,
                    raiser_replied_at=s.raiser_replied_at,
                    ended_at=s.ended_at,
                )
            )
    stages = ctx.bulk_create(stage_rows)
    events: list[ClockEvent] = []
    by_escalation = {row.pk: e for row, e in zip(escalations, planned, strict=True)}
    planned_stages = [s for e in planned for s in e.stages]
    for stage_row, s in zip(stages, planned_stages, strict=True):
        person_id = by_escalation[stage_row.escalation_id].person_id
        key = clock_key(stage_row.escalation_id, s.stage)
        moments = [("escalation-raised", s.started_at)]
        if s.responded_at is not None:
            moments.append(("escalation-responded", s.responded_at))
        elif s.risen and s.ended_at is not None:
            moments.append(("escalation-risen", s.ended_at))
        elif s.withdrawn and s.ended_at is not None:
            moments.append(("escalation-withdrawn", s.ended_at))
        events.extend(
            ClockEvent(
                subject_type=SubjectType.CHILD,
                subject_id=person_id,
                name=name,
                occurred_on=moment.astimezone(LONDON).date(),
                occurred_at=moment,
                key=key,
                source=clock_source(stage_row.pk),
            )
            for name, moment in moments
        )
    ctx.bulk_create(events, desc="Escalation clocks")
    children = sorted({(SubjectType.CHILD.value, e.person_id) for e in planned})
    written = 0
    for start in range(0, len(children), REDERIVE_BATCH):
        written += timescales.rederive(children[start : start + REDERIVE_BATCH], calendar=calendar)
    ctx.counts["timescales.deadline"] += written
    waiting = [
        Notification(
            recipient_id=e.current.owner_id,
            subject=f"Escalation {row.reference} needs your response by "
            f"{e.current.due_on.day} {e.current.due_on:%B %Y}",
            body=f"You own its {Stage(e.current.stage).label.lower()} stage.",
            url=f"/escalations/{row.pk}/",
        )
        for row, e in zip(escalations, planned, strict=True)
        if e.status == Status.OPEN and e.current.responded_at is None
    ]
    ctx.bulk_create(waiting)
