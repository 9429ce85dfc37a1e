"""The visit form. Services check what spans fields (seen alone only when seen, a reason when not
seen, actions from the child's plans); this form checks each field and joins date and time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm
from hearth.core.models import User
from hearth.frontdoor.forms import TimeField
from hearth.plans.models import Plan
from hearth.timescales.calendar import LONDON

from .codes import VisitKind, VisitLocation

YES_NO = [("yes", "Yes"), ("no", "No")]
BEDROOM = [("yes", "Yes"), ("no", "No"), ("na", "Not asked: the visit was not at the child's home")]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _text(label: str, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class VisitForm(VersionedForm):
    kind = forms.ChoiceField(
        label="Type of visit", choices=VisitKind.choices, widget=forms.RadioSelect
    )
    # Cleaned to the aware date and time of the visit (with `visited_time`), so the service's
    # messages about it land on this field.
    visited_at = GovukDateField(label="Date of the visit", help_text="For example, 27 3 2026.")
    visited_time = TimeField(label="Time of the visit")
    location = forms.ChoiceField(
        label="Where was the visit? (optional)",
        choices=VisitLocation.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    child_seen = forms.ChoiceField(
        label="Was the child seen?", choices=YES_NO, widget=forms.RadioSelect
    )
    seen_alone = forms.ChoiceField(
        label="Was the child seen alone?",
        help_text="Answer when the child was seen.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    bedroom_seen = forms.ChoiceField(
        label="Was the child's bedroom seen?",
        help_text="Answer when the child was seen.",
        choices=BEDROOM,
        widget=forms.RadioSelect,
        required=False,
    )
    reason_not_seen = _text(
        "Why was the child not seen?",
        "Required when the child was not seen: what happened, and what you will do to see them.",
    )
    others_present = _text("Who else was present (optional)", rows=2)
    child_views = _text(
        "The child's views, in their own words",
        "What the child said, as they said it: their wishes, feelings and worries. For a baby or "
        "a child who does not speak, what their behaviour and presentation told you.",
        rows=6,
    )
    observations = _text(
        "Your observations",
        "The home, the child's presentation and care, how they were with the adults around them.",
        rows=6,
    )
    actions = forms.MultipleChoiceField(
        label="Plan actions this visit served (optional)",
        help_text="Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    worker = forms.TypedChoiceField(label="Who visited?", coerce=int)

    def __init__(
        self,
        *args: Any,
        plans: list[Plan],
        workers: list[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        several = len(plans) > 1
        choices = []
        for plan in plans:
            for action in plan.actions.all():
                label = f"{action.description} (due {action.due_date:%-d %B %Y})"
                if several:
                    label = f"{plan.get_kind_display()}: {label}"
                choices.append((str(action.pk), label))
        actions = self.fields["actions"]
        assert isinstance(actions, forms.MultipleChoiceField)
        if choices:
            actions.choices = choices
        else:
            del self.fields["actions"]
        self.workers = {w.pk: w for w in workers}
        worker = self.fields["worker"]
        assert isinstance(worker, forms.ChoiceField)
        worker.choices = [(w.pk, w.full_name) for w in workers]

    @classmethod
    def initial_for(cls, visit: Any) -> dict[str, Any]:
        """A saved visit as the form's initial values."""
        local = visit.visited_at.astimezone(LONDON)
        return {
            "version": visit.version,
            "kind": visit.kind,
            "visited_at": local.date(),
            "visited_time": local.strftime("%H:%M"),
            "location": visit.location,
            "child_seen": _yes_no(visit.child_seen),
            "seen_alone": _yes_no(visit.seen_alone),
            "bedroom_seen": _yes_no(visit.bedroom_seen) or ("na" if visit.child_seen else ""),
            "reason_not_seen": visit.reason_not_seen,
            "others_present": visit.others_present,
            "child_views": visit.child_views,
            "observations": visit.observations,
            "actions": [str(pk) for pk in visit.actions.values_list("pk", flat=True)],
            "worker": visit.worker_id,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("visited_at"), data.get("visited_time")
        if isinstance(day, dt.date) and isinstance(time, dt.time):
            data["visited_at"] = dt.datetime.combine(day, time, tzinfo=LONDON)
        seen = data.get("child_seen")
        if seen == "no":
            # Answers revealed under "yes" (shown without JavaScript) do not apply.
            data["seen_alone"] = data["bedroom_seen"] = None
        else:
            data["reason_not_seen"] = ""
            data["seen_alone"] = {"yes": True, "no": False}.get(data.get("seen_alone") or "")
            data["bedroom_seen"] = {"yes": True, "no": False}.get(data.get("bedroom_seen") or "")
        data["child_seen"] = {"yes": True, "no": False}.get(seen or "")
        return data

    def service_values(self) -> dict[str, Any]:
        """The cleaned data as the services take it."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "visited_at": data["visited_at"],
            "location": data.get("location") or "",
            "child_seen": data["child_seen"],
            "seen_alone": data["seen_alone"],
            "bedroom_seen": data["bedroom_seen"],
            "reason_not_seen": data.get("reason_not_seen") or "",
            "others_present": data.get("others_present") or "",
            "child_views": data.get("child_views") or "",
            "observations": data.get("observations") or "",
            "worker": self.workers[data["worker"]],
            "actions": [int(pk) for pk in data.get("actions") or []],
        }


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        label="Why are you withdrawing this visit?",
        help_text="For example, it was recorded on the wrong child's record, or twice. The visit "
        "stays on record, marked as withdrawn, and no longer counts as a visit.",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
