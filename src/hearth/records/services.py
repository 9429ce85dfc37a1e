"""Writes for case notes and documents: record, change and withdraw a note; upload a document, add
a version, withdraw it; record an asynchronous scanner's verdict.

Each is one transaction and one audit event (a change keeps the old and new values through
`core.services.model_update`, which also detects a concurrent edit). A file is checked before
anything is written: its size, its type worked out from its content, then the virus scanner. An
infected file is refused and not kept; the attempt is audited in its own transaction, so the
refusal does not roll it back. No statutory clock depends on notes or documents, so none is told.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.people.models import Person

from . import policies, scanning
from .codes import DocumentKind, NoteKind, RecordStatus, ScanStatus
from .models import CaseNote, Document, DocumentVersion

NOTE_FIELDS = ("kind", "occurred_at", "subject", "text", "significant", "restricted")
DOCUMENT_FIELDS = ("title", "kind", "description", "significant", "restricted")
FUTURE_TOLERANCE = dt.timedelta(minutes=1)  # clocks differ a little between machines
SUBJECT_MAX = 200
TITLE_MAX = 200


def _check_version(instance: CaseNote | Document, expected_version: int | None) -> None:
    if expected_version is not None and instance.version != expected_version:
        raise ConcurrentEditError(ConcurrentEditError.message)


def _check_person(person: Person) -> None:
    if person.merged_into_id:
        raise ValidationError({"person": "That record was merged: choose the record it became"})


# --- case notes ----------------------------------------------------------------------------------


def _note_errors(data: Mapping[str, Any], now: dt.datetime, recorded_at: dt.datetime) -> None:
    errors: dict[str, str] = {}
    if data.get("kind") not in NoteKind.values:
        errors["kind"] = "Select what kind of note this is"
    subject = str(data.get("subject") or "").strip()
    if not subject:
        errors["subject"] = "Enter a subject: a short title for the note"
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = f"The subject must be {SUBJECT_MAX} characters or fewer"
    if not str(data.get("text") or "").strip():
        errors["text"] = "Enter the note: what happened, what was said and what happens next"
    occurred_at = data.get("occurred_at")
    if not isinstance(occurred_at, dt.datetime) or timezone.is_naive(occurred_at):
        errors["occurred_at"] = "Enter the date and time it happened"
    elif occurred_at > now + FUTURE_TOLERANCE:
        errors["occurred_at"] = "The date and time it happened must be now or in the past"
    elif occurred_at > recorded_at + FUTURE_TOLERANCE:
        errors["occurred_at"] = (
            "The date and time it happened must be before the note was recorded "
            f"({timezone.localtime(recorded_at):%-d %B %Y at %H:%M})"
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_note_record(
    *,
    actor: User,
    person: Person,
    kind: str,
    occurred_at: dt.datetime,
    subject: str,
    text: str,
    significant: bool = False,
    restricted: bool = False,
) -> CaseNote:
    """Record a case note about the child, dated when it happened (not in the future)."""
    now = timezone.now()
    _check_person(person)
    _note_errors(
        {"kind": kind, "occurred_at": occurred_at, "subject": subject, "text": text}, now, now
    )
    note = CaseNote(
        person=person,
        kind=kind,
        occurred_at=min(occurred_at, now),
        recorded_at=now,
        recorded_by=actor,
        subject=subject.strip(),
        text=text.strip(),
        significant=significant,
        restricted=restricted,
    )
    note.full_clean()
    note.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=note,
        person_id=person.pk,
        changes={f: [None, v] for f, v in audit.snapshot(note, NOTE_FIELDS).items()},
    )
    return note


@transaction.atomic
def case_note_update(
    *,
    actor: User,
    note: CaseNote,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> CaseNote:
    """Change a live note (its author or a manager): the old values stay in the audit trail."""
    unknown = set(data) - set(NOTE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    locked = CaseNote.objects.select_for_update().get(pk=note.pk)
    _check_version(locked, expected_version)
    if locked.status != RecordStatus.LIVE:
        raise ValidationError("This note was withdrawn: it cannot be changed")
    if locked.recorded_by_id != actor.pk and not policies.is_manager(actor):
        raise ValidationError("Only the note's author or a manager can change it")
    merged = {**audit.snapshot(locked, NOTE_FIELDS), **data}
    merged["occurred_at"] = data.get("occurred_at", locked.occurred_at)
    _note_errors(merged, timezone.now(), locked.recorded_at)
    clean = dict(data)
    for name in ("subject", "text"):
        if name in clean:
            clean[name] = str(clean[name]).strip()
    if "occurred_at" in clean:
        clean["occurred_at"] = min(clean["occurred_at"], locked.recorded_at)
    return model_update(
        actor=actor,
        instance=locked,
        data=clean,
        expected_version=expected_version,
        person_id=locked.person_id,
        detail="Case note changed",
    )


@transaction.atomic
def case_note_withdraw(
    *, actor: User, note: CaseNote, reason: str, expected_version: int | None
) -> CaseNote:
    """Withdraw a note recorded in error or on the wrong child: kept, marked, out of the
    chronology."""
    locked = CaseNote.objects.select_for_update().get(pk=note.pk)
    _check_version(locked, expected_version)
    if locked.status != RecordStatus.LIVE:
        raise ValidationError("This note has already been withdrawn")
    if locked.recorded_by_id != actor.pk and not policies.is_manager(actor):
        raise ValidationError("Only the note's author or a manager can withdraw it")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the note is being withdrawn"})
    return model_update(
        actor=actor,
        instance=locked,
        data={
            "status": RecordStatus.WITHDRAWN,
            "withdrawn_at": max(timezone.now(), locked.recorded_at),
            "withdrawn_by": actor,
            "withdrawal_reason": reason.strip(),
        },
        expected_version=expected_version,
        person_id=locked.person_id,
        action=AuditAction.ARCHIVE,
        detail="Case note withdrawn",
    )


# --- files ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    file: IO[bytes]
    filename: str
    size: int
    type: scanning.FileType
    sha256: str
    scan: scanning.ScanResult


def _size_of(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def _digest(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _a(label: str) -> str:
    return f"an {label}" if label[:1] in "AEIOU" else f"a {label}"


def check_file(file: IO[bytes] | None, filename: str = "") -> tuple[str, int, scanning.FileType]:
    """The file's name, size and type, or a ValidationError on `file` saying which limit or
    type it broke. Nothing is read beyond the first few kilobytes."""
    if file is None:
        raise ValidationError({"file": "Select a file to upload"})
    name = os.path.basename(filename or getattr(file, "name", "") or "").strip()
    name = name.replace("\x00", "")[:255] or "file"
    size = _size_of(file)
    if size == 0:
        raise ValidationError({"file": f"The file {name} is empty"})
    limit = scanning.max_size()
    if size > limit:
        raise ValidationError(
            {
                "file": f"The file {name} is {scanning.describe_size(size)}: it must be "
                f"{scanning.describe_size(limit)} or smaller"
            }
        )
    found = scanning.detect(file)
    allowed = scanning.allowed_types()
    if found is None or found not in allowed:
        what = _a(found.label) if found is not None else "not a type Hearth accepts"
        raise ValidationError(
            {"file": f"The file {name} is {what}: it must be one of {scanning.allowed_labels()}"}
        )
    extension = os.path.splitext(name)[1].lower()
    other_known = {e for t in scanning.KNOWN.values() if t is not found for e in t.extensions}
    mismatched = extension not in found.extensions and (
        found is not scanning.TEXT or extension in other_known
    )
    if mismatched:
        ends = f"ends {extension}" if extension else "has no extension"
        raise ValidationError(
            {
                "file": f"The file {name} is {_a(found.label)} but its name {ends}: rename it to "
                f"end {found.extensions[0]}, or choose the right file"
            }
        )
    return name, size, found


def _checked(
    *, actor: User, file: IO[bytes] | None, filename: str, person_id: int, about: str
) -> CheckedFile:
    name, size, found = check_file(file, filename)
    assert file is not None
    result = scanning.scan(file)
    if result.status == ScanStatus.INFECTED:
        # Refused and not kept; the attempt is kept, in its own transaction.
        with transaction.atomic():
            audit.record(
                actor=actor,
                action=AuditAction.ACCESS_DENIED,
                object_type="records.document",
                object_label=about[:255],
                person_id=person_id,
                detail=f"Upload of {name} refused: the virus scanner found "
                f"{result.detail or 'a threat'}",
                changes={"filename": [None, name], "sha256": [None, _digest(file)]},
            )
        raise ValidationError(
            {
                "file": f"The file {name} failed the virus check and has not been saved: "
                "do not open it; tell IT service desk where it came from"
            },
            code="infected",
        )
    return CheckedFile(
        file=file, filename=name, size=size, type=found, sha256=_digest(file), scan=result
    )


def _store(document: Document, checked: CheckedFile) -> str:
    """Save the file under a random name (the uploader's file name stays in the row only)."""
    name = (
        f"records/{document.person_id}/{document.pk}/{uuid.uuid4().hex}{checked.type.extensions[0]}"
    )
    checked.file.seek(0)
    return default_storage.save(name, File(checked.file, name=name))


def _version(
    *,
    actor: User,
    document: Document,
    number: int,
    checked: CheckedFile,
    at: dt.datetime,
    stored: str,
    note: str = "",
) -> DocumentVersion:
    version = DocumentVersion(
        document=document,
        number=number,
        original_filename=checked.filename,
        size=checked.size,
        content_type=checked.type.content_type,
        sha256=checked.sha256,
        note=note.strip()[:500],
        uploaded_at=at,
        uploaded_by=actor,
        scan_status=checked.scan.status,
        scan_detail=checked.scan.detail[:500],
        scanned_at=None if checked.scan.status == ScanStatus.PENDING else at,
    )
    version.file.name = stored
    version.full_clean()
    version.save()
    return version


def _document_errors(data: Mapping[str, Any]) -> None:
    errors: dict[str, str] = {}
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = "Enter a title for the document"
    elif len(title) > TITLE_MAX:
        errors["title"] = f"The title must be {TITLE_MAX} characters or fewer"
    if data.get("kind") not in DocumentKind.values:
        errors["kind"] = "Select what kind of document this is"
    if errors:
        raise ValidationError(errors)


def _version_changes(version: DocumentVersion) -> audit.FieldChanges:
    return {
        "version": [None, version.number],
        "filename": [None, version.original_filename],
        "size": [None, version.size],
        "content_type": [None, version.content_type],
        "sha256": [None, version.sha256],
        "scan_status": [None, version.scan_status],
    }


def document_upload(
    *,
    actor: User,
    person: Person,
    title: str,
    kind: str,
    file: IO[bytes] | None,
    filename: str = "",
    description: str = "",
    significant: bool = False,
    restricted: bool = False,
) -> Document:
    """Put a document on the child's record: its first version. The file is checked (size, type,
    virus scan) before anything is written."""
    _check_person(person)
    _document_errors({"title": title, "kind": kind})
    checked = _checked(
        actor=actor, file=file, filename=filename, person_id=person.pk, about=title.strip()
    )
    stored: list[str] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            document = Document(
                person=person,
                title=title.strip(),
                kind=kind,
                description=description.strip(),
                significant=significant,
                restricted=restricted,
                uploaded_at=now,
                uploaded_by=actor,
            )
            document.full_clean()
            document.save()
            stored.append(_store(document, checked))
            version = _version(
                actor=actor, document=document, number=1, checked=checked, at=now, stored=stored[0]
            )
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=document,
                person_id=person.pk,
                changes={
                    **{
                        f: [None, v]
                        for f, v in audit.snapshot(document, DOCUMENT_FIELDS).items()
                        if v not in ("", None)
                    },
                    **_version_changes(version),
                },
                detail=f"Uploaded {checked.filename}",
            )
    except BaseException:
        for name in stored:  # the rows were rolled back: do not keep their file
            default_storage.delete(name)
        raise
    return document


def document_version_add(
    *,
    actor: User,
    document: Document,
    file: IO[bytes] | None,
    filename: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> DocumentVersion:
    """A new version of a live document: it becomes the current one; the earlier versions stay
    (and stay downloadable)."""
    if document.status != RecordStatus.LIVE:
        raise ValidationError("This document was withdrawn: it cannot have a new version")
    _check_version(document, expected_version)
    checked = _checked(
        actor=actor,
        file=file,
        filename=filename,
        person_id=document.person_id,
        about=document.title,
    )
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=document.pk)
            _check_version(locked, expected_version)
            if locked.status != RecordStatus.LIVE:
                raise ValidationError("This document was withdrawn: it cannot have a new version")
            now = timezone.now()
            current = DocumentVersion.objects.select_for_update().filter(
                document=locked, superseded_at__isnull=True
            )
            last = (
                DocumentVersion.objects.filter(document=locked)
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            ) or 0
            for row in current:
                row.superseded_at = max(now, row.uploaded_at)
                row.save(update_fields=["superseded_at", "updated_at"])
            stored.append(_store(locked, checked))
            version = _version(
                actor=actor,
                document=locked,
                number=last + 1,
                checked=checked,
                at=now,
                stored=stored[0],
                note=note,
            )
            model_update(
                actor=actor,
                instance=locked,
                data={},
                related_changes=_version_changes(version),
                person_id=locked.person_id,
                detail=f"Version {version.number} uploaded: {checked.filename}",
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return version


@transaction.atomic
def document_withdraw(
    *, actor: User, document: Document, reason: str, expected_version: int | None
) -> Document:
    """Withdraw a document put on the record in error: kept with its files, marked withdrawn."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    _check_version(locked, expected_version)
    if locked.status != RecordStatus.LIVE:
        raise ValidationError("This document has already been withdrawn")
    if locked.uploaded_by_id != actor.pk and not policies.is_manager(actor):
        raise ValidationError(
            "Only the person who uploaded the document or a manager can withdraw it"
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the document is being withdrawn"})
    return model_update(
        actor=actor,
        instance=locked,
        data={
            "status": RecordStatus.WITHDRAWN,
            "withdrawn_at": max(timezone.now(), locked.uploaded_at),
            "withdrawn_by": actor,
            "withdrawal_reason": reason.strip(),
        },
        expected_version=expected_version,
        person_id=locked.person_id,
        action=AuditAction.ARCHIVE,
        detail="Document withdrawn",
    )


@transaction.atomic
def document_version_scan_record(
    *, version: DocumentVersion, status: str, detail: str = ""
) -> DocumentVersion:
    """An asynchronous scanner's verdict on a version it was given as `pending`. An infected
    file is removed from storage at once; its row stays, marked, so the history is complete."""
    if status not in ScanStatus.values or status == ScanStatus.PENDING:
        raise ValidationError({"status": "Give the scanner's verdict: clean, infected or error"})
    locked = (
        DocumentVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
    )
    now = timezone.now()
    updated = model_update(
        actor=None,
        instance=locked,
        data={
            "scan_status": status,
            "scan_detail": detail[:500],
            "scanned_at": max(now, locked.uploaded_at),
        },
        person_id=locked.document.person_id,
        detail=f"Virus check of version {locked.number}: {ScanStatus(status).label.lower()}",
    )
    if status == ScanStatus.INFECTED and updated.file.name:
        name = updated.file.name
        transaction.on_commit(lambda: default_storage.delete(name))
    return updated
