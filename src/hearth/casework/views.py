"""Casework pages: the episode, recording a referral, closing it; an assessment from start to
authorisation; the manager's queue of assessments waiting for authorisation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from hearth.core import audit
from hearth.core.access import requires
from hearth.core.models import Team, User
from hearth.core.services import ConcurrentEditError
from hearth.core.views.submit import posted, posted_int, submitted
from hearth.people.policies import person_for
from hearth.workforce.selectors import teams_overseen_by

from . import policies, selectors, services
from .codes import AssessmentOutcome, ClosureReason
from .forms import (
    AssessmentForm,
    AssessmentStartForm,
    AuthoriseForm,
    CloseForm,
    NoFurtherActionForm,
    ReferralForm,
    ReturnForm,
)
from .models import Assessment, ChildInNeedEpisode

VIEW, EDIT, AUTHORISE = policies.VIEW, policies.EDIT, policies.AUTHORISE


def _viewer(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _episode_page(episode: ChildInNeedEpisode) -> str:
    return reverse("casework:episode", args=[episode.pk])


def _current_team(user: User) -> Team | None:
    membership = user.memberships.filter(end_date__isnull=True).select_related("team").first()
    return membership.team if membership else None


# --- episodes ------------------------------------------------------------------------------------


@requires(VIEW)
def episode(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    found = policies.episode_for(viewer, pk)
    person = found.person
    audit.record_view(actor=viewer, obj=found, person_id=person.pk, detail="Episode")
    current = selectors.episodes_for_person(person, pk=found.pk)[0]
    assessments = list(current.assessments.all())
    plans = list(current.plans.select_related("worker").order_by("-start_date"))
    is_open = current.closure_date is None
    return render(
        request,
        "casework/episode.html",
        {
            "person": person,
            "episode": current,
            "assessments": assessments,
            "plans": plans,
            "may_start_assessment": is_open
            and not current.referral_nfa
            and viewer.has_perm(EDIT)
            and all(a.authorised_on for a in assessments),
            "may_close": is_open and viewer.has_perm(AUTHORISE),
            "may_nfa": is_open and not assessments and not plans and viewer.has_perm(AUTHORISE),
        },
    )


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, person_pk: int) -> HttpResponse:
    """A referral recorded directly (a child transferred in, or a referral not made through the
    front door); most referrals come from a manager's decision on a contact."""
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, "edit")
    form = ReferralForm(posted(request), initial={"referral_date": timezone.localdate()})
    created = submitted(
        request,
        form,
        lambda d: services.episode_open(
            actor=viewer,
            person=person,
            referral_date=d["referral_date"],
            referral_source=d["referral_source"],
            primary_need=d["primary_need"],
            team=_current_team(viewer),
            worker=viewer,
        ),
    )
    if created is not None:
        messages.success(request, "The referral is recorded and the assessment clock has started")
        return redirect(_episode_page(created))
    return render(request, "casework/referral_form.html", {"form": form, "person": person})


@requires(AUTHORISE)
@require_http_methods(["GET", "POST"])
def episode_close(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    found = policies.episode_for(viewer, pk, "authorise")
    form = CloseForm(
        posted(request),
        initial={
            "version": found.version,
            "closure_date": timezone.localdate(),
            "closure_reason": request.GET.get("reason", ""),
        },
    )
    closed = submitted(
        request,
        form,
        lambda d: services.episode_close(
            actor=viewer,
            episode=found,
            closure_date=d["closure_date"],
            closure_reason=d["closure_reason"],
            summary=d["summary"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if closed is not None:
        messages.success(request, "The episode is closed; its plans and allocations have ended")
        return redirect(_episode_page(closed))
    return render(
        request,
        "casework/episode_close.html",
        {"form": form, "episode": found, "person": found.person, "reasons": ClosureReason},
    )


@requires(AUTHORISE)
@require_http_methods(["GET", "POST"])
def episode_no_further_action(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    found = policies.episode_for(viewer, pk, "authorise")
    form = NoFurtherActionForm(
        posted(request), initial={"version": found.version, "on": timezone.localdate()}
    )
    done = submitted(
        request,
        form,
        lambda d: services.episode_no_further_action(
            actor=viewer,
            episode=found,
            on=d["on"],
            reason=d["reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if done is not None:
        messages.success(request, "No further action is recorded and the episode is closed")
        return redirect(_episode_page(done))
    return render(
        request,
        "casework/episode_nfa.html",
        {"form": form, "episode": found, "person": found.person},
    )


# --- assessments ---------------------------------------------------------------------------------


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def assessment_start(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    found = policies.episode_for(viewer, pk, "edit")
    form = AssessmentStartForm(posted(request), initial={"start_date": timezone.localdate()})
    created = submitted(
        request,
        form,
        lambda d: services.assessment_start(
            actor=viewer, episode=found, start_date=d["start_date"]
        ),
    )
    if created is not None:
        messages.success(request, "The assessment has started: record it as you go")
        return redirect("casework:assessment-edit", pk=created.pk)
    return render(
        request,
        "casework/assessment_start.html",
        {"form": form, "episode": found, "person": found.person},
    )


def _next_steps(assessment: Assessment, viewer: User) -> list[dict[str, str]]:
    """What the authorised outcome asks for next, as links (fewer clicks for the worker)."""
    if not assessment.authorised_on or assessment.episode.closure_date:
        return []
    episode = assessment.episode
    steps: list[dict[str, str]] = []
    outcome = assessment.outcome
    if outcome == AssessmentOutcome.CHILD_IN_NEED_PLAN and viewer.has_perm(EDIT):
        steps.append(
            {
                "text": "Start the child in need plan",
                "url": reverse("plans:start", args=[assessment.person_id])
                + f"?episode={episode.pk}",
            }
        )
    if outcome == AssessmentOutcome.NO_FURTHER_ACTION and viewer.has_perm(AUTHORISE):
        steps.append(
            {
                "text": "Close the episode: closed after assessment, no further action (RC8)",
                "url": reverse("casework:episode-close", args=[episode.pk]) + "?reason=RC8",
            }
        )
    if outcome == AssessmentOutcome.EARLY_HELP and viewer.has_perm(EDIT):
        steps.append(
            {
                "text": "Step down to early help (closes the episode, RC9)",
                "url": reverse("frontdoor:step-down", args=[episode.pk]),
            }
        )
    if outcome == AssessmentOutcome.STRATEGY_DISCUSSION:
        steps.append(
            {
                "text": "Hold the strategy discussion: its clock has started (see what is due)",
                "url": reverse("people:detail", args=[assessment.person_id]),
            }
        )
    return steps


@requires(VIEW)
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    found = policies.assessment_for(viewer, pk)
    audit.record_view(actor=viewer, obj=found, person_id=found.person_id, detail="Assessment")
    factors = list(found.factors.all())
    in_progress = found.authorised_on is None
    waiting = in_progress and found.submitted_at is not None
    return render(
        request,
        "casework/assessment.html",
        {
            "assessment": found,
            "person": found.person,
            "episode": found.episode,
            "factors": factors,
            "problems": services.submission_problems(found) if in_progress else [],
            "may_edit": in_progress and not waiting and viewer.has_perm(EDIT),
            "may_submit": in_progress and not waiting and viewer.has_perm(EDIT),
            "may_authorise": waiting
            and viewer.has_perm(AUTHORISE)
            and found.worker_id != viewer.pk,
            "next_steps": _next_steps(found, viewer),
        },
    )


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    found = policies.assessment_for(viewer, pk, "edit")
    initial: dict[str, Any] = {
        "version": found.version,
        "child_seen_on": found.child_seen_on,
        "seen_alone": {True: "yes", False: "no"}.get(found.seen_alone, ""),  # type: ignore[arg-type]
        "child_views": found.child_views,
        "factors": [f.code for f in found.factors.all()],
        "analysis": found.analysis,
        "outcome": found.outcome,
    }
    form = AssessmentForm(posted(request), initial=initial)

    def save(d: dict[str, Any]) -> Assessment:
        factors = d.pop("factors")
        return services.assessment_update(
            actor=viewer,
            assessment=found,
            data=d,
            factors=factors,
            expected_version=posted_int(request, "version"),
        )

    saved = submitted(request, form, save)
    if saved is not None:
        messages.success(request, "The assessment is saved")
        return redirect("casework:assessment", pk=saved.pk)
    return render(
        request,
        "casework/assessment_form.html",
        {"form": form, "assessment": found, "person": found.person},
    )


@requires(EDIT)
@require_POST
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    found = policies.assessment_for(viewer, pk, "edit")
    try:
        services.assessment_submit(
            actor=viewer, assessment=found, expected_version=posted_int(request, "version")
        )
    except ConcurrentEditError as exc:
        messages.error(request, exc.message)
    except services.ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The assessment has been sent to your manager to authorise")
    return redirect("casework:assessment", pk=found.pk)


@requires(AUTHORISE)
@require_http_methods(["GET", "POST"])
def assessment_authorise(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    found = policies.assessment_for(viewer, pk, "authorise")
    form = AuthoriseForm(
        posted(request), initial={"version": found.version, "authorised_on": timezone.localdate()}
    )
    done = submitted(
        request,
        form,
        lambda d: services.assessment_authorise(
            actor=viewer,
            assessment=found,
            authorised_on=d["authorised_on"],
            rationale=d["rationale"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if done is not None:
        messages.success(request, "The assessment is authorised")
        return redirect("casework:assessment", pk=done.pk)
    return render(
        request,
        "casework/assessment_authorise.html",
        {
            "form": form,
            "assessment": found,
            "person": found.person,
            "factors": list(found.factors.all()),
        },
    )


@requires(AUTHORISE)
@require_http_methods(["GET", "POST"])
def assessment_return(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    found = policies.assessment_for(viewer, pk, "authorise")
    form = ReturnForm(posted(request), initial={"version": found.version})
    done = submitted(
        request,
        form,
        lambda d: services.assessment_return(
            actor=viewer,
            assessment=found,
            reason=d["reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if done is not None:
        messages.success(request, "The assessment has been returned to the social worker")
        return redirect("casework:assessment", pk=done.pk)
    return render(
        request,
        "casework/assessment_return.html",
        {"form": form, "assessment": found, "person": found.person},
    )


@requires(AUTHORISE)
def awaiting_authorisation(request: HttpRequest) -> HttpResponse:
    """Assessments in the manager's teams sent for authorisation, oldest first."""
    viewer = _viewer(request)
    teams = list(teams_overseen_by(viewer))
    everyone = request.GET.get("scope") == "all"
    rows = list(selectors.awaiting_authorisation(viewer, None if everyone else teams)[:200])
    return render(
        request,
        "casework/awaiting.html",
        {"rows": rows, "everyone": everyone, "teams": teams, "today": timezone.localdate()},
    )
