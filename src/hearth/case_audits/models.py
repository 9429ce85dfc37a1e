"""Case audits: graded templates, audit programmes, audits of children's cases, moderation by a
second person, findings, and actions that stay on the child's record until they are done.

Ofsted's finding behind this app: audits that did not drive improvement. So every audit ends in a
grade a second person has checked, findings by theme that can be counted, and actions with an owner
and a due date that do not disappear until someone says they are done.

A template that has been used is never edited: it is superseded by a new edition, and past audits
keep the domains and questions they were graded against.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hearth.core.models import BaseModel


class Grade(models.TextChoices):
    """Ofsted's four-point scale, used for each domain and for the case as a whole."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


# Best first; the colour of each grade's tag and chart bar.
GRADE_ORDER: tuple[str, ...] = tuple(Grade.values)
GRADE_COLOURS = {
    Grade.OUTSTANDING: "green",
    Grade.GOOD: "turquoise",
    Grade.REQUIRES_IMPROVEMENT: "orange",
    Grade.INADEQUATE: "red",
}


class Theme(models.TextChoices):
    """What a domain (and so a finding) is about, for counting findings across audits."""

    VOICE = "voice", "The child's lived experience and voice"
    ASSESSMENT = "assessment", "Assessment and analysis"
    PLANNING = "planning", "Planning and risk"
    OVERSIGHT = "oversight", "Management oversight and supervision"
    DIRECT_WORK = "direct_work", "Visits and direct work"
    PARTNERSHIP = "partnership", "Partnership and multi-agency work"
    IDENTITY = "identity", "Identity, diversity and equality"
    RECORDING = "recording", "Recording and chronology"
    OTHER = "other", "Other"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted for moderation"
    MODERATED = "moderated", "Moderated"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATUSES = (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)
COMPLETED_STATUSES = (AuditStatus.SUBMITTED, AuditStatus.MODERATED)


class FindingKind(models.TextChoices):
    STRENGTH = "strength", "Strength"
    AREA_FOR_IMPROVEMENT = "area_for_improvement", "Area for improvement"


class AuditTemplate(BaseModel):
    """The domains and questions an audit is graded against. One edition of it: a template that
    has been used is superseded by a new edition (`supersedes`), never edited."""

    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    active = models.BooleanField(
        default=True, help_text="Only active templates can be chosen for a new programme."
    )
    edition = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        help_text="The earlier edition this one replaced.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-active", "name", "-edition"]
        constraints = [
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | Q(edition__gt=1),
                name="audit_template_superseding_edition_after_first",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")), name="audit_template_not_superseding_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (edition {self.edition})"


class AuditDomain(models.Model):
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="domains")
    title = models.CharField(max_length=200)
    theme = models.CharField(max_length=20, choices=Theme.choices)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="audit_domain_order"),
        ]

    def __str__(self) -> str:
        return self.title


class AuditQuestion(models.Model):
    domain = models.ForeignKey(AuditDomain, on_delete=models.PROTECT, related_name="questions")
    text = models.CharField(max_length=300)
    guidance = models.TextField(blank=True, help_text="What the auditor should look for.")
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["domain", "order"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "order"], name="audit_question_order"),
        ]

    def __str__(self) -> str:
        return self.text


class AuditProgramme(BaseModel):
    """Which cases are audited against which template, by whom and by when (a month's audits)."""

    name = models.CharField(max_length=150)
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="programmes")
    period_start = models.DateField()
    period_end = models.DateField()
    due_by = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="audit_programme_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(due_by__gte=F("period_start")),
                name="audit_programme_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CaseAudit(BaseModel):
    """One child's case audited by one auditor: graded by domain and overall, then moderated."""

    programme = models.ForeignKey(AuditProgramme, on_delete=models.PROTECT, related_name="audits")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="audits")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_audits"
    )
    assigned_on = models.DateField()
    due_by = models.DateField()
    status = models.CharField(
        max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNED
    )
    withdrawn_reason = models.TextField(blank=True)
    # Who held the case when it was audited (the lead allocation), for the summary by team.
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overall_grade = models.CharField(max_length=20, choices=Grade.choices, blank=True)
    summary = models.TextField("Auditor's summary", blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_by", "id"]
        indexes = [
            models.Index(fields=["auditor", "status"], name="case_audit_auditor"),
            models.Index(fields=["status", "submitted_at"], name="case_audit_completed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_by__gte=F("assigned_on")), name="case_audit_due_after_assigned"
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(submitted_at__gte=F("started_at")),
                name="case_audit_submitted_after_started",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=COMPLETED_STATUSES)
                | (Q(submitted_at__isnull=False) & ~Q(overall_grade="")),
                name="case_audit_completed_is_graded",
            ),
            models.CheckConstraint(
                condition=(Q(status=AuditStatus.WITHDRAWN) & ~Q(withdrawn_reason=""))
                | (~Q(status=AuditStatus.WITHDRAWN) & Q(withdrawn_reason="")),
                name="case_audit_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(worker__isnull=True) | ~Q(worker=F("auditor")),
                name="case_audit_not_own_case",
            ),
            models.UniqueConstraint(
                fields=["programme", "person"],
                condition=~Q(status=AuditStatus.WITHDRAWN),
                name="case_audit_once_per_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"Case audit {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class DomainGrade(models.Model):
    audit = models.ForeignKey(CaseAudit, on_delete=models.PROTECT, related_name="domain_grades")
    domain = models.ForeignKey(AuditDomain, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=20, choices=Grade.choices, blank=True)
    commentary = models.TextField(blank=True)

    class Meta:
        ordering = ["audit", "domain__order"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "domain"], name="domain_grade_once"),
        ]

    def __str__(self) -> str:
        return f"{self.domain_id}: {self.grade or 'not graded'}"


class QuestionAnswer(models.Model):
    audit = models.ForeignKey(CaseAudit, on_delete=models.PROTECT, related_name="answers")
    question = models.ForeignKey(AuditQuestion, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["audit", "question__domain__order", "question__order"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "question"], name="question_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.answer or 'not answered'}"


class Moderation(BaseModel):
    """A second person's check of a submitted audit. Their grade is the audit's final grade."""

    audit = models.OneToOneField(CaseAudit, on_delete=models.PROTECT, related_name="moderation")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed = models.BooleanField(help_text="The moderator agreed with the auditor's grade.")
    grade = models.CharField("Final grade", max_length=20, choices=Grade.choices)
    commentary = models.TextField("Moderator's commentary")
    moderated_at = models.DateTimeField()

    class Meta:
        ordering = ["-moderated_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(commentary=""), name="moderation_has_commentary"),
            models.CheckConstraint(condition=~Q(grade=""), name="moderation_has_grade"),
        ]

    def __str__(self) -> str:
        return f"Moderation of audit {self.audit_id}"


class Finding(BaseModel):
    audit = models.ForeignKey(CaseAudit, on_delete=models.PROTECT, related_name="findings")
    theme = models.CharField(max_length=20, choices=Theme.choices)
    kind = models.CharField(max_length=25, choices=FindingKind.choices)
    text = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Removed while the audit was being written (kept, never deleted).
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["audit", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="finding_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_theme_display()}"


class AuditAction(BaseModel):
    """Something to put right on the child's case, with an owner and a due date. It shows on the
    child's record and the owner's lists until it is done (or cancelled, with a reason)."""

    audit = models.ForeignKey(CaseAudit, on_delete=models.PROTECT, related_name="actions")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="audit_actions"
    )
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_actions"
    )
    raised_on = models.DateField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completion_note = models.TextField(blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_on = models.DateField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "completed_on"], name="audit_action_owner"),
            models.Index(fields=["person", "completed_on"], name="audit_action_person"),
            models.Index(
                fields=["completed_on", "cancelled_on", "due_on"], name="audit_action_open"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="audit_action_described"),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("raised_on")), name="audit_action_due_after_raised"
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("raised_on")),
                name="audit_action_completed_after_raised",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_on__isnull=True) | Q(cancelled_on__gte=F("raised_on")),
                name="audit_action_cancelled_after_raised",
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | ~Q(completion_note=""),
                name="audit_action_completion_has_note",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_on__isnull=True) | ~Q(cancel_reason=""),
                name="audit_action_cancellation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(cancelled_on__isnull=True),
                name="audit_action_done_or_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"Audit action {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.completed_on is None and self.cancelled_on is None
