"""Risk and missing pages: record, review, correct and close a risk assessment; record a missing
episode, the child's return and the return interview; the managers' list of missing episodes with
their return interviews, and of children needing an exploitation risk assessment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hearth.core import audit
from hearth.core.access import requires
from hearth.core.forms.fields import GovukDateField
from hearth.core.models import Team, User
from hearth.core.views.submit import posted, posted_int, submitted
from hearth.people.models import Person
from hearth.people.policies import person_for
from hearth.timescales.calendar import LONDON
from hearth.workforce.selectors import teams_overseen_by

from . import policies, selectors, services
from .codes import RiskKind
from .forms import (
    CloseRiskForm,
    MissingEpisodeForm,
    ReturnForm,
    ReturnInterviewForm,
    RiskAssessmentForm,
)
from .models import MissingEpisode

PAGE_SIZE = 25


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def child_url(person: Person | int) -> str:
    """The child's page, on the risk and missing tab."""
    pk = person if isinstance(person, int) else person.pk
    return reverse("people:detail", args=[pk]) + "?tab=risk"


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


# --- risk assessments ----------------------------------------------------------------------------


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def risk_record(request: HttpRequest, person_pk: int) -> HttpResponse:
    """A new risk assessment of a kind (?kind= to choose it): the first, or a review."""
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, "edit")
    kind = request.GET.get("kind", "")
    initial: dict[str, Any] = {"assessor": viewer.pk, "assessed_on": selectors.today()}
    if kind in RiskKind.values:
        initial["kind"] = kind
    form = RiskAssessmentForm(posted(request), initial=initial)
    saved = submitted(
        request,
        form,
        lambda d: services.risk_assessment_record(
            actor=viewer,
            person=person,
            kind=d["kind"],
            level=d["level"],
            assessed_on=d["assessed_on"],
            assessor=d["assessor"],
            summary=d["summary"],
            indicators=d.get("indicators", ""),
            protective_factors=d.get("protective_factors", ""),
            actions=d.get("actions", ""),
        ),
    )
    if saved is not None:
        due = selectors.ReviewClock.now().due(saved.assessed_on)
        messages.success(
            request,
            f"{saved.get_kind_display()} risk assessment recorded: review due "
            f"{due.day} {due:%B %Y}",
        )
        return redirect(child_url(person))
    return render(
        request,
        "safeguarding/risk_form.html",
        {"form": form, "person": person, "title": "Record a risk assessment"},
        status=_status(request),
    )


@requires(policies.VIEW)
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    assessment = policies.risk_assessment_for(viewer, pk)
    audit.record_view(actor=viewer, obj=assessment, person_id=assessment.person_id)
    clock = selectors.ReviewClock.now()
    history = list(selectors.assessment_history(assessment.person, assessment.kind)[:50])
    latest = history[0] if history else assessment
    is_latest = latest.pk == assessment.pk
    return render(
        request,
        "safeguarding/risk_detail.html",
        {
            "a": assessment,
            "person": assessment.person,
            "history": history,
            "review_due": None if assessment.closed_on else clock.due(assessment.assessed_on),
            "overdue": not assessment.closed_on and clock.due(assessment.assessed_on) < clock.today,
            "is_latest": is_latest,
            "may_edit": viewer.has_perm(policies.EDIT) and is_latest and not assessment.closed_on,
            "child_url": child_url(assessment.person_id),
        },
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def risk_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the latest assessment of its kind."""
    viewer = _viewer(request)
    assessment = policies.risk_assessment_for(viewer, pk, "edit")
    initial = {
        "version": assessment.version,
        "level": assessment.level,
        "assessed_on": assessment.assessed_on,
        "assessor": assessment.assessor_id,
        "summary": assessment.summary,
        "indicators": assessment.indicators,
        "protective_factors": assessment.protective_factors,
        "actions": assessment.actions,
    }
    form = RiskAssessmentForm(posted(request), initial=initial, with_kind=False)
    saved = submitted(
        request,
        form,
        lambda d: services.risk_assessment_update(
            actor=viewer,
            assessment=assessment,
            data={k: d.get(k, "") for k in services.RISK_FIELDS},
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Risk assessment changed")
        return redirect("safeguarding:risk-detail", pk=assessment.pk)
    return render(
        request,
        "safeguarding/risk_form.html",
        {
            "form": form,
            "person": assessment.person,
            "title": f"Change the {assessment.get_kind_display().lower()} risk assessment",
        },
        status=_status(request),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def risk_close(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    assessment = policies.risk_assessment_for(viewer, pk, "edit")
    form = CloseRiskForm(
        posted(request), initial={"version": assessment.version, "closed_on": selectors.today()}
    )
    saved = submitted(
        request,
        form,
        lambda d: services.risk_assessment_close(
            actor=viewer,
            assessment=assessment,
            closed_on=d["closed_on"],
            reason=d["closed_reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, f"{saved.get_kind_display()} risk closed")
        return redirect(child_url(assessment.person_id))
    return render(
        request,
        "safeguarding/risk_close.html",
        {"form": form, "a": assessment, "person": assessment.person},
        status=_status(request),
    )


# --- missing episodes ----------------------------------------------------------------------------


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def missing_record(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, "edit")
    form = MissingEpisodeForm(posted(request))
    saved = submitted(
        request,
        form,
        lambda d: services.missing_episode_record(
            actor=viewer,
            person=person,
            missing_from=d["missing_from"],
            kind=d["kind"],
            started_at=d["started_at"],
            ended_at=d.get("ended_at"),
            where_found=d.get("where_found", ""),
            reported_to_police=d["reported"],
            police_reference=d.get("police_reference", ""),
        ),
    )
    if saved is not None:
        messages.success(request, "Missing episode recorded")
        return redirect("safeguarding:missing-detail", pk=saved.pk)
    return render(
        request,
        "safeguarding/missing_form.html",
        {"form": form, "person": person, "title": "Record a missing episode"},
        status=_status(request),
    )


def _episode_context(episode: MissingEpisode) -> dict[str, Any]:
    annotated = selectors.with_rhi_status(MissingEpisode.objects.filter(pk=episode.pk)).values(
        "rhi_status",  # type: ignore[misc]  # annotated by with_rhi_status
        "rhi_due_at",
    )[0]
    label, colour = selectors.RHI_STATUS[annotated["rhi_status"]]
    return {
        "rhi_status": annotated["rhi_status"],
        "rhi_label": label,
        "rhi_colour": colour,
        "rhi_due_at": annotated["rhi_due_at"],
    }


@requires(policies.VIEW)
def missing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    episode = policies.missing_episode_for(viewer, pk)
    audit.record_view(actor=viewer, obj=episode, person_id=episode.person_id)
    return render(
        request,
        "safeguarding/missing_detail.html",
        {
            "e": episode,
            "person": episode.person,
            "may_edit": viewer.has_perm(policies.EDIT),
            "child_url": child_url(episode.person_id),
            **_episode_context(episode),
        },
    )


def _split(moment: dt.datetime | None) -> dict[str, Any]:
    if moment is None:
        return {}
    local = moment.astimezone(LONDON)
    return {"date": local.date(), "time": f"{local:%H:%M}"}


def _initial_moments(**moments: dt.datetime | None) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for prefix, value in moments.items():
        for part, v in _split(value).items():
            initial[f"{prefix}_{part}"] = v
    return initial


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def missing_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the episode's details (the return included)."""
    viewer = _viewer(request)
    episode = policies.missing_episode_for(viewer, pk, "edit")
    initial = {
        "version": episode.version,
        "missing_from": episode.missing_from,
        "kind": episode.kind,
        "where_found": episode.where_found,
        "reported_to_police": "yes" if episode.reported_to_police else "no",
        "police_reference": episode.police_reference,
        **_initial_moments(started=episode.started_at, ended=episode.ended_at),
    }
    form = MissingEpisodeForm(posted(request), initial=initial)
    saved = submitted(
        request,
        form,
        lambda d: services.missing_episode_update(
            actor=viewer,
            episode=episode,
            data={
                "missing_from": d["missing_from"],
                "kind": d["kind"],
                "started_at": d["started_at"],
                "ended_at": d.get("ended_at"),
                "where_found": d.get("where_found", ""),
                "reported_to_police": d["reported"],
                "police_reference": d.get("police_reference", ""),
            },
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Missing episode changed")
        return redirect("safeguarding:missing-detail", pk=episode.pk)
    return render(
        request,
        "safeguarding/missing_form.html",
        {"form": form, "person": episode.person, "title": "Change the missing episode"},
        status=_status(request),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def missing_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the child's return: the 72-hour return interview clock starts."""
    viewer = _viewer(request)
    episode = policies.missing_episode_for(viewer, pk, "edit")
    initial = {
        "version": episode.version,
        "where_found": episode.where_found,
        **_initial_moments(ended=episode.ended_at),
    }
    form = ReturnForm(posted(request), initial=initial)
    saved = submitted(
        request,
        form,
        lambda d: services.missing_episode_update(
            actor=viewer,
            episode=episode,
            data={"ended_at": d["ended_at"], "where_found": d.get("where_found", "")},
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Return recorded: offer a return interview within 72 hours")
        return redirect("safeguarding:missing-detail", pk=episode.pk)
    return render(
        request,
        "safeguarding/missing_form.html",
        {"form": form, "person": episode.person, "title": "Record the child's return"},
        status=_status(request),
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def missing_interview(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the return interview: offered, accepted, completed, by whom, findings."""
    viewer = _viewer(request)
    episode = policies.missing_episode_for(viewer, pk, "edit")
    accepted = {True: "yes", False: "no", None: ""}[episode.rhi_accepted]
    initial = {
        "version": episode.version,
        "accepted": accepted,
        "completed_on": episode.rhi_completed_on,
        "by": episode.rhi_by_id,
        "by_agency": episode.rhi_by_agency,
        "findings": episode.rhi_findings,
        **_initial_moments(offered=episode.rhi_offered_at),
    }
    form = ReturnInterviewForm(posted(request), initial=initial)
    saved = submitted(
        request,
        form,
        lambda d: services.return_interview_record(
            actor=viewer,
            episode=episode,
            offered_at=d["offered_at"],
            accepted=d["accepted_value"],
            completed_on=d.get("completed_on"),
            by=d.get("by"),
            by_agency=d.get("by_agency", ""),
            findings=d.get("findings", ""),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Return interview recorded")
        return redirect("safeguarding:missing-detail", pk=episode.pk)
    return render(
        request,
        "safeguarding/missing_form.html",
        {"form": form, "person": episode.person, "title": "Record the return interview"},
        status=_status(request),
    )


# --- managers' lists -----------------------------------------------------------------------------


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


def _date_param(request: HttpRequest, name: str) -> dt.date | None:
    value = request.GET.get(name, "")
    try:
        return GovukDateField().to_python(value) if value else None
    except ValidationError:  # a malformed filter is ignored, not an error page
        return None


@requires(policies.MANAGE)
def missing_list(request: HttpRequest) -> HttpResponse:
    """Missing episodes for a manager's teams (or one team, or all), between dates, with whether
    a return interview was offered within 72 hours."""
    viewer = _viewer(request)
    teams, scope_label, chosen_team = _team_scope(request, viewer)
    since = _date_param(request, "from") or selectors.today() - dt.timedelta(days=90)
    until = _date_param(request, "to")
    rhi = request.GET.get("rhi", "")
    listed = selectors.missing_list(viewer, teams=teams, since=since, until=until, rhi=rhi)
    summary = selectors.missing_summary(
        selectors.missing_list(viewer, teams=teams, since=since, until=until)
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(e, *selectors.RHI_STATUS[e.rhi_status]) for e in page]  # type: ignore[attr-defined]
    return render(
        request,
        "safeguarding/missing_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "summary": summary,
            "scope_label": scope_label,
            "chosen_team": chosen_team,
            "team_choices": teams_overseen_by(viewer).order_by("name"),
            "since": since,
            "until": until,
            "rhi": rhi,
        },
    )


@requires(policies.MANAGE)
def needing_assessment(request: HttpRequest) -> HttpResponse:
    """Children held by the manager's teams with an exploitation concern and no current risk
    assessment; restricted children the manager is not named on are counted, not named."""
    viewer = _viewer(request)
    teams, scope_label, chosen_team = _team_scope(request, viewer)
    if teams is None:
        teams = Team.objects.filter(is_active=True)
    listed = selectors.flagged_in_teams(viewer, teams)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "safeguarding/needing_assessment.html",
        {
            "page_obj": page,
            "scope_label": scope_label,
            "chosen_team": chosen_team,
            "team_choices": teams_overseen_by(viewer).order_by("name"),
        },
    )
