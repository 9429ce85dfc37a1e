"""generate_council, demo_accounts and council_stats as a user runs them."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from hearth.core.choices import RoleCode, ServiceArea
from hearth.core.models import AuditEvent, Council, Team, TeamMembership, User
from hearth.demo.accounts import DEMO_PASSWORD, demo_email
from hearth.demo.context import GenerationContext
from hearth.demo.stats import register_stats, unregister_stats
from hearth.demo.steps import register_step, unregister_step

pytestmark = pytest.mark.django_db

SMALL = {"seed": 7, "children": 5_000, "reference_date": "2025-03-31"}


def run(command: str, **options: Any) -> str:
    out = StringIO()
    call_command(command, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def assert_nothing_written() -> None:
    assert Council.objects.count() == 0
    assert User.objects.count() == 0
    assert Team.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"children": 999}, "--children must be between 1,000 and 2,000,000"),
        ({"children": 2_000_001}, "--children must be between 1,000 and 2,000,000"),
        ({"years": 0}, "--years must be between 1 and 10"),
        ({"years": 11}, "--years must be between 1 and 10"),
        ({"scenario": "chaotic"}, "Choose one of: typical, improving, stressed, struggling"),
        (
            {"reference_date": "31/03/2025"},
            "--reference-date must be a date in the form YYYY-MM-DD",
        ),
        ({"name": "x" * 151}, "--name must be at most 150 characters"),
    ],
)
def test_invalid_arguments_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        run("generate_council", **{**SMALL, **options})
    assert_nothing_written()


def test_refuses_when_a_council_exists() -> None:
    run("generate_council", **SMALL, verbosity=0)
    users = User.objects.count()
    with pytest.raises(CommandError, match=r"already holds a council .*fresh database"):
        run("generate_council", **{**SMALL, "seed": 8})
    assert Council.objects.count() == 1
    assert User.objects.count() == users
    assert AuditEvent.objects.count() == 1


def test_a_failing_step_leaves_nothing_behind() -> None:
    def broken(ctx: GenerationContext) -> None:
        raise RuntimeError("step failed")

    register_step("test_broken", order=25)(broken)
    try:
        with pytest.raises(RuntimeError, match="step failed"):
            run("generate_council", **SMALL, verbosity=0)
    finally:
        unregister_step("test_broken")
    assert_nothing_written()


def test_generate_prints_summary_and_demo_sign_in_table() -> None:
    out = run("generate_council", **SMALL, name="Testshire Council")
    assert "Generated Testshire Council" in out
    assert "core.user" in out
    for code in RoleCode.values:
        assert demo_email(code) in out
    assert DEMO_PASSWORD in out
    council = Council.objects.get()
    assert council.name == "Testshire Council"
    assert User.objects.filter(email__endswith="@testshire.gov.uk.test").count() > 50


def test_generate_is_silent_at_verbosity_0() -> None:
    out = StringIO()
    err = StringIO()
    call_command("generate_council", **SMALL, verbosity=0, stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert err.getvalue() == ""
    assert Council.objects.count() == 1


def test_council_row() -> None:
    run("generate_council", **SMALL, scenario="stressed", verbosity=0)
    council = Council.objects.get()
    assert council.name.endswith(" Council")
    assert council.la_code.isdigit() and len(council.la_code) == 3
    assert council.population_0_17 == 5_000
    assert council.generator_seed == 7
    assert council.generator_scenario == "stressed"
    assert str(council.reference_date) == "2025-03-31"
    assert council.social_worker_vacancies_fte > 0


def test_demo_accounts_without_a_council_is_an_error() -> None:
    with pytest.raises(CommandError, match="no demo accounts"):
        run("demo_accounts")


def test_demo_accounts_table(monkeypatch: pytest.MonkeyPatch) -> None:
    run("generate_council", **SMALL, verbosity=0)
    monkeypatch.setenv("PORT", "8123")
    out = run("demo_accounts")
    assert "http://127.0.0.1:8123/" in out
    lines = [line for line in out.splitlines() if "@demo.hearth.test" in line]
    assert len(lines) == len(RoleCode.values)
    for code, line in zip(RoleCode, lines, strict=True):
        assert line.startswith(str(code.label))
        assert demo_email(code.value) in line and DEMO_PASSWORD in line
    # Aligned: each column starts at the same place on every line.
    assert (
        len({line.index(demo_email(c)) for c, line in zip(RoleCode.values, lines, strict=True)})
        == 1
    )
    assert len({line.index(DEMO_PASSWORD) for line in lines}) == 1
    # The team column: the team someone works in, or the area above teams they lead.
    by_role = dict(zip(RoleCode.values, lines, strict=True))
    team = User.objects.get(email=demo_email(RoleCode.TEAM_MANAGER)).managed_teams.get()
    for code in (RoleCode.TEAM_MANAGER, RoleCode.SOCIAL_WORKER, RoleCode.BUSINESS_SUPPORT):
        assert by_role[code].endswith(f"  {team.name}"), code
    for code in (RoleCode.SERVICE_MANAGER, RoleCode.HEAD_OF_SERVICE, RoleCode.DIRECTOR):
        title = User.objects.get(email=demo_email(code)).job_title
        assert by_role[code].endswith(f"  {title}"), code
    assert by_role[RoleCode.PARTNER_AGENCY].endswith("  —")


def test_council_stats_before_generation() -> None:
    data = json.loads(run("council_stats"))
    assert data["council"] == {}
    assert data["counts"]["core.user"] == 0


def test_council_stats_match_the_database() -> None:
    run("generate_council", **SMALL, verbosity=0)
    raw = run("council_stats")
    data = json.loads(raw)
    assert raw.strip() == json.dumps(data, indent=2, sort_keys=True)

    counts = data["counts"]
    hearth_models = [
        m
        for app in apps.get_app_configs()
        if app.name.startswith("hearth.")
        for m in app.get_models(include_auto_created=True)
    ]
    assert set(counts) == {m._meta.label_lower for m in hearth_models}
    for model in hearth_models:
        assert counts[model._meta.label_lower] == model._default_manager.count()
    assert counts["core.user"] > 50
    assert counts["core.teammembership"] == TeamMembership.objects.count()
    assert counts["core.auditevent"] == 1

    council = data["council"]
    assert council["children"] == 5_000
    assert council["seed"] == 7
    assert council["scenario"] == "typical"
    assert council["reference_date"] == "2025-03-31"
    assert set(council["teams_by_service_area"]) == set(ServiceArea.values)
    assert (
        council["teams"] == Team.objects.count() == sum(council["teams_by_service_area"].values())
    )
    for code, n in council["users_by_role"].items():
        assert n == User.objects.filter(roles__code=code, is_active=True).count(), code
    assert council["staff_active"] == User.objects.filter(is_active=True).count() - 1  # partner
    sw = User.objects.filter(
        is_active=True,
        roles__code__in=[RoleCode.SOCIAL_WORKER, RoleCode.SENIOR_PRACTITIONER],
    ).distinct()
    assert council["social_worker_fte"] == pytest.approx(float(sum(u.fte for u in sw)))
    assert council["asye_count"] == User.objects.filter(employment_type="asye").count()
    assert council["staff_without_line_manager"] == 0


def test_council_stats_counts_staff_without_a_line_manager() -> None:
    run("generate_council", **SMALL, verbosity=0)
    worker = User.objects.get(email=demo_email(RoleCode.SOCIAL_WORKER))
    User.objects.filter(pk=worker.pk).update(line_manager=None)
    assert json.loads(run("council_stats"))["council"]["staff_without_line_manager"] == 1


def test_council_stats_takes_sections_from_other_apps() -> None:
    register_stats("test_section")(
        lambda council: {"council_name": council.name if council else ""}
    )
    try:
        run("generate_council", **SMALL, name="Statshire Council", verbosity=0)
        data = json.loads(run("council_stats"))
    finally:
        unregister_stats("test_section")
    assert data["test_section"] == {"council_name": "Statshire Council"}


def test_help_describes_the_scenarios() -> None:
    # Percent signs in the scenario descriptions once broke argparse's help.
    from django.core.management import load_command_class

    command = load_command_class("hearth.demo", "generate_council")
    help_text = command.create_parser("manage.py", "generate_council").format_help()
    assert "13% agency" in help_text
