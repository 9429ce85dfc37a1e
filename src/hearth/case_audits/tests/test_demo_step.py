"""The case audit step on its own: without allocations, and without anyone to audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from hearth.case_audits.demo_steps import generate_case_audits, load_cases
from hearth.case_audits.models import CaseAudit
from hearth.core.models import User
from hearth.core.tests.factories import TeamFactory
from hearth.demo.context import GenerationContext
from hearth.demo.scenarios import SCENARIOS
from hearth.people.tests.factories import make_child, open_cin_episode

pytestmark = pytest.mark.django_db


def test_the_step_works_without_allocations(make_user: Callable[..., User]) -> None:
    """Cases come from open child in need episodes; no team or worker is recorded."""
    reference = dt.date(2025, 3, 31)
    children = [make_child() for _ in range(12)]
    for child in children:
        open_cin_episode(child, referral_date=dt.date(2024, 1, 10))
    assert all(case.team_id is None for case in load_cases())
    ctx = GenerationContext(
        seed=3, children=1_000, years=1, reference_date=reference, scenario=SCENARIOS["typical"]
    )
    ctx.reseed("case-audits")
    ctx.teams = [TeamFactory()]
    ctx.staff_by_role["social_worker"] = [make_user("social_worker") for _ in range(6)]
    ctx.staff_by_role["auditor"] = [make_user("auditor")]
    ctx.staff_by_role["service_manager"] = [make_user("service_manager")]
    generate_case_audits(ctx)
    audits = CaseAudit.objects.all()
    assert audits.count() >= 12  # 4 a month for 12 months, each child once in six months
    assert not audits.exclude(team=None).exists()
    assert audits.filter(status__in=["submitted", "moderated"]).exists()
    assert ctx.counts["case_audits.caseaudit"] == audits.count()


def test_the_step_writes_nothing_without_auditors() -> None:
    ctx = GenerationContext(
        seed=3,
        children=1_000,
        years=1,
        reference_date=dt.date(2025, 3, 31),
        scenario=SCENARIOS["typical"],
    )
    generate_case_audits(ctx)
    assert not CaseAudit.objects.exists()
