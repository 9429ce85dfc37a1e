"""Benchmark: how long `find_matches` takes to search a large register of people on PostgreSQL.

Run from the repository root:  .venv/bin/python bench/person_search.py [--people 500000]
Creates a scratch database on the PostgreSQL server at 127.0.0.1:5432 (BENCH_POSTGRES_URL to
change it), migrates it, loads synthetic people (Faker en_GB, fixed seed: names with phonetic keys,
aliases and previous names, current and past addresses, NHS numbers, a few restricted records)
with COPY, runs ANALYZE, then times ~50 varied searches as a social worker would type them: exact,
misspelt, by alias, with the date of birth mistyped, by date of birth only, by postcode. Prints the
median and 95th percentile against the 300 ms target, and how often the person searched for came
first. Drops the database at the end. Prints figures; not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
TARGET_MS = 300
TODAY = dt.date(2025, 6, 30)

# Shares of the synthetic register.
CHILD_SHARE = 0.6  # the rest are the adults around them
NHS_SHARE = 0.7
OTHER_NAME_SHARE = 0.15  # an alias, previous or preferred name
PAST_ADDRESS_SHARE = 0.4
RESTRICTED_SHARE = 0.005


@dataclass
class Synthetic:
    """What the generator made for one person (kept in memory to build the searches)."""

    pk: int
    forename: str
    surname: str
    dob: dt.date
    nhs: str
    postcode: str
    other: tuple[str, str, str] | None  # (kind, forename, surname)


def nhs_numbers(rng: random.Random) -> Iterator[str]:
    """Valid NHS numbers in the 999 range (never issued to a real patient), none twice."""
    for stem in rng.sample(range(10**6), 10**6):
        digits = [9, 9, 9, *map(int, f"{stem:06d}")]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check != 10:
            yield "".join(map(str, digits)) + str(check % 11)


def copy_rows(model: Any, rows: Iterable[Any], batch: int = 50_000) -> int:
    """Insert unsaved model instances with PostgreSQL COPY: the values bulk_create would send,
    without its per-row SQL. Primary keys are given, so the sequence is moved on afterwards."""
    from django.db import connection

    fields = list(model._meta.concrete_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        iterator = iter(rows)
        while True:
            chunk = [next(iterator, None) for _ in range(batch)]
            chunk = [obj for obj in chunk if obj is not None]
            if not chunk:
                break
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for obj in chunk:
                    copy.write_row(
                        [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                    )
            count += len(chunk)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM "  # noqa: S608
            f"{table}))",
            [model._meta.db_table],
        )
    return count


def load(people: int, seed: int) -> list[Synthetic]:
    from faker import Faker
    from faker.providers.person.en_GB import Provider as names_en_gb

    from hearth.core.models import User
    from hearth.people.codes import AddressKind, NameKind, Sex
    from hearth.people.models import Address, Person, PersonName, RestrictedAccess
    from hearth.people.services import name_key

    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    # Faker's en_GB name lists, drawn with its weights (Smith is 3% of surnames: more common
    # than in life, so the name searches are harder here than in a council's register).
    surnames, surname_weights = list(names_en_gb.last_names), list(names_en_gb.last_names.values())
    female, male = list(names_en_gb.first_names_female), list(names_en_gb.first_names_male)
    postcodes = [fake.postcode() for _ in range(max(1000, people // 12))]
    streets = [fake.street_address() for _ in range(5000)]
    towns = [fake.city() for _ in range(300)]
    staff = User.objects.create_user(
        "bench@council.example", password=None, first_name="Bench", last_name="Worker"
    )

    unique_nhs = nhs_numbers(rng)
    made: list[Synthetic] = []
    for pk in range(1, people + 1):
        child = rng.random() < CHILD_SHARE
        sex = rng.choice((Sex.FEMALE, Sex.MALE))
        forename = rng.choice(female if sex == Sex.FEMALE else male)
        surname = rng.choices(surnames, surname_weights)[0]
        age_days = rng.randrange(18 * 365) if child else rng.randrange(18 * 365, 75 * 365)
        other = None
        if rng.random() < OTHER_NAME_SHARE:
            kind = rng.choice((NameKind.ALIAS, NameKind.PREVIOUS, NameKind.PREFERRED))
            other_surname = rng.choices(surnames, surname_weights)[0]
            other = {
                NameKind.ALIAS: (kind, rng.choice(female + male), other_surname),
                NameKind.PREVIOUS: (kind, forename, other_surname),
                NameKind.PREFERRED: (kind, forename[:3] if len(forename) > 4 else forename, ""),
            }[kind]
        made.append(
            Synthetic(
                pk=pk,
                forename=forename,
                surname=surname,
                dob=TODAY - dt.timedelta(days=age_days),
                nhs=next(unique_nhs) if rng.random() < NHS_SHARE else "",
                postcode=rng.choice(postcodes),
                other=other,
            )
        )
    restricted = {s.pk for s in made if rng.random() < RESTRICTED_SHARE}

    def persons() -> Iterator[Any]:
        for s in made:
            yield Person(
                pk=s.pk,
                child_id=f"B{s.pk:09d}",
                forename=s.forename,
                surname=s.surname,
                date_of_birth=s.dob,
                nhs_number=s.nhs,
                is_restricted=s.pk in restricted,
                restriction_reason="Relative of a member of staff" if s.pk in restricted else "",
            )

    def names() -> Iterator[Any]:
        pk = 0
        for s in made:
            rows: list[tuple[str, str, str]] = [(NameKind.LEGAL, s.forename, s.surname)]
            if s.other:
                rows.append(s.other)
            for kind, forename, surname in rows:
                pk += 1
                yield PersonName(
                    pk=pk,
                    person_id=s.pk,
                    kind=kind,
                    forename=forename,
                    surname=surname,
                    forename_key=name_key(forename),
                    surname_key=name_key(surname),
                )

    def addresses() -> Iterator[Any]:
        pk = 0
        for s in made:
            moved_in = s.dob + dt.timedelta(days=rng.randrange(max(1, (TODAY - s.dob).days)))
            past = []
            if rng.random() < PAST_ADDRESS_SHARE:
                start = s.dob
                past.append((rng.choice(postcodes), start, moved_in - dt.timedelta(days=1)))
                if start >= moved_in:
                    past = []
            for postcode, start, end in [*past, (s.postcode, moved_in, None)]:
                pk += 1
                yield Address(
                    pk=pk,
                    person_id=s.pk,
                    kind=AddressKind.HOME,
                    line_1=rng.choice(streets),
                    town=rng.choice(towns),
                    postcode=postcode,
                    start_date=start,
                    end_date=end,
                )

    started = time.perf_counter()
    counts = {
        "people": copy_rows(Person, persons()),
        "names": copy_rows(PersonName, names()),
        "addresses": copy_rows(Address, addresses()),
    }
    RestrictedAccess.objects.bulk_create(
        [RestrictedAccess(person_id=pk, user=staff) for pk in sorted(restricted)[:50]]
    )
    print(f"loaded {counts} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return made


def typo(rng: random.Random, name: str) -> str:
    """A plausible slip: two letters swapped, one dropped or one doubled."""
    if len(name) < 4:
        return name + name[-1]
    i = rng.randrange(1, len(name) - 2)
    return rng.choice(
        (
            name[:i] + name[i + 1] + name[i] + name[i + 2 :],
            name[:i] + name[i + 1 :],
            name[:i] + name[i] + name[i:],
        )
    )


def searches(made: list[Synthetic], seed: int) -> list[tuple[str, Any, int | None]]:
    """(kind, Candidate, the person sought or None) for ~50 varied searches."""
    from hearth.people.matching import Candidate, dob_typos

    rng = random.Random(seed + 1)
    sample = rng.sample(made, 400)
    with_nhs = [s for s in sample if s.nhs]
    with_other = [s for s in sample if s.other and s.other[2]]
    found: list[tuple[str, Any, int | None]] = []
    for s in sample[:10]:
        found.append(("exact", Candidate(s.forename, s.surname, s.dob, postcode=s.postcode), s.pk))
    for s in with_nhs[:5]:
        found.append(("nhs number", Candidate(nhs_number=s.nhs), s.pk))
    for s in with_nhs[5:8]:
        found.append(("nhs + name", Candidate(s.forename, s.surname, nhs_number=s.nhs), s.pk))
    for s in sample[10:20]:
        candidate = Candidate(typo(rng, s.forename), typo(rng, s.surname), s.dob)
        found.append(("typo in names", candidate, s.pk))
    for s in with_other[:5]:
        _, forename, surname = s.other  # type: ignore[misc]
        found.append(("alias or previous name", Candidate(forename, surname, s.dob), s.pk))
    for s in sample[20:28]:
        wrong = rng.choice(sorted(dob_typos(s.dob)))
        found.append(("mistyped dob", Candidate(s.forename, s.surname, wrong), s.pk))
    for s in sample[28:33]:
        found.append(("dob only", Candidate(date_of_birth=s.dob), s.pk))
    for s in sample[33:37]:
        found.append(
            ("postcode + surname", Candidate(surname=s.surname, postcode=s.postcode), s.pk)
        )
    for s in sample[37:40]:
        found.append(("postcode only", Candidate(postcode=s.postcode), None))
    for forename in ("John", "Sarah", "James"):
        found.append(("common name only", Candidate(forename, "Smith"), None))
    return found


def inner(people: int, seed: int) -> None:
    """Runs inside a configured Django process: load, analyse, search, report as JSON."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from hearth.core.models import Role
    from hearth.people.matching import _Query, _retrieve, find_matches

    made = load(people, seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    viewer = get_user_model().objects.get(email="bench@council.example")
    viewer.roles.set(Role.objects.filter(code="social_worker"))
    viewer = get_user_model().objects.get(pk=viewer.pk)

    plan = searches(made, seed)
    for _, candidate, _ in plan[:5]:  # warm the connection and caches
        find_matches(viewer, candidate)
    results = []
    for kind, candidate, sought in plan:
        started = time.perf_counter()
        matches = find_matches(viewer, candidate)
        ms = (time.perf_counter() - started) * 1000
        ids = [m.person.pk for m in matches]
        results.append(
            {
                "kind": kind,
                "ms": ms,
                "retrieved": len(set(_retrieve(_Query.of(candidate)))),
                "first": sought is not None and ids[:1] == [sought],
                "in_top_10": sought is not None and sought in ids,
                "sought": sought is not None,
            }
        )
    print(json.dumps(results))


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    sys.stderr.write(done.stderr)
    return done.stdout


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(results: list[dict[str, Any]], people: int) -> None:
    times = [r["ms"] for r in results]
    median, p95 = statistics.median(times), percentile(times, 0.95)
    print(f"find_matches over {people:,} people, {len(results)} searches (PostgreSQL):")
    print(
        f"{'search':<24}{'n':>3}{'median ms':>11}{'max ms':>9}{'retrieved':>11}"
        f"{'found 1st':>11}{'in top 10':>11}"
    )
    for kind in dict.fromkeys(r["kind"] for r in results):
        rows = [r for r in results if r["kind"] == kind]
        sought = [r for r in rows if r["sought"]]
        first = f"{sum(r['first'] for r in sought)}/{len(sought)}" if sought else "-"
        top = f"{sum(r['in_top_10'] for r in sought)}/{len(sought)}" if sought else "-"
        print(
            f"{kind:<24}{len(rows):>3}{statistics.median(r['ms'] for r in rows):>11.1f}"
            f"{max(r['ms'] for r in rows):>9.1f}{max(r['retrieved'] for r in rows):>11}"
            f"{first:>11}{top:>11}"
        )
    sought = [r for r in results if r["sought"]]
    print(
        f"found first {sum(r['first'] for r in sought)}/{len(sought)}, "
        f"in the top 10 {sum(r['in_top_10'] for r in sought)}/{len(sought)}; "
        f"most people retrieved for one search: {max(r['retrieved'] for r in results)}"
    )
    verdict = "meets" if p95 <= TARGET_MS else "misses"
    print(
        f"median {median:.1f} ms, 95th percentile {p95:.1f} ms: {verdict} the {TARGET_MS} ms target"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--keep", action="store_true", help="do not drop the database (to EXPLAIN)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.people, args.seed)
        return
    name = re.sub(r"\W", "_", f"hearth_bench_people_{os.getpid()}")
    env = {
        **os.environ,
        "DATABASE_URL": f"{POSTGRES}/{name}",
        "DJANGO_SETTINGS_MODULE": "hearth.config.settings.dev",
        "PYTHONPATH": str(ROOT / "src"),
    }
    psql(f"CREATE DATABASE {name}")
    try:
        run([str(ROOT / "manage.py"), "migrate", "--noinput", "--verbosity", "0"], env)
        out = run(
            [__file__, "--inner", "--people", str(args.people), "--seed", str(args.seed)], env
        )
        report(json.loads(out.strip().splitlines()[-1]), args.people)
    finally:
        if args.keep:
            print(f"kept database {name}")
        else:
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
