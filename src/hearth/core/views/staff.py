"""Administrators manage users, teams and roles here; anyone with the directory may look."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import audit, policies, selectors, services
from ..access import requires
from ..choices import RoleCode, ServiceArea
from ..forms.staff import (
    RoleForm,
    TeamForm,
    TeamMemberEndForm,
    TeamMemberForm,
    UserCloseForm,
    UserForm,
)
from ..models import User
from .submit import posted, posted_int, submitted


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- users -------------------------------------------------------------------------------------


@requires("core.manage_users")
def user_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    status = request.GET.get("status", "active")
    active = {"active": True, "closed": False}.get(status)
    qs = selectors.user_list(viewer=_viewer(request), search=search, role=role, active=active)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/staff/user_list.html",
        {
            "page_obj": page,
            "q": search,
            "role": role,
            "status": status,
            "role_choices": RoleCode.choices,
        },
    )


@requires("core.manage_users")
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(posted(request), initial={"employment_type": "permanent", "fte": 1})
    user = submitted(
        request,
        form,
        lambda d: services.user_create(actor=_viewer(request), roles=d.pop("roles"), **d),
    )
    if user is not None:
        messages.success(
            request,
            f"{user.full_name} can set a password with ‘Forgotten your password?’ at sign-in",
        )
        return redirect("core:user-detail", pk=user.pk)
    return render(request, "core/staff/user_form.html", {"form": form, "creating": True})


@requires("core.manage_users")
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff = selectors.user_detail(viewer=_viewer(request), pk=pk)
    audit.record_view(actor=_viewer(request), obj=staff)
    return render(request, "core/staff/user_detail.html", {"staff": staff})


@requires("core.manage_users")
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    staff = policies.staff_for(_viewer(request), pk, action="edit")
    form = UserForm(posted(request), initial=UserForm.initial_for(staff))
    version = posted_int(request, "version")
    saved = submitted(
        request,
        form,
        lambda d: services.user_update(
            actor=_viewer(request),
            user=staff,
            roles=d.pop("roles"),
            data=d,
            expected_version=version,
        ),
    )
    if saved is not None:
        messages.success(request, f"{staff.full_name}’s details have been updated")
        return redirect("core:user-detail", pk=staff.pk)
    return render(request, "core/staff/user_form.html", {"form": form, "staff": staff})


@requires("core.manage_users")
@require_http_methods(["GET", "POST"])
def user_close(request: HttpRequest, pk: int) -> HttpResponse:
    staff = policies.staff_for(_viewer(request), pk, action="edit")
    form = UserCloseForm(posted(request))
    if submitted(
        request, form, lambda d: services.user_deactivate(actor=_viewer(request), user=staff, **d)
    ):
        messages.success(request, f"{staff.full_name}’s account has been closed")
        return redirect("core:user-detail", pk=staff.pk)
    return render(request, "core/staff/user_close.html", {"form": form, "staff": staff})


# --- teams -------------------------------------------------------------------------------------


@requires("core.view_staff_directory")
def team_list(request: HttpRequest) -> HttpResponse:
    area = request.GET.get("service_area", "")
    teams = selectors.team_list(viewer=_viewer(request), service_area=area)
    return render(
        request,
        "core/staff/team_list.html",
        {"teams": teams, "service_area": area, "area_choices": ServiceArea.choices},
    )


@requires("core.view_staff_directory")
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_detail(viewer=_viewer(request), pk=pk)
    current = [m for m in team.membership_list if m.end_date is None]  # type: ignore[attr-defined]
    former = [m for m in team.membership_list if m.end_date is not None]  # type: ignore[attr-defined]
    return render(
        request, "core/staff/team_detail.html", {"team": team, "current": current, "former": former}
    )


@requires("core.manage_users")
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(posted(request), initial={"caseload_amber": 18, "caseload_red": 22})
    team = submitted(request, form, lambda d: services.team_create(actor=_viewer(request), **d))
    if team is not None:
        messages.success(request, f"{team.name} has been created")
        return redirect("core:team-detail", pk=team.pk)
    return render(request, "core/staff/team_form.html", {"form": form, "creating": True})


@requires("core.manage_users")
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = policies.team_for(_viewer(request), pk, action="edit")
    initial: dict[str, Any] = {
        "version": team.version,
        "name": team.name,
        "service_area": team.service_area,
        "manager": team.manager_id,
        "caseload_amber": team.caseload_amber,
        "caseload_red": team.caseload_red,
    }
    form = TeamForm(posted(request), initial=initial)
    version = posted_int(request, "version")
    if submitted(
        request,
        form,
        lambda d: services.team_update(
            actor=_viewer(request), team=team, data=d, expected_version=version
        ),
    ):
        messages.success(request, f"{team.name} has been updated")
        return redirect("core:team-detail", pk=team.pk)
    return render(request, "core/staff/team_form.html", {"form": form, "team": team})


@requires("core.manage_users")
@require_http_methods(["GET", "POST"])
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = policies.team_for(_viewer(request), pk, action="edit")
    form = TeamMemberForm(posted(request))
    if submitted(
        request, form, lambda d: services.team_member_add(actor=_viewer(request), team=team, **d)
    ):
        messages.success(request, f"{form.cleaned_data['user']} has joined {team.name}")
        return redirect("core:team-detail", pk=team.pk)
    return render(request, "core/staff/team_member_form.html", {"form": form, "team": team})


@requires("core.manage_users")
@require_http_methods(["GET", "POST"])
def team_member_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = policies.membership_for(_viewer(request), pk)
    form = TeamMemberEndForm(posted(request))
    if submitted(
        request,
        form,
        lambda d: services.team_member_end(actor=_viewer(request), membership=membership, **d),
    ):
        messages.success(request, f"{membership.user} has left {membership.team.name}")
        return redirect("core:team-detail", pk=membership.team_id)
    return render(
        request, "core/staff/team_member_end.html", {"form": form, "membership": membership}
    )


# --- roles -------------------------------------------------------------------------------------


@requires("core.manage_users")
def role_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/staff/role_list.html", {"roles": selectors.role_list()})


@requires("core.manage_users")
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = policies.role_for(_viewer(request), pk)
    initial = {
        "version": role.version,
        "permissions": list(role.permissions.all()),
        "two_factor_required": role.two_factor_required,
    }
    form = RoleForm(posted(request), initial=initial)
    version = posted_int(request, "version")
    if submitted(
        request,
        form,
        lambda d: services.role_update(
            actor=_viewer(request), role=role, expected_version=version, **d
        ),
    ):
        messages.success(request, f"The {role.name} role has been updated")
        return redirect("core:role-list")
    return render(request, "core/staff/role_form.html", {"form": form, "role": role})
