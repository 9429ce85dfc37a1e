"""The notes tab of a child's page: the latest case notes and documents, with links to the full
lists. Five queries (the five latest of each, the documents' current versions, and each count),
whatever the size of the record."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from hearth.core.models import User
from hearth.people.models import Person
from hearth.people.panels import register_person_panel

from . import policies, selectors

LATEST = 5


@register_person_panel("case-notes", order=10, tab="notes")
def notes_panel(request: HttpRequest, person: Person) -> str:
    viewer: User = request.user  # type: ignore[assignment]
    notes = selectors.notes_for_person(viewer, person)
    documents = selectors.documents_for_person(viewer, person)
    return render_to_string(
        "records/_person_panel.html",
        {
            "person": person,
            "notes": list(notes[:LATEST]),
            "note_count": notes.count(),
            "documents": list(documents[:LATEST]),
            "document_count": documents.count(),
            "may_add": viewer.has_perm(policies.EDIT),
        },
        request=request,
    )
