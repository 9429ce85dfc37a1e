"""Legal planning and orders. Thin: fields and the constraints the database can hold; the rules
(the law's time limits, date order against other records) live in `services.py`.

- `EmergencyProtection`: police protection (s46, 72 hours) or an emergency protection order (s45,
  8 days and one extension of up to 7). SSDA903 legal status L1/L2, Annex A list 7's "subject to
  an EPO or protected under police powers in the last six months".
- `LegalGatewayMeeting`: the legal gateway (planning) meeting and its decision.
- `PreProceedings` with `PreProceedingsReview`: the Public Law Outline's pre-proceedings stage
  (the CIN census 2026-27 `PreProceedingsandFGDM` block inside `CINdetails`, and
  `ssd_pre_proceedings`). ReviewMeetingsCount and the previous periods are derived, not stored.
- `CareProceedings` with `CourtHearing`, `ProceedingsExtension` and `InterimOrder`: care or
  supervision proceedings, 26 weeks from issue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast

from hearth.core.models import BaseModel

from .codes import (
    EPO_EXTENSION_DAYS,
    EXTENSION_MAX_WEEKS,
    CarePlanKind,
    EmergencyKind,
    EmergencyOutcome,
    FinalOrderKind,
    GatewayDecision,
    GatewayReason,
    HearingKind,
    InterimOrderKind,
    PreProceedingsOutcome,
    Representation,
)

USER = settings.AUTH_USER_MODEL


def _date_of(field: str) -> Cast:
    # The UTC date of a moment is never later than its London date, so "a London date on or
    # after Cast(moment)" holds whenever it is on or after the London date.
    return Cast(F(field), models.DateField())


class EmergencyProtection(BaseModel):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="emergency_protections"
    )
    kind = models.CharField(max_length=10, choices=EmergencyKind.choices)
    started_at = models.DateTimeField(
        "Started", help_text="For police protection, when the child was taken into it."
    )
    ended_at = models.DateTimeField(
        "Ended",
        null=True,
        blank=True,
        help_text="When the child was released or returned, or the order ended.",
    )
    reason = models.TextField("Why it was needed")
    police_force = models.CharField(max_length=100, blank=True)
    police_reference = models.CharField(max_length=40, blank=True)
    designated_officer = models.CharField(
        "Designated officer", max_length=150, blank=True, help_text="Police protection only."
    )
    court = models.CharField(max_length=150, blank=True)
    court_reference = models.CharField(max_length=40, blank=True)
    extended_on = models.DateField("Extension granted on", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("Extension (days)", null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=EmergencyOutcome.choices, blank=True)
    outcome_notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "emergency protection"
        verbose_name_plural = "emergency protections"
        indexes = [models.Index(fields=["person", "started_at"], name="emergency_person_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="emergency_ends_after_start",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="emergency_has_reason"),
            models.CheckConstraint(
                condition=(Q(ended_at__isnull=True) & Q(outcome=""))
                | (Q(ended_at__isnull=False) & ~Q(outcome="")),
                name="emergency_end_has_outcome",
            ),
            models.CheckConstraint(
                condition=(
                    Q(extended_on__isnull=True)
                    & Q(extension_days__isnull=True)
                    & Q(extension_reason="")
                )
                | (
                    Q(kind=EmergencyKind.EPO)
                    & Q(extended_on__isnull=False)
                    & Q(extension_days__isnull=False)
                    & Q(extension_days__gte=1)
                    & Q(extension_days__lte=EPO_EXTENSION_DAYS)
                    & ~Q(extension_reason="")
                ),
                name="emergency_extension_epo_only_up_to_7_days",
            ),
            models.CheckConstraint(
                condition=Q(extended_on__isnull=True) | Q(extended_on__gte=_date_of("started_at")),
                name="emergency_extended_after_start",
            ),
            models.CheckConstraint(
                condition=Q(kind=EmergencyKind.POLICE) | Q(designated_officer=""),
                name="emergency_officer_police_only",
            ),
            models.CheckConstraint(
                condition=Q(kind=EmergencyKind.POLICE) | ~Q(outcome=EmergencyOutcome.EPO_MADE),
                name="emergency_epo_outcome_police_only",
            ),
        ]

    def __str__(self) -> str:
        name = "Police protection" if self.kind == EmergencyKind.POLICE else "EPO"
        return f"{name} from {self.started_at:%d %B %Y}"

    @property
    def is_police(self) -> bool:
        return self.kind == EmergencyKind.POLICE

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class LegalGatewayMeeting(BaseModel):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="legal_gateway_meetings"
    )
    held_on = models.DateField("Date of the meeting")
    reason = models.CharField("Why it was called", max_length=20, choices=GatewayReason.choices)
    reason_detail = models.TextField("More about why it was called", blank=True)
    plan = models.ForeignKey(
        "plans.Plan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_gateway_meetings",
        help_text="The plan that led to it, such as a child protection plan over 15 months.",
    )
    chair = models.CharField(max_length=150, blank=True)
    attendees = models.TextField("Who attended")
    decision = models.CharField(max_length=20, choices=GatewayDecision.choices)
    rationale = models.TextField("Why the meeting decided this")
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(rationale=""), name="gateway_has_rationale"),
            models.CheckConstraint(condition=~Q(attendees=""), name="gateway_has_attendees"),
        ]

    def __str__(self) -> str:
        return f"Legal gateway meeting on {self.held_on:%d %B %Y}"


class PreProceedings(BaseModel):
    """One period of pre-proceedings (the census `PreProceedingsandFGDM`). Open until its outcome
    is step down or issue; "continue" records a decision to carry on."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="pre_proceedings"
    )
    episode = models.ForeignKey(
        "casework.ChildInNeedEpisode", on_delete=models.PROTECT, related_name="pre_proceedings"
    )
    gateway = models.ForeignKey(
        LegalGatewayMeeting,
        on_delete=models.PROTECT,
        related_name="pre_proceedings",
        help_text="The legal gateway meeting that decided to enter pre-proceedings.",
    )
    start_date = models.DateField(
        "Date the decision was made to enter pre-proceedings", help_text="Census PPStartDate."
    )
    letter_sent_on = models.DateField(
        "Letter before proceedings sent", null=True, blank=True, help_text="Census LBPSentDate."
    )
    fgdm_offered = models.BooleanField(
        "Family group decision-making meeting offered",
        null=True,
        blank=True,
        help_text="Census FGDMMeetingOffer.",
    )
    fgdm_offered_on = models.DateField("Date offered", null=True, blank=True)
    fgdm_held = models.BooleanField(
        "Family group decision-making meeting facilitated",
        null=True,
        blank=True,
        help_text="Census FGDMMeetingFac.",
    )
    fgdm_held_on = models.DateField("Date held", null=True, blank=True)
    initial_meeting_on = models.DateField(
        "Initial pre-proceedings meeting", null=True, blank=True, help_text="InitialPPMeetingDate."
    )
    parents_represented = models.CharField(
        "Did the parents have legal representation?",
        max_length=10,
        choices=Representation.choices,
        blank=True,
    )
    outcome = models.CharField(max_length=20, choices=PreProceedingsOutcome.choices, blank=True)
    outcome_on = models.DateField(
        "Date of the decision", null=True, blank=True, help_text="Census StepDecisionDate."
    )
    court_application_on = models.DateField(
        "Application to court", null=True, blank=True, help_text="Census CourtAppDate."
    )
    letter_of_intention_on = models.DateField(
        "Letter of intention to issue care proceedings",
        null=True,
        blank=True,
        help_text="Census LetterInitCPDate.",
    )
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = "pre-proceedings"
        verbose_name_plural = "pre-proceedings"
        constraints = [
            models.CheckConstraint(
                condition=Q(letter_sent_on__isnull=True) | Q(letter_sent_on__gte=F("start_date")),
                name="pp_letter_after_start",
            ),
            models.CheckConstraint(
                condition=Q(initial_meeting_on__isnull=True)
                | (
                    Q(initial_meeting_on__gte=F("start_date"))
                    & Q(letter_sent_on__isnull=False)
                    & Q(initial_meeting_on__gte=F("letter_sent_on"))
                ),
                name="pp_initial_meeting_after_letter",
            ),
            models.CheckConstraint(
                condition=Q(
                    fgdm_offered=True,
                    fgdm_offered_on__isnull=False,
                    fgdm_offered_on__gte=F("start_date"),
                )
                | Q(fgdm_offered=False, fgdm_offered_on__isnull=True)
                | Q(fgdm_offered__isnull=True, fgdm_offered_on__isnull=True),
                name="pp_fgdm_offer_dated_after_start",
            ),
            models.CheckConstraint(
                condition=Q(
                    fgdm_held=True,
                    fgdm_offered=True,
                    fgdm_held_on__isnull=False,
                    fgdm_held_on__gte=F("fgdm_offered_on"),
                )
                | Q(fgdm_held=False, fgdm_held_on__isnull=True)
                | Q(fgdm_held__isnull=True, fgdm_held_on__isnull=True),
                name="pp_fgdm_held_after_offer",
            ),
            models.CheckConstraint(
                condition=(Q(outcome="") & Q(outcome_on__isnull=True))
                | (
                    ~Q(outcome="")
                    & Q(outcome_on__isnull=False)
                    & Q(outcome_on__gte=F("start_date"))
                ),
                name="pp_outcome_dated_after_start",
            ),
            models.CheckConstraint(
                condition=Q(court_application_on__isnull=True)
                | (
                    Q(outcome=PreProceedingsOutcome.ISSUE)
                    & Q(court_application_on__gte=F("outcome_on"))
                ),
                name="pp_court_application_after_issue_decision",
            ),
            models.CheckConstraint(
                condition=Q(letter_of_intention_on__isnull=True)
                | Q(letter_of_intention_on__gte=F("start_date")),
                name="pp_letter_of_intention_after_start",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(outcome__in=["", PreProceedingsOutcome.CONTINUE]),
                name="one_open_pre_proceedings_per_child",
            ),
        ]

    def __str__(self) -> str:
        return f"Pre-proceedings from {self.start_date:%d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.outcome in ("", PreProceedingsOutcome.CONTINUE)


class PreProceedingsReview(BaseModel):
    """A review meeting with the parents after the initial meeting (census ReviewMeetingsCount
    counts them)."""

    pre_proceedings = models.ForeignKey(
        PreProceedings, on_delete=models.PROTECT, related_name="reviews"
    )
    held_on = models.DateField("Date of the review meeting")
    notes = models.TextField()
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pre_proceedings", "held_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(notes=""), name="pp_review_has_notes"),
        ]

    def __str__(self) -> str:
        return f"Pre-proceedings review on {self.held_on:%d %B %Y}"


class CareProceedings(BaseModel):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="care_proceedings"
    )
    pre_proceedings = models.ForeignKey(
        PreProceedings,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_proceedings",
    )
    gateway = models.ForeignKey(
        LegalGatewayMeeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_proceedings",
    )
    issued_on = models.DateField("Date issued")
    court = models.CharField(max_length=150)
    court_reference = models.CharField(max_length=40, blank=True)
    short_notice = models.BooleanField("Issued on a short notice application", default=False)
    short_notice_reason = models.TextField(blank=True)
    parents_represented = models.CharField(
        "Did the parents have legal representation at issue?",
        max_length=10,
        choices=Representation.choices,
        blank=True,
    )
    initial_care_plan = models.CharField(
        "The council's initial care plan", max_length=20, choices=CarePlanKind.choices, blank=True
    )
    initial_plan_approved = models.BooleanField(
        "Initial plan approved at the first hearing", null=True, blank=True
    )
    final_care_plan = models.CharField(
        "The council's final care plan", max_length=20, choices=CarePlanKind.choices, blank=True
    )
    final_plan_approved = models.BooleanField(
        "Final plan approved at the final hearing", null=True, blank=True
    )
    final_order = models.CharField(max_length=20, choices=FinalOrderKind.choices, blank=True)
    final_order_on = models.DateField("Date of the final order", null=True, blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = "care proceedings"
        verbose_name_plural = "care proceedings"
        constraints = [
            models.CheckConstraint(
                condition=(Q(final_order="") & Q(final_order_on__isnull=True))
                | (
                    ~Q(final_order="")
                    & Q(final_order_on__isnull=False)
                    & Q(final_order_on__gte=F("issued_on"))
                ),
                name="proceedings_final_order_dated_after_issue",
            ),
            models.CheckConstraint(
                condition=(Q(short_notice=True) & ~Q(short_notice_reason=""))
                | (Q(short_notice=False) & Q(short_notice_reason="")),
                name="proceedings_short_notice_has_reason",
            ),
            models.CheckConstraint(condition=~Q(court=""), name="proceedings_has_court"),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(final_order_on__isnull=True),
                name="one_open_care_proceedings_per_child",
            ),
        ]

    def __str__(self) -> str:
        return f"Care proceedings issued {self.issued_on:%d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.final_order_on is None


class CourtHearing(BaseModel):
    proceedings = models.ForeignKey(
        CareProceedings, on_delete=models.PROTECT, related_name="hearings"
    )
    held_on = models.DateField("Date of the hearing")
    kind = models.CharField(max_length=20, choices=HearingKind.choices)
    outcome_notes = models.TextField("What happened", blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["proceedings", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on:%d %B %Y}"


class ProceedingsExtension(BaseModel):
    proceedings = models.ForeignKey(
        CareProceedings, on_delete=models.PROTECT, related_name="extensions"
    )
    granted_on = models.DateField("Date the court granted it")
    weeks = models.PositiveSmallIntegerField()
    reason = models.TextField("Why the court extended the timetable")
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["proceedings", "granted_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weeks__gte=1) & Q(weeks__lte=EXTENSION_MAX_WEEKS),
                name="extension_up_to_8_weeks",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Extension of {self.weeks} weeks on {self.granted_on:%d %B %Y}"


class InterimOrder(BaseModel):
    proceedings = models.ForeignKey(
        CareProceedings, on_delete=models.PROTECT, related_name="interim_orders"
    )
    kind = models.CharField(max_length=10, choices=InterimOrderKind.choices)
    made_on = models.DateField("Date made")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["proceedings", "made_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} made {self.made_on:%d %B %Y}"
