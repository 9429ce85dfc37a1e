"""Plan pages: the plan (needs and risks with their actions beneath, the contingency plan and the
reviews), start a child in need plan, add or change a need, risk or action, set an action's
status, record a review, change the contingency plan and end the plan. Every write goes through
its service, whose refusal is shown on the form; nothing is saved then."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.access import requires
from hearth.core.models import User
from hearth.core.views.submit import posted, posted_int, submitted
from hearth.people.policies import person_for

from . import policies, selectors, services
from .codes import REVIEWED_ELSEWHERE, PlanKind
from .forms import (
    ActionForm,
    ActionStatusForm,
    ContingencyForm,
    EndForm,
    NeedChangeForm,
    NeedForm,
    PlanStartForm,
    ReviewForm,
)
from .models import Plan


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _form_page(
    request: HttpRequest,
    form: Form,
    plan: Plan | None,
    *,
    title: str,
    button: str,
    intro: str = "",
    back: str = "",
    back_label: str = "",
    warning: bool = False,
    **extra: Any,
) -> HttpResponse:
    person = plan.person if plan is not None else extra.pop("person")
    return render(
        request,
        "plans/form.html",
        {
            "form": form,
            "plan": plan,
            "person": person,
            "title": title,
            "button": button,
            "intro": intro,
            "back": back or (reverse("plans:detail", args=[plan.pk]) if plan else ""),
            "back_label": back_label or (plan.get_kind_display() if plan else person.full_name),
            "warning": warning,
            **extra,
        },
        status=400 if request.method == "POST" else 200,
    )


def _to_plan(plan_pk: int, anchor: str = "") -> HttpResponse:
    url = reverse("plans:detail", args=[plan_pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- the plan ------------------------------------------------------------------------------------


@requires(policies.VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    plan = policies.plan_for(viewer, pk)
    audit.record_view(actor=viewer, obj=plan, person_id=plan.person_id, detail="Plan")
    page = selectors.plan_page(plan)
    protection = None
    if plan.kind == PlanKind.CP:
        # Conferences, core groups and categories: hearth.protection builds on plans.
        from hearth.protection.selectors.conferences import protection_section

        protection = protection_section(plan)
    return render(
        request,
        "plans/detail.html",
        {
            "plan": plan,
            "person": plan.person,
            "page": page,
            "protection": protection,
            "reviewed_here": plan.kind not in REVIEWED_ELSEWHERE,
            "may_edit": policies.may_edit(viewer) and plan.end_date is None,
            "may_correct": policies.may_edit(viewer),
        },
    )


def _episodes(person_pk: int) -> list[ChildInNeedEpisode]:
    return list(
        ChildInNeedEpisode.objects.filter(person_id=person_pk, referral_nfa=False).order_by(
            "-referral_date", "-pk"
        )[:20]
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Start a child in need plan (linked from the episode whose assessment recommended one)."""
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, action="edit")
    episodes = _episodes(person.pk)
    wanted = request.GET.get("episode", "")
    initial: dict[str, Any] = {}
    if wanted.isdigit() and any(e.pk == int(wanted) for e in episodes):
        initial["episode"] = int(wanted)
    elif episodes:
        initial["episode"] = next(
            (e.pk for e in episodes if e.closure_date is None), episodes[0].pk
        )
    # A step down from a child protection plan suggests the day it ended (`?start=YYYY-MM-DD`).
    with contextlib.suppress(ValueError):
        initial["start_date"] = dt.date.fromisoformat(request.GET.get("start", ""))
    form = PlanStartForm(posted(request), initial=initial, episodes=episodes)
    plan = submitted(
        request,
        form,
        lambda d: services.plan_start(
            actor=viewer,
            person=person,
            kind=PlanKind.CIN,
            episode=form.chosen(),
            start_date=d["start_date"],
            contingency=d.get("contingency", ""),
        ),
    )
    if plan is not None:
        messages.success(request, "Child in need plan started: now add the needs and risks")
        return redirect("plans:need-add", pk=plan.pk)
    intro = (
        ""
        if episodes
        else "There is no child in need episode to put a plan in: a plan "
        "follows a referral accepted for assessment."
    )
    protection = selectors.open_plan(person, PlanKind.CP)
    if protection is not None:
        intro = (
            f"{person.full_name} has an open child protection plan, from "
            f"{protection.start_date:%-d %B %Y}: a child in need plan cannot be open at the same "
            "time (census rule 4001). It may start on the day the child protection plan ends, "
            "at a review conference."
        )
    return _form_page(
        request,
        form,
        None,
        person=person,
        title="Start a child in need plan",
        button="Start the plan",
        intro=intro,
        back=reverse("people:detail", args=[person.pk]) + "#plans",
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def contingency(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    plan = policies.plan_for(viewer, pk, action="edit")
    form = ContingencyForm(
        posted(request), initial={"version": plan.version, "contingency": plan.contingency}
    )
    saved = submitted(
        request,
        form,
        lambda d: services.plan_update(
            actor=viewer,
            plan=plan,
            data={"contingency": d["contingency"]},
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Contingency plan saved")
        return _to_plan(plan.pk, "contingency")
    return _form_page(request, form, plan, title="Contingency plan", button="Save")


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def end(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    plan = policies.plan_for(viewer, pk, action="edit")
    form = EndForm(posted(request), initial={"version": plan.version})
    saved = submitted(
        request,
        form,
        lambda d: services.plan_end(
            actor=viewer,
            plan=plan,
            end_date=d["end_date"],
            reason=d["end_reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, f"{plan.get_kind_display()} ended")
        return _to_plan(plan.pk)
    return _form_page(
        request,
        form,
        plan,
        title=f"End the {plan.get_kind_display().lower()}",
        button="End the plan",
        intro="Its reviews and visits stop being due from the end date.",
        warning=True,
    )


# --- needs and risks -----------------------------------------------------------------------------


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def need_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    plan = policies.plan_for(viewer, pk, action="edit")
    form = NeedForm(posted(request), initial={"kind": request.GET.get("kind", "")})
    need = submitted(
        request,
        form,
        lambda d: services.plan_need_add(
            actor=viewer,
            plan=plan,
            kind=d["kind"],
            statement=d["statement"],
            safety_goal=d.get("safety_goal", ""),
        ),
    )
    if need is not None:
        limit = services.word_limit()
        if services.is_long_danger_statement(need, limit):
            messages.warning(
                request,
                f"Saved, but the danger statement has {need.word_count} words, more than the "
                f"council's limit of {limit}: it is flagged for your manager. Try to say it "
                "more simply.",
            )
        else:
            messages.success(request, f"{need.get_kind_display().split(' ')[0]} added")
        return _to_plan(plan.pk, f"need-{need.pk}")
    return _form_page(
        request,
        form,
        plan,
        title="Add a need or risk",
        button="Add it",
        intro=f"Write risks as danger statements with a safety goal, in the language of the "
        f"council's practice model, in no more than {services.word_limit()} words.",
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def need_change(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    need = policies.need_for(viewer, pk, action="edit")
    plan = policies.plan_for(viewer, need.plan_id, action="edit")
    form = NeedChangeForm(
        posted(request),
        initial={
            "version": need.version,
            "kind": need.kind,
            "statement": need.statement,
            "safety_goal": need.safety_goal,
            "status": need.status,
        },
    )
    saved = submitted(
        request,
        form,
        lambda d: services.plan_need_update(
            actor=viewer,
            need=need,
            data={k: d[k] for k in ("kind", "statement", "safety_goal", "status")},
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Saved: the previous wording is kept in the record's history")
        return _to_plan(plan.pk, f"need-{need.pk}")
    return _form_page(request, form, plan, title="Change a need or risk", button="Save")


# --- actions -------------------------------------------------------------------------------------


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    plan = policies.plan_for(viewer, pk, action="edit")
    needs = list(plan.needs.order_by("order", "pk"))
    wanted = request.GET.get("need", "")
    form = ActionForm(
        posted(request),
        initial={"needs": [int(wanted)] if wanted.isdigit() else []},
        needs=needs,
        people=selectors.owner_choices(plan, viewer),
    )
    action = submitted(
        request,
        form,
        lambda d: services.plan_action_add(
            actor=viewer,
            plan=plan,
            description=d["description"],
            needs=d["needs"],
            owner_user=form.owner(),
            owner_agency=d["owner_agency"],
            due_date=d.get("due_date"),
            progress=d.get("progress", ""),
        ),
    )
    if action is not None:
        messages.success(request, "Action added")
        return _to_plan(plan.pk, "needs")
    return _form_page(
        request,
        form,
        plan,
        title="Add an action",
        button="Add the action",
        intro="Every action says which need or risk it addresses, who will do it and by when."
        if needs
        else "Add the plan's needs and risks first: every action must address one.",
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def action_change(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    action = policies.action_for(viewer, pk, action="edit")
    plan = policies.plan_for(viewer, action.plan_id, action="edit")
    needs = list(plan.needs.order_by("order", "pk"))
    form = ActionForm(
        posted(request),
        initial={
            "version": action.version,
            "description": action.description,
            "needs": list(action.needs.values_list("pk", flat=True)),
            "owner_user": action.owner_user_id,
            "owner_agency": action.owner_agency,
            "due_date": action.due_date,
            "progress": action.progress,
        },
        needs=needs,
        people=selectors.owner_choices(plan, viewer, action.owner_user),
    )
    saved = submitted(
        request,
        form,
        lambda d: services.plan_action_update(
            actor=viewer,
            action=action,
            data={
                "description": d["description"],
                "needs": d["needs"],
                "owner_user": form.owner(),
                "owner_agency": d["owner_agency"],
                "due_date": d.get("due_date"),
                "progress": d.get("progress", ""),
            },
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Action saved")
        return _to_plan(plan.pk, "needs")
    return _form_page(request, form, plan, title="Change an action", button="Save")


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    action = policies.action_for(viewer, pk, action="edit")
    plan = policies.plan_for(viewer, action.plan_id, action="edit")
    form = ActionStatusForm(
        posted(request),
        initial={
            "version": action.version,
            "status": action.status,
            "completed_on": action.completed_on,
            "progress": action.progress,
        },
    )
    saved = submitted(
        request,
        form,
        lambda d: services.plan_action_status_set(
            actor=viewer,
            action=action,
            status=d["status"],
            completed_on=d.get("completed_on"),
            progress=d.get("progress", ""),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, f"Action marked {saved.get_status_display().lower()}")
        return _to_plan(plan.pk, "needs")
    return _form_page(
        request,
        form,
        plan,
        title="Update an action's status",
        button="Save",
        intro=action.description,
    )


# --- reviews -------------------------------------------------------------------------------------


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def review_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    plan = policies.plan_for(viewer, pk, action="edit")
    form = ReviewForm(posted(request))
    review = submitted(
        request,
        form,
        lambda d: services.plan_review_record(
            actor=viewer,
            plan=plan,
            held_on=d["held_on"],
            decision=d["decision"],
            attendees=d.get("attendees", ""),
            child_views=d.get("child_views", ""),
            progress_summary=d["progress_summary"],
        ),
    )
    if review is not None:
        messages.success(request, "Review recorded")
        return _to_plan(plan.pk, "reviews")
    return _form_page(request, form, plan, title="Record a review", button="Record the review")
