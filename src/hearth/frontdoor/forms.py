"""Forms for the front door. Services check what spans fields; these check each field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from hearth.casework.codes import PrimaryNeed, ReferralSource
from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm
from hearth.core.models import User
from hearth.timescales.calendar import LONDON

from .models import Agency, ConcernCategory, Consent, EarlyHelpOutcome, Outcome, Rating
from .services import ChildDetails, NewContact, Referrer

MAX_CHILDREN = 4


class TimeField(forms.CharField):
    """HH:MM, 24-hour clock."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 5)
        kwargs.setdefault("help_text", "24-hour clock, for example 14:30.")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.time | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return dt.datetime.strptime(text.strip(), "%H:%M").time()
        except ValueError:
            raise forms.ValidationError("Enter a time like 14:30") from None


class ContactForm(GovukForm):
    """A contact as the referrer gives it: up to four children, one contact each."""

    received_date = GovukDateField(label="Date received")
    received_time = TimeField(label="Time received")
    source = forms.ChoiceField(label="Who is the contact from?", choices=ReferralSource.choices)
    referrer_name = forms.CharField(label="Referrer's name", max_length=150, required=False)
    referrer_role = forms.CharField(label="Role (optional)", max_length=150, required=False)
    referrer_organisation = forms.CharField(
        label="Organisation (optional)", max_length=150, required=False
    )
    referrer_phone = forms.CharField(label="Phone (optional)", max_length=30, required=False)
    referrer_email = forms.EmailField(label="Email (optional)", required=False)
    concerns = forms.CharField(
        label="What are the concerns?", widget=forms.Textarea(attrs={"rows": 6})
    )
    categories = forms.MultipleChoiceField(
        label="Concerns (select all that apply)",
        choices=ConcernCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, with_received: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_CHILDREN + 1):
            optional = "" if n == 1 else " (optional)"
            self.fields[f"child_{n}_forename"] = forms.CharField(
                label=f"Child {n} first name{optional}", max_length=100, required=False
            )
            self.fields[f"child_{n}_surname"] = forms.CharField(
                label=f"Child {n} last name{optional}", max_length=100, required=False
            )
            self.fields[f"child_{n}_dob"] = GovukDateField(
                label=f"Child {n} date of birth (optional)", required=False
            )
        if not with_received:
            # Partners' contacts are received when they are sent.
            del self.fields["received_date"], self.fields["received_time"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(
            data.get(f"child_{n}_surname") or data.get(f"child_{n}_forename")
            for n in range(1, MAX_CHILDREN + 1)
        ):
            self.add_error("child_1_forename", "Enter the name of at least one child")
        for n in range(1, MAX_CHILDREN + 1):
            dob = data.get(f"child_{n}_dob")
            if dob and dob > timezone.localdate():
                self.add_error(f"child_{n}_dob", "Date of birth must be in the past")
        if (
            "received_date" in self.fields
            and data.get("received_date")
            and data.get("received_time")
        ):
            received = dt.datetime.combine(
                data["received_date"], data["received_time"], tzinfo=LONDON
            )
            if received > timezone.now():
                self.add_error("received_date", "The date received must be today or in the past")
            data["received_at"] = received
        return data

    def to_new_contact(self, channel: str) -> NewContact:
        data = self.cleaned_data
        children = [
            ChildDetails(
                forename=data.get(f"child_{n}_forename", ""),
                surname=data.get(f"child_{n}_surname", ""),
                date_of_birth=data.get(f"child_{n}_dob"),
            )
            for n in range(1, MAX_CHILDREN + 1)
            if data.get(f"child_{n}_forename") or data.get(f"child_{n}_surname")
        ]
        return NewContact(
            received_at=data.get("received_at") or timezone.now(),
            source=data["source"],
            concerns=data["concerns"],
            categories=data.get("categories", []),
            children=children,
            referrer=Referrer(
                name=data.get("referrer_name", ""),
                role=data.get("referrer_role", ""),
                organisation=data.get("referrer_organisation", ""),
                phone=data.get("referrer_phone", ""),
                email=data.get("referrer_email", ""),
            ),
            channel=channel,
        )


class PublicContactForm(ContactForm):
    """Anyone may tell the front door about a child: name and a way to reach them are required."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, with_received=False, **kwargs)
        self.fields["referrer_name"].required = True
        self.fields["referrer_name"].label = "Your name"
        self.fields["referrer_name"].error_messages["required"] = "Enter your name"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("referrer_phone") or data.get("referrer_email")):
            self.add_error("referrer_phone", "Enter a phone number or an email address")
        return data


def manager_choices() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Manager who authorised overriding consent",
        queryset=User.objects.filter(
            is_active=True, roles__permissions__codename="manage_allocations"
        )
        .distinct()
        .order_by("last_name", "first_name"),
        required=False,
    )


class ScreenForm(VersionedForm):
    consent = forms.ChoiceField(
        label="Consent to share information", choices=Consent.choices, widget=forms.RadioSelect
    )
    consent_reason = forms.CharField(
        label="Why was consent not sought, or overridden? (if so)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    rating = forms.ChoiceField(label="Rating", choices=Rating.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent_authorised_by"] = manager_choices()


class ChecksForm(GovukForm):
    agencies = forms.MultipleChoiceField(
        label="Agencies to check with",
        choices=Agency.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one agency to check with"},
    )


class CheckReturnForm(VersionedForm):
    summary = forms.CharField(
        label="What did the agency share?", widget=forms.Textarea(attrs={"rows": 3})
    )


class RecommendForm(VersionedForm):
    recommendation = forms.ChoiceField(
        label="Recommendation", choices=Outcome.choices, widget=forms.RadioSelect
    )
    recommendation_rationale = forms.CharField(
        label="Reasons for the recommendation",
        help_text="What the concerns are, what the checks showed and why this response meets them.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class DecideForm(VersionedForm):
    decision = forms.ChoiceField(
        label="Decision", choices=Outcome.choices, widget=forms.RadioSelect
    )
    decision_rationale = forms.CharField(
        label="Reasons for the decision",
        help_text="Say why this response meets the child's needs, in your own words.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    primary_need = forms.ChoiceField(
        label="Primary need (for a referral)",
        choices=[("", "Not a referral"), *PrimaryNeed.choices],
        required=False,
    )


class EarlyHelpForm(GovukForm):
    start_date = GovukDateField(label="Start date")
    reason = forms.CharField(
        label="Reason for early help", widget=forms.Textarea(attrs={"rows": 4})
    )
    organisation = forms.CharField(
        label="Organisation completing the assessment (optional)", max_length=150, required=False
    )
    lead_professional = forms.CharField(
        label="Lead professional (optional)", max_length=150, required=False
    )


class EarlyHelpAssessmentForm(VersionedForm):
    assessment_start = GovukDateField(label="Assessment started", required=False)
    assessment_completed = GovukDateField(label="Assessment completed (optional)", required=False)
    organisation = forms.CharField(
        label="Organisation completing the assessment", max_length=150, required=False
    )
    lead_professional = forms.CharField(
        label="Lead professional (optional)", max_length=150, required=False
    )


class EarlyHelpCloseForm(VersionedForm):
    end_date = GovukDateField(label="End date")
    outcome = forms.ChoiceField(
        label="Outcome", choices=EarlyHelpOutcome.choices, widget=forms.RadioSelect
    )
    step_up_concerns = forms.CharField(
        label="Concerns for children's social care (if stepping up)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class StepDownForm(VersionedForm):
    on = GovukDateField(label="Date of step-down")
    reason = forms.CharField(
        label="What early help will do", widget=forms.Textarea(attrs={"rows": 4})
    )
    organisation = forms.CharField(
        label="Organisation leading early help (optional)", max_length=150, required=False
    )
