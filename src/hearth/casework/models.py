"""Child-in-need episodes (the CIN census `CINdetails`): opened by a referral at the front door.

The casework issue adds assessments, plans and visits to these episodes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hearth.core.models import BaseModel

from .codes import ClosureReason, PrimaryNeed, ReferralSource


class ChildInNeedEpisode(BaseModel):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="cin_episodes"
    )
    referral_date = models.DateField()
    referral_source = models.CharField(max_length=2, choices=ReferralSource.choices)
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    referral_nfa = models.BooleanField("No further action at referral", default=False)
    is_re_referral = models.BooleanField(
        default=False, help_text="Referred within 12 months of an earlier referral."
    )
    closure_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=ClosureReason.choices, blank=True)
    referral_team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referral_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-referral_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closure_date__isnull=True) | Q(closure_date__gte=F("referral_date")),
                name="cin_episode_closes_after_referral",
            ),
            models.CheckConstraint(
                condition=(Q(closure_date__isnull=True) & Q(closure_reason=""))
                | (Q(closure_date__isnull=False) & ~Q(closure_reason="")),
                name="cin_episode_closure_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(referral_nfa=True) | ~Q(primary_need=""),
                name="cin_episode_primary_need_unless_nfa",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(closure_date__isnull=True),
                name="one_open_cin_episode_per_child",
            ),
        ]

    def __str__(self) -> str:
        return f"Child in need episode from {self.referral_date:%d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.closure_date is None
