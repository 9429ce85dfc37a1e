"""Forms for escalations: services check what spans fields and who may act; these, each field."""

from __future__ import annotations

from typing import Any

from django import forms

from hearth.core.forms.base import GovukForm
from hearth.core.forms.staff import VersionedForm
from hearth.frontdoor.models import Contact

from .models import RaiserRole

CONCERN_HELP = "What is wrong for the child, what you have already tried, and with whom."
OUTCOME_HELP = "What you want to happen, and by when."


def _concern() -> forms.CharField:
    return forms.CharField(
        label="What is the concern?",
        help_text=CONCERN_HELP,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


def _outcome() -> forms.CharField:
    return forms.CharField(
        label="What outcome are you seeking?",
        help_text=OUTCOME_HELP,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RaiseForm(GovukForm):
    """Raising an escalation from the child's page; the role is asked only when the user holds
    more than one on the case."""

    raiser_role = forms.ChoiceField(
        label="You are raising this as", choices=(), widget=forms.RadioSelect
    )
    concern = _concern()
    outcome_sought = _outcome()

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(roles) > 1:
            field = self.fields["raiser_role"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(r, RaiserRole(r).label) for r in roles]
        else:
            del self.fields["raiser_role"]


def _contact_label(contact: Contact) -> str:
    given = contact.child_as_given or {}
    name = f"{given.get('forename', '')} {given.get('surname', '')}".strip() or "Child"
    when = contact.received_at.strftime("%-d %B %Y")
    return f"{name} (contact {contact.submission.reference}, {when})"


class PartnerRaiseForm(GovukForm):
    """A partner agency raises an escalation about a child they referred."""

    contact = forms.TypedChoiceField(
        label="Which child is it about?",
        help_text="Children you referred to the front door, as you described them.",
        coerce=int,
        choices=(),
    )
    concern = _concern()
    outcome_sought = _outcome()

    def __init__(self, *args: Any, contacts: list[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contacts = {c.pk: c for c in contacts}
        field = self.fields["contact"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "Choose a child"),
            *[(c.pk, _contact_label(c)) for c in contacts],
        ]

    def chosen(self) -> Contact:
        return self.contacts[self.cleaned_data["contact"]]


class RespondForm(VersionedForm):
    response = forms.CharField(
        label="Your response",
        help_text="What will be done about the concern, by whom and when; or why not.",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ResolveForm(VersionedForm):
    resolution = forms.CharField(
        label="How was it resolved?",
        help_text="What was agreed and what will change for the child.",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class AcceptForm(VersionedForm):
    comment = forms.CharField(
        label="Comment (optional)",
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


RISE_CHOICES = [
    ("yes", "Take it to the next stage"),
    ("no", "Record that I do not accept it, and close it"),
]


class DisputeForm(VersionedForm):
    comment = forms.CharField(
        label="Why do you not accept the answer?",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    rise = forms.ChoiceField(
        label="What do you want to happen?", choices=RISE_CHOICES, widget=forms.RadioSelect
    )


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        label="Why are you withdrawing it?",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    entered_in_error = forms.BooleanField(
        label="It was recorded by mistake (no deadline will count)", required=False
    )
