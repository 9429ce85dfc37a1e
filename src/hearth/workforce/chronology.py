from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person

from .codes import CaseRole
from .models import Allocation


@register_chronology_source("allocation", "Allocations")
def allocations(person: Person, viewer: User) -> Iterable[Entry]:
    url = reverse("workforce:child", args=[person.pk])
    for a in Allocation.objects.filter(person=person).select_related("worker", "team"):
        lead = a.role == CaseRole.LEAD_SOCIAL_WORKER
        yield Entry(
            on=a.start_date,
            kind="allocation",
            title=f"{a.worker.full_name} became {a.get_role_display().lower()}",
            detail=f"{a.get_reason_display()}" + (f". Team: {a.team.name}" if a.team else ""),
            url=url,
            significant=lead,
        )
        if a.end_date:
            yield Entry(
                on=a.end_date,
                kind="allocation",
                title=f"{a.worker.full_name} stopped being {a.get_role_display().lower()}",
                detail=a.get_end_reason_display(),
                url=url,
            )
