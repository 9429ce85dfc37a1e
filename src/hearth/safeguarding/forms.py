"""Forms for risk assessments, missing episodes and return interviews. Each field is checked
here; the rules that span fields and records are the services'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm
from hearth.core.models import User
from hearth.frontdoor.forms import TimeField
from hearth.timescales.calendar import LONDON

from .codes import MissingFrom, MissingKind, RiskKind, RiskLevel

YES_NO = [("yes", "Yes"), ("no", "No")]
ACCEPTED = [("yes", "Yes, accepted"), ("no", "No, declined"), ("", "Not answered yet")]


def moment(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    """A London date and time as an aware moment (the clocks' change handled by the zone)."""
    if day is None or time is None:
        return None
    return dt.datetime.combine(day, time, tzinfo=LONDON)


def staff_choices() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        label="Who assessed the risk?",
    )


def _text(label: str, *, required: bool = False, rows: int = 4, help_text: str = "") -> Any:
    return forms.CharField(
        label=label if required else f"{label} (optional)",
        required=required,
        max_length=10_000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class RiskAssessmentForm(VersionedForm):
    kind = forms.ChoiceField(
        label="What kind of risk?", choices=RiskKind.choices, widget=forms.RadioSelect
    )
    level = forms.ChoiceField(
        label="Level of risk", choices=RiskLevel.choices, widget=forms.RadioSelect
    )
    assessed_on = GovukDateField(label="Date assessed")
    assessor = staff_choices()
    summary = _text("Summary of the risk", required=True, rows=5)
    indicators = _text("Risk indicators", help_text="What was seen or heard that shows the risk.")
    protective_factors = _text("Protective factors")
    actions = _text("Actions to reduce the risk", help_text="Who will do what, and by when.")

    def __init__(self, *args: Any, with_kind: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_kind:
            del self.fields["kind"]


class CloseRiskForm(VersionedForm):
    closed_on = GovukDateField(label="Date the risk stopped applying")
    closed_reason = _text("Why does the risk no longer apply?", required=True)


def _when(prefix: str, label: str, *, required: bool) -> dict[str, forms.Field]:
    optional = "" if required else " (optional)"
    return {
        f"{prefix}_date": GovukDateField(label=f"{label}: date{optional}", required=required),
        f"{prefix}_time": TimeField(label=f"{label}: time{optional}", required=required),
    }


class _Moments(VersionedForm):
    """Date-and-time pairs cleaned into `<prefix>_at` moments."""

    moments: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix in self.moments:
            day, time = data.get(f"{prefix}_date"), data.get(f"{prefix}_time")
            if (day is None) != (time is None) and f"{prefix}_date" not in self.errors:
                missing = f"{prefix}_time" if time is None else f"{prefix}_date"
                if missing not in self.errors:
                    self.add_error(missing, "Enter both the date and the time, or neither")
            data[f"{prefix}_at"] = moment(day, time)
        return data


class MissingEpisodeForm(_Moments):
    moments = ("started", "ended")

    missing_from = forms.ChoiceField(
        label="Where did the child go missing from?",
        choices=MissingFrom.choices,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label="Missing or away?",
        choices=MissingKind.choices,
        widget=forms.RadioSelect,
        help_text="Away without authorisation is for a child in care whose whereabouts are known.",
    )
    started_date = GovukDateField(label="Went missing: date")
    started_time = TimeField(label="Went missing: time")
    ended_date = GovukDateField(label="Returned or found: date (optional)", required=False)
    ended_time = TimeField(label="Returned or found: time (optional)", required=False)
    where_found = _text("Where the child was found, or returned to")
    reported_to_police = forms.ChoiceField(
        label="Was the child reported missing to the police?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    police_reference = forms.CharField(
        label="Police reference (optional)", max_length=40, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["reported"] = data.get("reported_to_police") == "yes"
        return data


class ReturnForm(_Moments):
    moments = ("ended",)

    ended_date = GovukDateField(label="Returned or found: date")
    ended_time = TimeField(label="Returned or found: time")
    where_found = _text("Where the child was found, or returned to")


class ReturnInterviewForm(_Moments):
    moments = ("offered",)

    offered_date = GovukDateField(label="Interview offered: date")
    offered_time = TimeField(label="Interview offered: time")
    accepted = forms.ChoiceField(
        label="Did the child accept the interview?",
        choices=ACCEPTED,
        widget=forms.RadioSelect,
        required=False,
    )
    completed_on = GovukDateField(label="Date completed (optional)", required=False)
    by = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        label="Done by a member of staff (optional)",
        required=False,
    )
    by_agency = forms.CharField(
        label="Or done by another agency (optional)",
        max_length=150,
        required=False,
        help_text="For example a commissioned return interview service.",
    )
    findings = _text("What the interview found", rows=6)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["accepted_value"] = {"yes": True, "no": False}.get(data.get("accepted") or "")
        return data
