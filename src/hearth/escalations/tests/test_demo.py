"""Escalations in the synthetic council: the step on a small generated council (invariants, clocks,
figures, determinism), and the planner's rates on many synthetic cases without a database."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from hearth.demo.context import GenerationContext
from hearth.demo.generator import generate_council
from hearth.demo.scenarios import SCENARIOS
from hearth.demo.stats import stats_json
from hearth.escalations import demo_steps, policies, routing
from hearth.escalations.models import Escalation, EscalationStage, Stage, Status
from hearth.timescales.calendar import WorkingCalendar
from hearth.timescales.models import ClockEvent, Deadline, DeadlineState
from hearth.timescales.rules import Period, Unit

REFERENCE_DATE = dt.date(2025, 3, 31)
OPTIONS = {"seed": 11, "children": 4_000, "years": 2, "reference_date": REFERENCE_DATE}


class _Rollback(Exception):
    pass


def digest() -> list[Any]:
    return [
        list(
            Escalation.objects.order_by("raised_at", "person__child_id").values_list(
                "person__child_id",
                "raised_by__email",
                "raiser_role",
                "raised_at",
                "stage",
                "owner__email",
                "status",
                "raiser_accepted",
            )
        ),
        json.loads(stats_json())["escalations"],
    ]


@pytest.fixture(scope="module")
def council(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        first: list[Any] = []
        try:
            with transaction.atomic():
                generate_council(**OPTIONS)
                first = digest()
                raise _Rollback
        except _Rollback:
            pass
        with transaction.atomic():
            generate_council(**OPTIONS)
            yield {"first": first, "second": digest(), "stats": json.loads(stats_json())}
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_same_seed_same_escalations(council: dict[str, Any]) -> None:
    assert council["first"] == council["second"]


@pytest.mark.django_db
def test_escalations_are_consistent_with_the_rules(council: dict[str, Any]) -> None:
    escalations = list(Escalation.objects.prefetch_related("stages"))
    assert escalations, "the small council has escalations"
    midnight = dt.datetime.combine(REFERENCE_DATE, dt.time(0), tzinfo=demo_steps.LONDON)
    for e in escalations:
        stages = sorted(e.stages.all(), key=lambda s: s.stage)
        assert stages[-1].stage == e.stage and stages[-1].owner_id == e.owner_id
        assert stages[0].started_at == e.raised_at
        assert e.raised_at < midnight
        for earlier, later in itertools.pairwise(stages):
            assert earlier.ended_at == later.started_at
            # Rose unanswered, or the raiser disputed the answer.
            assert later.rose_automatically == (earlier.responded_at is None)
            assert later.stage > earlier.stage
        for s in stages:
            for moment in (s.responded_at, s.raiser_replied_at, s.ended_at):
                assert moment is None or moment < midnight
        if e.raiser_role == "partner_agency":
            assert e.contact is not None and e.contact.person_id == e.person_id
        else:
            assert e.person.allocations.filter(worker=e.raised_by, role=e.raiser_role).exists()


@pytest.mark.django_db
def test_every_stage_has_its_clock(council: dict[str, Any]) -> None:
    stages = list(EscalationStage.objects.select_related("escalation"))
    deadlines = {
        (d.subject_id, d.clock.split(".", 1)[1]): d
        for d in Deadline.objects.filter(rule_code="escalation-response")
    }
    assert len(deadlines) == len(stages)
    for s in stages:
        d = deadlines[(s.escalation.person_id, f"escalation-{s.escalation_id}-{s.stage}")]
        assert d.due_on == s.due_on
        if s.responded_at is not None:
            assert d.state == DeadlineState.MET
        elif s.ended_at is not None:
            assert d.state == DeadlineState.CLOSED  # rose or withdrawn: not open for ever
        else:
            assert d.state == DeadlineState.OPEN
    assert ClockEvent.objects.filter(name="escalation-raised").count() == len(stages)


@pytest.mark.django_db
def test_a_handful_are_open_and_overdue_and_the_figures_add_up(council: dict[str, Any]) -> None:
    figures = council["stats"]["escalations"]
    year = figures["last_12_months"]
    assert figures["escalations"] == Escalation.objects.count()
    assert 1 <= figures["open_overdue"] <= figures["open"]
    assert sum(year["by_stage_reached"].values()) == year["raised"]
    assert year["by_stage_reached"]["team_manager"] >= year["by_stage_reached"]["director"]
    assert 0 < year["answered_within_time_rate"] <= 1
    assert council["stats"]["counts"]["escalations.escalation"] == figures["escalations"]


@pytest.mark.django_db
def test_raisers_could_raise_them_now_if_still_in_role(council: dict[str, Any]) -> None:
    """An open escalation's raiser who still holds the role passes the live rule too."""
    for e in Escalation.objects.filter(status=Status.OPEN).select_related("raised_by", "person"):
        if (
            e.raiser_role != "partner_agency"
            and e.person.allocations.filter(worker=e.raised_by, end_date__isnull=True).exists()
        ):
            assert policies.may_raise(e.raised_by, e.person)


# --- the planner at scale, without a database -----------------------------------------------------


def synthetic_inputs(children: int) -> demo_steps.Inputs:
    """A council of `children` children in need, each with a lead worker in one of four teams
    (a team manager, a service manager, a head of service, a director), an IRO and a chair."""
    users = {
        1: routing.UserFacts(1, True, None, True),  # director
        2: routing.UserFacts(2, True, 1, False),  # head of service
        3: routing.UserFacts(3, True, 2, False),  # service manager
    }
    managers = {}
    for team in range(4):
        manager = 10 + team
        users[manager] = routing.UserFacts(manager, True, 3, False)
        managers[team] = manager
    holdings = []
    lead_teams = {}
    start = dt.date(2022, 4, 1)
    for child in range(children):
        team = child % 4
        holdings.append(demo_steps.Holding(child, "lead", 100 + team, start, None))
        holdings.append(demo_steps.Holding(child, "iro", 200 + child % 7, start, None))
        holdings.append(demo_steps.Holding(child, "conference_chair", 300, start, None))
        lead_teams[child] = [(start, None, team)]
    for pk in [*range(100, 104), *range(200, 207), 300]:
        users[pk] = routing.UserFacts(pk, True, None, False)
    return demo_steps.Inputs(
        holdings=holdings,
        referrals=[],
        lead_teams=lead_teams,
        fallback_team={},
        managers=managers,
        directory=demo_steps.MemoryDirectory(users, [1]),
        child_years=children * 3.0,
        cin_at_reference=children,
    )


def plan(scenario: str, children: int = 5_000) -> list[demo_steps.PlannedEscalation]:
    ctx = GenerationContext(
        seed=3,
        children=children * 30,
        years=3,
        reference_date=REFERENCE_DATE,
        scenario=SCENARIOS[scenario],
    )
    return demo_steps.plan_escalations(
        ctx, synthetic_inputs(children), WorkingCalendar({}), Period(5, Unit.WORKING_DAYS)
    )


def test_the_planner_rates() -> None:
    planned = plan("typical")
    # 6 a year per 1,000 children in need: 5,000 children for 3 years, plus the backlog.
    assert 90 - 1 <= len(planned) - round(1.5 * 5) <= 90 + 1
    reached = Counter(max(s.stage for s in e.stages) for e in planned)
    assert reached[Stage.TEAM_MANAGER] / len(planned) > 0.6  # most answered at stage 1
    assert reached[Stage.SERVICE_MANAGER] > 0
    roles = Counter(e.raiser_role for e in planned)
    assert roles["iro"] + roles["conference_chair"] > roles["lead"]
    overdue = [e for e in planned if e.status == Status.OPEN and e.current.responded_at is None]
    overdue = [e for e in overdue if e.current.due_on < REFERENCE_DATE]
    assert len(overdue) >= 5
    assert any(e.current.stage == Stage.DIRECTOR for e in overdue)


def test_hard_times_leave_more_unanswered() -> None:
    def missed(planned: list[demo_steps.PlannedEscalation]) -> float:
        stages = [s for e in planned for s in e.stages if s.ended_at or s.responded_at]
        return sum(s.risen for s in stages) / len(stages)

    typical = plan("typical")
    hard = [name for name in ("stressed", "struggling") if name in SCENARIOS]
    assert hard
    for name in hard:
        planned = plan(name)
        assert len(planned) > len(typical)
        assert missed(planned) > 1.5 * missed(typical)


def test_no_allocations_and_no_referrals_means_no_escalations() -> None:
    ctx = GenerationContext(
        seed=1,
        children=1_000,
        years=1,
        reference_date=REFERENCE_DATE,
        scenario=SCENARIOS["typical"],
    )
    empty = demo_steps.Inputs(
        holdings=[],
        referrals=[],
        lead_teams={},
        fallback_team={},
        managers={},
        directory=demo_steps.MemoryDirectory({}, []),
        child_years=300.0,
        cin_at_reference=33,
    )
    assert (
        demo_steps.plan_escalations(ctx, empty, WorkingCalendar({}), Period(5, Unit.WORKING_DAYS))
        == []
    )
