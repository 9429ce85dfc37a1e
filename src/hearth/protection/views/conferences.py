"""Conference and core group pages: book a conference (from a section 47 enquiry, a child
protection plan, or the child), the conference, rebook or cancel it, record it as held (a
conference chair or IRO), record a core group of a plan and see or correct one. Every write goes
through its service, whose refusal is shown on the form; nothing is saved then.

The child protection plan's own page is `plans:detail` (it shows this area's section).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods

from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.access import requires
from hearth.core.models import User
from hearth.core.views.submit import posted, posted_int, submitted
from hearth.people.models import Person
from hearth.people.policies import person_for
from hearth.plans import policies as plan_policies
from hearth.plans.codes import PlanKind
from hearth.plans.models import Plan

from .. import policies
from ..codes import INITIAL_KINDS, ConferenceDecision, ConferenceKind, ConferenceStatus
from ..forms.conferences import (
    BookForm,
    CancelForm,
    CoreGroupChangeForm,
    CoreGroupForm,
    RebookForm,
    RecordForm,
)
from ..models import Conference, CoreGroup, ProtectionPlan, Section47Enquiry
from ..selectors import conferences as selectors
from ..services import conferences as services
from ..services import core_groups as core_group_services


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _form_page(
    request: HttpRequest,
    form: Form,
    *,
    person: Person,
    title: str,
    button: str,
    back: str,
    back_label: str,
    caption: str = "",
    intro: str = "",
    warning: bool = False,
) -> HttpResponse:
    return render(
        request,
        "protection/conferences/form.html",
        {
            "form": form,
            "person": person,
            "title": title,
            "button": button,
            "back": back,
            "back_label": back_label,
            "caption": caption,
            "intro": intro,
            "warning": warning,
        },
        status=400 if request.method == "POST" else 200,
    )


def _param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


# --- booking -------------------------------------------------------------------------------------


def _kinds(
    person: Person, enquiry: Section47Enquiry | None, plan: Plan | None
) -> list[tuple[str, str]]:
    def pair(kind: ConferenceKind) -> tuple[str, str]:
        return (kind.value, kind.label)

    if enquiry is not None:
        return [pair(ConferenceKind.PRE_BIRTH if person.is_unborn else ConferenceKind.INITIAL)]
    if plan is not None:
        return [pair(ConferenceKind.REVIEW)]
    first = ConferenceKind.PRE_BIRTH if person.is_unborn else ConferenceKind.TRANSFER_IN
    kinds = [pair(first)]
    if Plan.objects.filter(person=person, kind=PlanKind.CP, end_date__isnull=True).exists():
        kinds.append(pair(ConferenceKind.REVIEW))
    return kinds


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def conference_book(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Book a conference: `?enquiry=<pk>` (an initial or pre-birth one after a section 47
    enquiry), `?plan=<pk>` (a review of that child protection plan), or neither (transfer-in,
    pre-birth, or a review of the open plan)."""
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, action="edit")
    enquiry: Section47Enquiry | None = None
    plan: Plan | None = None
    if (enquiry_pk := _param(request, "enquiry")) is not None:
        enquiry = policies.enquiry_for(viewer, enquiry_pk, action="edit")
        if enquiry.person_id != person.pk:
            raise Http404("Not found")
    elif (plan_pk := _param(request, "plan")) is not None:
        plan = plan_policies.plan_for(viewer, plan_pk, action="edit")
        if plan.person_id != person.pk or plan.kind != PlanKind.CP:
            raise Http404("Not found")
    if enquiry is not None:
        episodes = [enquiry.episode]
        back, back_label = reverse("people:detail", args=[person.pk]), person.full_name
    elif plan is not None and plan.episode is not None:
        episodes = [plan.episode]
        back, back_label = reverse("plans:detail", args=[plan.pk]), "Child protection plan"
    else:
        episodes = list(
            ChildInNeedEpisode.objects.filter(
                person=person, referral_nfa=False, closure_date__isnull=True
            ).order_by("-referral_date", "-pk")
        )
        back, back_label = reverse("people:detail", args=[person.pk]), person.full_name
    initial: dict[str, Any] = {"episode": episodes[0].pk} if episodes else {}
    form = BookForm(
        posted(request),
        initial=initial,
        kinds=_kinds(person, enquiry, plan),
        episodes=episodes,
        chairs=list(selectors.chairs()),
    )
    conference = submitted(
        request,
        form,
        lambda d: services.conference_book(
            actor=viewer,
            person=person,
            episode=form.chosen_episode(),
            kind=d["kind"],
            scheduled_on=d["scheduled_on"],
            chair=form.chosen_chair(),
            section_47=enquiry,
            plan=plan,
            agencies=form.agencies(),
        ),
    )
    if conference is not None:
        messages.success(
            request,
            f"{conference.get_kind_display()} booked for "
            f"{conference.scheduled_on:%-d %B %Y}, chaired by {conference.chair.full_name}",  # type: ignore[union-attr]
        )
        return redirect("protection:conference-detail", pk=conference.pk)
    intro = ""
    if enquiry is not None:
        intro = (
            f"After the section 47 enquiry that started on {enquiry.start_date:%-d %B %Y}. "
            f"Target date: {enquiry.icpc_target_date:%-d %B %Y} (15 working days from the "
            "strategy discussion)."
        )
    elif not episodes:
        intro = f"{person.full_name} has no open child in need episode to hold a conference in."
    return _form_page(
        request,
        form,
        person=person,
        title="Book a child protection conference",
        button="Book the conference",
        back=back,
        back_label=back_label,
        intro=intro + "\n\nInvite the agencies that know the child; say who from each if you can.",
    )


# --- a conference --------------------------------------------------------------------------------


@requires(policies.VIEW)
def conference_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    conference = policies.conference_for(viewer, pk)
    audit.record_view(
        actor=viewer, obj=conference, person_id=conference.person_id, detail="Conference"
    )
    page = selectors.conference_page(conference, viewer)
    booked = conference.status == ConferenceStatus.BOOKED
    return render(
        request,
        "protection/conferences/detail.html",
        {
            "conference": conference,
            "person": conference.person,
            "page": page,
            "may_edit": booked and policies.may_edit(viewer),
            "may_record": booked and policies.may_chair(viewer),
        },
    )


def _to_conference(conference: Conference) -> str:
    return reverse("protection:conference-detail", args=[conference.pk])


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def conference_rebook(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    conference = policies.conference_for(viewer, pk, action="edit")
    chairs = list(selectors.chairs())
    if conference.chair is not None and conference.chair not in chairs:
        chairs.append(conference.chair)
    form = RebookForm(
        posted(request),
        initial={
            "version": conference.version,
            "scheduled_on": conference.scheduled_on,
            "chair": conference.chair_id,
        },
        chairs=chairs,
    )
    saved = submitted(
        request,
        form,
        lambda d: services.conference_rebook(
            actor=viewer,
            conference=conference,
            scheduled_on=d["scheduled_on"],
            chair=form.chosen_chair(),
            add_agencies=form.agencies(),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Conference rebooked")
        return redirect(_to_conference(conference))
    return _form_page(
        request,
        form,
        person=conference.person,
        title="Rebook the conference",
        button="Save",
        back=_to_conference(conference),
        back_label=str(conference),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def conference_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    conference = policies.conference_for(viewer, pk, action="edit")
    form = CancelForm(posted(request), initial={"version": conference.version})
    saved = submitted(
        request,
        form,
        lambda d: services.conference_cancel(
            actor=viewer,
            conference=conference,
            reason=d["reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Conference cancelled")
        return redirect(_to_conference(conference))
    return _form_page(
        request,
        form,
        person=conference.person,
        title="Cancel the conference",
        button="Cancel the conference",
        back=_to_conference(conference),
        back_label=str(conference),
        intro="The booking stays on the child's record with the reason.",
        warning=True,
    )


@requires(policies.VIEW, policies.CHAIR)
@require_http_methods(["GET", "POST"])
def conference_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a booked conference as held: for a conference chair or IRO."""
    viewer = _viewer(request)
    conference = policies.conference_for(viewer, pk, action="chair")
    invited = list(conference.agencies.order_by("agency", "pk"))
    initial: dict[str, Any] = {"version": conference.version}
    if conference.scheduled_on <= services.today():
        initial["held_on"] = conference.scheduled_on
    if conference.kind == ConferenceKind.REVIEW and conference.plan_id is not None:
        protection = ProtectionPlan.objects.filter(plan_id=conference.plan_id).first()
        if protection is not None:
            initial["latest_category"] = protection.latest_category
    form = RecordForm(posted(request), initial=initial, conference=conference, invited=invited)
    saved = submitted(
        request,
        form,
        lambda d: services.conference_record(
            actor=viewer,
            conference=conference,
            held_on=d["held_on"],
            agencies=form.agencies(),
            parent_participation=d["parent_participation"],
            parents_views=d.get("parents_views", ""),
            child_participation=d["child_participation"],
            child_views=d.get("child_views", ""),
            decision=d["decision"],
            initial_category=d.get("initial_category", ""),
            latest_category=d.get("latest_category", ""),
            chair_rationale=d["chair_rationale"],
            dissent=d.get("dissent", ""),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        if saved.is_initial and saved.decision == ConferenceDecision.PLAN:
            messages.success(request, "Conference recorded: the child protection plan started")
        elif saved.decision == ConferenceDecision.END_PLAN:
            messages.success(request, "Conference recorded: the child protection plan ended")
        else:
            messages.success(request, "Conference recorded")
        return redirect(_to_conference(saved))
    return _form_page(
        request,
        form,
        person=conference.person,
        title=f"Record the {conference.get_kind_display().lower()}",
        button="Record the conference",
        back=_to_conference(conference),
        back_label=str(conference),
        caption=str(conference),
        intro="A conference is quorate when children's social care and at least two other "
        "agencies attend.",
    )


# --- core groups ---------------------------------------------------------------------------------


def _cp_plan(viewer: User, pk: int, action: str = "view") -> Plan:
    plan = plan_policies.plan_for(viewer, pk, action=action)
    if plan.kind != PlanKind.CP:
        raise Http404("Not a child protection plan")
    return plan


def _members(plan: Plan) -> list[tuple[str, str]]:
    """Who to expect: the last core group's members, or the agencies that attended the
    conference that started the plan."""
    last = CoreGroup.objects.filter(plan=plan).order_by("-held_on", "-pk").first()
    if last is not None:
        return list(last.attendees.order_by("agency", "name", "pk").values_list("agency", "name"))
    started = Conference.objects.filter(plan=plan, kind__in=INITIAL_KINDS)
    return list(
        started.filter(agencies__attended=True)
        .order_by("agencies__agency", "agencies__pk")
        .values_list("agencies__agency", "agencies__name")
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def core_group_new(request: HttpRequest, plan_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    plan = _cp_plan(viewer, plan_pk, action="edit")
    form = CoreGroupForm(
        posted(request), actions=selectors.open_actions(plan), members=_members(plan)
    )
    core_group = submitted(
        request,
        form,
        lambda d: core_group_services.core_group_record(
            actor=viewer,
            plan=plan,
            held_on=d["held_on"],
            summary=d["summary"],
            child_views=d.get("child_views", ""),
            next_meeting_on=d.get("next_meeting_on"),
            attendees=form.attendees(),
            progress=form.progress(),
        ),
    )
    if core_group is not None:
        messages.success(request, "Core group recorded")
        return redirect("protection:core-group-detail", pk=core_group.pk)
    return _form_page(
        request,
        form,
        person=plan.person,
        title="Record a core group",
        button="Record the core group",
        back=reverse("plans:detail", args=[plan.pk]),
        back_label="Child protection plan",
        caption=f"Child protection plan from {plan.start_date:%-d %B %Y}",
        intro="List who was invited and whether they came. The progress you record on each "
        "action is also set on the plan.",
    )


@requires(policies.VIEW)
def core_group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    core_group = policies.core_group_for(viewer, pk)
    audit.record_view(
        actor=viewer, obj=core_group, person_id=core_group.plan.person_id, detail="Core group"
    )
    return render(
        request,
        "protection/conferences/core_group.html",
        {
            "core_group": core_group,
            "plan": core_group.plan,
            "person": core_group.plan.person,
            "page": selectors.core_group_page(core_group),
            "may_edit": policies.may_edit(viewer),
        },
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def core_group_change(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    core_group = policies.core_group_for(viewer, pk, action="edit")
    form = CoreGroupChangeForm(
        posted(request),
        initial={
            "version": core_group.version,
            "held_on": core_group.held_on,
            "summary": core_group.summary,
            "child_views": core_group.child_views,
            "next_meeting_on": core_group.next_meeting_on,
        },
    )
    saved = submitted(
        request,
        form,
        lambda d: core_group_services.core_group_update(
            actor=viewer,
            core_group=core_group,
            data={
                "held_on": d["held_on"],
                "summary": d["summary"],
                "child_views": d.get("child_views", ""),
                "next_meeting_on": d.get("next_meeting_on"),
            },
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Core group saved: the previous values are kept in its history")
        return redirect("protection:core-group-detail", pk=core_group.pk)
    return _form_page(
        request,
        form,
        person=core_group.plan.person,
        title="Correct the core group",
        button="Save",
        back=reverse("protection:core-group-detail", args=[core_group.pk]),
        back_label=str(core_group),
    )


urlpatterns: list[URLPattern] = [
    path(
        "conferences/book/<int:person_pk>/",
        conference_book,
        name="conference-book",
    ),
    path("conferences/<int:pk>/", conference_detail, name="conference-detail"),
    path("conferences/<int:pk>/record/", conference_record, name="conference-record"),
    path("conferences/<int:pk>/rebook/", conference_rebook, name="conference-rebook"),
    path("conferences/<int:pk>/cancel/", conference_cancel, name="conference-cancel"),
    path("plans/<int:plan_pk>/core-groups/new/", core_group_new, name="core-group-new"),
    path("core-groups/<int:pk>/", core_group_detail, name="core-group-detail"),
    path("core-groups/<int:pk>/change/", core_group_change, name="core-group-change"),
]
