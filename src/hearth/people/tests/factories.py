"""Synthetic children and episodes for tests in any app (never real people)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from hearth.casework.models import ChildInNeedEpisode
from hearth.people.models import Person
from hearth.people.services import person_create

_names = itertools.cycle(["Ava", "Noah", "Mia", "Leo", "Isla", "Theo", "Ivy", "Arlo", "Evie"])


def make_child(**data: Any) -> Person:
    """A child's record through the real service (a fresh child ID, the legal name row)."""
    values: dict[str, Any] = {
        "forename": next(_names),
        "surname": "Testchild",
        "date_of_birth": dt.date(2016, 3, 4),
    }
    values.update(data)
    return person_create(actor=None, data=values)


def open_cin_episode(
    person: Person, referral_date: dt.date = dt.date(2026, 10, 1), **fields: Any
) -> ChildInNeedEpisode:
    """An open child-in-need episode, as a referral decision at the front door would open it."""
    values: dict[str, Any] = {"referral_source": "6", "primary_need": "N1"}
    values.update(fields)
    return ChildInNeedEpisode.objects.create(person=person, referral_date=referral_date, **values)
