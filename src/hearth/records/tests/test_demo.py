"""Case notes in the synthetic council: the step on a small generated council (who wrote them,
when, how many are significant and restricted, the figures) and the same notes for the same
seed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.models import Team
from hearth.demo.context import GenerationContext
from hearth.demo.generator import generate_council
from hearth.demo.scenarios import DEFAULT_SCENARIO, SCENARIOS
from hearth.demo.stats import stats_json
from hearth.records.demo_steps import generate_case_notes
from hearth.records.models import CaseNote
from hearth.timescales.calendar import LONDON
from hearth.workforce.models import Allocation

REFERENCE_DATE = dt.date(2025, 3, 31)
OPTIONS = {
    "seed": 5,
    "children": 2_000,
    "years": 2,
    "reference_date": REFERENCE_DATE,
    "up_to_order": 129,
}


def digest() -> list[Any]:
    return list(
        CaseNote.objects.order_by("occurred_at", "person__child_id", "subject").values_list(
            "person__child_id",
            "recorded_by__email",
            "kind",
            "occurred_at",
            "subject",
            "significant",
        )[:500]
    )


@pytest.fixture(scope="module")
def council(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        generate_council(**OPTIONS)
        first = digest()
        # The step again on the same records gives the same notes (its own random stream).
        count = CaseNote.objects.count()
        CaseNote.objects.all().delete()
        ctx = GenerationContext(
            seed=5,
            children=2_000,
            years=2,
            reference_date=REFERENCE_DATE,
            scenario=SCENARIOS[DEFAULT_SCENARIO],
        )
        ctx.teams = list(Team.objects.all())
        generate_case_notes(ctx)
        yield {
            "first": first,
            "second": digest(),
            "count": count,
            "stats": json.loads(stats_json())["records"],
        }
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_same_seed_same_notes(council: dict[str, Any]) -> None:
    assert council["first"] and council["first"] == council["second"]


@pytest.mark.django_db
def test_notes_are_plausible(council: dict[str, Any]) -> None:
    notes = list(
        CaseNote.objects.values(
            "person_id",
            "recorded_by_id",
            "occurred_at",
            "recorded_at",
            "significant",
            "restricted",
            "kind",
            "text",
        )
    )
    assert len(notes) == council["count"] > 100
    midnight = dt.datetime.combine(REFERENCE_DATE, dt.time(0), tzinfo=LONDON)
    referral_workers: dict[int, set[int]] = {}
    for person_id, worker_id in ChildInNeedEpisode.objects.values_list(
        "person_id", "referral_worker_id"
    ):
        referral_workers.setdefault(person_id, set()).add(worker_id)
    workers: dict[int, set[int]] = {}
    for person_id, worker_id in Allocation.objects.values_list("person_id", "worker_id"):
        workers.setdefault(person_id, set()).add(worker_id)
    managers = set(Team.objects.values_list("manager_id", flat=True))
    for n in notes:
        assert n["occurred_at"] <= n["recorded_at"] <= midnight
        assert n["person_id"] in referral_workers
        allowed = workers.get(n["person_id"], set()) | managers | referral_workers[n["person_id"]]
        assert n["recorded_by_id"] in allowed
        assert "{name}" not in n["text"]
    significant = sum(n["significant"] for n in notes) / len(notes)
    restricted = sum(n["restricted"] for n in notes) / len(notes)
    assert 0.06 < significant < 0.15
    assert 0.005 < restricted < 0.05
    assert len({n["kind"] for n in notes}) == 8


@pytest.mark.django_db
def test_figures(council: dict[str, Any]) -> None:
    stats = council["stats"]
    assert stats["case_notes"] == council["count"]
    assert sum(stats["case_notes_by_kind"].values()) == stats["case_notes"]
    assert stats["children_with_notes"] > 10 and stats["documents"] == 0
