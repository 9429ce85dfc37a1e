"""A base form that words "required" errors the GOV.UK way, from each field's label."""

from __future__ import annotations

import re
from typing import Any

from django import forms

_OPTIONAL = re.compile(r"\s*\(optional\)\s*$", re.IGNORECASE)
_CHOICE_WIDGETS = (
    forms.Select,
    forms.RadioSelect,
    forms.CheckboxSelectMultiple,
    forms.CheckboxInput,
)


def required_message(field: forms.Field, name: str) -> str:
    """'Enter first name' for things typed, 'Select employment type' for things chosen."""
    label = _OPTIONAL.sub("", str(field.label or name.replace("_", " ")))
    label = label[:1].lower() + label[1:] if not label[:2].isupper() else label
    verb = "Select" if isinstance(field.widget, _CHOICE_WIDGETS) else "Enter"
    return f"{verb} {label}"


class GovukForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = forms.Field.default_error_messages["required"]
        for name, field in self.fields.items():
            if field.error_messages.get("required") == default:
                field.error_messages["required"] = required_message(field, name)
