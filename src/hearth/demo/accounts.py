"""Demo sign-in accounts: one per role, all with the same published password.

These are the only generated accounts with a usable password. They exist for demonstrations on
synthetic data and must never be created in a council's real deployment.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count

from hearth.core.choices import RoleCode
from hearth.core.models import User

DEMO_PASSWORD = "hearth-demo-password"  # noqa: S105  (published on purpose: synthetic demo only)
DEMO_EMAIL_DOMAIN = "demo.hearth.test"
NO_TEAM = "—"


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
    """The demo accounts in the database, in role order.

    The team column is the account's current team. Accounts above teams (service manager, head of
    service, director) show their job title, which names the area they lead; others show "—".
    """
    users = {
        u.email: u
        for u in User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        .annotate(reports=Count("direct_reports"))
        .prefetch_related("memberships__team")
    }
    rows = []
    for role in RoleCode:
        user = users.get(demo_email(role.value))
        if user is None:
            continue
        current = sorted(m.team.name for m in user.memberships.all() if m.end_date is None)
        if current:
            team = current[0] + (f" (+{len(current) - 1} more)" if len(current) > 1 else "")
        elif user.reports and user.job_title:
            team = user.job_title
        else:
            team = NO_TEAM
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
