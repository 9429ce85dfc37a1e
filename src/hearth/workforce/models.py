"""Who holds each child's case (allocations), how heavy each kind of case counts (weights), and how
many social work posts each team is funded for (establishment).

Unallocated is never stored: a child with an open episode and no current lead social worker is
unallocated, from the later of the episode's start and the last lead allocation's end
(`selectors.unallocated_children`). So no state of the records can hide it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from hearth.core.models import BaseModel

from .codes import CaseRole, CaseType, ChangeReason, EndReason


class Allocation(BaseModel):
    """One worker in one role on one child's case, from a start date to an end date.

    Never edited after it ends: a change of worker ends one row and starts another, so the rows are
    the history (SSDA903 `SWEpisodes`, SSD `ssd_involvements`).
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="allocations"
    )
    role = models.CharField(max_length=20, choices=CaseRole.choices)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    team = models.ForeignKey(
        "core.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
        help_text="The team that holds the case through this worker.",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.CharField(
        "Reason for the change",
        max_length=6,
        choices=ChangeReason.choices,
        help_text="SSDA903 SW_REASON.",
    )
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    over_threshold_reason = models.TextField(
        blank=True,
        help_text="Why the manager allocated although the worker would pass a caseload threshold.",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["worker", "end_date"], name="allocation_worker_current"),
            models.Index(fields=["person", "role", "end_date"], name="allocation_person_role"),
            models.Index(fields=["team", "end_date"], name="allocation_team_current"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="allocation_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(end_date__isnull=True) & Q(end_reason=""))
                | (Q(end_date__isnull=False) & ~Q(end_reason="")),
                name="allocation_end_has_reason",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(role="lead", end_date__isnull=True),
                name="one_current_lead_worker_per_child",
            ),
            models.UniqueConstraint(
                fields=["person", "role", "worker"],
                condition=Q(end_date__isnull=True),
                name="one_current_allocation_per_worker_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} for {self.person_id} from {self.start_date}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


DEFAULT_CASE_WEIGHTS: dict[str, Decimal] = {
    # Defaults (docs/allocation.md): a child protection or child in care case carries statutory
    # visits, conferences or reviews and often court work, so counts half as much again as a child
    # in need case; a care leaver held by a social worker needs less frequent statutory contact.
    CaseType.ASSESSMENT: Decimal("1.0"),
    CaseType.CHILD_IN_NEED: Decimal("1.0"),
    CaseType.CHILD_PROTECTION: Decimal("1.5"),
    CaseType.CHILD_IN_CARE: Decimal("1.5"),
    CaseType.CARE_LEAVER: Decimal("0.5"),
}


class CaseWeight(BaseModel):
    """How many caseload units one child of this case type counts for (set by the council)."""

    case_type = models.CharField(max_length=20, choices=CaseType.choices, unique=True)
    weight = models.DecimalField(
        max_digits=4, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["case_type"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="case_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_case_type_display()}: {self.weight}"


class Establishment(BaseModel):
    """The social work posts (FTE) a team is funded for, from a date until the next row."""

    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="establishment")
    effective_from = models.DateField()
    social_worker_posts_fte = models.DecimalField(
        "Social work posts (FTE)",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["team", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "effective_from"], name="one_establishment_per_team_per_day"
            ),
            models.CheckConstraint(
                condition=Q(social_worker_posts_fte__gte=0), name="establishment_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.social_worker_posts_fte} FTE from {self.effective_from}"
