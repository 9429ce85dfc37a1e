"""The synthetic council's supervision: sessions and their clock events, case discussions about
children the worker held at the time, oversight, the scenario's on-time share, and determinism.

One small council is generated for the module up to the front door (order 119). Lead allocations
are then planted by this test (the allocation step is its own app's business), and the supervision
step runs several times in savepoints: without allocations, in the stressed scenario, and twice
in the typical one; the last run stays for the tests and everything is rolled back at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.choices import EmploymentType, RoleCode
from hearth.core.models import User
from hearth.demo import stats as demo_stats
from hearth.demo.context import GenerationContext
from hearth.demo.generator import generate_council
from hearth.demo.scenarios import SCENARIOS
from hearth.demo.steps import registered_steps
from hearth.supervision import selectors
from hearth.supervision.demo_stats import supervision_figures
from hearth.supervision.demo_steps import generate_supervision
from hearth.supervision.models import (
    CaseDiscussion,
    DiscussionAction,
    ManagementOversight,
    SupervisionSession,
)
from hearth.timescales.models import ClockEvent, Deadline
from hearth.workforce.models import Allocation

REFERENCE_DATE = dt.date(2025, 3, 31)
OPTIONS = {"seed": 11, "children": 3_000, "years": 2, "reference_date": REFERENCE_DATE}
pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def plant_allocations(ctx: GenerationContext) -> int:
    """Lead allocations for every child-in-need episode: a social worker in post on the day, the
    case passing to another when they leave."""
    rng = random.Random(5)
    workers = sorted(
        [*ctx.staff_by_role[RoleCode.SOCIAL_WORKER], *ctx.former_staff],
        key=lambda u: u.pk,
    )
    workers = [w for w in workers if w.swe_registration]
    team_of = {m.user_id: m.team_id for m in ctx.memberships}
    rows = []
    episodes = ChildInNeedEpisode.objects.order_by("referral_date", "person_id").values_list(
        "person_id", "referral_date", "closure_date"
    )
    for person_id, day, closed in episodes:
        while True:
            options = [
                w
                for w in workers
                if (w.employment_start or day) <= day
                and (w.employment_end is None or w.employment_end > day)
            ]
            if not options:
                break
            worker = rng.choice(options)
            stop = worker.employment_end
            if stop is None or (closed is not None and closed <= stop):
                stop = closed
            rows.append(
                Allocation(
                    person_id=person_id,
                    role="lead",
                    worker=worker,
                    team_id=team_of.get(worker.pk),
                    start_date=day,
                    end_date=stop,
                    reason="FCONTA",
                    end_reason="" if stop is None else "reallocated",
                )
            )
            if stop is None or stop == closed:
                break
            day = stop + dt.timedelta(days=1)
    return len(Allocation.objects.bulk_create(rows))


def run_step(ctx: GenerationContext, scenario: str = "typical") -> None:
    ctx.scenario = SCENARIOS[scenario]
    ctx.reseed("supervision")  # as the runner does before each step
    generate_supervision(ctx)


def digest() -> str:
    """The supervision tables by natural keys: no primary keys or times of generation."""
    tables: list[Any] = [
        list(
            SupervisionSession.objects.order_by(
                "worker__email", "session_date", "status"
            ).values_list(
                "worker__email",
                "supervisor__email",
                "session_date",
                "status",
                "cancellation_reason",
                "reflective_discussion",
                "wellbeing_rating",
                "wellbeing_notes",
                "next_session_on",
            )
        ),
        sorted(
            CaseDiscussion.objects.values_list(
                "session__worker__email", "session__session_date", "person__child_id", "decision"
            )
        ),
        sorted(
            DiscussionAction.objects.values_list(
                "discussion__person__child_id", "owner__email", "due_on", "completed_on"
            )
        ),
        sorted(
            ManagementOversight.objects.values_list(
                "person__child_id", "recorded_by__email", "oversight_on", "decision"
            )
        ),
        supervision_figures(None),
    ]
    return hashlib.sha256(json.dumps(tables, default=str).encode()).hexdigest()


def _in_savepoint(run: Any) -> Any:
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            result["value"] = run()
            raise _Rollback
    except _Rollback:
        pass
    return result["value"]


@pytest.fixture(scope="module")
def council(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = generate_council(**OPTIONS, up_to_order=119).context
        assert ctx is not None
        council = ctx.council

        def bare() -> dict[str, int]:
            run_step(ctx)
            return {
                "sessions": SupervisionSession.objects.count(),
                "discussions": CaseDiscussion.objects.count(),
                "oversight": ManagementOversight.objects.count(),
                "deadlines": Deadline.objects.filter(rule_code="supervision").count(),
            }

        without = _in_savepoint(bare)
        planted = plant_allocations(ctx)

        def stressed() -> dict[str, Any]:
            run_step(ctx, "stressed")
            return supervision_figures(council)

        stressed_figures = _in_savepoint(stressed)

        def typical() -> str:
            run_step(ctx)
            return digest()

        first = _in_savepoint(typical)
        run_step(ctx)
        yield {
            "ctx": ctx,
            "without": without,
            "planted": planted,
            "stressed": stressed_figures,
            "typical": supervision_figures(council),
            "first_digest": first,
            "second_digest": digest(),
        }
        transaction.set_rollback(True)


def test_the_supervision_step_replaces_the_old_clock_step() -> None:
    steps = {s.name: s.order for s in registered_steps()}
    assert steps["supervision"] == 130 and steps["employment-clocks"] == 30
    assert "supervision-clocks" not in steps
    assert steps["supervision"] > steps.get("allocation", 120)


def test_same_seed_gives_the_same_supervision(council: dict[str, Any]) -> None:
    assert council["first_digest"] == council["second_digest"]


def test_the_employment_clocks_are_still_recorded(council: dict[str, Any]) -> None:
    ctx: GenerationContext = council["ctx"]
    joined = set(
        ClockEvent.objects.filter(subject_type="worker", name="joined").values_list(
            "subject_id", flat=True
        )
    )
    for user in ctx.staff_by_role[RoleCode.SOCIAL_WORKER]:
        assert user.pk in joined
    asye = [
        u
        for u in ctx.staff_by_role[RoleCode.SOCIAL_WORKER]
        if u.employment_type == EmploymentType.ASYE
    ]
    assert asye
    starts = set(ClockEvent.objects.filter(name="asye-start").values_list("subject_id", flat=True))
    assert {u.pk for u in asye} <= starts
    left = dict(ClockEvent.objects.filter(name="left").values_list("subject_id", "occurred_on"))
    former = [u for u in ctx.former_staff if u.pk in joined]
    assert former and all(left[u.pk] == u.employment_end for u in former)


def test_without_allocations_sessions_are_still_written(council: dict[str, Any]) -> None:
    without = council["without"]
    assert without["sessions"] > 100 and without["deadlines"] > 100
    assert without["discussions"] == 0 and without["oversight"] == 0


def test_sessions_are_plausible(council: dict[str, Any]) -> None:
    sessions = list(SupervisionSession.objects.select_related("worker", "supervisor"))
    assert len(sessions) > 200
    managers = set(
        User.objects.filter(roles__permissions__codename="manage_allocations").values_list(
            "pk", flat=True
        )
    )
    statuses = Counter(s.status for s in sessions)
    assert statuses["attended"] > 5 * statuses["cancelled"] > 0
    for s in sessions:
        assert s.session_date <= REFERENCE_DATE and s.session_date.weekday() < 5
        assert s.worker_id != s.supervisor_id and s.supervisor_id in managers
        start = s.worker.employment_start
        assert start is None or s.session_date >= start
        assert s.worker.employment_end is None or s.session_date <= s.worker.employment_end
        assert s.next_session_on is None or s.next_session_on > s.session_date
        if s.status == "attended":
            assert s.reflective_discussion and s.wellbeing_rating in range(1, 6)
            assert not s.cancellation_reason
        else:
            assert s.cancellation_reason and s.wellbeing_rating is None
            assert (s.cancellation_reason == "other") == bool(s.cancellation_note)
    reasons = {s.cancellation_reason for s in sessions if s.status == "cancelled"}
    assert len(reasons) >= 3
    assert len({s.reflective_discussion for s in sessions}) > 50  # varied wording


def test_each_held_session_records_one_clock_event(council: dict[str, Any]) -> None:
    held = SupervisionSession.objects.filter(status="attended")
    events = ClockEvent.objects.filter(subject_type="worker", name="supervision")
    assert events.count() == held.count()
    by_source = {e.source: e for e in events}
    for s in held:
        event = by_source[s.clock_source]
        assert (event.subject_id, event.occurred_on) == (s.worker_id, s.session_date)


def test_newly_qualified_workers_are_supervised_fortnightly(council: dict[str, Any]) -> None:
    ctx: GenerationContext = council["ctx"]
    asye = {
        u.pk
        for u in ctx.staff_by_role[RoleCode.SOCIAL_WORKER]
        if u.employment_type == EmploymentType.ASYE
    }
    gaps: dict[bool, list[int]] = {True: [], False: []}
    previous: dict[int, dt.date] = {}
    for worker_id, day in (
        SupervisionSession.objects.filter(status="attended")
        .order_by("worker_id", "session_date")
        .values_list("worker_id", "session_date")
    ):
        if worker_id in previous:
            gaps[worker_id in asye].append((day - previous[worker_id]).days)
        previous[worker_id] = day
    assert gaps[True] and gaps[False]
    median = {k: sorted(v)[len(v) // 2] for k, v in gaps.items()}
    assert 9 <= median[True] <= 16 and 22 <= median[False] <= 30


def test_case_discussions_are_about_children_the_worker_held_then(
    council: dict[str, Any],
) -> None:
    assert council["planted"] > 50
    discussions = list(CaseDiscussion.objects.select_related("session"))
    assert len(discussions) > 100
    allocations: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]] = {}
    for worker_id, person_id, start, end in Allocation.objects.values_list(
        "worker_id", "person_id", "start_date", "end_date"
    ):
        allocations.setdefault((worker_id, person_id), []).append((start, end))
    per_session = Counter(d.session_id for d in discussions)
    assert set(per_session.values()) <= {1, 2, 3}
    for d in discussions:
        day = d.session.session_date
        assert d.session.status == "attended"
        spans = allocations[(d.session.worker_id, d.person_id)]
        assert any(start <= day and (end is None or day <= end) for start, end in spans)
        assert len(d.rationale.split()) >= 10


def test_actions_and_oversight_are_in_date_order(council: dict[str, Any]) -> None:
    actions = list(DiscussionAction.objects.select_related("discussion__session"))
    assert actions
    assert any(a.completed_on for a in actions) and any(not a.completed_on for a in actions)
    for a in actions:
        assert a.agreed_on == a.discussion.session.session_date <= a.due_on
        assert a.completed_on is None or a.agreed_on <= a.completed_on <= REFERENCE_DATE
        assert (a.completed_on is None) == (a.completed_by_id is None)
    oversight = list(ManagementOversight.objects.all())
    assert len(oversight) > 50
    managers = set(
        User.objects.filter(roles__permissions__codename="manage_allocations").values_list(
            "pk", flat=True
        )
    )
    allocated = set(Allocation.objects.values_list("person_id", flat=True))
    for o in oversight:
        assert o.oversight_on <= REFERENCE_DATE and o.rationale and o.decision
        assert o.recorded_by_id in managers and o.person_id in allocated


def test_on_time_share_follows_the_scenario(council: dict[str, Any]) -> None:
    typical = council["typical"]["last_12_months"]["supervision_on_time_rate"]
    stressed = council["stressed"]["last_12_months"]["supervision_on_time_rate"]
    assert abs(typical - SCENARIOS["typical"].supervision_on_time) < 0.08
    assert abs(stressed - SCENARIOS["stressed"].supervision_on_time) < 0.12
    assert (
        council["stressed"]["workers_overdue_at_reference_date"]
        > council["typical"]["workers_overdue_at_reference_date"]
    )


def test_every_worker_on_the_clock_has_deadlines(council: dict[str, Any]) -> None:
    joined = set(
        ClockEvent.objects.filter(subject_type="worker", name="joined").values_list(
            "subject_id", flat=True
        )
    )
    with_deadlines = set(
        Deadline.objects.filter(rule_code="supervision").values_list("subject_id", flat=True)
    )
    assert joined == with_deadlines
    open_ones = Counter(
        Deadline.objects.filter(rule_code="supervision", state="open").values_list(
            "subject_id", flat=True
        )
    )
    assert max(open_ones.values()) == 1  # one clock per worker, one period open at a time


def test_council_stats_report_supervision_on_time(council: dict[str, Any]) -> None:
    autodiscover_modules("demo_stats")
    assert demo_stats._registry["supervision"] is supervision_figures  # in council_stats
    figures = supervision_figures(council["ctx"].council)
    assert figures == council["typical"]
    assert figures["sessions"] == SupervisionSession.objects.count()
    assert figures["held"] + figures["cancelled"] == figures["sessions"]
    assert sum(figures["cancelled_by_reason"].values()) == figures["cancelled"]
    assert figures["case_discussions"] == CaseDiscussion.objects.count()
    rate = selectors.supervision_on_time_rate(
        since=dt.date(2024, 4, 1), until=REFERENCE_DATE, today=REFERENCE_DATE
    )
    assert figures["last_12_months"]["supervision_on_time_rate"] == round(rate or 0, 4)
    overdue = selectors.supervision_overdue(
        workers=User.objects.all(),
        now=dt.datetime.combine(REFERENCE_DATE, dt.time(12), tzinfo=dt.UTC),
    )
    assert figures["workers_overdue_at_reference_date"] == len({d.subject_id for d in overdue})
