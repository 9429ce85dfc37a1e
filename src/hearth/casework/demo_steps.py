"""Synthetic child and family assessments for the demo council.

Step "assessments" (order 122) runs after the front door (110), which wrote the child in need
episodes and handed over the date each assessment was authorised (its length drawn from the C2
2025 bands: median 33 working days, 85.7% within 45), and after allocation (120), whose lead
allocations say who did the assessment. Every episode that is not a referral with no further action
gets an assessment: started on the referral date or within two working days, the child seen early
in it (an unborn child is not seen), alone for most children of five or more, with their words
(or, for the youngest, what was observed), the factors identified, an analysis, an outcome that
agrees with how the episode closed (RC8: no further action, RC9: early help, otherwise a child in
need plan), sent for authorisation a day or two before the team manager authorised it with a
rationale. Assessments still running at the reference date are unauthorised and have no factors
(CIN census 8614). About 6% of episodes that stay open a year or more get a further assessment.
An episode with a section 47 enquiry that found the child not in need closes RC7, not RC8/RC9
(census rule 2990): the front door hands its outcome over ("frontdoor.assessment_outcomes"), and
such an assessment is never "21, no factors identified" alone (significant harm was suspected).

Factor mix [estimates shaped by the CIN census: parental mental health and domestic abuse each in
more than a third of assessments; exploitation, gangs and missing mostly for adolescents]. A
child assessed not in need has "21, no factors identified" alone in about 40% of cases.

Clock events: "assessment-completed" on the authorisation date, keyed to the episode, with the
source the assessment services use, then the children's deadlines are re-derived.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from hearth.core.models import User
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step
from hearth.people.demo_steps import FastRows
from hearth.timescales import services as timescales
from hearth.timescales.models import ClockEvent
from hearth.timescales.selectors import working_calendar
from hearth.workforce.models import Allocation

from .codes import AssessmentOutcome, ClosureReason
from .models import Assessment, AssessmentFactorIdentified, ChildInNeedEpisode

LONDON = ZoneInfo("Europe/London")
REDERIVE_BATCH = 1000
FURTHER_ASSESSMENT = 0.06  # of episodes open a year or more
NO_FACTORS_WHEN_NOT_IN_NEED = 0.4

# Probability of each factor for a child found in need: (all ages, adolescents of 12 or more).
# Parental mental health and domestic abuse come out in over a third of all assessments.
FACTORS: dict[str, tuple[float, float]] = {
    "4B": (0.48, 0.38),
    "3B": (0.46, 0.32),
    "3A": (0.12, 0.10),
    "1B": (0.16, 0.12),
    "2B": (0.17, 0.12),
    "16A": (0.20, 0.12),
    "17A": (0.22, 0.20),
    "4A": (0.06, 0.30),
    "5A": (0.04, 0.06),
    "5B": (0.05, 0.04),
    "6B": (0.06, 0.05),
    "18C": (0.07, 0.06),
    "18B": (0.01, 0.03),
    "19C": (0.03, 0.04),
    "19B": (0.01, 0.02),
    "1A": (0.00, 0.06),
    "2A": (0.00, 0.10),
    "10A": (0.01, 0.14),
    "11A": (0.00, 0.09),
    "13A": (0.00, 0.06),
    "24A": (0.00, 0.09),
    "12A": (0.00, 0.01),
    "14A": (0.01, 0.10),
    "15A": (0.00, 0.10),
    "7A": (0.02, 0.04),
    "1C": (0.02, 0.02),
    "2C": (0.02, 0.02),
    "4C": (0.03, 0.02),
    "20": (0.08, 0.08),
    "22A": (0.002, 0.002),
    "23A": (0.003, 0.003),
}
LIGHT_FACTORS = ["4B", "3B", "6B", "7A", "20", "5B", "4A"]

VIEWS_YOUNG = [
    "Too young to say in words. Smiled and reached for their mum; settled quickly in her arms.",
    "Not yet talking. Babbled and played with the stacking cups; looked to dad when the door went.",
    "Said \u201cmummy\u201d and \u201cdog\u201d. Played on the floor and brought me a book.",
    "Not yet talking in sentences. Watched me closely and stayed near their grandmother.",
]
VIEWS_CHILD = [
    "I like it when Mum takes me to the park. I don\u2019t like it when they shout at night.",
    "My favourite thing is my bike. Sometimes there isn\u2019t any breakfast and my tummy hurts.",
    "I want to stay living with Nan. School is good because Miss lets me help with the fish.",
    "Dad gets angry when he drinks. I hide in my room with my headphones on.",
    "I\u2019m happy at home. I would like my mum to feel better so she can come to assembly.",
    "I worry about my little brother. I make him toast when Mum is asleep.",
    "It\u2019s better now the police came. I don\u2019t want Dad to come back to the house.",
    "I like football and my friend Sam. I don\u2019t like it when Mum cries.",
]
VIEWS_TEEN = [
    "I just want everyone to stop arguing. I\u2019m fine, I can look after myself.",
    "I don\u2019t trust social workers but you\u2019re alright. I want to go back to college.",
    "Home is stressful. I stay at my mate\u2019s most nights because it\u2019s calmer there.",
    "I know people think those lads are bad news. They\u2019re the only ones who look out for me.",
    "I want my own room and for Mum to stop drinking. I want to do my exams.",
    "I feel low a lot of the time. I\u2019d talk to someone if it wasn\u2019t at school.",
    "Nobody listens to me. I want to live with my dad and I\u2019ve said it loads of times.",
    "Things are better since the meeting. I still get worried when my step-dad is home.",
]
ANALYSIS = (
    "Strengths: {strength}. Worries: {worry}. The impact on {name}'s daily life is {impact}; "
    "what needs to change is clear to the family, who agree to work with us."
)
STRENGTHS = [
    "a warm relationship with their grandparents",
    "good school attendance and a trusted teacher",
    "a parent who recognises the worries and asks for help",
    "a wider family who help with childcare",
]
WORRIES = [
    "parental mental health affecting routines",
    "domestic abuse witnessed at home",
    "inconsistent supervision and poor home conditions",
    "risk outside the home from older young people",
    "parental substance misuse",
]
IMPACTS = ["significant", "moderate", "emerging", "limited at present"]
RATIONALES = [
    "Agree with the analysis: the child's needs require a child in need plan with clear actions.",
    "Analysis is evidence-based and the child's voice is clear; the outcome is proportionate.",
    "Needs can be met by universal and early help services; the family agree to the step down.",
    "No further action is needed: the worries are addressed and the family have support.",
    "The assessment evidences the risks; agree the outcome and the next steps recorded.",
]


def _age(dob: dt.date | None, day: dt.date) -> float:
    return (day - dob).days / 365.25 if dob else -1.0


def _outcome(reason: str) -> str:
    if reason == ClosureReason.RC8:
        return AssessmentOutcome.NO_FURTHER_ACTION
    if reason == ClosureReason.RC9:
        return AssessmentOutcome.EARLY_HELP
    return AssessmentOutcome.CHILD_IN_NEED_PLAN


@register_step("assessments", order=122)
def generate_assessments(ctx: GenerationContext) -> None:
    planned: dict[int, dt.date] = ctx.handover.get("frontdoor.assessment_dates", {})
    handed_outcomes: dict[int, str] = ctx.handover.get("frontdoor.assessment_outcomes", {})
    if not planned:
        return
    rng = ctx.rng
    ref = ctx.reference_date
    calendar = working_calendar()
    episodes: list[dict[str, Any]] = [
        dict(row)
        for row in ChildInNeedEpisode.objects.filter(referral_nfa=False)
        .order_by("referral_date", "pk")
        .values(
            "pk",
            "person_id",
            "referral_date",
            "closure_date",
            "closure_reason",
            "referral_worker_id",
            "referral_team_id",
            "person__date_of_birth",
            "person__forename",
            "person__is_uasc",
        )
    ]
    leads: dict[int, list[tuple[dt.date, dt.date | None, int, int | None]]] = defaultdict(list)
    for a in Allocation.objects.filter(role="lead").values_list(
        "person_id", "start_date", "end_date", "worker_id", "team_id"
    ):
        leads[a[0]].append((a[1], a[2], a[3], a[4]))
    managers = dict(User.objects.values_list("pk", "line_manager_id"))

    def holder(person: int, day: dt.date, e: dict[str, Any]) -> tuple[int | None, int | None]:
        for start, end, worker, team in leads.get(person, ()):
            if start <= day and (end is None or day <= end):
                return worker, team
        return e["referral_worker_id"], e["referral_team_id"]

    assessments = FastRows(ctx, Assessment)
    factors = FastRows(ctx, AssessmentFactorIdentified)
    events = FastRows(ctx, ClockEvent)
    children: dict[int, None] = {}
    on_time = completed = 0

    def add(e: dict[str, Any], start: dt.date, authorised: dt.date | None) -> None:
        nonlocal on_time, completed
        person, dob = e["person_id"], e["person__date_of_birth"]
        worker, team = holder(person, start, e)
        if worker is None:
            return
        age = _age(dob, start)
        seen: dt.date | None = None
        if dob is not None and dob <= start:
            latest = authorised or ref - dt.timedelta(days=1)
            seen = min(start + dt.timedelta(days=rng.randint(0, 10)), latest)
            if seen < start:
                seen = None
        alone = None
        if seen is not None:
            alone = rng.random() < (0.7 if age >= 5 else 0.05)
        views = ""
        if seen is not None:
            pool = VIEWS_YOUNG if age < 4 else VIEWS_CHILD if age < 12 else VIEWS_TEEN
            views = rng.choice(pool)
        outcome = ""
        rationale = ""
        submitted = None
        if authorised is not None:
            outcome = handed_outcomes.get(e["pk"]) or (
                _outcome(e["closure_reason"])
                if e["closure_date"]
                else (AssessmentOutcome.CHILD_IN_NEED_PLAN)
            )
            rationale = rng.choice(RATIONALES)
            sent = max(start, authorised - dt.timedelta(days=rng.randint(0, 2)))
            submitted = dt.datetime.combine(sent, dt.time(rng.randint(9, 16)), tzinfo=LONDON)
        elif rng.random() < 0.15:
            submitted = dt.datetime.combine(ref - dt.timedelta(days=1), dt.time(15), tzinfo=LONDON)
        pk = assessments.add(
            episode_id=e["pk"],
            person_id=person,
            start_date=start,
            child_seen_on=seen,
            seen_alone=alone,
            child_views=views,
            analysis=ANALYSIS.format(
                strength=rng.choice(STRENGTHS),
                worry=rng.choice(WORRIES),
                name=e["person__forename"] or "the child",
                impact=rng.choice(IMPACTS),
            )
            if authorised
            else "",
            outcome=outcome,
            worker_id=worker,
            team_id=team,
            submitted_at=submitted,
            authorised_on=authorised,
            authorised_by_id=(managers.get(worker) or worker) if authorised else None,
            authorisation_rationale=rationale,
        )
        if authorised is None:
            return
        completed += 1
        on_time += calendar.working_days_between(e["referral_date"], authorised) <= 45
        for code in _factors(rng, e, outcome, age, enquiry=e["pk"] in handed_outcomes):
            factors.add(assessment_id=pk, code=code)
        events.add(
            subject_type="child",
            subject_id=person,
            name="assessment-completed",
            occurred_on=authorised,
            key=f"episode:{e['pk']}",
            source=f"casework.assessment:{pk}",
        )
        children[person] = None

    for e in ctx.progress(episodes, desc="Assessments", total=len(episodes), unit="episodes"):
        done = planned.get(e["pk"])
        if done is None:
            continue
        referral = e["referral_date"]
        closure = e["closure_date"]
        latest_start = min(done, ref - dt.timedelta(days=1))
        start = min(calendar.add_working_days(referral, rng.choice((0, 0, 0, 1, 2))), latest_start)
        start = max(start, referral)
        authorised = done if done < ref else None
        if closure is not None and authorised is not None:
            authorised = min(authorised, closure)
        add(e, start, authorised)
        # A further assessment for some long episodes (after the first was authorised).
        end = closure or ref
        if authorised and (end - authorised).days > 365 and rng.random() < FURTHER_ASSESSMENT:
            again = authorised + dt.timedelta(days=rng.randint(180, (end - authorised).days - 60))
            length = rng.randint(10, 40)
            finished = calendar.add_working_days(again, length)
            finished_on: dt.date | None = finished if finished < end else None
            if closure is not None and finished_on is None:
                continue  # a closed episode's assessments are all authorised (8867)
            add(e, again, finished_on)

    assessments.write()
    factors.write()
    events.write()
    written = 0
    subjects = [("child", pk) for pk in children]
    batches = range(0, len(subjects), REDERIVE_BATCH)
    for first in ctx.progress(
        batches, desc="Deadlines", total=math.ceil(len(subjects) / REDERIVE_BATCH), unit="batch"
    ):
        written += timescales.rederive(subjects[first : first + REDERIVE_BATCH], calendar=calendar)
    ctx.counts["timescales.deadline"] += written
    ctx.summary.update(
        assessments_completed=completed,
        assessments_within_45_working_days=round(on_time / completed, 3) if completed else 0.0,
    )


def _factors(
    rng: Any, e: dict[str, Any], outcome: str, age: float, *, enquiry: bool = False
) -> list[str]:
    if outcome in (AssessmentOutcome.NO_FURTHER_ACTION, AssessmentOutcome.EARLY_HELP):
        if (
            outcome == AssessmentOutcome.NO_FURTHER_ACTION
            and not enquiry
            and rng.random() < NO_FACTORS_WHEN_NOT_IN_NEED
        ):
            return ["21"]
        return rng.sample(LIGHT_FACTORS, rng.randint(1, 2))
    teen = age >= 12
    chosen = [code for code, (p, q) in FACTORS.items() if rng.random() < (q if teen else p)]
    if e["person__is_uasc"]:
        chosen = ["9A", *[c for c in chosen if c != "9A"]]
    if not chosen:
        chosen = ["20"]
    return chosen
