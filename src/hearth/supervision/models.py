"""Supervision and management oversight.

A `SupervisionSession` is one supervision of a worker by a supervisor: held (attended) or cancelled,
with the reflective discussion and a wellbeing check that only the worker, the supervisor and the
worker's management line may read. Its `CaseDiscussion`s are about children the worker holds; each
records a decision and its rationale, with `DiscussionAction`s, and belongs to the child's record.
`ManagementOversight` is a manager's decision on a child's record outside supervision.

Nothing here is deleted: a record entered in error is withdrawn with a reason and stays in the
audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hearth.core.models import BaseModel


class SessionStatus(models.TextChoices):
    ATTENDED = "attended", "Held"
    CANCELLED = "cancelled", "Cancelled"


class CancellationReason(models.TextChoices):
    WORKER_UNAVAILABLE = "worker_unavailable", "Worker unavailable (sickness or leave)"
    SUPERVISOR_UNAVAILABLE = "supervisor_unavailable", "Supervisor unavailable"
    URGENT_CASEWORK = "urgent_casework", "Urgent casework took priority"
    COURT = "court", "Court or conference attendance"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class Wellbeing(models.IntegerChoices):
    """How the worker says they are, in their words, on a five-point scale."""

    STRUGGLING = 1, "1 – struggling"
    UNDER_STRAIN = 2, "2 – under strain"
    MANAGING = 3, "3 – managing"
    WELL = 4, "4 – well"
    THRIVING = 5, "5 – thriving"


class Withdrawable(models.Model):
    """Entered in error: withdrawn with a reason, kept for the audit trail."""

    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


def _withdrawal_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(Q(withdrawn_at__isnull=True) & Q(withdrawn_reason=""))
        | (Q(withdrawn_at__isnull=False) & ~Q(withdrawn_reason="")),
        name=name,
    )


class SupervisionSession(Withdrawable, BaseModel):
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_sessions"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_given"
    )
    session_date = models.DateField(
        "Date", help_text="The day the session was held, or the day it was planned for."
    )
    status = models.CharField(max_length=20, choices=SessionStatus.choices)
    cancellation_reason = models.CharField(
        max_length=30, choices=CancellationReason.choices, blank=True
    )
    cancellation_note = models.TextField(blank=True)
    reflective_discussion = models.TextField(blank=True)
    wellbeing_rating = models.PositiveSmallIntegerField(
        choices=Wellbeing.choices, null=True, blank=True
    )
    wellbeing_notes = models.TextField(blank=True)
    next_session_on = models.DateField("Next session agreed for", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-session_date", "-id"]
        indexes = [
            models.Index(fields=["worker", "session_date"], name="supervision_worker_date"),
            models.Index(fields=["supervisor", "session_date"], name="supervision_supervisor"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(worker=F("supervisor")), name="supervision_not_self_supervised"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="attended")
                    & Q(cancellation_reason="")
                    & Q(cancellation_note="")
                    & Q(wellbeing_rating__isnull=False)
                )
                | (
                    Q(status="cancelled")
                    & ~Q(cancellation_reason="")
                    & Q(wellbeing_rating__isnull=True)
                    & Q(wellbeing_notes="")
                    & Q(reflective_discussion="")
                ),
                name="supervision_attended_or_cancelled_with_reason",
            ),
            models.CheckConstraint(
                condition=~Q(cancellation_reason="other") | ~Q(cancellation_note=""),
                name="supervision_other_cancellation_explained",
            ),
            models.CheckConstraint(
                condition=Q(wellbeing_rating__isnull=True)
                | Q(wellbeing_rating__gte=1, wellbeing_rating__lte=5),
                name="supervision_wellbeing_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(next_session_on__isnull=True)
                | Q(next_session_on__gt=F("session_date")),
                name="supervision_next_session_after_this_one",
            ),
            _withdrawal_constraint("supervision_withdrawal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Supervision on {self.session_date:%d %B %Y} ({self.get_status_display()})"

    @property
    def attended(self) -> bool:
        return self.status == SessionStatus.ATTENDED

    @property
    def clock_source(self) -> str:
        """How the session's clock event names it (`record_event(source=...)`)."""
        return f"supervision.supervisionsession:{self.pk}"


class CaseDiscussion(Withdrawable, BaseModel):
    """A child's case discussed in supervision: part of the child's record (never the wellbeing)."""

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.PROTECT, related_name="discussions"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="case_discussions"
    )
    summary = models.TextField("What was discussed")
    decision = models.TextField()
    rationale = models.TextField("Reasons for the decision")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["session", "id"]
        indexes = [models.Index(fields=["person", "session"], name="case_discussion_person")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(summary="") & ~Q(decision="") & ~Q(rationale=""),
                name="case_discussion_has_decision_and_rationale",
            ),
            _withdrawal_constraint("case_discussion_withdrawal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Case discussion {self.pk}"


class DiscussionAction(BaseModel):
    """Something agreed in a case discussion: who does it, by when, and when it was done."""

    discussion = models.ForeignKey(CaseDiscussion, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_actions"
    )
    agreed_on = models.DateField(help_text="The day the action was agreed.")
    due_on = models.DateField("Due by")
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["owner", "completed_on", "due_on"], name="supervision_action_owner"
            )
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="action_has_description"),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("agreed_on")), name="action_due_after_agreed"
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("agreed_on")),
                name="action_completed_after_agreed",
            ),
        ]

    def __str__(self) -> str:
        return f"Action due {self.due_on:%d %B %Y}"

    @property
    def is_done(self) -> bool:
        return self.completed_on is not None


class ManagementOversight(Withdrawable, BaseModel):
    """A manager's decision on a child's case, with the reasons, on the child's record."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="management_oversight"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="oversight_recorded"
    )
    oversight_on = models.DateField("Date")
    decision = models.TextField()
    rationale = models.TextField("Reasons for the decision")

    class Meta:
        ordering = ["-oversight_on", "-id"]
        indexes = [models.Index(fields=["person", "oversight_on"], name="oversight_person")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="") & ~Q(rationale=""),
                name="oversight_has_decision_and_rationale",
            ),
            _withdrawal_constraint("oversight_withdrawal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Management oversight on {self.oversight_on:%d %B %Y}"
