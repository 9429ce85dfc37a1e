"""Bank holidays, the council's local standards, clock events and the materialised deadlines.

Rules themselves are code (`rules.py`). `ClockEvent` is what services tell the engine happened;
`Deadline` is derived from events and is rebuilt, never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hearth.core.models import BaseModel

from .rules import EVENTS, SubjectType, Unit


class HolidaySource(models.TextChoices):
    PACKAGE = "package", "Published calendar"
    ADMINISTRATOR = "administrator", "Added by an administrator"


class BankHoliday(BaseModel):
    """A bank holiday in England, from the `holidays` package; administrators add one-offs."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)
    source = models.CharField(max_length=20, choices=HolidaySource.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["date"]
        permissions = [("manage_bank_holidays", "Can add and withdraw bank holidays")]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""),
                name="bank_holiday_withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d %B %Y})"


UNIT_CHOICES = [(u.value, u.value.replace("_", " ").capitalize()) for u in Unit]


class LocalStandard(BaseModel):
    """The council's period for one case of a local rule (CP visits every 10 working days)."""

    rule_code = models.CharField(max_length=60)
    case_key = models.CharField(max_length=60, default="default")
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=20, choices=UNIT_CHOICES)

    class Meta:
        ordering = ["rule_code", "case_key"]
        permissions = [("manage_local_standards", "Can set the council's local practice standards")]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "case_key"], name="one_local_standard_per_case"
            ),
            # 0 working days is "the same working day" (a red-rated contact); otherwise 1 or more.
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(amount=0, unit="working_days"),
                name="local_standard_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} ({self.case_key}): {self.amount} {self.unit}"


SUBJECT_CHOICES = [(s.value, s.value.capitalize()) for s in SubjectType]


class ClockSubject(models.Model):
    """Who answers for a subject's deadlines: allocation sets it; deadlines copy it for lists."""

    subject_type = models.CharField(max_length=20, choices=SUBJECT_CHOICES)
    subject_id = models.PositiveBigIntegerField()
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_area = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="one_clock_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id}"


EVENT_CHOICES = [(name, label) for name, label in EVENTS.items()]


class ClockEvent(models.Model):
    """Something that happened to a subject, as the engine sees it.

    Written only by `services.record_event` from the service that saved the real record (`source`
    names it, e.g. "casework.visit:12"), in the same transaction. `key` ties the event to one clock
    of a rule (a placement, a missing episode); leave it blank for events that serve any clock.
    """

    subject_type = models.CharField(max_length=20, choices=SUBJECT_CHOICES)
    subject_id = models.PositiveBigIntegerField()
    name = models.CharField(max_length=40, choices=EVENT_CHOICES)
    occurred_on = models.DateField()
    occurred_at = models.DateTimeField(null=True, blank=True, help_text="Only for hour clocks.")
    key = models.CharField(max_length=80, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=100, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="clock_event_subject")]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "name", "source"],
                condition=~Q(source=""),
                name="one_clock_event_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.occurred_on} ({self.subject_type} {self.subject_id})"


class DeadlineState(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    CLOSED = "closed", "Closed"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Deadline(models.Model):
    """One derived deadline. Rebuilt from events by `services.rederive`; never edited by hand."""

    subject_type = models.CharField(max_length=20, choices=SUBJECT_CHOICES)
    subject_id = models.PositiveBigIntegerField()
    rule_code = models.CharField(max_length=60)
    clock = models.CharField(max_length=100)
    sequence = models.PositiveIntegerField()
    state = models.CharField(max_length=20, choices=DeadlineState.choices)
    starts_on = models.DateField(help_text="The date the period runs from.")
    due_on = models.DateField()
    due_at = models.DateTimeField(null=True, blank=True)
    met_on = models.DateField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    met_late = models.BooleanField(null=True)
    closed_on = models.DateField(null=True, blank=True)
    explanation = models.TextField()
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service_area = models.CharField(max_length=40, blank=True)
    derived_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "rule_code"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject"),
            models.Index(fields=["state", "due_on"], name="deadline_state_due"),
            models.Index(fields=["worker", "state", "due_on"], name="deadline_worker"),
            models.Index(fields=["team", "state", "due_on"], name="deadline_team"),
            models.Index(fields=["service_area", "state", "due_on"], name="deadline_service"),
            models.Index(fields=["rule_code", "state"], name="deadline_rule"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "rule_code", "clock", "sequence"],
                name="one_deadline_per_clock_period",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("starts_on")), name="deadline_due_after_start"
            ),
            models.CheckConstraint(
                condition=Q(met_on__isnull=True) | Q(met_on__gte=F("starts_on")),
                name="deadline_met_after_start",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("starts_on")),
                name="deadline_closed_after_start",
            ),
            models.CheckConstraint(
                condition=Q(state="met", met_on__isnull=False)
                | (~Q(state="met") & Q(met_on__isnull=True)),
                name="deadline_met_state_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} due {self.due_on} ({self.subject_type} {self.subject_id})"
