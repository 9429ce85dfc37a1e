"""Render every Django form in GOV.UK Design System style: ``{{ form }}``, no per-form markup.

``GovukFormRenderer`` points Django's form and field templates at ``govuk/forms/``. The
field template asks :func:`field_context` (via ``{% govuk_field field as g %}``) what kind
of control the widget is and gets everything the markup needs: label (with "(optional)"
for optional fields), hint and error ids, ``aria-describedby``, the widget rendered with
GOV.UK classes, radio/checkbox options, or the three parts of a date.

Widget to markup:
  TextInput, EmailInput, NumberInput, URLInput, PasswordInput, ... -> govuk-input
  Textarea -> govuk-textarea          Select, SelectMultiple -> govuk-select
  RadioSelect -> govuk-radios in a fieldset
  CheckboxSelectMultiple -> govuk-checkboxes in a fieldset
  CheckboxInput -> a single govuk-checkboxes item
  GovukDateWidget -> govuk-date-input in a fieldset
  FileInput -> govuk-file-upload      hidden -> hidden input
  anything else -> Django's own widget markup inside a govuk-form-group
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input

from .widgets import DATE_PARTS, GovukDateWidget


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"


# kind -> (base class, error modifier) for widgets that Django renders itself.
_WIDGET_CLASSES: dict[str, tuple[str, str]] = {
    "input": ("govuk-input", "govuk-input--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
    "other": ("", ""),
}
# Attributes the templates write themselves for options and date parts.
_OWN_ATTRS = {"class", "id", "name", "type", "value", "checked"}


def widget_kind(widget: forms.Widget) -> str:
    """Which GOV.UK component a widget becomes. Order matters: subclasses first."""
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, GovukDateWidget):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):  # also SelectMultiple, NullBooleanSelect
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, Input):
        return "input"
    return "other"


def _classes(*names: str) -> str:
    seen: list[str] = []
    for name in " ".join(names).split():
        if name not in seen:
            seen.append(name)
    return " ".join(seen)


def date_parts_in_error(bf: BoundField) -> set[str]:
    """The parts of a date input to highlight: those the error names, else all three."""
    parts: set[str] = set()
    for error in bf.errors.as_data():
        named = (error.params or {}).get("parts") if isinstance(error.params, dict) else None
        parts.update(named or (part for part, _label, _width in DATE_PARTS))
    return parts


def field_context(bf: BoundField) -> dict[str, Any]:
    """Everything the GOV.UK field templates need for one bound field."""
    widget = bf.field.widget
    kind = widget_kind(widget)
    base_id = bf.auto_id or f"id_{bf.html_name}"
    errors = [str(e) for e in bf.errors]
    help_text = str(bf.help_text) if bf.help_text else ""
    hint_id = f"{base_id}_helptext" if help_text else ""
    error_id = f"{base_id}_error" if errors else ""
    describedby = " ".join(
        x for x in (widget.attrs.get("aria-describedby", ""), hint_id, error_id) if x
    )

    label = str(bf.label) if bf.label else ""
    if (
        label
        and not bf.field.required
        and kind not in ("checkbox", "hidden")
        and "(optional)" not in label.lower()
    ):
        label = f"{label} (optional)"

    context: dict[str, Any] = {
        "field": bf,
        "kind": kind,
        "template": f"govuk/forms/fields/{kind}.html",
        "id": base_id,
        "base_id": base_id,
        "label": label,
        "help_text": help_text,
        "hint_id": hint_id,
        "errors": errors,
        "error_id": error_id,
        "describedby": describedby,
        "use_fieldset": kind in ("radios", "checkboxes", "date") or bf.use_fieldset,
    }

    if kind in _WIDGET_CLASSES:
        base, error_class = _WIDGET_CLASSES[kind]
        attrs: dict[str, Any] = {}
        classes = _classes(base, widget.attrs.get("class", ""), error_class if errors else "")
        if classes:
            attrs["class"] = classes
        if describedby and not (kind == "other" and bf.use_fieldset):
            attrs["aria-describedby"] = describedby
        if not bf.auto_id:
            attrs["id"] = base_id
        context["widget"] = bf.as_widget(attrs=attrs)
        context["id"] = widget.id_for_label(attrs.get("id", base_id)) or base_id
    elif kind == "hidden":
        context["widget"] = bf.as_widget()
    elif kind in ("radios", "checkboxes"):
        context["options"] = _options(bf, base_id)
        if context["options"]:
            context["id"] = context["options"][0]["id"]
    elif kind == "date":
        context["parts"] = _date_parts(bf, base_id, errors)
        context["id"] = f"{base_id}_day"
    return context


def _options(bf: BoundField, base_id: str) -> list[dict[str, Any]]:
    options = []
    for index, subwidget in enumerate(bf.subwidgets):
        data = subwidget.data
        attrs = dict(data.get("attrs") or {})
        option_id = attrs.get("id") or f"{base_id}_{index}"
        options.append(
            {
                "id": option_id,
                "name": data["name"],
                "value": "" if data["value"] is None else data["value"],
                "label": data["label"],
                "checked": bool(data.get("selected") or attrs.get("checked")),
                "attrs": {k: v for k, v in attrs.items() if k not in _OWN_ATTRS},
            }
        )
    return options


def _date_parts(bf: BoundField, base_id: str, errors: list[str]) -> list[dict[str, Any]]:
    widget = bf.field.widget
    attrs = bf.build_widget_attrs({"id": base_id})
    subwidgets = widget.get_context(bf.html_name, bf.value(), attrs)["widget"]["subwidgets"]
    highlight = date_parts_in_error(bf) if errors else set()
    parts = []
    for (part, label, _width), sub in zip(DATE_PARTS, subwidgets, strict=True):
        sub_attrs = dict(sub["attrs"])
        classes = _classes(
            "govuk-input govuk-date-input__input",
            sub_attrs.get("class", ""),
            "govuk-input--error" if part in highlight else "",
        )
        parts.append(
            {
                "part": part,
                "label": label,
                "id": sub_attrs.get("id") or f"{base_id}_{part}",
                "name": sub["name"],
                "value": "" if sub["value"] is None else sub["value"],
                "classes": classes,
                "attrs": {
                    k: v
                    for k, v in sub_attrs.items()
                    if k not in _OWN_ATTRS and k not in ("aria-invalid", "aria-describedby")
                },
            }
        )
    return parts


def error_summary_items(
    form: forms.BaseForm | None = None, errors: Any = None
) -> list[dict[str, str]]:
    """The error summary's list: given messages, then the form's non-field errors, then each
    field's errors (in field order) linking to its first input; hidden fields' errors unlinked."""
    items: list[dict[str, str]] = []
    if errors:
        if isinstance(errors, str):
            errors = [errors]
        items.extend({"text": str(e), "href": ""} for e in errors)
    if form is not None and form.is_bound:
        items.extend({"text": str(e), "href": ""} for e in form.non_field_errors())
        for bf in form:
            if not bf.errors:
                continue
            if bf.is_hidden:
                items.extend({"text": str(e), "href": ""} for e in bf.errors)
                continue
            items.extend({"text": str(e), "href": f"#{_first_input_id(bf)}"} for e in bf.errors)
    return items


def _first_input_id(bf: BoundField) -> str:
    """Where an error summary link goes: the input itself, the first radio or checkbox, or
    the day of a date."""
    base_id = bf.auto_id or f"id_{bf.html_name}"
    if widget_kind(bf.field.widget) in ("radios", "checkboxes"):
        subwidgets = bf.subwidgets
        if subwidgets and subwidgets[0].id_for_label:
            return str(subwidgets[0].id_for_label)
        return f"{base_id}_0"
    return bf.field.widget.id_for_label(base_id) or base_id
