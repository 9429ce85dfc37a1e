"""Synthetic supervision history for the demo council's staff, and the deadlines derived from it.

Supervision sessions themselves arrive with the allocation and oversight issue; until then the
generator records the clock events a session would record, so managers' deadline lists are live.
"""

from __future__ import annotations

import datetime as dt

from hearth.core.choices import EmploymentType, RoleCode
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step

from . import services
from .models import ClockEvent, ClockSubject
from .rules import SubjectType

SUPERVISED_ROLES = (
    RoleCode.SOCIAL_WORKER,
    RoleCode.SENIOR_PRACTITIONER,
    RoleCode.PERSONAL_ADVISER,
    RoleCode.TEAM_MANAGER,
)
LONG_LEAVE_SHARE = 0.03  # staff on maternity or long-term sick leave at some point [estimate]


@register_step("supervision-clocks", order=30)
def generate_supervision_clocks(ctx: GenerationContext) -> None:
    team_of = {u.pk: team_id for team_id, users in ctx.staff_by_team.items() for u in users}
    teams = {t.pk: t for t in ctx.teams}
    seen: set[int] = set()
    events: list[ClockEvent] = []
    subjects: list[ClockSubject] = []
    for role in SUPERVISED_ROLES:
        for user in ctx.staff_by_role.get(role, []):
            if user.pk in seen:
                continue
            seen.add(user.pk)
            events.extend(
                _worker_history(ctx, user.pk, user.employment_start, user.employment_type)
            )
            team = teams.get(team_of.get(user.pk, 0))
            subjects.append(
                ClockSubject(
                    subject_type=SubjectType.WORKER,
                    subject_id=user.pk,
                    worker_id=user.pk,
                    team=team,
                    service_area=team.service_area if team else "",
                )
            )
    ctx.bulk_create(events, desc="Supervision history")
    ctx.bulk_create(subjects)
    written = services.rederive([(SubjectType.WORKER, s.subject_id) for s in subjects])
    ctx.counts["timescales.deadline"] += written
    ctx.summary["supervision_deadlines"] = written


def _event(worker_id: int, name: str, day: dt.date) -> ClockEvent:
    return ClockEvent(
        subject_type=SubjectType.WORKER,
        subject_id=worker_id,
        name=name,
        occurred_on=day,
        source="",
    )


def _worker_history(
    ctx: GenerationContext, worker_id: int, employment_start: dt.date | None, employment_type: str
) -> list[ClockEvent]:
    rng, end = ctx.rng, ctx.reference_date
    joined = max(employment_start or ctx.history_start, ctx.history_start)
    events = [_event(worker_id, "joined", joined)]
    newly_qualified = employment_type == EmploymentType.ASYE
    if newly_qualified:
        events.append(_event(worker_id, "asye-start", joined))
    leave: tuple[dt.date, dt.date | None] | None = None
    if rng.random() < LONG_LEAVE_SHARE and (end - joined).days > 120:
        begin = joined + dt.timedelta(days=rng.randint(60, (end - joined).days - 30))
        back = begin + dt.timedelta(days=rng.randint(60, 270))
        leave = (begin, back if back < end else None)
        events.append(_event(worker_id, "leave-start", begin))
        if leave[1] is not None:
            events.append(_event(worker_id, "leave-end", leave[1]))
    day = joined
    while True:
        interval = 14 if newly_qualified else 28
        if rng.random() < ctx.scenario.supervision_on_time:
            day += dt.timedelta(days=interval - rng.randint(0, 6))
        else:
            day += dt.timedelta(days=interval + rng.randint(1, 28))
        if leave is not None and leave[0] <= day and (leave[1] is None or day < leave[1]):
            if leave[1] is None:
                break
            day = leave[1] + dt.timedelta(days=rng.randint(0, 10))
        if day >= end:
            break
        events.append(_event(worker_id, "supervision", day))
    return events
