"""Legal records in the synthetic council: the step on a small generated council (8,000 children,
4 years), generated once for the module and rolled back at the end.

The step makes nothing without child protection plans or section 47 enquiries (checked on an empty
database). On the council, whatever the child protection step made is topped up with synthetic
plans of kind "cp" on long episodes and enquiries on many (so a small council has enough plans
lasting over 15 months whatever that step does), then the step runs. Every record it makes is one
the services would accept; the clock events and deadlines are written; and the proceedings'
durations follow the Ministry of Justice's figures (checked on many planned cases, since a small
council has few)."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from hearth.casework.models import ChildInNeedEpisode
from hearth.demo.context import GenerationContext
from hearth.demo.generator import generate_council
from hearth.demo.scenarios import DEFAULT_SCENARIO, SCENARIOS
from hearth.demo.stats import stats_json
from hearth.legal import services
from hearth.legal.codes import GatewayDecision, GatewayReason, PreProceedingsOutcome
from hearth.legal.demo_steps import Planner, generate_legal
from hearth.legal.models import (
    CareProceedings,
    CourtHearing,
    EmergencyProtection,
    LegalGatewayMeeting,
    PreProceedings,
    ProceedingsExtension,
)
from hearth.plans.models import Plan
from hearth.protection.models import Section47Enquiry
from hearth.timescales import calendar as cal
from hearth.timescales.models import ClockEvent, Deadline

REFERENCE_DATE = dt.date(2025, 3, 31)
OPTIONS = {
    "seed": 11,
    "children": 8_000,
    "years": 4,
    "reference_date": REFERENCE_DATE,
    "up_to_order": 124,
}
pytestmark = pytest.mark.django_db


def add_protection_records(rng: random.Random) -> None:
    """Child protection plans on one episode per child referred at least 500 days before the
    reference date, and section 47 enquiries on every such episode: what the protection step
    will make, in bulk and plausibly dated."""
    episodes = ChildInNeedEpisode.objects.filter(
        referral_nfa=False, referral_date__lte=REFERENCE_DATE - dt.timedelta(days=500)
    ).order_by("person_id", "referral_date")
    plans: list[Plan] = []
    enquiries: list[Section47Enquiry] = []
    seen = set(Plan.objects.filter(kind="cp").values_list("person_id", flat=True))
    for episode in episodes:
        if episode.person_id in seen:
            continue
        seen.add(episode.person_id)
        start = episode.referral_date + dt.timedelta(days=rng.randint(10, 40))
        if episode.closure_date is not None and episode.closure_date <= start:
            continue
        enquiries.append(
            Section47Enquiry(
                person_id=episode.person_id,
                episode=episode,
                start_date=start - dt.timedelta(days=5),
                icpc_target_date=start + dt.timedelta(days=10),
                concluded_on=start,
            )
        )
        plans.append(
            Plan(
                kind="cp",
                person_id=episode.person_id,
                episode=episode,
                start_date=start,
                end_date=episode.closure_date,
                end_reason="Case closed" if episode.closure_date else "",
            )
        )
    Plan.objects.bulk_create(plans)
    Section47Enquiry.objects.bulk_create(enquiries)


@pytest.fixture(scope="module")
def council(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        result = generate_council(**OPTIONS)
        ctx = result.context
        assert ctx is not None
        add_protection_records(random.Random(3))
        ctx.reseed("legal")
        generate_legal(ctx)
        yield {
            "cp_plans": list(Plan.objects.filter(kind="cp")),
            "enquiry_children": set(Section47Enquiry.objects.values_list("person_id", flat=True)),
            "gateways": list(LegalGatewayMeeting.objects.select_related("person", "plan")),
            "pps": list(PreProceedings.objects.select_related("person", "episode", "gateway")),
            "proceedings": list(
                CareProceedings.objects.select_related("person", "pre_proceedings", "gateway")
            ),
            "hearings": list(CourtHearing.objects.select_related("proceedings")),
            "extensions": list(ProceedingsExtension.objects.select_related("proceedings")),
            "emergencies": list(EmergencyProtection.objects.select_related("person")),
            "events": {
                (e.source, e.name): e
                for e in ClockEvent.objects.filter(source__startswith="legal.")
            },
            "deadlines": {
                (d.subject_id, d.rule_code, d.clock): d
                for d in Deadline.objects.filter(
                    rule_code__in=("proceedings", "police-protection", "epo")
                )
            },
            "stats": json.loads(stats_json())["legal"],
            "summary": dict(ctx.summary),
        }
        transaction.set_rollback(True)


def test_nothing_without_child_protection_records(db: None) -> None:
    ctx = GenerationContext(
        seed=1,
        children=1_000,
        years=1,
        reference_date=REFERENCE_DATE,
        scenario=SCENARIOS[DEFAULT_SCENARIO],
    )
    generate_legal(ctx)
    assert not LegalGatewayMeeting.objects.exists()
    assert not EmergencyProtection.objects.exists()
    assert not ClockEvent.objects.exists()


def test_gateways_follow_plans_lasting_over_15_months(council: dict[str, Any]) -> None:
    long_plans = {
        p.pk
        for p in council["cp_plans"]
        if cal.add_months(p.start_date, 15) < min(p.end_date or REFERENCE_DATE, REFERENCE_DATE)
    }
    from_plans = [g for g in council["gateways"] if g.reason == GatewayReason.LONG_CP_PLAN]
    assert len(long_plans) > 30
    assert {g.plan_id for g in from_plans} <= long_plans
    assert 0.6 < len(from_plans) / len(long_plans) < 0.95
    for g in council["gateways"]:
        services._check_gateway(g.person, _values(g, services.GATEWAY_FIELDS))
    decisions = [g.decision for g in from_plans]
    share = decisions.count(GatewayDecision.PRE_PROCEEDINGS) / len(decisions)
    assert 0.15 < share < 0.55


def _values(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def test_every_record_is_one_the_services_would_accept(council: dict[str, Any]) -> None:
    pps = council["pps"]
    assert pps and all(pp.gateway.decision == GatewayDecision.PRE_PROCEEDINGS for pp in pps)
    for pp in pps:
        services._check_pre_proceedings(
            pp.person, pp.episode, pp.gateway, _values(pp, services.PP_FIELDS), pk=pp.pk
        )
    assert any(pp.outcome == PreProceedingsOutcome.ISSUE for pp in pps)
    assert any(pp.outcome == PreProceedingsOutcome.STEP_DOWN for pp in pps)
    for p in council["proceedings"]:
        services._check_proceedings(
            p.person,
            _values(p, services.PROCEEDINGS_FIELDS),
            pre_proceedings=p.pre_proceedings,
            gateway=p.gateway,
            pk=p.pk,
        )
    for h in council["hearings"]:
        services._check_hearing(h.proceedings, _values(h, services.HEARING_FIELDS), pk=h.pk)
    for x in council["extensions"]:
        assert 1 <= x.weeks <= 8 and x.proceedings.issued_on <= x.granted_on
    emergencies = council["emergencies"]
    assert emergencies
    for e in emergencies:
        assert e.person_id in council["enquiry_children"]
        services._check_emergency(
            e.person,
            _values(e, services.EMERGENCY_FIELDS),
            exclude=e.pk,
            extension_days=e.extension_days,
        )
    children = len(council["enquiry_children"])
    assert len({e.person_id for e in emergencies}) < 0.03 * children


def test_clock_events_and_deadlines(council: dict[str, Any]) -> None:
    events, deadlines = council["events"], council["deadlines"]
    for p in council["proceedings"]:
        assert events[(f"legal.proceedings:{p.pk}", "proceedings-issued")].occurred_on == (
            p.issued_on
        )
        clock = deadlines[(p.person_id, "proceedings", f"0.proceedings:{p.pk}")]
        assert (clock.state == "met") == (p.final_order_on is not None)
    for x in council["extensions"]:
        assert events[(f"legal.extension:{x.pk}", "proceedings-extended")].occurred_on == (
            x.granted_on
        )
    for e in council["emergencies"]:
        rule = "police-protection" if e.is_police else "epo"
        clock = deadlines[(e.person_id, rule, f"0.emergency:{e.pk}")]
        assert (clock.state == "met") == (e.ended_at is not None)
        if clock.state == "met":
            assert clock.met_late is False  # the law's limits hold


def test_stats_add_up(council: dict[str, Any]) -> None:
    stats = council["stats"]
    assert sum(stats["legal_gateway_meetings"].values()) == len(council["gateways"])
    assert stats["pre_proceedings"]["total"] == len(council["pps"])
    courts = stats["care_proceedings"]
    assert courts["open"] + courts["concluded"] == len(council["proceedings"])
    assert courts["moj_within_26_weeks_rate"] == 0.35 and courts["moj_average_weeks"] == 40
    assert council["summary"]["care_proceedings"] == len(council["proceedings"])


def test_durations_follow_the_ministry_of_justice_figures(council: dict[str, Any]) -> None:
    class Ctx:
        rng = random.Random(7)
        reference_date = dt.date(2040, 1, 1)

    planner = Planner(Ctx())  # type: ignore[arg-type]
    for n in range(3000):
        planner._proceedings(n, None, dt.date(2030, 1, 1))
    weeks = [
        (p.final_order_on - p.issued_on).days / 7
        for p in planner.plan.proceedings
        if p.final_order_on is not None
    ]
    within = sum(1 for w in weeks if w <= 26) / len(weeks)
    assert 0.32 < within < 0.38
    assert 38 < sum(weeks) / len(weeks) < 42
