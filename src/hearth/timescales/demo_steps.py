"""The demo council's staff on the supervision clock: when each supervised worker joined (and left),
their assessed and supported year, and spells of long leave.

These are the events the `supervision` rule runs from; the sessions themselves, the `supervision`
events they record and the deadlines derived from all of it come from the supervision app's step
(`hearth.supervision.demo_steps`, order 130).
"""

from __future__ import annotations

import datetime as dt

from hearth.core.choices import EmploymentType, RoleCode
from hearth.core.models import User
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step

from .models import ClockEvent, ClockSubject
from .rules import SubjectType

SUPERVISED_ROLES = (
    RoleCode.SOCIAL_WORKER,
    RoleCode.SENIOR_PRACTITIONER,
    RoleCode.PERSONAL_ADVISER,
    RoleCode.TEAM_MANAGER,
)
LONG_LEAVE_SHARE = 0.03  # staff on maternity or long-term sick leave at some point [estimate]


def supervised_staff(ctx: GenerationContext) -> list[User]:
    """Staff in post and former staff in supervised roles, in the order they were created."""
    current = {u.pk: u for role in SUPERVISED_ROLES for u in ctx.staff_by_role.get(role, [])}
    former_ids = set(
        User.roles.through.objects.filter(
            user_id__in=[u.pk for u in ctx.former_staff], role__code__in=SUPERVISED_ROLES
        ).values_list("user_id", flat=True)
    )
    former = {u.pk: u for u in ctx.former_staff if u.pk in former_ids}
    return [people[pk] for people in (current, former) for pk in sorted(people)]


@register_step("employment-clocks", order=30)
def generate_employment_clocks(ctx: GenerationContext) -> None:
    team_of = {m.user_id: m.team_id for m in sorted(ctx.memberships, key=lambda m: m.start_date)}
    teams = {t.pk: t for t in ctx.teams}
    events: list[ClockEvent] = []
    subjects: list[ClockSubject] = []
    for user in supervised_staff(ctx):
        if user.employment_end is not None and user.employment_end < ctx.history_start:
            continue  # left before the history begins: no clock
        events.extend(_worker_history(ctx, user))
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
    ctx.bulk_create(events, desc="Employment history")
    ctx.bulk_create(subjects)


def _event(worker_id: int, name: str, day: dt.date) -> ClockEvent:
    return ClockEvent(
        subject_type=SubjectType.WORKER,
        subject_id=worker_id,
        name=name,
        occurred_on=day,
        source="",
    )


def _worker_history(ctx: GenerationContext, user: User) -> list[ClockEvent]:
    rng = ctx.rng
    joined = max(user.employment_start or ctx.history_start, ctx.history_start)
    left = user.employment_end
    end = min(left, ctx.reference_date) if left else ctx.reference_date
    events = [_event(user.pk, "joined", joined)]
    if user.employment_type == EmploymentType.ASYE:
        events.append(_event(user.pk, "asye-start", joined))
    if rng.random() < LONG_LEAVE_SHARE and (end - joined).days > 120:
        begin = joined + dt.timedelta(days=rng.randint(60, (end - joined).days - 30))
        back = begin + dt.timedelta(days=rng.randint(60, 270))
        events.append(_event(user.pk, "leave-start", begin))
        if back < end:
            events.append(_event(user.pk, "leave-end", back))
    if left is not None and left >= joined:
        events.append(_event(user.pk, "left", left))
    return events
