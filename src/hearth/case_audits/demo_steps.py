"""Synthetic case audit history for the demo council.

Step "case-audits" (order 150, after the allocations at 120) writes one audit template in the
language of English practice (six domains, two or three questions each) and a monthly audit
programme for the last two years of the history (or all of it, if shorter). Each month audits a
sample of the cases open on its first day: about 2 cases per social worker per quarter
[our estimate of a typical council's audit programme; nothing is published nationally], so a
council of 100 social workers audits about 67 cases a month.

Cases are the lead allocations written by the allocation step (read in one query, restricted and
merged records left out): the audit records the team and worker holding the case. If no
allocations exist, the cases are the open child in need episodes, with no team or worker. A child
is not audited twice within six months. Auditors are team managers auditing other teams' cases,
service managers, heads of service and the quality assurance auditors (never the case's worker, and
not its own team's manager when another is free); moderators are those who hold
`core.manage_case_audits`, never the auditor.

Grades by scenario [our estimates]: typical mostly good or requires improvement (5% outstanding,
45% good, 40% requires improvement, 10% inadequate); improving and stressed (or struggling) have
more requiring improvement and inadequate. Domains grade around the overall grade, management
oversight and planning a little lower when the council is stressed. About 90% of completed audits
are moderated (80% when stressed) and the moderator changes the grade in about 15% of them (20%
when stressed), more often down than up. Findings follow the domain grades: strengths where a
domain is good or better, areas for improvement where it is not; each area for improvement in an
audit graded below good gets an action owned by the worker or their team manager, due in two to
six weeks. Most actions are done, some late; some are still open and overdue at the reference date
(more when stressed). Backlogs are recent, as in a working service: audits and actions from more
than four months before the reference date were mostly caught up on (moderated; actions done very
late, or cancelled when the case closed). Audits of the reference date's month are still under
way, and the demo auditor and team manager each have some of them to do.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.choices import RoleCode
from hearth.core.models import User
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from .models import (
    GRADE_ORDER,
    Answer,
    AuditDomain,
    AuditProgramme,
    AuditQuestion,
    AuditStatus,
    AuditTemplate,
    CaseAudit,
    DomainGrade,
    Finding,
    FindingKind,
    Grade,
    Moderation,
    QuestionAnswer,
    Theme,
)
from .models import AuditAction as Action

LONDON = ZoneInfo("Europe/London")
R = RoleCode
G = Grade
T = Theme

AUDITS_PER_WORKER_PER_QUARTER = 2  # [our estimate]
AUDIT_HISTORY_MONTHS = 24
REAUDIT_GAP_DAYS = 183
WITHDRAWN_SHARE = 0.03

# Overall grades by scenario (outstanding, good, requires improvement, inadequate) [estimates].
GRADE_WEIGHTS: dict[str, tuple[float, float, float, float]] = {
    "typical": (0.05, 0.45, 0.40, 0.10),
    "improving": (0.03, 0.35, 0.45, 0.17),
    "stressed": (0.01, 0.20, 0.49, 0.30),
    "struggling": (0.01, 0.20, 0.49, 0.30),
}
STRESSED = {"stressed", "struggling"}


@dataclass(frozen=True)
class Rates:
    moderated: float  # share of completed audits that are moderated
    changed: float  # share of moderations that change the grade
    actions_done: float  # share of actions done at all (given time)
    weak_themes: tuple[str, ...]  # themes graded a step lower more often


def rates_for(scenario: str) -> Rates:
    if scenario in STRESSED:
        return Rates(0.80, 0.20, 0.70, (T.OVERSIGHT, T.PLANNING, T.ASSESSMENT))
    if scenario == "improving":
        return Rates(0.88, 0.17, 0.80, (T.OVERSIGHT, T.PLANNING))
    return Rates(0.92, 0.14, 0.88, (T.OVERSIGHT,))


class Weighted:
    """A weighted choice, drawn with one `rng.random()` (fast in the per-question loop)."""

    def __init__(self, options: Sequence[tuple[Any, float]]) -> None:
        self.values = [value for value, _ in options]
        self.cumulative = list(itertools.accumulate(weight for _, weight in options))

    def pick(self, rng: Any) -> Any:
        index = bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])
        return self.values[min(index, len(self.values) - 1)]


# --- the template --------------------------------------------------------------------------------

TEMPLATE_NAME = "Practice quality audit"
TEMPLATE_DESCRIPTION = (
    "The monthly audit of children's case records: six domains graded outstanding, good, "
    "requires improvement or inadequate, with the evidence for each grade, findings and actions."
)
DOMAINS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "The child's lived experience and voice",
        T.VOICE,
        [
            (
                "Is the child's lived experience clear from the record: what a day is like "
                "for them?",
                "Look for direct observation and the child's own words, not only the adults' "
                "accounts.",
            ),
            (
                "Have the child's wishes and feelings been sought in a way that suits their age "
                "and understanding?",
                "",
            ),
            (
                "Is the child's identity (culture, faith, language, disability) understood and "
                "reflected in the work?",
                "",
            ),
        ],
    ),
    (
        "Assessment and analysis",
        T.ASSESSMENT,
        [
            (
                "Is there an up-to-date assessment that analyses risk and need, not only "
                "describes them?",
                "An assessment older than a year, or written before a significant change, is "
                "not up to date.",
            ),
            ("Does the assessment use the family's history to understand patterns?", ""),
            ("Were the parents' and partner agencies' views gathered and weighed?", ""),
        ],
    ),
    (
        "Planning and risk",
        T.PLANNING,
        [
            (
                "Is there a current plan with specific, measurable actions that address the "
                "risks identified?",
                "",
            ),
            ("Is it clear what will happen if things do not improve (contingency)?", ""),
            (
                "Is the plan reviewed within timescales, with progress measured against the "
                "outcomes for the child?",
                "",
            ),
        ],
    ),
    (
        "Management oversight and supervision",
        T.OVERSIGHT,
        [
            (
                "Is there evidence of regular, reflective supervision on the child's record?",
                "Supervision records should show analysis and direction, not only a list of tasks.",
            ),
            ("Do managers' decisions record their rationale and the actions they set?", ""),
            ("Has drift or delay been identified and challenged?", ""),
        ],
    ),
    (
        "Visits and direct work",
        T.DIRECT_WORK,
        [
            (
                "Is the child seen within timescales, and seen alone when that is appropriate?",
                "",
            ),
            ("Is there purposeful direct work with the child, and is its impact recorded?", ""),
        ],
    ),
    (
        "Partnership and multi-agency work",
        T.PARTNERSHIP,
        [
            ("Are partner agencies engaged in the plan and attending meetings?", ""),
            (
                "Is information shared promptly, with consent or another lawful basis recorded?",
                "",
            ),
            ("Was a partner's poor response escalated when it needed to be?", ""),
        ],
    ),
]

# --- words ---------------------------------------------------------------------------------------

COMMENTARY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # theme: (when strong, when weak)
    T.VOICE: (
        (
            "The child's words are recorded throughout and their views shaped the plan.",
            "Direct observation of the child at home and school gives a clear picture of daily "
            "life.",
        ),
        (
            "The record tells us what the adults think; the child's own views are largely missing.",
            "Visits are recorded as having happened, with little about what the child said or "
            "showed.",
        ),
    ),
    T.ASSESSMENT: (
        (
            "The assessment analyses the impact of the parents' difficulties on the child and is "
            "current.",
            "History is used well to explain why the risks are what they are.",
        ),
        (
            "The assessment describes events but does not analyse what they mean for the child.",
            "The assessment is out of date and does not reflect the recent change in the "
            "household.",
        ),
    ),
    T.PLANNING: (
        (
            "The plan is specific and measurable, and progress is reviewed against it.",
            "Contingency planning is clear and understood by the family.",
        ),
        (
            "Plan actions are vague (for example 'mother to engage') and not time-bound.",
            "There is no contingency plan should the current arrangements break down.",
        ),
    ),
    T.OVERSIGHT: (
        (
            "Supervision is regular and reflective and sets clear direction for the work.",
            "Management decisions are recorded with their rationale.",
        ),
        (
            "Supervision is irregular and records tasks rather than analysis.",
            "Drift over several months has not been picked up by management oversight.",
        ),
    ),
    T.DIRECT_WORK: (
        (
            "The child is seen regularly and alone, and direct work has helped them make sense of "
            "events.",
            "Visits are purposeful and linked to the plan.",
        ),
        (
            "Visits have lapsed beyond timescales on two occasions.",
            "The child has not been seen alone since the last review.",
        ),
    ),
    T.PARTNERSHIP: (
        (
            "Schools and health are active partners and attend core group meetings.",
            "Information is shared promptly and partners' contributions are recorded.",
        ),
        (
            "Partners' attendance at meetings is poor and this has not been escalated.",
            "Health information has not been sought since the assessment.",
        ),
    ),
}
STRENGTHS: dict[str, tuple[str, ...]] = {
    T.VOICE: (
        "The child's voice is strong on the record and clearly influences decisions.",
        "Creative direct work has helped the child express their wishes and feelings.",
    ),
    T.ASSESSMENT: (
        "A thorough, analytical assessment that makes the risks and needs clear.",
        "Good use of the chronology to understand patterns of concern.",
    ),
    T.PLANNING: (
        "The plan is focused on the child and progress is measured against it.",
        "Clear contingency planning that the family understands.",
    ),
    T.OVERSIGHT: (
        "Regular reflective supervision gives clear direction and avoids drift.",
        "Management decisions are timely and their rationale is recorded.",
    ),
    T.DIRECT_WORK: (
        "The child is seen regularly, alone, and has a trusting relationship with the worker.",
        "Purposeful direct work with a clear impact for the child.",
    ),
    T.PARTNERSHIP: (
        "Strong multi-agency working with the school and health visitor.",
        "Partners contribute actively to the plan and share information promptly.",
    ),
}
AREAS: dict[str, tuple[str, ...]] = {
    T.VOICE: (
        "The child's lived experience is not clear: their views are not recorded.",
        "The child's identity and culture are not considered in the work.",
    ),
    T.ASSESSMENT: (
        "The assessment is descriptive and does not analyse the impact on the child.",
        "The assessment is out of date following changes in the household.",
    ),
    T.PLANNING: (
        "Plan actions are not specific or time-bound, so progress cannot be measured.",
        "There is no contingency plan.",
    ),
    T.OVERSIGHT: (
        "Supervision is not recorded regularly and does not challenge drift.",
        "Management decisions lack a recorded rationale.",
    ),
    T.DIRECT_WORK: (
        "Statutory visits have been missed and the child has not been seen alone.",
        "Direct work is not linked to the plan and its impact is not recorded.",
    ),
    T.PARTNERSHIP: (
        "Partner agencies are not engaged and poor attendance has not been escalated.",
        "Information from health has not been sought or shared.",
    ),
}
ACTIONS: dict[str, tuple[str, ...]] = {
    T.VOICE: (
        "Complete direct work with the child to record their wishes and feelings, and reflect "
        "them in the plan.",
        "See the child alone at the next visit and record what they say in their own words.",
    ),
    T.ASSESSMENT: (
        "Update the assessment to analyse the impact of the recent changes on the child.",
        "Add an up-to-date chronology and use it in the assessment's analysis.",
    ),
    T.PLANNING: (
        "Rewrite the plan with specific, time-bound actions and share it with the family.",
        "Agree and record a contingency plan at the next review.",
    ),
    T.OVERSIGHT: (
        "Hold and record reflective supervision on this case within two weeks.",
        "Record the manager's rationale for the current plan and set review dates.",
    ),
    T.DIRECT_WORK: (
        "Bring visits back within timescales and record the child seen alone.",
        "Plan direct work sessions linked to the plan's outcomes.",
    ),
    T.PARTNERSHIP: (
        "Request updated information from health and the school and record it.",
        "Escalate partners' non-attendance at core groups through the escalation protocol.",
    ),
}
COMPLETION_NOTES = (
    "Done and recorded on the child's file.",
    "Completed; discussed in supervision.",
    "Updated and shared with the family and partners.",
    "Done at the last visit; the record is updated.",
    "Completed and reviewed by the team manager.",
)
SUMMARIES: dict[str, tuple[str, ...]] = {
    G.OUTSTANDING: (
        "Exceptional practice: the child is at the centre of the work and their circumstances "
        "have improved.",
    ),
    G.GOOD: (
        "Good practice overall: the child is seen and heard and the plan is making a difference.",
        "The work is purposeful and well overseen, with some areas to strengthen.",
    ),
    G.REQUIRES_IMPROVEMENT: (
        "The child is safe but the work lacks focus and progress is slow.",
        "Practice is inconsistent: some strengths, but planning and oversight need to improve.",
    ),
    G.INADEQUATE: (
        "Risks are not understood or addressed and the child's situation has drifted.",
        "Serious weaknesses: the child is not seen often enough and there is no effective plan.",
    ),
}
# How a domain's grade sits against the overall grade: the same, a step better or a step worse.
DOMAIN_STEPS = Weighted([(0, 0.55), (-1, 0.2), (1, 0.25)])
MODERATION_AGREED = (
    "Agree with the auditor's grade and findings.",
    "Agreed: the grade is well evidenced and the actions are the right ones.",
)
MODERATION_LOWER = (
    "The evidence does not support the grade: the risks are not analysed and the plan has "
    "drifted, so the grade is lowered.",
    "Lowered: supervision has not challenged the delay the auditor found.",
)
MODERATION_RAISE = (
    "Raised: the direct work and the child's progress outweigh the gaps in recording.",
    "The auditor under-weighted the strengths in partnership work; the grade is raised.",
)
CANCEL_REASONS = (
    "The case closed before the action was completed.",
    "Overtaken by the child's review: the plan has changed.",
)
# Moderation backlogs and overdue actions from more than this many days before the reference
# date were mostly caught up on (so the demo's open items are recent, as in a working service).
CATCH_UP_DAYS = 120
WITHDRAWN_REASONS = (
    "The case closed before the audit started.",
    "The child moved to another local authority.",
    "The case is subject to a rapid review and will be looked at there.",
)
ANSWER_WEIGHTS: dict[str, Weighted] = {
    G.OUTSTANDING: Weighted(
        [(Answer.YES, 0.9), (Answer.PARTLY, 0.07), (Answer.NOT_APPLICABLE, 0.03)]
    ),
    G.GOOD: Weighted(
        [
            (Answer.YES, 0.7),
            (Answer.PARTLY, 0.22),
            (Answer.NO, 0.05),
            (Answer.NOT_APPLICABLE, 0.03),
        ]
    ),
    G.REQUIRES_IMPROVEMENT: Weighted(
        [
            (Answer.YES, 0.32),
            (Answer.PARTLY, 0.4),
            (Answer.NO, 0.25),
            (Answer.NOT_APPLICABLE, 0.03),
        ]
    ),
    G.INADEQUATE: Weighted(
        [
            (Answer.YES, 0.1),
            (Answer.PARTLY, 0.32),
            (Answer.NO, 0.55),
            (Answer.NOT_APPLICABLE, 0.03),
        ]
    ),
}

# --- planning ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    person_id: int
    worker_id: int | None
    team_id: int | None
    start: dt.date
    end: dt.date | None

    def open_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


def load_cases() -> list[Case]:
    """Lead allocations (one query); the open child in need episodes if there are none."""
    live = {"person__is_restricted": False, "person__merged_into__isnull": True}
    rows = list(
        Allocation.objects.filter(role=CaseRole.LEAD_SOCIAL_WORKER, **live)
        .order_by("person_id", "start_date", "id")
        .values_list("person_id", "worker_id", "team_id", "start_date", "end_date")
    )
    if rows:
        return [Case(*row) for row in rows]
    episodes = (
        ChildInNeedEpisode.objects.filter(referral_nfa=False, **live)
        .order_by("person_id", "referral_date", "id")
        .values_list("person_id", "referral_date", "closure_date")
    )
    return [Case(p, None, None, start, end) for p, start, end in episodes]


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def months_before(day: dt.date, months: int = AUDIT_HISTORY_MONTHS - 1) -> dt.date:
    """The first day of the month `months` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def at(day: dt.date, rng: Any) -> dt.datetime:
    """A time in office hours on that day, London time."""
    minutes = rng.randint(9 * 60, 17 * 60 + 30)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=LONDON)


def shift(grade: str, steps: int) -> str:
    """A grade `steps` better (negative) or worse (positive), kept on the scale."""
    index = min(max(GRADE_ORDER.index(grade) + steps, 0), len(GRADE_ORDER) - 1)
    return GRADE_ORDER[index]


def is_strong(grade: str) -> bool:
    return grade in (G.OUTSTANDING, G.GOOD)


@register_step("case-audits", order=150)
def generate_case_audits(ctx: GenerationContext) -> None:
    rng = ctx.rng
    reference = ctx.reference_date
    scenario = ctx.scenario.name
    rates = rates_for(scenario)
    grade_weights = Weighted(
        list(zip(GRADE_ORDER, GRADE_WEIGHTS.get(scenario, GRADE_WEIGHTS["typical"]), strict=True))
    )

    # Staff: current staff only, so every auditor and owner can sign in and see their work.
    workers = ctx.staff_by_role[R.SOCIAL_WORKER] + ctx.staff_by_role[R.SENIOR_PRACTITIONER]
    managers = list(ctx.staff_by_role[R.TEAM_MANAGER])
    moderators = list(
        dict.fromkeys(
            ctx.staff_by_role[R.AUDITOR]
            + ctx.staff_by_role[R.SERVICE_MANAGER]
            + ctx.staff_by_role[R.HEAD_OF_SERVICE]
        )
    )
    auditors = list(dict.fromkeys(moderators + managers))
    if not auditors or not moderators:
        return
    team_manager = {t.pk: t.manager_id for t in ctx.teams}
    in_post = {u.pk for staff in ctx.staff_by_role.values() for u in staff if u.is_active}
    creator = ctx.demo_accounts.get(R.AUDITOR) or next(iter(ctx.staff_by_role[R.AUDITOR]), None)
    demo_auditors = [
        u for u in (ctx.demo_accounts.get(R.AUDITOR), ctx.demo_accounts.get(R.TEAM_MANAGER)) if u
    ]

    cases = load_cases()
    if not cases:
        return
    per_month = max(1, round(len(workers) * AUDITS_PER_WORKER_PER_QUARTER / 3))
    months = month_starts(max(ctx.history_start, months_before(reference)), reference)

    # The template.
    template = ctx.bulk_create(
        [AuditTemplate(name=TEMPLATE_NAME, description=TEMPLATE_DESCRIPTION, created_by=creator)]
    )[0]
    domains = ctx.bulk_create(
        [
            AuditDomain(template=template, title=title, theme=theme, order=n)
            for n, (title, theme, _) in enumerate(DOMAINS, start=1)
        ]
    )
    questions = ctx.bulk_create(
        [
            AuditQuestion(domain=domain, text=text, guidance=guidance, order=n)
            for domain, (_, _, qs) in zip(domains, DOMAINS, strict=True)
            for n, (text, guidance) in enumerate(qs, start=1)
        ]
    )
    questions_of: dict[int, list[int]] = defaultdict(list)
    for q in questions:
        questions_of[q.domain_id].append(q.pk)

    # Programmes: one a month, assigned on the first, due at the month's end.
    programmes = ctx.bulk_create(
        [
            AuditProgramme(
                name=f"Monthly case audit: {m:%B %Y}",
                template=template,
                period_start=m,
                period_end=month_end(m),
                due_by=month_end(m),
                created_by=creator,
                notes="A sample of open cases across the service, about two per social worker "
                "a quarter.",
            )
            for m in months
        ]
    )

    last_audited: dict[int, dt.date] = {}
    audits: list[CaseAudit] = []
    plans: list[Plan] = []  # what happens to each audit, in the same order
    for programme, month in zip(programmes, months, strict=True):
        open_cases = {c.person_id: c for c in cases if c.open_on(month)}  # latest per child
        eligible = [
            c
            for c in open_cases.values()
            if c.person_id not in last_audited
            or (month - last_audited[c.person_id]).days > REAUDIT_GAP_DAYS
        ]
        chosen = sorted(
            rng.sample(eligible, min(per_month, len(eligible))), key=lambda c: c.person_id
        )
        current = month == months[-1]
        load: dict[int, int] = defaultdict(int)
        for i, case in enumerate(chosen):
            candidates = [
                a
                for a in auditors
                if a.pk != case.worker_id
                and (a.employment_start is None or a.employment_start <= month)
            ]
            independent = [a for a in candidates if a.pk != team_manager.get(case.team_id or 0)]
            pool = independent or candidates
            if not pool:
                continue
            last_audited[case.person_id] = month
            keep_open = False
            if current and i < 2 * len(demo_auditors):
                # The demo auditor and team manager each have this month's audits to do.
                demo = demo_auditors[i % len(demo_auditors)]
                auditor = demo if demo in pool else rng.choice(pool)
                keep_open = auditor is demo
            else:
                # Spread the month's work: the least loaded of a few picked at random.
                auditor = min(rng.sample(pool, min(3, len(pool))), key=lambda a: load[a.pk])
            load[auditor.pk] += 1
            audit = CaseAudit(
                programme=programme,
                person_id=case.person_id,
                auditor=auditor,
                assigned_on=month,
                due_by=programme.due_by,
                team_id=case.team_id,
                worker_id=case.worker_id,
            )
            plan = Plan(case=case, overall=grade_weights.pick(rng))
            live_audit(audit, plan, month, reference, rng, keep_open=keep_open)
            if audit.status == AuditStatus.SUBMITTED:
                moderate(audit, plan, moderators, rates, reference, rng)
            audits.append(audit)
            plans.append(plan)
    audits = ctx.bulk_create(audits, desc="Case audits")

    grades: list[DomainGrade] = []
    answers: list[QuestionAnswer] = []
    moderations: list[Moderation] = []
    findings: list[Finding] = []
    actions: list[Action] = []
    for audit, plan in zip(audits, plans, strict=True):
        if audit.status in (AuditStatus.PLANNED, AuditStatus.WITHDRAWN):
            continue
        finished = audit.status != AuditStatus.IN_PROGRESS
        domain_grades: dict[str, str] = {}
        for domain in domains:
            if not finished and rng.random() < 0.5:
                continue  # a draft: not every domain graded yet
            step = DOMAIN_STEPS.pick(rng)
            if domain.theme in rates.weak_themes and step == 0 and rng.random() < 0.3:
                step = 1
            grade = shift(plan.overall, step)
            domain_grades[domain.theme] = grade
            strong, weak = COMMENTARY[domain.theme]
            grades.append(
                DomainGrade(
                    audit_id=audit.pk,
                    domain_id=domain.pk,
                    grade=grade,
                    commentary=rng.choice(strong if is_strong(grade) else weak),
                )
            )
            pick = ANSWER_WEIGHTS[grade].pick
            answers.extend(
                QuestionAnswer(audit_id=audit.pk, question_id=q, answer=pick(rng))
                for q in questions_of[domain.pk]
            )
        if not finished or plan.submitted_on is None:
            continue
        if plan.moderation is not None:
            plan.moderation.audit = audit
            moderations.append(plan.moderation)
        strengths = [t for t, g in domain_grades.items() if is_strong(g)]
        areas = [t for t, g in domain_grades.items() if not is_strong(g)]
        for theme in rng.sample(strengths, min(len(strengths), rng.randint(1, 2))):
            findings.append(
                Finding(
                    audit=audit,
                    theme=theme,
                    kind=FindingKind.STRENGTH,
                    text=rng.choice(STRENGTHS[theme]),
                    recorded_by=audit.auditor,
                )
            )
        chosen_areas = rng.sample(areas, min(len(areas), rng.randint(1, 3)))
        for theme in chosen_areas:
            findings.append(
                Finding(
                    audit=audit,
                    theme=theme,
                    kind=FindingKind.AREA_FOR_IMPROVEMENT,
                    text=rng.choice(AREAS[theme]),
                    recorded_by=audit.auditor,
                )
            )
        if is_strong(plan.final):  # a good audit sometimes has one action, usually none
            chosen_areas = chosen_areas[:1] if rng.random() < 0.3 else []
        for theme in chosen_areas[:2]:
            # The worker holding the case, or their team manager; someone in post now.
            owner_id = plan.case.worker_id
            if owner_id not in in_post or rng.random() < 0.3:
                manager_id = team_manager.get(plan.case.team_id or 0)
                owner_id = manager_id if manager_id in in_post else owner_id
            if owner_id not in in_post:
                owner_id = rng.choice(workers).pk if workers else audit.auditor_id
            actions.append(
                plan_action(audit, theme, owner_id, plan.submitted_on, reference, rates, rng)
            )

    ctx.bulk_create(grades, desc="Audit domain grades")
    ctx.bulk_create(answers, desc="Audit answers")
    ctx.bulk_create(moderations, desc="Audit moderations")
    ctx.bulk_create(findings, desc="Audit findings")
    ctx.bulk_create(actions, desc="Audit actions")
    ctx.summary["case_audits"] = {
        "audits": len(audits),
        "completed": sum(1 for a in audits if a.submitted_at is not None),
        "moderated": len(moderations),
        "actions": len(actions),
        "audits_a_month": per_month,
    }


@dataclass
class Plan:
    case: Case
    overall: str
    submitted_on: dt.date | None = None
    final: str = ""
    moderation: Moderation | None = None


def live_audit(
    audit: CaseAudit,
    plan: Plan,
    month: dt.date,
    reference: dt.date,
    rng: Any,
    *,
    keep_open: bool = False,
) -> None:
    """Withdrawn, or started and submitted on days in the month (a few late), as far as the
    reference date allows; `keep_open` leaves it planned or in progress."""
    if keep_open:
        start_day = month + dt.timedelta(days=rng.randint(2, 20))
        if start_day < reference and rng.random() < 0.5:
            audit.started_at = at(start_day, rng)
            audit.status = AuditStatus.IN_PROGRESS
        return
    if rng.random() < WITHDRAWN_SHARE:
        audit.status = AuditStatus.WITHDRAWN
        audit.withdrawn_reason = rng.choice(WITHDRAWN_REASONS)
        return
    start_day = month + dt.timedelta(days=rng.randint(2, 20))
    done_day = start_day + dt.timedelta(days=rng.randint(0, 15))
    if rng.random() < 0.08:  # late
        done_day += dt.timedelta(days=rng.randint(10, 35))
    if start_day >= reference:
        return  # planned
    audit.started_at = at(start_day, rng)
    audit.status = AuditStatus.IN_PROGRESS
    if done_day >= reference:
        return
    audit.submitted_at = max(at(done_day, rng), audit.started_at)
    audit.status = AuditStatus.SUBMITTED
    audit.overall_grade = plan.overall
    audit.summary = rng.choice(SUMMARIES[plan.overall])
    plan.submitted_on = done_day
    plan.final = plan.overall


def moderate(
    audit: CaseAudit,
    plan: Plan,
    moderators: list[User],
    rates: Rates,
    reference: dt.date,
    rng: Any,
) -> None:
    """Most submitted audits are moderated within a few weeks by someone other than the
    auditor; some grades change, more often down than up."""
    if audit.submitted_at is None or plan.submitted_on is None:
        return
    # A backlog builds up in the last few months; older audits were mostly caught up on.
    recent = (reference - plan.submitted_on).days <= CATCH_UP_DAYS
    if rng.random() >= (rates.moderated if recent else 1 - (1 - rates.moderated) / 4):
        return
    day = plan.submitted_on + dt.timedelta(days=min(60, int(rng.expovariate(1 / 8))))
    choices = [m for m in moderators if m.pk != audit.auditor_id]
    if day >= reference or not choices:
        return
    final = plan.overall
    if rng.random() < rates.changed:
        down, up = shift(final, 1), shift(final, -1)
        final = down if down != final and (rng.random() < 0.7 or up == final) else up
    agreed = final == plan.overall
    plan.final = final
    plan.moderation = Moderation(
        moderator=rng.choice(choices),
        agreed=agreed,
        grade=final,
        commentary=rng.choice(
            MODERATION_AGREED
            if agreed
            else MODERATION_LOWER
            if GRADE_ORDER.index(final) > GRADE_ORDER.index(plan.overall)
            else MODERATION_RAISE
        ),
        moderated_at=max(at(day, rng), audit.submitted_at),
    )
    audit.status = AuditStatus.MODERATED


def plan_action(
    audit: CaseAudit,
    theme: str,
    owner_id: int,
    raised: dt.date,
    reference: dt.date,
    rates: Rates,
    rng: Any,
) -> Action:
    """An action due in two to six weeks; most are done (some late) by the reference date."""
    due = raised + dt.timedelta(days=rng.choice((14, 21, 28, 42)))
    action = Action(
        audit=audit,
        person_id=audit.person_id,
        description=rng.choice(ACTIONS[theme]),
        owner_id=owner_id,
        raised_on=raised,
        raised_by=audit.auditor,
        due_on=due,
    )
    done: dt.date | None = None
    if rng.random() < rates.actions_done:
        done = max(raised + dt.timedelta(days=1), due + dt.timedelta(days=int(rng.gauss(-3, 12))))
    elif (reference - due).days > CATCH_UP_DAYS:
        # Left undone for months: chased and done very late, or closed with the case.
        if rng.random() < 0.7:
            done = due + dt.timedelta(days=rng.randint(30, CATCH_UP_DAYS))
        else:
            action.cancelled_on = due + dt.timedelta(days=rng.randint(30, CATCH_UP_DAYS))
            action.cancel_reason = rng.choice(CANCEL_REASONS)
    if done is not None and done < reference:
        action.completed_on = done
        action.completion_note = rng.choice(COMPLETION_NOTES)
        action.completed_by_id = owner_id
    return action
