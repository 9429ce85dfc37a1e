"""Case note and document pages: a child's notes (filtered, paged), add, read, change and withdraw
a note; a child's documents, upload, a document with its version history, a new version, withdraw
and download.

Every page is about a child's record: it goes through the policies (404 for a child the user may
not see) and is written to the access log (`audit.record_view`), downloads included.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from hearth.core import audit
from hearth.core.access import requires
from hearth.core.models import User
from hearth.core.views.submit import posted, posted_int, submitted
from hearth.people.policies import person_for
from hearth.timescales.calendar import LONDON

from . import policies, selectors, services
from .codes import DocumentKind, NoteKind
from .forms import NoteForm, UploadForm, VersionForm, WithdrawForm
from .models import CaseNote, Document, DocumentVersion

PAGE_SIZE = 25
VIEW, EDIT = policies.VIEW, policies.EDIT


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


# --- case notes ----------------------------------------------------------------------------------


@requires(VIEW)
def notes(request: HttpRequest, person_pk: int) -> HttpResponse:
    """The child's case notes, newest first; filter by kind and significance."""
    viewer = _viewer(request)
    person = person_for(viewer, person_pk)
    kind = request.GET.get("kind", "")
    kind = kind if kind in NoteKind.values else ""
    significant = request.GET.get("significant") == "1"
    withdrawn = request.GET.get("withdrawn") == "1"
    audit.record_view(actor=viewer, obj=person, person_id=person.pk, detail="Case notes")
    listed = selectors.notes_for_person(
        viewer, person, kind=kind, significant_only=significant, include_withdrawn=withdrawn
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "records/notes.html",
        {
            "person": person,
            "page_obj": page,
            "kinds": NoteKind.choices,
            "kind": kind,
            "significant": significant,
            "withdrawn": withdrawn,
            "filtered": bool(kind or significant),
            "may_add": viewer.has_perm(EDIT),
        },
    )


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def note_add(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, action="edit")
    form = NoteForm(posted(request))
    note = submitted(
        request,
        form,
        lambda d: services.case_note_record(actor=viewer, person=person, **form.note_data()),
    )
    if note is not None:
        messages.success(request, "Case note recorded")
        return redirect("records:note", pk=note.pk)
    return render(
        request,
        "records/note_form.html",
        {"form": form, "person": person, "adding": True},
        status=_status(form),
    )


@requires(VIEW)
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    note = policies.note_for(viewer, pk)
    readable = policies.may_read(note)
    audit.record_view(
        actor=viewer,
        obj=note,
        person_id=note.person_id,
        detail="Case note" if readable else "Restricted case note: date and author only",
    )
    return render(
        request,
        "records/note_detail.html",
        {
            "note": note,
            "person": note.person,
            "readable": readable,
            "may_change": policies.may_change_note(viewer, note),
        },
    )


def _changeable_note(request: HttpRequest, pk: int) -> CaseNote:
    viewer = _viewer(request)
    note = policies.note_for(viewer, pk)
    if not policies.may_change_note(viewer, note):
        raise PermissionDenied
    return note


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def note_change(request: HttpRequest, pk: int) -> HttpResponse:
    """The author or a manager corrects a note; the old values stay in the audit trail."""
    viewer = _viewer(request)
    note = _changeable_note(request, pk)
    local = note.occurred_at.astimezone(LONDON)
    form = NoteForm(
        posted(request),
        initial={
            "version": note.version,
            "kind": note.kind,
            "occurred_on": local.date(),
            "occurred_time": local.strftime("%H:%M"),
            "subject": note.subject,
            "text": note.text,
            "significant": note.significant,
            "restricted": note.restricted,
        },
    )
    saved = submitted(
        request,
        form,
        lambda d: services.case_note_update(
            actor=viewer,
            note=note,
            data=form.note_data(),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Case note changed")
        return redirect("records:note", pk=note.pk)
    audit.record_view(actor=viewer, obj=note, person_id=note.person_id, detail="Case note: change")
    return render(
        request,
        "records/note_form.html",
        {"form": form, "person": note.person, "note": note, "adding": False},
        status=_status(form),
    )


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def note_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    note = _changeable_note(request, pk)
    form = WithdrawForm(posted(request), initial={"version": note.version})
    saved = submitted(
        request,
        form,
        lambda d: services.case_note_withdraw(
            actor=viewer,
            note=note,
            reason=d["reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Case note withdrawn: it is kept, marked withdrawn")
        return redirect("records:note", pk=note.pk)
    return render(
        request,
        "records/withdraw.html",
        {
            "form": form,
            "person": note.person,
            "what": "case note",
            "title": note.subject,
            "back": ("records:note", note.pk),
        },
        status=_status(form),
    )


# --- documents -----------------------------------------------------------------------------------


@requires(VIEW)
def documents(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk)
    kind = request.GET.get("kind", "")
    kind = kind if kind in DocumentKind.values else ""
    withdrawn = request.GET.get("withdrawn") == "1"
    audit.record_view(actor=viewer, obj=person, person_id=person.pk, detail="Documents")
    listed = selectors.documents_for_person(viewer, person, kind=kind, include_withdrawn=withdrawn)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "records/documents.html",
        {
            "person": person,
            "page_obj": page,
            "kinds": DocumentKind.choices,
            "kind": kind,
            "withdrawn": withdrawn,
            "may_add": viewer.has_perm(EDIT),
        },
    )


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, action="edit")
    form = UploadForm(posted(request), request.FILES or None)
    document = submitted(
        request,
        form,
        lambda d: services.document_upload(
            actor=viewer,
            person=person,
            title=d["title"],
            kind=d["kind"],
            description=d.get("description", ""),
            file=d["file"],
            filename=d["file"].name,
            significant=bool(d.get("significant")),
            restricted=bool(d.get("restricted")),
        ),
    )
    if document is not None:
        messages.success(request, _uploaded_message(document))
        return redirect("records:document", pk=document.pk)
    return render(
        request,
        "records/upload.html",
        {"form": form, "person": person, "document": None},
        status=_status(form),
    )


def _uploaded_message(document: Document) -> str:
    version = selectors.current_version(document)
    if version is not None and not version.is_clean:
        return (
            f"Document uploaded. It cannot be downloaded yet: "
            f"{version.get_scan_status_display().lower()}"
        )
    return "Document uploaded"


@requires(VIEW)
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    document = policies.document_for(viewer, pk)
    readable = policies.may_read(document)
    audit.record_view(
        actor=viewer,
        obj=document,
        person_id=document.person_id,
        detail="Document" if readable else "Restricted document: date and uploader only",
    )
    versions = selectors.versions_of(document) if readable else []
    manager = policies.is_manager(viewer)
    return render(
        request,
        "records/document_detail.html",
        {
            "document": document,
            "person": document.person,
            "readable": readable,
            "rows": [(v, v.is_clean and (document.is_live or manager)) for v in versions],
            "may_add_version": policies.may_add_version(viewer, document),
            "may_withdraw": policies.may_withdraw_document(viewer, document),
        },
    )


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def document_version_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    document = policies.document_for(viewer, pk)
    if not policies.may_add_version(viewer, document):
        raise PermissionDenied
    form = VersionForm(
        posted(request), request.FILES or None, initial={"version": document.version}
    )
    version = submitted(
        request,
        form,
        lambda d: services.document_version_add(
            actor=viewer,
            document=document,
            file=d["file"],
            filename=d["file"].name,
            note=d.get("note", ""),
            expected_version=posted_int(request, "version"),
        ),
    )
    if version is not None:
        messages.success(request, f"Version {version.number} uploaded: it is now the current one")
        return redirect("records:document", pk=document.pk)
    return render(
        request,
        "records/upload.html",
        {"form": form, "person": document.person, "document": document},
        status=_status(form),
    )


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def document_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    document = policies.document_for(viewer, pk)
    if not policies.may_withdraw_document(viewer, document):
        raise PermissionDenied
    form = WithdrawForm(posted(request), initial={"version": document.version})
    saved = submitted(
        request,
        form,
        lambda d: services.document_withdraw(
            actor=viewer,
            document=document,
            reason=d["reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Document withdrawn: it is kept, marked withdrawn")
        return redirect("records:document", pk=document.pk)
    return render(
        request,
        "records/withdraw.html",
        {
            "form": form,
            "person": document.person,
            "what": "document",
            "title": document.title,
            "back": ("records:document", document.pk),
        },
        status=_status(form),
    )


def file_response(viewer: User, version: DocumentVersion) -> FileResponse:
    """The file as an attachment, after the policy; the download is written to the access log.
    Shared with the API."""
    refusal = policies.download_refusal(viewer, version)
    if refusal:
        raise PermissionDenied(refusal)
    document = version.document
    audit.record_view(
        actor=viewer,
        obj=document,
        person_id=document.person_id,
        detail=f"Downloaded version {version.number} ({version.original_filename})",
    )
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.original_filename,
        content_type=version.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@requires(VIEW)
def download(request: HttpRequest, pk: int) -> FileResponse:
    viewer = _viewer(request)
    return file_response(viewer, policies.version_for(viewer, pk))
