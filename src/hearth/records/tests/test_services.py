"""Services for case notes and documents: validation with specific messages and nothing saved,
edits audited with their old values, concurrent edits refused, withdrawal keeping the record, and
files checked for size, type and viruses before anything is kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from hearth.core.models import AuditEvent
from hearth.core.services import ConcurrentEditError
from hearth.records import scanning, services
from hearth.records.models import CaseNote, Document, DocumentVersion
from hearth.records.scanning import ScanResult

from .conftest import DOCM, DOCX, GIF, ODT, PDF, PNG, TEXT, XLSX, Council, eicar, upload

pytestmark = pytest.mark.django_db
EICAR_SCANNER = "hearth.records.scanning.eicar_only"


def stored_files() -> list[str]:
    def walk(path: str) -> list[str]:
        if not default_storage.exists(path):
            return []
        dirs, files = default_storage.listdir(path)
        return [f"{path}/{f}" for f in files] + [x for d in dirs for x in walk(f"{path}/{d}")]

    return walk("records")


def erroring_scanner(file: object) -> ScanResult:
    raise OSError("scanner unreachable")


def pending_scanner(file: object) -> ScanResult:
    return ScanResult("pending", "Queued")


# --- case notes ----------------------------------------------------------------------------------


def test_recording_a_note_is_audited(council: Council, make_note: Callable[..., CaseNote]) -> None:
    note = make_note(significant=True)
    assert note.recorded_by == council.author and note.is_live and note.significant
    event = AuditEvent.objects.get(
        action="create", object_type="records.casenote", object_id=str(note.pk)
    )
    assert event.person_id == str(council.child.pk)
    assert event.changes["subject"] == [None, "Call with the school"]


def test_a_note_is_refused_with_specific_messages(council: Council) -> None:
    with pytest.raises(ValidationError) as caught:
        services.case_note_record(
            actor=council.author,
            person=council.child,
            kind="gossip",
            occurred_at=timezone.now() + dt.timedelta(days=1),
            subject=" ",
            text="",
        )
    errors = caught.value.message_dict
    assert errors["kind"] == ["Select what kind of note this is"]
    assert "must be now or in the past" in errors["occurred_at"][0]
    assert "Enter a subject" in errors["subject"][0]
    assert "Enter the note" in errors["text"][0]
    assert not CaseNote.objects.exists()


def test_changing_a_note_keeps_the_old_values_and_detects_a_stale_version(
    council: Council, make_note: Callable[..., CaseNote]
) -> None:
    note = make_note()
    changed = services.case_note_update(
        actor=council.author,
        note=note,
        data={"text": "The school says attendance is now 96%.", "restricted": True},
        expected_version=note.version,
    )
    assert changed.version == note.version + 1 and changed.restricted
    event = AuditEvent.objects.get(
        action="update", object_type="records.casenote", object_id=str(note.pk)
    )
    assert event.changes["text"] == [
        "The school says attendance has improved this term.",
        "The school says attendance is now 96%.",
    ]
    with pytest.raises(ConcurrentEditError):
        services.case_note_update(
            actor=council.author,
            note=note,
            data={"subject": "Stale"},
            expected_version=note.version,
        )
    assert CaseNote.objects.get().subject == "Call with the school"


def test_only_the_author_or_a_manager_changes_a_note(
    council: Council, make_note: Callable[..., CaseNote]
) -> None:
    note = make_note()
    with pytest.raises(ValidationError, match="author or a manager"):
        services.case_note_update(
            actor=council.other, note=note, data={"subject": "X"}, expected_version=None
        )
    services.case_note_update(
        actor=council.manager, note=note, data={"significant": True}, expected_version=None
    )
    assert CaseNote.objects.get().significant


def test_a_note_cannot_be_moved_after_it_was_recorded(
    council: Council, make_note: Callable[..., CaseNote]
) -> None:
    note = make_note()
    with pytest.raises(ValidationError) as caught:
        services.case_note_update(
            actor=council.author,
            note=note,
            data={"occurred_at": note.recorded_at + dt.timedelta(hours=3)},
            expected_version=note.version,
        )
    assert "occurred_at" in caught.value.message_dict


def test_withdrawing_keeps_the_note(council: Council, make_note: Callable[..., CaseNote]) -> None:
    note = make_note()
    with pytest.raises(ValidationError) as caught:
        services.case_note_withdraw(
            actor=council.author, note=note, reason=" ", expected_version=note.version
        )
    assert "reason" in caught.value.message_dict
    services.case_note_withdraw(
        actor=council.author,
        note=note,
        reason="Recorded on the wrong child's record.",
        expected_version=note.version,
    )
    kept = CaseNote.objects.get()
    assert kept.status == "withdrawn" and kept.withdrawn_by == council.author
    assert kept.text == "The school says attendance has improved this term."
    assert AuditEvent.objects.filter(
        action="archive", object_type="records.casenote", object_id=str(note.pk)
    ).exists()
    with pytest.raises(ValidationError, match="already been withdrawn"):
        services.case_note_withdraw(
            actor=council.author, note=kept, reason="Again", expected_version=None
        )


# --- what a file is ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, scanning.PDF),
        (PNG, scanning.PNG),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, scanning.JPEG),
        (DOCX, scanning.DOCX),
        (XLSX, scanning.XLSX),
        (ODT, scanning.ODT),
        (TEXT, scanning.TEXT),
        ("Café notes\n".encode("cp1252"), scanning.TEXT),
        (GIF, scanning.GIF),
        (DOCM, scanning.MACRO_OFFICE),
        (b"MZ\x90\x00" + b"\x00" * 20, scanning.EXECUTABLE),
        (b"PK\x03\x04 not really a zip", scanning.ZIP),
        (b"\x00\x01\x02\x03binary", None),
    ],
)
def test_the_type_comes_from_the_content(content: bytes, expected: object) -> None:
    assert scanning.detect(upload("anything.bin", content)) == expected


# --- uploads -------------------------------------------------------------------------------------


def test_upload_keeps_the_file_its_facts_and_an_audit_event(
    council: Council, make_document: Callable[..., Document]
) -> None:
    document = make_document(significant=True)
    version = DocumentVersion.objects.get()
    assert version.document == document and version.number == 1 and version.is_current
    assert version.original_filename == "assessment.pdf"
    assert version.content_type == "application/pdf" and version.size == len(PDF)
    assert len(version.sha256) == 64 and version.scan_status == "clean"
    assert version.scan_detail == "No scanner configured"
    assert "assessment" not in version.file.name  # stored under a random name
    with default_storage.open(version.file.name) as stored:
        assert stored.read() == PDF
    event = AuditEvent.objects.get(
        action="create", object_type="records.document", object_id=str(document.pk)
    )
    assert event.changes["filename"] == [None, "assessment.pdf"]


@override_settings(HEARTH_DOCUMENT_MAX_BYTES=64)
def test_a_file_over_the_limit_is_refused_naming_the_limit(
    council: Council, make_document: Callable[..., Document]
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_document(file=upload("big.pdf", PDF + b" " * 100), filename="big.pdf")
    assert caught.value.message_dict["file"] == [
        f"The file big.pdf is {len(PDF) + 100} bytes: it must be 64 bytes or smaller"
    ]
    assert not Document.objects.exists() and stored_files() == []


def test_a_file_of_a_type_not_accepted_is_refused_naming_the_types(
    council: Council, make_document: Callable[..., Document]
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_document(file=upload("photo.gif", GIF), filename="photo.gif")
    message = caught.value.message_dict["file"][0]
    assert message.startswith("The file photo.gif is a GIF image: it must be one of PDF")
    assert "Word document (.docx)" in message
    with pytest.raises(ValidationError, match="Office file with macros"):
        make_document(file=upload("plan.docm", DOCM), filename="plan.docm")
    with pytest.raises(ValidationError, match="is empty"):
        make_document(file=upload("empty.pdf", b""), filename="empty.pdf")
    with pytest.raises(ValidationError, match=r"is a PNG image but its name ends \.pdf"):
        make_document(file=upload("scan.pdf", PNG), filename="scan.pdf")
    assert not Document.objects.exists() and stored_files() == []


def test_a_name_the_content_bears_out_is_accepted(
    council: Council, make_document: Callable[..., Document]
) -> None:
    make_document(file=upload("minutes.txt", TEXT), filename="minutes.txt")
    make_document(file=upload("plan.docx", DOCX), filename="plan.docx")
    assert sorted(DocumentVersion.objects.values_list("content_type", flat=True)) == [
        scanning.DOCX.content_type,
        "text/plain",
    ]


@override_settings(HEARTH_DOCUMENT_SCANNER=EICAR_SCANNER)
def test_an_infected_file_is_refused_not_kept_and_the_attempt_audited(
    council: Council, make_document: Callable[..., Document]
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_document(file=eicar(), filename="letter.txt")
    assert "failed the virus check and has not been saved" in caught.value.message_dict["file"][0]
    assert not Document.objects.exists() and stored_files() == []
    event = AuditEvent.objects.get(action="access_denied", object_type="records.document")
    assert event.person_id == str(council.child.pk)
    assert "Eicar-Test-Signature" in event.detail and "letter.txt" in event.detail


@override_settings(HEARTH_DOCUMENT_SCANNER=EICAR_SCANNER)
def test_an_infected_new_version_is_refused_and_the_current_one_stays(
    council: Council, make_document: Callable[..., Document]
) -> None:
    document = make_document()
    with pytest.raises(ValidationError, match="failed the virus check"):
        services.document_version_add(
            actor=council.author, document=document, file=eicar("v2.txt"), filename="v2.txt"
        )
    assert DocumentVersion.objects.get().is_current
    assert len(stored_files()) == 1


def test_a_new_version_supersedes_and_the_earlier_stays(
    council: Council, make_document: Callable[..., Document]
) -> None:
    document = make_document()
    second = services.document_version_add(
        actor=council.lead,
        document=document,
        file=upload("assessment-v2.pdf"),
        filename="assessment-v2.pdf",
        note="Manager's comments added",
        expected_version=document.version,
    )
    first = DocumentVersion.objects.get(number=1)
    assert second.number == 2 and second.is_current and not first.is_current
    assert first.superseded_at is not None and default_storage.exists(first.file.name)
    assert len(stored_files()) == 2
    event = AuditEvent.objects.get(
        action="update", object_type="records.document", object_id=str(document.pk)
    )
    assert event.changes["version"] == [None, 2]
    with pytest.raises(ConcurrentEditError):
        services.document_version_add(
            actor=council.lead,
            document=document,
            file=upload(),
            filename="x.pdf",
            expected_version=document.version,  # the version before the second upload
        )
    assert DocumentVersion.objects.count() == 2


@override_settings(HEARTH_DOCUMENT_SCANNER="hearth.records.tests.test_services.erroring_scanner")
def test_a_scanner_that_fails_keeps_the_file_unavailable(
    council: Council, make_document: Callable[..., Document]
) -> None:
    make_document()
    version = DocumentVersion.objects.get()
    assert version.scan_status == "error" and "OSError" in version.scan_detail


@override_settings(HEARTH_DOCUMENT_SCANNER="hearth.records.tests.test_services.pending_scanner")
def test_a_pending_scan_reported_infected_later_removes_the_file(
    council: Council,
    make_document: Callable[..., Document],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    make_document()
    version = DocumentVersion.objects.get()
    assert version.scan_status == "pending" and version.scanned_at is None
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        services.document_version_scan_record(version=version, status="infected", detail="Win.Test")
    version.refresh_from_db()
    assert version.scan_status == "infected" and stored_files() == []


def test_withdrawing_a_document_keeps_it(
    council: Council, make_document: Callable[..., Document]
) -> None:
    document = make_document()
    with pytest.raises(ValidationError, match="uploaded the document or a manager"):
        services.document_withdraw(
            actor=council.other, document=document, reason="Wrong child", expected_version=None
        )
    services.document_withdraw(
        actor=council.manager,
        document=document,
        reason="Uploaded to the wrong child's record.",
        expected_version=document.version,
    )
    document.refresh_from_db()
    assert document.status == "withdrawn" and DocumentVersion.objects.count() == 1
    with pytest.raises(ValidationError, match="withdrawn"):
        services.document_version_add(
            actor=council.author, document=document, file=upload(), filename="x.pdf"
        )
