from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ...stats import stats_json


class Command(BaseCommand):
    help = (
        "Print figures about the council in the database as JSON: rows per model and key"
        " workforce figures (identical for two generations with the same seed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(stats_json())
