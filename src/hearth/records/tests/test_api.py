"""The records API: lists scoped to a child (404 for one the caller may not see), recording and
changing notes with the version read (409 when stale), restricted text withheld, uploads refused
with messages naming the limit or the type, versions and downloads through the policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from hearth.core.models import AuditEvent, User
from hearth.core.services import api_token_issue
from hearth.records.models import CaseNote, Document, DocumentVersion

from .conftest import GIF, PDF, Council, eicar, upload

pytestmark = pytest.mark.django_db
NOTES, DOCUMENTS = "/api/case-notes/", "/api/documents/"
SECRET = "Mother disclosed her own health condition in confidence."


class Caller:
    def __init__(self, client: Client, user: User) -> None:
        _, raw = api_token_issue(actor=None, user=user, name="Test system")
        self.client, self.headers = client, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, **self.headers)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            path, json.dumps(body), content_type="application/json", **self.headers
        )

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", **self.headers
        )

    def upload(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, body, **self.headers)  # multipart


@pytest.fixture
def api(client: Client) -> Callable[[User], Caller]:
    return lambda user: Caller(client, user)


def new_note(council: Council, **overrides: Any) -> dict[str, Any]:
    return {
        "person_id": council.child.pk,
        "kind": "telephone",
        "occurred_at": (timezone.now() - timezone.timedelta(hours=1)).isoformat(),
        "subject": "Call with the school",
        "text": "Attendance is up this term.",
        **overrides,
    }


# --- case notes ----------------------------------------------------------------------------------


def test_record_list_and_read_notes(council: Council, api: Callable[[User], Caller]) -> None:
    response = api(council.author).post(NOTES, new_note(council, significant=True))
    assert response.status_code == 201
    body = response.json()
    assert body["subject"] == "Call with the school" and body["significant"] is True
    assert body["readable"] is True and body["recorded_by_id"] == council.author.pk
    rows = api(council.other).get(NOTES, {"person": council.child.pk}).json()["results"]
    assert [r["id"] for r in rows] == [body["id"]]
    assert (
        api(council.other)
        .get(NOTES, {"person": council.child.pk, "kind": "meeting"})
        .json()["results"]
        == []
    )
    detail = api(council.support).get(f"{NOTES}{body['id']}/")
    assert detail.status_code == 200 and detail.json()["text"] == "Attendance is up this term."
    assert AuditEvent.objects.filter(
        action="view", object_type="records.casenote", actor=council.support
    ).exists()


def test_notes_allow_and_deny(
    council: Council, api: Callable[[User], Caller], make_note: Callable[..., CaseNote]
) -> None:
    note = make_note()
    hidden = make_note(person=council.hidden_child, actor=council.manager)
    assert api(council.analyst).get(NOTES, {"person": council.child.pk}).status_code == 403
    assert api(council.other).get(NOTES, {"person": council.hidden_child.pk}).status_code == 404
    assert api(council.other).get(NOTES).status_code == 400  # which child?
    assert api(council.analyst).get(f"{NOTES}{note.pk}/").status_code == 403
    assert api(council.other).get(f"{NOTES}{hidden.pk}/").status_code == 404
    assert api(council.support).post(NOTES, new_note(council)).status_code == 403
    refused = api(council.other).post(NOTES, new_note(council, person_id=council.hidden_child.pk))
    assert refused.status_code == 400 and "person_id" in refused.json()
    patch = {"version": note.version, "subject": "Changed"}
    assert api(council.other).patch(f"{NOTES}{note.pk}/", patch).status_code == 403
    assert api(council.support).patch(f"{NOTES}{note.pk}/", patch).status_code == 403
    assert api(council.author).patch(f"{NOTES}{hidden.pk}/", patch).status_code == 404
    withdraw = {"version": note.version, "reason": "Wrong child"}
    assert api(council.other).post(f"{NOTES}{note.pk}/withdraw/", withdraw).status_code == 403
    assert api(council.author).post(f"{NOTES}{hidden.pk}/withdraw/", withdraw).status_code == 404


def test_bad_notes_get_specific_messages(council: Council, api: Callable[[User], Caller]) -> None:
    future = (timezone.now() + timezone.timedelta(days=3)).isoformat()
    response = api(council.author).post(NOTES, new_note(council, occurred_at=future))
    assert response.status_code == 400
    assert "must be now or in the past" in response.json()["occurred_at"][0]
    response = api(council.author).post(NOTES, new_note(council, subject=" ", kind="gossip"))
    assert response.status_code == 400 and {"subject", "kind"} <= set(response.json())
    assert not CaseNote.objects.exists()


def test_change_with_the_version_read_and_409_when_stale(
    council: Council, api: Callable[[User], Caller], make_note: Callable[..., CaseNote]
) -> None:
    note = make_note()
    caller = api(council.author)
    response = caller.patch(f"{NOTES}{note.pk}/", {"version": 1, "significant": True})
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = caller.patch(f"{NOTES}{note.pk}/", {"version": 1, "subject": "Stale"})
    assert stale.status_code == 409 and "Someone else changed" in stale.json()["detail"]
    assert CaseNote.objects.get().subject == "Call with the school"
    done = caller.post(f"{NOTES}{note.pk}/withdraw/", {"version": 2, "reason": "Duplicate."})
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    assert CaseNote.objects.filter(pk=note.pk, status="withdrawn").exists()


def test_restricted_text_is_withheld(
    council: Council, api: Callable[[User], Caller], make_note: Callable[..., CaseNote]
) -> None:
    note = make_note(restricted=True, text=SECRET)
    hidden = api(council.other).get(f"{NOTES}{note.pk}/").json()
    assert hidden["readable"] is False
    assert hidden["text"] is None and hidden["subject"] is None and hidden["kind"] is None
    assert hidden["recorded_by"] == "Dee Duty" and hidden["occurred_at"]
    listed = api(council.other).get(NOTES, {"person": council.child.pk}).json()["results"]
    assert listed[0]["text"] is None and SECRET not in json.dumps(listed)
    assert api(council.lead).get(f"{NOTES}{note.pk}/").json()["text"] == SECRET
    assert api(council.manager).get(f"{NOTES}{note.pk}/").json()["text"] == SECRET


# --- documents -----------------------------------------------------------------------------------


def test_upload_read_version_and_download(council: Council, api: Callable[[User], Caller]) -> None:
    caller = api(council.author)
    response = caller.upload(
        DOCUMENTS,
        {
            "person_id": council.child.pk,
            "title": "Court order",
            "kind": "court_document",
            "file": upload("order.pdf"),
            "significant": "true",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Court order" and body["significant"] is True
    assert (
        len(body["versions"]) == 1 and body["current_version"]["original_filename"] == "order.pdf"
    )
    document = Document.objects.get()
    second = caller.upload(
        f"{DOCUMENTS}{document.pk}/versions/",
        {"version": body["version"], "file": upload("order-sealed.pdf"), "note": "Sealed"},
    )
    assert second.status_code == 201 and second.json()["number"] == 2
    stale = caller.upload(
        f"{DOCUMENTS}{document.pk}/versions/", {"version": body["version"], "file": upload()}
    )
    assert stale.status_code == 409
    detail = api(council.other).get(f"{DOCUMENTS}{document.pk}/").json()
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    listed = api(council.other).get(DOCUMENTS, {"person": council.child.pk}).json()["results"]
    assert listed[0]["current_version"]["number"] == 2
    first = DocumentVersion.objects.get(number=1)
    download = api(council.other).get(f"/api/document-versions/{first.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")


@override_settings(HEARTH_DOCUMENT_MAX_BYTES=50)
def test_uploads_refused_for_size_and_type(council: Council, api: Callable[[User], Caller]) -> None:
    caller = api(council.author)
    base = {"person_id": council.child.pk, "title": "Scan", "kind": "other"}
    big = caller.upload(DOCUMENTS, {**base, "file": upload("big.pdf")})
    assert big.status_code == 400
    assert big.json()["file"] == [
        f"The file big.pdf is {len(PDF)} bytes: it must be 50 bytes or smaller"
    ]
    gif = caller.upload(DOCUMENTS, {**base, "file": upload("photo.gif", GIF)})
    assert (
        gif.status_code == 400 and "is a GIF image: it must be one of PDF" in gif.json()["file"][0]
    )
    assert not Document.objects.exists()


@override_settings(HEARTH_DOCUMENT_SCANNER="hearth.records.scanning.eicar_only")
def test_an_infected_upload_is_refused(council: Council, api: Callable[[User], Caller]) -> None:
    response = api(council.author).upload(
        DOCUMENTS,
        {"person_id": council.child.pk, "title": "Letter", "kind": "other", "file": eicar()},
    )
    assert response.status_code == 400 and "failed the virus check" in response.json()["file"][0]
    assert not Document.objects.exists()
    assert AuditEvent.objects.filter(
        action="access_denied", object_type="records.document"
    ).exists()


def test_documents_allow_and_deny(
    council: Council, api: Callable[[User], Caller], make_document: Callable[..., Document]
) -> None:
    document = make_document(restricted=True, title="Health report")
    hidden = make_document(person=council.hidden_child, actor=council.manager)
    version = document.versions.get()
    assert api(council.analyst).get(DOCUMENTS, {"person": council.child.pk}).status_code == 403
    assert api(council.other).get(DOCUMENTS, {"person": council.hidden_child.pk}).status_code == 404
    assert api(council.other).get(f"{DOCUMENTS}{hidden.pk}/").status_code == 404
    withheld = api(council.other).get(f"{DOCUMENTS}{document.pk}/").json()
    assert withheld["readable"] is False and withheld["title"] is None
    assert withheld["versions"] == [] and withheld["current_version"] is None
    assert api(council.lead).get(f"{DOCUMENTS}{document.pk}/").json()["title"] == "Health report"
    path = f"/api/document-versions/{version.pk}/download/"
    assert api(council.other).get(path).status_code == 403
    assert api(council.analyst).get(path).status_code == 403
    assert api(council.lead).get(path).status_code == 200
    hidden_path = f"/api/document-versions/{hidden.versions.get().pk}/download/"
    assert api(council.lead).get(hidden_path).status_code == 404
    body = {"person_id": council.child.pk, "title": "X", "kind": "other", "file": upload()}
    assert api(council.support).upload(DOCUMENTS, body).status_code == 403
    new_version = {"version": document.version, "file": upload()}
    assert (
        api(council.other).upload(f"{DOCUMENTS}{document.pk}/versions/", new_version).status_code
        == 403
    )
    assert (
        api(council.lead).upload(f"{DOCUMENTS}{hidden.pk}/versions/", new_version).status_code
        == 404
    )
