"""Child protection records. Thin: fields and the constraints the database can hold; the rules
(census rule numbers in their messages) live in `services/`.

The CIN census shape is a query away: `Section47Enquiry` is `Section47` (S47ActualStartDate,
InitialCPCtarget, ICPCnotRequired; DateOfInitialCPC is its held initial conference), a held
initial-kind `Conference` with no enquiry is the episode-level `DateOfInitialCPC`, a `plans.Plan`
of kind `cp` with its `ProtectionPlan` is `ChildProtectionPlans`, and its held review conferences
are `Reviews`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hearth.core.models import BaseModel
from hearth.plans.codes import ActionStatus

from .codes import (
    INITIAL_KINDS,
    Agency,
    CategoryOfAbuse,
    ChildParticipation,
    ConferenceDecision,
    ConferenceKind,
    ConferenceStatus,
    ParentParticipation,
    Section47Outcome,
    StrategyDecision,
)

USER = settings.AUTH_USER_MODEL


class Section47Enquiry(BaseModel):
    """A section 47 enquiry. It starts on the date of the strategy discussion that decided it (as
    the CIN census counts it) and is concluded, for the census, by its initial conference or by the
    decision that no conference is needed (`concluded_on`)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="section_47_enquiries"
    )
    episode = models.ForeignKey(
        "casework.ChildInNeedEpisode",
        on_delete=models.PROTECT,
        related_name="section_47_enquiries",
    )
    start_date = models.DateField(help_text="The date of the strategy discussion that started it.")
    lead_worker = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Lead practitioner",
    )
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    child_seen_on = models.DateField("Date the child was seen", null=True, blank=True)
    seen_alone = models.BooleanField("Was the child seen alone?", null=True, blank=True)
    not_seen_reason = models.TextField("Why the child was not seen alone", blank=True)
    outcome = models.CharField(max_length=20, choices=Section47Outcome.choices, blank=True)
    outcome_rationale = models.TextField(blank=True)
    completed_on = models.DateField("Date the enquiry was completed", null=True, blank=True)
    icpc_target_date = models.DateField(
        "Initial conference target date",
        help_text="15 working days from the strategy discussion (census InitialCPCtarget).",
    )
    icpc_not_required = models.BooleanField("Initial conference not required", default=False)
    icpc_not_required_reason = models.TextField(blank=True)
    concluded_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The initial conference, or the decision that none is needed (kept by services).",
    )
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = "section 47 enquiry"
        verbose_name_plural = "section 47 enquiries"
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("start_date")),
                name="s47_completed_after_start",
            ),
            models.CheckConstraint(
                condition=Q(child_seen_on__isnull=True) | Q(child_seen_on__gte=F("start_date")),
                name="s47_child_seen_after_start",
            ),
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True) | Q(concluded_on__gte=F("start_date")),
                name="s47_concluded_after_start",  # census rule 8615
            ),
            models.CheckConstraint(
                condition=Q(icpc_target_date__gte=F("start_date")),
                name="s47_icpc_target_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(outcome="") & Q(completed_on__isnull=True))
                | (~Q(outcome="") & Q(completed_on__isnull=False)),
                name="s47_outcome_has_completion_date",
            ),
            models.CheckConstraint(
                condition=Q(icpc_not_required=False)
                | (~Q(icpc_not_required_reason="") & Q(concluded_on__isnull=False)),
                name="s47_icpc_not_required_has_reason",
            ),
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(concluded_on__isnull=True),
                name="one_open_s47_per_episode",  # census rule 8839
            ),
        ]

    def __str__(self) -> str:
        return f"Section 47 enquiry from {self.start_date:%d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.concluded_on is None


class StrategyDiscussion(BaseModel):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="strategy_discussions"
    )
    episode = models.ForeignKey(
        "casework.ChildInNeedEpisode",
        on_delete=models.PROTECT,
        related_name="strategy_discussions",
    )
    held_at = models.DateTimeField("Date and time of the discussion")
    chair = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Led by",
    )
    information_shared = models.TextField()
    decision = models.CharField(max_length=20, choices=StrategyDecision.choices)
    rationale = models.TextField("Rationale for the decision")
    section_47 = models.ForeignKey(
        Section47Enquiry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="strategy_discussions",
        help_text="The enquiry this discussion started.",
    )
    # Required agencies (social care, police, health) not present, comma-separated; kept by the
    # services so lists can find unflagged and flagged discussions in one query.
    missing_agencies = models.CharField(max_length=100, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(decision=StrategyDecision.SECTION_47) & Q(section_47__isnull=False))
                | (~Q(decision=StrategyDecision.SECTION_47) & Q(section_47__isnull=True)),
                name="strategy_s47_decision_has_enquiry",
            ),
        ]

    def __str__(self) -> str:
        return f"Strategy discussion on {self.held_at:%d %B %Y}"

    @property
    def is_flagged(self) -> bool:
        return bool(self.missing_agencies)


class CurrentAttendees(models.Manager["StrategyAttendee"]):
    def get_queryset(self) -> models.QuerySet[StrategyAttendee]:
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class StrategyAttendee(BaseModel):
    """Who took part. Correcting the list withdraws the old rows rather than deleting them; the
    default manager (and so `discussion.attendees`) shows the current list, `all_objects` all."""

    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.PROTECT, related_name="attendees"
    )
    agency = models.CharField(max_length=20, choices=Agency.choices)
    name = models.CharField(max_length=200)
    role = models.CharField("Role or job title", max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When a correction replaced this row."
    )

    objects = CurrentAttendees()
    all_objects = models.Manager()

    class Meta:
        ordering = ["discussion", "agency", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_agency_display()})"


class StrategyAction(BaseModel):
    """A specific action with a named owner and a due date: Ofsted found strategy meetings that
    ended with generalised actions owned by nobody."""

    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.PROTECT, related_name="actions"
    )
    description = models.TextField()
    owner_name = models.CharField("Who will do it", max_length=200)
    owner_agency = models.CharField(max_length=20, choices=Agency.choices)
    due_date = models.DateField()
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["discussion", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(owner_name=""), name="strategy_action_has_owner"),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class Conference(BaseModel):
    """A child protection conference: booked with its chair and invited agencies, then held (the
    decision, categories, views and dissent recorded) or cancelled with a reason."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="conferences"
    )
    episode = models.ForeignKey(
        "casework.ChildInNeedEpisode", on_delete=models.PROTECT, related_name="conferences"
    )
    kind = models.CharField(max_length=20, choices=ConferenceKind.choices)
    status = models.CharField(
        max_length=10, choices=ConferenceStatus.choices, default=ConferenceStatus.BOOKED
    )
    section_47 = models.ForeignKey(
        Section47Enquiry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conferences",
        help_text="The enquiry an initial or pre-birth conference follows.",
    )
    plan = models.ForeignKey(
        "plans.Plan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conferences",
        help_text="The child protection plan the conference started, reviewed or ended.",
    )
    scheduled_on = models.DateField("Date booked")
    held_on = models.DateField("Date held", null=True, blank=True)
    chair = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent_participation = models.CharField(
        max_length=10, choices=ParentParticipation.choices, blank=True
    )
    parents_views = models.TextField("Parents' and carers' views", blank=True)
    child_participation = models.CharField(
        max_length=3, choices=ChildParticipation.choices, blank=True
    )
    child_views = models.TextField(
        "The child's views", blank=True, help_text="In the child's own words where possible."
    )
    decision = models.CharField(max_length=10, choices=ConferenceDecision.choices, blank=True)
    initial_category = models.CharField(
        "Initial category of abuse", max_length=3, choices=CategoryOfAbuse.choices, blank=True
    )
    latest_category = models.CharField(
        "Latest category of abuse", max_length=3, choices=CategoryOfAbuse.choices, blank=True
    )
    chair_rationale = models.TextField("The chair's rationale", blank=True)
    dissent = models.TextField(
        "Dissent", blank=True, help_text="Who disagreed with the decision, and why."
    )
    is_quorate = models.BooleanField(null=True, editable=False)
    cancelled_reason = models.TextField(blank=True)
    booked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-scheduled_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=ConferenceStatus.HELD) & Q(held_on__isnull=False))
                | (~Q(status=ConferenceStatus.HELD) & Q(held_on__isnull=True)),
                name="conference_held_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ConferenceStatus.HELD) | ~Q(decision=""),
                name="conference_held_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(status=ConferenceStatus.CANCELLED) | ~Q(cancelled_reason=""),
                name="conference_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(decision=ConferenceDecision.PLAN) | ~Q(latest_category=""),
                name="conference_plan_has_latest_category",
            ),
            models.CheckConstraint(
                condition=~Q(decision=ConferenceDecision.PLAN)
                | Q(kind=ConferenceKind.REVIEW)
                | ~Q(initial_category=""),
                name="conference_new_plan_has_initial_category",
            ),
            models.CheckConstraint(
                condition=~Q(decision=ConferenceDecision.END_PLAN) | Q(kind=ConferenceKind.REVIEW),
                name="conference_only_review_ends_plan",
            ),
            models.CheckConstraint(
                condition=Q(section_47__isnull=True) | Q(kind__in=INITIAL_KINDS),
                name="conference_s47_only_initial",
            ),
            models.UniqueConstraint(
                fields=["section_47"],
                condition=Q(status=ConferenceStatus.HELD),
                name="one_held_conference_per_s47",  # census rule 2884 (one ICPC per enquiry)
            ),
        ]

    def __str__(self) -> str:
        on = self.held_on or self.scheduled_on
        return f"{self.get_kind_display()} on {on:%d %B %Y}"

    @property
    def is_initial(self) -> bool:
        return self.kind in INITIAL_KINDS

    @property
    def date(self) -> dt.date:
        return self.held_on or self.scheduled_on


class ConferenceAgency(BaseModel):
    """An agency invited to a conference: whether it attended, and whether its report came in
    on time."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="agencies")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    name = models.CharField("Who", max_length=200, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    report_on_time = models.BooleanField(
        "Report received on time",
        null=True,
        blank=True,
        help_text="Blank: no report was asked for.",
    )

    class Meta:
        ordering = ["conference", "agency", "pk"]

    def __str__(self) -> str:
        return self.get_agency_display()


class ProtectionPlan(BaseModel):
    """What only a child protection plan has, beside its `plans.Plan` (kind `cp`): the conference
    that started it and its categories of abuse. The number of previous plans is derived from the
    child's history (`selectors.history`), never stored."""

    plan = models.OneToOneField("plans.Plan", on_delete=models.PROTECT, related_name="protection")
    initial_conference = models.OneToOneField(
        Conference, null=True, blank=True, on_delete=models.PROTECT, related_name="started_plan"
    )
    initial_category = models.CharField(
        "Initial category of abuse", max_length=3, choices=CategoryOfAbuse.choices
    )
    latest_category = models.CharField(
        "Latest category of abuse", max_length=3, choices=CategoryOfAbuse.choices
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(initial_category="") & ~Q(latest_category=""),
                name="protection_plan_has_categories",
            ),
        ]

    def __str__(self) -> str:
        return f"Child protection detail of plan {self.plan_id}"


class CoreGroup(BaseModel):
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="core_groups")
    held_on = models.DateField()
    summary = models.TextField("What was discussed and agreed")
    child_views = models.TextField(
        "The child's views and lived experience",
        blank=True,
        help_text="What life is like for them.",
    )
    next_meeting_on = models.DateField("Next core group", null=True, blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_meeting_on__isnull=True) | Q(next_meeting_on__gt=F("held_on")),
                name="core_group_next_after_held",
            ),
        ]

    def __str__(self) -> str:
        return f"Core group on {self.held_on:%d %B %Y}"


class CoreGroupAttendee(BaseModel):
    core_group = models.ForeignKey(CoreGroup, on_delete=models.PROTECT, related_name="attendees")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    name = models.CharField(max_length=200)
    attended = models.BooleanField(default=True, help_text="False: sent apologies.")

    class Meta:
        ordering = ["core_group", "agency", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_agency_display()})"


class CoreGroupActionProgress(BaseModel):
    """Progress on one plan action, as the core group found it."""

    core_group = models.ForeignKey(CoreGroup, on_delete=models.PROTECT, related_name="progress")
    action = models.ForeignKey(
        "plans.PlanAction", on_delete=models.PROTECT, related_name="core_group_progress"
    )
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["core_group", "action", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["core_group", "action"], name="one_progress_per_action_per_core_group"
            ),
        ]

    def __str__(self) -> str:
        return f"Progress on action {self.action_id}"
