"""Supervision pages: a worker's supervision record, recording and correcting sessions, case
discussions and their actions, a team's overview, and management oversight on a child's record.

Sessions are reached through `policies.session_for` (404 for anyone but the worker, the supervisor
and the worker's management line); case discussions and oversight through the child's visibility.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from hearth.core import audit
from hearth.core.access import requires, signed_in
from hearth.core.models import User
from hearth.core.selectors import teams_for_home
from hearth.core.views.submit import posted, posted_int, submitted
from hearth.people.policies import person_for

from . import policies, selectors, services
from .forms import (
    ActionDoneForm,
    ActionForm,
    DiscussionForm,
    EditDiscussionForm,
    OversightForm,
    SessionForm,
    WithdrawForm,
)
from .models import SessionStatus, SupervisionSession

SESSIONS_PER_PAGE = 25


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- overviews -----------------------------------------------------------------------------------


@signed_in("everyone sees their own supervision; managers also see the people they line manage")
def home(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    reports = selectors.supervision_summary(selectors.direct_reports(viewer))
    teams = list(teams_for_home(user=viewer)) if viewer.has_perm(policies.MANAGE) else []
    return render(
        request,
        "supervision/home.html",
        {
            "next_due": selectors.next_supervision_due(viewer),
            "reports": reports,
            "overdue_reports": sum(r.overdue for r in reports),
            "teams": teams,
        },
    )


@signed_in("the worker, their management line and whoever supervises them (policies.worker_for)")
def worker(request: HttpRequest, user_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    staff = policies.worker_for(viewer, user_pk)
    page = Paginator(selectors.sessions_of(staff, viewer=viewer), SESSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supervision/worker.html",
        {
            "worker": staff,
            "page_obj": page,
            "next_due": selectors.next_supervision_due(staff),
            "on_time": selectors.worker_on_time(staff),
            "actions": list(selectors.open_actions_for(staff, viewer=viewer)[:50]),
            "may_record": policies.may_record_for(viewer, staff),
            "is_self": viewer.pk == staff.pk,
            "today": timezone.localdate(),
        },
    )


@requires(policies.MANAGE)
def team(request: HttpRequest, team_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    the_team = policies.team_for(viewer, team_pk)
    members = selectors.supervision_summary(selectors.team_members(the_team))
    return render(
        request,
        "supervision/team.html",
        {"team": the_team, "members": members, "overdue": sum(m.overdue for m in members)},
    )


# --- sessions ------------------------------------------------------------------------------------


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, user_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    staff = policies.worker_for(viewer, user_pk)
    if not policies.may_record_for(viewer, staff):
        raise Http404
    outcome = request.GET.get("outcome")
    status = SessionStatus.CANCELLED if outcome == "cancelled" else SessionStatus.ATTENDED
    form = SessionForm(
        posted(request),
        worker=staff,
        status=status,
        initial={"session_date": timezone.localdate(), "supervisor": viewer.pk},
    )
    session = submitted(
        request,
        form,
        lambda d: services.session_record(actor=viewer, worker=staff, **form.values()),
    )
    if session is not None:
        if session.attended:
            messages.success(request, "Session recorded: now add the cases you discussed")
        else:
            messages.success(request, "Cancelled session recorded")
        return redirect("supervision:session", pk=session.pk)
    return render(
        request,
        "supervision/session_form.html",
        {"form": form, "worker": staff, "new": True, "held": status == SessionStatus.ATTENDED},
    )


def _visible_discussions(session: SupervisionSession, viewer: User) -> tuple[list[Any], int]:
    live = session.discussions.filter(withdrawn_at__isnull=True)
    visible = list(
        policies.discussions_visible_to(viewer)
        .filter(session=session)
        .select_related("person")
        .prefetch_related("actions__owner")
        .order_by("id")
    )
    return visible, live.count() - len(visible)


@signed_in("the worker, the supervisor and the worker's management line (policies.session_for)")
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    session = policies.session_for(viewer, pk)
    discussions, hidden = _visible_discussions(session, viewer)
    audit.record_view(actor=viewer, obj=session)
    for discussion in discussions:  # each child whose case it shows
        audit.record_view(actor=viewer, obj=discussion, person_id=discussion.person_id)
    may_edit = policies.may_edit_session(viewer, session)
    return render(
        request,
        "supervision/session.html",
        {
            "session": session,
            "discussions": discussions,
            "hidden": hidden,
            "may_edit": may_edit,
            "may_discuss": may_edit and session.attended,
        },
    )


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    session = policies.session_for(viewer, pk, "edit")
    form = SessionForm(
        posted(request),
        worker=session.worker,
        status=session.status,
        initial={
            "version": session.version,
            "session_date": session.session_date,
            "supervisor": session.supervisor_id,
            "cancellation_reason": session.cancellation_reason,
            "cancellation_note": session.cancellation_note,
            "reflective_discussion": session.reflective_discussion,
            "wellbeing_rating": session.wellbeing_rating,
            "wellbeing_notes": session.wellbeing_notes,
            "next_session_on": session.next_session_on,
        },
    )
    saved = submitted(
        request,
        form,
        lambda d: services.session_update(
            actor=viewer,
            session=session,
            data={k: v for k, v in form.values().items() if k != "status"},
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Session updated")
        return redirect("supervision:session", pk=session.pk)
    return render(
        request,
        "supervision/session_form.html",
        {
            "form": form,
            "worker": session.worker,
            "session": session,
            "new": False,
            "held": session.attended,
        },
    )


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def session_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    session = policies.session_for(viewer, pk, "edit")
    form = WithdrawForm(posted(request), initial={"version": session.version})
    saved = submitted(
        request,
        form,
        lambda d: services.session_withdraw(
            actor=viewer,
            session=session,
            reason=d["reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Session withdrawn")
        return redirect("supervision:worker", user_pk=session.worker_id)
    return render(
        request,
        "supervision/withdraw.html",
        {
            "form": form,
            "heading": "Withdraw a supervision session",
            "caption": f"{session.worker} · {session}",
            "back": reverse("supervision:session", args=[session.pk]),
            "explanation": "Withdraw a session recorded in error. It no longer counts as "
            "supervision and its case discussions leave the children's records; the audit trail "
            "keeps it.",
        },
    )


# --- case discussions ----------------------------------------------------------------------------


def _owners(session: SupervisionSession, viewer: User) -> list[User]:
    people = {session.worker_id: session.worker, session.supervisor_id: session.supervisor}
    people.setdefault(viewer.pk, viewer)
    return [u for u in people.values() if u.is_active]


@requires(policies.MANAGE, policies.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def discussion_new(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    session = policies.session_for(viewer, pk, "edit")
    if not session.attended:
        raise Http404
    current = selectors.children_held_by(session.worker, viewer=viewer)
    children = selectors.children_discussable(session.worker, viewer=viewer).order_by(
        "surname", "forename", "pk"
    )
    form = DiscussionForm(
        posted(request),
        children=children if request.method == "POST" else current,
        owners=_owners(session, viewer),
        initial={
            "action_1_owner": session.worker_id,
            "person": request.GET.get("person", ""),
        },
    )
    discussion = submitted(
        request,
        form,
        lambda d: services.discussion_add(
            actor=viewer,
            session=session,
            person=d["person"],
            summary=d["summary"],
            decision=d["decision"],
            rationale=d["rationale"],
            actions=form.actions(),
        ),
    )
    if discussion is not None:
        messages.success(
            request, f"Case discussion recorded on {discussion.person.full_name}'s record"
        )
        return redirect(reverse("supervision:session", args=[session.pk]) + "#discussions")
    return render(
        request,
        "supervision/discussion_form.html",
        {"form": form, "session": session, "no_children": not current.exists()},
    )


@requires(policies.VIEW_CASES)
def discussion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    discussion = policies.discussion_for(viewer, pk)
    audit.record_view(actor=viewer, obj=discussion, person_id=discussion.person_id)
    actions = list(discussion.actions.select_related("owner", "completed_by"))
    may_edit = policies.may_edit_session(viewer, discussion.session)
    for action in actions:
        action.may_complete = not action.is_done and (  # type: ignore[attr-defined]
            may_edit or action.owner_id == viewer.pk
        )
    return render(
        request,
        "supervision/discussion.html",
        {
            "discussion": discussion,
            "session": discussion.session,
            "actions": actions,
            "may_edit": may_edit,
            "today": timezone.localdate(),
            "may_see_session": policies.sessions_visible_to(viewer)
            .filter(pk=discussion.session_id)
            .exists(),
        },
    )


@requires(policies.MANAGE, policies.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def discussion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    discussion = policies.discussion_for(viewer, pk, "edit")
    form = EditDiscussionForm(
        posted(request),
        initial={
            "version": discussion.version,
            "summary": discussion.summary,
            "decision": discussion.decision,
            "rationale": discussion.rationale,
        },
    )
    saved = submitted(
        request,
        form,
        lambda d: services.discussion_update(
            actor=viewer,
            discussion=discussion,
            summary=d["summary"],
            decision=d["decision"],
            rationale=d["rationale"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Case discussion updated")
        return redirect("supervision:discussion", pk=discussion.pk)
    return render(
        request,
        "supervision/discussion_edit.html",
        {"form": form, "discussion": discussion},
    )


@requires(policies.MANAGE, policies.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def discussion_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    discussion = policies.discussion_for(viewer, pk, "edit")
    form = WithdrawForm(posted(request), initial={"version": discussion.version})
    saved = submitted(
        request,
        form,
        lambda d: services.discussion_withdraw(
            actor=viewer,
            discussion=discussion,
            reason=d["reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(
            request, f"Case discussion withdrawn from {discussion.person.full_name}'s record"
        )
        return redirect("supervision:session", pk=discussion.session_id)
    return render(
        request,
        "supervision/withdraw.html",
        {
            "form": form,
            "heading": "Withdraw a case discussion",
            "caption": discussion.person.full_name,
            "back": reverse("supervision:discussion", args=[discussion.pk]),
            "explanation": "Withdraw a case discussion recorded in error, for example on the "
            "wrong child. It leaves the child's record and chronology; the audit trail keeps it.",
        },
    )


@requires(policies.MANAGE, policies.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    discussion = policies.discussion_for(viewer, pk, "edit")
    form = ActionForm(
        posted(request),
        owners=_owners(discussion.session, viewer),
        initial={"owner": discussion.session.worker_id},
    )
    saved = submitted(
        request,
        form,
        lambda d: services.action_add(actor=viewer, discussion=discussion, action=form.action()),
    )
    if saved is not None:
        messages.success(request, "Action added")
        return redirect(reverse("supervision:discussion", args=[discussion.pk]) + "#actions")
    return render(request, "supervision/action_form.html", {"form": form, "discussion": discussion})


@requires(policies.VIEW_CASES)
@require_POST
def action_complete(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    action = policies.action_for(viewer, pk)
    form = ActionDoneForm(request.POST)
    saved = submitted(
        request,
        form,
        lambda d: services.action_complete(
            actor=viewer,
            action=action,
            completed_on=d["completed_on"],
            expected_version=posted_int(request, "version"),
        ),
    )
    target = reverse("supervision:discussion", args=[action.discussion_id]) + "#actions"
    if saved is not None:
        messages.success(request, "Action marked as done")
    else:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(problems) or "The action could not be marked as done")
    return redirect(target)


# --- management oversight ------------------------------------------------------------------------


@requires(policies.MANAGE, policies.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def oversight_new(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk)
    form = OversightForm(posted(request), initial={"oversight_on": timezone.localdate()})
    oversight = submitted(
        request,
        form,
        lambda d: services.oversight_record(
            actor=viewer,
            person=person,
            oversight_on=d["oversight_on"],
            decision=d["decision"],
            rationale=d["rationale"],
        ),
    )
    if oversight is not None:
        messages.success(request, "Management oversight recorded")
        return redirect(reverse("people:detail", args=[person.pk]) + "#supervision")
    return render(
        request, "supervision/oversight_form.html", {"form": form, "person": person, "new": True}
    )


@requires(policies.MANAGE, policies.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def oversight_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    oversight = policies.oversight_for(viewer, pk)
    form = OversightForm(
        posted(request),
        initial={
            "version": oversight.version,
            "oversight_on": oversight.oversight_on,
            "decision": oversight.decision,
            "rationale": oversight.rationale,
        },
    )
    saved = submitted(
        request,
        form,
        lambda d: services.oversight_update(
            actor=viewer,
            oversight=oversight,
            oversight_on=d["oversight_on"],
            decision=d["decision"],
            rationale=d["rationale"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Management oversight updated")
        return redirect(reverse("people:detail", args=[oversight.person_id]) + "#supervision")
    return render(
        request,
        "supervision/oversight_form.html",
        {"form": form, "person": oversight.person, "new": False, "oversight": oversight},
    )


@requires(policies.MANAGE, policies.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def oversight_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    oversight = policies.oversight_for(viewer, pk)
    form = WithdrawForm(posted(request), initial={"version": oversight.version})
    saved = submitted(
        request,
        form,
        lambda d: services.oversight_withdraw(
            actor=viewer,
            oversight=oversight,
            reason=d["reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Management oversight withdrawn")
        return redirect(reverse("people:detail", args=[oversight.person_id]) + "#supervision")
    return render(
        request,
        "supervision/withdraw.html",
        {
            "form": form,
            "heading": "Withdraw management oversight",
            "caption": oversight.person.full_name,
            "back": reverse("people:detail", args=[oversight.person_id]) + "#supervision",
            "explanation": "Withdraw management oversight recorded in error, for example on the "
            "wrong child. It leaves the child's record and chronology; the audit trail keeps it.",
        },
    )
