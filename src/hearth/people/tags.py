"""The tags in a child's identity banner (child in need, child protection, child in care, care
leaver…), each a database condition registered by the app that owns the record behind it.

An app puts a module named `person_tags.py` beside its models::

    from hearth.people.tags import PersonTag, register_person_tag

    register_person_tag(PersonTag("cin", "Child in need", "blue", order=10, matches=open_episode))

`matches(OuterRef("pk"))` returns an `Exists(...)` true for the child. All tags for one child cost
one query, however many apps register them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from .models import Person

PersonCondition = Callable[[OuterRef], Exists]


@dataclass(frozen=True)
class PersonTag:
    code: str
    label: str
    colour: str  # a GOV.UK tag colour
    order: int
    matches: PersonCondition


_registry: dict[str, PersonTag] = {}


def register_person_tag(tag: PersonTag) -> None:
    _registry[tag.code] = tag


def registered_tags() -> list[PersonTag]:
    autodiscover_modules("person_tags")
    return sorted(_registry.values(), key=lambda t: (t.order, t.code))


def tags_for(person: Person) -> list[PersonTag]:
    """The registered tags that apply to the person now (one query), then the record's own."""
    from .models import Person

    tags = registered_tags()
    found: list[PersonTag] = []
    if tags:
        row = (
            Person.objects.filter(pk=person.pk)
            .annotate(**{f"tag_{i}": t.matches(OuterRef("pk")) for i, t in enumerate(tags)})
            .values(*[f"tag_{i}" for i in range(len(tags))])
            .first()
        )
        if row:
            found = [t for i, t in enumerate(tags) if row[f"tag_{i}"]]
    return found


# Warnings shown in the banner on every tab (an exploitation risk not assessed, for example):
# a function of the person returning short sentences, registered from `person_tags.py` too.
BannerWarning = Callable[["Person"], list[str]]
_warnings: dict[str, BannerWarning] = {}


def register_banner_warning(name: str) -> Callable[[BannerWarning], BannerWarning]:
    def decorator(function: BannerWarning) -> BannerWarning:
        _warnings[name] = function
        return function

    return decorator


def banner_warnings(person: Person) -> list[str]:
    autodiscover_modules("person_tags")
    return [text for _, fn in sorted(_warnings.items()) for text in fn(person)]
