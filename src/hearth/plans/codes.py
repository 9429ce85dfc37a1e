"""Code lists for plans. Plan kinds decide which clock events a plan records."""

from __future__ import annotations

from django.db import models


class PlanKind(models.TextChoices):
    CIN = "cin", "Child in need plan"
    CP = "cp", "Child protection plan"
    CARE = "care", "Care plan"
    PATHWAY = "pathway", "Pathway plan"


class NeedKind(models.TextChoices):
    NEED = "need", "Need"
    RISK = "risk", "Risk (danger statement)"


class NeedStatus(models.TextChoices):
    CURRENT = "current", "Current"
    RESOLVED = "resolved", "Resolved"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Not done"
    NO_LONGER_NEEDED = "no_longer_needed", "No longer needed"


# Statuses that still expect work: an action in one of these past its due date is overdue.
OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", "Continue the plan"
    STEP_DOWN = "step_down", "Step down to early help"
    CLOSE = "close", "End the plan and close"
    ESCALATE = "escalate", "Escalate (strategy discussion or conference)"


# Clock events each kind records (start, end, review). Kinds not listed record none yet. A child
# protection plan is reviewed at a review conference (`hearth.protection`), which records "rcpc";
# `PlanReview` is not used for it.
PLAN_EVENTS: dict[str, tuple[str, str, str]] = {
    PlanKind.CIN: ("cin-plan-start", "cin-plan-end", "cin-review"),
    PlanKind.CP: ("cp-plan-start", "cp-plan-end", "rcpc"),
}

# The timescale rules whose open deadline is a plan's "next review due".
PLAN_REVIEW_RULES: dict[str, tuple[str, ...]] = {
    PlanKind.CIN: ("cin-review",),
    PlanKind.CP: ("rcpc-first", "rcpc-next"),
}

# Kinds not reviewed with `PlanReview` (the plan's own review form), and why.
REVIEWED_ELSEWHERE: dict[str, str] = {
    PlanKind.CP: "A child protection plan is reviewed at a review conference: book one from the "
    "plan's page",
}
