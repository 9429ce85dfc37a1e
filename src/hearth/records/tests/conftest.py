"""A small council for records tests: a team manager, the child's lead social worker, a duty
worker who records notes without being allocated, another social worker, business support (reads
only) and a performance analyst (no case records); a child with an open episode, and a restricted
child none of them is named on. Files are made here, tiny and synthetic."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hearth.core.models import User
from hearth.people.models import Person
from hearth.people.services import restriction_set
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.records import services
from hearth.records.models import CaseNote, Document
from hearth.records.scanning import EICAR
from hearth.workforce.models import Allocation

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
GIF = b"GIF89a" + b"\x00" * 40
TEXT = b"Notes from the family group conference.\nGrandparents offered respite.\n"


def office_zip(*parts: str, mimetype: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if mimetype:
            archive.writestr("mimetype", mimetype)
        for part in parts:
            archive.writestr(part, "<xml/>")
    return buffer.getvalue()


DOCX = office_zip("[Content_Types].xml", "word/document.xml")
XLSX = office_zip("[Content_Types].xml", "xl/workbook.xml")
ODT = office_zip("content.xml", mimetype="application/vnd.oasis.opendocument.text")
DOCM = office_zip("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin")


def upload(name: str = "report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def eicar(name: str = "letter.txt") -> SimpleUploadedFile:
    return upload(name, EICAR)


@pytest.fixture(autouse=True)
def fresh_storage(settings: Any) -> None:
    """An empty in-memory file storage for each test (changing STORAGES resets the default)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@dataclass
class Council:
    manager: User
    lead: User
    author: User
    other: User
    support: User
    analyst: User
    child: Person
    hidden_child: Person


@pytest.fixture
def council(make_user: Callable[..., User]) -> Council:
    manager = make_user("team_manager", first_name="Tess", last_name="Teamlead")
    lead = make_user("social_worker", first_name="Lee", last_name="Lead")
    author = make_user("social_worker", first_name="Dee", last_name="Duty")
    other = make_user("social_worker", first_name="Otto", last_name="Other")
    support = make_user("business_support", first_name="Bea", last_name="Support")
    analyst = make_user("performance_analyst", first_name="Ana", last_name="Lyst")
    child = make_child(forename="Ava", surname="Testchild")
    open_cin_episode(child, referral_date=dt.date(2025, 1, 6))
    Allocation.objects.create(
        person=child, role="lead", worker=lead, start_date=dt.date(2025, 1, 6), reason="FCONTA"
    )
    hidden = make_child(forename="Hana", surname="Testchild")
    restriction_set(
        actor=make_user("team_manager"),
        person=hidden,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=[],
        expected_version=hidden.version,
    )
    return Council(manager, lead, author, other, support, analyst, child, hidden)


@pytest.fixture
def make_note(council: Council) -> Callable[..., CaseNote]:
    def make(**overrides: Any) -> CaseNote:
        values: dict[str, Any] = {
            "actor": council.author,
            "person": council.child,
            "kind": "telephone",
            "occurred_at": timezone.now() - dt.timedelta(hours=2),
            "subject": "Call with the school",
            "text": "The school says attendance has improved this term.",
        }
        values.update(overrides)
        return services.case_note_record(**values)

    return make


@pytest.fixture
def make_document(council: Council) -> Callable[..., Document]:
    def make(**overrides: Any) -> Document:
        values: dict[str, Any] = {
            "actor": council.author,
            "person": council.child,
            "title": "Child and family assessment",
            "kind": "assessment_report",
            "file": upload(),
            "filename": "assessment.pdf",
        }
        values.update(overrides)
        return services.document_upload(**values)

    return make
