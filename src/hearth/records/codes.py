"""Code lists for case notes and documents."""

from __future__ import annotations

from django.db import models


class NoteKind(models.TextChoices):
    """What the note records. Home visits are recorded as visits, not here."""

    TELEPHONE = "telephone", "Telephone call"
    MEETING = "meeting", "Meeting"
    CORRESPONDENCE = "correspondence", "Correspondence"
    DIRECT_WORK = "direct_work", "Direct work"
    MANAGEMENT_DECISION = "management_decision", "Management decision"
    INFORMATION_RECEIVED = "information_received", "Information received"
    OBSERVATION = "observation", "Observation"
    OTHER = "other", "Other"


class DocumentKind(models.TextChoices):
    ASSESSMENT_REPORT = "assessment_report", "Assessment report"
    COURT_DOCUMENT = "court_document", "Court document"
    CORRESPONDENCE = "correspondence", "Correspondence"
    PLAN = "plan", "Plan"
    CONSENT_FORM = "consent_form", "Consent form"
    PHOTOGRAPH = "photograph", "Photograph"
    OTHER = "other", "Other"


class RecordStatus(models.TextChoices):
    """Nothing is deleted: a note or document recorded in error is withdrawn with a reason."""

    LIVE = "live", "Live"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ScanStatus(models.TextChoices):
    PENDING = "pending", "Awaiting the virus check"
    CLEAN = "clean", "Passed the virus check"
    INFECTED = "infected", "Failed the virus check"
    ERROR = "error", "The virus check failed to run"
