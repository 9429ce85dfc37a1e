"""Visits to children: who visited, where and when, whether the child was seen (and seen alone,
and their bedroom seen), who else was there, the child's views in their own words, what the
worker observed, and which plan actions the visit served.

Ofsted found children not seen and their lived experience missing from records: a visit where the
child was not seen must say why, and only a visit that saw the child meets a visit clock
(`services`). Visits are never deleted: one recorded in error is withdrawn with a reason, and its
clock event with it. SSD `ssd_cin_visits`, `ssd_cp_visits` and `ssd_cla_visits` are this table
filtered by `kind`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hearth.core.models import BaseModel

from .codes import VisitKind, VisitLocation


class Visit(BaseModel):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField("Type of visit", max_length=10, choices=VisitKind.choices)
    visited_at = models.DateTimeField("Date and time of the visit")
    location = models.CharField("Where", max_length=10, choices=VisitLocation.choices, blank=True)
    child_seen = models.BooleanField("Was the child seen?")
    seen_alone = models.BooleanField("Was the child seen alone?", null=True, blank=True)
    bedroom_seen = models.BooleanField(
        "Was the child's bedroom seen?",
        null=True,
        blank=True,
        help_text="Empty when not asked (the child was not seen, or not seen at home).",
    )
    others_present = models.TextField("Who else was present", blank=True)
    child_views = models.TextField(
        "The child's views", blank=True, help_text="The child's views, in their own words."
    )
    observations = models.TextField("Observations", blank=True)
    reason_not_seen = models.TextField("Why the child was not seen", blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits_made",
        help_text="Who visited.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(
        "plans.Plan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        help_text="The plan the visit belongs to.",
    )
    actions = models.ManyToManyField(
        "plans.PlanAction",
        blank=True,
        related_name="visits",
        verbose_name="Plan actions the visit served",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-visited_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "visited_at"], name="visit_person_when"),
            models.Index(fields=["worker", "visited_at"], name="visit_worker_when"),
            models.Index(fields=["kind", "visited_at"], name="visit_kind_when"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(child_seen=True)
                | (Q(seen_alone__isnull=True) & Q(bedroom_seen__isnull=True)),
                name="visit_seen_alone_only_when_seen",
            ),
            models.CheckConstraint(
                condition=(Q(child_seen=True) & Q(reason_not_seen=""))
                | (Q(child_seen=False) & ~Q(reason_not_seen="")),
                name="visit_not_seen_says_why",
            ),
            models.CheckConstraint(
                condition=(Q(withdrawn_at__isnull=True) & Q(withdrawn_reason=""))
                | (
                    Q(withdrawn_at__isnull=False)
                    & ~Q(withdrawn_reason="")
                    & Q(withdrawn_at__gte=F("visited_at"))
                ),
                name="visit_withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.visited_at:%d %B %Y}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def seen_summary(self) -> str:
        """ "Child seen alone", "Child seen (not alone)", "Child not seen"."""
        if not self.child_seen:
            return "Child not seen"
        if self.seen_alone:
            return "Child seen alone"
        if self.seen_alone is False:
            return "Child seen, not alone"
        return "Child seen"
