"""Same seed, same council; different seed, different people."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from hearth.demo.context import GenerationContext
from hearth.demo.generator import generate_council
from hearth.demo.stats import stats_json
from hearth.demo.steps import register_step, unregister_step

from .helpers import REFERENCE_DATE, plan_digest, staff_snapshot, team_snapshot

SRC = Path(__file__).resolve().parents[3]


class _Rollback(Exception):
    pass


def generate_and_roll_back(**options: Any) -> tuple[str, list[Any], list[Any]]:
    """Generate, capture everything, then undo it so the next generation starts clean.

    Rolling back a transaction is not a DELETE, so the append-only audit trail allows it.
    """
    options = {"children": 5_000, "reference_date": REFERENCE_DATE, **options}
    captured: tuple[str, list[Any], list[Any]] | None = None
    try:
        with transaction.atomic():
            generate_council(**options)
            captured = (stats_json(), staff_snapshot(), team_snapshot())
            raise _Rollback
    except _Rollback:
        pass
    assert captured is not None
    return captured


@pytest.mark.django_db
def test_same_seed_gives_identical_records() -> None:
    first = generate_and_roll_back(seed=7)
    from hearth.core.models import Council, User

    assert Council.objects.count() == 0 and User.objects.count() == 0  # really rolled back
    second = generate_and_roll_back(seed=7)

    stats, staff, teams = first
    assert len(staff) > 50 and len(teams) >= 12
    assert second[0] == stats
    assert second[1] == staff
    assert second[2] == teams


@pytest.mark.django_db
def test_different_seed_gives_different_people() -> None:
    _, staff_a, _ = generate_and_roll_back(seed=7)
    _, staff_b, _ = generate_and_roll_back(seed=8)
    names_a = {(s[1], s[2]) for s in staff_a}
    names_b = {(s[1], s[2]) for s in staff_b}
    emails_a = {s[0] for s in staff_a if not s[0].endswith("@demo.hearth.test")}
    emails_b = {s[0] for s in staff_b if not s[0].endswith("@demo.hearth.test")}
    # Same structure, different people: a few common names may coincide, most must not.
    assert len(names_a & names_b) < len(names_a) / 5
    assert not emails_a & emails_b  # the council (and so the email domain) differs too


@pytest.mark.django_db
def test_reference_date_moves_every_date() -> None:
    _, staff_a, _ = generate_and_roll_back(seed=7, reference_date="2025-03-31")
    _, staff_b, _ = generate_and_roll_back(seed=7, reference_date="2026-03-31")
    shift = REFERENCE_DATE.replace(year=2026) - REFERENCE_DATE
    assert [s[:3] for s in staff_a] == [s[:3] for s in staff_b]
    starts_a = [s[7] for s in staff_a if s[7] is not None]
    starts_b = [s[7] for s in staff_b if s[7] is not None]
    assert len(starts_a) == len(staff_a) - 1  # all but the partner-agency user
    assert [d + shift for d in starts_a] == starts_b


@pytest.mark.django_db
def test_a_later_step_does_not_change_earlier_records() -> None:
    baseline = generate_and_roll_back(seed=11)
    seen: dict[str, Any] = {}

    def probe(ctx: GenerationContext) -> None:
        # Consumes randomness after the workforce exists, as a children step would.
        seen["council"] = ctx.council.name if ctx.council else None
        seen["teams"] = len(ctx.teams)
        seen["draws"] = [ctx.rng.random() for _ in range(100)]
        seen["names"] = [ctx.faker.name() for _ in range(100)]

    def early(ctx: GenerationContext) -> None:
        seen["early_saw_teams"] = len(ctx.teams)
        seen["early_draws"] = [ctx.rng.random() for _ in range(100)]

    register_step("test_probe", order=100)(probe)
    register_step("test_early", order=15)(early)
    try:
        with_probe = generate_and_roll_back(seed=11)
    finally:
        unregister_step("test_probe")
        unregister_step("test_early")

    assert seen["council"] and seen["teams"] >= 12
    assert seen["early_saw_teams"] == 0  # ran between the council and the workforce
    assert with_probe[1] == baseline[1]
    assert with_probe[2] == baseline[2]


def test_plan_is_identical_in_another_process_with_other_hash_seed() -> None:
    """Catches iteration over sets or dicts keyed by str, which PYTHONHASHSEED reorders."""
    here = plan_digest(2018)
    env = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "hearth.config.settings.test"
        ),
    }
    code = (
        "import django; django.setup();"
        "from hearth.demo.tests.helpers import plan_digest; print(plan_digest(2018))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == here
    assert plan_digest(2019) != here
