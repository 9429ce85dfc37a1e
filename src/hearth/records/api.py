"""Case notes and documents for systems: a child's notes (list, record, read, change, withdraw) and
documents (list, upload, read with versions, upload a new version, download a version).

Same rules as the pages: a child the caller may not see is 404; a restricted note or document the
caller may not read comes back with its date and author only (`readable` false, the text, title
and files withheld); a change sends the `version` the caller read, and a stale one is 409 with
nothing saved. A file refused for its size or type is 400 with a message naming the limit or the
type; an infected file is 400 and not kept. Every read of a child's record is in the access log.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from hearth.core import audit
from hearth.core.api.common import MethodPermissions, ServiceErrorsMixin, error_responses
from hearth.core.models import User
from hearth.core.services import ConcurrentEditError
from hearth.people.models import Person
from hearth.people.policies import person_for

from . import policies, selectors, services
from .codes import DocumentKind, NoteKind, RecordStatus, ScanStatus
from .models import CaseNote, Document, DocumentVersion
from .views import file_response

VIEW, EDIT = policies.VIEW, policies.EDIT

CONFLICT = {
    409: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Someone changed the record since the caller read it (the `version` sent is "
        "not the current one): read it again, then send the change again.",
    )
}
HIDDEN_NOTE_FIELDS = ("kind", "subject", "text", "withdrawal_reason")
HIDDEN_DOCUMENT_FIELDS = ("title", "kind", "description", "withdrawal_reason", "current_version")


# --- serializers ---------------------------------------------------------------------------------


class CaseNoteSerializer(serializers.ModelSerializer[CaseNote]):
    kind = serializers.ChoiceField(
        choices=NoteKind.choices, allow_null=True, help_text="Null when `readable` is false."
    )
    subject = serializers.CharField(allow_null=True, help_text="Null when `readable` is false.")
    text = serializers.CharField(allow_null=True, help_text="Null when `readable` is false.")
    recorded_by = serializers.CharField(source="recorded_by.full_name")
    status = serializers.ChoiceField(choices=RecordStatus.choices)
    readable = serializers.BooleanField(
        help_text="False for a restricted note the caller may not read: only its date and "
        "author are given."
    )
    withdrawal_reason = serializers.CharField(allow_null=True)

    class Meta:
        model = CaseNote
        fields = [
            "id",
            "version",
            "person_id",
            "kind",
            "occurred_at",
            "recorded_at",
            "recorded_by_id",
            "recorded_by",
            "subject",
            "text",
            "significant",
            "restricted",
            "readable",
            "status",
            "withdrawn_at",
            "withdrawn_by_id",
            "withdrawal_reason",
        ]
        read_only_fields = fields

    def to_representation(self, instance: CaseNote) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not policies.may_read(instance):
            data.update(dict.fromkeys(HIDDEN_NOTE_FIELDS))
        return data


class PersonFilterSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(help_text="The child whose records to list.")


class NoteFilterSerializer(PersonFilterSerializer):
    kind = serializers.ChoiceField(choices=NoteKind.choices, required=False)
    significant = serializers.BooleanField(
        required=False, default=False, help_text="Only significant events."
    )
    withdrawn = serializers.BooleanField(
        required=False, default=False, help_text="Include withdrawn notes."
    )


class NoteCreateSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NoteKind.choices)
    occurred_at = serializers.DateTimeField(help_text="When it happened; not in the future.")
    subject = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=50_000)
    significant = serializers.BooleanField(required=False, default=False)
    restricted = serializers.BooleanField(required=False, default=False)


class NoteChangeSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The note's version the caller read.")
    kind = serializers.ChoiceField(choices=NoteKind.choices, required=False)
    occurred_at = serializers.DateTimeField(required=False)
    subject = serializers.CharField(max_length=200, required=False)
    text = serializers.CharField(max_length=50_000, required=False)
    significant = serializers.BooleanField(required=False)
    restricted = serializers.BooleanField(required=False)


class WithdrawSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The record's version the caller read.")
    reason = serializers.CharField(max_length=2_000)


class VersionSerializer(serializers.ModelSerializer[DocumentVersion]):
    uploaded_by = serializers.CharField(source="uploaded_by.full_name")
    scan_status = serializers.ChoiceField(choices=ScanStatus.choices)
    download_url = serializers.SerializerMethodField(
        help_text="Null until the file passed the virus check."
    )

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "number",
            "original_filename",
            "size",
            "content_type",
            "sha256",
            "note",
            "uploaded_at",
            "uploaded_by_id",
            "uploaded_by",
            "scan_status",
            "scan_detail",
            "superseded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, version: DocumentVersion) -> str | None:
        if version.scan_status != ScanStatus.CLEAN:
            return None
        return f"/api/document-versions/{version.pk}/download/"


class DocumentSerializer(serializers.ModelSerializer[Document]):
    title = serializers.CharField(allow_null=True, help_text="Null when `readable` is false.")
    kind = serializers.ChoiceField(choices=DocumentKind.choices, allow_null=True)
    description = serializers.CharField(allow_null=True)
    uploaded_by = serializers.CharField(source="uploaded_by.full_name")
    status = serializers.ChoiceField(choices=RecordStatus.choices)
    readable = serializers.BooleanField(
        help_text="False for a restricted document the caller may not open: only its date and "
        "uploader are given."
    )
    withdrawal_reason = serializers.CharField(allow_null=True)
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "version",
            "person_id",
            "title",
            "kind",
            "description",
            "significant",
            "restricted",
            "readable",
            "status",
            "uploaded_at",
            "uploaded_by_id",
            "uploaded_by",
            "withdrawn_at",
            "withdrawn_by_id",
            "withdrawal_reason",
            "current_version",
        ]
        read_only_fields = fields

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_current_version(self, document: Document) -> dict[str, Any] | None:
        version = selectors.current_version(document)
        return VersionSerializer(version).data if version is not None else None

    def to_representation(self, instance: Document) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not policies.may_read(instance):
            data.update(dict.fromkeys(HIDDEN_DOCUMENT_FIELDS))
        return data


class DocumentDetailSerializer(DocumentSerializer):
    versions = serializers.SerializerMethodField(help_text="Every version, newest first.")

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "versions"]
        read_only_fields = fields

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, document: Document) -> list[dict[str, Any]]:
        if not policies.may_read(document):
            return []
        return list(VersionSerializer(selectors.versions_of(document), many=True).data)


class DocumentFilterSerializer(PersonFilterSerializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False)
    withdrawn = serializers.BooleanField(
        required=False, default=False, help_text="Include withdrawn documents."
    )


class UploadSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    description = serializers.CharField(
        max_length=5_000, required=False, allow_blank=True, default=""
    )
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    significant = serializers.BooleanField(required=False, default=False)
    restricted = serializers.BooleanField(required=False, default=False)


class VersionUploadSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The document's version the caller read.")
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


# --- helpers -------------------------------------------------------------------------------------


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]  # the permission classes ensure a User


def _child_for(user: User, person_id: int) -> Person:
    try:
        return person_for(user, person_id, action="edit")
    except Http404:
        raise exceptions.ValidationError({"person_id": ["No child record with this id"]}) from None


class _Base(ServiceErrorsMixin, generics.GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, MethodPermissions]
    parser_classes = [JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ConcurrentEditError):
            return Response({"detail": ConcurrentEditError.message}, status=409)
        return super().handle_exception(exc)


# --- case notes ----------------------------------------------------------------------------------


class CaseNoteListView(_Base):
    """A child's case notes (GET ?person=) and recording one (POST)."""

    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to read (a child the caller may see, else 404), "
        "core.edit_case_records to record"
    )
    serializer_class = CaseNoteSerializer

    @extend_schema(
        summary="List a child's case notes",
        description="Newest first (when they happened). Restricted notes the caller may not read "
        "are listed with their date and author only.",
        parameters=[NoteFilterSerializer],
        responses={200: CaseNoteSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = NoteFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = params.validated_data
        viewer = _viewer(request)
        person = person_for(viewer, found["person"])
        audit.record_view(actor=viewer, obj=person, person_id=person.pk, detail="Case notes")
        notes = selectors.notes_for_person(
            viewer,
            person,
            kind=found.get("kind", ""),
            significant_only=found["significant"],
            include_withdrawn=found["withdrawn"],
        )
        page = self.paginate_queryset(notes)
        return self.get_paginated_response(CaseNoteSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a case note",
        request=NoteCreateSerializer,
        responses={201: CaseNoteSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = NoteCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        viewer = _viewer(request)
        person = _child_for(viewer, data.pop("person_id"))
        note = services.case_note_record(actor=viewer, person=person, **data)
        return Response(
            CaseNoteSerializer(policies.note_for(viewer, note.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{note.pk}/"},
        )


class CaseNoteDetailView(_Base):
    """One case note (GET) and changing it (PATCH, with the version read)."""

    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to read (records.policies.note_for: 404 unless the "
        "child is visible); core.edit_case_records and the note's author or a manager to change"
    )
    serializer_class = CaseNoteSerializer

    @extend_schema(
        summary="One case note",
        responses={200: CaseNoteSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        note = policies.note_for(viewer, pk)
        readable = policies.may_read(note)
        audit.record_view(
            actor=viewer,
            obj=note,
            person_id=note.person_id,
            detail="Case note" if readable else "Restricted case note: date and author only",
        )
        return Response(CaseNoteSerializer(note).data)

    @extend_schema(
        summary="Change a case note",
        description="By its author or a manager. Send only the fields to change, and the "
        "`version` read; the previous values are kept in the audit trail.",
        request=NoteChangeSerializer,
        responses={200: CaseNoteSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        note = policies.note_for(viewer, pk)
        if not policies.may_change_note(viewer, note):
            raise exceptions.PermissionDenied(
                "Only the note's author or a manager can change a live note they may read"
            )
        incoming = NoteChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        expected = data.pop("version")
        services.case_note_update(actor=viewer, note=note, data=data, expected_version=expected)
        return Response(CaseNoteSerializer(policies.note_for(viewer, pk)).data)


class CaseNoteWithdrawView(_Base):
    required_perms = {"POST": (EDIT,)}
    access_rule = (
        "permission: core.edit_case_records; the note's author or a manager, on a record they "
        "may see"
    )
    serializer_class = CaseNoteSerializer

    @extend_schema(
        summary="Withdraw a case note",
        description="It is kept, marked withdrawn with the reason, and leaves the chronology.",
        request=WithdrawSerializer,
        responses={200: CaseNoteSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        note = policies.note_for(viewer, pk)
        if not policies.may_change_note(viewer, note):
            raise exceptions.PermissionDenied(
                "Only the note's author or a manager can withdraw a live note"
            )
        incoming = WithdrawSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.case_note_withdraw(
            actor=viewer,
            note=note,
            reason=incoming.validated_data["reason"],
            expected_version=incoming.validated_data["version"],
        )
        return Response(CaseNoteSerializer(policies.note_for(viewer, pk)).data)


# --- documents -----------------------------------------------------------------------------------


def _document(viewer: User, pk: int) -> Document:
    document = policies.document_for(viewer, pk)
    return selectors.documents_for_person(viewer, document.person_id, include_withdrawn=True).get(
        pk=pk
    )


class DocumentListView(_Base):
    """A child's documents (GET ?person=) and uploading one (POST, multipart)."""

    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to read (a child the caller may see, else 404), "
        "core.edit_case_records to upload"
    )
    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="List a child's documents",
        description="Newest first, each with its current version. Restricted documents the "
        "caller may not open are listed with their date and uploader only.",
        parameters=[DocumentFilterSerializer],
        responses={200: DocumentSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = DocumentFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = params.validated_data
        viewer = _viewer(request)
        person = person_for(viewer, found["person"])
        audit.record_view(actor=viewer, obj=person, person_id=person.pk, detail="Documents")
        documents = selectors.documents_for_person(
            viewer, person, kind=found.get("kind", ""), include_withdrawn=found["withdrawn"]
        )
        page = self.paginate_queryset(documents)
        return self.get_paginated_response(DocumentSerializer(page, many=True).data)

    @extend_schema(
        summary="Upload a document",
        description="multipart/form-data. The file's type is worked out from its content; it is "
        "refused (400, naming the limit or the type) when too big or not an accepted type, and "
        "when the virus scanner finds it infected (nothing is kept).",
        request={"multipart/form-data": UploadSerializer},
        responses={201: DocumentDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = UploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        viewer = _viewer(request)
        person = _child_for(viewer, data.pop("person_id"))
        upload = data.pop("file")
        document = services.document_upload(
            actor=viewer, person=person, file=upload, filename=upload.name, **data
        )
        return Response(
            DocumentDetailSerializer(_document(viewer, document.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{document.pk}/"},
        )


class DocumentDetailView(_Base):
    required_perms = {"GET": (VIEW,)}
    access_rule = (
        "permission: core.view_case_records; records.policies.document_for (404 unless the "
        "child is visible)"
    )
    serializer_class = DocumentDetailSerializer

    @extend_schema(
        summary="One document with its versions",
        responses={200: DocumentDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        document = _document(viewer, pk)
        readable = policies.may_read(document)
        audit.record_view(
            actor=viewer,
            obj=document,
            person_id=document.person_id,
            detail="Document" if readable else "Restricted document: date and uploader only",
        )
        return Response(DocumentDetailSerializer(document).data)


class DocumentVersionsView(_Base):
    required_perms = {"POST": (EDIT,)}
    access_rule = (
        "permission: core.edit_case_records; a live document the caller may open, on a record "
        "they may see"
    )
    serializer_class = VersionSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Upload a new version of a document",
        description="It becomes the current version; earlier versions stay downloadable. The "
        "same checks as an upload; send the document's `version` read (409 when stale).",
        request={"multipart/form-data": VersionUploadSerializer},
        responses={201: VersionSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        document = policies.document_for(viewer, pk)
        if not policies.may_add_version(viewer, document):
            raise exceptions.PermissionDenied(
                "Only staff who may open this document can add a version to a live document"
            )
        incoming = VersionUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        version = services.document_version_add(
            actor=viewer,
            document=document,
            file=data["file"],
            filename=data["file"].name,
            note=data["note"],
            expected_version=data["version"],
        )
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class DownloadView(_Base):
    required_perms = {"GET": (VIEW,)}
    access_rule = (
        "permission: core.view_case_records; records.policies.version_for (404 unless the "
        "child is visible), download_refusal (restricted, withdrawn, not clean: 403)"
    )

    @extend_schema(
        summary="Download a version's file",
        description="The file as an attachment, only once it passed the virus check; each "
        "download is written to the access log.",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            **error_responses(401, 403, 404),
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        viewer = _viewer(request)
        version = policies.version_for(viewer, pk)
        refusal = policies.download_refusal(viewer, version)
        if refusal:
            raise exceptions.PermissionDenied(refusal)
        return file_response(viewer, version)
