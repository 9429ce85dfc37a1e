"""Benchmark: the manager's home page on large generated councils (PostgreSQL).

Run from the repository root:
    .venv/bin/python bench/manager_page.py [--sizes 20000 300000] [--scenario struggling]

For each size: creates a scratch PostgreSQL database (127.0.0.1:5432; BENCH_POSTGRES_URL to
change it), migrates it, generates a council with 3 years of history, runs ANALYZE, then signs in
as a team manager, a service manager and the director and requests the home page 10 times each
(after one warm-up), printing the median and slowest time and the number of queries. The query
count must be the same at every size: it must not grow with the data. Drops the databases at the
end. Prints figures; not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
ROLES = ("team_manager", "service_manager", "director")
REPEATS = 10


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def inner() -> None:
    """Inside the scratch database: time the page for each role; print JSON."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hearth.core.models import User
    from hearth.demo.accounts import demo_email

    results: dict[str, Any] = {}
    for role in ROLES:
        user = User.objects.get(email=demo_email(role))
        client = Client()
        client.force_login(user)
        client.get("/", HTTP_HOST="localhost")  # warm-up: templates, caches
        times = []
        queries = 0
        for _ in range(REPEATS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get("/", HTTP_HOST="localhost")
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            queries = len(captured)
        results[role] = {
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "queries": queries,
        }
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 300_000])
    parser.add_argument("--scenario", default="struggling")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner()
        return
    rows = []
    for size in args.sizes:
        name = re.sub(r"\W", "_", f"hearth_bench_home_{size}_{os.getpid()}")
        env = {
            **os.environ,
            "DATABASE_URL": f"{POSTGRES}/{name}",
            "DJANGO_SETTINGS_MODULE": "hearth.config.settings.dev",
            "PYTHONPATH": str(ROOT / "src"),
        }
        psql(f"CREATE DATABASE {name}")
        try:
            manage = str(ROOT / "manage.py")
            run([manage, "migrate", "--noinput", "--verbosity", "0"], env)
            started = time.perf_counter()
            run(
                [
                    manage,
                    "generate_council",
                    "--seed",
                    str(args.seed),
                    "--children",
                    str(size),
                    "--years",
                    "3",
                    "--scenario",
                    args.scenario,
                    "--verbosity",
                    "0",
                ],
                env,
            )
            generated = time.perf_counter() - started
            run([manage, "dbshell", "--", "-c", "ANALYZE"], env)
            figures = json.loads(run([__file__, "--inner"], env).strip().splitlines()[-1])
            rows.append((size, generated, figures))
        finally:
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(f"Manager's home page, scenario {args.scenario}, PostgreSQL, {REPEATS} requests each:")
    header = f"{'children':>9} {'generated s':>12} {'role':<16}"
    print(header + f"{'median ms':>10}{'max ms':>9}{'queries':>9}")
    for size, generated, figures in rows:
        for role, f in figures.items():
            print(
                f"{size:>9,} {generated:>12.0f} {role:<16}{f['median_ms']:>10}{f['max_ms']:>9}"
                f"{f['queries']:>9}"
            )
    counts = {role: {f[role]["queries"] for _, _, f in rows} for role in ROLES}
    same = all(len(c) == 1 for c in counts.values())
    print("query count the same at every size:", "yes" if same else f"NO {counts}")


if __name__ == "__main__":
    main()
