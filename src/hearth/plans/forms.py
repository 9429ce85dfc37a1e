"""Forms for plans: each field's own checks. The services check what spans fields (an action's
links and owner, the census rules on dates) and show their refusals on these forms."""

from __future__ import annotations

from typing import Any

from django import forms

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm
from hearth.core.models import User

from .codes import ActionStatus, NeedKind, NeedStatus, ReviewDecision
from .models import PlanNeed

STATEMENT_HELP = (
    "For a risk, the danger statement: who is worried, what they are worried will happen to the "
    "child, and what would make it happen, in words the family understand. Keep it short: "
    "statements longer than the council's limit are flagged for the manager."
)
SAFETY_GOAL_HELP = "What the child's life will look like when they are safe, in the family's words."


def _text(label: str, *, rows: int = 4, required: bool = True, help_text: str = "") -> Any:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _episode_label(episode: ChildInNeedEpisode) -> str:
    state = "open" if episode.closure_date is None else f"closed {episode.closure_date:%-d %B %Y}"
    return f"Referred {episode.referral_date:%-d %B %Y} ({state})"


class PlanStartForm(GovukForm):
    episode = forms.TypedChoiceField(
        label="Which child in need episode is the plan part of?",
        coerce=int,
        choices=(),
        widget=forms.RadioSelect,
    )
    start_date = GovukDateField(
        label="Start date",
        help_text="The day the plan was agreed, for example when the assessment was authorised.",
    )
    contingency = _text(
        "Contingency plan (optional)",
        required=False,
        help_text="What will happen if the plan does not work or the child is not safe.",
    )

    def __init__(self, *args: Any, episodes: list[ChildInNeedEpisode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episodes = {e.pk: e for e in episodes}
        field = self.fields["episode"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(e.pk, _episode_label(e)) for e in episodes]

    def chosen(self) -> ChildInNeedEpisode | None:
        return self.episodes.get(self.cleaned_data.get("episode") or 0)


class ContingencyForm(VersionedForm):
    contingency = _text(
        "Contingency plan",
        rows=6,
        help_text="What will happen if the plan does not work or the child is not safe.",
    )


class NeedForm(VersionedForm):
    kind = forms.ChoiceField(
        label="Is this a need or a risk?", choices=NeedKind.choices, widget=forms.RadioSelect
    )
    statement = _text("Need or danger statement", help_text=STATEMENT_HELP)
    safety_goal = _text("Safety goal (for a risk)", required=False, help_text=SAFETY_GOAL_HELP)


class NeedChangeForm(NeedForm):
    status = forms.ChoiceField(
        label="Is it still current?", choices=NeedStatus.choices, widget=forms.RadioSelect
    )


def _need_label(need: PlanNeed) -> str:
    words = need.statement.split()
    short = " ".join(words[:20]) + ("…" if len(words) > 20 else "")
    return f"{need.get_kind_display().split(' ')[0]}: {short}"


class ActionForm(VersionedForm):
    description = _text("What will be done?", rows=3, help_text="Specific and measurable.")
    needs = forms.TypedMultipleChoiceField(
        label="Which needs or risks does it address?",
        help_text="Select all that apply.",
        coerce=int,
        choices=(),
        required=False,  # the service says why an action needs one, in its own words
        widget=forms.CheckboxSelectMultiple,
    )
    owner_user = forms.TypedChoiceField(
        label="Who will do it: a person (optional)",
        coerce=int,
        empty_value=None,
        choices=(),
        required=False,
    )
    owner_agency = forms.CharField(
        label="Or an agency (optional)",
        help_text="For example: the school, the health visitor, the GP, housing. Give a person "
        "or an agency, not both.",
        max_length=200,
        required=False,
    )
    due_date = GovukDateField(label="Due by", required=False)
    progress = _text("Progress notes (optional)", rows=3, required=False)

    def __init__(
        self, *args: Any, needs: list[PlanNeed], people: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["needs"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(n.pk, _need_label(n)) for n in needs]
        owner = self.fields["owner_user"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [("", "Not a person: an agency"), *[(u.pk, u.full_name) for u in people]]
        self.people = {u.pk: u for u in people}

    def owner(self) -> User | None:
        return self.people.get(self.cleaned_data.get("owner_user") or 0)


class ActionStatusForm(VersionedForm):
    status = forms.ChoiceField(
        label="Status", choices=ActionStatus.choices, widget=forms.RadioSelect
    )
    completed_on = GovukDateField(label="Date it was done (if done)", required=False)
    progress = _text("Progress notes (optional)", rows=3, required=False)


class ReviewForm(GovukForm):
    held_on = GovukDateField(label="Date of the review")
    attendees = _text("Who attended?", rows=3, required=False)
    child_views = _text(
        "The child's views (optional)",
        rows=4,
        required=False,
        help_text="In the child's own words where you can.",
    )
    progress_summary = _text("Progress against the plan", rows=5)
    decision = forms.ChoiceField(
        label="What did the review decide?",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
    )


class EndForm(VersionedForm):
    end_date = GovukDateField(label="End date")
    end_reason = _text("Why is the plan ending?", rows=3)
