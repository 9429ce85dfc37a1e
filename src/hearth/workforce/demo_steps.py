"""Synthetic allocations for the demo council: who held each child's case, and when.

Step "allocation" (order 120) runs after the front door wrote the child-in-need episodes. Each
episode is allocated a day or two after the referral (FCONTA) to a social worker or senior
practitioner of a duty and assessment team (front door or assessment) in post at the time; an
episode that lasts beyond the assessment and short-term work (about 75 days) transfers to a
long-term team (TSPROC), chosen by each kind of team's share of case holders (so caseloads are
even across the service), leaning to disabled children's teams for need N2 and adolescent teams
for children of 14 or more.
Until the children-in-care issue generates care episodes, the generated child-in-need episodes
stand for every child in need, those in care included (330 per 10,000 nationally, 67 of them in
care), so children in care teams take long-term cases too. A worker who leaves hands the case on
(LEFTRL) on their last day. Some episodes get a family support worker too, and children held by a
children in care team an independent reviewing officer.

At the reference date the cases are spread across each team's current case holders with a
lognormal share per worker (`Scenario.caseload_spread`), so some carry far more than others, as
the workforce census warns. `Scenario.unallocated_per_10k` children are left with no social
worker beyond the day-or-two wait of new referrals: most are recent referrals never allocated,
the rest lost their worker when they left; their waits reach `Scenario.longest_unallocated_days`.

Each team's establishment (funded posts) is its social workers in post plus its share of the
council's vacancies. Deadlines follow the allocation: each child's deadlines are owned by their
lead worker and team (`timescales.ClockSubject`), unallocated ones by the team whose queue they
wait in.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Subquery

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.choices import EmploymentType, RoleCode, ServiceArea
from hearth.core.models import User
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step
from hearth.people.demo_steps import FastRows
from hearth.timescales.models import ClockSubject, Deadline

from .codes import CaseRole, ChangeReason, EndReason
from .models import Allocation, Establishment

SA = ServiceArea
ASSESSMENT_DAYS = 75  # to a long-term team after about this long (assessment, then short-term work)
ADOLESCENT_AGE = 14
ADOLESCENT_TEAM_SHARE = 0.4
FAMILY_SUPPORT_SHARE = 0.12  # long-term cases with a family support worker too
DUTY_AND_ASSESSMENT = "duty_and_assessment"  # the front door and assessment teams' pool
LONG_TERM_AREAS = (SA.CIN_CP, SA.CHILDREN_IN_CARE, SA.DISABLED_CHILDREN, SA.ADOLESCENTS)
CASE_HOLDERS = {RoleCode.SOCIAL_WORKER, RoleCode.SENIOR_PRACTITIONER}


@dataclass
class Tenure:
    user_id: int
    team_id: int
    start: dt.date
    end: dt.date | None  # last day in the team (or in post)

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Pool:
    """Case holders of one kind of team, findable by date in constant time (month buckets)."""

    def __init__(self, tenures: list[Tenure], first: dt.date) -> None:
        self.first = first
        self.by_month: dict[int, list[Tenure]] = defaultdict(list)
        self.tenures = tenures
        self.current = [t for t in tenures if t.end is None]
        for t in tenures:
            start = max(t.start, first)
            end = t.end or dt.date.max
            month = self._month(start)
            while month <= self._month(min(end, first.replace(year=first.year + 12))):
                self.by_month[month].append(t)
                month += 1

    def _month(self, day: dt.date) -> int:
        return (day.year - self.first.year) * 12 + day.month - self.first.month

    def pick(self, ctx: GenerationContext, day: dt.date) -> Tenure | None:
        candidates = [
            t for t in self.by_month.get(self._month(max(day, self.first)), []) if t.covers(day)
        ]
        return ctx.rng.choice(candidates) if candidates else None


def _holding(*roles: str) -> set[int]:
    """Ids of users holding any of the roles (one query, not one per user)."""
    links = User.roles.through.objects.filter(role__code__in=roles)
    return set(links.values_list("user_id", flat=True))


def _tenures(ctx: GenerationContext) -> dict[int, list[Tenure]]:
    """Case-holding memberships by team id, with the holder's last day in post."""
    holders = _holding(*CASE_HOLDERS)
    ends = dict(User.objects.filter(pk__in=holders).values_list("pk", "employment_end"))
    by_team: dict[int, list[Tenure]] = defaultdict(list)
    for m in ctx.memberships:
        if m.user_id not in holders:
            continue
        last = [d for d in (m.end_date, ends.get(m.user_id)) if d]
        by_team[m.team_id].append(
            Tenure(m.user_id, m.team_id, m.start_date, min(last, default=None))
        )
    return by_team


def _age(dob: dt.date | None, on: dt.date) -> int:
    if dob is None:
        return 0
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


@register_step("allocation", order=120)
def generate_allocations(ctx: GenerationContext) -> None:
    ref = ctx.reference_date
    today = ref - dt.timedelta(days=1)  # the reference date's midnight is "now"
    start = ctx.history_start
    by_team = _tenures(ctx)
    teams_by_area: dict[str, list[int]] = defaultdict(list)
    for team in ctx.teams:
        teams_by_area[team.service_area].append(team.pk)
    pools = {
        area: Pool([t for tid in team_ids for t in by_team.get(tid, [])], start)
        for area, team_ids in teams_by_area.items()
    }
    duty = [*teams_by_area.get(SA.FRONT_DOOR, []), *teams_by_area.get(SA.ASSESSMENT, [])]
    pools[DUTY_AND_ASSESSMENT] = Pool([t for tid in duty for t in by_team.get(tid, [])], start)
    areas_of = {t.pk: t.service_area for t in ctx.teams}
    iros = _current_iros(ctx)
    support = _holding(RoleCode.FAMILY_SUPPORT_WORKER)
    fsw_by_team = {
        tid: [u.pk for u in staff if u.pk in support] for tid, staff in ctx.staff_by_team.items()
    }
    # Current case holders' shares of their team's cases: lognormal, so caseloads spread.
    share: dict[int, float] = {}
    for tenures in by_team.values():
        for tenure in tenures:
            if tenure.end is None:
                share[tenure.user_id] = math.exp(ctx.rng.gauss(0, ctx.scenario.caseload_spread))
    fte = {u.pk: float(u.fte) for staff in ctx.staff_by_role.values() for u in staff}
    held: dict[int, int] = defaultdict(int)
    open_load: dict[str, int] = defaultdict(int)
    capacity = {
        area: sum(fte.get(t.user_id, 1.0) for t in pool.tenures if t.end is None)
        for area, pool in pools.items()
    }

    episodes = list(
        ChildInNeedEpisode.objects.order_by("referral_date", "pk").values(
            "pk",
            "person_id",
            "referral_date",
            "closure_date",
            "primary_need",
            "person__date_of_birth",
        )
    )
    open_now = [e for e in episodes if e["closure_date"] is None]
    extra_unallocated = round(ctx.expected(ctx.scenario.unallocated_per_10k))
    longest = ctx.scenario.longest_unallocated_days
    # Who waits: mostly recent referrals, some whose worker left. The day they became unallocated.
    waiting_since: dict[int, dt.date] = {}
    candidates = [e for e in open_now if (today - e["referral_date"]).days <= longest]
    ctx.rng.shuffle(candidates)
    for e in candidates[:extra_unallocated]:
        waiting_since[e["pk"]] = e["referral_date"]
    others = [
        e
        for e in open_now
        if e["pk"] not in waiting_since and (today - e["referral_date"]).days > longest
    ]
    ctx.rng.shuffle(others)
    for e in others[: max(0, extra_unallocated - len(waiting_since))]:
        waiting_since[e["pk"]] = today - dt.timedelta(days=ctx.rng.randint(1, longest))

    rows = FastRows(ctx, Allocation)
    current_lead: dict[int, tuple[int, int]] = {}  # person -> (worker, team)
    queue_team: dict[int, int] = {}
    first_area_teams = teams_by_area.get(SA.ASSESSMENT) or teams_by_area.get(SA.CIN_CP) or []

    def add(
        person_id: int,
        role: str,
        t: Tenure,
        begin: dt.date,
        end: dt.date | None,
        reason: str,
        end_reason: str,
    ) -> None:
        rows.add(
            person_id=person_id,
            role=role,
            worker_id=t.user_id,
            team_id=t.team_id,
            start_date=begin,
            end_date=end,
            reason=reason,
            end_reason=end_reason if end else "",
        )

    for e in episodes:
        person = e["person_id"]
        referred, closed = e["referral_date"], e["closure_date"]
        stop = waiting_since.get(e["pk"])
        if closed is not None and closed <= referred:
            continue  # closed the day it opened (no further action): nobody allocated
        # A day or two to allocate (the same day for most); never after the history's "now".
        begin = referred + dt.timedelta(days=ctx.rng.choice((0, 0, 0, 1, 1, 2)))
        if closed is not None:
            begin = min(begin, closed)
        if begin > today or (stop is not None and stop <= begin):
            if closed is None:
                queue_team[person] = ctx.rng.choice(first_area_teams) if first_area_teams else 0
            continue
        segments = _segments(
            ctx, e, begin, closed if closed is not None else stop, today, capacity, open_load
        )
        long_term_from = segments[-1][1] if len(segments) > 1 else None
        # A case open now is held by one of the team's current holders, chosen by their share. If
        # they joined after the case came to the team, someone in post then held it until they
        # took it on (MANAGE), so long-serving workers do not end up with every older case.
        holder: Tenure | None = None
        area, seg_start, seg_end, reason = segments[-1]
        if seg_end is None:
            pool = pools.get(area) or pools.get(SA.CIN_CP) or pools.get(SA.ASSESSMENT)
            holder = _pick_current(ctx, pool, today, share, fte, held) if pool else None
            if holder is not None and holder.start > seg_start:
                segments[-1:] = [
                    (area, seg_start, holder.start, reason),
                    (area, holder.start, None, ChangeReason.MANAGE),
                ]
        last: Tenure | None = None
        for area, seg_start, seg_end, reason in segments:
            pool = pools.get(area) or pools.get(SA.CIN_CP) or pools.get(SA.ASSESSMENT)
            day = seg_start
            finish: dt.date | None
            why: str
            while pool is not None:
                t = holder if seg_end is None and holder is not None else pool.pick(ctx, day)
                if t is None:
                    break  # nobody in post that day: the child waits
                leaves = (
                    t.end if t.end is not None and (seg_end is None or t.end < seg_end) else None
                )
                if leaves is not None:
                    leaves = max(leaves, day)
                    finish, why = leaves, EndReason.WORKER_LEFT
                elif seg_end is None:
                    finish, why = None, ""
                elif seg_end == closed:
                    finish, why = seg_end, EndReason.EPISODE_CLOSED
                elif seg_end == stop:
                    finish, why = seg_end, EndReason.WORKER_LEFT
                else:
                    finish, why = seg_end, EndReason.REALLOCATED
                add(person, CaseRole.LEAD_SOCIAL_WORKER, t, day, finish, reason, why)
                last = t
                if finish is None:
                    current_lead[person] = (t.user_id, t.team_id)
                if leaves is None:
                    break
                # The worker left: someone else picks the case up the next day.
                day = leaves + dt.timedelta(days=1)
                if day > today or (seg_end is not None and day >= seg_end):
                    break
                reason = ChangeReason.LEFTRL
        if closed is None and person not in current_lead:
            fallback = first_area_teams[0] if first_area_teams else 0
            queue_team[person] = last.team_id if last else fallback
        # A family support worker on some long-term cases open now.
        if (
            closed is None
            and person in current_lead
            and long_term_from is not None
            and ctx.rng.random() < FAMILY_SUPPORT_SHARE
        ):
            team_id = current_lead[person][1]
            workers = fsw_by_team.get(team_id) or []
            if workers:
                helper = Tenure(ctx.rng.choice(workers), team_id, referred, None)
                add(
                    person,
                    CaseRole.FAMILY_SUPPORT_WORKER,
                    helper,
                    long_term_from,
                    None,
                    ChangeReason.OTHERS,
                    "",
                )
        # Children held by a children in care team (the stand-in for care) have an IRO.
        lead_area = areas_of.get(current_lead.get(person, (0, 0))[1], "")
        if closed is None and long_term_from is not None and lead_area == SA.CHILDREN_IN_CARE:
            iro = _iro_in_post(ctx, iros, long_term_from)
            if iro is not None:
                add(
                    person,
                    CaseRole.IRO,
                    iro,
                    max(long_term_from, iro.start),
                    None,
                    ChangeReason.OTHERS,
                    "",
                )
    rows.write()
    _responsibility(ctx, current_lead, queue_team)
    _establishment(ctx)
    ctx.summary["children_allocated"] = len(current_lead)
    ctx.summary["children_unallocated"] = len(queue_team)


def _current_iros(ctx: GenerationContext) -> list[Tenure]:
    """Independent reviewing officers in post now, with their team and start."""
    teams = {m.user_id: m.team_id for m in ctx.memberships if m.end_date is None}
    return [
        Tenure(u.pk, teams.get(u.pk, 0), u.employment_start or ctx.history_start, None)
        for u in ctx.staff_by_role.get(RoleCode.IRO, [])
        if u.pk in teams
    ]


def _iro_in_post(ctx: GenerationContext, iros: list[Tenure], day: dt.date) -> Tenure | None:
    """An IRO in post by `day` if there is one, else the longest-serving (from their start)."""
    if not iros:
        return None
    ready = [t for t in iros if t.start <= day]
    return ctx.rng.choice(ready) if ready else min(iros, key=lambda t: t.start)


def _segments(
    ctx: GenerationContext,
    e: Mapping[str, Any],
    begin: dt.date,
    end: dt.date | None,
    today: dt.date,
    capacity: dict[str, float],
    open_load: dict[str, int],
) -> list[tuple[str, dt.date, dt.date | None, str]]:
    """Duty and assessment first; a long-term team after the assessment if the case stays open."""
    transfer = begin + dt.timedelta(days=ASSESSMENT_DAYS + ctx.rng.randint(-25, 25))
    if (end is not None and end <= transfer) or (end is None and transfer > today):
        return [(DUTY_AND_ASSESSMENT, begin, end, ChangeReason.FCONTA)]
    # The long-term team: by each kind of team's share of case holders, so caseloads are even
    # across the service, leaning to disabled children's teams for need N2 and adolescent teams
    # for children of 14 or more.
    age = _age(e["person__date_of_birth"], transfer)
    affinity: dict[str, float] = {
        SA.CIN_CP: 1.0,
        SA.CHILDREN_IN_CARE: 1.0,
        SA.DISABLED_CHILDREN: 4.0 if e["primary_need"] == "N2" else 0.3,
        SA.ADOLESCENTS: 3.0 if age >= ADOLESCENT_AGE else 0.2,
    }
    areas = [a for a in LONG_TERM_AREAS if capacity.get(a)]
    if not areas:
        return [(DUTY_AND_ASSESSMENT, begin, end, ChangeReason.FCONTA)]
    if end is None:
        # Open now: the kind of team with most room for its hours takes it (specialist teams
        # still prefer their children), so today's caseloads are even across the service.
        def room(a: str) -> float:
            return (open_load[a] + 1) / (capacity[a] * min(max(affinity[a], 0.6), 1.2))

        area = min(areas, key=room)
        open_load[area] += 1
    else:
        area = ctx.rng.choices(areas, weights=[capacity[a] * affinity[a] for a in areas])[0]
    return [
        (DUTY_AND_ASSESSMENT, begin, transfer, ChangeReason.FCONTA),
        (area, transfer, end, ChangeReason.TSPROC),
    ]


def _pick_current(
    ctx: GenerationContext,
    pool: Pool,
    today: dt.date,
    share: dict[int, float],
    fte: dict[int, float],
    held: dict[int, int],
) -> Tenure | None:
    """A holder still in post now: the least loaded, for their share and hours, of three drawn
    at random (so caseloads follow each worker's lognormal share instead of who joined first).
    None when the pool has nobody in post now."""
    candidates = [t for t in pool.current if t.start <= today]
    if not candidates:
        return None
    drawn = [ctx.rng.choice(candidates) for _ in range(3)]
    chosen = min(
        drawn, key=lambda t: held[t.user_id] / (share.get(t.user_id, 1.0) * fte.get(t.user_id, 1.0))
    )
    held[chosen.user_id] += 1
    return chosen


def _responsibility(
    ctx: GenerationContext, leads: dict[int, tuple[int, int]], queue: dict[int, int]
) -> None:
    """Each child's deadlines belong to their lead worker and team, or to the queue's team."""
    areas = {t.pk: t.service_area for t in ctx.teams}
    owners: dict[int, tuple[int | None, int]] = {p: (w, t) for p, (w, t) in leads.items()}
    owners.update({p: (None, t) for p, t in queue.items() if t})
    # Earlier steps may have made a child's row already (recording clock events): update those.
    existing = list(ClockSubject.objects.filter(subject_type="child", subject_id__in=list(owners)))
    for row in existing:
        row.worker_id, row.team_id = owners[row.subject_id]
        row.service_area = areas.get(row.team_id, "")
    ClockSubject.objects.bulk_update(
        existing, ["worker_id", "team_id", "service_area"], batch_size=2000
    )
    subjects = FastRows(ctx, ClockSubject)
    done = {row.subject_id for row in existing}
    for person, (worker, team) in owners.items():
        if person not in done:
            subjects.add(
                subject_type="child",
                subject_id=person,
                worker_id=worker,
                team_id=team,
                service_area=areas.get(team, ""),
            )
    subjects.write()
    owner = ClockSubject.objects.filter(subject_type="child", subject_id=OuterRef("subject_id"))
    Deadline.objects.filter(subject_type="child").update(
        worker_id=Subquery(owner.values("worker_id")[:1]),
        team_id=Subquery(owner.values("team_id")[:1]),
        service_area=Subquery(owner.values("service_area")[:1]),
    )


def _establishment(ctx: GenerationContext) -> None:
    """Funded posts per case-holding team: in post plus a share of the council's vacancies."""
    council = ctx.council
    assert council is not None
    social_workers = _holding(*CASE_HOLDERS, RoleCode.TEAM_MANAGER)
    in_post: dict[int, Decimal] = defaultdict(Decimal)
    for team_id, staff in ctx.staff_by_team.items():
        for u in staff:
            if u.pk in social_workers and u.employment_type != EmploymentType.AGENCY:
                in_post[team_id] += u.fte
    total = sum(in_post.values(), Decimal(0))
    vacancies = Decimal(council.social_worker_vacancies_fte)
    rows = [
        Establishment(
            team_id=team_id,
            effective_from=ctx.history_start,
            social_worker_posts_fte=(fte + vacancies * fte / total).quantize(Decimal("0.5"))
            if total
            else fte,
            note="Funded posts at the start of the generated history",
        )
        for team_id, fte in sorted(in_post.items())
    ]
    ctx.bulk_create(rows)
