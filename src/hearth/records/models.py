"""Case notes and documents on a child's record.

A case note records something that happened (a call, a meeting, a decision) when it happened and
who recorded it; a significant one belongs in the chronology's significant view, a restricted one
is read only by its author, the child's allocated workers and managers. A document is a file on
the child's record with versions: a new version supersedes the last, earlier ones stay. Nothing is
deleted: notes and documents are withdrawn with a reason, and every edit keeps its previous values
in the audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hearth.core.models import BaseModel

from .codes import DocumentKind, NoteKind, RecordStatus, ScanStatus


def _status_consistent(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(
            Q(status=RecordStatus.LIVE)
            & Q(withdrawn_at__isnull=True)
            & Q(withdrawn_by__isnull=True)
            & Q(withdrawal_reason="")
        )
        | (
            Q(status=RecordStatus.WITHDRAWN)
            & Q(withdrawn_at__isnull=False)
            & Q(withdrawn_by__isnull=False)
            & ~Q(withdrawal_reason="")
        ),
        name=f"{prefix}_status_consistent",
    )


class CaseNote(BaseModel):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="case_notes")
    kind = models.CharField(max_length=30, choices=NoteKind.choices)
    occurred_at = models.DateTimeField("When it happened")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_notes_recorded"
    )
    subject = models.CharField(max_length=200)
    text = models.TextField()
    significant = models.BooleanField(
        default=False, help_text="A significant event: it appears in the significant chronology."
    )
    restricted = models.BooleanField(
        default=False,
        help_text="Sensitive: read only by its author, the child's allocated workers and managers.",
    )
    status = models.CharField(
        max_length=10, choices=RecordStatus.choices, default=RecordStatus.LIVE
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["person", "status", "occurred_at"], name="casenote_person_live"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(subject="") & ~Q(text=""), name="casenote_has_subject_and_text"
            ),
            models.CheckConstraint(
                condition=Q(occurred_at__lte=F("recorded_at")),
                name="casenote_occurred_before_recorded",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("recorded_at")),
                name="casenote_withdrawn_after_recorded",
            ),
            _status_consistent("casenote"),
        ]

    def __str__(self) -> str:
        return f"Case note {self.pk}: {self.get_kind_display()}"

    @property
    def is_live(self) -> bool:
        return self.status == RecordStatus.LIVE


class Document(BaseModel):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    description = models.TextField(blank=True)
    significant = models.BooleanField(
        default=False, help_text="Its upload is a significant event in the chronology."
    )
    restricted = models.BooleanField(
        default=False,
        help_text="Sensitive: opened only by its uploader, the child's allocated workers and "
        "managers.",
    )
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents_uploaded"
    )
    status = models.CharField(
        max_length=10, choices=RecordStatus.choices, default=RecordStatus.LIVE
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["person", "status", "uploaded_at"], name="document_person_live"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="document_has_title"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("uploaded_at")),
                name="document_withdrawn_after_upload",
            ),
            _status_consistent("document"),
        ]

    def __str__(self) -> str:
        return f"Document {self.pk}: {self.title}"

    @property
    def is_live(self) -> bool:
        return self.status == RecordStatus.LIVE


class DocumentVersion(BaseModel):
    """One uploaded file. The current version has no `superseded_at`; earlier ones keep theirs.

    Stored under a random name (never the uploader's file name) in the default storage, which is
    not served: files are read only through the download view."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(max_length=255)
    original_filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(help_text="In bytes.")
    content_type = models.CharField(max_length=100, help_text="Worked out from the content.")
    sha256 = models.CharField("SHA-256", max_length=64)
    note = models.CharField("What changed", max_length=500, blank=True)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scan_status = models.CharField(
        max_length=10, choices=ScanStatus.choices, default=ScanStatus.PENDING
    )
    scan_detail = models.CharField(max_length=500, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number"),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_version_per_document",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="document_version_from_1"),
            models.CheckConstraint(
                condition=Q(superseded_at__isnull=True) | Q(superseded_at__gte=F("uploaded_at")),
                name="document_version_superseded_after_upload",
            ),
            models.CheckConstraint(
                condition=Q(scanned_at__isnull=True) | Q(scanned_at__gte=F("uploaded_at")),
                name="document_version_scanned_after_upload",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of document {self.document_id}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def is_clean(self) -> bool:
        return self.scan_status == ScanStatus.CLEAN
