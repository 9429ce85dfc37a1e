"""Escalation pages: raise one (from the child's page, or a partner's own form), the escalation with
its stages as a timeline and the owner's and raiser's actions, the user's own escalations, and the
managers' list of open and overdue ones by team and service.

Every page first moves up any escalation it is about to show that is past its stage's deadline
(`services.escalations_rise_overdue`), so a late scheduled run cannot hide one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.forms import ChoiceField, Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from hearth.core import audit
from hearth.core.access import requires, signed_in
from hearth.core.choices import ServiceArea
from hearth.core.models import Team, User
from hearth.core.views.submit import posted, posted_int, submitted
from hearth.people.policies import person_for
from hearth.timescales import calendar as cal

from . import policies, routing, selectors, services
from .forms import (
    RISE_CHOICES,
    AcceptForm,
    DisputeForm,
    PartnerRaiseForm,
    RaiseForm,
    ResolveForm,
    RespondForm,
    WithdrawForm,
)
from .models import Acceptance, Escalation, EscalationStage, RaiserRole, Status

PAGE_SIZE = 25


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _rise(among: QuerySet[Escalation] | list[int]) -> None:
    services.escalations_rise_overdue(now=timezone.now(), among=among)


def _today() -> dt.date:
    return timezone.now().astimezone(cal.LONDON).date()


# --- lists ---------------------------------------------------------------------------------------


@signed_in(
    "each user's own escalations: those awaiting their answer and those they raised (scoped "
    "to the children they may see; partners only their own)"
)
def awaiting(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    visible = policies.escalations_visible_to(viewer)
    _rise(visible.filter(Q(owner=viewer) | Q(raised_by=viewer), status=Status.OPEN))
    mine = list(selectors.escalations_awaiting(viewer).filter(pk__in=visible.values("pk")))
    raised = selectors.escalations_raised_by(viewer).filter(pk__in=visible.values("pk"))
    page = Paginator(raised, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "escalations/awaiting.html",
        {
            "awaiting": mine,
            "page_obj": page,
            "partner": policies.is_partner(viewer),
            "today": _today(),
        },
    )


def _scope(request: HttpRequest, viewer: User) -> tuple[QuerySet[Team], str, dict[str, Any]]:
    """The teams the managers' list covers, from ?team= (a team's id, or "all") and ?service=."""
    team_param = request.GET.get("team", "")
    service = request.GET.get("service", "")
    chosen: dict[str, Any] = {"team": team_param, "service": service}
    if team_param.isdigit():
        teams = Team.objects.filter(pk=int(team_param))
        team = teams.first()
        return teams, team.name if team else "No such team", chosen
    if service in ServiceArea.values:
        return (
            Team.objects.filter(service_area=service),
            ServiceArea(service).label,
            chosen,
        )
    if team_param == "all":
        return Team.objects.all(), "All teams", chosen
    return selectors.teams_for_manager(viewer), "Your teams", chosen


@requires(policies.MANAGE)
def open_list(request: HttpRequest) -> HttpResponse:
    """Open and overdue escalations for a manager's teams, a team (?team=) or a service."""
    viewer = _viewer(request)
    visible = policies.escalations_visible_to(viewer)
    teams, scope_label, chosen = _scope(request, viewer)
    scoped = selectors.escalations_open(teams=teams).filter(pk__in=visible.values("pk"))
    _rise(list(scoped.values_list("pk", flat=True)))
    only_overdue = request.GET.get("overdue") == "1"
    listed = selectors.escalations_open(teams=teams).filter(pk__in=visible.values("pk"))
    if only_overdue:
        listed = listed.filter(is_overdue=True)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    overview_teams = selectors.teams_for_manager(viewer)
    board = selectors.dashboard(visible, overview_teams)
    return render(
        request,
        "escalations/open.html",
        {
            "page_obj": page,
            "scope_label": scope_label,
            "chosen": chosen,
            "only_overdue": only_overdue,
            "board": board,
            "team_choices": overview_teams,
            "services": ServiceArea.choices,
            "today": _today(),
        },
    )


# --- raising -------------------------------------------------------------------------------------


@requires(policies.VIEW)
@require_http_methods(["GET", "POST"])
def raise_for_child(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Raise an escalation from the child's page: for those with a role on the child's case."""
    viewer = _viewer(request)
    person = person_for(viewer, person_pk)
    roles = policies.raiser_roles(viewer, person)
    if not roles:
        raise PermissionDenied
    form = RaiseForm(posted(request), roles=roles)
    escalation = submitted(
        request,
        form,
        lambda d: services.escalation_raise(
            actor=viewer,
            person=person,
            concern=d["concern"],
            outcome_sought=d["outcome_sought"],
            raiser_role=d.get("raiser_role", ""),
        ),
    )
    if escalation is not None:
        messages.success(
            request,
            f"Escalation {escalation.reference} raised with {escalation.owner.full_name}",
        )
        return redirect("escalations:detail", pk=escalation.pk)
    return render(
        request,
        "escalations/raise_form.html",
        {
            "form": form,
            "person": person,
            "role_label": RaiserRole(roles[0]).label if len(roles) == 1 else "",
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(policies.PARTNER)
@require_http_methods(["GET", "POST"])
def partner_raise(request: HttpRequest) -> HttpResponse:
    """A partner agency raises an escalation about a child they referred."""
    viewer = _viewer(request)
    contacts = list(policies.referring_contacts(viewer)[:200])
    form = PartnerRaiseForm(posted(request), contacts=contacts)
    escalation = submitted(
        request,
        form,
        lambda d: services.escalation_raise(
            actor=viewer,
            person=form.chosen().person,  # type: ignore[arg-type]  # linked contacts only
            concern=d["concern"],
            outcome_sought=d["outcome_sought"],
            raiser_role=RaiserRole.PARTNER_AGENCY,
        ),
    )
    if escalation is not None:
        messages.success(request, f"Escalation {escalation.reference} raised")
        return redirect("escalations:detail", pk=escalation.pk)
    return render(
        request,
        "escalations/partner_raise_form.html",
        {"form": form, "has_children": bool(contacts)},
        status=400 if request.method == "POST" else 200,
    )


# --- one escalation ------------------------------------------------------------------------------


def _stage_state(row: EscalationStage, escalation: Escalation, today: dt.date) -> tuple[str, str]:
    """A stage's state in words and a tag colour."""
    if row.responded_at is not None:
        on = row.responded_at.astimezone(cal.LONDON).date()
        return ("Answered on time", "green") if on <= row.due_on else ("Answered late", "orange")
    if row.ended_at is not None:
        if escalation.status == Status.WITHDRAWN and row.stage == escalation.stage:
            return "Withdrawn before an answer", "grey"
        return "Not answered in time: rose", "red"
    if escalation.status != Status.OPEN:
        return "Closed", "grey"
    if today > row.due_on:
        return "Overdue", "red"
    if today == row.due_on:
        return "Due today", "yellow"
    return "Awaiting an answer", "blue"


def _child_name(escalation: Escalation, partner: bool) -> str:
    if partner and escalation.contact is not None:
        given = escalation.contact.child_as_given or {}
        return f"{given.get('forename', '')} {given.get('surname', '')}".strip() or "The child"
    return escalation.person.full_name


def _detail(request: HttpRequest, escalation: Escalation, **bound: Form) -> HttpResponse:
    viewer = _viewer(request)
    audit.record_view(actor=viewer, obj=escalation, person_id=escalation.person_id)
    partner = policies.is_partner(viewer)
    stages = selectors.stages_of(escalation)
    current = next((s for s in stages if s.stage == escalation.stage), None)
    today = _today()
    is_owner = policies.may_answer(viewer, escalation)
    raiser = policies.is_raiser(viewer, escalation)
    answered = current is not None and current.responded_at is not None
    may_reply = (
        raiser
        and answered
        and current is not None
        and not current.raiser_reply
        and (
            escalation.status == Status.OPEN
            or (
                escalation.status == Status.RESOLVED
                and escalation.raiser_accepted == Acceptance.NOT_YET
            )
        )
    )
    final = True  # whether the raiser's dispute can take it further
    if may_reply and current is not None:
        step = routing.next_stage(
            services.DatabaseDirectory(), current.stage, current.owner_id, escalation.raised_by_id
        )
        final = step is None
    version = {"version": escalation.version}
    forms: dict[str, Form] = {
        f"{name}_form": form_class(initial=version, auto_id=f"{name}-%s")
        for name, form_class in ACTION_FORMS.items()
    }
    forms.update(bound)
    if final:
        rise = forms["dispute_form"].fields["rise"]
        assert isinstance(rise, ChoiceField)
        rise.choices = [RISE_CHOICES[1]]
    return render(
        request,
        "escalations/detail.html",
        {
            "escalation": escalation,
            "child_name": _child_name(escalation, partner),
            "partner": partner,
            "rows": [(row, *_stage_state(row, escalation, today)) for row in stages],
            "current": current,
            "may_answer": is_owner and not answered,
            "may_resolve": is_owner,
            "may_reply": may_reply,
            "may_withdraw": raiser and escalation.status == Status.OPEN,
            "final": final,
            "has_errors": bool(bound),
            "today": today,
            **forms,
        },
        status=400 if bound else 200,
    )


@signed_in(
    "record through policies.escalation_for: staff who may see the child, partners only the "
    "escalations they raised; others 404"
)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    policies.escalation_for(viewer, pk)
    _rise([pk])
    return _detail(request, policies.escalation_for(viewer, pk))


def _act(
    request: HttpRequest,
    pk: int,
    *,
    who: str,
    form_class: type[Form],
    name: str,
    save: Any,
    done: str,
) -> HttpResponse:
    """A POST from the escalation page: the owner's or the raiser's action, through its service."""
    viewer = _viewer(request)
    escalation = policies.escalation_for(viewer, pk)
    allowed = (
        policies.may_answer(viewer, escalation)
        if who == "owner"
        else policies.is_raiser(viewer, escalation)
    )
    if not allowed:
        raise PermissionDenied
    form = form_class(posted(request), auto_id=f"{name}-%s")
    saved = submitted(request, form, lambda d: save(escalation, d))
    if saved is not None:
        messages.success(request, done)
        return redirect(reverse("escalations:detail", args=[escalation.pk]))
    return _detail(request, policies.escalation_for(viewer, pk), **{f"{name}_form": form})


# The forms on the escalation page, each with its own ids (several share field names).
ACTION_FORMS: dict[str, type[Form]] = {
    "respond": RespondForm,
    "resolve": ResolveForm,
    "accept": AcceptForm,
    "dispute": DisputeForm,
    "withdraw": WithdrawForm,
}
OWNER_RULE = "signed in; only the current stage's owner, on a record they may see (403, or 404)"
RAISER_RULE = "signed in; only the raiser, on a record they may see (403, or 404)"


@signed_in(OWNER_RULE)
@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        who="owner",
        form_class=RespondForm,
        name="respond",
        done="Your answer has been recorded and the raiser told",
        save=lambda e, d: services.escalation_respond(
            actor=_viewer(request),
            escalation=e,
            response=d["response"],
            expected_version=posted_int(request, "version"),
        ),
    )


@signed_in(OWNER_RULE)
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        who="owner",
        form_class=ResolveForm,
        name="resolve",
        done="The resolution has been recorded and the raiser asked whether they accept it",
        save=lambda e, d: services.escalation_resolve(
            actor=_viewer(request),
            escalation=e,
            resolution=d["resolution"],
            expected_version=posted_int(request, "version"),
        ),
    )


@signed_in(RAISER_RULE)
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        who="raiser",
        form_class=AcceptForm,
        name="accept",
        done="You accepted the answer: the escalation is resolved",
        save=lambda e, d: services.escalation_accept(
            actor=_viewer(request),
            escalation=e,
            comment=d.get("comment", ""),
            expected_version=posted_int(request, "version"),
        ),
    )


@signed_in(RAISER_RULE)
@require_POST
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        who="raiser",
        form_class=DisputeForm,
        name="dispute",
        done="Your disagreement has been recorded",
        save=lambda e, d: services.escalation_dispute(
            actor=_viewer(request),
            escalation=e,
            comment=d["comment"],
            rise=d["rise"] == "yes",
            expected_version=posted_int(request, "version"),
        ),
    )


@signed_in(RAISER_RULE)
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        who="raiser",
        form_class=WithdrawForm,
        name="withdraw",
        done="The escalation has been withdrawn",
        save=lambda e, d: services.escalation_withdraw(
            actor=_viewer(request),
            escalation=e,
            reason=d["reason"],
            entered_in_error=bool(d.get("entered_in_error")),
            expected_version=posted_int(request, "version"),
        ),
    )
