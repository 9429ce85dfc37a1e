"""Who may see, read, change and download which case note or document.

- Staff who may open the child's record (`people.policies.persons_visible_to`: restricted
  children only for their named staff) see the child's notes and documents; any other record is
  "not found" (404), the same as a missing one.
- A restricted note or document is read only by its author (uploader), the child's current
  allocated workers (any role: `workforce.Allocation` with no end date) and managers (holding
  `core.manage_allocations`). Others see that there is one, when and by whom, never its text,
  title or file. The rule is written once, as a database expression (`readable_q`), so lists,
  the chronology and single records agree.
- Recording needs `core.edit_case_records`. A note is changed or withdrawn by its author or a
  manager; a document withdrawn by its uploader or a manager; a new version added by anyone who
  may record casework and read the document.
- A file is downloaded only when it passed the virus check; a withdrawn document's files only by
  managers.
"""

from __future__ import annotations

from django.db.models import BooleanField, Exists, Model, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Combinable
from django.http import Http404

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.people.policies import persons_visible_to
from hearth.workforce.models import Allocation

from .models import CaseNote, Document, DocumentVersion

VIEW = "core.view_case_records"
EDIT = "core.edit_case_records"
MANAGE = "core.manage_allocations"


def is_manager(user: User) -> bool:
    return user.has_perm(MANAGE)


def readable_q(user: User, author_field: str) -> Combinable | Value:
    """True for rows the user may read in full: not restricted, or the user wrote it, is
    currently allocated to the child, or is a manager."""
    if is_manager(user):
        return Value(True, output_field=BooleanField())
    allocated = Allocation.objects.filter(
        person=OuterRef("person"), worker=user, end_date__isnull=True
    )
    return Q(restricted=False) | Q(**{author_field: user.pk}) | Exists(allocated)


def is_allocated(user: User, person_id: int) -> bool:
    return Allocation.objects.filter(
        person_id=person_id, worker=user, end_date__isnull=True
    ).exists()


# --- notes ---------------------------------------------------------------------------------------


def notes_visible_to(user: User) -> QuerySet[CaseNote]:
    """Notes about children the user may see, annotated `readable`."""
    if not user.is_authenticated or not user.has_perm(VIEW):
        return CaseNote.objects.none()
    return CaseNote.objects.filter(person__in=persons_visible_to(user)).annotate(
        readable=readable_q(user, "recorded_by")
    )


def _refuse(user: User, model: type[Model], pk: int, person_id: int | None, what: str) -> None:
    """Log an attempt on a restricted child's record (as `person_for` does), then 404."""
    if person_id is not None and user.has_perm(VIEW):
        audit.record(
            actor=user,
            action=AuditAction.ACCESS_DENIED,
            object_type=model._meta.label_lower,
            object_id=str(pk),
            person_id=person_id,
            detail=f"{what} on a restricted record: not one of the named staff",
        )
    raise Http404(f"No such {what.lower()}")


def note_for(user: User, pk: int) -> CaseNote:
    """The note (annotated `readable`) if the user may see the child, else 404."""
    note = (
        notes_visible_to(user)
        .select_related("person", "recorded_by", "withdrawn_by")
        .filter(pk=pk)
        .first()
    )
    if note is None:
        person_id = (
            CaseNote.objects.filter(pk=pk, person__is_restricted=True)
            .values_list("person_id", flat=True)
            .first()
        )
        _refuse(user, CaseNote, pk, person_id, "Case note")
    assert note is not None
    return note


def may_read(note_or_document: CaseNote | Document) -> bool:
    """From the `readable` annotation the policies' querysets add."""
    return bool(getattr(note_or_document, "readable", False))


def may_change_note(user: User, note: CaseNote) -> bool:
    return (
        user.has_perm(EDIT)
        and note.is_live
        and may_read(note)
        and (note.recorded_by_id == user.pk or is_manager(user))
    )


# --- documents -----------------------------------------------------------------------------------


def documents_visible_to(user: User) -> QuerySet[Document]:
    """Documents about children the user may see, annotated `readable`."""
    if not user.is_authenticated or not user.has_perm(VIEW):
        return Document.objects.none()
    return Document.objects.filter(person__in=persons_visible_to(user)).annotate(
        readable=readable_q(user, "uploaded_by")
    )


def document_for(user: User, pk: int) -> Document:
    """The document (annotated `readable`) if the user may see the child, else 404."""
    document = (
        documents_visible_to(user)
        .select_related("person", "uploaded_by", "withdrawn_by")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        person_id = (
            Document.objects.filter(pk=pk, person__is_restricted=True)
            .values_list("person_id", flat=True)
            .first()
        )
        _refuse(user, Document, pk, person_id, "Document")
    assert document is not None
    return document


def version_for(user: User, pk: int) -> DocumentVersion:
    """The version, with its document annotated `readable`, if the user may see the child."""
    document_id = (
        DocumentVersion.objects.filter(pk=pk).values_list("document_id", flat=True).first()
    )
    if document_id is None:
        raise Http404("No such version")
    document = document_for(user, document_id)
    version = DocumentVersion.objects.select_related("uploaded_by").get(pk=pk)
    version.document = document
    return version


def may_add_version(user: User, document: Document) -> bool:
    return user.has_perm(EDIT) and document.is_live and may_read(document)


def may_withdraw_document(user: User, document: Document) -> bool:
    return (
        user.has_perm(EDIT)
        and document.is_live
        and may_read(document)
        and (document.uploaded_by_id == user.pk or is_manager(user))
    )


def download_refusal(user: User, version: DocumentVersion) -> str:
    """Why the user may not download this version ("" when they may)."""
    document = version.document
    if not may_read(document):
        return (
            "This document is restricted: only its uploader, the child's allocated workers "
            "and managers can open it"
        )
    if not document.is_live and not is_manager(user):
        return "This document was withdrawn: only a manager can open its files"
    if not version.is_clean:
        return f"This file cannot be downloaded: {version.get_scan_status_display().lower()}"
    return ""
