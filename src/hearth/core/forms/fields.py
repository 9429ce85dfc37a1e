"""GOV.UK Design System form fields."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name

from .widgets import GovukDateWidget

MONTHS = {  # month names and short forms people type → month number
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_OPTIONAL = re.compile(r"\s*\(optional\)\s*", re.IGNORECASE)
_PART_NAMES = ("day", "month", "year")


def _join_parts(parts: list[str]) -> str:
    """['day', 'year'] -> 'a day and year' (GOV.UK wording)."""
    if len(parts) == 1:
        return f"a {parts[0]}"
    return "a " + ", ".join(parts[:-1]) + " and " + parts[-1]


class GovukDateField(forms.Field):
    """A date entered as day, month and year (the GOV.UK date input); cleans to ``datetime.date``.

    Error messages follow the GOV.UK pattern and use the field's label (without
    "(optional)"): "Enter date of birth", "Date of birth must include a month",
    "Date of birth must be a real date", "Date of birth must include a year with 4 numbers".
    Override any of them with ``error_messages`` (keys: required, incomplete, invalid,
    year_length); the placeholders %(label)s, %(label_lower)s and %(missing)s are available.

    Accepts month names ("May", "sept") as well as numbers. Initial values may be a
    ``datetime.date``, a ``datetime.datetime`` or an ISO date string.
    """

    widget = GovukDateWidget
    default_error_messages = {
        "required": "Enter %(label_lower)s",
        "incomplete": "%(label)s must include %(missing)s",
        "invalid": "%(label)s must be a real date",
        "year_length": "%(label)s must include a year with 4 numbers",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._label_from_name: str | None = None

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> Any:
        # Fields don't know their name; remember it so unlabelled fields get good messages.
        self._label_from_name = pretty_name(field_name)
        return super().get_bound_field(form, field_name)

    # -- messages -----------------------------------------------------------------------------

    @property
    def message_label(self) -> str:
        label = str(self.label) if self.label else (self._label_from_name or "Date")
        label = _OPTIONAL.sub(" ", label).strip().rstrip(":").strip()
        return label or "Date"

    def _params(self, **extra: Any) -> dict[str, Any]:
        label = self.message_label
        lower = label if label[1:2].isupper() else label[:1].lower() + label[1:]
        return {"label": label[:1].upper() + label[1:], "label_lower": lower, **extra}

    def _error(
        self, code: str, parts: list[str] | tuple[str, ...], **extra: Any
    ) -> ValidationError:
        # "parts" tells the renderer which of the three inputs to highlight.
        return ValidationError(
            self.error_messages[code], code=code, params=self._params(parts=list(parts), **extra)
        )

    # -- cleaning -----------------------------------------------------------------------------

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise self._error("invalid", _PART_NAMES) from None
        values = [str(v).strip() if v is not None else "" for v in list(value)[:3]]
        values += [""] * (3 - len(values))
        if not any(values):
            return None

        missing = [part for part, v in zip(_PART_NAMES, values, strict=True) if not v]
        if missing:
            raise self._error("incomplete", missing, missing=_join_parts(missing))

        day_s, month_s, year_s = values
        month_s = str(MONTHS.get(month_s.lower(), month_s))
        not_numbers = [
            part
            for part, v in zip(_PART_NAMES, (day_s, month_s, year_s), strict=True)
            if not v.isascii() or not v.isdigit()
        ]
        if not_numbers:
            raise self._error("invalid", not_numbers)
        if len(year_s) != 4:
            raise self._error("year_length", ["year"])
        try:
            return datetime.date(int(year_s), int(month_s), int(day_s))
        except ValueError:
            bad = []
            if not 1 <= int(month_s) <= 12:
                bad.append("month")
            if not 1 <= int(day_s) <= 31:
                bad.append("day")
            raise self._error("invalid", bad or list(_PART_NAMES)) from None

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:
            raise self._error("required", _PART_NAMES)
