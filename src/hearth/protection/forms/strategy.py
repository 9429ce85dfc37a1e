"""Forms for strategy discussions and section 47 enquiries: each field's own checks, and a
partly filled attendee or action row pointed out at its field. The services check the rules
(census rules, the lead practitioner's registration, the rationale's length) and show their
refusals on these forms.

Attendees and actions are fixed sets of repeated rows (no JavaScript needed); blank rows are
left out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm
from hearth.core.models import Team, User
from hearth.frontdoor.forms import TimeField
from hearth.timescales.calendar import LONDON

from ..codes import Agency, Section47Outcome, StrategyDecision

ATTENDEE_ROWS = 8
ACTION_ROWS = 6
AGENCY_CHOICES = [("", "Choose an agency"), *Agency.choices]
RATIONALE_HELP = (
    "At least 10 words: what the agencies know, what the risk to the child is and why this "
    "response meets it."
)


def _text(label: str, *, rows: int = 4, required: bool = True, help_text: str = "") -> Any:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _people(field: forms.Field, people: list[User], empty: str) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", empty), *[(u.pk, u.full_name) for u in people]]


def episode_label(episode: ChildInNeedEpisode) -> str:
    state = "open" if episode.closure_date is None else f"closed {episode.closure_date:%-d %B %Y}"
    return f"Referred {episode.referral_date:%-d %B %Y} ({state})"


class DiscussionForm(VersionedForm):
    """Record (with `episodes`) or correct a strategy discussion."""

    episode = forms.TypedChoiceField(
        label="Which child in need episode is the discussion part of?",
        coerce=int,
        choices=(),
        widget=forms.RadioSelect,
    )
    held_on = GovukDateField(label="Date of the discussion", help_text="For example, 27 3 2026.")
    held_time = TimeField(label="Time it started")
    chair = forms.TypedChoiceField(
        label="Who led it? (optional)", coerce=int, empty_value=None, choices=(), required=False
    )
    information_shared = _text(
        "Information shared",
        rows=8,
        help_text="What each agency knows about the child and the family, and what the child "
        "has said.",
    )
    decision = forms.ChoiceField(
        label="What did the discussion decide?",
        choices=StrategyDecision.choices,
        widget=forms.RadioSelect,
    )
    rationale = _text("Rationale for the decision", rows=5, help_text=RATIONALE_HELP)
    lead_worker = forms.TypedChoiceField(
        label="Lead practitioner for the section 47 enquiry (if one starts)",
        help_text="A registered social worker. Not needed when the episode already has an open "
        "enquiry: the discussion continues it.",
        coerce=int,
        empty_value=None,
        choices=(),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        episodes: list[ChildInNeedEpisode] | None = None,
        chairs: list[User],
        leads: list[User],
        with_actions: bool = True,
        attendee_rows: int = ATTENDEE_ROWS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.episodes = {e.pk: e for e in episodes or []}
        if episodes is None:
            del self.fields["episode"]
        else:
            field = self.fields["episode"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(e.pk, episode_label(e)) for e in episodes]
        self.people = {u.pk: u for u in [*chairs, *leads]}
        _people(self.fields["chair"], chairs, "Not recorded")
        _people(self.fields["lead_worker"], leads, "No new enquiry")
        self.attendee_rows = attendee_rows
        self.action_rows = ACTION_ROWS if with_actions else 0
        for n in range(1, self.attendee_rows + 1):
            self.fields[f"attendee_{n}_agency"] = forms.ChoiceField(
                label="Agency", choices=AGENCY_CHOICES, required=False
            )
            self.fields[f"attendee_{n}_name"] = forms.CharField(
                label="Name", max_length=200, required=False
            )
            self.fields[f"attendee_{n}_role"] = forms.CharField(
                label="Role or job title (optional)", max_length=200, required=False
            )
        for n in range(1, self.action_rows + 1):
            self.fields[f"action_{n}_description"] = forms.CharField(
                label="What will be done?",
                max_length=5_000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"action_{n}_owner_name"] = forms.CharField(
                label="Who will do it?", max_length=200, required=False
            )
            self.fields[f"action_{n}_owner_agency"] = forms.ChoiceField(
                label="Their agency", choices=AGENCY_CHOICES, required=False
            )
            self.fields[f"action_{n}_due_date"] = GovukDateField(label="Due by", required=False)

    # Rows, for the template: each a list of bound fields.
    def attendee_fields(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"attendee_{n}_{part}"] for part in ("agency", "name", "role")]
            for n in range(1, self.attendee_rows + 1)
        ]

    def action_fields(self) -> list[list[forms.BoundField]]:
        return [
            [
                self[f"action_{n}_{part}"]
                for part in ("description", "owner_name", "owner_agency", "due_date")
            ]
            for n in range(1, self.action_rows + 1)
        ]

    def main_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in self.fields
            if not name.startswith(("attendee_", "action_")) and name != "version"
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("held_on"), data.get("held_time")
        if day and time:
            at = dt.datetime.combine(day, time, tzinfo=LONDON)
            if at > timezone.now():
                self.add_error(
                    "held_on", "The discussion cannot be in the future: record it once held"
                )
            data["held_at"] = at
        for n in range(1, self.attendee_rows + 1):
            agency, name = data.get(f"attendee_{n}_agency"), data.get(f"attendee_{n}_name")
            if not (agency or name or data.get(f"attendee_{n}_role")):
                continue
            if not agency:
                self.add_error(f"attendee_{n}_agency", f"Choose attendee {n}'s agency")
            if not name:
                self.add_error(f"attendee_{n}_name", f"Enter attendee {n}'s name")
        for n in range(1, self.action_rows + 1):
            parts = {
                part: data.get(f"action_{n}_{part}")
                for part in ("description", "owner_name", "owner_agency", "due_date")
            }
            if not any(parts.values()):
                continue
            if not parts["description"]:
                self.add_error(f"action_{n}_description", f"Say what action {n} is")
            if not parts["owner_name"]:
                self.add_error(f"action_{n}_owner_name", f"Say who will do action {n}")
            if not parts["owner_agency"]:
                self.add_error(f"action_{n}_owner_agency", f"Choose the agency for action {n}")
            if not parts["due_date"] and f"action_{n}_due_date" not in self.errors:
                self.add_error(f"action_{n}_due_date", f"Enter the date action {n} is due by")
        return data

    def attendees(self) -> list[dict[str, str]]:
        d = self.cleaned_data
        return [
            {
                "agency": d.get(f"attendee_{n}_agency") or "",
                "name": d.get(f"attendee_{n}_name") or "",
                "role": d.get(f"attendee_{n}_role") or "",
            }
            for n in range(1, self.attendee_rows + 1)
        ]

    def actions(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        return [
            {
                "description": d.get(f"action_{n}_description") or "",
                "owner_name": d.get(f"action_{n}_owner_name") or "",
                "owner_agency": d.get(f"action_{n}_owner_agency") or "",
                "due_date": d.get(f"action_{n}_due_date"),
            }
            for n in range(1, self.action_rows + 1)
        ]

    def chosen_episode(self) -> ChildInNeedEpisode | None:
        return self.episodes.get(self.cleaned_data.get("episode") or 0)

    def chosen(self, name: str) -> User | None:
        return self.people.get(self.cleaned_data.get(name) or 0)

    @staticmethod
    def attendee_initial(rows: list[Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for n, row in enumerate(rows, start=1):
            initial[f"attendee_{n}_agency"] = row.agency
            initial[f"attendee_{n}_name"] = row.name
            initial[f"attendee_{n}_role"] = row.role
        return initial


class ActionForm(GovukForm):
    description = _text("What will be done?", rows=3, help_text="Specific: what, for whom.")
    owner_name = forms.CharField(
        label="Who will do it?", max_length=200, help_text="A named person."
    )
    owner_agency = forms.ChoiceField(label="Their agency", choices=AGENCY_CHOICES)
    due_date = GovukDateField(label="Due by")


class ActionDoneForm(VersionedForm):
    completed_on = GovukDateField(label="Date it was done")


SEEN_ALONE_CHOICES = [("yes", "Yes"), ("no", "No")]


class EnquiryForm(VersionedForm):
    lead_worker = forms.TypedChoiceField(
        label="Lead practitioner",
        help_text="A registered social worker.",
        coerce=int,
        empty_value=None,
        choices=(),
    )
    team = forms.TypedChoiceField(
        label="Team (optional)",
        help_text="Leave blank for the lead practitioner's team.",
        coerce=int,
        empty_value=None,
        choices=(),
        required=False,
    )
    child_seen_on = GovukDateField(label="Date the child was seen (optional)", required=False)
    seen_alone = forms.ChoiceField(
        label="Was the child seen alone? (optional)",
        choices=SEEN_ALONE_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    not_seen_reason = _text(
        "Why the child was not seen, or not seen alone (if so)",
        rows=3,
        required=False,
    )

    def __init__(self, *args: Any, leads: list[User], teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people(self.fields["lead_worker"], leads, "Choose the lead practitioner")
        self.leads = {u.pk: u for u in leads}
        field = self.fields["team"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "The lead practitioner's team"), *[(t.pk, t.name) for t in teams]]
        self.teams = {t.pk: t for t in teams}

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        alone = {"yes": True, "no": False}.get(d.get("seen_alone") or "")
        data: dict[str, Any] = {
            "lead_worker": self.leads.get(d.get("lead_worker") or 0),
            "child_seen_on": d.get("child_seen_on"),
            "seen_alone": alone,
            "not_seen_reason": d.get("not_seen_reason", ""),
        }
        team = self.teams.get(d.get("team") or 0)
        if team is not None:
            data["team"] = team
        return data


class OutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(
        label="What did the enquiry find?",
        choices=Section47Outcome.choices,
        widget=forms.RadioSelect,
    )
    outcome_rationale = _text(
        "Rationale",
        rows=5,
        help_text="At least 10 words: what the enquiry found and why it leads to this outcome.",
    )
    completed_on = GovukDateField(label="Date the enquiry was completed")
    icpc_not_required = forms.BooleanField(
        label="No initial conference is needed, although the child is likely to suffer "
        "significant harm",
        help_text="For example, the child has become looked after. Other outcomes need no "
        "conference anyway.",
        required=False,
    )
    icpc_not_required_reason = _text(
        "Why no initial conference is needed (optional)",
        rows=3,
        required=False,
        help_text="For any outcome other than likely significant harm, the rationale is used "
        "unless you give a reason here.",
    )
