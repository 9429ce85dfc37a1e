"""GOV.UK Design System widgets."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

# (part, label, width class) in the order GOV.UK shows them.
DATE_PARTS: tuple[tuple[str, str, str], ...] = (
    ("day", "Day", "govuk-input--width-2"),
    ("month", "Month", "govuk-input--width-2"),
    ("year", "Year", "govuk-input--width-4"),
)


class GovukDateWidget(forms.MultiWidget):
    """Three text inputs (day, month, year) rendered as a GOV.UK date input.

    Submitted names are ``<name>_day``, ``<name>_month`` and ``<name>_year``; ids are
    ``id_<name>_day`` etc., and the label/error summary target is the day input.
    Decompresses a ``datetime.date`` (or an ISO date string) for editing. Pass
    ``autocomplete_prefix="bday"`` for a date of birth (gives ``bday-day`` etc.).
    """

    use_fieldset = True

    def __init__(
        self, attrs: dict[str, Any] | None = None, autocomplete_prefix: str | None = None
    ) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {}
        for part, _label, width in DATE_PARTS:
            part_attrs: dict[str, Any] = {
                "class": f"govuk-input govuk-date-input__input {width}",
                "inputmode": "numeric",
            }
            if autocomplete_prefix:
                part_attrs["autocomplete"] = f"{autocomplete_prefix}-{part}"
            widgets[part] = forms.TextInput(attrs=part_attrs)
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str | None]:
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            # No leading zeros, as people type them: 9 5 2025.
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id")
        if base_id:
            for (part, _label, _width), subwidget in zip(
                DATE_PARTS, context["widget"]["subwidgets"], strict=True
            ):
                subwidget["attrs"]["id"] = f"{base_id}_{part}"
        return context

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_day" if id_ else id_
