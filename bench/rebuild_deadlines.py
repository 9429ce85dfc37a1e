"""Benchmark: how many deadlines a second `rebuild_deadlines` derives, on SQLite and PostgreSQL.

Run from the repository root:  .venv/bin/python bench/rebuild_deadlines.py [--children 80000]
For each database it generates a council (staff and their supervision history), adds synthetic
child timelines at the council's national rates (referrals, assessments, child protection, care,
visits, reviews, missing episodes), then times `manage.py rebuild_deadlines`. PostgreSQL is at
127.0.0.1:5432 unless BENCH_POSTGRES_URL says otherwise; a scratch database is created and dropped.
Prints figures; not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")

# Per 10,000 children a year (domain.md §2.1, rounded): referrals, and the share of referrals
# that go on to each stage.
REFERRALS_PER_10K = 500
S47_SHARE, ICPC_SHARE_OF_S47, CIN_PLAN_SHARE, CARE_SHARE = 0.33, 0.40, 0.25, 0.06


def child_timelines(
    rng: random.Random, subjects: int, start: dt.date, end: dt.date
) -> Iterator[tuple[int, str, dt.date | dt.datetime]]:
    """(child, event, when) for synthetic children: each referred once in the window."""
    span = (end - start).days

    def later(day: dt.date, low: int, high: int) -> dt.date:
        return day + dt.timedelta(days=rng.randint(low, high))

    def visits(
        child: int, name: str, first: dt.date, until: dt.date, low: int, high: int
    ) -> Iterator[tuple[int, str, dt.date]]:
        day = later(first, 0, 5)
        while day < until:
            yield child, name, day
            day = later(day, low, high)

    for child in range(1, subjects + 1):
        referral = start + dt.timedelta(days=rng.randrange(span))
        yield child, "referral", referral
        yield child, "referral-decision", later(referral, 0, 2)
        if rng.random() < 0.1:
            yield child, "referral-nfa", later(referral, 0, 2)
            continue
        yield child, "assessment-completed", later(referral, 20, 75)
        if rng.random() < S47_SHARE:
            strategy = later(referral, 0, 3)
            yield child, "significant-harm-concern", referral
            yield child, "strategy-discussion", strategy
            yield child, "strategy-discussion-s47", strategy
            if rng.random() < ICPC_SHARE_OF_S47:
                icpc = later(strategy, 14, 28)
                plan_end = min(later(icpc, 120, 600), end)
                yield child, "icpc", icpc
                yield child, "cp-plan-start", icpc
                yield from visits(child, "core-group", later(icpc, 7, 16), plan_end, 28, 50)
                yield from visits(child, "cp-visit", icpc, plan_end, 8, 18)
                yield from visits(child, "rcpc", later(icpc, 80, 95), plan_end, 150, 190)
                if plan_end < end:
                    yield child, "cp-plan-end", plan_end
            else:
                yield child, "icpc-not-required", later(strategy, 5, 12)
        if rng.random() < CIN_PLAN_SHARE:
            plan = later(referral, 30, 60)
            plan_end = min(later(plan, 90, 400), end)
            yield child, "cin-plan-start", plan
            yield from visits(child, "cin-visit", plan, plan_end, 15, 35)
            yield from visits(child, "cin-review", later(plan, 80, 100), plan_end, 80, 110)
            if plan_end < end:
                yield child, "cin-plan-end", plan_end
        if rng.random() < CARE_SHARE:
            entered = later(referral, 10, 120)
            yield child, "birth", entered - dt.timedelta(days=rng.randint(0, 17 * 365))
            yield child, "became-looked-after", entered
            placement = entered
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                yield child, "placement-start", placement
                yield child, "placement-plan", later(placement, 0, 9)
                placement = later(placement, 60, 400)
            yield child, "care-plan", later(entered, 0, 15)
            yield from visits(child, "cla-visit", entered, end, 25, 50)
            yield from visits(child, "cla-review", later(entered, 15, 30), end, 85, 185)
            yield from visits(child, "health-assessment", later(entered, 10, 35), end, 170, 370)
            yield from visits(child, "pep", later(entered, 5, 20), end, 80, 130)
            yield child, "permanence-plan", later(entered, 60, 150)
            if rng.random() < 0.3:
                back = dt.datetime.combine(later(entered, 10, 300), dt.time(rng.randint(0, 23)))
                yield child, "missing-return", back.replace(tzinfo=dt.UTC)
                yield (
                    child,
                    "rhi-offered",
                    (back + dt.timedelta(hours=rng.randint(10, 110))).replace(tzinfo=dt.UTC),
                )


def inner(children: int, seed: int, years: int) -> None:
    """Runs inside a configured Django process: add the timelines, then time the rebuild."""
    import django

    django.setup()
    from hearth.core.models import Council
    from hearth.timescales.models import ClockEvent, Deadline
    from hearth.timescales.services import all_subjects, rebuild_deadlines

    council = Council.objects.get()
    end = council.reference_date
    start = end - dt.timedelta(days=365 * years)
    subjects = round(children * REFERRALS_PER_10K / 10_000 * years)
    rows = []
    for child, name, when in child_timelines(random.Random(seed), subjects, start, end):
        is_time = isinstance(when, dt.datetime)
        rows.append(
            ClockEvent(
                subject_type="child",
                subject_id=child,
                name=name,
                occurred_on=when.date() if is_time else when,  # type: ignore[union-attr]
                occurred_at=when if is_time else None,
            )
        )
    ClockEvent.objects.bulk_create(rows, batch_size=5000)
    Deadline.objects.all().delete()
    started = time.perf_counter()
    counted_subjects, deadlines = rebuild_deadlines()
    seconds = time.perf_counter() - started
    assert counted_subjects == len(all_subjects())
    print(
        json.dumps(
            {
                "subjects": counted_subjects,
                "events": ClockEvent.objects.count(),
                "deadlines": deadlines,
                "seconds": round(seconds, 2),
                "per_second": round(deadlines / seconds),
            }
        )
    )


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def bench(database_url: str, args: argparse.Namespace) -> dict[str, float]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "hearth.config.settings.dev",
        "PYTHONPATH": str(ROOT / "src"),
    }
    manage = str(ROOT / "manage.py")
    run([manage, "migrate", "--noinput", "--verbosity", "0"], env)
    run(
        [manage, "generate_council", "--seed", str(args.seed), "--children", str(args.children),
         "--years", str(args.years), "--verbosity", "0"],
        env,
    )  # fmt: skip
    out = run(
        [__file__, "--inner", "--children", str(args.children), "--seed", str(args.seed),
         "--years", str(args.years)],
        env,
    )  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=80_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.children, args.seed, args.years)
        return
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        for database in args.databases:
            if database == "sqlite":
                result = bench(f"sqlite:///{tmp}/bench.sqlite3", args)
            else:
                name = re.sub(r"\W", "_", f"hearth_bench_{os.getpid()}")
                psql(f"CREATE DATABASE {name}")
                try:
                    result = bench(f"{POSTGRES}/{name}", args)
                finally:
                    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            print(
                f"{database:<9} {args.children:,} children, {args.years} years: "
                f"{result['deadlines']:,} deadlines for {result['subjects']:,} subjects "
                f"({result['events']:,} events) in {result['seconds']:.1f} s = "
                f"{result['per_second']:,.0f} deadlines a second"
            )


if __name__ == "__main__":
    main()
