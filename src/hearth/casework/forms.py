"""Casework forms: each field checked here; the census rules that span records in services."""

from __future__ import annotations

from typing import Any

from django import forms

from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm

from .codes import AssessmentFactor, AssessmentOutcome, ClosureReason, PrimaryNeed, ReferralSource

YES_NO = [("yes", "Yes"), ("no", "No")]


class ReferralForm(GovukForm):
    referral_date = GovukDateField(label="Date of the referral")
    referral_source = forms.ChoiceField(
        label="Who made the referral?", choices=[("", "Select the source"), *ReferralSource.choices]
    )
    primary_need = forms.ChoiceField(
        label="Primary need",
        help_text="The main reason the child needs services (CIN census N0 to N9).",
        choices=[("", "Select the primary need"), *PrimaryNeed.choices],
    )


class CloseForm(VersionedForm):
    closure_date = GovukDateField(label="Date the episode closes")
    closure_reason = forms.ChoiceField(
        label="Reason for closure", choices=ClosureReason.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label="Closure summary",
        help_text="Why the case is closing, what has changed for the child and what support "
        "continues (at least 10 words).",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
    )


class NoFurtherActionForm(VersionedForm):
    on = GovukDateField(label="Date of the decision")
    reason = forms.CharField(
        label="Why no further action is needed",
        help_text="What the referral said, what was checked and why no assessment is needed.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
    )


class AssessmentStartForm(GovukForm):
    start_date = GovukDateField(label="Date the assessment started")


class AssessmentForm(VersionedForm):
    child_seen_on = GovukDateField(label="Date the child was seen", required=False)
    seen_alone = forms.ChoiceField(
        label="Was the child seen alone?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    child_views = forms.CharField(
        label="The child's views, in their own words",
        help_text="What the child said, drew or showed you. For a baby, what you saw of their "
        "day and how they responded to the people around them.",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20_000,
    )
    factors = forms.MultipleChoiceField(
        label="Factors identified",
        help_text="Choose every factor the assessment found, or “No factors identified” alone.",
        choices=AssessmentFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    analysis = forms.CharField(
        label="Analysis",
        help_text="The strengths, the worries, and what they mean for the child's daily life.",
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        max_length=50_000,
    )
    outcome = forms.ChoiceField(
        label="Proposed outcome",
        choices=AssessmentOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def clean_seen_alone(self) -> bool | None:
        value = self.cleaned_data.get("seen_alone")
        return {"yes": True, "no": False}.get(value or "")


class AuthoriseForm(VersionedForm):
    authorised_on = GovukDateField(label="Date of authorisation")
    rationale = forms.CharField(
        label="Your rationale",
        help_text="Is the analysis evidenced? Is the child's voice heard? Why does the outcome "
        "meet the child's needs? (At least 10 words.)",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
    )


class ReturnForm(VersionedForm):
    reason = forms.CharField(
        label="What needs to be done before you can authorise it?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = "The social worker sees this on the assessment."
