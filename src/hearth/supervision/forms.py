"""Forms for supervision and management oversight. Fields are checked here; what spans fields
(held or cancelled, dates in order, rationales) is checked by the services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet

from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm
from hearth.core.models import User
from hearth.people.models import Person

from .models import CancellationReason, SessionStatus, Wellbeing
from .services import NewAction

ACTION_SLOTS = 3
TEXT = {"rows": 5}
CONFIDENTIAL_HINT = "Only the worker, the supervisor and the worker's managers can read this."


def supervisors() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, roles__permissions__codename="manage_allocations")
        .distinct()
        .order_by("last_name", "first_name")
    )


class SessionForm(VersionedForm):
    """A session that was held (reflective discussion and wellbeing check) or one that was
    cancelled (the reason): each form asks only for its own fields."""

    session_date = GovukDateField(label="Date of the session")
    supervisor = forms.ModelChoiceField(
        label="Supervisor",
        queryset=User.objects.none(),
        empty_label="Select the supervisor",
        help_text="A team manager, senior practitioner or a manager above them.",
    )
    reflective_discussion = forms.CharField(
        label="Reflective discussion",
        help_text="What you reflected on together: practice, learning, challenge and support. "
        + CONFIDENTIAL_HINT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter what you reflected on in the session"},
    )
    wellbeing_rating = forms.TypedChoiceField(
        label="How does the worker say they are?",
        choices=Wellbeing.choices,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the worker says they are"},
    )
    wellbeing_notes = forms.CharField(
        label="Wellbeing notes",
        help_text="Workload, stress, support agreed. " + CONFIDENTIAL_HINT,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    cancellation_reason = forms.ChoiceField(
        label="Why was it cancelled?",
        choices=CancellationReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the session was cancelled"},
    )
    cancellation_note = forms.CharField(
        label="More about the cancellation",
        help_text="Needed when the reason is ‘Other’.",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    next_session_on = GovukDateField(label="Next session agreed for", required=False)

    HELD_ONLY = ("reflective_discussion", "wellbeing_rating", "wellbeing_notes")
    CANCELLED_ONLY = ("cancellation_reason", "cancellation_note")

    def __init__(self, *args: Any, worker: User, status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status = status
        field = self.fields["supervisor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = supervisors().exclude(pk=worker.pk)
        held = status == SessionStatus.ATTENDED
        for name in self.CANCELLED_ONLY if held else self.HELD_ONLY:
            del self.fields[name]
        if held:
            self.fields["session_date"].help_text = "The day the session was held."
        else:
            self.fields["session_date"].help_text = "The day the session was planned for."
            self.fields["next_session_on"].label = "Rearranged for"

    def values(self) -> dict[str, Any]:
        """What the service takes: the form's values and whether the session was held."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return {**data, "status": self.status}


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        label="Why is this being withdrawn?",
        help_text="For example, recorded for the wrong worker or the wrong child. The record is "
        "kept in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why it is being withdrawn"},
    )


def _action_fields(form: forms.Form, prefix: str, owners: Iterable[User], heading: str) -> None:
    form.fields[f"{prefix}description"] = forms.CharField(
        label=f"{heading}What is to be done",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    form.fields[f"{prefix}owner"] = forms.ModelChoiceField(
        label=f"{heading}Who will do it",
        queryset=User.objects.filter(pk__in=[u.pk for u in owners]).order_by("last_name"),
        empty_label="Select who will do it",
        required=False,
    )
    form.fields[f"{prefix}due_on"] = GovukDateField(label=f"{heading}Due by", required=False)


def _action_from(data: dict[str, Any], prefix: str) -> NewAction | None:
    description = (data.get(f"{prefix}description") or "").strip()
    owner, due_on = data.get(f"{prefix}owner"), data.get(f"{prefix}due_on")
    if not (description or owner or due_on):
        return None
    return NewAction(description=description, owner=owner, due_on=due_on)


def _child_label(person: Person) -> str:
    return f"{person.full_name} ({person.child_id})"


class DiscussionForm(GovukForm):
    """One child's case discussed in the session, with up to three actions agreed."""

    person = forms.ModelChoiceField(
        label="Child", queryset=Person.objects.none(), empty_label="Select a child"
    )
    summary = forms.CharField(label="What was discussed", widget=forms.Textarea(attrs=TEXT))
    decision = forms.CharField(label="Decision", widget=forms.Textarea(attrs={"rows": 3}))
    rationale = forms.CharField(
        label="Reasons for the decision",
        help_text="What you considered and why this is right for the child, in at least 10 words.",
        widget=forms.Textarea(attrs=TEXT),
    )

    def __init__(
        self, *args: Any, children: QuerySet[Person], owners: Iterable[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = children
        field.label_from_instance = _child_label  # type: ignore[method-assign,assignment]
        owner_list = list(owners)
        for n in range(1, ACTION_SLOTS + 1):
            _action_fields(self, f"action_{n}_", owner_list, f"Action {n}: ")

    def actions(self) -> list[NewAction]:
        found = (
            _action_from(self.cleaned_data, f"action_{n}_") for n in range(1, ACTION_SLOTS + 1)
        )
        return [a for a in found if a is not None]


class EditDiscussionForm(VersionedForm):
    summary = forms.CharField(label="What was discussed", widget=forms.Textarea(attrs=TEXT))
    decision = forms.CharField(label="Decision", widget=forms.Textarea(attrs={"rows": 3}))
    rationale = forms.CharField(label="Reasons for the decision", widget=forms.Textarea(attrs=TEXT))


class ActionForm(GovukForm):
    def __init__(self, *args: Any, owners: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _action_fields(self, "", list(owners), "")
        for name in ("description", "owner", "due_on"):
            self.fields[name].required = True
        self.fields["description"].error_messages["required"] = "Enter what is to be done"
        self.fields["owner"].error_messages["required"] = "Select who will do it"
        self.fields["due_on"].error_messages["required"] = "Enter the date it is due by"

    def action(self) -> NewAction:
        found = _action_from(self.cleaned_data, "")
        assert found is not None  # every field is required
        return found


class ActionDoneForm(VersionedForm):
    completed_on = GovukDateField(label="Date done")


class OversightForm(VersionedForm):
    oversight_on = GovukDateField(label="Date of the decision")
    decision = forms.CharField(
        label="Decision",
        help_text="For example, to hold a strategy discussion, to step down, or to close.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rationale = forms.CharField(
        label="Reasons for the decision",
        help_text="What you considered and why this is right for the child, in at least 10 words.",
        widget=forms.Textarea(attrs=TEXT),
    )
