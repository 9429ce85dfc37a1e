"""Escalations: someone with a role on a child's case (an IRO, a conference chair, the social
worker, a partner agency that referred the child) raises a concern about it with the management
line, and each stage must answer within the council's timescale (`escalation-response`).

Ofsted found escalations by conference chairs that got no response: here an escalation always has
an owner, every stage has a deadline, and a stage not answered in time rises to the next by
itself (`services.escalations_rise_overdue`). Nothing is deleted: a stage that ends keeps its
row, so the rows are the escalation's history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast

from hearth.core.models import BaseModel


class Stage(models.IntegerChoices):
    """The management line an escalation climbs, in order."""

    TEAM_MANAGER = 1, "Team manager"
    SERVICE_MANAGER = 2, "Service manager"
    HEAD_OF_SERVICE = 3, "Head of service"
    DIRECTOR = 4, "Director"


class RaiserRole(models.TextChoices):
    """The raiser's role on the child's case (a `workforce.CaseRole`, or a referring partner)."""

    LEAD = "lead", "Lead social worker"
    PERSONAL_ADVISER = "personal_adviser", "Personal adviser"
    IRO = "iro", "Independent reviewing officer"
    CONFERENCE_CHAIR = "conference_chair", "Conference chair"
    FAMILY_SUPPORT = "family_support", "Family support worker"
    STUDENT = "student", "Student social worker"
    PARTNER_AGENCY = "partner_agency", "Partner agency that referred the child"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Acceptance(models.TextChoices):
    """Whether the raiser accepted the resolution."""

    NOT_YET = "not_yet", "Not yet"
    YES = "yes", "Accepted"
    NO = "no", "Not accepted"


class RaiserReply(models.TextChoices):
    ACCEPTED = "accepted", "Accepted the answer"
    DISPUTED = "disputed", "Disputed the answer"


class Escalation(BaseModel):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="escalations"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations_raised"
    )
    raiser_role = models.CharField(
        "The raiser's role on the case", max_length=20, choices=RaiserRole.choices
    )
    contact = models.ForeignKey(
        "frontdoor.Contact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations",
        help_text="For a partner agency: the contact in which they referred the child.",
    )
    raised_at = models.DateTimeField()
    concern = models.TextField("The concern")
    outcome_sought = models.TextField("The outcome sought")
    stage = models.PositiveSmallIntegerField(
        "Current stage", choices=Stage.choices, default=Stage.TEAM_MANAGER
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="escalations_owned",
        help_text="Who must answer the current stage.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raiser_accepted = models.CharField(
        "Did the raiser accept the resolution?",
        max_length=10,
        choices=Acceptance.choices,
        default=Acceptance.NOT_YET,
    )
    raiser_comment = models.TextField("The raiser's comment", blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    entered_in_error = models.BooleanField(
        default=False, help_text="Withdrawn because it was recorded by mistake: no clock counts."
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["status", "owner"], name="escalation_status_owner"),
            models.Index(fields=["person", "status"], name="escalation_person_status"),
            models.Index(fields=["raised_by", "status"], name="escalation_raiser_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__gte=1) & Q(stage__lte=4), name="escalation_stage_known"
            ),
            models.CheckConstraint(
                condition=~Q(concern="") & ~Q(outcome_sought=""),
                name="escalation_has_concern_and_outcome",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("raised_at")),
                name="escalation_resolved_after_raised",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("raised_at")),
                name="escalation_withdrawn_after_raised",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="open") & Q(resolved_at__isnull=True) & Q(withdrawn_at__isnull=True)
                )
                | (
                    Q(status="resolved")
                    & Q(resolved_at__isnull=False)
                    & ~Q(resolution="")
                    & Q(resolved_by__isnull=False)
                    & Q(withdrawn_at__isnull=True)
                )
                | (
                    Q(status="withdrawn") & Q(withdrawn_at__isnull=False) & ~Q(withdrawal_reason="")
                ),
                name="escalation_status_consistent",
            ),
            models.CheckConstraint(
                condition=Q(raiser_accepted="not_yet") | Q(status="resolved"),
                name="escalation_acceptance_of_a_resolution",
            ),
            models.CheckConstraint(
                condition=(Q(raiser_role="partner_agency") & Q(contact__isnull=False))
                | (~Q(raiser_role="partner_agency") & Q(contact__isnull=True)),
                name="escalation_partner_names_the_contact",
            ),
            models.CheckConstraint(
                condition=Q(entered_in_error=False) | Q(status="withdrawn"),
                name="escalation_error_is_withdrawn",
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation {self.reference}"

    @property
    def reference(self) -> str:
        return f"ESC-{self.pk:06d}" if self.pk else "ESC-new"

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    @property
    def is_final_stage(self) -> bool:
        return self.stage == Stage.DIRECTOR


class EscalationStage(BaseModel):
    """One stage of an escalation: who owned it, when it was due, and what they answered."""

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="stages")
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    due_on = models.DateField(help_text="From the escalation-response timescale.")
    responded_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rose_automatically = models.BooleanField(
        default=False,
        help_text="Reached because the stage before was not answered in time.",
    )
    resolution = models.TextField(blank=True, help_text="The resolution recorded at this stage.")
    raiser_reply = models.CharField(max_length=10, choices=RaiserReply.choices, blank=True)
    raiser_comment = models.TextField(blank=True)
    raiser_replied_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When it stopped being the current stage."
    )

    class Meta:
        ordering = ["escalation", "stage"]
        indexes = [
            models.Index(
                fields=["ended_at", "responded_at", "due_on"], name="escalation_stage_due"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["escalation", "stage"], name="one_row_per_stage"),
            models.UniqueConstraint(
                fields=["escalation"],
                condition=Q(ended_at__isnull=True),
                name="one_current_stage_per_escalation",
            ),
            models.CheckConstraint(
                condition=Q(stage__gte=1) & Q(stage__lte=4), name="escalation_stage_row_known"
            ),
            models.CheckConstraint(
                # Dates are London dates; a UTC date is never later than the London one.
                condition=Q(due_on__gte=Cast(F("started_at"), models.DateField())),
                name="escalation_stage_due_after_start",
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | Q(responded_at__gte=F("started_at")),
                name="escalation_stage_response_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="escalation_stage_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(raiser_replied_at__isnull=True)
                | (Q(responded_at__isnull=False) & Q(raiser_replied_at__gte=F("responded_at"))),
                name="escalation_stage_reply_after_response",
            ),
            models.CheckConstraint(
                condition=(
                    Q(response="") & Q(responded_at__isnull=True) & Q(responded_by__isnull=True)
                )
                | (~Q(response="") & Q(responded_at__isnull=False) & Q(responded_by__isnull=False)),
                name="escalation_stage_response_complete",
            ),
            models.CheckConstraint(
                condition=(Q(raiser_reply="") & Q(raiser_replied_at__isnull=True))
                | (~Q(raiser_reply="") & Q(raiser_replied_at__isnull=False)),
                name="escalation_stage_reply_complete",
            ),
            models.CheckConstraint(
                condition=Q(raiser_reply="") | Q(raiser_reply="accepted") | ~Q(raiser_comment=""),
                name="escalation_stage_dispute_has_comment",
            ),
            models.CheckConstraint(
                condition=Q(rose_automatically=False) | Q(stage__gt=1),
                name="escalation_stage_first_is_raised",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} stage of escalation {self.escalation_id}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None

    @property
    def answered(self) -> bool:
        return self.responded_at is not None
