"""Synthetic missing episodes and risk assessments for the demo council, and their clocks.

Step "risk-and-missing" (order 128) runs after the allocation step (120) and the casework step
(122), reading the child-in-need episodes, the lead allocations and the assessment factors they
wrote (with no factors it plans from missing episodes alone; with no episodes it writes nothing).

Rates [national figures where they exist, our estimates otherwise]:

- Missing incidents: about 71 a year per 10,000 children, concentrated on few children: about 6.8
  incidents per child who goes missing [NCA missing persons data and DfE children in care
  statistics give repeat rates of this order]. Children who go missing are taken from those known
  to children's social care, mostly aged 12 to 17 (90%), three times as likely when an assessment
  identified exploitation or gangs (11A, 13A, 24A). A child's incidents fall within a stretch of
  3 to 15 months of their history.
- Episodes last hours to days (lognormal, median about 14 hours, at most 10 days); 40% of missing
  children are missing from care (of their episodes, 15% away without authorisation), the rest
  from home; 90% are reported to the police. A child missing at the reference date is rare: an
  episode is cut short before it.
- Return interviews: offered within 72 hours after 75% of returns, late after 15% (3 to 10 days),
  never after 10%; 55% of offers accepted, and an accepted one completed within a week by a
  member of staff (60%) or the commissioned return interview service.
- Risk assessments: 92% of children with an exploitation concern (factors at an authorised
  assessment, or a missing episode) have a line of assessments of the matching kind (11A child
  sexual exploitation, 24A and 13A criminal exploitation, missing otherwise), first made within
  three weeks of the concern and reviewed about every 3 months, 75% on time (the rest up to a month
  late); 6% of lines stop being reviewed after the second, so at the reference date about 15% of
  concerned children have no current assessment and the flag shows. A third of missing-only lines
  whose concern has passed (nothing for 9 months) are closed.

Clock events are written as the services record them ("missing-return", "rhi-offered" keyed
`missing:<pk>`; "risk-assessment", and "risk-closed" when no kind is left open), then the
children's deadlines are re-derived.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from hearth.casework.codes import EXPLOITATION_FACTORS
from hearth.casework.models import AssessmentFactorIdentified, ChildInNeedEpisode
from hearth.core.choices import RoleCode
from hearth.core.models import User
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step
from hearth.timescales import calendar as cal
from hearth.timescales import services as timescales
from hearth.timescales.models import ClockEvent
from hearth.timescales.rules import SubjectType
from hearth.timescales.selectors import working_calendar
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from .codes import MissingFrom, MissingKind, RiskKind, RiskLevel
from .models import MissingEpisode, RiskAssessment
from .services import _closures_wanted, missing_key, risk_source

LONDON = ZoneInfo("Europe/London")
REDERIVE_BATCH = 500

INCIDENTS_PER_10K = 71.0
INCIDENTS_PER_CHILD = 6.8
TEEN_SHARE = 0.9
FACTOR_WEIGHT = 3.0
SPAN_MONTHS = (3, 15)
MEDIAN_HOURS = 14.0
MAX_HOURS = 240.0
FROM_CARE = 0.4
AWAY_SHARE = 0.15
POLICE = 0.9
RHI_IN_TIME = 0.75
RHI_LATE = 0.15  # the rest are never offered
RHI_ACCEPTED = 0.55
RHI_BY_STAFF = 0.6
ASSESSED_SHARE = 0.92
REVIEW_ON_TIME = 0.75
STOPS_REVIEWING = 0.06
CLOSES_WHEN_PASSED = 1 / 3
PASSED_DAYS = 270

AGENCY = "Return interview service (commissioned)"
WHERE = [
    "Found by police at a friend's address in the town centre.",
    "Returned home by themselves late in the evening.",
    "Found at a fast food restaurant near the station with older young people.",
    "Returned to the placement by a taxi the carers paid for.",
    "Found in another town; brought back by police.",
    "Stayed at a relative's house overnight; the relative rang the carers.",
]
FINDINGS = [
    "Went missing after an argument at home; spent the night with a friend. No harm disclosed; "
    "agreed a plan to call their carer if upset.",
    "Was with older males they met online; given cash and a phone. Shared with police; "
    "exploitation risk assessment to be reviewed.",
    "Travelled by train to another town to meet people they would not name. Concerns about "
    "county lines; referred to the exploitation panel.",
    "Says they wanted time away from the placement; felt not listened to. Advocate offered.",
    "Went to a party and stayed out; drank alcohol. Safety plan discussed with the young person.",
]
SUMMARIES: dict[str, list[str]] = {
    RiskKind.CSE: [
        "Associating with older males and receiving gifts; repeated missing overnight.",
        "Disclosed meeting adults met online; phone shows contact from unknown numbers.",
    ],
    RiskKind.CCE: [
        "Found with large amounts of cash and a second phone; links to a county line.",
        "Seen with older young people known for supplying drugs; missing from school.",
    ],
    RiskKind.MISSING: [
        "Goes missing repeatedly, usually overnight, and will not say where they have been.",
        "Pattern of missing after family arguments; returns by themselves the next day.",
    ],
}
ACTIONS = [
    "Disruption plan with police; weekly visits; safety plan reviewed with the young person.",
    "Referral to the exploitation panel; youth worker to build a trusted relationship.",
    "Return interviews for every episode; carers to report missing within an hour.",
]
CLOSE_REASONS = [
    "No missing episodes or concerns for nine months; settled at school and at home.",
    "Risk reduced: no further contact with the adults of concern, confirmed by police.",
]
LEVELS: list[tuple[str, float]] = [
    (RiskLevel.HIGH.value, 0.3),
    (RiskLevel.MEDIUM.value, 0.4),
    (RiskLevel.LOW.value, 0.25),
    (RiskLevel.NONE.value, 0.05),
]


# --- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """A child known to children's social care: first referral, age, factors, lead workers."""

    person_id: int
    born: dt.date
    first: dt.date
    factor_codes: tuple[str, ...] = ()
    factor_on: dt.date | None = None


@dataclass
class Inputs:
    children: list[Known]
    leads: dict[int, list[tuple[dt.date, dt.date | None, int]]]
    staff: list[int]


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def load_inputs(ctx: GenerationContext) -> Inputs:
    ref = ctx.reference_date
    first: dict[int, tuple[dt.date, dt.date]] = {}
    for person_id, born, referred in (
        ChildInNeedEpisode.objects.filter(
            referral_date__lt=ref, person__date_of_birth__isnull=False
        )
        .order_by("referral_date", "pk")
        .values_list("person_id", "person__date_of_birth", "referral_date")
    ):
        if born is not None:
            first.setdefault(person_id, (born, referred))
    factors: dict[int, tuple[set[str], dt.date]] = {}
    for person_id, code, on in (
        AssessmentFactorIdentified.objects.filter(
            code__in=sorted(EXPLOITATION_FACTORS), assessment__authorised_on__isnull=False
        )
        .order_by("assessment__authorised_on", "pk")
        .values_list("assessment__person_id", "code", "assessment__authorised_on")
    ):
        if on is None:  # pragma: no cover - filtered out above
            continue
        codes, _ = factors.setdefault(person_id, (set(), on))
        codes.add(code)
    children = [
        Known(
            person_id=pk,
            born=born,
            first=referred,
            factor_codes=tuple(sorted(factors[pk][0])) if pk in factors else (),
            factor_on=factors[pk][1] if pk in factors else None,
        )
        for pk, (born, referred) in sorted(first.items())
    ]
    leads: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
    for person_id, start, end, worker in (
        Allocation.objects.filter(role=CaseRole.LEAD_SOCIAL_WORKER)
        .order_by("person_id", "start_date", "pk")
        .values_list("person_id", "start_date", "end_date", "worker_id")
    ):
        leads[person_id].append((start, end, worker))
    staff = sorted(
        User.roles.through.objects.filter(
            role__code__in=(RoleCode.SOCIAL_WORKER, RoleCode.SENIOR_PRACTITIONER),
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )
    return Inputs(children=children, leads=dict(leads), staff=staff)


# --- planning ------------------------------------------------------------------------------------


@dataclass
class PlannedEpisode:
    person_id: int
    missing_from: str
    kind: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    where_found: str
    reported: bool
    police_reference: str
    rhi_offered_at: dt.datetime | None = None
    rhi_accepted: bool | None = None
    rhi_completed_on: dt.date | None = None
    rhi_by: int | None = None
    rhi_by_agency: str = ""
    rhi_findings: str = ""


@dataclass
class PlannedAssessment:
    person_id: int
    kind: str
    level: str
    assessed_on: dt.date
    assessor: int
    summary: str
    actions: str
    closed_on: dt.date | None = None
    closed_reason: str = ""


@dataclass
class Plan:
    episodes: list[PlannedEpisode] = field(default_factory=list)
    assessments: list[PlannedAssessment] = field(default_factory=list)


def at_time(day: dt.date, hour: float) -> dt.datetime:
    """`hour` hours after the day's London midnight (elapsed, so past 24 is the next day)."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=LONDON).astimezone(dt.UTC)
    return (midnight + dt.timedelta(minutes=int(hour * 60))).astimezone(LONDON)


class Planner:
    def __init__(self, ctx: GenerationContext, inputs: Inputs) -> None:
        self.rng: random.Random = ctx.rng
        self.ctx = ctx
        self.inputs = inputs
        self.ref = ctx.reference_date
        self.start = ctx.history_start
        self.now = at_time(self.ref, 0)
        self.plan = Plan()

    # --- who goes missing ------------------------------------------------------------------------

    def teen_window(self, child: Known) -> tuple[dt.date, dt.date] | None:
        """The part of the history when the child was known and aged 12 to 17."""
        begin = max(self.start, child.first, cal.add_years(child.born, 12))
        end = min(self.ref - dt.timedelta(days=1), cal.add_years(child.born, 18) - dt.timedelta(1))
        return (begin, end) if begin < end else None

    def young_window(self, child: Known) -> tuple[dt.date, dt.date] | None:
        begin = max(self.start, child.first, cal.add_years(child.born, 8))
        end = min(self.ref - dt.timedelta(days=1), cal.add_years(child.born, 12) - dt.timedelta(1))
        return (begin, end) if begin < end else None

    def choose(self, wanted: int, pool: list[tuple[Known, tuple[dt.date, dt.date]]]) -> list:
        """`wanted` children from the pool, those with exploitation factors weighted up."""
        weighted = [
            (
                self.rng.random() ** (1 / (FACTOR_WEIGHT if c.factor_codes else 1.0)),
                c.person_id,
                c,
                w,
            )
            for c, w in pool
        ]
        weighted.sort(key=lambda x: (-x[0], x[1]))
        return [(c, w) for _, _, c, w in weighted[:wanted]]

    def missing_children(self) -> list[tuple[Known, tuple[dt.date, dt.date]]]:
        years = (self.ref - self.start).days / 365.25
        incidents = self.ctx.expected(INCIDENTS_PER_10K) * years
        children = max(1, round(incidents / INCIDENTS_PER_CHILD)) if incidents >= 1 else 0
        teens = [(c, w) for c in self.inputs.children if (w := self.teen_window(c))]
        young = [(c, w) for c in self.inputs.children if (w := self.young_window(c))]
        n_teen = min(len(teens), round(children * TEEN_SHARE))
        n_young = min(len(young), children - n_teen)
        chosen = self.choose(n_teen, teens)
        taken = {c.person_id for c, _ in chosen}
        chosen += self.choose(n_young, [(c, w) for c, w in young if c.person_id not in taken])
        return chosen

    # --- episodes --------------------------------------------------------------------------------

    def episodes_for(self, child: Known, window: tuple[dt.date, dt.date]) -> list[PlannedEpisode]:
        count = max(1, round(self.rng.expovariate(1 / INCIDENTS_PER_CHILD)))
        span = 30 * self.rng.randint(*SPAN_MONTHS)
        begin, end = window
        latest_start = max(begin, end - dt.timedelta(days=span // 3))
        first = begin + dt.timedelta(days=self.rng.randint(0, (latest_start - begin).days))
        last = min(end, first + dt.timedelta(days=span))
        from_care = self.rng.random() < FROM_CARE
        starts = sorted(
            at_time(
                first + dt.timedelta(days=self.rng.randint(0, max((last - first).days, 0))),
                self.rng.choice((15.5, 17, 19, 20.5, 22, 23.5, 1, 10)) + self.rng.random(),
            )
            for _ in range(count)
        )
        planned: list[PlannedEpisode] = []
        previous_end: dt.datetime | None = None
        for started in starts:
            if previous_end is not None and started <= previous_end:
                started = previous_end + dt.timedelta(hours=self.rng.uniform(12, 72))
            if started >= self.now - dt.timedelta(hours=2):
                break
            hours = min(MAX_HOURS, math.exp(self.rng.gauss(math.log(MEDIAN_HOURS), 0.9)) + 1)
            ended: dt.datetime | None = started + dt.timedelta(hours=hours)
            assert ended is not None
            if ended >= self.now:
                ended = None  # still missing at the reference date
            reported = self.rng.random() < POLICE
            episode = PlannedEpisode(
                person_id=child.person_id,
                missing_from=MissingFrom.CARE if from_care else MissingFrom.HOME,
                kind=MissingKind.AWAY
                if from_care and self.rng.random() < AWAY_SHARE
                else MissingKind.MISSING,
                started_at=started,
                ended_at=ended,
                where_found=self.rng.choice(WHERE) if ended else "",
                reported=reported,
                police_reference=f"MP{self.rng.randint(100000, 999999)}" if reported else "",
            )
            self.interview(episode)
            planned.append(episode)
            if ended is None:
                break
            previous_end = ended
        return planned

    def interview(self, e: PlannedEpisode) -> None:
        if e.ended_at is None:
            return
        draw = self.rng.random()
        if draw < RHI_IN_TIME:
            offered = e.ended_at + dt.timedelta(hours=self.rng.uniform(2, 71))
        elif draw < RHI_IN_TIME + RHI_LATE:
            offered = e.ended_at + dt.timedelta(hours=self.rng.uniform(73, 240))
        else:
            return
        if offered >= self.now:
            return
        e.rhi_offered_at = offered
        if self.rng.random() >= RHI_ACCEPTED:
            e.rhi_accepted = False
            return
        e.rhi_accepted = True
        done = offered.astimezone(LONDON).date() + dt.timedelta(days=self.rng.randint(0, 7))
        if done >= self.ref:
            return
        e.rhi_completed_on = done
        if self.rng.random() < RHI_BY_STAFF and self.inputs.staff:
            e.rhi_by = self.lead_on(e.person_id, done) or self.rng.choice(self.inputs.staff)
        else:
            e.rhi_by_agency = AGENCY
        e.rhi_findings = self.rng.choice(FINDINGS)

    def lead_on(self, person_id: int, day: dt.date) -> int | None:
        for start, end, worker in self.inputs.leads.get(person_id, []):
            if start <= day and (end is None or day <= end):
                return worker
        return None

    # --- risk assessments ------------------------------------------------------------------------

    def assessments_for(
        self, child: Known, concern_on: dt.date, last_concern: dt.date, kind: str
    ) -> list[PlannedAssessment]:
        made: list[PlannedAssessment] = []
        day = concern_on + dt.timedelta(days=self.rng.randint(1, 21))
        stops = self.rng.random() < STOPS_REVIEWING
        closes = (
            self.ref - last_concern
        ).days > PASSED_DAYS and self.rng.random() < CLOSES_WHEN_PASSED
        while day < self.ref:
            assessor = self.lead_on(child.person_id, day) or (
                self.rng.choice(self.inputs.staff) if self.inputs.staff else None
            )
            if assessor is None:
                break
            made.append(
                PlannedAssessment(
                    person_id=child.person_id,
                    kind=kind,
                    level=_weighted(self.rng, LEVELS),
                    assessed_on=day,
                    assessor=assessor,
                    summary=self.rng.choice(SUMMARIES[kind]),
                    actions=self.rng.choice(ACTIONS),
                )
            )
            if closes and day > last_concern + dt.timedelta(days=PASSED_DAYS):
                closed = day + dt.timedelta(days=self.rng.randint(0, 20))
                if closed < self.ref:
                    made[-1].closed_on = closed
                    made[-1].closed_reason = self.rng.choice(CLOSE_REASONS)
                break
            if stops and len(made) >= 2:
                break  # reviews stopped: out of date by the reference date
            gap = (
                self.rng.randint(60, 91)
                if self.rng.random() < REVIEW_ON_TIME
                else self.rng.randint(92, 120)
            )
            day += dt.timedelta(days=gap)
        return made

    def risk(self, episodes_by_child: dict[int, list[PlannedEpisode]]) -> None:
        for child in self.inputs.children:
            episodes = episodes_by_child.get(child.person_id, [])
            concern_days = [e.started_at.astimezone(LONDON).date() for e in episodes]
            if child.factor_on is not None:
                concern_days.append(child.factor_on)
            if not concern_days:
                continue
            if self.rng.random() >= ASSESSED_SHARE:
                continue
            if "11A" in child.factor_codes:
                kind = RiskKind.CSE
            elif {"24A", "13A"} & set(child.factor_codes):
                kind = RiskKind.CCE
            else:
                kind = RiskKind.MISSING
            first = min(concern_days)
            self.plan.assessments.extend(
                self.assessments_for(child, first, max(concern_days), kind)
            )


def _weighted(rng: random.Random, options: list[tuple[str, float]]) -> str:
    x = rng.random() * sum(w for _, w in options)
    for value, weight in options:
        x -= weight
        if x < 0:
            return value
    return options[-1][0]


def plan_council(ctx: GenerationContext, inputs: Inputs) -> Plan:
    planner = Planner(ctx, inputs)
    by_child: dict[int, list[PlannedEpisode]] = {}
    for child, window in planner.missing_children():
        episodes = planner.episodes_for(child, window)
        by_child[child.person_id] = episodes
        planner.plan.episodes.extend(episodes)
    planner.risk(by_child)
    return planner.plan


# --- writing -------------------------------------------------------------------------------------


def _recorder(inputs: Inputs, person_id: int, planner_leads: Planner, day: dt.date) -> int:
    return planner_leads.lead_on(person_id, day) or inputs.staff[person_id % len(inputs.staff)]


def write(ctx: GenerationContext, inputs: Inputs, plan: Plan) -> None:
    planner = Planner(ctx, inputs)  # for lead_on only
    episodes = ctx.bulk_create(
        [
            MissingEpisode(
                person_id=e.person_id,
                missing_from=e.missing_from,
                kind=e.kind,
                started_at=e.started_at,
                ended_at=e.ended_at,
                where_found=e.where_found,
                reported_to_police=e.reported,
                police_reference=e.police_reference,
                rhi_offered_at=e.rhi_offered_at,
                rhi_accepted=e.rhi_accepted,
                rhi_completed_on=e.rhi_completed_on,
                rhi_by_id=e.rhi_by,
                rhi_by_agency=e.rhi_by_agency,
                rhi_findings=e.rhi_findings,
                recorded_by_id=_recorder(
                    inputs, e.person_id, planner, e.started_at.astimezone(LONDON).date()
                ),
            )
            for e in plan.episodes
        ],
        desc="Missing episodes",
    )
    assessments = ctx.bulk_create(
        [
            RiskAssessment(
                person_id=a.person_id,
                kind=a.kind,
                level=a.level,
                assessed_on=a.assessed_on,
                assessor_id=a.assessor,
                summary=a.summary,
                actions=a.actions,
                closed_on=a.closed_on,
                closed_reason=a.closed_reason,
                closed_by_id=a.assessor if a.closed_on else None,
                recorded_by_id=a.assessor,
            )
            for a in plan.assessments
        ],
        desc="Risk assessments",
    )
    events: list[ClockEvent] = []
    child = SubjectType.CHILD.value

    def event(
        person_id: int, name: str, at: dt.date | dt.datetime, source: str, key: str = ""
    ) -> None:
        events.append(
            ClockEvent(
                subject_type=child,
                subject_id=person_id,
                name=name,
                occurred_on=at.astimezone(LONDON).date() if isinstance(at, dt.datetime) else at,
                occurred_at=at if isinstance(at, dt.datetime) else None,
                key=key,
                source=source,
            )
        )

    for row in episodes:
        if row.ended_at is not None:
            event(
                row.person_id,
                "missing-return",
                row.ended_at,
                f"safeguarding.missing:{row.pk}:return",
                missing_key(row.pk),
            )
        if row.rhi_offered_at is not None:
            event(
                row.person_id,
                "rhi-offered",
                row.rhi_offered_at,
                f"safeguarding.missing:{row.pk}:rhi",
                missing_key(row.pk),
            )
    by_child: dict[int, list[dict]] = defaultdict(list)
    for assessment in assessments:
        event(
            assessment.person_id,
            "risk-assessment",
            assessment.assessed_on,
            risk_source(assessment.pk),
        )
        by_child[assessment.person_id].append(
            {
                "pk": assessment.pk,
                "kind": assessment.kind,
                "assessed_on": assessment.assessed_on,
                "closed_on": assessment.closed_on,
            }
        )
    for person_id, rows in by_child.items():
        for source, day in _closures_wanted(rows).items():
            event(person_id, "risk-closed", day, source)
    ctx.bulk_create(events, desc="Risk and missing clocks")
    subjects = sorted({(child, e.subject_id) for e in events})
    calendar = working_calendar()
    written = 0
    for start in range(0, len(subjects), REDERIVE_BATCH):
        written += timescales.rederive(subjects[start : start + REDERIVE_BATCH], calendar=calendar)
    ctx.counts["timescales.deadline"] += written


@register_step("risk-and-missing", order=128)
def generate_risk_and_missing(ctx: GenerationContext) -> None:
    inputs = load_inputs(ctx)
    if not inputs.children or not inputs.staff:
        return
    plan = plan_council(ctx, inputs)
    write(ctx, inputs, plan)
    ctx.summary["missing_episodes"] = len(plan.episodes)
    ctx.summary["risk_assessments"] = len(plan.assessments)
