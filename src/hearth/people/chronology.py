"""One timeline per child, built from every app that records something significant about them.

An app puts a module named `chronology.py` beside its models and registers a source there::

    from hearth.people.chronology import Entry, register_chronology_source

    @register_chronology_source("allocation", "Allocations")
    def allocations(person: Person, viewer: User) -> Iterable[Entry]:
        for a in person.allocations.select_related("worker"):
            yield Entry(on=a.start_date, kind="allocation", title=..., detail=..., url=...)

A source gets a person the viewer may already see and yields entries (one or two queries each).
New kinds of record appear in the chronology by registering a source; this module does not change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from hearth.core.models import User

    from .models import Person


@dataclass(frozen=True)
class Entry:
    on: dt.date
    kind: str  # the registered source's name
    title: str
    detail: str = ""
    url: str = ""
    significant: bool = False
    at: dt.datetime | None = None  # when the time of day is known
    by: str = ""  # who recorded it or did it


SourceFunction = Callable[["Person", "User"], Iterable[Entry]]


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    function: SourceFunction


_registry: dict[str, Source] = {}


def register_chronology_source(kind: str, label: str) -> Callable[[SourceFunction], SourceFunction]:
    def decorator(function: SourceFunction) -> SourceFunction:
        _registry[kind] = Source(kind=kind, label=label, function=function)
        return function

    return decorator


def registered_sources() -> list[Source]:
    autodiscover_modules("chronology")
    return sorted(_registry.values(), key=lambda s: s.label)


def chronology_for(
    person: Person,
    viewer: User,
    *,
    kinds: Iterable[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    significant_only: bool = False,
) -> list[Entry]:
    """Every entry for the person, newest first, filtered by kind, date and significance."""
    wanted = set(kinds)
    entries: list[Entry] = []
    for source in registered_sources():
        if wanted and source.kind not in wanted:
            continue
        for entry in source.function(person, viewer):
            if (since and entry.on < since) or (until and entry.on > until):
                continue
            if significant_only and not entry.significant:
                continue
            entries.append(entry)
    # Same-day entries with a time sort by it; undated-time entries keep their source order.
    entries.sort(key=lambda e: (e.on, e.at.timestamp() if e.at else 0.0), reverse=True)
    return entries
