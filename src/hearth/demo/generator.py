"""Run the generation steps for one synthetic council, in one transaction, with one audit event."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import Council, User

from .context import GenerationContext
from .scenarios import DEFAULT_SCENARIO, SCENARIOS, Scenario
from .steps import registered_steps

MIN_CHILDREN = 1_000
MAX_CHILDREN = 2_000_000
MIN_YEARS = 1
MAX_YEARS = 10
DEFAULT_YEARS = 3


class GenerationError(Exception):
    """Bad arguments, or a database that already holds a council."""


@dataclass
class GenerationResult:
    council: Council
    counts: dict[str, int]
    summary: dict[str, Any]
    demo_accounts: dict[str, User]
    steps: list[str]
    seconds: float = 0.0
    context: GenerationContext | None = field(default=None, repr=False)


def validate_options(
    *, children: int, years: int, scenario: str, reference_date: dt.date | str | None
) -> tuple[Scenario, dt.date]:
    if not MIN_CHILDREN <= children <= MAX_CHILDREN:
        raise GenerationError(
            f"--children must be between {MIN_CHILDREN:,} and {MAX_CHILDREN:,} (the council's"
            f" population aged 0 to 17); got {children:,}"
        )
    if not MIN_YEARS <= years <= MAX_YEARS:
        raise GenerationError(f"--years must be between {MIN_YEARS} and {MAX_YEARS}; got {years}")
    if scenario not in SCENARIOS:
        raise GenerationError(
            f"Unknown scenario {scenario!r}. Choose one of: {', '.join(SCENARIOS)}"
        )
    if reference_date is None:
        day = timezone.localdate()
    elif isinstance(reference_date, dt.date):
        day = reference_date
    else:
        try:
            day = dt.date.fromisoformat(reference_date)
        except ValueError as exc:
            raise GenerationError(
                f"--reference-date must be a date in the form YYYY-MM-DD; got {reference_date!r}"
            ) from exc
    return SCENARIOS[scenario], day


def generate_council(
    *,
    seed: int,
    children: int,
    years: int = DEFAULT_YEARS,
    scenario: str = DEFAULT_SCENARIO,
    reference_date: dt.date | str | None = None,
    name: str = "",
    show_progress: bool = False,
    up_to_order: int | None = None,
) -> GenerationResult:
    """Generate a whole council into an empty database. Nothing is written if any step fails.

    `up_to_order` stops after the steps of that order (99: the workforce without children), for
    tests that only look at earlier steps.
    """
    if not settings.HEARTH_ALLOW_SYNTHETIC_DATA:
        raise GenerationError(
            "Synthetic data (with published demo passwords) is refused in this deployment. Set"
            " HEARTH_ALLOW_SYNTHETIC_DATA=1 only on a demonstration or training server."
        )
    params, day = validate_options(
        children=children, years=years, scenario=scenario, reference_date=reference_date
    )
    name = name.strip()
    if len(name) > Council._meta.get_field("name").max_length:  # type: ignore[operator]
        raise GenerationError("--name must be at most 150 characters")
    started = time.perf_counter()
    with transaction.atomic():
        existing = Council.objects.first()
        if existing is not None:
            raise GenerationError(
                f"This database already holds a council ({existing.name}). generate_council"
                " only writes to a fresh database: point DATABASE_URL at a new one and run"
                " migrate first."
            )
        ctx = GenerationContext(
            seed=seed,
            children=children,
            years=years,
            reference_date=day,
            scenario=params,
            council_name=name,
            show_progress=show_progress,
        )
        steps = [
            step for step in registered_steps() if up_to_order is None or step.order <= up_to_order
        ]
        for step in ctx.progress(steps, desc="Generating council", unit="step"):
            ctx.reseed(step.name)
            step.function(ctx)
        council = ctx.council
        if council is None:
            raise GenerationError("No step created the council")  # pragma: no cover
        created = ", ".join(f"{n:,} {label}" for label, n in sorted(ctx.counts.items()))
        audit.record(
            actor=None,
            action=AuditAction.GENERATE,
            object_type="core.council",
            object_id=str(council.pk),
            object_label=council.name,
            detail=(
                f"Synthetic council: seed {seed}, scenario {params.name}, {children:,} children,"
                f" reference date {day.isoformat()}, {years} years of history. Created {created}."
            ),
        )
        ctx.counts["core.auditevent"] += 1
    return GenerationResult(
        council=council,
        counts=dict(sorted(ctx.counts.items())),
        summary=ctx.summary,
        demo_accounts=ctx.demo_accounts,
        steps=[s.name for s in steps],
        seconds=time.perf_counter() - started,
        context=ctx,
    )
