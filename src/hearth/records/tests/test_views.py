"""Pages: allow and deny for each, the restricted note matrix, filters and paging with bounded
queries, forms with their messages, downloads through the policy, the panel and the
chronology."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.core.models import AuditEvent, User
from hearth.people.chronology import chronology_for
from hearth.records import services
from hearth.records.models import CaseNote, Document, DocumentVersion

from .conftest import GIF, PDF, Council, upload

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]
SECRET = "Mother disclosed her own health condition in confidence."


def url(name: str, *args: Any) -> str:
    return reverse(f"records:{name}", args=args)


def note_post(**overrides: Any) -> dict[str, Any]:
    when = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "kind": "meeting",
        "occurred_on_day": str(when.day),
        "occurred_on_month": str(when.month),
        "occurred_on_year": str(when.year),
        "occurred_time": when.strftime("%H:%M"),
        "subject": "Core group meeting",
        "text": "The core group agreed the plan is working and school attendance is up.",
    }
    data.update(overrides)
    return data


# --- allow and deny, page by page ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["notes", "note-add", "documents", "document-upload"])
def test_child_pages_allow_staff_and_deny_others(
    council: Council, client_for: SignIn, name: str
) -> None:
    assert client_for(council.lead).get(url(name, council.child.pk)).status_code == 200
    assert client_for(council.analyst).get(url(name, council.child.pk)).status_code == 403
    assert client_for(council.lead).get(url(name, council.hidden_child.pk)).status_code == 404
    if name.endswith(("add", "upload")):  # business support reads, does not record
        assert client_for(council.support).get(url(name, council.child.pk)).status_code == 403
    else:
        assert client_for(council.support).get(url(name, council.child.pk)).status_code == 200


def test_note_pages_allow_and_deny(
    council: Council, client_for: SignIn, make_note: Callable[..., CaseNote]
) -> None:
    note = make_note()
    hidden = make_note(person=council.hidden_child, actor=council.manager)
    assert client_for(council.other).get(url("note", note.pk)).status_code == 200
    assert client_for(council.analyst).get(url("note", note.pk)).status_code == 403
    assert client_for(council.other).get(url("note", hidden.pk)).status_code == 404
    assert AuditEvent.objects.filter(
        action="access_denied", object_type="records.casenote", object_id=str(hidden.pk)
    ).exists()
    for name in ("note-change", "note-withdraw"):
        assert client_for(council.author).get(url(name, note.pk)).status_code == 200
        assert client_for(council.manager).get(url(name, note.pk)).status_code == 200
        assert client_for(council.other).get(url(name, note.pk)).status_code == 403
        assert client_for(council.support).get(url(name, note.pk)).status_code == 403
        assert client_for(council.author).get(url(name, hidden.pk)).status_code == 404


def test_document_pages_allow_and_deny(
    council: Council, client_for: SignIn, make_document: Callable[..., Document]
) -> None:
    document = make_document()
    assert client_for(council.support).get(url("document", document.pk)).status_code == 200
    assert client_for(council.analyst).get(url("document", document.pk)).status_code == 403
    hidden = make_document(person=council.hidden_child, actor=council.manager)
    assert client_for(council.lead).get(url("document", hidden.pk)).status_code == 404
    assert (
        client_for(council.other).get(url("document-version-add", document.pk)).status_code == 200
    )
    assert (
        client_for(council.support).get(url("document-version-add", document.pk)).status_code == 403
    )
    assert client_for(council.author).get(url("document-withdraw", document.pk)).status_code == 200
    assert client_for(council.other).get(url("document-withdraw", document.pk)).status_code == 403
    assert client_for(council.lead).get(url("document-withdraw", hidden.pk)).status_code == 404


# --- case notes ----------------------------------------------------------------------------------


def test_adding_a_note(council: Council, client_for: SignIn) -> None:
    client = client_for(council.author)
    response = client.post(url("note-add", council.child.pk), note_post(significant="on"))
    note = CaseNote.objects.get()
    assert response.status_code == 302 and response["Location"] == url("note", note.pk)
    assert note.significant and not note.restricted and note.recorded_by == council.author
    page = client.get(url("note", note.pk))
    assert "The core group agreed the plan" in page.content.decode()


def test_a_note_in_the_future_or_without_text_is_refused_with_messages(
    council: Council, client_for: SignIn
) -> None:
    later = timezone.localtime() + dt.timedelta(days=2)
    response = client_for(council.author).post(
        url("note-add", council.child.pk),
        note_post(
            text="",
            occurred_on_day=str(later.day),
            occurred_on_month=str(later.month),
            occurred_on_year=str(later.year),
        ),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The date and time it happened must be in the past" in body
    assert "Enter the note" in body
    assert not CaseNote.objects.exists()


def test_changing_a_note_and_a_concurrent_edit(
    council: Council, client_for: SignIn, make_note: Callable[..., CaseNote]
) -> None:
    note = make_note()
    client = client_for(council.author)
    form = client.get(url("note-change", note.pk)).content.decode()
    assert 'name="version" value="1"' in form
    stale = note_post(version="1", subject="Call with the school (corrected)")
    services.case_note_update(
        actor=council.manager, note=note, data={"significant": True}, expected_version=1
    )
    response = client.post(url("note-change", note.pk), stale)
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert CaseNote.objects.get().subject == "Call with the school"
    response = client.post(url("note-change", note.pk), {**stale, "version": "2"})
    assert response.status_code == 302
    assert CaseNote.objects.get().subject == "Call with the school (corrected)"


def test_withdrawing_a_note_keeps_it_listed_as_withdrawn(
    council: Council, client_for: SignIn, make_note: Callable[..., CaseNote]
) -> None:
    note = make_note()
    client = client_for(council.author)
    response = client.post(url("note-withdraw", note.pk), {"version": "1", "reason": ""})
    assert response.status_code == 400
    assert "Enter why it is being withdrawn" in response.content.decode()
    response = client.post(
        url("note-withdraw", note.pk), {"version": "1", "reason": "Wrong child's record."}
    )
    assert response.status_code == 302 and CaseNote.objects.get().status == "withdrawn"
    listed = client.get(url("notes", council.child.pk)).content.decode()
    assert "Call with the school" not in listed
    listed = client.get(url("notes", council.child.pk), {"withdrawn": "1"}).content.decode()
    assert "Call with the school" in listed and "Withdrawn" in listed


@pytest.mark.parametrize(
    ("who", "reads"),
    [("author", True), ("lead", True), ("manager", True), ("other", False), ("support", False)],
)
def test_restricted_note_matrix(
    council: Council,
    client_for: SignIn,
    make_note: Callable[..., CaseNote],
    who: str,
    reads: bool,
) -> None:
    note = make_note(restricted=True, subject="Health disclosure", text=SECRET)
    client = client_for(getattr(council, who))
    detail = client.get(url("note", note.pk)).content.decode()
    listed = client.get(url("notes", council.child.pk)).content.decode()
    assert (SECRET in detail) is reads
    assert ("Health disclosure" in listed) is reads
    if not reads:
        assert "Restricted note" in detail and "Restricted note" in listed
        assert "Dee Duty" in detail  # the author, and the date, are shown
        chronology = chronology_for(council.child, getattr(council, who), kinds=["case_note"])
        assert [(e.title, e.detail) for e in chronology] == [("Restricted note", "")]
        assert client.get(url("note-change", note.pk)).status_code == 403


def test_an_allocation_that_ended_no_longer_reads_restricted_notes(
    council: Council, client_for: SignIn, make_note: Callable[..., CaseNote]
) -> None:
    note = make_note(restricted=True, text=SECRET)
    council.child.allocations.update(end_date=dt.date(2025, 6, 1), end_reason="reallocated")
    assert SECRET not in client_for(council.lead).get(url("note", note.pk)).content.decode()


def test_notes_list_filters_and_pages_in_bounded_queries(
    council: Council,
    client_for: SignIn,
    make_note: Callable[..., CaseNote],
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(30):
        make_note(
            subject=f"Note {n:02d}",
            kind="meeting" if n % 3 == 0 else "telephone",
            significant=n % 10 == 0,
            restricted=n % 7 == 0,
            actor=council.author if n % 2 else council.manager,
        )
    client = client_for(council.other)
    with django_assert_max_num_queries(14):
        page = client.get(url("notes", council.child.pk)).content.decode()
    assert "30 notes" in page and "Next" in page
    page = client.get(url("notes", council.child.pk), {"significant": "1"}).content.decode()
    assert "3 notes" in page
    page = client.get(url("notes", council.child.pk), {"kind": "meeting"}).content.decode()
    assert "10 notes" in page and "Note 01" not in page


# --- documents -----------------------------------------------------------------------------------


def test_uploading_a_document(council: Council, client_for: SignIn) -> None:
    client = client_for(council.author)
    response = client.post(
        url("document-upload", council.child.pk),
        {"title": "Consent to share", "kind": "consent_form", "file": upload("consent.pdf")},
    )
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == url("document", document.pk)
    page = client.get(url("document", document.pk)).content.decode()
    assert "consent.pdf" in page and url("download", document.versions.get().pk) in page


def test_an_upload_of_the_wrong_type_shows_the_message(
    council: Council, client_for: SignIn
) -> None:
    response = client_for(council.author).post(
        url("document-upload", council.child.pk),
        {"title": "Photo", "kind": "photograph", "file": upload("photo.gif", GIF)},
    )
    assert response.status_code == 400
    assert "The file photo.gif is a GIF image: it must be one of PDF" in response.content.decode()
    assert not Document.objects.exists()


def test_a_new_version_through_the_page(
    council: Council, client_for: SignIn, make_document: Callable[..., Document]
) -> None:
    document = make_document()
    response = client_for(council.lead).post(
        url("document-version-add", document.pk),
        {"version": str(document.version), "file": upload("v2.pdf"), "note": "Signed copy"},
    )
    assert response.status_code == 302
    assert (
        list(document.versions.order_by("number").values_list("superseded_at", flat=True))[1]
        is None
    )
    page = client_for(council.lead).get(url("document", document.pk)).content.decode()
    assert "v2.pdf" in page and "assessment.pdf" in page and "Signed copy" in page


def test_withdrawing_a_document(
    council: Council, client_for: SignIn, make_document: Callable[..., Document]
) -> None:
    document = make_document()
    response = client_for(council.author).post(
        url("document-withdraw", document.pk),
        {"version": str(document.version), "reason": "Wrong child's record."},
    )
    assert response.status_code == 302
    assert Document.objects.get().status == "withdrawn"


def test_download_streams_the_file_and_is_audited(
    council: Council, client_for: SignIn, make_document: Callable[..., Document]
) -> None:
    document = make_document()
    version = document.versions.get()
    response = client_for(council.other).get(url("download", version.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="assessment.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.get(action="view", object_type="records.document")
    assert event.person_id == str(council.child.pk) and "Downloaded version 1" in event.detail
    # The earlier version stays downloadable once superseded.
    services.document_version_add(
        actor=council.author, document=document, file=upload("v2.pdf"), filename="v2.pdf"
    )
    assert client_for(council.other).get(url("download", version.pk)).status_code == 200


def test_download_is_refused_when_the_policy_says_so(
    council: Council, client_for: SignIn, make_document: Callable[..., Document]
) -> None:
    restricted = make_document(restricted=True).versions.get()
    assert client_for(council.other).get(url("download", restricted.pk)).status_code == 403
    assert client_for(council.lead).get(url("download", restricted.pk)).status_code == 200
    assert client_for(council.analyst).get(url("download", restricted.pk)).status_code == 403
    hidden = make_document(person=council.hidden_child, actor=council.manager).versions.get()
    assert client_for(council.manager).get(url("download", hidden.pk)).status_code == 404
    assert client_for(council.lead).get(url("download", 999_999)).status_code == 404
    pending = make_document().versions.get()
    DocumentVersion.objects.filter(pk=pending.pk).update(scan_status="pending")
    assert client_for(council.lead).get(url("download", pending.pk)).status_code == 403
    assert (
        not AuditEvent.objects.filter(
            action="view", object_type="records.document", detail__startswith="Downloaded"
        )
        .exclude(actor=council.lead)
        .exists()
    )


def test_documents_list_is_bounded_and_hides_restricted_titles(
    council: Council,
    client_for: SignIn,
    make_document: Callable[..., Document],
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(8):
        make_document(title=f"Plan {n}", kind="plan", restricted=n == 0)
    client = client_for(council.other)
    with django_assert_max_num_queries(14):
        page = client.get(url("documents", council.child.pk)).content.decode()
    assert "Plan 3" in page and "Plan 0" not in page and "Restricted document" in page


# --- the child's page and the chronology ---------------------------------------------------------


def test_the_panel_shows_the_latest_in_bounded_queries(
    council: Council,
    client_for: SignIn,
    make_note: Callable[..., CaseNote],
    make_document: Callable[..., Document],
    rf: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from hearth.records.person_panels import notes_panel

    for n in range(7):
        make_note(subject=f"Panel note {n}")
        make_document(title=f"Panel document {n}")
    request = rf.get("/")
    request.user = council.other
    with django_assert_max_num_queries(6):
        html = notes_panel(request, council.child)
    assert "Panel note 6" in html and "Panel document 6" in html
    assert "All case notes (7)" in html and "All documents (7)" in html
    assert "Panel note 0" not in html  # only the latest five
    page = client_for(council.lead).get(
        reverse("people:detail", args=[council.child.pk]), {"tab": "notes"}
    )
    assert "Panel note 6" in page.content.decode()


def test_chronology_entries(
    council: Council, make_note: Callable[..., CaseNote], make_document: Callable[..., Document]
) -> None:
    significant = make_note(subject="Strategy discussion held", significant=True)
    make_note(subject="Routine call")
    gone = make_note(subject="Wrong child")
    services.case_note_withdraw(
        actor=council.author, note=gone, reason="Wrong child.", expected_version=None
    )
    make_document(title="Court bundle", kind="court_document", significant=True)
    entries = chronology_for(council.child, council.lead, kinds=["case_note", "document"])
    titles = {e.title: e for e in entries}
    assert set(titles) == {
        "Meeting: Strategy discussion held".replace("Meeting", "Telephone call"),
        "Telephone call: Routine call",
        "Court document uploaded: Court bundle",
    }
    assert titles["Telephone call: Strategy discussion held"].significant
    assert titles["Telephone call: Strategy discussion held"].url == url("note", significant.pk)
    assert not titles["Telephone call: Routine call"].significant
    assert titles["Court document uploaded: Court bundle"].significant
    significant_only = chronology_for(
        council.child, council.lead, kinds=["case_note"], significant_only=True
    )
    assert [e.title for e in significant_only] == ["Telephone call: Strategy discussion held"]
