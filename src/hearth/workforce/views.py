"""Allocation queue, allocating (with suggestions and the threshold warning), a child's
allocations, caseloads, the team caseload page, workforce figures and settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from hearth.core import audit
from hearth.core.access import requires
from hearth.core.choices import ServiceArea
from hearth.core.models import Team, User
from hearth.core.views.submit import apply_errors, posted, posted_int, submitted
from hearth.people.models import Person
from hearth.people.policies import person_for, persons_visible_to

from . import policies, selectors, services
from .codes import CaseRole, CaseType, ChangeReason
from .forms import (
    AllocateForm,
    AllocationEndForm,
    CaseWeightForm,
    EstablishmentForm,
    RoleAddForm,
    TransferForm,
)
from .models import Allocation, CaseWeight

SORTS = {
    "waiting": lambda c: (c.unallocated_since, c.person_id),
    "name": lambda c: (c.name.lower(), c.person_id),
    "team": lambda c: (c.team_name, c.unallocated_since),
    "type": lambda c: (c.episode_type, c.unallocated_since),
    "risk": lambda c: (-len(c.markers), {"red": 0, "amber": 1, "green": 2}.get(c.rating, 3)),
}


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _scope(request: HttpRequest) -> tuple[str, QuerySet[Team] | None, str, str]:
    """(scope key, teams, service area, label) from ?scope=mine|team-<pk>|service-<area>|all."""
    viewer = _viewer(request)
    overseen = policies.teams_for_caseloads(viewer)
    scope = request.GET.get("scope", "mine")
    if scope.startswith("team-") and scope[5:].isdigit():
        team = get_object_or_404(overseen, pk=int(scope[5:]))
        return scope, Team.objects.filter(pk=team.pk), "", team.name
    if scope.startswith("service-") and scope[8:] in ServiceArea.values:
        area = scope[8:]
        return scope, overseen.filter(service_area=area), area, ServiceArea(area).label
    return "mine", overseen, "", "Your teams"


def _visible_ids(viewer: User, person_ids: list[int]) -> set[int]:
    """Which of these children's records the viewer may open (one query)."""
    return set(persons_visible_to(viewer).filter(pk__in=person_ids).values_list("pk", flat=True))


# --- the queue ---------------------------------------------------------------------------------


@requires(policies.MANAGE)
def queue(request: HttpRequest) -> HttpResponse:
    """Every unallocated child in the manager's teams (or one team or service), sortable."""
    scope, teams, _area, label = _scope(request)
    children = selectors.unallocated_children(teams=teams)
    sort = request.GET.get("sort", "waiting")
    children.sort(key=SORTS.get(sort, SORTS["waiting"]))
    today = timezone.localdate()
    # Every waiting child is counted and listed; a restricted record's name shows only to the
    # staff named on it.
    visible = _visible_ids(_viewer(request), [c.person_id for c in children])
    rows = [
        {"child": c, "days": c.days(today), "visible": c.person_id in visible} for c in children
    ]
    return render(
        request,
        "workforce/queue.html",
        {
            "rows": rows,
            "scope": scope,
            "scope_label": label,
            "sort": sort,
            "teams": policies.teams_for_caseloads(_viewer(request)).order_by("name"),
            "areas": ServiceArea.choices,
        },
    )


# --- allocating ----------------------------------------------------------------------------------


def _target_team(viewer: User, person: Person, requested: str) -> Team:
    overseen = policies.teams_for_caseloads(viewer)
    if requested.isdigit():
        return get_object_or_404(Team.objects.filter(is_active=True), pk=int(requested))
    waiting = selectors.unallocated_children(person_ids=[person.pk])
    if waiting and waiting[0].team_id:
        team = Team.objects.filter(pk=waiting[0].team_id).first()
        if team and team.service_area != ServiceArea.FRONT_DOOR:
            return team
    lead = selectors.current_lead(person)
    if lead and lead.team:
        return lead.team
    first = overseen.exclude(service_area=ServiceArea.FRONT_DOOR).order_by("name").first()
    if first is None:
        raise Http404("No team to allocate from")
    return first


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def allocate(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Choose the child's lead social worker from ranked suggestions; warn before a threshold."""
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, "edit")
    audit.record_view(actor=viewer, obj=person, person_id=person.pk, detail="Allocation")
    team = _target_team(viewer, person, request.GET.get("team", ""))
    weight = selectors.case_weights().get(selectors.case_type_of(person), Decimal(1))
    ranked = selectors.suggestions(person=person, team=team, adding_units=weight)
    siblings = selectors.unallocated_siblings(person)
    current = selectors.current_lead(person)
    has_history = Allocation.objects.filter(person=person, role=CaseRole.LEAD_SOCIAL_WORKER)
    initial = {
        "start_date": timezone.localdate(),
        "reason": ChangeReason.MANAGE if has_history.exists() else ChangeReason.FCONTA,
        "worker": ranked[0].load.worker.pk if ranked else None,
    }
    form = AllocateForm(
        posted(request),
        initial=initial,
        workers=[(s.load.worker.pk, s.load.worker.full_name) for s in ranked],
        siblings=[(s.pk, f"{s.full_name} ({s.child_id})") for s in siblings],
    )
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        worker = get_object_or_404(User, pk=d["worker"])
        chosen = [person, *[s for s in siblings if s.pk in set(d.get("siblings") or [])]]
        try:
            services.allocate(
                actor=viewer,
                people=chosen,
                worker=worker,
                start_date=d["start_date"],
                reason=d["reason"],
                team=team,
                over_threshold_reason=d["over_threshold_reason"],
                note=d["note"],
            )
        except services.ThresholdWarning as exc:
            warnings = exc.warnings
            apply_errors(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            names = " and ".join(p.full_name for p in chosen)
            messages.success(request, f"{names} allocated to {worker.full_name}")
            return redirect("workforce:child", person_pk=person.pk)
    return render(
        request,
        "workforce/allocate.html",
        {
            "person": person,
            "team": team,
            "teams": Team.objects.filter(is_active=True)
            .exclude(service_area=ServiceArea.FRONT_DOOR)
            .order_by("name"),
            "suggestions": ranked,
            "form": form,
            "warnings": warnings,
            "current": current,
            "weight": weight,
        },
    )


@requires(policies.VIEW)
def child(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Everyone who has held a role on the child's case, current first, with the reasons."""
    viewer = _viewer(request)
    person = person_for(viewer, person_pk)
    audit.record_view(actor=viewer, obj=person, person_id=person.pk, detail="Allocations")
    history = list(selectors.allocation_history(person))
    return render(
        request,
        "workforce/child.html",
        {
            "person": person,
            "current": [a for a in history if a.end_date is None],
            "past": [a for a in history if a.end_date is not None],
            "may_manage": viewer.has_perm(policies.MANAGE),
            "unallocated": not any(
                a.end_date is None and a.role == CaseRole.LEAD_SOCIAL_WORKER for a in history
            ),
        },
    )


ROLE_STAFF = {
    role: codes
    for role, codes in services.ROLE_HOLDERS.items()
    if role != CaseRole.LEAD_SOCIAL_WORKER
}


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def role_add(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, "edit")
    codes = {c for codes in ROLE_STAFF.values() for c in codes}
    staff = (
        User.objects.filter(is_active=True, roles__code__in=codes)
        .distinct()
        .order_by("last_name", "first_name")
    )
    form = RoleAddForm(
        posted(request),
        initial={"start_date": timezone.localdate()},
        workers=[
            (u.pk, f"{u.full_name}, {u.job_title}" if u.job_title else u.full_name) for u in staff
        ],
    )

    def save(d: dict[str, Any]) -> list[Allocation]:
        worker = get_object_or_404(User, pk=d["worker"])
        return services.allocate(
            actor=viewer,
            people=[person],
            worker=worker,
            role=d["role"],
            start_date=d["start_date"],
            reason=ChangeReason.OTHERS,
        )

    if submitted(request, form, save) is not None:
        messages.success(request, "Role added to the case")
        return redirect("workforce:child", person_pk=person.pk)
    return render(request, "workforce/role_form.html", {"form": form, "person": person})


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def allocation_end(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    allocation = policies.allocation_for(viewer, pk, "edit")
    if allocation.end_date is not None:
        raise Http404("Already ended")
    form = AllocationEndForm(
        posted(request), initial={"version": allocation.version, "end_date": timezone.localdate()}
    )
    if submitted(
        request,
        form,
        lambda d: services.allocation_end(
            actor=viewer,
            allocation=allocation,
            end_date=d["end_date"],
            end_reason=d["end_reason"],
            expected_version=posted_int(request, "version"),
        ),
    ):
        messages.success(request, "Allocation ended")
        return redirect("workforce:child", person_pk=allocation.person_id)
    return render(request, "workforce/end_form.html", {"form": form, "allocation": allocation})


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, "edit")
    form = TransferForm(posted(request))
    if submitted(
        request,
        form,
        lambda d: (
            services.case_transfer_to_team(actor=viewer, person=person, team=d["team"]) or True
        ),
    ):
        messages.success(request, f"{person.full_name} sent to {form.cleaned_data['team'].name}")
        return redirect("workforce:queue")
    return render(request, "workforce/transfer_form.html", {"form": form, "person": person})


# --- caseloads ----------------------------------------------------------------------------------


def _load_rows(loads: list[selectors.WorkerCaseload]) -> list[dict[str, Any]]:
    biggest = max([float(x.units) for x in loads] + [float(x.red_units) for x in loads] + [1.0])
    return [
        {
            "load": x,
            "bar": round(float(x.units) / biggest * 100, 1),
            "amber": round(float(x.amber_units) / biggest * 100, 1),
            "red": round(float(x.red_units) / biggest * 100, 1),
        }
        for x in loads
    ]


@requires(policies.MANAGE)
def caseload_list(request: HttpRequest) -> HttpResponse:
    scope, teams, _area, label = _scope(request)
    loads = selectors.caseloads(teams=teams if teams is not None else Team.objects.none())
    order = request.GET.get("sort", "units")
    if order == "name":
        loads.sort(key=lambda x: (x.worker.last_name, x.worker.first_name))
    else:
        loads.sort(key=lambda x: (-x.units_per_fte, x.worker.last_name))
    return render(
        request,
        "workforce/caseloads.html",
        {
            "rows": _load_rows(loads),
            "scope": scope,
            "scope_label": label,
            "teams": policies.teams_for_caseloads(_viewer(request)).order_by("name"),
            "case_types": CaseType.choices,
        },
    )


@requires(policies.PERFORMANCE)
def team(request: HttpRequest, pk: int) -> HttpResponse:
    """The team's caseload distribution (chart and table), agency mix, and leavers' children."""
    viewer = _viewer(request)
    team = policies.team_caseload_for(viewer, pk)
    teams = Team.objects.filter(pk=team.pk)
    loads = sorted(selectors.caseloads(teams=teams), key=lambda x: -x.units_per_fte)
    agency = sum((x.fte for x in loads if x.worker.employment_type == "agency"), Decimal(0))
    total = sum((x.fte for x in loads), Decimal(0))
    today = timezone.localdate()
    leavers = selectors.leavers_with_children(teams=teams, today=today)
    visible = _visible_ids(viewer, [p.pk for row in leavers for p in row["children"]])
    return render(
        request,
        "workforce/team.html",
        {
            "team": team,
            "rows": _load_rows(loads),
            "agency_fte": agency,
            "permanent_fte": total - agency,
            "agency_share": round(agency / total * 100) if total else 0,
            "leavers": leavers,
            "visible": visible,
            "figures": selectors.workforce_figures(on=today, teams=teams)[0],
            "case_types": CaseType.choices,
            "unallocated": selectors.unallocated_children(teams=teams),
        },
    )


@requires(policies.PERFORMANCE)
def figures(request: HttpRequest) -> HttpResponse:
    """The DfE workforce census figures per team and in total, on any date."""
    error = ""
    on = timezone.localdate()
    raw = request.GET.get("on", "").strip()
    if raw:
        try:
            on = dt.date.fromisoformat(raw)
        except ValueError:
            error = "Enter a date in the form YYYY-MM-DD, like 2026-09-30"
    teams = policies.teams_for_caseloads(_viewer(request))
    rows = [] if error else selectors.workforce_figures(on=on, teams=teams)
    return render(
        request,
        "workforce/figures.html",
        {
            "rows": rows[:-1],
            "total": rows[-1] if rows else None,
            "on": on,
            "raw": raw,
            "error": error,
            "error_list": [error] if error else [],
        },
    )


# --- settings ------------------------------------------------------------------------------------


@requires(policies.SETTINGS)
def settings_page(request: HttpRequest) -> HttpResponse:
    weights = selectors.case_weights()
    rows = {w.case_type: w for w in CaseWeight.objects.all()}
    return render(
        request,
        "workforce/settings.html",
        {
            "weights": [
                (code, label, weights.get(code), rows.get(code)) for code, label in CaseType.choices
            ],
            "teams": Team.objects.filter(is_active=True).prefetch_related("establishment"),
        },
    )


@requires(policies.SETTINGS)
@require_http_methods(["GET", "POST"])
def weight_edit(request: HttpRequest, case_type: str) -> HttpResponse:
    if case_type not in CaseType.values:
        raise Http404
    row = CaseWeight.objects.filter(case_type=case_type).first()
    form = CaseWeightForm(
        posted(request),
        initial={
            "version": row.version if row else None,
            "weight": selectors.case_weights().get(case_type),
        },
    )
    if submitted(
        request,
        form,
        lambda d: services.case_weight_update(
            actor=_viewer(request),
            case_type=case_type,
            weight=d["weight"],
            expected_version=posted_int(request, "version"),
        ),
    ):
        messages.success(request, f"Weight for {CaseType(case_type).label.lower()} cases saved")
        return redirect("workforce:settings")
    return render(
        request,
        "workforce/weight_form.html",
        {"form": form, "label": CaseType(case_type).label},
    )


@requires(policies.SETTINGS)
@require_http_methods(["GET", "POST"])
def establishment_add(request: HttpRequest, team_pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_pk)
    form = EstablishmentForm(posted(request), initial={"effective_from": timezone.localdate()})
    if submitted(
        request,
        form,
        lambda d: services.establishment_set(
            actor=_viewer(request),
            team=team,
            effective_from=d["effective_from"],
            posts_fte=d["posts_fte"],
            note=d["note"],
        ),
    ):
        messages.success(request, f"Establishment for {team.name} saved")
        return redirect("workforce:settings")
    return render(request, "workforce/establishment_form.html", {"form": form, "team": team})
