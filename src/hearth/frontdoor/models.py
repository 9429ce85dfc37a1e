"""The front door: contacts to the multi-agency safeguarding hub (MASH), their screening and
decisions, agency checks, and early help episodes. SSD: ssd_contacts, ssd_early_help_episodes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hearth.casework.codes import PrimaryNeed, ReferralSource
from hearth.core.models import BaseModel


class Channel(models.TextChoices):
    STAFF = "staff", "Recorded by MASH staff"
    PARTNER = "partner", "Partner agency (signed in)"
    PUBLIC_FORM = "public_form", "Online form"
    API = "api", "Partner system (API)"


class ConcernCategory(models.TextChoices):
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse notification"
    EXPLOITATION = "exploitation", "Exploitation (criminal or sexual)"
    NEGLECT = "neglect", "Neglect"
    PHYSICAL = "physical", "Physical harm"
    SEXUAL = "sexual", "Sexual harm"
    EMOTIONAL = "emotional", "Emotional harm"
    PARENTAL_MENTAL_HEALTH = "parental_mental_health", "Parental mental health"
    PARENTAL_SUBSTANCE_MISUSE = "parental_substance_misuse", "Parental substance misuse"
    MISSING = "missing", "Going missing"
    DISABILITY = "disability", "Child's disability or health"
    OTHER = "other", "Other"


class Consent(models.TextChoices):
    OBTAINED = "obtained", "Obtained"
    NOT_SOUGHT = "not_sought", "Not sought"
    OVERRIDDEN = "overridden", "Overridden"


class Rating(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class Outcome(models.TextChoices):
    NFA = "nfa", "No further action"
    ADVICE = "advice", "Information and advice"
    EARLY_HELP = "early_help", "Early help"
    REFERRAL = "referral", "Referral to children's social care"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion needed"


class Agency(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    EARLY_HELP = "early_help", "Early help"
    OTHER_COUNCIL = "other_council", "Another council"


class ContactStatus(models.TextChoices):
    AWAITING_SCREENING = "awaiting_screening", "Awaiting screening"
    AWAITING_CHECKS = "awaiting_checks", "Awaiting checks"
    AWAITING_DECISION = "awaiting_decision", "Awaiting decision"
    DECIDED = "decided", "Decided"


class ContactSubmission(BaseModel):
    """What arrived: one referrer's account, about one or more children. Each child gets a
    `Contact`; they share the submission's reference."""

    reference = models.CharField(max_length=20, unique=True)
    received_at = models.DateTimeField()
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.STAFF)
    source = models.CharField(max_length=2, choices=ReferralSource.choices)
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_role = models.CharField(max_length=150, blank=True)
    referrer_organisation = models.CharField(max_length=150, blank=True)
    referrer_phone = models.CharField(max_length=30, blank=True)
    referrer_email = models.EmailField(blank=True)
    concerns = models.TextField("Presenting concerns")
    concern_categories = models.JSONField(default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.reference


class Contact(BaseModel):
    """One child's contact: screened, checked, recommended and decided, each step on the record."""

    submission = models.ForeignKey(
        ContactSubmission, on_delete=models.PROTECT, related_name="contacts"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    child_as_given = models.JSONField(
        default=dict, blank=True, help_text="The child's details as the referrer gave them."
    )
    received_at = models.DateTimeField()
    source = models.CharField(max_length=2, choices=ReferralSource.choices)
    consent = models.CharField(max_length=20, choices=Consent.choices, blank=True)
    consent_reason = models.TextField(blank=True)
    consent_authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.CharField(max_length=5, choices=Rating.choices, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommendation = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    recommendation_rationale = models.TextField(blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommended_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    decision_rationale = models.TextField(blank=True)
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    cin_episode = models.ForeignKey(
        "casework.ChildInNeedEpisode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    early_help_episode = models.ForeignKey(
        "frontdoor.EarlyHelpEpisode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )

    class Meta:
        ordering = ["-received_at", "id"]
        indexes = [models.Index(fields=["decision", "received_at"], name="contact_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent="")
                | Q(consent="obtained")
                | (Q(consent="not_sought") & ~Q(consent_reason=""))
                | (
                    Q(consent="overridden")
                    & ~Q(consent_reason="")
                    & Q(consent_authorised_by__isnull=False)
                ),
                name="contact_consent_reasoned",
            ),
            models.CheckConstraint(
                condition=Q(recommendation="") | ~Q(recommendation_rationale=""),
                name="contact_recommendation_has_rationale",
            ),
            models.CheckConstraint(
                condition=Q(decision="")
                | (~Q(decision_rationale="") & Q(decided_at__isnull=False)),
                name="contact_decision_has_rationale",
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_at__gte=F("received_at")),
                name="contact_decided_after_received",
            ),
            models.CheckConstraint(
                condition=Q(recommended_at__isnull=True) | Q(recommended_at__gte=F("received_at")),
                name="contact_recommended_after_received",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(person__isnull=False),
                name="contact_decided_for_a_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact {self.submission.reference if self.submission_id else ''} ({self.pk})"

    @property
    def status(self) -> ContactStatus:
        if self.decision:
            return ContactStatus.DECIDED
        if self.recommendation:
            return ContactStatus.AWAITING_DECISION
        if self.consent and self.rating and self.person_id:
            return ContactStatus.AWAITING_CHECKS
        return ContactStatus.AWAITING_SCREENING


class AgencyCheck(BaseModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="checks")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "agency"]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("requested_at")),
                name="agency_check_returned_after_request",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | ~Q(summary=""),
                name="agency_check_return_has_summary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_agency_display()} check"


class EarlyHelpOutcome(models.TextChoices):
    NEEDS_MET = "needs_met", "Needs met"
    STEPPED_UP = "stepped_up", "Stepped up to children's social care"
    MOVED_AWAY = "moved_away", "Moved away"
    DISENGAGED = "disengaged", "Family disengaged"


class EarlyHelpEpisode(BaseModel):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="early_help_episodes"
    )
    start_date = models.DateField()
    reason = models.TextField("Reason for involvement")
    assessment_start = models.DateField(null=True, blank=True)
    assessment_completed = models.DateField(null=True, blank=True)
    organisation = models.CharField(
        "Organisation completing the assessment", max_length=150, blank=True
    )
    lead_professional = models.CharField(max_length=150, blank=True)
    end_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=EarlyHelpOutcome.choices, blank=True)
    stepped_down_from = models.ForeignKey(
        "casework.ChildInNeedEpisode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="step_downs",
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="early_help_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(assessment_start__isnull=True)
                | Q(assessment_start__gte=F("start_date")),
                name="early_help_assessment_after_start",
            ),
            models.CheckConstraint(
                condition=Q(assessment_completed__isnull=True)
                | (
                    Q(assessment_start__isnull=False)
                    & Q(assessment_completed__gte=F("assessment_start"))
                ),
                name="early_help_assessment_completed_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(end_date__isnull=True) & Q(outcome=""))
                | (Q(end_date__isnull=False) & ~Q(outcome="")),
                name="early_help_end_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Early help from {self.start_date:%d %B %Y}"
