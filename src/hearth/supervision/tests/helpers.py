"""Helpers for supervision tests: allocations and sessions recorded through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hearth.core.models import Team, User
from hearth.people.models import Person
from hearth.supervision import services
from hearth.supervision.models import SupervisionSession
from hearth.workforce.models import Allocation

REASONS = (
    "The child is seen every week, school report better attendance and the parents are working "
    "with the plan."
)
WELLBEING_NOTES = "Finding the court work exhausting; time off in lieu agreed."
REFLECTION = "Reflected on keeping the child in focus during hostile visits."


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@dataclass
class Service:
    head: User
    manager: User
    worker: User
    peer: User
    senior: User
    other_manager: User
    team: Team
    other_team: Team
    child: Person
    other_child: Person


def allocate(child: Person, worker: User, team: Team | None = None, **fields: Any) -> Allocation:
    values: dict[str, Any] = {"start_date": days_ago(60), "reason": "FCONTA"}
    values.update(fields)
    return Allocation.objects.create(person=child, role="lead", worker=worker, team=team, **values)


def held(actor: User, worker: User, on: dt.date | None = None, **fields: Any) -> SupervisionSession:
    """A session that was held, with a reflective discussion and a wellbeing check."""
    values: dict[str, Any] = {
        "supervisor": actor,
        "session_date": on or days_ago(10),
        "status": "attended",
        "reflective_discussion": REFLECTION,
        "wellbeing_rating": 2,
        "wellbeing_notes": WELLBEING_NOTES,
    }
    values.update(fields)
    return services.session_record(actor=actor, worker=worker, **values)


def cancelled(
    actor: User, worker: User, on: dt.date | None = None, **fields: Any
) -> SupervisionSession:
    values: dict[str, Any] = {
        "supervisor": actor,
        "session_date": on or days_ago(10),
        "status": "cancelled",
        "cancellation_reason": "urgent_casework",
    }
    values.update(fields)
    return services.session_record(actor=actor, worker=worker, **values)
