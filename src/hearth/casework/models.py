"""Child-in-need episodes (the CIN census `CINdetails`) and their child and family assessments.

An episode is opened by a referral at the front door (or recorded here for a child transferred in)
and closed with a reason. Plans and visits live in their own apps (`hearth.plans`,
`hearth.visits`) because child protection, care and leaving care use the same structures.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hearth.core.models import BaseModel

from .codes import AssessmentFactor as FactorCode
from .codes import AssessmentOutcome, ClosureReason, PrimaryNeed, ReferralSource


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
    closure_summary = models.TextField(
        blank=True, help_text="Why the case is closing and what support continues."
    )
    closed_by = models.ForeignKey(
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


class Assessment(BaseModel):
    """A child and family assessment. It is the social worker's until sent for authorisation; the
    manager authorises it (the census's completion date) or returns it with reasons."""

    episode = models.ForeignKey(
        ChildInNeedEpisode, on_delete=models.PROTECT, related_name="assessments"
    )
    # The episode's child, kept here so risk flags and the child's page need no join.
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="assessments"
    )
    start_date = models.DateField()
    child_seen_on = models.DateField("Date the child was seen", null=True, blank=True)
    seen_alone = models.BooleanField("Child seen alone", null=True, blank=True)
    child_views = models.TextField(
        "The child's views, in their own words", blank=True, help_text="What the child said."
    )
    analysis = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=AssessmentOutcome.choices, blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("Sent for authorisation", null=True, blank=True)
    authorised_on = models.DateField(null=True, blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorisation_rationale = models.TextField(blank=True)
    # The manager's reasons when they last sent it back, shown to the worker until it is resent.
    return_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(authorised_on__isnull=True) | Q(authorised_on__gte=F("start_date")),
                name="assessment_authorised_after_start",
            ),
            models.CheckConstraint(
                condition=Q(authorised_on__isnull=True)
                | (
                    ~Q(outcome="") & ~Q(authorisation_rationale="") & Q(authorised_by__isnull=False)
                ),
                name="assessment_authorised_with_outcome_and_rationale",
            ),
            models.CheckConstraint(
                condition=Q(child_seen_on__isnull=False) | Q(seen_alone__isnull=True),
                name="assessment_seen_alone_only_if_seen",
            ),
            # CIN census 8896: at most one unfinished assessment per episode.
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(authorised_on__isnull=True),
                name="one_open_assessment_per_episode",
            ),
        ]
        indexes = [models.Index(fields=["person", "-start_date"])]

    def __str__(self) -> str:
        return f"Assessment from {self.start_date:%d %B %Y}"

    @property
    def status(self) -> str:
        if self.authorised_on:
            return "Authorised"
        if self.submitted_at:
            return "Awaiting authorisation"
        return "In progress"


class AssessmentFactorIdentified(models.Model):
    """One factor identified at an assessment (the SSD's assessment factors)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="factors")
    code = models.CharField(max_length=3, choices=FactorCode.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "code"], name="factor_once_per_assessment"
            )
        ]
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return self.get_code_display()
