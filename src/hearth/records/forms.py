"""Forms for case notes and documents: each field here, the rules across them in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm
from hearth.frontdoor.forms import TimeField
from hearth.timescales.calendar import LONDON

from .codes import DocumentKind, NoteKind
from .scanning import allowed_labels, describe_size, max_size

SIGNIFICANT_HELP = "A significant event in the child's life or case: it shows in the chronology's "
SIGNIFICANT_HELP += "significant events."
RESTRICTED_HELP = (
    "Only you, the child's allocated workers and managers will be able to read it. Others see "
    "that there is a restricted record, when and by whom."
)


class NoteForm(VersionedForm):
    kind = forms.ChoiceField(
        label="What kind of note is it?",
        choices=[("", "Choose a kind"), *NoteKind.choices],
        error_messages={"required": "Select what kind of note this is"},
    )
    occurred_on = GovukDateField(
        label="Date it happened",
        help_text="For example, 27 3 2026. Not in the future.",
        error_messages={"required": "Enter the date it happened"},
    )
    occurred_time = TimeField(
        label="Time it happened", error_messages={"required": "Enter the time it happened"}
    )
    subject = forms.CharField(
        label="Subject", max_length=200, help_text="A short title, like 'Call with the school'."
    )
    text = forms.CharField(
        label="Note",
        max_length=50_000,
        error_messages={"required": "Enter the note"},
        help_text="What happened, what was said, what you think it means for the child, and "
        "what happens next.",
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    significant = forms.BooleanField(
        label="This is a significant event", required=False, help_text=SIGNIFICANT_HELP
    )
    restricted = forms.BooleanField(
        label="Restrict who can read it", required=False, help_text=RESTRICTED_HELP
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("occurred_on"), data.get("occurred_time")
        if day and time:
            at = dt.datetime.combine(day, time, tzinfo=LONDON)
            if at > timezone.now():
                self.add_error("occurred_on", "The date and time it happened must be in the past")
            data["occurred_at"] = at
        return data

    def note_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "occurred_at": d["occurred_at"],
            "subject": d["subject"],
            "text": d["text"],
            "significant": bool(d.get("significant")),
            "restricted": bool(d.get("restricted")),
        }


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        label="Why is it being withdrawn?",
        error_messages={"required": "Enter why it is being withdrawn"},
        help_text="For example, recorded on the wrong child's record. It is kept, marked "
        "withdrawn, with your reason.",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _file_help() -> str:
    return f"{allowed_labels()}; up to {describe_size(max_size())}."


class UploadForm(GovukForm):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Enter a title for the document"},
    )
    kind = forms.ChoiceField(
        label="What kind of document is it?",
        choices=[("", "Choose a kind"), *DocumentKind.choices],
        error_messages={"required": "Select what kind of document this is"},
    )
    description = forms.CharField(
        label="Description (optional)",
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(label="File", error_messages={"required": "Select a file to upload"})
    significant = forms.BooleanField(
        label="Its upload is a significant event", required=False, help_text=SIGNIFICANT_HELP
    )
    restricted = forms.BooleanField(
        label="Restrict who can open it", required=False, help_text=RESTRICTED_HELP
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()


class VersionForm(VersionedForm):
    file = forms.FileField(
        label="The new version", error_messages={"required": "Select a file to upload"}
    )
    note = forms.CharField(label="What changed (optional)", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()
