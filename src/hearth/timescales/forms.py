"""Forms for the local standards and bank holiday pages. Services check and write."""

from __future__ import annotations

from django import forms

from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm

from .rules import LOCAL_UNITS, UNIT_WORDS


class LocalStandardForm(VersionedForm):
    amount = forms.IntegerField(
        label="How many",
        min_value=0,
        error_messages={
            "required": "Enter how many days, weeks or months",
            "invalid": "Enter a whole number, like 10",
            "min_value": "Enter a number of 0 or more",
        },
    )
    unit = forms.ChoiceField(
        label="Counted in",
        choices=[(u.value, UNIT_WORDS[u][1].capitalize()) for u in LOCAL_UNITS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the period is counted"},
    )


class BankHolidayForm(GovukForm):
    date = GovukDateField(label="Date", help_text="For example, 8 5 2023.")
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="As announced, for example: Coronation of King Charles III.",
        error_messages={"required": "Enter the bank holiday's name"},
    )


class BankHolidayWithdrawForm(VersionedForm):
    reason = forms.CharField(
        label="Why is it being withdrawn?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the bank holiday is being withdrawn"},
    )
