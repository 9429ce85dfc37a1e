"""GOV.UK Design System shell: form renderer, date field, components, base template, assets.

All data here is synthetic. No test touches the database.
"""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.base import Message
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template import Context, Template
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory
from django.urls import include, path

from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.renderer import GovukFormRenderer
from hearth.core.forms.widgets import GovukDateWidget

STATIC = Path(__file__).resolve().parents[1] / "static"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


# A minimal URLconf (this module) so base.html's {% url %} tags resolve without the rest of
# the project's views: @pytest.mark.urls(__name__).
def _ok(request: Any) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path(
        "",
        include(([path("sign-out/", _ok, name="sign-out")], "core")),
    ),
    path("", include(([path("", _ok, name="home")], "reporting"))),
]


# -- helpers ------------------------------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(str(html))
    return parser.elements


def by_id(html: str, element_id: str) -> tuple[str, dict[str, str | None]]:
    found = [(tag, attrs) for tag, attrs in elements(html) if attrs.get("id") == element_id]
    assert len(found) == 1, f"expected one element with id {element_id!r}, found {len(found)}"
    return found[0]


def classes(attrs: dict[str, str | None]) -> set[str]:
    return set((attrs.get("class") or "").split())


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(html))).strip()


class ExampleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    full_name = forms.CharField(label="Full name", help_text="As shown on their record.")
    email = forms.EmailField(
        label="Email address",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    age = forms.IntegerField(label="Age")
    website = forms.URLField(label="Website (optional)", required=False, assume_scheme="https")
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea)
    team = forms.ChoiceField(label="Team", choices=[("north", "North"), ("south", "South")])
    languages = forms.MultipleChoiceField(
        label="Languages", choices=[("en", "English"), ("cy", "Welsh")], required=False
    )
    placement = forms.ChoiceField(
        label="Placement type",
        choices=[("foster", "Foster care"), ("kinship", "Kinship care")],
        widget=forms.RadioSelect,
    )
    needs = forms.MultipleChoiceField(
        label="Needs",
        choices=[("health", "Health"), ("education", "Education")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    consent = forms.BooleanField(label="The young person agrees", required=False)
    date_of_birth = GovukDateField(label="Date of birth", help_text="For example, 27 3 2012")


VALID = {
    "full_name": "Sam Example",
    "age": "14",
    "password": "not-a-real-password",
    "notes": "Synthetic note",
    "team": "north",
    "placement": "kinship",
    "needs": ["health"],
    "date_of_birth_day": "27",
    "date_of_birth_month": "3",
    "date_of_birth_year": "2012",
}


class DateForm(forms.Form):
    date_of_birth = GovukDateField(label="Date of birth")


class OptionalDateForm(forms.Form):
    date_from = GovukDateField(label="From (optional)", required=False)


def date_form(day: str, month: str, year: str, form_class: type[forms.Form] = DateForm) -> Any:
    name = next(iter(form_class.base_fields))
    return form_class(data={f"{name}_day": day, f"{name}_month": month, f"{name}_year": year})


# -- the renderer -------------------------------------------------------------------------------


def test_settings_use_the_govuk_renderer() -> None:
    assert isinstance(ExampleForm().renderer, GovukFormRenderer)


@pytest.mark.parametrize(
    ("field_id", "input_type"),
    [
        ("id_full_name", "text"),
        ("id_email", "email"),
        ("id_age", "number"),
        ("id_website", "url"),
        ("id_password", "password"),
    ],
)
def test_text_like_inputs_are_govuk_inputs(field_id: str, input_type: str) -> None:
    html = str(ExampleForm())
    tag, attrs = by_id(html, field_id)
    assert tag == "input" and attrs["type"] == input_type
    assert "govuk-input" in classes(attrs)
    label = [a for t, a in elements(html) if t == "label" and a.get("for") == field_id]
    assert label and "govuk-label" in classes(label[0])


def test_widget_attrs_such_as_autocomplete_are_kept() -> None:
    html = str(ExampleForm())
    assert by_id(html, "id_email")[1]["autocomplete"] == "email"
    assert by_id(html, "id_email")[1]["spellcheck"] == "false"
    assert by_id(html, "id_password")[1]["autocomplete"] == "current-password"


def test_textarea_and_selects() -> None:
    html = str(ExampleForm())
    tag, attrs = by_id(html, "id_notes")
    assert tag == "textarea" and "govuk-textarea" in classes(attrs)
    tag, attrs = by_id(html, "id_team")
    assert tag == "select" and "govuk-select" in classes(attrs)
    tag, attrs = by_id(html, "id_languages")
    assert tag == "select" and "govuk-select" in classes(attrs) and "multiple" in attrs


def test_radios_are_in_a_fieldset_with_a_legend() -> None:
    html = str(ExampleForm()["placement"].as_field_group())
    assert '<fieldset class="govuk-fieldset"' in html
    assert '<legend class="govuk-fieldset__legend">Placement type</legend>' in html
    assert 'class="govuk-radios" data-module="govuk-radios"' in html
    radios = [a for t, a in elements(html) if t == "input"]
    assert [r["value"] for r in radios] == ["foster", "kinship"]
    assert all(r["type"] == "radio" and "govuk-radios__input" in classes(r) for r in radios)
    assert [r["id"] for r in radios] == ["id_placement_0", "id_placement_1"]
    assert 'for="id_placement_1">Kinship care</label>' in html


def test_checkboxes_are_in_a_fieldset_and_keep_the_selection() -> None:
    form = ExampleForm(initial={"needs": ["education"]})
    html = str(form["needs"].as_field_group())
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_needs_helptext">' in html
    assert 'class="govuk-checkboxes" data-module="govuk-checkboxes"' in html
    boxes = {a["value"]: a for t, a in elements(html) if t == "input"}
    assert all(
        b["type"] == "checkbox" and "govuk-checkboxes__input" in classes(b) for b in boxes.values()
    )
    assert "checked" in boxes["education"] and "checked" not in boxes["health"]


def test_single_checkbox_is_one_govuk_checkbox_item_without_optional() -> None:
    html = str(ExampleForm(initial={"consent": True})["consent"].as_field_group())
    _tag, attrs = by_id(html, "id_consent")
    assert attrs["type"] == "checkbox" and "govuk-checkboxes__input" in classes(attrs)
    assert "checked" in attrs
    assert "govuk-checkboxes__item" in html and "<fieldset" not in html
    assert (
        'class="govuk-label govuk-checkboxes__label" for="id_consent">The young person agrees<'
        in html
    )
    assert "(optional)" not in html


def test_hidden_field_is_hidden_with_no_label() -> None:
    html = str(ExampleForm(initial={"version": 3}))
    _tag, attrs = by_id(html, "id_version")
    assert attrs["type"] == "hidden" and attrs["value"] == "3"
    assert 'for="id_version"' not in html


def test_date_widget_is_a_govuk_date_input_in_a_fieldset() -> None:
    html = str(ExampleForm()["date_of_birth"].as_field_group())
    fieldset = '<fieldset class="govuk-fieldset" role="group"'
    assert f'{fieldset} aria-describedby="id_date_of_birth_helptext">' in html
    assert 'class="govuk-date-input" id="id_date_of_birth"' in html
    widths = {
        "day": "govuk-input--width-2",
        "month": "govuk-input--width-2",
        "year": "govuk-input--width-4",
    }
    for part, width in widths.items():
        _tag, attrs = by_id(html, f"id_date_of_birth_{part}")
        assert attrs["name"] == f"date_of_birth_{part}"
        assert attrs["type"] == "text" and attrs["inputmode"] == "numeric"
        assert {"govuk-input", "govuk-date-input__input", width} <= classes(attrs)
    assert 'for="id_date_of_birth_month">Month</label>' in html


def test_optional_fields_say_so_and_required_fields_have_no_asterisk() -> None:
    html = str(ExampleForm())
    assert ">Email address (optional)</label>" in html
    assert ">Languages (optional)</label>" in html
    assert ">Website (optional)</label>" in html  # already in the label: not doubled
    assert "(optional) (optional)" not in html
    assert ">Full name</label>" in html
    assert "*" not in text_of(html)


def test_help_text_is_a_hint_referenced_by_aria_describedby() -> None:
    html = str(ExampleForm())
    tag, attrs = by_id(html, "id_full_name_helptext")
    assert tag == "div" and "govuk-hint" in classes(attrs)
    assert by_id(html, "id_full_name")[1]["aria-describedby"] == "id_full_name_helptext"
    assert "aria-describedby" not in by_id(html, "id_team")[1]


def test_an_unbound_form_has_no_error_summary() -> None:
    html = str(ExampleForm())
    assert "govuk-error-summary" not in html and "govuk-error-message" not in html


def test_errors_render_summary_links_messages_and_error_classes() -> None:
    data = {**VALID, "full_name": "", "placement": "", "date_of_birth_month": ""}
    form = ExampleForm(data=data)
    assert not form.is_valid()
    html = str(form)

    summary = html[html.index("govuk-error-summary") : html.index("</ul>")]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)
    assert links == [
        ("#id_full_name", "This field is required."),
        ("#id_placement_0", "This field is required."),
        ("#id_date_of_birth_day", "Date of birth must include a month"),
    ]
    assert 'data-module="govuk-error-summary"' in html
    assert html.index("govuk-error-summary") < html.index('id="id_full_name"')

    tag, attrs = by_id(html, "id_full_name")
    assert "govuk-input--error" in classes(attrs)
    assert attrs["aria-describedby"] == "id_full_name_helptext id_full_name_error"
    tag, attrs = by_id(html, "id_full_name_error")
    assert tag == "p" and "govuk-error-message" in classes(attrs)
    assert '<span class="govuk-visually-hidden">Error:</span> This field is required.' in html
    assert "govuk-input--error" not in classes(by_id(html, "id_age")[1])

    groups = re.findall(r'<div class="(govuk-form-group[^"]*)"', html)
    assert groups.count("govuk-form-group govuk-form-group--error") == 3
    assert (
        '<fieldset class="govuk-fieldset" aria-describedby="id_placement_error">' in html
    )  # the radios' fieldset points at the error


def test_select_and_textarea_error_classes() -> None:
    form = ExampleForm(data={**VALID, "team": "", "notes": ""})
    html = str(form)
    assert "govuk-select--error" in classes(by_id(html, "id_team")[1])
    assert "govuk-textarea--error" in classes(by_id(html, "id_notes")[1])


def test_non_field_and_hidden_field_errors_are_in_the_summary() -> None:
    class ChangeForm(forms.Form):
        version = forms.IntegerField(widget=forms.HiddenInput)
        name = forms.CharField(label="Name")

        def clean(self) -> dict[str, Any]:
            raise ValidationError("Someone else changed this record")

    form = ChangeForm(data={"name": "Synthetic"})
    html = str(form)
    summary = html[html.index("govuk-error-summary") : html.index("</ul>")]
    assert "<li>Someone else changed this record</li>" in summary
    assert "<li>This field is required.</li>" in summary  # the hidden version field: no link
    assert "<title>" not in html


def test_a_valid_bound_form_redisplays_values_without_errors() -> None:
    html = str(ExampleForm(data=VALID))
    assert "govuk-error" not in html
    assert by_id(html, "id_full_name")[1]["value"] == "Sam Example"
    assert by_id(html, "id_date_of_birth_day")[1]["value"] == "27"
    assert "checked" in by_id(html, "id_placement_1")[1]


# -- the date field -----------------------------------------------------------------------------


def test_date_field_cleans_to_a_date() -> None:
    form = date_form("9", "5", "2025")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(2025, 5, 9)


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        (" 09 ", "05", "2025", datetime.date(2025, 5, 9)),
        ("9", "May", "2025", datetime.date(2025, 5, 9)),
        ("1", "sept", "2010", datetime.date(2010, 9, 1)),
        ("29", "2", "2024", datetime.date(2024, 2, 29)),
    ],
)
def test_date_field_accepts_leading_zeros_spaces_and_month_names(
    day: str, month: str, year: str, expected: datetime.date
) -> None:
    form = date_form(day, month, year)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == expected


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter date of birth"),
        ("", "5", "2025", "Date of birth must include a day"),
        ("9", "", "2025", "Date of birth must include a month"),
        ("9", "5", "", "Date of birth must include a year"),
        ("9", "", "", "Date of birth must include a month and year"),
        ("", "5", "", "Date of birth must include a day and year"),
        ("31", "2", "2025", "Date of birth must be a real date"),
        ("29", "2", "2023", "Date of birth must be a real date"),
        ("9", "13", "2025", "Date of birth must be a real date"),
        ("0", "5", "2025", "Date of birth must be a real date"),
        ("nine", "5", "2025", "Date of birth must be a real date"),
        ("9", "5", "20x5", "Date of birth must be a real date"),
        ("9", "5", "-2025", "Date of birth must be a real date"),
        ("9", "5", "25", "Date of birth must include a year with 4 numbers"),
        ("9", "5", "20255", "Date of birth must include a year with 4 numbers"),
    ],
)
def test_date_field_gives_specific_messages(day: str, month: str, year: str, message: str) -> None:
    form = date_form(day, month, year)
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]


def test_only_the_missing_part_is_highlighted() -> None:
    html = str(date_form("9", "", "2025"))
    assert "govuk-input--error" in classes(by_id(html, "id_date_of_birth_month")[1])
    assert "govuk-input--error" not in classes(by_id(html, "id_date_of_birth_day")[1])
    assert "govuk-input--error" not in classes(by_id(html, "id_date_of_birth_year")[1])
    assert by_id(html, "id_date_of_birth_day")[1]["value"] == "9"  # typed values come back
    assert "Error:</span> Date of birth must include a month" in html


def test_a_form_level_error_on_a_date_highlights_all_three_inputs() -> None:
    class RangeForm(forms.Form):
        end = GovukDateField(label="End date")

        def clean(self) -> dict[str, Any]:
            self.add_error("end", "End date must be after the start date")
            return self.cleaned_data

    html = str(RangeForm(data={"end_day": "1", "end_month": "1", "end_year": "2020"}))
    for part in ("day", "month", "year"):
        assert "govuk-input--error" in classes(by_id(html, f"id_end_{part}")[1])


def test_optional_date_messages_use_the_label_without_optional() -> None:
    empty = date_form("", "", "", OptionalDateForm)
    assert empty.is_valid() and empty.cleaned_data["date_from"] is None
    partial = date_form("1", "2", "", OptionalDateForm)
    assert partial.errors["date_from"] == ["From must include a year"]


def test_unlabelled_date_field_uses_its_name_in_messages() -> None:
    class Unlabelled(forms.Form):
        start_date = GovukDateField()

    form = Unlabelled(data={"start_date_day": "", "start_date_month": "", "start_date_year": ""})
    assert form.errors["start_date"] == ["Enter start date"]


def test_date_messages_can_be_overridden() -> None:
    class Custom(forms.Form):
        joined = GovukDateField(
            label="Date they joined", error_messages={"required": "Enter the date they joined"}
        )

    form = Custom(data={})
    assert form.errors["joined"] == ["Enter the date they joined"]


@pytest.mark.parametrize(
    "initial",
    [datetime.date(2025, 5, 9), datetime.datetime(2025, 5, 9, 14, 30), "2025-05-09"],
)
def test_initial_dates_render_into_the_three_inputs(initial: Any) -> None:
    html = str(DateForm(initial={"date_of_birth": initial}))
    values = [by_id(html, f"id_date_of_birth_{p}")[1]["value"] for p in ("day", "month", "year")]
    assert values == ["9", "5", "2025"]


def test_an_unchanged_initial_date_is_not_reported_as_changed() -> None:
    form = DateForm(
        data={"date_of_birth_day": "9", "date_of_birth_month": "5", "date_of_birth_year": "2025"},
        initial={"date_of_birth": datetime.date(2025, 5, 9)},
    )
    assert form.is_valid() and not form.has_changed()
    form = DateForm(
        data={"date_of_birth_day": "10", "date_of_birth_month": "5", "date_of_birth_year": "2025"},
        initial={"date_of_birth": datetime.date(2025, 5, 9)},
    )
    assert form.is_valid() and form.has_changed()


def test_date_widget_decompress_and_autocomplete() -> None:
    widget = GovukDateWidget(autocomplete_prefix="bday")
    assert widget.decompress(datetime.date(2012, 3, 7)) == ["7", "3", "2012"]
    assert widget.decompress(None) == [None, None, None]
    assert widget.decompress("not a date") == [None, None, None]
    html = widget.render("dob", datetime.date(2012, 3, 7), attrs={"id": "id_dob"})
    assert by_id(html, "id_dob_day")[1]["autocomplete"] == "bday-day"
    assert by_id(html, "id_dob_year")[1]["value"] == "2012"


# -- components and template tags ---------------------------------------------------------------


def render(template: str, **context: Any) -> str:
    return Template("{% load govuk %}" + template).render(Context(context))


def test_govuk_date_filter() -> None:
    assert render("{{ d|govuk_date }}", d=datetime.date(2025, 5, 9)) == "9 May 2025"
    assert render("{{ d|govuk_date }}", d=datetime.date(2024, 12, 25)) == "25 December 2024"
    assert render("{{ d|govuk_date }}", d=None) == ""


def test_querystring_page_keeps_other_parameters() -> None:
    request = RequestFactory().get("/users/", {"q": "o'brien & co", "status": "all", "page": "2"})
    out = render("{% querystring_page 3 %}", request=request)
    assert out.startswith("?")
    from urllib.parse import parse_qs

    assert parse_qs(out[1:].replace("&amp;", "&")) == {
        "q": ["o'brien & co"],
        "status": ["all"],
        "page": ["3"],
    }


def test_pagination_component() -> None:
    page = Paginator(list(range(100)), 10).page(5)
    request = RequestFactory().get("/audit/", {"actor": "someone", "page": "5"})
    html = render_to_string(
        "govuk/components/pagination.html", {"page_obj": page, "request": request}
    )
    assert 'class="govuk-pagination"' in html
    assert 'href="?actor=someone&amp;page=4" rel="prev"' in html
    assert 'href="?actor=someone&amp;page=6" rel="next"' in html
    assert 'aria-current="page">5</a>' in html
    assert "govuk-pagination__item--ellipsis" in html
    assert 'aria-label="Page 10"' in html and 'aria-label="Page 1"' in html
    single = Paginator([1, 2], 10).page(1)
    assert "govuk-pagination" not in render_to_string(
        "govuk/components/pagination.html", {"page_obj": single, "request": request}
    )


def test_error_summary_accepts_a_list_of_messages() -> None:
    html = render_to_string(
        "govuk/components/error_summary.html", {"errors": ["Select a team", "Enter a reason"]}
    )
    assert "There is a problem" in html
    assert "<li>Select a team</li>" in html and "<li>Enter a reason</li>" in html
    assert "govuk-error-summary" not in render_to_string("govuk/components/error_summary.html", {})


def test_table_escapes_cells() -> None:
    html = render_to_string(
        "govuk/components/table.html",
        {
            "caption": "Visits",
            "head": ["Date", "Note"],
            "rows": [["9 May 2025", "<script>alert(1)</script>"]],
        },
    )
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Visits</caption>' in html
    assert '<th scope="col" class="govuk-table__header">Note</th>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html


def test_summary_list_with_and_without_actions() -> None:
    rows = [
        {"key": "Name", "value": "Sam Example", "action_url": "/people/1/edit/"},
        {"key": "Date of birth", "value": "27 March 2012"},
    ]
    html = render_to_string("govuk/components/summary_list.html", {"rows": rows})
    assert '<dt class="govuk-summary-list__key">Name</dt>' in html
    assert (
        '<a class="govuk-link" href="/people/1/edit/">Change'
        '<span class="govuk-visually-hidden"> name</span></a>' in html
    )
    assert html.count("govuk-summary-list__row--no-actions") == 1
    without = render_to_string("govuk/components/summary_list.html", {"rows": rows[1:]})
    assert "--no-actions" not in without and "govuk-summary-list__actions" not in without


@pytest.mark.parametrize(
    ("colour", "expected"),
    [
        ("green", 'class="govuk-tag govuk-tag--green"'),
        ("grey", 'class="govuk-tag govuk-tag--grey"'),
        ("blue", 'class="govuk-tag"'),
        (None, 'class="govuk-tag"'),
        ("light-blue", 'class="govuk-tag govuk-tag--teal"'),
        ("not-a-colour", 'class="govuk-tag"'),
    ],
)
def test_tag_colours(colour: str | None, expected: str) -> None:
    html = render_to_string("govuk/components/tag.html", {"text": "Open", "colour": colour})
    assert f"<strong {expected}>Open</strong>" in html


def test_tag_colours_exist_in_the_compiled_css() -> None:
    css = (STATIC / "hearth" / "hearth.css").read_text()
    for modifier in (
        "green",
        "grey",
        "turquoise",
        "teal",
        "purple",
        "pink",
        "red",
        "orange",
        "yellow",
    ):
        assert f".govuk-tag--{modifier}" in css


def test_buttons_back_link_inset_and_banner() -> None:
    html = render_to_string("govuk/components/button.html", {"text": "Save", "secondary": True})
    assert html.startswith('<button type="submit" class="govuk-button govuk-button--secondary"')
    html = render_to_string(
        "govuk/components/button.html", {"text": "Close", "warning": True, "url": "/x/"}
    )
    assert (
        '<a href="/x/" role="button" draggable="false" class="govuk-button govuk-button--warning"'
        in html
    )
    html = render_to_string("govuk/components/back_link.html", {"url": "/teams/"})
    assert html.strip() == '<a href="/teams/" class="govuk-back-link">Back</a>'
    assert 'class="govuk-inset-text">A &amp; B</div>' in render_to_string(
        "govuk/components/inset_text.html", {"text": "A & B"}
    )
    html = render_to_string(
        "govuk/components/notification_banner.html", {"text": "Team saved", "type": "success"}
    )
    assert "govuk-notification-banner--success" in html and 'role="alert"' in html
    assert ">Success</h2>" in html and ">Team saved</p>" in html
    html = render_to_string("govuk/components/notification_banner.html", {"text": "Read this"})
    assert "--success" not in html and 'role="region"' in html and ">Important</h2>" in html


def test_every_component_documents_its_context() -> None:
    for template in (TEMPLATES / "govuk" / "components").glob("*.html"):
        assert template.read_text().startswith("{% comment %}"), template.name


# -- base template and error pages --------------------------------------------------------------


def _request(path: str = "/") -> Any:
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def assert_csp_safe(html: str) -> None:
    """No inline script, no inline style: the Content Security Policy forbids both."""
    for opening, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I):
        assert "src=" in opening and not body.strip(), f"inline script: <script{opening}>"
    assert not re.search(r"\sstyle\s*=", html, re.I), "style= attribute"
    assert "<style" not in html.lower()
    assert not re.search(r"\son[a-z]+\s*=", html, re.I), "inline event handler"


@pytest.mark.django_db  # the header looks up the council's name
@pytest.mark.urls(__name__)
def test_base_template_for_a_signed_out_visitor() -> None:
    html = render_to_string("base.html", {}, request=_request())
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert '<body class="govuk-template__body">' in html
    assert '<a href="#main-content" class="govuk-skip-link"' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert re.search(r'<div class="govuk-width-container">\s*<main', html)
    assert re.search(r'<a href="/" class="govuk-generic-header__homepage-link">Hearth</a>', html)
    assert "<title> – Hearth</title>" in html
    assert "Sign out" not in html and "govuk-service-navigation" not in html
    assert "open-source case management for children's social care" in html
    assert "Crown copyright" not in html and "Open Government Licence" not in html
    assert "govuk-header__logotype" not in html and "crown" not in html.lower()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>""" in html
    for script in ("hearth/js-enabled.js", "hearth/hearth.js", "hearth/htmx.min.js"):
        assert f'src="/static/{script}"' in html
        assert (STATIC / script).is_file()
    assert '<script type="module" src="/static/hearth/hearth.js">' in html
    assert_csp_safe(html)


@pytest.mark.urls(__name__)
def test_base_template_for_a_signed_in_user_with_navigation_and_messages() -> None:
    user = SimpleNamespace(is_authenticated=True, full_name="Alex Example")
    nav_items = [
        {"label": "Home", "url": "/", "active": False},
        {"label": "Staff and teams", "url": "/teams/", "active": True},
    ]
    context = {
        "user": user,
        "nav_items": nav_items,
        "council_name": "Example Borough Council",
        "messages": [Message(messages.SUCCESS, "Team saved"), Message(messages.INFO, "Note this")],
    }
    html = render_to_string("base.html", context, request=_request("/teams/"))
    assert "Alex Example" in html
    assert '<span class="hearth-header__council">Example Borough Council</span>' in html
    form = re.search(r'<form method="post" action="/sign-out/"[^>]*>(.*?)</form>', html, re.S)
    assert form, "sign out must be a POST form"
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert '<button type="submit" class="hearth-header__sign-out">Sign out</button>' in form.group(
        1
    )
    assert 'data-module="govuk-service-navigation"' in html
    assert '<a class="govuk-service-navigation__link" href="/">Home</a>' in html
    assert (
        '<a class="govuk-service-navigation__link" href="/teams/" aria-current="true">'
        '<strong class="govuk-service-navigation__active-fallback">Staff and teams</strong></a>'
        in html
    )
    assert html.count("govuk-service-navigation__item--active") == 1
    assert "govuk-notification-banner--success" in html and ">Team saved</p>" in html
    assert ">Note this</p>" in html
    ids = re.findall(r'id="(hearth-message-\d-title)"', html)
    assert ids == ["hearth-message-1-title", "hearth-message-2-title"]
    assert_csp_safe(html)


@pytest.mark.urls(__name__)
def test_base_template_title_and_blocks() -> None:
    page = Template(
        '{% extends "base.html" %}{% block page_title %}Add a user{% endblock %}'
        '{% block back_link %}{% include "govuk/components/back_link.html" with url="/users/" %}'
        "{% endblock %}{% block content %}<h1>Add a user</h1>{% endblock %}"
    )
    request = _request()
    html = page.render(Context({"request": request, "user": request.user}))
    assert "<title>Add a user – Hearth</title>" in html
    assert html.index('class="govuk-back-link"') < html.index("<main")
    assert "<h1>Add a user</h1>" in html
    html = page.render(Context({"request": request, "user": request.user, "has_errors": True}))
    assert "<title>Error: Add a user – Hearth</title>" in html
    bound = ExampleForm(data={})
    html = page.render(Context({"request": request, "user": request.user, "form": bound}))
    assert "<title>Error: Add a user – Hearth</title>" in html
    html = page.render(Context({"request": request, "user": request.user, "form": ExampleForm()}))
    assert "<title>Add a user – Hearth</title>" in html


@pytest.mark.django_db  # the header looks up the council's name
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("template", "heading"),
    [("404.html", "Page not found"), ("403.html", "You do not have permission to see this page")],
)
def test_error_pages(template: str, heading: str) -> None:
    html = render_to_string(template, {}, request=_request())
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert f"<title>{heading} – Hearth</title>" in html
    assert_csp_safe(html)


def test_500_page_needs_no_request_context_or_database() -> None:
    # As django.views.defaults.server_error does it: no context at all. No db mark, so any
    # database access would fail the test.
    html = get_template("500.html").render()
    assert "Sorry, there is a problem with Hearth" in html
    assert 'href="/static/hearth/hearth.css"' in html
    assert "{%" not in html
    assert_csp_safe(html)


def test_forms_rendered_with_errors_are_csp_safe() -> None:
    assert_csp_safe(str(ExampleForm(data={})))


# -- compiled assets ----------------------------------------------------------------------------


def test_compiled_css_has_no_gds_transport_and_uses_arial() -> None:
    css = (STATIC / "hearth" / "hearth.css").read_text()
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "font-family:arial,sans-serif" in css
    assert ".govuk-generic-header" in css and ".hearth-header__sign-out" in css
    assert ".htmx-indicator{opacity:0}" in css
    assert "\n" not in css.strip()  # compressed


def test_compiled_css_only_refers_to_vendored_files() -> None:
    # collectstatic's manifest storage fails on a url() to a missing file.
    css = (STATIC / "hearth" / "hearth.css").read_text()
    urls = re.findall(r"url\(\"?([^\")]+)\"?\)", css)
    assert urls, "expected the GOV.UK images to be referenced"
    for url in urls:
        if url.startswith("data:"):
            continue
        assert url.startswith("/static/"), url
        assert (STATIC / url.removeprefix("/static/")).is_file(), url
    assert not list((STATIC / "govuk" / "assets").glob("fonts/*"))


def test_vendored_js_is_self_contained() -> None:
    govuk = (STATIC / "govuk" / "govuk-frontend.min.js").read_text()
    assert "initAll" in govuk and "sourceMappingURL" not in govuk
    hearth = (STATIC / "hearth" / "hearth.js").read_text()
    imported = re.findall(r'from "([^"]+)"', hearth)
    assert imported == ["../govuk/govuk-frontend.min.js"]
    assert (STATIC / "hearth" / imported[0]).resolve().is_file()
    assert "initAll()" in hearth
    assert "govuk-frontend-supported" in (STATIC / "hearth" / "js-enabled.js").read_text()
    htmx = (STATIC / "hearth" / "htmx.min.js").read_text()
    assert "htmx" in htmx and "sourceMappingURL" not in htmx
