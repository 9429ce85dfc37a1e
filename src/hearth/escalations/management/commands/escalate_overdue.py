"""Move every escalation whose current stage is past its deadline up one stage (run every 15
minutes from cron): `manage.py escalate_overdue`. Idempotent; prints what rose."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from hearth.escalations.services import escalations_rise_overdue


class Command(BaseCommand):
    help = "Move escalations not answered in time up to the next stage, and tell who needs to know."

    def handle(self, *args: Any, **options: Any) -> None:
        risen = escalations_rise_overdue(now=timezone.now())
        for escalation in risen:
            self.stdout.write(
                f"{escalation.reference} rose to the {escalation.get_stage_display().lower()} "
                f"stage: {escalation.owner.full_name}, due "
                f"{escalation.stages.get(stage=escalation.stage).due_on.isoformat()}"
            )
        self.stdout.write(
            f"{len(risen)} escalation{'' if len(risen) == 1 else 's'} rose"
            if risen
            else "No escalation was overdue"
        )
