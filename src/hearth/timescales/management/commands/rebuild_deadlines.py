"""Rebuild every deadline from the clock events. Safe to run at any time, as often as wanted."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from hearth.timescales.services import all_subjects, rebuild_deadlines


class Command(BaseCommand):
    help = "Re-derive every deadline from the recorded events (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        total = len(all_subjects())
        with tqdm(
            total=total,
            unit="subject",
            desc="Deriving deadlines",
            disable=options["no_progress"],
            file=sys.stderr,
        ) as bar:
            subjects, deadlines = rebuild_deadlines(
                batch_size=options["batch_size"], progress=bar.update
            )
        elapsed = time.perf_counter() - started
        rate = deadlines / elapsed if elapsed else 0.0
        self.stdout.write(
            f"Rebuilt {deadlines} deadlines for {subjects} subjects in {elapsed:.1f} s "
            f"({rate:,.0f} deadlines a second)"
        )
