"""Forms for legal records: each field's own checks, and the order of the dates on one form (an
end not before its start, the letter and meetings not before pre-proceedings started). The
services check the rest (the law's limits, other records) and show their refusals on these
forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.forms.base import GovukForm
from hearth.core.forms.fields import GovukDateField
from hearth.core.forms.staff import VersionedForm
from hearth.frontdoor.forms import TimeField
from hearth.plans.models import Plan
from hearth.timescales.calendar import LONDON

from .codes import (
    EPO_EXTENSION_DAYS,
    EXTENSION_MAX_WEEKS,
    CarePlanKind,
    EmergencyKind,
    EmergencyOutcome,
    FinalOrderKind,
    GatewayDecision,
    GatewayReason,
    HearingKind,
    InterimOrderKind,
    PreProceedingsOutcome,
    Representation,
)
from .models import CareProceedings, LegalGatewayMeeting, PreProceedings

YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("", "Not recorded")]
YES_NO = [("yes", "Yes"), ("no", "No")]
NOT_RECORDED = [("", "Not recorded")]


def tri_state(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def tri_initial(value: bool | None) -> str:
    return {True: "yes", False: "no", None: ""}[value]


def moment(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    """A London date and time as an aware moment."""
    if day is None or time is None:
        return None
    return dt.datetime.combine(day, time, tzinfo=LONDON)


def split_moment(prefix: str, value: dt.datetime | None) -> dict[str, Any]:
    if value is None:
        return {}
    local = value.astimezone(LONDON)
    return {f"{prefix}_date": local.date(), f"{prefix}_time": f"{local:%H:%M}"}


def _text(label: str, *, required: bool = False, rows: int = 4, help_text: str = "") -> Any:
    return forms.CharField(
        label=label if required else f"{label} (optional)",
        required=required,
        max_length=10_000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _line(label: str, *, required: bool = False, max_length: int = 150, help_text: str = "") -> Any:
    return forms.CharField(
        label=label if required else f"{label} (optional)",
        required=required,
        max_length=max_length,
        help_text=help_text,
    )


def _radios(label: str, choices: Any, *, required: bool = True, help_text: str = "") -> Any:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        required=required,
        help_text=help_text,
    )


def _date(label: str, *, required: bool = False, help_text: str = "") -> Any:
    return GovukDateField(
        label=label if required else f"{label} (optional)", required=required, help_text=help_text
    )


class _Ordered(VersionedForm):
    """Dates on the form that must not be before another: (later, earlier, message)."""

    order: tuple[tuple[str, str, str], ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for later, earlier, message in self.order:
            a, b = data.get(later), data.get(earlier)
            if a is not None and b is not None and a < b and later not in self.errors:
                self.add_error(later, message)
        return data


class _Moments(_Ordered):
    """Date-and-time pairs cleaned into `<prefix>_at` moments."""

    moments: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for prefix in self.moments:
            day, time = data.get(f"{prefix}_date"), data.get(f"{prefix}_time")
            if (day is None) != (time is None) and f"{prefix}_date" not in self.errors:
                missing = f"{prefix}_time" if time is None else f"{prefix}_date"
                if missing not in self.errors:
                    self.add_error(missing, "Enter both the date and the time, or neither")
            data[f"{prefix}_at"] = moment(day, time)
        started, ended = data.get("started_at"), data.get("ended_at")
        if started and ended and ended < started and "ended_date" not in self.errors:
            self.add_error("ended_date", "The end cannot be before the start")
        return data


# --- emergency protection ------------------------------------------------------------------------


class EmergencyForm(_Moments):
    moments = ("started", "ended")

    kind = _radios("Police protection or an emergency protection order?", EmergencyKind.choices)
    started_date = GovukDateField(
        label="Started: date",
        help_text="For police protection, when the child was taken into it; for an order, when "
        "the court made it.",
    )
    started_time = TimeField(label="Started: time")
    police_force = _line("Police force", help_text="Needed for police protection.")
    police_reference = _line("Police reference", max_length=40)
    designated_officer = _line(
        "Designated officer", help_text="Police protection only: the officer who inquires."
    )
    court = _line("Court", help_text="Needed for an emergency protection order.")
    court_reference = _line("Court reference", max_length=40)
    reason = _text("Why it was needed", required=True, rows=5)
    ended_date = GovukDateField(label="Ended: date (optional)", required=False)
    ended_time = TimeField(label="Ended: time (optional)", required=False)
    outcome = _radios(
        "What happened when it ended? (optional)",
        [*EmergencyOutcome.choices, *NOT_RECORDED],
        required=False,
    )
    outcome_notes = _text("More about what happened")


class EmergencyEndForm(_Moments):
    moments = ("ended",)

    ended_date = GovukDateField(label="Ended: date")
    ended_time = TimeField(label="Ended: time")
    outcome = _radios("What happened when it ended?", EmergencyOutcome.choices)
    outcome_notes = _text("More about what happened")


class EpoExtensionForm(VersionedForm):
    extended_on = GovukDateField(label="Date the court extended the order")
    extension_days = forms.IntegerField(
        label="Extended by (days)",
        min_value=1,
        max_value=EPO_EXTENSION_DAYS,
        help_text="Up to 7 days, once only.",
        error_messages={
            "max_value": "An emergency protection order may be extended by up to 7 days",
            "min_value": "Enter 1 to 7 days",
        },
    )
    extension_reason = _text("Why the court extended it", required=True)


# --- legal gateway meetings ----------------------------------------------------------------------


def _plan_label(plan: Plan) -> str:
    until = f"to {plan.end_date:%-d %B %Y}" if plan.end_date else "open"
    return f"{plan.get_kind_display()} from {plan.start_date:%-d %B %Y} ({until})"


class GatewayForm(VersionedForm):
    held_on = GovukDateField(label="Date of the meeting")
    reason = _radios("Why was the meeting called?", GatewayReason.choices)
    plan = forms.TypedChoiceField(
        label="Which plan led to it? (optional)",
        help_text="Needed for a child protection plan lasting over 15 months.",
        coerce=int,
        empty_value=None,
        choices=(),
        required=False,
    )
    reason_detail = _text("More about why it was called", rows=3)
    chair = _line("Chaired by")
    attendees = _text("Who attended", required=True, rows=3, help_text="Names and roles.")
    decision = _radios("What did the meeting decide?", GatewayDecision.choices)
    rationale = _text(
        "Why the meeting decided this",
        required=True,
        rows=6,
        help_text="At least 10 words: the worries, what has been tried and why this is the "
        "right step.",
    )

    def __init__(self, *args: Any, plans: list[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plans = {p.pk: p for p in plans}
        field = self.fields["plan"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "None"), *[(p.pk, _plan_label(p)) for p in plans]]

    def chosen_plan(self) -> Plan | None:
        return self.plans.get(self.cleaned_data.get("plan") or 0)


# --- pre-proceedings -----------------------------------------------------------------------------


def _episode_label(episode: ChildInNeedEpisode) -> str:
    state = "open" if episode.closure_date is None else f"closed {episode.closure_date:%-d %B %Y}"
    return f"Referred {episode.referral_date:%-d %B %Y} ({state})"


def _gateway_label(meeting: LegalGatewayMeeting) -> str:
    return f"Legal gateway meeting on {meeting.held_on:%-d %B %Y}"


PP_ORDER = (
    (
        "letter_sent_on",
        "start_date",
        "The letter before proceedings cannot be sent before pre-proceedings started",
    ),
    (
        "fgdm_offered_on",
        "start_date",
        "The family group meeting cannot be offered before pre-proceedings started",
    ),
    ("fgdm_held_on", "fgdm_offered_on", "The meeting cannot be held before it was offered"),
    ("initial_meeting_on", "start_date", "The initial meeting cannot be before the start"),
    (
        "initial_meeting_on",
        "letter_sent_on",
        "The initial meeting cannot be before the letter before proceedings",
    ),
    (
        "letter_of_intention_on",
        "start_date",
        "The letter of intention cannot be before pre-proceedings started",
    ),
)


class PreProceedingsStartForm(_Ordered):
    order = PP_ORDER[:1]

    gateway = forms.TypedChoiceField(
        label="Which legal gateway meeting decided to enter pre-proceedings?",
        coerce=int,
        choices=(),
        widget=forms.RadioSelect,
    )
    episode = forms.TypedChoiceField(
        label="Which child in need episode is it part of?",
        coerce=int,
        choices=(),
        widget=forms.RadioSelect,
    )
    start_date = GovukDateField(
        label="Date the decision was made to enter pre-proceedings",
        help_text="Usually the date of the legal gateway meeting.",
    )
    letter_sent_on = _date("Letter before proceedings sent")
    parents_represented = _radios(
        "Do the parents have legal representation?",
        [*Representation.choices, *NOT_RECORDED],
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        gateways: list[LegalGatewayMeeting],
        episodes: list[ChildInNeedEpisode],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.gateways = {g.pk: g for g in gateways}
        self.episodes = {e.pk: e for e in episodes}
        for name, choices in (
            ("gateway", [(g.pk, _gateway_label(g)) for g in gateways]),
            ("episode", [(e.pk, _episode_label(e)) for e in episodes]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices

    def chosen_gateway(self) -> LegalGatewayMeeting | None:
        return self.gateways.get(self.cleaned_data.get("gateway") or 0)

    def chosen_episode(self) -> ChildInNeedEpisode | None:
        return self.episodes.get(self.cleaned_data.get("episode") or 0)


class PreProceedingsForm(_Ordered):
    order = PP_ORDER

    start_date = GovukDateField(label="Date the decision was made to enter pre-proceedings")
    letter_sent_on = _date("Letter before proceedings sent")
    initial_meeting_on = _date("Initial pre-proceedings meeting")
    fgdm_offered = _radios(
        "Was a family group decision-making meeting offered?", YES_NO_UNKNOWN, required=False
    )
    fgdm_offered_on = _date("Date offered")
    fgdm_held = _radios("Was the family group meeting held?", YES_NO_UNKNOWN, required=False)
    fgdm_held_on = _date("Date held")
    parents_represented = _radios(
        "Did the parents have legal representation?",
        [*Representation.choices, *NOT_RECORDED],
        required=False,
    )
    letter_of_intention_on = _date("Letter of intention to issue care proceedings sent")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["fgdm_offered_value"] = tri_state(data.get("fgdm_offered"))
        data["fgdm_held_value"] = tri_state(data.get("fgdm_held"))
        return data


class PreProceedingsOutcomeForm(_Ordered):
    order = (
        (
            "court_application_on",
            "outcome_on",
            "The application to court cannot be before the decision",
        ),
    )

    outcome = _radios(
        "What was decided?",
        PreProceedingsOutcome.choices,
        help_text="The census code list for this outcome is not yet confirmed.",
    )
    outcome_on = GovukDateField(label="Date of the decision")
    court_application_on = _date("Application to court", help_text="When issuing proceedings.")
    letter_of_intention_on = _date("Letter of intention to issue care proceedings sent")


class ReviewForm(GovukForm):
    held_on = GovukDateField(label="Date of the review meeting")
    notes = _text("What the review meeting found and agreed", required=True, rows=6)


# --- care proceedings ----------------------------------------------------------------------------


class ProceedingsForm(VersionedForm):
    issued_on = GovukDateField(label="Date issued")
    court = _line("Court", required=True)
    court_reference = _line("Court reference", max_length=40)
    short_notice = _radios("Was it a short notice application?", YES_NO)
    short_notice_reason = _text("Why on short notice", rows=3)
    parents_represented = _radios(
        "Did the parents have legal representation at issue?",
        [*Representation.choices, *NOT_RECORDED],
        required=False,
    )
    initial_care_plan = _radios(
        "The council's initial care plan", [*CarePlanKind.choices, *NOT_RECORDED], required=False
    )
    initial_plan_approved = _radios(
        "Was the initial plan approved at the first hearing?", YES_NO_UNKNOWN, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["short_notice_value"] = data.get("short_notice") == "yes"
        data["initial_plan_approved_value"] = tri_state(data.get("initial_plan_approved"))
        return data


class ProceedingsIssueForm(ProceedingsForm):
    follows = forms.ChoiceField(
        label="What did it follow? (optional)", choices=(), required=False, widget=forms.RadioSelect
    )

    def __init__(
        self,
        *args: Any,
        pre_proceedings: list[PreProceedings],
        gateways: list[LegalGatewayMeeting],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.options: dict[str, PreProceedings | LegalGatewayMeeting] = {}
        choices: list[tuple[str, str]] = []
        for pp in pre_proceedings:
            self.options[f"pp-{pp.pk}"] = pp
            choices.append((f"pp-{pp.pk}", f"Pre-proceedings from {pp.start_date:%-d %B %Y}"))
        for g in gateways:
            self.options[f"gateway-{g.pk}"] = g
            choices.append((f"gateway-{g.pk}", f"{_gateway_label(g)} (decided to issue)"))
        field = self.fields["follows"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [*choices, ("", "Neither (for example after an emergency order)")]
        self.fields.pop("version")

    def chosen(self) -> tuple[PreProceedings | None, LegalGatewayMeeting | None]:
        found = self.options.get(self.cleaned_data.get("follows") or "")
        if isinstance(found, PreProceedings):
            return found, None
        if isinstance(found, LegalGatewayMeeting):
            return None, found
        return None, None


class ProceedingsChangeForm(ProceedingsForm):
    final_care_plan = _radios(
        "The council's final care plan", [*CarePlanKind.choices, *NOT_RECORDED], required=False
    )
    final_plan_approved = _radios(
        "Was the final plan approved at the final hearing?", YES_NO_UNKNOWN, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["final_plan_approved_value"] = tri_state(data.get("final_plan_approved"))
        return data

    @staticmethod
    def initial_for(p: CareProceedings) -> dict[str, Any]:
        return {
            "version": p.version,
            "issued_on": p.issued_on,
            "court": p.court,
            "court_reference": p.court_reference,
            "short_notice": "yes" if p.short_notice else "no",
            "short_notice_reason": p.short_notice_reason,
            "parents_represented": p.parents_represented,
            "initial_care_plan": p.initial_care_plan,
            "initial_plan_approved": tri_initial(p.initial_plan_approved),
            "final_care_plan": p.final_care_plan,
            "final_plan_approved": tri_initial(p.final_plan_approved),
        }


class HearingForm(VersionedForm):
    held_on = GovukDateField(
        label="Date of the hearing", help_text="A hearing listed for a later date can be added now."
    )
    kind = _radios("Kind of hearing", HearingKind.choices)
    outcome_notes = _text("What happened", rows=5, help_text="After the hearing.")


class ExtensionForm(GovukForm):
    granted_on = GovukDateField(label="Date the court extended the timetable")
    weeks = forms.IntegerField(
        label="Extended by (weeks)",
        min_value=1,
        max_value=EXTENSION_MAX_WEEKS,
        help_text="Up to 8 weeks at a time.",
        error_messages={
            "max_value": "The court extends the timetable by up to 8 weeks at a time",
            "min_value": "Enter 1 to 8 weeks",
        },
    )
    reason = _text("Why the court extended it", required=True)


class InterimOrderForm(GovukForm):
    kind = _radios("Which interim order?", InterimOrderKind.choices)
    made_on = GovukDateField(label="Date made")
    notes = _text("Notes", rows=3)


class FinalOrderForm(VersionedForm):
    final_order = _radios("What did the court order?", FinalOrderKind.choices)
    final_order_on = GovukDateField(label="Date of the final order")
    final_care_plan = _radios(
        "The council's final care plan", [*CarePlanKind.choices, *NOT_RECORDED], required=False
    )
    final_plan_approved = _radios("Was the final plan approved?", YES_NO_UNKNOWN, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["final_plan_approved_value"] = tri_state(data.get("final_plan_approved"))
        return data
