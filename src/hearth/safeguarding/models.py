"""Risk assessments (exploitation, missing, online harm, self-harm, radicalisation, trafficking) and
missing episodes (from home and from care) with their return home interviews.

A child's risk assessments of one kind form a line: each new one reviews the one before; the latest
is the current one unless it was closed ("the risk no longer applies") or its review is overdue.
Reviews fall due on the `risk-assessment-review` clock; return interviews on the `rhi` clock, 72
hours from the child's return (ssd_missing, SSDA903 MISSING, Annex A lists 8 and 9).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast

from hearth.core.models import BaseModel

from .codes import MissingFrom, MissingKind, RiskKind, RiskLevel


class RiskAssessment(BaseModel):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="risk_assessments"
    )
    kind = models.CharField("Kind of risk", max_length=20, choices=RiskKind.choices)
    level = models.CharField("Level of risk", max_length=10, choices=RiskLevel.choices)
    assessed_on = models.DateField("Date assessed")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_assessments"
    )
    summary = models.TextField("Summary of the risk")
    indicators = models.TextField("Risk indicators", blank=True)
    protective_factors = models.TextField("Protective factors", blank=True)
    actions = models.TextField("Actions to reduce the risk", blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.TextField("Why the risk no longer applies", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "kind", "assessed_on"], name="risk_person_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("assessed_on")),
                name="risk_closed_after_assessed",
            ),
            models.CheckConstraint(
                condition=(
                    Q(closed_on__isnull=True) & Q(closed_reason="") & Q(closed_by__isnull=True)
                )
                | (Q(closed_on__isnull=False) & ~Q(closed_reason="") & Q(closed_by__isnull=False)),
                name="risk_closure_complete",
            ),
            models.CheckConstraint(condition=~Q(summary=""), name="risk_has_summary"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} risk assessment of {self.assessed_on:%d %B %Y}"

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class MissingEpisode(BaseModel):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="missing_episodes"
    )
    missing_from = models.CharField(max_length=4, choices=MissingFrom.choices)
    kind = models.CharField(
        "Missing or away", max_length=1, choices=MissingKind.choices, default=MissingKind.MISSING
    )
    started_at = models.DateTimeField("Went missing")
    ended_at = models.DateTimeField("Returned or found", null=True, blank=True)
    where_found = models.TextField("Where found, or returned to", blank=True)
    reported_to_police = models.BooleanField(default=False)
    police_reference = models.CharField(max_length=40, blank=True)
    rhi_offered_at = models.DateTimeField("Return interview offered", null=True, blank=True)
    rhi_accepted = models.BooleanField("Return interview accepted", null=True, blank=True)
    rhi_completed_on = models.DateField("Return interview completed", null=True, blank=True)
    rhi_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Return interview by",
    )
    rhi_by_agency = models.CharField(
        "Return interview by (another agency)", max_length=150, blank=True
    )
    rhi_findings = models.TextField("Return interview findings", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "started_at"], name="missing_person_start"),
            models.Index(fields=["started_at"], name="missing_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="missing_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(rhi_offered_at__isnull=True)
                | (Q(ended_at__isnull=False) & Q(rhi_offered_at__gte=F("ended_at"))),
                name="missing_rhi_offered_after_return",
            ),
            models.CheckConstraint(
                condition=Q(rhi_accepted__isnull=True) | Q(rhi_offered_at__isnull=False),
                name="missing_rhi_accepted_after_offer",
            ),
            models.CheckConstraint(
                # London dates: a UTC date is never later than the London one.
                condition=Q(rhi_completed_on__isnull=True)
                | (
                    Q(rhi_accepted=True)
                    & Q(rhi_completed_on__gte=Cast(F("rhi_offered_at"), models.DateField()))
                ),
                name="missing_rhi_completed_after_accepted_offer",
            ),
            models.CheckConstraint(
                condition=Q(kind="M") | Q(missing_from="care"),
                name="missing_away_only_from_care",
            ),
            models.CheckConstraint(
                condition=Q(reported_to_police=True) | Q(police_reference=""),
                name="missing_police_reference_if_reported",
            ),
        ]

    def __str__(self) -> str:
        return f"Missing episode from {self.started_at:%d %B %Y}"

    @property
    def has_returned(self) -> bool:
        return self.ended_at is not None

    @property
    def rhi_by_name(self) -> str:
        if self.rhi_by_id and self.rhi_by is not None:
            return self.rhi_by.full_name
        return self.rhi_by_agency
