"""Case notes and documents in the child's chronology. Each live note is an entry when it
happened (significant ones in the significant view); each uploaded version of a live document is
an entry when it was uploaded. A restricted note or document the viewer may not read shows as
"Restricted note" / "Restricted document" with its date and author only. One query each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person
from hearth.timescales import calendar as cal

from . import policies
from .codes import RecordStatus
from .models import DocumentVersion

NOTE_KIND = "case_note"
DOCUMENT_KIND = "document"


def on(moment: dt.datetime) -> dt.date:
    return moment.astimezone(cal.LONDON).date()


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@register_chronology_source(NOTE_KIND, "Case notes")
def case_note_entries(person: Person, viewer: User) -> Iterable[Entry]:
    notes = (
        policies.notes_visible_to(viewer)
        .filter(person=person, status=RecordStatus.LIVE)
        .select_related("recorded_by")
        .order_by("occurred_at", "pk")
    )
    for note in notes:
        url = reverse("records:note", args=[note.pk])
        by = note.recorded_by.full_name
        if not policies.may_read(note):
            yield Entry(
                on=on(note.occurred_at),
                kind=NOTE_KIND,
                title="Restricted note",
                url=url,
                significant=note.significant,
                by=by,
            )
            continue
        yield Entry(
            on=on(note.occurred_at),
            at=note.occurred_at,
            kind=NOTE_KIND,
            title=f"{note.get_kind_display()}: {note.subject}",
            detail=_excerpt(note.text),
            url=url,
            significant=note.significant,
            by=by,
        )


@register_chronology_source(DOCUMENT_KIND, "Documents")
def document_entries(person: Person, viewer: User) -> Iterable[Entry]:
    visible = policies.documents_visible_to(viewer).filter(person=person, status=RecordStatus.LIVE)
    readable = {pk for pk, ok in visible.values_list("pk", "readable") if ok}  # type: ignore[misc]  # annotated by the policy
    versions = (
        DocumentVersion.objects.filter(document__in=visible.values("pk"))
        .select_related("document", "uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    for version in versions:
        document = version.document
        url = reverse("records:document", args=[document.pk])
        by = version.uploaded_by.full_name
        first = version.number == 1
        if document.pk not in readable:
            yield Entry(
                on=on(version.uploaded_at),
                kind=DOCUMENT_KIND,
                title="Restricted document uploaded" if first else "Restricted document changed",
                url=url,
                significant=first and document.significant,
                by=by,
            )
            continue
        title = (
            f"{document.get_kind_display()} uploaded: {document.title}"
            if first
            else f"New version ({version.number}) of {document.title}"
        )
        yield Entry(
            on=on(version.uploaded_at),
            at=version.uploaded_at,
            kind=DOCUMENT_KIND,
            title=title,
            detail=_excerpt(document.description if first else version.note),
            url=url,
            significant=first and document.significant,
            by=by,
        )
