"""Plans: one structure for the child in need plan, and the child protection, care and pathway
plans. A plan holds the needs and risks (a risk is a danger statement with its safety goal),
the actions that address them (each linked to at least one, with an owner and a due date), a
contingency plan and its reviews. The rules live in `services.py`; the DB enforces what it can.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hearth.core.models import BaseModel

from .codes import ActionStatus, NeedKind, NeedStatus, PlanKind, ReviewDecision


class Plan(BaseModel):
    kind = models.CharField(max_length=10, choices=PlanKind.choices)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="plans")
    episode = models.ForeignKey(
        "casework.ChildInNeedEpisode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
        help_text="Child in need and child protection plans belong to the episode.",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    contingency = models.TextField(
        "Contingency plan", blank=True, help_text="What happens if the plan does not work."
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="plan_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(end_date__isnull=True),
                name="one_open_plan_per_child_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_date:%d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.end_date is None


class PlanNeed(BaseModel):
    """A need, or a risk written as a danger statement (what we are worried will happen) with a
    safety goal (what the child's life looks like when they are safe)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="needs")
    kind = models.CharField(max_length=10, choices=NeedKind.choices, default=NeedKind.NEED)
    statement = models.TextField()
    safety_goal = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=NeedStatus.choices, default=NeedStatus.CURRENT)
    order = models.PositiveIntegerField(default=0)
    # Kept by the services so managers can find long danger statements in one query.
    word_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.statement[:60]


class PlanAction(BaseModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    needs = models.ManyToManyField(PlanNeed, related_name="actions", blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_agency = models.CharField(max_length=200, blank=True)
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField(null=True, blank=True)
    progress = models.TextField(blank=True, help_text="Progress notes.")

    class Meta:
        ordering = ["plan", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_user__isnull=False) & Q(owner_agency=""))
                | (Q(owner_user__isnull=True) & ~Q(owner_agency="")),
                name="plan_action_has_one_owner",
            ),
            models.CheckConstraint(
                condition=(Q(status=ActionStatus.DONE) & Q(completed_on__isnull=False))
                | (~Q(status=ActionStatus.DONE) & Q(completed_on__isnull=True)),
                name="plan_action_done_has_completion_date",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class PlanReview(BaseModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField()
    attendees = models.TextField(blank=True)
    child_views = models.TextField(
        "The child's views", blank=True, help_text="In the child's own words where possible."
    )
    progress_summary = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Plan review on {self.held_on:%d %B %Y}"
