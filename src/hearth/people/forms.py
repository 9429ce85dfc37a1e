"""Forms for the people pages. They check what one field (or two together) can; the services
check the rest and their refusals land on these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm
from hearth.core.models import User

from .codes import (
    AddressKind,
    Disability,
    Ethnicity,
    GenderIdentity,
    ImmigrationStatus,
    NameKind,
    RelationshipKind,
    Sex,
    UpnUnknown,
)
from .models import Person
from .validators import normalise_postcode, validate_postcode


class PersonForm(GovukForm):
    """Every field of a person's details (the services normalise and check identifiers)."""

    forename = forms.CharField(
        max_length=100,
        required=False,
        label="Forename",
        help_text="Leave blank for an unborn child who has not been named.",
    )
    surname = forms.CharField(max_length=100, label="Surname")
    date_of_birth = GovukDateField(
        label="Date of birth", required=False, help_text="For example, 27 3 2015."
    )
    expected_date_of_birth = GovukDateField(
        label="Expected date of birth",
        required=False,
        help_text="For an unborn child only: leave the date of birth blank.",
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        initial=Sex.UNKNOWN,
        help_text="Select unknown for an unborn child.",
    )
    gender_identity = forms.ChoiceField(
        label="Gender identity", choices=GenderIdentity.choices, initial=GenderIdentity.NOT_KNOWN
    )
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Ethnicity.choices, initial="NOBT")
    disabilities = forms.MultipleChoiceField(
        label="Disabilities",
        choices=Disability.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply, or no disability.",
    )
    first_language = forms.CharField(label="First language", max_length=60, required=False)
    religion = forms.CharField(label="Religion", max_length=60, required=False)
    nationality = forms.CharField(label="Nationality", max_length=60, required=False)
    nhs_number = forms.CharField(
        label="NHS number", max_length=20, required=False, help_text="10 digits, like 485 777 3456."
    )
    upn = forms.CharField(
        label="Unique pupil number (UPN)",
        max_length=20,
        required=False,
        help_text="13 characters, like A123456789012.",
    )
    former_upn = forms.CharField(label="Former UPN", max_length=20, required=False)
    upn_unknown = forms.ChoiceField(
        label="Why the UPN is not known",
        choices=[("", "Not applicable"), *UpnUnknown.choices],
        required=False,
    )
    date_of_death = GovukDateField(label="Date of death", required=False)
    immigration_status = forms.ChoiceField(
        label="Immigration status", choices=ImmigrationStatus.choices, required=False
    )
    is_uasc = forms.BooleanField(label="Unaccompanied asylum-seeking child", required=False)

    def clean_disabilities(self) -> list[str]:
        codes = list(self.cleaned_data.get("disabilities") or [])
        if Disability.NONE in codes and len(codes) > 1:
            raise ValidationError("Select no disability, or the disabilities, not both")
        return codes

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        return {
            "version": person.version,
            **{name: getattr(person, name) for name in PERSON_FORM_FIELDS},
            "disabilities": list(person.disabilities.values_list("code", flat=True)),
        }


PERSON_FORM_FIELDS = [name for name in PersonForm.base_fields if name != "disabilities"]
ADDRESS_FIELDS = {
    "address_line_1": "line_1",
    "address_town": "town",
    "address_postcode": "postcode",
    "address_start_date": "start_date",
}


class PersonCreateForm(PersonForm):
    """A new person, with their first address if it is known."""

    address_line_1 = forms.CharField(
        label="Current address: line 1",
        max_length=150,
        required=False,
        help_text="If you know where they live now. Leave the address blank if not.",
    )
    address_town = forms.CharField(label="Town or city", max_length=100, required=False)
    address_postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    address_start_date = GovukDateField(label="Date they moved in", required=False)

    def clean_address_postcode(self) -> str:
        value = str(self.cleaned_data.get("address_postcode") or "").strip()
        if value:
            validate_postcode(value)
            return normalise_postcode(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        entered = any(data.get(name) for name in ADDRESS_FIELDS) or (
            "address_postcode" in self.errors or "address_start_date" in self.errors
        )
        if entered:
            for name, message in (
                ("address_line_1", "Enter address line 1, or leave the address blank"),
                ("address_postcode", "Enter the postcode, or leave the address blank"),
                ("address_start_date", "Enter the date they moved in, or leave the address blank"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        moved_in = data.get("address_start_date")
        if moved_in and moved_in > timezone.localdate():
            self.add_error(
                "address_start_date", "The date they moved in must be today or in the past"
            )
        return data


class PersonEditForm(PersonForm, VersionedForm):
    pass


class MatchConfirmForm(GovukForm):
    """Asked when the details match existing records: only a deliberate "none of these" goes on."""

    template_name = "people/_form_fields.html"  # the page shows the error summary above the list

    none_match = forms.BooleanField(
        label="None of these is the same person: create a new record",
        error_messages={
            "required": "Select ‘None of these is the same person’ to create a new record, "
            "or open the record that is theirs"
        },
    )
    shown_matches = forms.CharField(widget=forms.HiddenInput, required=False)

    def shown_ids(self) -> set[int]:
        raw = str(self.data.get("shown_matches", ""))
        return {int(part) for part in raw.split(",") if part.isdigit()}


class NameForm(GovukForm):
    kind = forms.ChoiceField(
        label="Kind of name",
        choices=[(k, label) for k, label in NameKind.choices if k != NameKind.LEGAL],
        widget=forms.RadioSelect,
    )
    forename = forms.CharField(label="Forename", max_length=100, required=False)
    surname = forms.CharField(label="Surname", max_length=100, required=False)
    from_date = GovukDateField(label="Known by this name from", required=False)
    to_date = GovukDateField(label="Known by this name until", required=False)


class AddressForm(GovukForm):
    kind = forms.ChoiceField(
        label="Kind of address",
        choices=AddressKind.choices,
        widget=forms.RadioSelect,
        initial=AddressKind.HOME,
        help_text="Their current address of this kind will end the day before they moved in.",
    )
    line_1 = forms.CharField(label="Address line 1", max_length=150)
    line_2 = forms.CharField(label="Address line 2", max_length=150, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10)
    start_date = GovukDateField(label="Date they moved in")

    def clean_postcode(self) -> str:
        value = str(self.cleaned_data.get("postcode") or "").strip()
        validate_postcode(value)
        return normalise_postcode(value)


class RelationshipForm(GovukForm):
    kind = forms.ChoiceField(
        label="Relationship", choices=[("", "Select"), *RelationshipKind.choices]
    )
    parental_responsibility = forms.BooleanField(label="Parental responsibility", required=False)
    lives_with = forms.BooleanField(label="They live together", required=False)
    start_date = GovukDateField(label="Start date", required=False)
    end_date = GovukDateField(
        label="End date", required=False, help_text="Only for a relationship that has ended."
    )

    def __init__(self, *args: Any, person: Person, other: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].label = f"What is {other.full_name} to {person.full_name}?"
        self.fields["kind"].error_messages["required"] = "Select the relationship"
        self.fields[
            "parental_responsibility"
        ].label = f"{other.full_name} has parental responsibility for {person.full_name}"


class RelationshipEndForm(VersionedForm):
    end_date = GovukDateField(label="Date the relationship ended")

    def clean_end_date(self) -> Any:
        value = self.cleaned_data.get("end_date")
        if value and value > timezone.localdate():
            raise ValidationError("The date the relationship ended must be today or in the past")
        return value


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})"


class RestrictionForm(VersionedForm):
    restricted = forms.ChoiceField(
        label="Who may open this record?",
        choices=[
            ("yes", "Only the named staff below (restricted)"),
            ("no", "Anyone who can see case records (not restricted)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who may open this record"},
    )
    reason = forms.CharField(
        label="Why is the record restricted?",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the child is a relative of a member of staff.",
    )
    named_staff = StaffChoiceField(
        label="Named staff",
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="You are always named. Hold Ctrl (or Cmd) to select more than one.",
    )

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["named_staff"]
        assert isinstance(field, StaffChoiceField)
        field.queryset = staff


class MergeForm(GovukForm):
    reason = forms.CharField(
        label="Why are these records the same person?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the same NHS number and date of birth, confirmed with the school.",
        error_messages={"required": "Enter why these records are the same person"},
    )


class UndoMergeForm(GovukForm):
    """No fields: the button is the decision."""


class FamilyJoinForm(GovukForm):
    """Join a family group one of their relatives is in, or start one with chosen relatives."""

    def __init__(self, *args: Any, families: Any, relatives: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["family"] = forms.ModelChoiceField(
            label="Family group (optional)",
            queryset=families,
            required=False,
            widget=forms.RadioSelect,
            help_text="Family groups their relatives are in.",
        )
        self.fields["new_name"] = forms.CharField(
            label="Or a new family group called (optional)", max_length=150, required=False
        )
        self.fields["with_people"] = forms.ModelMultipleChoiceField(
            label="Relatives to put in the new group (optional)",
            queryset=relatives,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["start_date"] = GovukDateField(label="Joined on (optional)", required=False)
