"""Forms for administrators' pages: users, teams, memberships, roles. Services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import Permission

from ..choices import EmploymentType, ServiceArea
from ..models import Role, User, swe_registration_validator
from .base import GovukForm
from .fields import GovukDateField


class VersionedForm(GovukForm):
    """Carries the version the user started from, so a concurrent edit is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UserForm(VersionedForm):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    email = forms.EmailField(label="Email address", help_text="They sign in with this address.")
    job_title = forms.CharField(max_length=150, required=False, label="Job title (optional)")
    roles = forms.ModelMultipleChoiceField(
        queryset=Role.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select at least one role"},
    )
    employment_type = forms.ChoiceField(choices=EmploymentType.choices, widget=forms.RadioSelect)
    fte = forms.DecimalField(
        label="Full-time equivalent (FTE)",
        min_value=0.01,
        max_value=1,
        decimal_places=2,
        help_text="For example, 1 for full time or 0.6 for three days a week.",
    )
    employment_start = GovukDateField(label="Employment start date", required=False)
    employment_end = GovukDateField(label="Employment end date", required=False)
    line_manager = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        required=False,
        label="Line manager (optional)",
        help_text="Supervision and escalations go to them.",
    )
    swe_registration = forms.CharField(
        label="Social Work England registration number (optional)",
        required=False,
        max_length=9,
        help_text="For example, SW123456.",
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean_swe_registration(self) -> str:
        # People type "sw123456"; check the format after normalising case.
        value = str(self.cleaned_data.get("swe_registration") or "").strip().upper()
        if value:
            swe_registration_validator(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("employment_start"), data.get("employment_end")
        if start and end and end < start:
            self.add_error(
                "employment_end", "Employment end date must be the same as or after the start date"
            )
        return data

    @staticmethod
    def initial_for(user: User) -> dict[str, Any]:
        return {
            "version": user.version,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "job_title": user.job_title,
            "roles": list(user.roles.all()),
            "employment_type": user.employment_type,
            "fte": user.fte,
            "employment_start": user.employment_start,
            "employment_end": user.employment_end,
            "swe_registration": user.swe_registration,
            "line_manager": user.line_manager_id,
        }


class UserCloseForm(GovukForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is this account being closed?",
        error_messages={"required": "Enter why this account is being closed"},
    )
    end_date = GovukDateField(label="Last day of employment (optional)", required=False)


class TeamForm(VersionedForm):
    name = forms.CharField(max_length=150, label="Team name")
    service_area = forms.ChoiceField(choices=ServiceArea.choices, label="Service area")
    manager = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        required=False,
        label="Team manager (optional)",
    )
    caseload_amber = forms.IntegerField(
        min_value=1,
        max_value=60,
        label="Caseload amber threshold",
        help_text="Weighted cases per full-time worker above which the manager is warned.",
    )
    caseload_red = forms.IntegerField(
        min_value=2,
        max_value=80,
        label="Caseload red threshold",
        help_text="Weighted cases per full-time worker above which a caseload is unsafe.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amber, red = data.get("caseload_amber"), data.get("caseload_red")
        if amber is not None and red is not None and red <= amber:
            self.add_error("caseload_red", "The red threshold must be higher than the amber one")
        return data


class TeamMemberForm(GovukForm):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        label="Member of staff",
    )
    start_date = GovukDateField(label="Date they joined the team")


class TeamMemberEndForm(GovukForm):
    end_date = GovukDateField(label="Date they left the team")


class RoleForm(VersionedForm):
    permissions = forms.ModelMultipleChoiceField(
        queryset=Permission.objects.filter(
            content_type__app_label="core", content_type__model="user"
        )
        .exclude(codename__in=["add_user", "change_user", "delete_user", "view_user"])
        .order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="What holders of this role may do",
    )
    two_factor_required = forms.BooleanField(
        required=False,
        label="Holders must use two-factor sign-in",
        help_text="They will be asked to set up an authenticator app the next time they sign in.",
    )
