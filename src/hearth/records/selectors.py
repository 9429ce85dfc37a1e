"""Reads for case notes and documents, scoped to the viewer through the policies (each row
annotated `readable`): a bounded number of queries whatever the number of rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from hearth.core.models import User
from hearth.people.models import Person

from . import policies
from .codes import RecordStatus
from .models import CaseNote, Document, DocumentVersion


def notes_for_person(
    viewer: User,
    person: Person | int,
    *,
    kind: str = "",
    significant_only: bool = False,
    include_withdrawn: bool = False,
) -> QuerySet[CaseNote]:
    """The child's notes the viewer may see, newest first (when they happened)."""
    person_id = person if isinstance(person, int) else person.pk
    notes = policies.notes_visible_to(viewer).filter(person_id=person_id)
    if kind:
        notes = notes.filter(kind=kind)
    if significant_only:
        notes = notes.filter(significant=True)
    if not include_withdrawn:
        notes = notes.filter(status=RecordStatus.LIVE)
    return notes.select_related("recorded_by").order_by("-occurred_at", "-pk")


def _current_versions() -> Prefetch[Any, Any, Any]:
    return Prefetch(
        "versions",
        queryset=DocumentVersion.objects.filter(superseded_at__isnull=True),
        to_attr="current_versions",
    )


def documents_for_person(
    viewer: User, person: Person | int, *, kind: str = "", include_withdrawn: bool = False
) -> QuerySet[Document]:
    """The child's documents the viewer may see, newest first, each with `current_versions`
    (a list of one) and `version_count`."""
    person_id = person if isinstance(person, int) else person.pk
    documents = policies.documents_visible_to(viewer).filter(person_id=person_id)
    if kind:
        documents = documents.filter(kind=kind)
    if not include_withdrawn:
        documents = documents.filter(status=RecordStatus.LIVE)
    return (
        documents.select_related("uploaded_by")
        .annotate(version_count=Count("versions"))
        .prefetch_related(_current_versions())
        .order_by("-uploaded_at", "-pk")
    )


def versions_of(document: Document) -> list[DocumentVersion]:
    """Every version, newest first."""
    return list(document.versions.select_related("uploaded_by").order_by("-number"))


def current_version(document: Document) -> DocumentVersion | None:
    found = getattr(document, "current_versions", None)
    if found is not None:
        return found[0] if found else None
    return document.versions.filter(superseded_at__isnull=True).first()
