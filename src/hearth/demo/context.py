"""The state shared by the generation steps."""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from faker import Faker
from tqdm import tqdm

from hearth.core.models import Council, Team, TeamMembership, User

from .scenarios import Scenario

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")

BATCH_SIZE = 2000


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class GenerationContext:
    """Passed to every step. Steps read the parameters and what earlier steps made, and add to it.

    `rng` and `faker` are the only sources of randomness a step may use (never the `random` module's
    global state). Before each step the runner reseeds both from the seed and the step's name, so a
    step added later does not change what the earlier steps generate.
    """

    seed: int
    children: int
    years: int
    reference_date: dt.date
    scenario: Scenario
    council_name: str = ""
    show_progress: bool = False
    rng: random.Random = field(init=False)
    faker: Faker = field(init=False)

    council: Council | None = None
    teams: list[Team] = field(default_factory=list)
    # Current (active) staff, by role code and by the id of the one team they work in (service
    # managers, heads of service and the director are in no team); former staff are in
    # `former_staff`. Line managers are on the users (`User.line_manager`).
    staff_by_role: dict[str, list[User]] = field(default_factory=lambda: defaultdict(list))
    staff_by_team: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    former_staff: list[User] = field(default_factory=list)
    memberships: list[TeamMembership] = field(default_factory=list)
    demo_accounts: dict[str, User] = field(default_factory=dict)
    # Rows created, by model label ("core.user"), and figures for the end-of-run summary.
    counts: Counter[str] = field(default_factory=Counter)
    summary: dict[str, Any] = field(default_factory=dict)
    # What a step planned but did not store, for later steps ("<app>.<what>": value); e.g. the
    # front door's planned assessment dates, which the casework step records as assessments.
    handover: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.faker = Faker("en_GB")
        self.faker.seed_instance(self.seed)

    def reseed(self, stream: str) -> None:
        """Independent, reproducible random streams per step: seed + name."""
        self.rng = random.Random(f"{self.seed}:{stream}")
        self.faker.seed_instance(f"{self.seed}:{stream}")

    @property
    def history_start(self) -> dt.date:
        """The first day of the generated history (`years` before the reference date)."""
        return years_before(self.reference_date, self.years)

    def expected(self, rate_per_10k: float) -> float:
        """The council's expected count for a national rate per 10,000 children."""
        return self.children * rate_per_10k / 10_000

    def teams_in(self, service_area: str) -> list[Team]:
        return [t for t in self.teams if t.service_area == service_area]

    def progress(
        self, iterable: Iterable[T], *, desc: str, total: int | None = None, unit: str = "rows"
    ) -> Iterator[T]:
        """A progress bar on stderr; hidden with --verbosity 0 and when stderr is not a terminal."""
        if not self.show_progress:
            return iter(iterable)
        bar = tqdm(
            iterable, desc=desc, total=total, unit=unit, file=sys.stderr, leave=False, disable=None
        )
        return iter(bar)

    def bulk_create(
        self, objs: Sequence[M], *, desc: str = "", batch_size: int = BATCH_SIZE
    ) -> list[M]:
        """Insert in batches (with a progress bar for big inserts) and count the rows."""
        if not objs:
            return []
        model = type(objs[0])
        created: list[M] = []
        batches: Iterable[int] = range(0, len(objs), batch_size)
        if len(objs) > batch_size:
            batches = self.progress(
                batches,
                desc=desc or str(model._meta.verbose_name_plural).capitalize(),
                total=math.ceil(len(objs) / batch_size),
                unit="batch",
            )
        for start in batches:
            created.extend(model._default_manager.bulk_create(objs[start : start + batch_size]))
        self.counts[model._meta.label_lower] += len(created)
        return created
