"""Helpers shared by the demo tests (importable without pytest, for subprocesses)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import random
from typing import Any

from faker import Faker

from hearth.core.models import Team, User
from hearth.demo.scenarios import SCENARIOS
from hearth.demo.workforce import plan_workforce

REFERENCE_DATE = dt.date(2025, 3, 31)


def plan_digest(seed: int, children: int = 20_000, scenario: str = "typical") -> str:
    """A hash of the whole planned workforce (no database needed)."""
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    plan = plan_workforce(
        children=children,
        scenario=SCENARIOS[scenario],
        rng=random.Random(seed),
        faker=faker,
        email_domain="example.gov.uk.test",
        reference_date=REFERENCE_DATE,
        years=3,
    )
    payload = [plan.teams, [dataclasses.astuple(p) for p in plan.people]]
    return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


def staff_snapshot() -> list[tuple[Any, ...]]:
    """Every user with their roles, line manager and team memberships, without primary keys or
    timestamps."""
    users = (
        User.objects.select_related("line_manager")
        .prefetch_related("roles", "memberships__team")
        .order_by("email")
    )
    return [
        (
            u.email,
            u.first_name,
            u.last_name,
            u.job_title,
            u.is_active,
            u.employment_type,
            str(u.fte),
            u.employment_start,
            u.employment_end,
            u.swe_registration,
            tuple(sorted(r.code for r in u.roles.all())),
            tuple(sorted((m.team.name, m.start_date, m.end_date) for m in u.memberships.all())),
            u.line_manager.email if u.line_manager else "",
        )
        for u in users
    ]


def team_snapshot() -> list[tuple[str, str, str]]:
    return [
        (t.name, t.service_area, t.manager.email if t.manager else "")
        for t in Team.objects.select_related("manager").order_by("name")
    ]
