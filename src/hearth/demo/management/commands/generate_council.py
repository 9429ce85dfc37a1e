from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.core.choices import RoleCode

from ...accounts import demo_accounts, format_demo_accounts
from ...generator import DEFAULT_YEARS, GenerationError, GenerationResult, generate_council
from ...scenarios import DEFAULT_SCENARIO, SCENARIOS


class Command(BaseCommand):
    help = (
        "Generate a synthetic council (staff, teams, demo sign-in accounts and whatever the"
        " registered steps add) into a fresh database. The same seed, size, scenario and reference"
        " date always give the same records."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, required=True, help="Random seed (an integer)")
        parser.add_argument(
            "--children",
            type=int,
            required=True,
            help="The council's population aged 0 to 17 (1,000 to 2,000,000)",
        )
        parser.add_argument(
            "--years",
            type=int,
            default=DEFAULT_YEARS,
            help=f"Years of history before the reference date (1 to 10, default {DEFAULT_YEARS})",
        )
        parser.add_argument(
            "--scenario",
            default=DEFAULT_SCENARIO,
            help="; ".join(f"{s.name}: {s.description}" for s in SCENARIOS.values()).replace(
                "%", "%%"
            ),
        )
        parser.add_argument(
            "--reference-date",
            help="The 'today' of the generated data, YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--name", default="", help="Council name (default: a generated one)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = generate_council(
                seed=options["seed"],
                children=options["children"],
                years=options["years"],
                scenario=options["scenario"],
                reference_date=options["reference_date"],
                name=options["name"],
                show_progress=options["verbosity"] > 0,
            )
        except GenerationError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] > 0:
            self.stdout.write(self._summary(result))

    def _summary(self, result: GenerationResult) -> str:
        council, s = result.council, result.summary
        ctx = result.context
        assert ctx is not None
        staff = len(
            {
                user.pk
                for code, users in ctx.staff_by_role.items()
                if code != RoleCode.PARTNER_AGENCY
                for user in users
            }
        )
        lines = [
            self.style.SUCCESS(
                f"Generated {council.name} (LA code {council.la_code}) in {result.seconds:.1f}s"
            ),
            f"  Children aged 0-17      {council.population_0_17:,}",
            f"  Scenario                {ctx.scenario.name}: {ctx.scenario.description}",
            f"  Seed                    {council.generator_seed}",
            f"  Reference date          {council.reference_date} ({ctx.years} years of history)",
            f"  Teams                   {len(ctx.teams)}",
            f"  Staff in post           {staff:,} (and {len(ctx.former_staff):,} who have left)",
            f"  Social worker FTE       {s.get('case_holding_fte', 0):,.1f} case-holding;"
            f" {s.get('social_worker_vacancies_fte', 0):,.1f} FTE vacancies",
            f"  Modelled caseload       {s.get('modelled_caseload', 0)} children in need per"
            f" case-holding FTE ({s.get('modelled_children_in_need', 0):,} children in need)",
            "",
            "Rows created:",
            *(f"  {label:<30} {n:>10,}" for label, n in result.counts.items()),
            "",
            format_demo_accounts(demo_accounts()),
            "",
        ]
        return "\n".join(lines)
