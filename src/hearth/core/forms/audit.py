from __future__ import annotations

from typing import Any

from django import forms

from ..choices import AuditAction
from .base import GovukForm
from .fields import GovukDateField


class AuditSearchForm(GovukForm):
    person = forms.CharField(
        required=False,
        label="Person ID (optional)",
        help_text="The ID of the child or family member.",
    )
    actor = forms.CharField(
        required=False, label="User (optional)", help_text="Email or part of it."
    )
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *AuditAction.choices], label="Action"
    )
    object_type = forms.CharField(
        required=False, label="Record type (optional)", help_text="For example, core.user."
    )
    date_from = GovukDateField(required=False, label="From (optional)")
    date_to = GovukDateField(required=False, label="To (optional)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The ‘to’ date must be the same as or after the ‘from’ date")
        return data
