"""Synthetic legal planning and orders for the demo council, and the clock events they record.

Step "legal" (order 135) runs after child protection: it reads what earlier steps made and adds
nothing when they made nothing (no child protection plans, no section 47 enquiries).

- **Legal gateway meetings** for about 80% of child protection plans that lasted over 15 months
  (domain.md row 10: plans of 15 to 18 months usually trigger legal planning), held 1 to 6 weeks
  after the 15-month point. About a third decide to enter pre-proceedings, about one in ten to
  issue care proceedings; the rest continue the plan or seek further assessment [our estimates].
- **Pre-proceedings** for those: the letter before proceedings 2 to 14 days after the decision,
  the initial meeting 5 to 14 days after the letter, a family group meeting offered to about 80%
  and held for about 60% of those, review meetings every 4 to 6 weeks, and a decision after 10 to
  26 weeks (about 16 is the expectation, domain.md row 46, unverified): step down (about 55%) or
  issue (about 45%); one still running at the reference date has no outcome yet. Everything stays
  within the child in need episode.
- **Care proceedings** after an issue decision: issued 0 to 3 days after the application to court.
  Durations follow the Ministry of Justice's Family Court Statistics (domain.md row 45a: 35%
  decided within 26 weeks, 40 weeks on average): 35% take 16 to 26 weeks, the rest 27 to 73.
  Most long ones have the court's extensions on record (8 weeks at a time), some do not. A first
  hearing in the second week, sometimes a further case management hearing, an issues resolution
  hearing and the final hearing; an interim care order for most, a supervision order for some;
  final orders in a plausible mix.
- **Emergency protection** for about 1% of children with a section 47 enquiry: police protection
  (three in four, 3 to 70 hours) or an emergency protection order (up to 8 days, a fifth extended
  by up to 7); some police protection is followed by an order, and most orders by care
  proceedings after a legal gateway meeting.

Clock events are written with the sources the services use, then the children's deadlines are
re-derived in batches. All text is synthetic.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step
from hearth.people.demo_steps import FastRows
from hearth.plans.models import Plan
from hearth.timescales import calendar as cal
from hearth.timescales import services as timescales
from hearth.timescales.models import ClockEvent
from hearth.timescales.selectors import working_calendar

from .codes import (
    EPO_EXTENSION_DAYS,
    LONG_PLAN_MONTHS,
    CarePlanKind,
    EmergencyKind,
    EmergencyOutcome,
    FinalOrderKind,
    GatewayDecision,
    GatewayReason,
    HearingKind,
    InterimOrderKind,
    PreProceedingsOutcome,
    Representation,
)
from .models import (
    CareProceedings,
    CourtHearing,
    EmergencyProtection,
    InterimOrder,
    LegalGatewayMeeting,
    PreProceedings,
    PreProceedingsReview,
    ProceedingsExtension,
)

REDERIVE_BATCH = 1000
GATEWAY_SHARE = 0.8
EMERGENCY_SHARE = 0.01
WITHIN_26_SHARE = 0.35
EXTENSIONS_RECORDED = 0.85
DECISIONS = (
    (GatewayDecision.PRE_PROCEEDINGS, 0.34),
    (GatewayDecision.ISSUE, 0.10),
    (GatewayDecision.CONTINUE, 0.42),
    (GatewayDecision.ASSESS, 0.14),
)
FINAL_ORDERS = (
    (FinalOrderKind.CARE, 0.40),
    (FinalOrderKind.SUPERVISION, 0.14),
    (FinalOrderKind.SGO, 0.20),
    (FinalOrderKind.CAO, 0.10),
    (FinalOrderKind.PLACEMENT, 0.10),
    (FinalOrderKind.NO_ORDER, 0.03),
    (FinalOrderKind.WITHDRAWN, 0.03),
)
FINAL_PLAN = {
    FinalOrderKind.CARE: (CarePlanKind.FOSTERING, CarePlanKind.RESIDENTIAL, CarePlanKind.HOME),
    FinalOrderKind.SUPERVISION: (CarePlanKind.HOME,),
    FinalOrderKind.SGO: (CarePlanKind.FAMILY,),
    FinalOrderKind.CAO: (CarePlanKind.FAMILY, CarePlanKind.HOME),
    FinalOrderKind.PLACEMENT: (CarePlanKind.ADOPTION,),
    FinalOrderKind.NO_ORDER: (CarePlanKind.HOME,),
    FinalOrderKind.WITHDRAWN: (CarePlanKind.HOME,),
}
INITIAL_PLANS = (
    (CarePlanKind.FOSTERING, 0.35),
    (CarePlanKind.HOME, 0.25),
    (CarePlanKind.FAMILY, 0.25),
    (CarePlanKind.ADOPTION, 0.10),
    (CarePlanKind.OTHER, 0.05),
)
COURTS = (
    "Family Court sitting at Leeds",
    "Family Court sitting at Bradford",
    "Family Court sitting at Sheffield",
    "Family Court sitting at Manchester",
    "Family Court sitting at Nottingham",
    "Family Court sitting at Birmingham",
)
FORCES = (
    "West Yorkshire Police",
    "South Yorkshire Police",
    "Greater Manchester Police",
    "Nottinghamshire Police",
    "West Midlands Police",
)
ATTENDEES = (
    "Head of service (chair), team manager, social worker, local authority solicitor, "
    "child protection chair",
    "Service manager (chair), team manager, social worker, legal adviser, independent reviewing "
    "officer",
    "Head of service (chair), social worker, team manager, local authority solicitor, family "
    "group conference coordinator",
)
RATIONALES = {
    GatewayDecision.PRE_PROCEEDINGS: (
        "The child has been on a child protection plan for over fifteen months and the worries "
        "about neglect have not reduced; the parents need to understand clearly what must "
        "change, with legal advice, before the council considers applying to court.",
        "Despite the plan, the parents have not engaged with the agreed work and the child "
        "remains at risk of significant harm; pre-proceedings gives a last structured chance to "
        "make the changes needed.",
    ),
    GatewayDecision.ISSUE: (
        "The threshold for care proceedings is met: the child has suffered significant harm "
        "and the risk is now too high to manage at home, so the council will apply for an "
        "interim care order.",
    ),
    GatewayDecision.CONTINUE: (
        "The threshold is not met at present: there has been real progress in the last three "
        "months and the plan should continue with a review at the next conference.",
        "The family are now working with the plan and the worries are reducing, so no legal "
        "action is needed; the child protection plan continues with tighter timescales.",
    ),
    GatewayDecision.ASSESS: (
        "More information is needed before a decision about legal action: a parenting "
        "assessment and a cognitive assessment of mum will be commissioned and the meeting will "
        "reconvene.",
    ),
}
REVIEW_NOTES = (
    "Parents attended with their solicitor. Some progress on home conditions; school attendance "
    "still poor. The plan continues with clearer expectations.",
    "Mum has started the parenting course; dad did not attend. Drug testing results awaited.",
    "Little change since the initial meeting. The parents were told the council is considering "
    "an application to court.",
    "Good progress: the family network plan is working and the home is safe. Step down is being "
    "considered.",
)
HEARING_NOTES = {
    HearingKind.FIRST: "Interim order made; directions for assessments and the timetable set.",
    HearingKind.CASE_MANAGEMENT: "Directions for expert evidence; timetable confirmed.",
    HearingKind.ISSUES_RESOLUTION: "Issues narrowed; final hearing listed.",
    HearingKind.FINAL: "Final order made.",
}
PP_REASONS = (
    "Found alone at home at night, aged under five, by officers attending a disturbance; no "
    "adult could be traced.",
    "Parent arrested and intoxicated; no safe adult to care for the child.",
    "The child disclosed a serious assault at home and said they were scared to go back.",
)
EPO_REASONS = (
    "The parents refused to let the child be seen or medically examined after a serious "
    "injury; there is reasonable cause to believe the child will suffer significant harm if "
    "not removed.",
    "The child was at immediate risk from a violent adult returning to the home.",
)


def _pick(rng: random.Random, options: Any) -> Any:
    return rng.choice(options)


def _weighted(rng: random.Random, pairs: Any) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- planning ------------------------------------------------------------------------------------


@dataclass
class PlannedProceedings:
    person_id: int
    worker_id: int | None
    issued_on: dt.date
    court: str
    reference: str
    short_notice: bool
    represented: str
    initial_plan: str
    initial_approved: bool | None
    final_order: str = ""
    final_order_on: dt.date | None = None
    final_plan: str = ""
    final_approved: bool | None = None
    hearings: list[tuple[dt.date, str, str]] = field(default_factory=list)
    extensions: list[tuple[dt.date, int, str]] = field(default_factory=list)
    interim: list[tuple[str, dt.date]] = field(default_factory=list)
    pp_index: int | None = None
    gateway_index: int | None = None


@dataclass
class PlannedPP:
    person_id: int
    episode_id: int
    worker_id: int | None
    gateway_index: int
    start: dt.date
    letter: dt.date | None = None
    initial: dt.date | None = None
    fgdm_offered: bool | None = None
    fgdm_offered_on: dt.date | None = None
    fgdm_held: bool | None = None
    fgdm_held_on: dt.date | None = None
    represented: str = ""
    outcome: str = ""
    outcome_on: dt.date | None = None
    court_application_on: dt.date | None = None
    intention_on: dt.date | None = None
    reviews: list[dt.date] = field(default_factory=list)


@dataclass
class PlannedGateway:
    person_id: int
    worker_id: int | None
    held_on: dt.date
    reason: str
    decision: str
    plan_id: int | None
    rationale: str
    attendees: str


@dataclass
class PlannedEmergency:
    person_id: int
    worker_id: int | None
    kind: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    reason: str
    police_force: str = ""
    police_reference: str = ""
    officer: str = ""
    court: str = ""
    court_reference: str = ""
    extended_on: dt.date | None = None
    extension_days: int | None = None
    outcome: str = ""
    notes: str = ""


@dataclass
class Plan_:
    gateways: list[PlannedGateway] = field(default_factory=list)
    pre_proceedings: list[PlannedPP] = field(default_factory=list)
    proceedings: list[PlannedProceedings] = field(default_factory=list)
    emergencies: list[PlannedEmergency] = field(default_factory=list)


class Planner:
    def __init__(self, ctx: GenerationContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.reference = ctx.reference_date
        self.latest = ctx.reference_date - _days(1)
        self.plan = Plan_()
        # Per child: spans (start, end or None) taken by pre-proceedings and by proceedings.
        self.pp_spans: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        self.court_spans: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        self.emergency_children: set[int] = set()

    @staticmethod
    def _free(spans: list[tuple[dt.date, dt.date | None]], start: dt.date) -> bool:
        return all(end is not None and end <= start for _, end in spans) and all(
            begin <= start for begin, _ in spans
        )

    def _reference(self, letters: str) -> str:
        return f"{letters}{self.reference:%y}C{self.rng.randint(10, 99_999):05d}"

    # -- gateways and what follows ---------------------------------------------------------------

    def from_plan(self, row: dict[str, Any]) -> None:
        rng = self.rng
        start: dt.date = row["start_date"]
        # Pre-proceedings run within the episode (they may outlast the plan); the meeting is held
        # while the plan is still open.
        stop = min(
            d
            for d in (self.latest, row["episode__closure_date"], row["person__date_of_death"])
            if d is not None
        )
        plan_stop = min(stop, row["end_date"] or stop)
        fifteen = cal.add_months(start, LONG_PLAN_MONTHS)
        if fifteen >= plan_stop or rng.random() >= GATEWAY_SHARE:
            return
        held = min(fifteen + _days(rng.randint(1, 42)), plan_stop)
        if held <= fifteen:
            return
        decision = _weighted(rng, DECISIONS)
        person_id = row["person_id"]
        if decision == GatewayDecision.PRE_PROCEEDINGS and not self._free(
            self.pp_spans[person_id], held
        ):
            decision = GatewayDecision.CONTINUE
        if decision == GatewayDecision.ISSUE and not self._free(self.court_spans[person_id], held):
            decision = GatewayDecision.CONTINUE
        index = self._gateway(
            person_id,
            row["worker_id"],
            held,
            GatewayReason.LONG_CP_PLAN,
            decision,
            row["pk"],
        )
        if decision == GatewayDecision.PRE_PROCEEDINGS:
            self._pre_proceedings(row, index, held, stop)
        elif decision == GatewayDecision.ISSUE:
            issued = held + _days(rng.randint(3, 21))
            if issued <= self.latest:
                self._proceedings(person_id, row["worker_id"], issued, gateway_index=index)

    def _gateway(
        self,
        person_id: int,
        worker_id: int | None,
        held: dt.date,
        reason: str,
        decision: str,
        plan_id: int | None,
    ) -> int:
        self.plan.gateways.append(
            PlannedGateway(
                person_id=person_id,
                worker_id=worker_id,
                held_on=held,
                reason=reason,
                decision=decision,
                plan_id=plan_id,
                rationale=_pick(self.rng, RATIONALES[GatewayDecision(decision)]),
                attendees=_pick(self.rng, ATTENDEES),
            )
        )
        return len(self.plan.gateways) - 1

    def _pre_proceedings(
        self, row: dict[str, Any], gateway_index: int, start: dt.date, stop: dt.date
    ) -> None:
        rng = self.rng
        closure: dt.date | None = row["episode__closure_date"]
        pp = PlannedPP(
            person_id=row["person_id"],
            episode_id=row["episode_id"],
            worker_id=row["worker_id"],
            gateway_index=gateway_index,
            start=start,
            represented=_weighted(
                rng,
                ((Representation.ALL, 0.7), (Representation.SOME, 0.2), (Representation.NONE, 0.1)),
            ),
        )

        def when(day: dt.date) -> dt.date | None:
            return day if day <= stop else None

        pp.letter = when(start + _days(rng.randint(2, 14)))
        if pp.letter is not None:
            pp.initial = when(pp.letter + _days(rng.randint(5, 14)))
        if rng.random() < 0.8:
            offered = when(start + _days(rng.randint(0, 14)))
            if offered is not None:
                pp.fgdm_offered, pp.fgdm_offered_on = True, offered
                if rng.random() < 0.6:
                    held = when(offered + _days(rng.randint(7, 35)))
                    pp.fgdm_held, pp.fgdm_held_on = (True, held) if held else (None, None)
                else:
                    pp.fgdm_held = False
        else:
            pp.fgdm_offered = False
        decided = start + dt.timedelta(weeks=rng.randint(10, 26))
        if decided > stop:
            if closure is not None and closure <= self.latest:
                pp.outcome, pp.outcome_on = PreProceedingsOutcome.STEP_DOWN, max(closure, start)
            elif rng.random() < 0.3 and start + dt.timedelta(weeks=12) <= stop:
                pp.outcome = PreProceedingsOutcome.CONTINUE
                pp.outcome_on = start + dt.timedelta(weeks=12)
        else:
            issue = rng.random() < 0.45
            pp.outcome = PreProceedingsOutcome.ISSUE if issue else PreProceedingsOutcome.STEP_DOWN
            pp.outcome_on = decided
        ended = pp.outcome in (PreProceedingsOutcome.STEP_DOWN, PreProceedingsOutcome.ISSUE)
        review_stop = pp.outcome_on if ended and pp.outcome_on else stop
        if pp.initial is not None:
            day = pp.initial + _days(rng.randint(28, 42))
            while day <= review_stop:
                pp.reviews.append(day)
                day += _days(rng.randint(28, 42))
        if pp.outcome_on is not None and pp.initial is not None and pp.outcome_on < pp.initial:
            pp.initial = None  # decided before the meeting could be held
            pp.reviews = []
        self.pp_spans[pp.person_id].append((start, pp.outcome_on if ended else None))
        self.plan.pre_proceedings.append(pp)
        pp_index = len(self.plan.pre_proceedings) - 1
        if pp.outcome == PreProceedingsOutcome.ISSUE and pp.outcome_on is not None:
            applied = pp.outcome_on + _days(rng.randint(0, 10))
            if rng.random() < 0.7:
                pp.intention_on = max(pp.outcome_on - _days(rng.randint(0, 7)), start)
            if applied <= self.latest and (closure is None or applied <= closure):
                pp.court_application_on = applied
                issued = applied + _days(rng.randint(0, 3))
                if issued <= self.latest and self._free(self.court_spans[pp.person_id], issued):
                    self._proceedings(pp.person_id, pp.worker_id, issued, pp_index=pp_index)
            if (
                pp.intention_on
                and pp.court_application_on
                and (pp.intention_on > pp.court_application_on)
            ):
                pp.intention_on = pp.court_application_on

    def _proceedings(
        self,
        person_id: int,
        worker_id: int | None,
        issued: dt.date,
        *,
        pp_index: int | None = None,
        gateway_index: int | None = None,
        short_notice: bool | None = None,
    ) -> None:
        rng = self.rng
        if rng.random() < WITHIN_26_SHARE:
            days = rng.randint(16 * 7, 26 * 7)
        else:
            days = rng.randint(26 * 7 + 1, 73 * 7)
        concluded = issued + _days(days)
        notice = rng.random() < 0.1 if short_notice is None else short_notice
        p = PlannedProceedings(
            person_id=person_id,
            worker_id=worker_id,
            issued_on=issued,
            court=_pick(rng, COURTS),
            reference=self._reference(_pick(rng, ("LS", "BD", "SF", "MA", "NG", "BM"))),
            short_notice=notice,
            represented=Representation.ALL if rng.random() < 0.9 else Representation.SOME,
            initial_plan=_weighted(rng, INITIAL_PLANS),
            initial_approved=rng.random() < 0.85,
            pp_index=pp_index,
            gateway_index=gateway_index,
        )
        until = min(concluded, self.latest)
        if concluded <= self.latest:
            p.final_order = _weighted(rng, FINAL_ORDERS)
            p.final_order_on = concluded
            p.final_plan = _pick(rng, FINAL_PLAN[FinalOrderKind(p.final_order)])
            p.final_approved = rng.random() < 0.9
        first = issued + _days(rng.randint(7, 13))
        if first <= until:
            notes = HEARING_NOTES[HearingKind.FIRST]
            p.hearings.append((first, HearingKind.FIRST, notes))
            interim = _weighted(
                rng,
                ((InterimOrderKind.ICO, 0.7), (InterimOrderKind.ISO, 0.15), ("", 0.15)),
            )
            if interim:
                p.interim.append((interim, first))
            cmh = first + dt.timedelta(weeks=rng.randint(6, 10))
            if rng.random() < 0.3 and cmh < until:
                p.hearings.append(
                    (cmh, HearingKind.CASE_MANAGEMENT, HEARING_NOTES[HearingKind.CASE_MANAGEMENT])
                )
            if p.final_order_on is not None:
                irh = p.final_order_on - dt.timedelta(weeks=rng.randint(3, 8))
                if irh > first and (not p.hearings or irh > p.hearings[-1][0]):
                    p.hearings.append(
                        (
                            irh,
                            HearingKind.ISSUES_RESOLUTION,
                            HEARING_NOTES[HearingKind.ISSUES_RESOLUTION],
                        )
                    )
                p.hearings.append(
                    (p.final_order_on, HearingKind.FINAL, HEARING_NOTES[HearingKind.FINAL])
                )
            else:
                # The next hearing is listed: a date after the reference date, no outcome yet.
                p.hearings.append(
                    (
                        self.reference + _days(rng.randint(7, 42)),
                        HearingKind.CASE_MANAGEMENT,
                        "",
                    )
                )
        # The court's extensions, when the proceedings ran (or are running) past 26 weeks.
        if days > 26 * 7 and rng.random() < EXTENSIONS_RECORDED:
            due = issued + dt.timedelta(weeks=26)
            while due < concluded:
                granted = due - _days(rng.randint(7, 21))
                if granted > until or granted < issued:
                    break
                weeks = min(8, math.ceil((concluded - due).days / 7))
                p.extensions.append(
                    (
                        granted,
                        weeks,
                        "Expert evidence not yet filed; a further assessment of the "
                        "grandparents is needed to resolve the case justly.",
                    )
                )
                due += dt.timedelta(weeks=weeks)
        self.court_spans[person_id].append((issued, p.final_order_on))
        self.plan.proceedings.append(p)

    # -- emergency protection --------------------------------------------------------------------

    def from_enquiry(self, row: dict[str, Any]) -> None:
        rng = self.rng
        person_id = row["person_id"]
        if rng.random() >= EMERGENCY_SHARE or person_id in self.emergency_children:
            return
        day = row["start_date"] - _days(rng.randint(0, 1))
        born = row["person__date_of_birth"]
        if day > self.latest or (born is not None and day < born):
            return
        self.emergency_children.add(person_id)
        worker = row["lead_worker_id"]
        if rng.random() < 0.75:
            started = dt.datetime.combine(
                day, dt.time(rng.randint(0, 23), rng.choice((0, 15, 30, 45))), tzinfo=cal.LONDON
            )
            ended = started + dt.timedelta(hours=rng.randint(3, 70))
            outcome = _weighted(
                rng,
                (
                    (EmergencyOutcome.RETURNED_HOME, 0.30),
                    (EmergencyOutcome.FAMILY_FRIENDS, 0.25),
                    (EmergencyOutcome.SECTION_20, 0.25),
                    (EmergencyOutcome.EPO_MADE, 0.15),
                    (EmergencyOutcome.OTHER, 0.05),
                ),
            )
            record = PlannedEmergency(
                person_id=person_id,
                worker_id=worker,
                kind=EmergencyKind.POLICE,
                started_at=started,
                ended_at=ended,
                reason=_pick(rng, PP_REASONS),
                police_force=_pick(rng, FORCES),
                police_reference=f"PP/{rng.randint(100_000, 999_999)}",
                officer=f"Inspector {self.ctx.faker.last_name()}",
                outcome=outcome,
                notes="Placed with a neighbour pending enquiries."
                if outcome == EmergencyOutcome.OTHER
                else "",
            )
            self._emergency(record)
            if record.outcome == EmergencyOutcome.EPO_MADE and record.ended_at is not None:
                self._epo(person_id, worker, record.ended_at)
        else:
            started = dt.datetime.combine(
                day, dt.time(rng.randint(10, 16), rng.choice((0, 30))), tzinfo=cal.LONDON
            )
            self._epo(person_id, worker, started)

    def _epo(self, person_id: int, worker_id: int | None, started: dt.datetime) -> None:
        rng = self.rng
        if started >= self._cutoff():
            return
        extended = rng.random() < 0.2
        extension = rng.randint(3, EPO_EXTENSION_DAYS) if extended else None
        if extension:
            ended = started + _days(8) + dt.timedelta(hours=rng.randint(1, 24 * extension - 1))
        else:
            ended = started + dt.timedelta(hours=rng.randint(24, 8 * 24))
        outcome = _weighted(
            rng,
            (
                (EmergencyOutcome.ICO_SOUGHT, 0.5),
                (EmergencyOutcome.SECTION_20, 0.25),
                (EmergencyOutcome.RETURNED_HOME, 0.15),
                (EmergencyOutcome.FAMILY_FRIENDS, 0.10),
            ),
        )
        record = PlannedEmergency(
            person_id=person_id,
            worker_id=worker_id,
            kind=EmergencyKind.EPO,
            started_at=started,
            ended_at=ended,
            reason=_pick(rng, EPO_REASONS),
            court=_pick(rng, COURTS),
            court_reference=self._reference("EP"),
            extended_on=(started.astimezone(cal.LONDON).date() + _days(rng.randint(6, 7)))
            if extension
            else None,
            extension_days=extension,
            outcome=outcome,
        )
        self._emergency(record)
        if record.ended_at is None or outcome != EmergencyOutcome.ICO_SOUGHT:
            return
        # The order is followed by care proceedings, decided at a legal gateway meeting.
        decided = started.astimezone(cal.LONDON).date()
        issued = record.ended_at.astimezone(cal.LONDON).date()
        if issued > self.latest or not self._free(self.court_spans[person_id], decided):
            return
        index = self._gateway(
            person_id, worker_id, decided, GatewayReason.EMERGENCY, GatewayDecision.ISSUE, None
        )
        self._proceedings(person_id, worker_id, issued, gateway_index=index, short_notice=True)

    def _cutoff(self) -> dt.datetime:
        return dt.datetime.combine(self.reference, dt.time(0), tzinfo=cal.LONDON)

    def _emergency(self, record: PlannedEmergency) -> None:
        """Nothing after the reference date: an end after it is not known yet."""
        if record.ended_at is not None and record.ended_at >= self._cutoff():
            record.ended_at, record.outcome, record.notes = None, "", ""
        if record.extended_on is not None and record.extended_on >= self.reference:
            record.extended_on, record.extension_days = None, None
            if record.ended_at is not None and (
                record.ended_at - record.started_at > dt.timedelta(days=8)
            ):
                record.ended_at, record.outcome, record.notes = None, "", ""
        self.plan.emergencies.append(record)


# --- loading -------------------------------------------------------------------------------------


def load_cp_plans(ctx: GenerationContext) -> list[dict[str, Any]]:
    rows = (
        Plan.objects.filter(kind="cp", start_date__lt=ctx.reference_date)
        .order_by("person_id", "start_date", "pk")
        .values(
            "pk",
            "person_id",
            "episode_id",
            "start_date",
            "end_date",
            "worker_id",
            "episode__closure_date",
            "person__date_of_death",
        )
    )
    return [dict(row) for row in rows]


def load_enquiries(ctx: GenerationContext) -> list[dict[str, Any]]:
    from hearth.protection.models import Section47Enquiry

    rows = (
        Section47Enquiry.objects.filter(start_date__lt=ctx.reference_date)
        .order_by("person_id", "start_date", "pk")
        .values("person_id", "start_date", "lead_worker_id", "person__date_of_birth")
    )
    return [dict(row) for row in rows]


# --- the step ------------------------------------------------------------------------------------


@register_step("legal", order=135)
def generate_legal(ctx: GenerationContext) -> None:
    plans = load_cp_plans(ctx)
    enquiries = load_enquiries(ctx)
    if not plans and not enquiries:
        return
    planner = Planner(ctx)
    for row in plans:
        if row["episode_id"] is not None:
            planner.from_plan(row)
    for row in enquiries:
        planner.from_enquiry(row)
    write(ctx, planner.plan)


def write(ctx: GenerationContext, plan: Plan_) -> None:
    gateways = FastRows(ctx, LegalGatewayMeeting)
    pps = FastRows(ctx, PreProceedings)
    reviews = FastRows(ctx, PreProceedingsReview)
    proceedings = FastRows(ctx, CareProceedings)
    hearings = FastRows(ctx, CourtHearing)
    extensions = FastRows(ctx, ProceedingsExtension)
    interims = FastRows(ctx, InterimOrder)
    emergencies = FastRows(ctx, EmergencyProtection)
    events = FastRows(ctx, ClockEvent)

    def event(person_id: int, name: str, at: dt.date | dt.datetime, source: str, key: str) -> None:
        events.add(
            subject_type="child",
            subject_id=person_id,
            name=name,
            occurred_on=at.astimezone(cal.LONDON).date() if isinstance(at, dt.datetime) else at,
            occurred_at=at if isinstance(at, dt.datetime) else None,
            key=key,
            source=source,
        )

    gateway_ids = [
        gateways.add(
            person_id=g.person_id,
            held_on=g.held_on,
            reason=g.reason,
            plan_id=g.plan_id,
            chair="Head of service",
            attendees=g.attendees,
            decision=g.decision,
            rationale=g.rationale,
            recorded_by_id=g.worker_id,
        )
        for g in plan.gateways
    ]
    pp_ids: list[int] = []
    for p in plan.pre_proceedings:
        pk = pps.add(
            person_id=p.person_id,
            episode_id=p.episode_id,
            gateway_id=gateway_ids[p.gateway_index],
            start_date=p.start,
            letter_sent_on=p.letter,
            fgdm_offered=p.fgdm_offered,
            fgdm_offered_on=p.fgdm_offered_on,
            fgdm_held=p.fgdm_held,
            fgdm_held_on=p.fgdm_held_on,
            initial_meeting_on=p.initial,
            parents_represented=p.represented,
            outcome=p.outcome,
            outcome_on=p.outcome_on,
            court_application_on=p.court_application_on,
            letter_of_intention_on=p.intention_on,
            recorded_by_id=p.worker_id,
        )
        pp_ids.append(pk)
        for n, day in enumerate(p.reviews):
            reviews.add(
                pre_proceedings_id=pk,
                held_on=day,
                notes=REVIEW_NOTES[n % len(REVIEW_NOTES)],
                recorded_by_id=p.worker_id,
            )
    for c in plan.proceedings:
        pk = proceedings.add(
            person_id=c.person_id,
            pre_proceedings_id=pp_ids[c.pp_index] if c.pp_index is not None else None,
            gateway_id=gateway_ids[c.gateway_index] if c.gateway_index is not None else None,
            issued_on=c.issued_on,
            court=c.court,
            court_reference=c.reference,
            short_notice=c.short_notice,
            short_notice_reason="Immediate risk of harm: the child could not safely wait for "
            "the usual notice."
            if c.short_notice
            else "",
            parents_represented=c.represented,
            initial_care_plan=c.initial_plan,
            initial_plan_approved=c.initial_approved,
            final_care_plan=c.final_plan,
            final_plan_approved=c.final_approved,
            final_order=c.final_order,
            final_order_on=c.final_order_on,
            recorded_by_id=c.worker_id,
        )
        key, source = f"proceedings:{pk}", f"legal.proceedings:{pk}"
        event(c.person_id, "proceedings-issued", c.issued_on, source, key)
        if c.final_order_on is not None:
            event(c.person_id, "proceedings-concluded", c.final_order_on, f"{source}:final", key)
        for day, kind, notes in c.hearings:
            hearings.add(
                proceedings_id=pk,
                held_on=day,
                kind=kind,
                outcome_notes=notes,
                recorded_by_id=c.worker_id,
            )
        for granted, weeks, reason in c.extensions:
            x = extensions.add(
                proceedings_id=pk,
                granted_on=granted,
                weeks=weeks,
                reason=reason,
                recorded_by_id=c.worker_id,
            )
            event(c.person_id, "proceedings-extended", granted, f"legal.extension:{x}", key)
        for kind, made_on in c.interim:
            interims.add(proceedings_id=pk, kind=kind, made_on=made_on, recorded_by_id=c.worker_id)
    for e in plan.emergencies:
        pk = emergencies.add(
            person_id=e.person_id,
            kind=e.kind,
            started_at=e.started_at,
            ended_at=e.ended_at,
            reason=e.reason,
            police_force=e.police_force,
            police_reference=e.police_reference,
            designated_officer=e.officer,
            court=e.court,
            court_reference=e.court_reference,
            extended_on=e.extended_on,
            extension_days=e.extension_days,
            extension_reason="The child's safety plan could not be completed in time."
            if e.extension_days
            else "",
            outcome=e.outcome,
            outcome_notes=e.notes,
            recorded_by_id=e.worker_id,
        )
        key, source = f"emergency:{pk}", f"legal.emergency:{pk}"
        police = e.kind == EmergencyKind.POLICE
        start_name, end_name = (
            ("police-protection-start", "police-protection-end")
            if police
            else ("epo-start", "epo-end")
        )
        event(e.person_id, start_name, e.started_at, source, key)
        if e.ended_at is not None:
            event(e.person_id, end_name, e.ended_at, f"{source}:end", key)
        if e.extended_on is not None:
            event(e.person_id, "epo-extended", e.extended_on, f"{source}:extension", key)
    for rows in (
        gateways,
        pps,
        reviews,
        proceedings,
        hearings,
        extensions,
        interims,
        emergencies,
        events,
    ):
        rows.write()
    subjects = sorted(
        {("child", c.person_id) for c in plan.proceedings}
        | {("child", e.person_id) for e in plan.emergencies}
    )
    calendar = working_calendar()
    written = 0
    for start in range(0, len(subjects), REDERIVE_BATCH):
        written += timescales.rederive(subjects[start : start + REDERIVE_BATCH], calendar=calendar)
    ctx.counts["timescales.deadline"] += written
    ctx.summary.update(
        legal_gateway_meetings=len(plan.gateways),
        pre_proceedings=len(plan.pre_proceedings),
        care_proceedings=len(plan.proceedings),
        emergency_protection=len(plan.emergencies),
    )
