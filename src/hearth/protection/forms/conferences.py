"""Forms for conferences and core groups: each field's own checks. The services check what spans
fields and records (the census rules on dates, the decision and its categories, whose actions)
and show their refusals on these forms.

Rows (invited agencies, attendance, core group members, progress on actions) are numbered fields
(`agency_1`, `agency_1_name`…, `attended_<row id>`, `action_<id>_status`…), so the page works
without JavaScript; `rows()` methods give them to the services as lists of dicts.
"""

from __future__ import annotations

from typing import Any

from django import forms

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm
from hearth.core.models import User
from hearth.plans.codes import ActionStatus
from hearth.plans.models import PlanAction

from ..codes import (
    INITIAL_KINDS,
    Agency,
    CategoryOfAbuse,
    ChildParticipation,
    ConferenceDecision,
    ParentParticipation,
)
from ..models import Conference, ConferenceAgency

BOOK_ROWS = 8
EXTRA_ROWS = 3
CORE_GROUP_ROWS = 8
DEFAULT_INVITED = (Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH, Agency.EDUCATION)
YES_NO = [("yes", "Yes"), ("no", "No")]
REPORT = [("yes", "Yes"), ("no", "No, it was late or missing"), ("none", "No report was asked for")]
AGENCY_CHOICES = [("", "Choose an agency"), *Agency.choices]


def _text(label: str, *, rows: int = 4, required: bool = True, help_text: str = "") -> Any:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _episode_label(episode: ChildInNeedEpisode) -> str:
    return f"Referred {episode.referral_date:%-d %B %Y}"


class _Choosing:
    """Mixin: set a choice field's choices after the form is built."""

    fields: dict[str, forms.Field]

    def _choices(self, name: str, choices: list[tuple[Any, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


def _agency_fields(form: forms.Form, prefix: str, count: int, initial: tuple[str, ...]) -> None:
    for n in range(1, count + 1):
        form.fields[f"{prefix}_{n}"] = forms.ChoiceField(
            label=f"Agency {n} (optional)",
            choices=AGENCY_CHOICES,
            required=False,
            initial=initial[n - 1] if n <= len(initial) else "",
        )
        form.fields[f"{prefix}_{n}_name"] = forms.CharField(
            label=f"Who from agency {n} (optional)",
            max_length=200,
            required=False,
        )


def _agency_rows(data: dict[str, Any], prefix: str, count: int) -> list[dict[str, Any]]:
    return [
        {"agency": data[f"{prefix}_{n}"], "name": data.get(f"{prefix}_{n}_name", "")}
        for n in range(1, count + 1)
        if data.get(f"{prefix}_{n}")
    ]


class BookForm(_Choosing, GovukForm):
    kind = forms.ChoiceField(
        label="What kind of conference is it?", choices=(), widget=forms.RadioSelect
    )
    episode = forms.TypedChoiceField(
        label="Which child in need episode is it part of?",
        coerce=int,
        choices=(),
        widget=forms.RadioSelect,
    )
    scheduled_on = GovukDateField(
        label="Date of the conference",
        help_text="An initial conference is due within 15 working days of the strategy "
        "discussion that started the enquiry.",
    )
    chair = forms.TypedChoiceField(
        label="Who will chair it?",
        coerce=int,
        choices=(),
        help_text="A conference chair or an independent reviewing officer.",
    )

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        episodes: list[ChildInNeedEpisode],
        chairs: list[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choices("kind", kinds)
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0][0]
        self._choices("episode", [(e.pk, _episode_label(e)) for e in episodes])
        self.episodes = {e.pk: e for e in episodes}
        self._choices("chair", [("", "Choose a chair"), *[(u.pk, u.full_name) for u in chairs]])
        self.chairs = {u.pk: u for u in chairs}
        _agency_fields(self, "agency", BOOK_ROWS, DEFAULT_INVITED)

    def chosen_episode(self) -> ChildInNeedEpisode | None:
        return self.episodes.get(self.cleaned_data.get("episode") or 0)

    def chosen_chair(self) -> User | None:
        return self.chairs.get(self.cleaned_data.get("chair") or 0)

    def agencies(self) -> list[dict[str, Any]]:
        return _agency_rows(self.cleaned_data, "agency", BOOK_ROWS)


class RebookForm(_Choosing, VersionedForm):
    scheduled_on = GovukDateField(label="Date of the conference")
    chair = forms.TypedChoiceField(label="Who will chair it?", coerce=int, choices=())

    def __init__(self, *args: Any, chairs: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("chair", [(u.pk, u.full_name) for u in chairs])
        self.chairs = {u.pk: u for u in chairs}
        _agency_fields(self, "invite", EXTRA_ROWS, ())
        for n in range(1, EXTRA_ROWS + 1):
            self.fields[f"invite_{n}"].label = f"Invite another agency {n} (optional)"

    def chosen_chair(self) -> User | None:
        return self.chairs.get(self.cleaned_data.get("chair") or 0)

    def agencies(self) -> list[dict[str, Any]]:
        return _agency_rows(self.cleaned_data, "invite", EXTRA_ROWS)


class CancelForm(VersionedForm):
    reason = _text("Why is the conference cancelled?", rows=3)


def _invited_label(row: ConferenceAgency) -> str:
    who = f" ({row.name})" if row.name else ""
    return f"{row.get_agency_display()}{who}"


class RecordForm(_Choosing, VersionedForm):
    """A held conference, in the order the chair's record runs."""

    held_on = GovukDateField(label="Date the conference was held")

    def __init__(
        self,
        *args: Any,
        conference: Conference,
        invited: list[ConferenceAgency],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.invited = invited
        initial = conference.kind in INITIAL_KINDS
        for row in invited:
            label = _invited_label(row)
            self.fields[f"attended_{row.pk}"] = forms.ChoiceField(
                label=f"Did {label} attend?", choices=YES_NO, widget=forms.RadioSelect
            )
            self.fields[f"report_{row.pk}"] = forms.ChoiceField(
                label=f"Did the report from {label} arrive on time?",
                choices=REPORT,
                widget=forms.RadioSelect,
                initial="none",
            )
        for n in range(1, EXTRA_ROWS + 1):
            self.fields[f"extra_{n}"] = forms.ChoiceField(
                label=f"Another agency that attended without an invitation {n} (optional)",
                choices=AGENCY_CHOICES,
                required=False,
            )
            self.fields[f"extra_{n}_name"] = forms.CharField(
                label=f"Who from that agency {n} (optional)", max_length=200, required=False
            )
        self.fields["parent_participation"] = forms.ChoiceField(
            label="Did the parents or carers take part?",
            choices=ParentParticipation.choices,
            widget=forms.RadioSelect,
        )
        self.fields["parents_views"] = _text(
            "The parents' and carers' views", required=False, rows=4
        )
        self.fields["child_participation"] = forms.ChoiceField(
            label="How did the child take part?",
            choices=ChildParticipation.choices,
            widget=forms.RadioSelect,
            help_text="PN0 for a child under 4 at the time of the conference (and only then).",
        )
        self.fields["child_views"] = _text(
            "The child's views",
            required=False,
            rows=4,
            help_text="In the child's own words where possible.",
        )
        decisions = (
            [
                (ConferenceDecision.PLAN.value, "A child protection plan is needed"),
                (ConferenceDecision.NO_PLAN.value, ConferenceDecision.NO_PLAN.label),
            ]
            if initial
            else [
                (ConferenceDecision.PLAN.value, "The child protection plan continues"),
                (ConferenceDecision.END_PLAN.value, ConferenceDecision.END_PLAN.label),
            ]
        )
        self.fields["decision"] = forms.ChoiceField(
            label="What did the conference decide?", choices=decisions, widget=forms.RadioSelect
        )
        categories = [("", "Choose a category"), *CategoryOfAbuse.choices]
        if initial:
            self.fields["initial_category"] = forms.ChoiceField(
                label="Category of abuse, if a plan is needed",
                choices=categories,
                required=False,
            )
        self.fields["latest_category"] = forms.ChoiceField(
            label="Latest category of abuse",
            help_text="Leave it empty when it is the same as the initial category."
            if initial
            else "Leave it empty when it has not changed.",
            choices=categories,
            required=False,
        )
        self.fields["chair_rationale"] = _text(
            "The chair's rationale for the decision",
            rows=6,
            help_text="At least 10 words: why the child is, or is no longer, likely to suffer "
            "significant harm.",
        )
        self.fields["dissent"] = _text(
            "Dissent (optional)",
            required=False,
            rows=3,
            help_text="Who disagreed with the decision, and why.",
        )

    def agencies(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        rows: list[dict[str, Any]] = [
            {
                "id": row.pk,
                "attended": _yes_no(data.get(f"attended_{row.pk}")),
                "report_on_time": _yes_no(data.get(f"report_{row.pk}")),
            }
            for row in self.invited
        ]
        rows += [
            {**extra, "attended": True, "report_on_time": None}
            for extra in _agency_rows(data, "extra", EXTRA_ROWS)
        ]
        return rows


def _action_label(action: PlanAction) -> str:
    words = action.description.split()
    short = " ".join(words[:20]) + ("…" if len(words) > 20 else "")
    owner = action.owner_user.full_name if action.owner_user else action.owner_agency
    return f"“{short}” ({owner}, due {action.due_date:%-d %B %Y})"


class CoreGroupForm(GovukForm):
    held_on = GovukDateField(label="Date the core group met")

    def __init__(
        self, *args: Any, actions: list[PlanAction], members: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.actions = actions
        for n in range(1, CORE_GROUP_ROWS + 1):
            agency, name = members[n - 1] if n <= len(members) else ("", "")
            self.fields[f"member_{n}"] = forms.ChoiceField(
                label=f"Member {n}: agency (optional)",
                choices=AGENCY_CHOICES,
                required=False,
                initial=agency,
            )
            self.fields[f"member_{n}_name"] = forms.CharField(
                label=f"Member {n}: name (optional)",
                max_length=200,
                required=False,
                initial=name,
            )
            self.fields[f"member_{n}_attended"] = forms.ChoiceField(
                label=f"Did member {n} attend?",
                choices=[("yes", "Attended"), ("no", "Sent apologies")],
                widget=forms.RadioSelect,
                required=False,
                initial="yes",
            )
        self.fields["summary"] = _text("What was discussed and agreed", rows=6)
        self.fields["child_views"] = _text(
            "The child's views and lived experience (optional)",
            required=False,
            rows=4,
            help_text="What life is like for them, in their own words where possible.",
        )
        for action in actions:
            self.fields[f"action_{action.pk}_status"] = forms.ChoiceField(
                label=f"Progress on {_action_label(action)}",
                choices=ActionStatus.choices,
                widget=forms.RadioSelect,
                initial=action.status,
            )
            self.fields[f"action_{action.pk}_note"] = _text(
                "What the core group found (optional)", required=False, rows=2
            )
        self.fields["next_meeting_on"] = GovukDateField(
            label="Date of the next core group (optional)", required=False
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, CORE_GROUP_ROWS + 1):
            if data.get(f"member_{n}_name") and not data.get(f"member_{n}"):
                self.add_error(f"member_{n}", f"Choose member {n}'s agency")
        return data

    def attendees(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "agency": data[f"member_{n}"],
                "name": data.get(f"member_{n}_name", ""),
                "attended": data.get(f"member_{n}_attended") != "no",
            }
            for n in range(1, CORE_GROUP_ROWS + 1)
            if data.get(f"member_{n}")
        ]

    def progress(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "action": action.pk,
                "status": data.get(f"action_{action.pk}_status"),
                "note": data.get(f"action_{action.pk}_note", ""),
            }
            for action in self.actions
        ]


class CoreGroupChangeForm(VersionedForm):
    held_on = GovukDateField(label="Date the core group met")
    summary = _text("What was discussed and agreed", rows=6)
    child_views = _text("The child's views and lived experience (optional)", required=False)
    next_meeting_on = GovukDateField(label="Date of the next core group (optional)", required=False)
