"""Reads for casework: each scoped to what the viewer may see, with a bounded number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from hearth.core.models import Team, User
from hearth.people.models import Person

from .models import Assessment, AssessmentFactorIdentified, ChildInNeedEpisode
from .policies import assessments_visible_to


def episodes_for_person(person: Person, *, pk: int | None = None) -> list[ChildInNeedEpisode]:
    """The child's episodes (or the one with `pk`), newest first, each with its assessments and
    their factors (three queries). The caller has fetched the person through `person_for`."""
    assessments = Assessment.objects.select_related("worker", "authorised_by").prefetch_related(
        Prefetch("factors", queryset=AssessmentFactorIdentified.objects.order_by("pk"))
    )
    episodes = person.cin_episodes.all() if pk is None else person.cin_episodes.filter(pk=pk)
    return list(
        episodes.select_related("referral_team", "referral_worker", "closed_by")
        .prefetch_related(Prefetch("assessments", queryset=assessments))
        .order_by("-referral_date", "-pk")
    )


def awaiting_authorisation(viewer: User, teams: list[Team] | None = None) -> QuerySet[Assessment]:
    """Assessments sent for authorisation, oldest first: the manager's queue."""
    qs = (
        assessments_visible_to(viewer)
        .filter(submitted_at__isnull=False, authorised_on__isnull=True)
        .select_related("person", "worker", "team", "episode")
        .order_by("submitted_at")
    )
    if teams is not None:
        # The manager's teams, and their own workers wherever the assessment was recorded.
        qs = qs.filter(Q(team__in=teams) | Q(worker__line_manager=viewer))
    return qs


def in_progress_for_worker(viewer: User, worker: User) -> QuerySet[Assessment]:
    return (
        assessments_visible_to(viewer)
        .filter(worker=worker, authorised_on__isnull=True)
        .select_related("person", "episode")
        .order_by("start_date")
    )
