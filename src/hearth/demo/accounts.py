"""Demo sign-in accounts: one per role, all with the same published password.

These are the only generated accounts with a usable password. They exist for demonstrations on
synthetic data and must never be created in a council's real deployment.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from hearth.core.choices import RoleCode
from hearth.core.models import User

DEMO_PASSWORD = "hearth-demo-password"  # noqa: S105  (published on purpose: synthetic demo only)
DEMO_EMAIL_DOMAIN = "demo.hearth.test"


def demo_email(role_code: str) -> str:
    return f"{role_code}@{DEMO_EMAIL_DOMAIN}"


def sign_in_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}/"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    role_label: str
    email: str
    name: str
    team: str


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts in the database, in role order."""
    users = {
        u.email: u
        for u in User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").prefetch_related(
            "memberships__team"
        )
    }
    # Where an account is in several teams, show the demo team manager's team first.
    manager = users.get(demo_email(RoleCode.TEAM_MANAGER))
    demo_team = manager.managed_teams.order_by("pk").first() if manager else None
    rows = []
    for role in RoleCode:
        user = users.get(demo_email(role.value))
        if user is None:
            continue
        current = sorted(
            (m.team for m in user.memberships.all() if m.end_date is None),
            key=lambda t: (t != demo_team, t.name),
        )
        team = current[0].name if current else ""
        if len(current) > 1:
            team += f" (+{len(current) - 1} more)"
        rows.append(
            DemoAccount(
                role=role.value,
                role_label=str(role.label),
                email=user.email,
                name=user.full_name,
                team=team,
            )
        )
    return rows


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(v)) for v in col) for col in zip(headers, *rows, strict=False)]
    lines = [
        "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in [headers, ["-" * w for w in widths], *rows]
    ]
    return "\n".join(lines)


def format_demo_accounts(accounts: Sequence[DemoAccount]) -> str:
    table = format_table(
        ["Role", "Email", "Password", "Name", "Team"],
        [[a.role_label, a.email, DEMO_PASSWORD, a.name, a.team] for a in accounts],
    )
    return (
        f"Sign in at {sign_in_url()} (synthetic data only; every demo account shares the password"
        f" {DEMO_PASSWORD})\n\n{table}"
    )
