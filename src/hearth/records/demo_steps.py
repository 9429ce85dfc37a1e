"""The demo council's case notes.

Step "case-notes" (order 129) runs after the allocations (order 120). Every child in need episode
open at the reference date, or closed in the year before it, gets a few case notes a month of its
last two years: kinds mixed, about 10% significant (mostly information received and management
decisions), about 2% restricted. Each is written by whoever held the case that day (the lead
social worker's `workforce.Allocation`; a family support worker for some direct work; the team's
manager for management decisions), else the episode's referral worker, and recorded within a day.
Text is synthetic (`demo_text`): only the synthetic child's first name appears. One query for the
episodes, one for the allocations, one insert per 10,000 notes: no documents (no files).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections import defaultdict
from typing import Any

from hearth.casework.models import ChildInNeedEpisode
from hearth.demo.context import GenerationContext, years_before
from hearth.demo.steps import register_step
from hearth.people.demo_steps import FastRows
from hearth.timescales.calendar import LONDON
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from . import demo_text
from .codes import NoteKind
from .models import CaseNote

KIND_WEIGHTS = {
    NoteKind.TELEPHONE: 25,
    NoteKind.MEETING: 15,
    NoteKind.CORRESPONDENCE: 10,
    NoteKind.DIRECT_WORK: 15,
    NoteKind.MANAGEMENT_DECISION: 8,
    NoteKind.INFORMATION_RECEIVED: 12,
    NoteKind.OBSERVATION: 10,
    NoteKind.OTHER: 5,
}
# Chosen so about 10% of notes are significant overall.
SIGNIFICANT_SHARE = {NoteKind.MANAGEMENT_DECISION: 0.3, NoteKind.INFORMATION_RECEIVED: 0.3}
SIGNIFICANT_OTHERWISE = 0.055
RESTRICTED_SHARE = 0.02
NOTES_PER_MONTH = (2.0, 4.0)
HISTORY_MONTHS = 24  # notes cover at most the episode's last two years
RECENTLY_CLOSED_YEARS = 1


@register_step("case-notes", order=129)
def generate_case_notes(ctx: GenerationContext) -> None:
    # Its own random stream, so adding notes changes nothing the later steps generate.
    rng = random.Random(f"{ctx.seed}:case-notes")
    today = ctx.reference_date - dt.timedelta(days=1)
    midnight = dt.datetime.combine(ctx.reference_date, dt.time(0), tzinfo=LONDON)
    closed_since = years_before(ctx.reference_date, RECENTLY_CLOSED_YEARS)
    episodes = list(
        ChildInNeedEpisode.objects.filter(referral_nfa=False)
        .exclude(closure_date__lt=closed_since)
        .order_by("pk")
        .values_list(
            "pk",
            "person_id",
            "referral_date",
            "closure_date",
            "referral_worker_id",
            "person__forename",
        )
    )
    held = _held(ctx, {e[1] for e in episodes})
    managers = {t.pk: t.manager_id for t in ctx.teams}
    kinds = list(KIND_WEIGHTS)
    cumulative = list(itertools.accumulate(KIND_WEIGHTS.values()))
    rows = FastRows(ctx, CaseNote)
    for _pk, person_id, referred, closed, referral_worker, forename in episodes:
        end = min(closed or today, today)
        start = max(referred, end - dt.timedelta(days=round(HISTORY_MONTHS * 30.44)))
        days = (end - start).days
        if days < 0:
            continue
        count = max(1, round(days / 30.44 * rng.uniform(*NOTES_PER_MONTH)))
        for _ in range(count):
            day = start + dt.timedelta(days=rng.randint(0, days))
            while day.weekday() >= 5 and day > start:  # office days, mostly
                day -= dt.timedelta(days=1)
            kind = rng.choices(kinds, cum_weights=cumulative)[0]
            author = _author(rng, held.get(person_id), day, kind, managers) or referral_worker
            if author is None:
                continue
            significant = rng.random() < SIGNIFICANT_SHARE.get(kind, SIGNIFICANT_OTHERWISE)
            restricted = rng.random() < RESTRICTED_SHARE
            subject, text = demo_text.note(
                rng, kind, forename, significant=significant, restricted=restricted
            )
            occurred = dt.datetime.combine(day, dt.time(9, 0), tzinfo=LONDON) + dt.timedelta(
                minutes=rng.randint(0, 510)
            )
            occurred = min(occurred, midnight - dt.timedelta(minutes=30))
            recorded = min(occurred + dt.timedelta(minutes=rng.randint(15, 26 * 60)), midnight)
            rows.add(
                person_id=person_id,
                kind=kind,
                occurred_at=occurred,
                recorded_at=recorded,
                recorded_by_id=author,
                subject=subject,
                text=text,
                significant=significant,
                restricted=restricted,
            )
    written = len(rows)
    rows.write()
    ctx.summary["case_notes"] = written


class Held:
    """Who held a child's case over time: lead and family support allocations, by start."""

    def __init__(self) -> None:
        self.lead: list[tuple[dt.date, dt.date | None, int, int | None]] = []
        self.support: list[tuple[dt.date, dt.date | None, int, int | None]] = []
        self._starts: list[dt.date] = []

    def sort(self) -> None:
        self.lead.sort(key=lambda a: a[0])
        self._starts = [a[0] for a in self.lead]

    def lead_on(self, day: dt.date) -> tuple[int, int | None] | None:
        # Lead allocations follow one another: the latest to start by `day` is the one, if open.
        i = bisect.bisect_right(self._starts, day) - 1
        if i < 0:
            return None
        _begin, end, worker, team = self.lead[i]
        return (worker, team) if end is None or end >= day else None

    def support_on(self, day: dt.date) -> int | None:
        for begin, end, worker, _team in self.support:
            if begin <= day and (end is None or end >= day):
                return worker
        return None


def _held(ctx: GenerationContext, person_ids: set[int]) -> dict[int, Held]:
    held: dict[int, Held] = defaultdict(Held)
    rows: Any = Allocation.objects.filter(
        role__in=[CaseRole.LEAD_SOCIAL_WORKER, CaseRole.FAMILY_SUPPORT_WORKER]
    ).values_list("person_id", "role", "start_date", "end_date", "worker_id", "team_id")
    for person_id, role, start, end, worker, team in rows.iterator(chunk_size=10_000):
        if person_id not in person_ids:
            continue
        target = (
            held[person_id].lead if role == CaseRole.LEAD_SOCIAL_WORKER else held[person_id].support
        )
        target.append((start, end, worker, team))
    for h in held.values():
        h.sort()
    return held


def _author(
    rng: random.Random,
    held: Held | None,
    day: dt.date,
    kind: str,
    managers: dict[int, int | None],
) -> int | None:
    if held is None:
        return None
    lead = held.lead_on(day)
    if kind == NoteKind.DIRECT_WORK and rng.random() < 0.5:
        support = held.support_on(day)
        if support is not None:
            return support
    if lead is None:
        return None
    worker, team = lead
    if kind == NoteKind.MANAGEMENT_DECISION and team is not None and managers.get(team):
        return managers[team]
    return worker
