"""Legal pages: record and view emergency protection (police protection and emergency protection
orders, their end and an order's extension), legal gateway meetings, pre-proceedings (the letter,
meetings, family group decision-making, reviews and the outcome) and care proceedings (hearings,
extensions, interim orders, the final order, the week count against 26 weeks); the managers'
service list of children in pre-proceedings and proceedings. Every write goes through its
service, whose refusal is shown on the form; nothing is saved then."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.access import requires
from hearth.core.models import Team, User
from hearth.core.views.submit import posted, posted_int, submitted
from hearth.people.models import Person
from hearth.people.policies import person_for
from hearth.plans.models import Plan
from hearth.workforce.selectors import teams_overseen_by

from . import policies, selectors, services
from .codes import GatewayDecision, PreProceedingsOutcome
from .forms import (
    EmergencyEndForm,
    EmergencyForm,
    EpoExtensionForm,
    ExtensionForm,
    FinalOrderForm,
    GatewayForm,
    HearingForm,
    InterimOrderForm,
    PreProceedingsForm,
    PreProceedingsOutcomeForm,
    PreProceedingsStartForm,
    ProceedingsChangeForm,
    ProceedingsIssueForm,
    ReviewForm,
    split_moment,
    tri_initial,
)
from .models import CareProceedings, LegalGatewayMeeting, PreProceedings


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def child_url(person: Person | int) -> str:
    """The child's page, on the child protection tab (the legal section)."""
    pk = person if isinstance(person, int) else person.pk
    return reverse("people:detail", args=[pk]) + "?tab=protection"


def _form_page(
    request: HttpRequest,
    form: Form,
    person: Person,
    *,
    title: str,
    button: str = "Save",
    intro: str = "",
    back: str = "",
    back_label: str = "",
    caption: str = "",
    warning: bool = False,
) -> HttpResponse:
    return render(
        request,
        "legal/form.html",
        {
            "form": form,
            "person": person,
            "title": title,
            "button": button,
            "intro": intro,
            "back": back or child_url(person),
            "back_label": back_label or person.full_name,
            "caption": caption,
            "warning": warning,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- emergency protection ------------------------------------------------------------------------

EMERGENCY_INTRO = (
    "Times are UK time, 24-hour clock. Police protection lasts at most 72 hours; an emergency "
    "protection order at most 8 days, and the court may extend it once by up to 7 days."
)


def _emergency_data(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": d["kind"],
        "started_at": d.get("started_at"),
        "ended_at": d.get("ended_at"),
        "reason": d.get("reason", ""),
        "police_force": d.get("police_force", ""),
        "police_reference": d.get("police_reference", ""),
        "designated_officer": d.get("designated_officer", ""),
        "court": d.get("court", ""),
        "court_reference": d.get("court_reference", ""),
        "outcome": d.get("outcome", ""),
        "outcome_notes": d.get("outcome_notes", ""),
    }


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def emergency_record(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, "edit")
    kind = request.GET.get("kind", "")
    form = EmergencyForm(posted(request), initial={"kind": kind} if kind else {})
    saved = submitted(
        request,
        form,
        lambda d: services.emergency_record(actor=viewer, person=person, **_emergency_data(d)),
    )
    if saved is not None:
        messages.success(request, f"{saved.get_kind_display()} recorded")
        return redirect("legal:emergency-detail", pk=saved.pk)
    return _form_page(
        request,
        form,
        person,
        title="Record police protection or an emergency protection order",
        intro=EMERGENCY_INTRO,
    )


@requires(policies.VIEW)
def emergency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    record = policies.emergency_for(viewer, pk)
    audit.record_view(
        actor=viewer, obj=record, person_id=record.person_id, detail="Emergency protection"
    )
    return render(
        request,
        "legal/emergency_detail.html",
        {
            "e": record,
            "person": record.person,
            "must_end_by": selectors.emergency_must_end_by(record),
            "may_edit": policies.may_edit(viewer),
            "child_url": child_url(record.person_id),
        },
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def emergency_change(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    record = policies.emergency_for(viewer, pk, "edit")
    initial = {
        "version": record.version,
        "kind": record.kind,
        "police_force": record.police_force,
        "police_reference": record.police_reference,
        "designated_officer": record.designated_officer,
        "court": record.court,
        "court_reference": record.court_reference,
        "reason": record.reason,
        "outcome": record.outcome,
        "outcome_notes": record.outcome_notes,
        **split_moment("started", record.started_at),
        **split_moment("ended", record.ended_at),
    }
    form = EmergencyForm(posted(request), initial=initial)
    saved = submitted(
        request,
        form,
        lambda d: services.emergency_update(
            actor=viewer,
            record=record,
            data=_emergency_data(d),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Saved")
        return redirect("legal:emergency-detail", pk=record.pk)
    return _form_page(
        request,
        form,
        record.person,
        title=f"Change the {record.get_kind_display().split(' (')[0].lower()} record",
        intro=EMERGENCY_INTRO,
        back=reverse("legal:emergency-detail", args=[record.pk]),
        back_label=record.get_kind_display(),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def emergency_end(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    record = policies.emergency_for(viewer, pk, "edit")
    form = EmergencyEndForm(posted(request), initial={"version": record.version})
    saved = submitted(
        request,
        form,
        lambda d: services.emergency_end(
            actor=viewer,
            record=record,
            ended_at=d.get("ended_at"),
            outcome=d["outcome"],
            outcome_notes=d.get("outcome_notes", ""),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "End recorded")
        return redirect("legal:emergency-detail", pk=record.pk)
    limit = "72 hours" if record.is_police else "8 days (15 with an extension)"
    return _form_page(
        request,
        form,
        record.person,
        title="Record the end",
        intro=f"When the child was released or returned, or the order ended, and what happened. "
        f"It lasts at most {limit}; times are UK time.",
        back=reverse("legal:emergency-detail", args=[record.pk]),
        back_label=record.get_kind_display(),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def emergency_extend(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    record = policies.emergency_for(viewer, pk, "edit")
    form = EpoExtensionForm(posted(request), initial={"version": record.version})
    saved = submitted(
        request,
        form,
        lambda d: services.epo_extend(
            actor=viewer,
            record=record,
            extended_on=d["extended_on"],
            days=d["extension_days"],
            reason=d["extension_reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, f"Order extended by {saved.extension_days} days")
        return redirect("legal:emergency-detail", pk=record.pk)
    return _form_page(
        request,
        form,
        record.person,
        title="Record the extension of the emergency protection order",
        intro="The court may extend an emergency protection order once, by up to 7 days "
        "(Children Act 1989, section 45(5) and (6)).",
        back=reverse("legal:emergency-detail", args=[record.pk]),
        back_label=record.get_kind_display(),
    )


# --- legal gateway meetings ----------------------------------------------------------------------


def _plans(person_pk: int) -> list[Plan]:
    return list(Plan.objects.filter(person_id=person_pk).order_by("-start_date", "-pk")[:20])


def _gateway_data(d: dict[str, Any], form: GatewayForm) -> dict[str, Any]:
    return {
        "held_on": d["held_on"],
        "reason": d["reason"],
        "reason_detail": d.get("reason_detail", ""),
        "plan": form.chosen_plan(),
        "chair": d.get("chair", ""),
        "attendees": d["attendees"],
        "decision": d["decision"],
        "rationale": d["rationale"],
    }


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def gateway_record(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, "edit")
    plans = _plans(person.pk)
    wanted = request.GET.get("plan", "")
    initial: dict[str, Any] = {}
    if wanted.isdigit() and any(p.pk == int(wanted) for p in plans):
        initial = {"plan": int(wanted), "reason": "long_cp_plan"}
    form = GatewayForm(posted(request), initial=initial, plans=plans)
    saved = submitted(
        request,
        form,
        lambda d: services.gateway_record(actor=viewer, person=person, **_gateway_data(d, form)),
    )
    if saved is not None:
        messages.success(request, "Legal gateway meeting recorded")
        if saved.decision == GatewayDecision.PRE_PROCEEDINGS:
            return redirect(reverse("legal:pp-start", args=[person.pk]) + f"?gateway={saved.pk}")
        return redirect("legal:gateway-detail", pk=saved.pk)
    return _form_page(request, form, person, title="Record a legal gateway meeting")


@requires(policies.VIEW)
def gateway_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    meeting = policies.gateway_for(viewer, pk)
    audit.record_view(
        actor=viewer, obj=meeting, person_id=meeting.person_id, detail="Legal gateway meeting"
    )
    followed = list(meeting.pre_proceedings.order_by("start_date"))
    issued = list(meeting.care_proceedings.order_by("issued_on"))
    may_edit = policies.may_edit(viewer)
    return render(
        request,
        "legal/gateway_detail.html",
        {
            "m": meeting,
            "person": meeting.person,
            "followed": followed,
            "issued": issued,
            "may_edit": may_edit,
            "may_start_pp": may_edit
            and meeting.decision == GatewayDecision.PRE_PROCEEDINGS
            and not followed,
            "may_issue": may_edit and meeting.decision == GatewayDecision.ISSUE and not issued,
            "child_url": child_url(meeting.person_id),
        },
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def gateway_change(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    meeting = policies.gateway_for(viewer, pk, "edit")
    initial = {
        "version": meeting.version,
        "held_on": meeting.held_on,
        "reason": meeting.reason,
        "reason_detail": meeting.reason_detail,
        "plan": meeting.plan_id,
        "chair": meeting.chair,
        "attendees": meeting.attendees,
        "decision": meeting.decision,
        "rationale": meeting.rationale,
    }
    form = GatewayForm(posted(request), initial=initial, plans=_plans(meeting.person_id))
    saved = submitted(
        request,
        form,
        lambda d: services.gateway_update(
            actor=viewer,
            meeting=meeting,
            data=_gateway_data(d, form),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Saved")
        return redirect("legal:gateway-detail", pk=meeting.pk)
    return _form_page(
        request,
        form,
        meeting.person,
        title="Change the legal gateway meeting",
        back=reverse("legal:gateway-detail", args=[meeting.pk]),
        back_label=str(meeting),
    )


# --- pre-proceedings -----------------------------------------------------------------------------


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def pp_start(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, "edit")
    gateways = list(
        LegalGatewayMeeting.objects.filter(
            person=person, decision=GatewayDecision.PRE_PROCEEDINGS, pre_proceedings__isnull=True
        ).order_by("-held_on", "-pk")
    )
    episodes = list(
        ChildInNeedEpisode.objects.filter(person=person, referral_nfa=False).order_by(
            "-referral_date", "-pk"
        )[:20]
    )
    initial: dict[str, Any] = {}
    wanted = request.GET.get("gateway", "")
    chosen = next((g for g in gateways if wanted.isdigit() and g.pk == int(wanted)), None)
    chosen = chosen or (gateways[0] if gateways else None)
    if chosen is not None:
        initial.update(gateway=chosen.pk, start_date=chosen.held_on)
    if episodes:
        open_ones = [e.pk for e in episodes if e.closure_date is None]
        initial["episode"] = open_ones[0] if open_ones else episodes[0].pk
    form = PreProceedingsStartForm(
        posted(request), initial=initial, gateways=gateways, episodes=episodes
    )

    def start(d: dict[str, Any]) -> PreProceedings | None:
        gateway, episode = form.chosen_gateway(), form.chosen_episode()
        assert gateway is not None and episode is not None  # the form checked the choices
        return services.pre_proceedings_start(
            actor=viewer,
            person=person,
            gateway=gateway,
            episode=episode,
            start_date=d["start_date"],
            letter_sent_on=d.get("letter_sent_on"),
            parents_represented=d.get("parents_represented", ""),
        )

    saved = submitted(request, form, start)
    if saved is not None:
        messages.success(request, "Pre-proceedings started")
        return redirect("legal:pp-detail", pk=saved.pk)
    intro = ""
    if not gateways:
        intro = (
            "Pre-proceedings follow a legal gateway meeting that decided to enter them: record "
            "that meeting first."
        )
    elif not episodes:
        intro = "Pre-proceedings belong to a child in need episode: there is none to choose."
    return _form_page(request, form, person, title="Start pre-proceedings", intro=intro)


@requires(policies.VIEW)
def pp_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    pp = policies.pre_proceedings_for(viewer, pk)
    audit.record_view(actor=viewer, obj=pp, person_id=pp.person_id, detail="Pre-proceedings")
    page = selectors.pre_proceedings_page(pp)
    may_edit = policies.may_edit(viewer)
    return render(
        request,
        "legal/pp_detail.html",
        {
            "pp": pp,
            "person": pp.person,
            "page": page,
            "may_edit": may_edit,
            "may_issue": may_edit
            and pp.outcome == PreProceedingsOutcome.ISSUE
            and not page.proceedings,
            "child_url": child_url(pp.person_id),
        },
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def pp_change(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    pp = policies.pre_proceedings_for(viewer, pk, "edit")
    initial = {
        "version": pp.version,
        "start_date": pp.start_date,
        "letter_sent_on": pp.letter_sent_on,
        "initial_meeting_on": pp.initial_meeting_on,
        "fgdm_offered": tri_initial(pp.fgdm_offered),
        "fgdm_offered_on": pp.fgdm_offered_on,
        "fgdm_held": tri_initial(pp.fgdm_held),
        "fgdm_held_on": pp.fgdm_held_on,
        "parents_represented": pp.parents_represented,
        "letter_of_intention_on": pp.letter_of_intention_on,
    }
    form = PreProceedingsForm(posted(request), initial=initial)
    saved = submitted(
        request,
        form,
        lambda d: services.pre_proceedings_update(
            actor=viewer,
            pre_proceedings=pp,
            data={
                "start_date": d["start_date"],
                "letter_sent_on": d.get("letter_sent_on"),
                "initial_meeting_on": d.get("initial_meeting_on"),
                "fgdm_offered": d["fgdm_offered_value"],
                "fgdm_offered_on": d.get("fgdm_offered_on"),
                "fgdm_held": d["fgdm_held_value"],
                "fgdm_held_on": d.get("fgdm_held_on"),
                "parents_represented": d.get("parents_represented", ""),
                "letter_of_intention_on": d.get("letter_of_intention_on"),
            },
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Saved")
        return redirect("legal:pp-detail", pk=pp.pk)
    return _form_page(
        request,
        form,
        pp.person,
        title="Letter, meetings and family group decision-making",
        intro="Nothing can be dated before pre-proceedings started; the initial meeting follows "
        "the letter before proceedings.",
        back=reverse("legal:pp-detail", args=[pp.pk]),
        back_label=str(pp),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def pp_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    pp = policies.pre_proceedings_for(viewer, pk, "edit")
    initial = {
        "version": pp.version,
        "outcome": pp.outcome,
        "outcome_on": pp.outcome_on,
        "court_application_on": pp.court_application_on,
        "letter_of_intention_on": pp.letter_of_intention_on,
    }
    form = PreProceedingsOutcomeForm(posted(request), initial=initial)
    saved = submitted(
        request,
        form,
        lambda d: services.pre_proceedings_update(
            actor=viewer,
            pre_proceedings=pp,
            data={
                "outcome": d["outcome"],
                "outcome_on": d["outcome_on"],
                "court_application_on": d.get("court_application_on"),
                "letter_of_intention_on": d.get("letter_of_intention_on"),
            },
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, f"Outcome recorded: {saved.get_outcome_display().lower()}")
        return redirect("legal:pp-detail", pk=pp.pk)
    return _form_page(
        request,
        form,
        pp.person,
        title="Record the outcome of pre-proceedings",
        back=reverse("legal:pp-detail", args=[pp.pk]),
        back_label=str(pp),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def pp_review_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    pp = policies.pre_proceedings_for(viewer, pk, "edit")
    form = ReviewForm(posted(request))
    saved = submitted(
        request,
        form,
        lambda d: services.pre_proceedings_review_add(
            actor=viewer, pre_proceedings=pp, held_on=d["held_on"], notes=d["notes"]
        ),
    )
    if saved is not None:
        messages.success(request, "Review meeting recorded")
        return redirect(reverse("legal:pp-detail", args=[pp.pk]) + "#reviews")
    return _form_page(
        request,
        form,
        pp.person,
        title="Record a review meeting",
        intro="A meeting with the parents after the initial pre-proceedings meeting.",
        back=reverse("legal:pp-detail", args=[pp.pk]),
        back_label=str(pp),
    )


# --- care proceedings ----------------------------------------------------------------------------


def _proceedings_data(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "issued_on": d["issued_on"],
        "court": d["court"],
        "court_reference": d.get("court_reference", ""),
        "short_notice": d["short_notice_value"],
        "short_notice_reason": d.get("short_notice_reason", ""),
        "parents_represented": d.get("parents_represented", ""),
        "initial_care_plan": d.get("initial_care_plan", ""),
    }


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def proceedings_issue(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, "edit")
    pps = list(
        PreProceedings.objects.filter(
            person=person, outcome=PreProceedingsOutcome.ISSUE, care_proceedings__isnull=True
        ).order_by("-start_date")
    )
    gateways = list(
        LegalGatewayMeeting.objects.filter(
            person=person, decision=GatewayDecision.ISSUE, care_proceedings__isnull=True
        ).order_by("-held_on")
    )
    initial: dict[str, Any] = {"short_notice": "no"}
    wanted = request.GET.get("follows", "")
    if wanted:
        initial["follows"] = wanted
    elif pps:
        initial["follows"] = f"pp-{pps[0].pk}"
        if pps[0].court_application_on:
            initial["issued_on"] = pps[0].court_application_on
    form = ProceedingsIssueForm(
        posted(request), initial=initial, pre_proceedings=pps, gateways=gateways
    )

    def issue(d: dict[str, Any]) -> CareProceedings:
        pp, gateway = form.chosen()
        return services.proceedings_issue(
            actor=viewer,
            person=person,
            pre_proceedings=pp,
            gateway=gateway,
            **_proceedings_data(d),
        )

    saved = submitted(request, form, issue)
    if saved is not None:
        messages.success(request, "Care proceedings recorded: the 26 weeks run from the issue date")
        return redirect("legal:proceedings-detail", pk=saved.pk)
    return _form_page(
        request,
        form,
        person,
        title="Record care proceedings",
        intro="Care or supervision proceedings must be decided within 26 weeks of issue "
        "(Children Act 1989, section 32).",
    )


@requires(policies.VIEW)
def proceedings_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    proceedings = policies.proceedings_for(viewer, pk)
    audit.record_view(
        actor=viewer, obj=proceedings, person_id=proceedings.person_id, detail="Care proceedings"
    )
    extensions = list(proceedings.extensions.order_by("granted_on", "pk"))
    return render(
        request,
        "legal/proceedings_detail.html",
        {
            "p": proceedings,
            "person": proceedings.person,
            "hearings": list(proceedings.hearings.order_by("held_on", "pk")),
            "extensions": extensions,
            "interim_orders": list(proceedings.interim_orders.order_by("made_on", "pk")),
            "timetable": selectors.proceedings_weeks(
                proceedings, extension_weeks=sum(e.weeks for e in extensions)
            ),
            "previous": selectors.previous_care_proceedings(
                proceedings.person_id, proceedings.issued_on
            ),
            "today": services.today(),
            "may_edit": policies.may_edit(viewer),
            "child_url": child_url(proceedings.person_id),
        },
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def proceedings_change(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    proceedings = policies.proceedings_for(viewer, pk, "edit")
    form = ProceedingsChangeForm(
        posted(request), initial=ProceedingsChangeForm.initial_for(proceedings)
    )
    saved = submitted(
        request,
        form,
        lambda d: services.proceedings_update(
            actor=viewer,
            proceedings=proceedings,
            data={
                **_proceedings_data(d),
                "initial_plan_approved": d["initial_plan_approved_value"],
                "final_care_plan": d.get("final_care_plan", ""),
                "final_plan_approved": d["final_plan_approved_value"],
            },
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Saved")
        return redirect("legal:proceedings-detail", pk=proceedings.pk)
    return _form_page(
        request,
        form,
        proceedings.person,
        title="Change the care proceedings",
        back=reverse("legal:proceedings-detail", args=[proceedings.pk]),
        back_label=str(proceedings),
    )


def _to_proceedings(pk: int, anchor: str) -> HttpResponse:
    return redirect(reverse("legal:proceedings-detail", args=[pk]) + f"#{anchor}")


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def hearing_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    proceedings = policies.proceedings_for(viewer, pk, "edit")
    form = HearingForm(posted(request))
    saved = submitted(
        request,
        form,
        lambda d: services.hearing_add(
            actor=viewer,
            proceedings=proceedings,
            held_on=d["held_on"],
            kind=d["kind"],
            outcome_notes=d.get("outcome_notes", ""),
        ),
    )
    if saved is not None:
        messages.success(request, "Hearing recorded")
        return _to_proceedings(proceedings.pk, "hearings")
    return _form_page(
        request,
        form,
        proceedings.person,
        title="Record a hearing",
        back=reverse("legal:proceedings-detail", args=[proceedings.pk]),
        back_label=str(proceedings),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def hearing_change(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    hearing = policies.hearing_for(viewer, pk, "edit")
    initial = {
        "version": hearing.version,
        "held_on": hearing.held_on,
        "kind": hearing.kind,
        "outcome_notes": hearing.outcome_notes,
    }
    form = HearingForm(posted(request), initial=initial)
    saved = submitted(
        request,
        form,
        lambda d: services.hearing_update(
            actor=viewer,
            hearing=hearing,
            data={
                "held_on": d["held_on"],
                "kind": d["kind"],
                "outcome_notes": d.get("outcome_notes", ""),
            },
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Hearing saved")
        return _to_proceedings(hearing.proceedings_id, "hearings")
    return _form_page(
        request,
        form,
        hearing.proceedings.person,
        title="Change a hearing",
        back=reverse("legal:proceedings-detail", args=[hearing.proceedings_id]),
        back_label=str(hearing.proceedings),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def extension_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    proceedings = policies.proceedings_for(viewer, pk, "edit")
    form = ExtensionForm(posted(request))
    saved = submitted(
        request,
        form,
        lambda d: services.extension_add(
            actor=viewer,
            proceedings=proceedings,
            granted_on=d["granted_on"],
            weeks=d["weeks"],
            reason=d["reason"],
        ),
    )
    if saved is not None:
        messages.success(request, f"Extension of {saved.weeks} weeks recorded")
        return _to_proceedings(proceedings.pk, "extensions")
    return _form_page(
        request,
        form,
        proceedings.person,
        title="Record an extension of the timetable",
        intro="The court may extend the 26 weeks by up to 8 weeks at a time, only when necessary "
        "to resolve the proceedings justly (Children Act 1989, section 32(5) and (8)).",
        back=reverse("legal:proceedings-detail", args=[proceedings.pk]),
        back_label=str(proceedings),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def interim_order_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    proceedings = policies.proceedings_for(viewer, pk, "edit")
    form = InterimOrderForm(posted(request))
    saved = submitted(
        request,
        form,
        lambda d: services.interim_order_add(
            actor=viewer,
            proceedings=proceedings,
            kind=d["kind"],
            made_on=d["made_on"],
            notes=d.get("notes", ""),
        ),
    )
    if saved is not None:
        messages.success(request, f"{saved.get_kind_display()} recorded")
        return _to_proceedings(proceedings.pk, "interim-orders")
    return _form_page(
        request,
        form,
        proceedings.person,
        title="Record an interim order",
        back=reverse("legal:proceedings-detail", args=[proceedings.pk]),
        back_label=str(proceedings),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def final_order(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    proceedings = policies.proceedings_for(viewer, pk, "edit")
    form = FinalOrderForm(
        posted(request),
        initial={
            "version": proceedings.version,
            "final_care_plan": proceedings.final_care_plan,
            "final_plan_approved": tri_initial(proceedings.final_plan_approved),
        },
    )
    saved = submitted(
        request,
        form,
        lambda d: services.proceedings_conclude(
            actor=viewer,
            proceedings=proceedings,
            final_order=d["final_order"],
            final_order_on=d["final_order_on"],
            final_care_plan=d.get("final_care_plan", ""),
            final_plan_approved=d["final_plan_approved_value"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, f"Final order recorded: {saved.get_final_order_display()}")
        return redirect("legal:proceedings-detail", pk=proceedings.pk)
    return _form_page(
        request,
        form,
        proceedings.person,
        title="Record the final order",
        back=reverse("legal:proceedings-detail", args=[proceedings.pk]),
        back_label=str(proceedings),
    )


# --- the service list ----------------------------------------------------------------------------


def _team_scope(request: HttpRequest, viewer: User) -> tuple[QuerySet[Team] | None, str, str]:
    """?team=<id> (one of the viewer's teams), ?team=all (every team), or the viewer's teams."""
    choice = request.GET.get("team", "")
    overseen = teams_overseen_by(viewer)
    if choice.isdigit():
        teams = overseen.filter(pk=int(choice))
        team = teams.first()
        return teams, team.name if team else "No such team", choice
    if choice == "all":
        return None, "All teams", choice
    return overseen, "Your teams", choice


@requires(policies.MANAGE)
def service_list(request: HttpRequest) -> HttpResponse:
    """Children in pre-proceedings and in care proceedings for a manager's teams (or one team,
    or all), longest first, with their week counts."""
    viewer = _viewer(request)
    teams, scope_label, chosen_team = _team_scope(request, viewer)
    listed = selectors.service_list(viewer, teams=teams)
    return render(
        request,
        "legal/service_list.html",
        {
            "listed": listed,
            "scope_label": scope_label,
            "chosen_team": chosen_team,
            "team_choices": teams_overseen_by(viewer).order_by("name"),
        },
    )
