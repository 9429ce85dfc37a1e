"""Strategy discussion and section 47 enquiry pages: a child's discussions and enquiries, record a
strategy discussion (attendees and actions as repeated rows), the discussion (flagged when a
required agency did not attend), correct it, add an action and mark one done; the enquiry (its
initial conference target and working days left), record its progress and its outcome; and the
managers' list of flagged discussions. Every write goes through its service, whose refusal is
shown on the form; nothing is saved then."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods

from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.access import requires
from hearth.core.models import Team, User
from hearth.core.views.submit import posted, posted_int, submitted
from hearth.people.models import Person
from hearth.people.policies import person_for

from .. import policies
from ..forms.strategy import (
    ATTENDEE_ROWS,
    ActionDoneForm,
    ActionForm,
    DiscussionForm,
    EnquiryForm,
    OutcomeForm,
)
from ..models import StrategyDiscussion
from ..selectors import strategy as selectors
from ..services import strategy as services

MANAGE = "core.manage_allocations"
T = TypeVar("T")


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _renamed(call: Callable[[], T], fields: Mapping[str, str]) -> T:
    """Run a service, showing its refusals under the form's own field names."""
    try:
        return call()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({fields.get(k, k): v for k, v in exc.error_dict.items()}) from None


def _form_page(
    request: HttpRequest,
    form: Form,
    person: Person,
    *,
    title: str,
    button: str,
    back: str,
    back_label: str,
    caption: str = "",
    intro: str = "",
    template: str = "protection/strategy/form.html",
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "form": form,
            "person": person,
            "title": title,
            "button": button,
            "back": back,
            "back_label": back_label,
            "caption": caption,
            "intro": intro,
            **extra,
        },
        status=400 if request.method == "POST" else 200,
    )


def _episodes(person_pk: int) -> list[ChildInNeedEpisode]:
    return list(
        ChildInNeedEpisode.objects.filter(person_id=person_pk, referral_nfa=False).order_by(
            "-referral_date", "-pk"
        )[:20]
    )


def _to_discussion(pk: int, anchor: str = "") -> HttpResponse:
    url = reverse("protection:strategy-detail", args=[pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _to_enquiry(pk: int) -> HttpResponse:
    return redirect("protection:enquiry-detail", pk=pk)


DISCUSSION_FIELD_NAMES = {"held_at": "held_on", "attendees": "__all__", "actions": "__all__"}


# --- a child's discussions and enquiries ---------------------------------------------------------


@requires(policies.VIEW)
def child(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk)
    audit.record_view(
        actor=viewer, obj=person, person_id=person.pk, detail="Strategy discussions and enquiries"
    )
    discussions = selectors.with_warnings(selectors.discussions_for_person(viewer, person.pk))
    return render(
        request,
        "protection/strategy/child.html",
        {
            "person": person,
            "discussions": discussions,
            "enquiries": selectors.enquiries_for_person(viewer, person.pk),
            "may_edit": policies.may_edit(viewer),
        },
    )


# --- strategy discussions ------------------------------------------------------------------------


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Record a strategy discussion for the child."""
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, action="edit")
    episodes = _episodes(person.pk)
    initial: dict[str, Any] = {"chair": viewer.pk}
    wanted = request.GET.get("episode", "")
    if wanted.isdigit() and any(e.pk == int(wanted) for e in episodes):
        initial["episode"] = int(wanted)
    elif episodes:
        initial["episode"] = next(
            (e.pk for e in episodes if e.closure_date is None), episodes[0].pk
        )
    from hearth.workforce.selectors import current_lead

    lead = current_lead(person)
    leads = selectors.lead_worker_choices()
    if lead is not None and any(u.pk == lead.worker_id for u in leads):
        initial["lead_worker"] = lead.worker_id
    initial.update({"attendee_1_agency": "social_care", "attendee_1_name": viewer.full_name})
    form = DiscussionForm(
        posted(request),
        initial=initial,
        episodes=episodes,
        chairs=selectors.chair_choices(viewer),
        leads=leads,
    )

    def save(d: dict[str, Any]) -> StrategyDiscussion:
        episode = form.chosen_episode()
        if episode is None:
            raise ValidationError({"episode": "Choose the child in need episode"})
        return _renamed(
            lambda: services.strategy_discussion_record(
                actor=viewer,
                person=person,
                episode=episode,
                held_at=d["held_at"],
                chair=form.chosen("chair"),
                information_shared=d["information_shared"],
                decision=d["decision"],
                rationale=d["rationale"],
                attendees=form.attendees(),
                actions=form.actions(),
                lead_worker=form.chosen("lead_worker"),
            ),
            DISCUSSION_FIELD_NAMES,
        )

    discussion = submitted(request, form, save)
    if discussion is not None:
        return _after_save(request, discussion, "Strategy discussion recorded")
    return _form_page(
        request,
        form,
        person,
        title="Record a strategy discussion",
        button="Record the discussion",
        back=reverse("protection:strategy-child", args=[person.pk]),
        back_label="Strategy discussions",
        intro=""
        if episodes
        else "There is no child in need episode to record the discussion on: record the "
        "referral first.",
        template="protection/strategy/discussion_form.html",
    )


def _after_save(request: HttpRequest, discussion: StrategyDiscussion, done: str) -> HttpResponse:
    warning = services.missing_warning(discussion.missing_agencies)
    if warning:
        messages.warning(request, f"{done}, but flagged for your manager. {warning}.")
    elif discussion.section_47_id is not None:
        messages.success(request, f"{done}: the section 47 enquiry is under way")
    else:
        messages.success(request, done)
    return _to_discussion(discussion.pk)


@requires(policies.VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    discussion = policies.discussion_for(viewer, pk)
    audit.record_view(
        actor=viewer, obj=discussion, person_id=discussion.person_id, detail="Strategy discussion"
    )
    return render(
        request,
        "protection/strategy/detail.html",
        {
            "discussion": discussion,
            "person": discussion.person,
            "page": selectors.discussion_page(discussion),
            "may_edit": policies.may_edit(viewer),
        },
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a strategy discussion (not its actions: add and complete those on its page)."""
    viewer = _viewer(request)
    discussion = policies.discussion_for(viewer, pk, action="edit")
    attendees = list(discussion.attendees.order_by("agency", "name", "pk"))
    local = discussion.held_at.astimezone(services.cal.LONDON)
    initial: dict[str, Any] = {
        "version": discussion.version,
        "held_on": local.date(),
        "held_time": local.strftime("%H:%M"),
        "chair": discussion.chair_id,
        "information_shared": discussion.information_shared,
        "decision": discussion.decision,
        "rationale": discussion.rationale,
        **DiscussionForm.attendee_initial(attendees),
    }
    form = DiscussionForm(
        posted(request),
        initial=initial,
        chairs=selectors.chair_choices(discussion.chair),
        leads=selectors.lead_worker_choices(),
        with_actions=False,
        attendee_rows=max(ATTENDEE_ROWS, len(attendees) + 2),
    )
    saved = submitted(
        request,
        form,
        lambda d: _renamed(
            lambda: services.strategy_discussion_update(
                actor=viewer,
                discussion=discussion,
                data={
                    "held_at": d["held_at"],
                    "chair": form.chosen("chair"),
                    "information_shared": d["information_shared"],
                    "decision": d["decision"],
                    "rationale": d["rationale"],
                },
                attendees=form.attendees(),
                lead_worker=form.chosen("lead_worker"),
                expected_version=posted_int(request, "version"),
            ),
            DISCUSSION_FIELD_NAMES,
        ),
    )
    if saved is not None:
        return _after_save(request, saved, "Saved: the previous record is kept in its history")
    return _form_page(
        request,
        form,
        discussion.person,
        title="Correct the strategy discussion",
        button="Save",
        back=reverse("protection:strategy-detail", args=[discussion.pk]),
        back_label="Strategy discussion",
        caption=f"Strategy discussion on {local:%-d %B %Y}",
        template="protection/strategy/discussion_form.html",
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    discussion = policies.discussion_for(viewer, pk, action="edit")
    form = ActionForm(posted(request))
    action = submitted(
        request,
        form,
        lambda d: services.strategy_action_add(
            actor=viewer,
            discussion=discussion,
            description=d["description"],
            owner_name=d["owner_name"],
            owner_agency=d["owner_agency"],
            due_date=d.get("due_date"),
        ),
    )
    if action is not None:
        messages.success(request, "Action added")
        return _to_discussion(discussion.pk, "actions")
    return _form_page(
        request,
        form,
        discussion.person,
        title="Add an action",
        button="Add the action",
        back=reverse("protection:strategy-detail", args=[discussion.pk]),
        back_label="Strategy discussion",
        intro="Every action names who will do it and by when.",
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    action = policies.strategy_action_for(viewer, pk, action="edit")
    discussion = action.discussion
    form = ActionDoneForm(posted(request), initial={"version": action.version})
    saved = submitted(
        request,
        form,
        lambda d: services.strategy_action_complete(
            actor=viewer,
            action=action,
            completed_on=d.get("completed_on"),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Action marked done")
        return _to_discussion(discussion.pk, "actions")
    return _form_page(
        request,
        form,
        discussion.person,
        title="Mark the action done",
        button="Save",
        back=reverse("protection:strategy-detail", args=[discussion.pk]),
        back_label="Strategy discussion",
        intro=f"{action.description} ({action.owner_name}, due {action.due_date:%-d %B %Y})",
    )


@requires(policies.VIEW, MANAGE)
def flagged(request: HttpRequest) -> HttpResponse:
    """Discussions in the last three months that a required agency did not attend."""
    viewer = _viewer(request)
    found = selectors.flagged_discussions(viewer)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    rows = selectors.with_warnings(list(page.object_list))
    return render(
        request,
        "protection/strategy/flagged.html",
        {"rows": rows, "page_obj": page, "months": selectors.FLAGGED_MONTHS},
    )


# --- section 47 enquiries ------------------------------------------------------------------------


@requires(policies.VIEW)
def enquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    enquiry = policies.enquiry_for(viewer, pk)
    audit.record_view(
        actor=viewer, obj=enquiry, person_id=enquiry.person_id, detail="Section 47 enquiry"
    )
    return render(
        request,
        "protection/strategy/enquiry.html",
        {
            "enquiry": enquiry,
            "person": enquiry.person,
            "page": selectors.enquiry_page(enquiry),
            "may_edit": policies.may_edit(viewer),
        },
    )


def _teams() -> list[Team]:
    return list(Team.objects.filter(is_active=True).order_by("name"))


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def enquiry_change(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    enquiry = policies.enquiry_for(viewer, pk, action="edit")
    seen = {True: "yes", False: "no"}.get(enquiry.seen_alone, "")  # type: ignore[arg-type]
    form = EnquiryForm(
        posted(request),
        initial={
            "version": enquiry.version,
            "lead_worker": enquiry.lead_worker_id,
            "team": enquiry.team_id,
            "child_seen_on": enquiry.child_seen_on,
            "seen_alone": seen,
            "not_seen_reason": enquiry.not_seen_reason,
        },
        leads=selectors.lead_worker_choices(enquiry.lead_worker),
        teams=_teams(),
    )
    saved = submitted(
        request,
        form,
        lambda d: services.section_47_update(
            actor=viewer,
            enquiry=enquiry,
            data=form.changes(),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Section 47 enquiry updated")
        return _to_enquiry(enquiry.pk)
    return _form_page(
        request,
        form,
        enquiry.person,
        title="Update the section 47 enquiry",
        button="Save",
        back=reverse("protection:enquiry-detail", args=[enquiry.pk]),
        back_label="Section 47 enquiry",
        caption=str(enquiry),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def enquiry_complete(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    enquiry = policies.enquiry_for(viewer, pk, action="edit")
    form = OutcomeForm(posted(request), initial={"version": enquiry.version})
    saved = submitted(
        request,
        form,
        lambda d: services.section_47_complete(
            actor=viewer,
            enquiry=enquiry,
            outcome=d["outcome"],
            outcome_rationale=d["outcome_rationale"],
            completed_on=d.get("completed_on"),
            icpc_not_required=bool(d.get("icpc_not_required")),
            icpc_not_required_reason=d.get("icpc_not_required_reason", ""),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        if saved.icpc_not_required:
            messages.success(request, "Outcome recorded: no initial conference is needed")
        else:
            messages.success(request, "Outcome recorded: book the initial conference")
        return _to_enquiry(enquiry.pk)
    return _form_page(
        request,
        form,
        enquiry.person,
        title="Record the outcome of the section 47 enquiry",
        button="Record the outcome",
        back=reverse("protection:enquiry-detail", args=[enquiry.pk]),
        back_label="Section 47 enquiry",
        caption=str(enquiry),
        intro="If the child is likely to suffer significant harm, an initial child protection "
        "conference is needed; any other outcome ends the enquiry with no conference.",
    )


urlpatterns: list[URLPattern] = [
    path("strategy/child/<int:person_pk>/", child, name="strategy-child"),
    path("strategy/new/<int:person_pk>/", new, name="strategy-new"),
    path("strategy/flagged/", flagged, name="strategy-flagged"),
    path("strategy/<int:pk>/", detail, name="strategy-detail"),
    path("strategy/<int:pk>/change/", change, name="strategy-change"),
    path("strategy/<int:pk>/actions/add/", action_add, name="strategy-action-add"),
    path("strategy/actions/<int:pk>/done/", action_done, name="strategy-action-done"),
    path("section-47/<int:pk>/", enquiry_detail, name="enquiry-detail"),
    path("section-47/<int:pk>/change/", enquiry_change, name="enquiry-change"),
    path("section-47/<int:pk>/complete/", enquiry_complete, name="enquiry-complete"),
]
