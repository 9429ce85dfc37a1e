from __future__ import annotations

from django.db.models import Exists, OuterRef

from hearth.people.tags import PersonTag, register_person_tag

from .models import ChildInNeedEpisode


def _open_episode(person_ref: OuterRef) -> Exists:
    return Exists(
        ChildInNeedEpisode.objects.filter(person_id=person_ref, closure_date__isnull=True)
    )


register_person_tag(PersonTag("cin", "Child in need", "blue", order=10, matches=_open_episode))
