"""Benchmark: generate councils of 80,000 and 300,000 children into fresh SQLite databases.

Run from the repository root:  .venv/bin/python bench/generate_council.py [--sizes 80000 300000]
Prints the seconds each step took and the rows created. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [*MANAGE, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return seconds, done.stdout


def bench(children: int, *, seed: int, years: int, scenario: str, workdir: Path) -> dict[str, Any]:
    db = workdir / f"council-{children}.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "hearth.config.settings.dev"
        ),
    }
    migrate_s, _ = run(["migrate", "--noinput", "--verbosity", "0"], env)
    before = json.loads(run(["council_stats"], env)[1])["counts"]
    generate_s, _ = run(
        [
            "generate_council",
            "--seed", str(seed),
            "--children", str(children),
            "--years", str(years),
            "--scenario", scenario,
            "--verbosity", "0",
        ],
        env,
    )  # fmt: skip
    after = json.loads(run(["council_stats"], env)[1])
    created = {k: n - before.get(k, 0) for k, n in after["counts"].items() if n != before.get(k, 0)}
    return {
        "children": children,
        "migrate_seconds": round(migrate_s, 2),
        "generate_seconds": round(generate_s, 2),
        "rows_created": sum(created.values()),
        "rows_by_model": created,
        "database_mb": round(db.stat().st_size / 1e6, 1),
        "staff_active": after["council"]["staff_active"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[80_000, 300_000])
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--scenario", default="typical")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        for children in args.sizes:
            result = bench(
                children,
                seed=args.seed,
                years=args.years,
                scenario=args.scenario,
                workdir=Path(tmp),
            )
            print(
                f"{children:>9,} children: generate_council {result['generate_seconds']:.2f}s"
                f" (migrate {result['migrate_seconds']:.2f}s), {result['rows_created']:,} rows,"
                f" {result['staff_active']:,} staff in post, {result['database_mb']} MB"
            )
            for label, n in sorted(result["rows_by_model"].items()):
                print(f"    {label:<28} {n:>10,}")


if __name__ == "__main__":
    main()
