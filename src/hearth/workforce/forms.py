"""Forms for allocation and workforce settings. Services check what spans fields and records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.models import Team

from .codes import CaseRole, ChangeReason, EndReason


class AllocateForm(GovukForm):
    worker = forms.TypedChoiceField(
        coerce=int, label="Social worker", widget=forms.RadioSelect, choices=()
    )
    siblings = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        label="Allocate brothers and sisters waiting too (optional)",
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    start_date = GovukDateField(label="Allocated from")
    reason = forms.ChoiceField(
        label="Reason for the change of worker", choices=ChangeReason.choices
    )
    note = forms.CharField(
        label="Note for the worker (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    over_threshold_reason = forms.CharField(
        label="Reason for allocating above the caseload threshold (optional)",
        help_text="Needed only when the worker would pass their team's threshold.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        workers: list[tuple[int, str]],
        siblings: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = workers  # type: ignore[attr-defined]
        self.fields["siblings"].choices = siblings  # type: ignore[attr-defined]
        if not siblings:
            del self.fields["siblings"]


class RoleAddForm(GovukForm):
    role = forms.ChoiceField(
        label="Role on the case",
        choices=[c for c in CaseRole.choices if c[0] != CaseRole.LEAD_SOCIAL_WORKER],
    )
    worker = forms.TypedChoiceField(coerce=int, label="Member of staff", choices=())
    start_date = GovukDateField(label="From")

    def __init__(self, *args: Any, workers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "Choose someone"), *workers]  # type: ignore[attr-defined]


class AllocationEndForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    end_date = GovukDateField(label="Ended on")
    end_reason = forms.ChoiceField(
        label="Why it is ending",
        widget=forms.RadioSelect,
        choices=[c for c in EndReason.choices if c[0] != EndReason.REALLOCATED],
    )


class TransferForm(GovukForm):
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(is_active=True).order_by("name"),
        label="Team to allocate the child",
    )


class CaseWeightForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    weight = forms.DecimalField(
        label="Weight",
        min_value=Decimal("0"),
        max_value=Decimal("10"),
        decimal_places=2,
        help_text="Caseload units one child of this kind counts for (1 is a child in need case).",
    )


class EstablishmentForm(GovukForm):
    effective_from = GovukDateField(label="From")
    posts_fte = forms.DecimalField(
        label="Funded social work posts (full-time equivalent)",
        min_value=Decimal("0"),
        max_value=Decimal("500"),
        decimal_places=2,
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=200)
