"""The "risk-and-missing" demo step on a small set of synthetic children (built here, as the
casework step may not have run): rates, invariants the services enforce, clocks, determinism and
the figures for council_stats."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from hearth.casework.models import Assessment, AssessmentFactorIdentified
from hearth.core.models import User
from hearth.demo.context import GenerationContext
from hearth.demo.scenarios import SCENARIOS
from hearth.demo.stats import stats_json
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.safeguarding import demo_steps
from hearth.safeguarding.models import MissingEpisode, RiskAssessment
from hearth.timescales.models import ClockEvent, Deadline
from hearth.workforce.models import Allocation

pytestmark = pytest.mark.django_db
REFERENCE = timezone.localdate()  # council_stats reads "now" as today without a council


@pytest.fixture
def known(make_user: Callable[..., User]) -> list[int]:
    """60 children known to the service, aged 11 to 16; a third with exploitation factors."""
    worker = make_user("social_worker")
    manager = make_user("team_manager")
    ids = []
    for n in range(60):
        child = make_child(date_of_birth=dt.date(2009 + n % 6, 1 + n % 12, 1 + n % 27))
        episode = open_cin_episode(child, referral_date=dt.date(2023, 1, 5))
        Allocation.objects.create(
            person=child,
            role="lead",
            worker=worker,
            start_date=dt.date(2023, 1, 6),
            reason="FCONTA",
        )
        if n % 3 == 0:
            assessment = Assessment.objects.create(
                episode=episode,
                person=child,
                start_date=dt.date(2023, 1, 10),
                worker=worker,
                authorised_on=dt.date(2023, 2, 20),
                authorised_by=manager,
                outcome="cin_plan",
                authorisation_rationale="Child in need plan.",
            )
            AssessmentFactorIdentified.objects.create(
                assessment=assessment, code=("11A", "24A", "13A")[n % 9 // 3]
            )
        ids.append(child.pk)
    return ids


def run(seed: int = 7) -> GenerationContext:
    ctx = GenerationContext(
        seed=seed, children=20_000, years=2, reference_date=REFERENCE, scenario=SCENARIOS["typical"]
    )
    ctx.reseed("risk-and-missing")
    demo_steps.generate_risk_and_missing(ctx)
    return ctx


def digest() -> list[Any]:
    return [
        list(
            MissingEpisode.objects.order_by("pk").values_list("person_id", "started_at", "ended_at")
        ),
        list(RiskAssessment.objects.order_by("pk").values_list("person_id", "kind", "assessed_on")),
    ]


def test_the_step_writes_episodes_and_assessments_the_services_would_accept(
    known: list[int],
) -> None:
    run()
    episodes = list(MissingEpisode.objects.all())
    children = {e.person_id for e in episodes}
    # 71 a year per 10,000 over two years for 20,000 children is about 284 incidents on 42
    # children; only 60 are known here, so the children are capped by the ages available.
    assert 15 <= len(children) <= 60
    assert len(episodes) / len(children) > 3  # repeat missing
    midnight = demo_steps.at_time(REFERENCE, 0)
    by_child: dict[int, list[MissingEpisode]] = {}
    for e in episodes:
        by_child.setdefault(e.person_id, []).append(e)
        assert e.started_at < midnight
        assert e.ended_at is None or e.started_at <= e.ended_at < midnight
        assert e.kind == "M" or e.missing_from == "care"
        if e.rhi_offered_at is not None:
            assert e.ended_at is not None and e.ended_at <= e.rhi_offered_at < midnight
        if e.rhi_completed_on is not None:
            assert e.rhi_accepted is True and (e.rhi_by_id or e.rhi_by_agency) and e.rhi_findings
    for rows in by_child.values():
        rows.sort(key=lambda e: e.started_at)
        for before, after in itertools.pairwise(rows):
            assert before.ended_at is not None and before.ended_at < after.started_at
    reported = sum(e.reported_to_police for e in episodes) / len(episodes)
    assert 0.75 < reported < 1
    returned = [e for e in episodes if e.ended_at is not None]
    in_time = [
        e
        for e in returned
        if e.rhi_offered_at and e.rhi_offered_at <= e.ended_at + dt.timedelta(hours=72)  # type: ignore[operator]
    ]
    assert 0.6 < len(in_time) / len(returned) < 0.9
    assessments = list(RiskAssessment.objects.all())
    assert assessments
    for a in assessments:
        assert a.assessed_on < REFERENCE and a.summary
        assert a.closed_on is None or a.assessed_on <= a.closed_on < REFERENCE
    assert {a.kind for a in assessments} <= {"cse", "cce", "missing"}


def test_the_clocks_are_written_and_derived(known: list[int]) -> None:
    run()
    returns = ClockEvent.objects.filter(name="missing-return").count()
    assert returns == MissingEpisode.objects.filter(ended_at__isnull=False).count()
    assert ClockEvent.objects.filter(name="rhi-offered").count() == (
        MissingEpisode.objects.filter(rhi_offered_at__isnull=False).count()
    )
    assert (
        ClockEvent.objects.filter(name="risk-assessment").count() == RiskAssessment.objects.count()
    )
    assert Deadline.objects.filter(rule_code="rhi").count() == returns
    assert Deadline.objects.filter(rule_code="risk-assessment-review").exists()


def test_same_seed_same_council_and_the_figures(known: list[int]) -> None:
    run(seed=3)
    first = digest()
    MissingEpisode.objects.all().delete()
    RiskAssessment.objects.all().delete()
    ClockEvent.objects.filter(source__startswith="safeguarding.").delete()
    run(seed=3)
    assert digest() == first
    figures = json.loads(stats_json())["risk_and_missing"]
    assert figures["missing_episodes"] == MissingEpisode.objects.count()
    assert figures["last_12_months"]["incidents"] > 0
    assert 0 <= figures["last_12_months"]["rhi_within_72_hours_rate"] <= 1
    assert figures["children_flagged"] <= figures["children_with_exploitation_concern"]


def test_nothing_is_written_without_children(make_user: Callable[..., User]) -> None:
    make_user("social_worker")
    run()
    assert not MissingEpisode.objects.exists()
