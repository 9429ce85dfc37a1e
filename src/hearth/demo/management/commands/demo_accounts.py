from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ...accounts import demo_accounts, format_demo_accounts


class Command(BaseCommand):
    help = "Print the demo sign-in accounts (one per role) and their shared password."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = demo_accounts()
        if not accounts:
            raise CommandError(
                "There are no demo accounts in this database. Create a synthetic council first:"
                " manage.py generate_council --seed 2018 --children 80000"
            )
        self.stdout.write(format_demo_accounts(accounts))
