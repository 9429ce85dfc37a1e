"""This app's section of `manage.py council_stats`: the people known to children's social care."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from hearth.core.models import Council
from hearth.demo.context import years_before
from hearth.demo.stats import register_stats

from .codes import NameKind
from .models import Address, FamilyGroup, Person, PersonName, Relationship


def _children(reference_date: dt.date) -> Q:
    """Under 18 at the reference date, or not yet born."""
    return Q(date_of_birth__gt=years_before(reference_date, 18)) | Q(
        date_of_birth__isnull=True, expected_date_of_birth__isnull=False
    )


@register_stats("people")
def people_figures(council: Council | None) -> dict[str, Any]:
    day = council.reference_date if council and council.reference_date else timezone.localdate()
    people = Person.objects.live()
    total = people.count()
    children = people.filter(_children(day))
    child_count = children.count()
    relationships = Relationship.objects.count()
    ethnicity = dict(
        children.order_by()
        .values_list("ethnicity")
        .annotate(n=Count("pk"))
        .values_list("ethnicity", "n")
    )
    per_10k = 10_000 / council.population_0_17 if council and council.population_0_17 else 0
    return {
        "people": total,
        "children": child_count,
        "adults": total - child_count,
        "children_per_10k": round(child_count * per_10k, 1),
        "unborn": people.filter(
            date_of_birth__isnull=True, expected_date_of_birth__isnull=False
        ).count(),
        "relationships": relationships,
        "relationships_without_inverse": Relationship.objects.filter(inverse__isnull=True).count(),
        "families": FamilyGroup.objects.count(),
        "addresses": Address.objects.count(),
        "other_names": PersonName.objects.exclude(kind=NameKind.LEGAL).count(),
        "with_nhs_number": people.exclude(nhs_number="").count(),
        "children_with_upn": children.exclude(upn="").count(),
        "restricted": people.filter(is_restricted=True).count(),
        "children_by_ethnicity": dict(sorted(ethnicity.items())),
    }
