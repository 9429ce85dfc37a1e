"""Synthetic child in need plans for the demo council, and the clock events they record.

Step "plans" (order 124) runs after the assessments (122): every episode whose first authorised
assessment recommended a child in need plan (outcome `cin_plan`) gets one, starting on the
authorisation date or up to five days after (never on or after the reference date, never after
the episode closed), held by the assessing worker and team. A closed episode's plan ends on the
closure date, its reason taken from the closure reason.

Child in need plans stay clear of the child protection plans the child protection step (123)
wrote (census rules 4001, 4016, 4017): a plan running when an initial conference starts a child
protection plan ends that day (its last review decides to escalate); one that would start while a
child protection plan runs is not started. A plan that the step handed over as stepping down
("protection.step_down_plans") is followed by a child in need plan from the day it ended to the
episode's closure.

Each plan has 2 to 4 needs and risks in the language of a strengths-based practice model (Signs
of Safety danger statements with safety goals; about 5% of danger statements are deliberately
longer than the council's word limit, so the managers' flag has something to show), and 3 to 6
actions, each linked to one or two of them, owned by the worker or by a partner agency (school,
health visitor, GP, police, housing, a domestic abuse service...), due 2 to 12 weeks into the plan.
Statuses agree with the dates: an action due before the reference date is mostly done (on or a
little after its due date), sometimes not done or no longer needed, sometimes still in progress
(overdue); one due later is not started or in progress; an ended plan's actions are all closed.

Reviews follow the `cin-review` standard (every 3 months) [our estimates; review timeliness is not
published nationally]: each is held on time (up to two weeks before it is due) with probability
0.8, otherwise 1 to 30 days late; the next is due 3 months after. Clock events `cin-plan-start`,
`cin-plan-end` and `cin-review` are written with the sources the services use, then the
children's deadlines are re-derived.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from hearth.casework.codes import AssessmentOutcome, ClosureReason
from hearth.casework.models import Assessment
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step
from hearth.people.demo_steps import FastRows
from hearth.timescales import services as timescales
from hearth.timescales.models import ClockEvent
from hearth.timescales.selectors import working_calendar

from .codes import ActionStatus, NeedKind, PlanKind, ReviewDecision
from .models import Plan, PlanAction, PlanNeed, PlanReview

REDERIVE_BATCH = 1000
CP_STARTED = "A child protection plan started at the initial child protection conference."
REVIEW_MONTHS = 3
REVIEW_ON_TIME = 0.8
LONG_STATEMENT = 0.05  # of danger statements: longer than the council's limit


# --- text ----------------------------------------------------------------------------------------
# Themes: a need or risk, its safety goal, and actions that address it (owner "worker" or an
# agency). {name} is the child's first name. Synthetic and generic: no real family's details.


@dataclass(frozen=True)
class Theme:
    kind: str
    statement: str
    safety_goal: str
    actions: tuple[tuple[str, str], ...]
    long_statement: str = ""


THEMES: tuple[Theme, ...] = (
    Theme(
        NeedKind.RISK,
        "Social workers, school and the police are worried that if the adults at home argue and "
        "it becomes physical again, {name} could be hurt or badly frightened, as happened when "
        "the police were called in the spring.",
        "Everyone will know {name} is safe when the adults at home sort out disagreements "
        "without shouting or hitting for six months, and {name} tells school they feel calm at "
        "home.",
        (
            (
                "Complete the domestic abuse safety plan with mum and review it at each visit",
                "worker",
            ),
            (
                "Offer mum a place on the Freedom Programme and tell the social worker if she "
                "attends",
                "Domestic abuse service",
            ),
            (
                "Share any call-out to the address with the social worker within one working day",
                "Police",
            ),
            ("Do direct work with {name} on feeling safe, using the three houses tool", "worker"),
        ),
        "Social workers, the school, the health visitor and the police are all worried that if "
        "the adults in {name}'s home keep arguing late at night, and the arguments become "
        "physical again as they did when the police were called in the spring and on two "
        "earlier occasions that the family have told us about, {name} could be hurt by being "
        "caught in the middle, or could be so frightened that they stop sleeping, stop eating "
        "properly and stop going to school.",
    ),
    Theme(
        NeedKind.RISK,
        "We are worried that when mum's mental health is poor she stays in bed and {name} is left "
        "to look after themselves, missing meals and school, and could be hurt at home with no "
        "adult noticing.",
        "{name} will have an adult who gets them up, fed and to school every day, even when mum "
        "is unwell, and a family plan everyone knows for the bad days.",
        (
            (
                "Support mum to register with the community mental health team and attend her "
                "first appointment",
                "worker",
            ),
            ("Review mum's medication and refer to talking therapies", "GP"),
            ("Agree a family network plan naming who steps in when mum is unwell", "worker"),
            ("Tell the social worker the same day if {name} is absent without a reason", "School"),
        ),
    ),
    Theme(
        NeedKind.RISK,
        "We are worried that when dad drinks heavily he falls asleep and {name}, who is under "
        "five, is left without an adult awake to keep them safe, and could be hurt at home.",
        "{name} will always have a sober adult looking after them, and dad will have shown for "
        "three months that he can stay sober when caring for {name}.",
        (
            ("Refer dad to the drug and alcohol service and support him to attend", "worker"),
            (
                "Offer dad weekly key-work sessions and share attendance with the social worker",
                "Drug and alcohol service",
            ),
            ("Check {name}'s development and home safety at a home visit", "Health visitor"),
            ("Agree with the family who cares for {name} when dad has been drinking", "worker"),
        ),
    ),
    Theme(
        NeedKind.RISK,
        "We are worried that {name} is going missing overnight and spending time with older "
        "adults we do not know, and could be sexually or criminally exploited.",
        "{name} will be home every night, will have a trusted adult to talk to, and everyone will "
        "know who {name} spends time with.",
        (
            (
                "Complete a return home interview after every missing episode",
                "Return home interview service",
            ),
            ("Share intelligence about the adults {name} is seen with", "Police"),
            ("Refer {name} to the youth service's one-to-one mentoring", "worker"),
            ("Hold a contextual safeguarding meeting for the places {name} goes", "worker"),
        ),
    ),
    Theme(
        NeedKind.NEED,
        "{name}'s school attendance is below 80% and they are falling behind with reading.",
        "",
        (
            ("Put an attendance support plan in place and meet with mum every half term", "School"),
            ("Arrange reading support three times a week", "School"),
            ("Help mum set up a morning routine with {name}", "Family support service"),
        ),
    ),
    Theme(
        NeedKind.NEED,
        "The family are living in one room in temporary accommodation that is damp and too "
        "small, and {name} has nowhere to play or do homework.",
        "",
        (
            ("Support mum with the housing application and a medical priority request", "worker"),
            ("Assess the family's priority for a two-bedroom home", "Housing"),
            ("Treat the damp and mould in the current room", "Housing"),
        ),
    ),
    Theme(
        NeedKind.NEED,
        "{name} has speech and language delay and has missed their developmental reviews.",
        "",
        (
            ("Complete the overdue two-year developmental review", "Health visitor"),
            ("Refer {name} to speech and language therapy", "GP"),
            (
                "Support mum to take {name} to the stay and play group each week",
                "Family support service",
            ),
        ),
    ),
    Theme(
        NeedKind.NEED,
        "The family have debts and no money for food at the end of the month.",
        "",
        (
            ("Refer the family to the welfare rights service for a benefits check", "worker"),
            ("Provide food bank vouchers until the benefits check is done", "Early help"),
            ("Agree a budgeting plan with mum", "Citizens Advice"),
        ),
    ),
    Theme(
        NeedKind.NEED,
        "{name} is angry and withdrawn after what they have seen at home, and has hurt other "
        "children at school.",
        "",
        (
            ("Refer {name} to the child and adolescent mental health service", "GP"),
            ("Offer {name} weekly sessions with the school counsellor", "School"),
            ("Do life story and feelings work with {name}", "worker"),
        ),
    ),
)

PROGRESS_NOTES = (
    "Started; first session held.",
    "Appointment booked; the family agreed to attend.",
    "Partly done: the family need reminding.",
    "Waiting list of about six weeks.",
)
ATTENDEES = (
    "Mum, social worker, class teacher, health visitor",
    "Mum, dad, social worker, school designated safeguarding lead, family support worker",
    "Mum, grandmother, social worker, GP practice nurse, housing officer",
    "Mum, social worker, domestic abuse worker, school",
)
CHILD_VIEWS = (
    '"I like it when it\'s quiet at home. I want to stay with mum."',
    '"School is better now. I don\'t want people shouting."',
    "{name} drew a picture of the family at the park and said it was a happy day.",
    '"I want my own bed and somewhere to do my homework."',
    "",
)
PROGRESS = (
    "Most actions are done. Mum has engaged well with support and school report that {name} is "
    "more settled. The worries about the home remain but are reducing.",
    "Some progress: attendance has improved, but the referral to specialist support is still "
    "waiting. The plan continues with the actions updated.",
    "Little progress since the last review: appointments were missed. The group agreed clearer "
    "actions and the social worker will visit weekly.",
)
END_REASONS = {
    ClosureReason.RC1: "Case closed: adopted",
    ClosureReason.RC2: "Case closed: the child died",
    ClosureReason.RC3: "Case closed: child arrangements order",
    ClosureReason.RC4: "Case closed: special guardianship order",
    ClosureReason.RC5: "Case closed: transferred to another council",
    ClosureReason.RC6: "Case closed: transferred to adult social care",
    ClosureReason.RC7: "Case closed: no longer in need; the plan's goals were met",
}


def _agency(owner: str) -> str:
    # An action for the worker on a plan with no worker recorded goes to the team's early help.
    return "Early help" if owner == "worker" else owner


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's end (as the timescale engine counts them)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, month_calendar.monthrange(year, month)[1])
    )


# --- planning ------------------------------------------------------------------------------------


@dataclass
class PlannedAction:
    description: str
    owner: str  # "worker" or an agency
    needs: list[int]  # indexes into the plan's needs
    due: dt.date
    status: str = ActionStatus.NOT_STARTED
    completed_on: dt.date | None = None
    progress: str = ""


@dataclass
class PlannedPlan:
    person_id: int
    episode_id: int
    worker_id: int | None
    team_id: int | None
    start: dt.date
    end: dt.date | None
    end_reason: str
    needs: list[tuple[str, str, str]] = field(default_factory=list)  # kind, statement, goal
    actions: list[PlannedAction] = field(default_factory=list)
    reviews: list[tuple[dt.date, str, str, str, str]] = field(default_factory=list)


def action_status(
    rng: random.Random, start: dt.date, due: dt.date, stop: dt.date, ended: bool
) -> tuple[str, dt.date | None]:
    """An action's status and completion date, consistent with the day the history stops (the
    plan's end, or the day before the reference date)."""
    if due <= stop:
        x = rng.random()
        if x < 0.7 or (ended and x < 0.8):
            done = min(due + dt.timedelta(days=rng.randint(-14, 10)), stop)
            return ActionStatus.DONE, max(done, start)
        if x < 0.8:
            return ActionStatus.NOT_DONE, None
        if x < 0.88 or ended:
            return ActionStatus.NO_LONGER_NEEDED, None
        return ActionStatus.IN_PROGRESS, None  # overdue at the reference date
    if ended:
        return rng.choice((ActionStatus.NO_LONGER_NEEDED, ActionStatus.NOT_DONE)), None
    x = rng.random()
    if x < 0.1:
        return ActionStatus.DONE, start + dt.timedelta(days=rng.randint(0, (stop - start).days))
    return (ActionStatus.IN_PROGRESS if x < 0.55 else ActionStatus.NOT_STARTED), None


def plan_window(
    rng: random.Random, row: dict[str, Any], reference: dt.date
) -> tuple[dt.date, dt.date | None] | None:
    """When the plan for an authorised assessment would run: from the authorisation date or up
    to five days after, to the episode's closure."""
    latest = reference - dt.timedelta(days=1)
    closure: dt.date | None = row["episode__closure_date"]
    died: dt.date | None = row["person__date_of_death"]
    start = row["authorised_on"] + dt.timedelta(days=rng.randint(0, 5))
    start = max(min(start, latest, closure or latest), row["episode__referral_date"])
    if died is not None and start > died:
        return None
    return start, closure


def plan_one(
    rng: random.Random,
    row: dict[str, Any],
    reference: dt.date,
    start: dt.date,
    end: dt.date | None,
    end_reason: str = "",
) -> PlannedPlan:
    """The plan's needs, actions and reviews from `start` to `end` (None: open). It ends with the
    episode (its reason from the closure reason) unless `end_reason` says otherwise."""
    latest = reference - dt.timedelta(days=1)
    reason = ""
    if end is not None:
        reason = end_reason or END_REASONS.get(row["episode__closure_reason"], "Case closed")
    plan = PlannedPlan(
        person_id=row["person_id"],
        episode_id=row["episode_id"],
        worker_id=row["worker_id"],
        team_id=row["team_id"],
        start=start,
        end=end,
        end_reason=reason,
    )
    name = row["person__forename"] or "the child"
    risks = [t for t in THEMES if t.kind == NeedKind.RISK]
    needs = [t for t in THEMES if t.kind == NeedKind.NEED]
    count = rng.randint(2, 4)
    chosen_risks = rng.sample(risks, rng.randint(1, min(2, count)))
    chosen = chosen_risks + rng.sample(needs, count - len(chosen_risks))
    for theme in chosen:
        statement = theme.statement
        if theme.kind == NeedKind.RISK and rng.random() < LONG_STATEMENT:
            statement = theme.long_statement or (
                theme.statement
                + " The worry is made worse because the family have not yet been able to tell us "
                "who else could help, and because the professionals around {name} do not always "
                "share what they know quickly enough for anyone to act on it in time."
            )
        plan.needs.append(
            (theme.kind, statement.format(name=name), theme.safety_goal.format(name=name))
        )
    stop = min(end or latest, latest)
    ended = end is not None
    pairs = [(i, a) for i, t in enumerate(chosen) for a in t.actions]
    rng.shuffle(pairs)
    wanted = rng.randint(max(3, len(chosen)), 6)
    picked: list[tuple[int, tuple[str, str]]] = []
    for i in range(len(chosen)):  # every need or risk gets at least one action
        picked.append(next(p for p in pairs if p[0] == i))
    for p in pairs:
        if len(picked) >= wanted:
            break
        if p not in picked:
            picked.append(p)
    for need_index, (text, owner) in picked:
        linked = [need_index]
        if len(chosen) > 1 and rng.random() < 0.3:
            linked.append(rng.choice([i for i in range(len(chosen)) if i != need_index]))
        due = start + dt.timedelta(weeks=rng.randint(2, 12))
        status, completed = action_status(rng, start, due, stop, ended)
        progress = rng.choice(PROGRESS_NOTES) if status == ActionStatus.IN_PROGRESS else ""
        plan.actions.append(
            PlannedAction(
                description=text.format(name=name),
                owner=owner,
                needs=sorted(linked),
                due=due,
                status=status,
                completed_on=completed,
                progress=progress,
            )
        )
    due = add_months(start, REVIEW_MONTHS)
    while True:
        if rng.random() < REVIEW_ON_TIME:
            held = max(due - dt.timedelta(days=rng.randint(0, 14)), start)
        else:
            held = due + dt.timedelta(days=rng.randint(1, 30))
        if held > stop:
            break
        last = ended and add_months(held, REVIEW_MONTHS) > stop
        decision = ReviewDecision.CONTINUE
        if last and end_reason == CP_STARTED:
            decision = ReviewDecision.ESCALATE
        elif last:
            decision = (
                ReviewDecision.STEP_DOWN
                if row["episode__closure_reason"] == ClosureReason.RC7
                else ReviewDecision.CLOSE
            )
        plan.reviews.append(
            (
                held,
                rng.choice(ATTENDEES),
                rng.choice(CHILD_VIEWS).format(name=name),
                rng.choice(PROGRESS).format(name=name),
                decision,
            )
        )
        due = add_months(held, REVIEW_MONTHS)
    return plan


def load_assessments(ctx: GenerationContext) -> list[dict[str, Any]]:
    """The first authorised assessment recommending a child in need plan, per episode."""
    rows = (
        Assessment.objects.filter(
            outcome=AssessmentOutcome.CHILD_IN_NEED_PLAN,
            authorised_on__isnull=False,
            authorised_on__lt=ctx.reference_date,
            episode__referral_nfa=False,
        )
        .order_by("episode_id", "authorised_on", "pk")
        .values(
            "episode_id",
            "person_id",
            "authorised_on",
            "worker_id",
            "team_id",
            "episode__referral_date",
            "episode__closure_date",
            "episode__closure_reason",
            "person__forename",
            "person__date_of_death",
        )
    )
    first: dict[int, Any] = {}
    for row in rows:
        first.setdefault(row["episode_id"], row)
    return list(first.values())


def load_cp_plans() -> dict[int, list[dict[str, Any]]]:
    """The child protection plans (written by the child protection step, order 123), by child."""
    by_child: dict[int, list[dict[str, Any]]] = {}
    for row in (
        Plan.objects.filter(kind=PlanKind.CP)
        .order_by("person_id", "start_date", "pk")
        .values(
            "pk",
            "person_id",
            "episode_id",
            "start_date",
            "end_date",
            "worker_id",
            "team_id",
            "episode__closure_date",
            "episode__closure_reason",
            "person__forename",
        )
    ):
        by_child.setdefault(row["person_id"], []).append(dict(row))
    return by_child


def outside_protection(
    row: dict[str, Any],
    start: dt.date,
    end: dt.date | None,
    protection: list[dict[str, Any]],
    step_down: set[int],
) -> tuple[dt.date, dt.date | None, str] | None:
    """The child in need plan's window kept clear of the child's child protection plans (census
    rules 4001, 4016, 4017): one running when a conference starts a plan ends that day; one that
    would start during a plan (or after a plan the step-down plan follows) is not started."""
    reason = ""
    for cp in protection:
        cp_start, cp_end = cp["start_date"], cp["end_date"]
        if end is not None and end <= cp_start:
            continue
        if start < cp_start:
            end, reason = cp_start, CP_STARTED
        elif (
            cp_end is not None
            and start >= cp_end
            and (cp["pk"] not in step_down or cp["episode_id"] != row["episode_id"])
        ):
            continue
        else:
            return None
    return start, end, reason


# --- the step ------------------------------------------------------------------------------------


@register_step("plans", order=124)
def generate_plans(ctx: GenerationContext) -> None:
    rows = load_assessments(ctx)
    if not rows:
        return
    rng = ctx.rng
    ref = ctx.reference_date
    protection = load_cp_plans()
    step_down: set[int] = ctx.handover.get("protection.step_down_plans", set())
    planned: list[PlannedPlan] = []
    for row in ctx.progress(rows, desc="Plans", total=len(rows), unit="plans"):
        window = plan_window(rng, row, ref)
        if window is None:
            continue
        clear = outside_protection(row, *window, protection.get(row["person_id"], []), step_down)
        if clear is not None:
            planned.append(plan_one(rng, row, ref, *clear))
    # Stepped down: a child in need plan from the day the child protection plan ended.
    for cp in (cp for plans in protection.values() for cp in plans):
        if cp["pk"] in step_down and cp["end_date"] is not None and cp["end_date"] < ref:
            closure = cp["episode__closure_date"]
            if closure is None or closure > cp["end_date"]:
                planned.append(plan_one(rng, cp, ref, cp["end_date"], closure))
    # One open plan per child: a child with two open episodes' plans keeps the later one only.
    seen: dict[int, PlannedPlan] = {}
    kept: list[PlannedPlan] = []
    for p in sorted(planned, key=lambda p: (p.person_id, p.start)):
        previous = seen.get(p.person_id)
        if previous is not None and (previous.end is None or previous.end > p.start):
            continue
        seen[p.person_id] = p
        kept.append(p)
    write(ctx, kept)


def write(ctx: GenerationContext, planned: list[PlannedPlan]) -> None:
    plans = FastRows(ctx, Plan)
    needs = FastRows(ctx, PlanNeed)
    actions = FastRows(ctx, PlanAction)
    links = FastRows(ctx, PlanAction.needs.through)
    reviews = FastRows(ctx, PlanReview)
    events = FastRows(ctx, ClockEvent)
    on_time = total_reviews = 0
    for p in planned:
        plan_id = plans.add(
            kind=PlanKind.CIN,
            person_id=p.person_id,
            episode_id=p.episode_id,
            start_date=p.start,
            end_date=p.end,
            end_reason=p.end_reason,
            contingency="If the worries increase or the family stop working with the plan, the "
            "social worker will ask the team manager for a strategy discussion.",
            worker_id=p.worker_id,
            team_id=p.team_id,
            created_by_id=p.worker_id,
        )
        need_ids = [
            needs.add(
                plan_id=plan_id,
                kind=kind,
                statement=statement,
                safety_goal=goal,
                order=order,
                word_count=len(statement.split()),
            )
            for order, (kind, statement, goal) in enumerate(p.needs, start=1)
        ]
        for a in p.actions:
            worker_owned = a.owner == "worker" and p.worker_id is not None
            action_id = actions.add(
                plan_id=plan_id,
                description=a.description,
                owner_user_id=p.worker_id if worker_owned else None,
                owner_agency="" if worker_owned else _agency(a.owner),
                due_date=a.due,
                status=a.status,
                completed_on=a.completed_on,
                progress=a.progress,
            )
            for index in a.needs:
                links.add(planaction_id=action_id, planneed_id=need_ids[index])
        source = f"plans.plan:{plan_id}"
        events.add(
            subject_type="child",
            subject_id=p.person_id,
            name="cin-plan-start",
            occurred_on=p.start,
            source=source,
        )
        if p.end is not None:
            events.add(
                subject_type="child",
                subject_id=p.person_id,
                name="cin-plan-end",
                occurred_on=p.end,
                source=f"{source}:end",
            )
        due = add_months(p.start, REVIEW_MONTHS)
        for held, attendees, views, progress, decision in p.reviews:
            review_id = reviews.add(
                plan_id=plan_id,
                held_on=held,
                attendees=attendees,
                child_views=views,
                progress_summary=progress,
                decision=decision,
                recorded_by_id=p.worker_id,
            )
            events.add(
                subject_type="child",
                subject_id=p.person_id,
                name="cin-review",
                occurred_on=held,
                source=f"plans.review:{review_id}",
            )
            total_reviews += 1
            on_time += held <= due
            due = add_months(held, REVIEW_MONTHS)
    for rows in (plans, needs, actions, links, reviews, events):
        rows.write()
    calendar = working_calendar()
    subjects = sorted({("child", p.person_id) for p in planned})
    written = 0
    batches = range(0, len(subjects), REDERIVE_BATCH)
    for start in ctx.progress(
        batches, desc="Deadlines", total=math.ceil(len(subjects) / REDERIVE_BATCH), unit="batch"
    ):
        written += timescales.rederive(subjects[start : start + REDERIVE_BATCH], calendar=calendar)
    ctx.counts["timescales.deadline"] += written
    ctx.summary.update(
        cin_plans=len(planned),
        cin_plans_open=sum(p.end is None for p in planned),
        cin_reviews_on_time=round(on_time / total_reviews, 3) if total_reviews else 0.0,
    )
