"""The home page: one panel per role the user holds (later issues fill them with work lists)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hearth.core.access import signed_in
from hearth.core.choices import RoleCode
from hearth.core.models import User
from hearth.core.selectors import current_council, teams_for_home

# What each role's home panel says it is for, until later issues fill it with live work lists.
ROLE_HOME: dict[str, str] = {
    RoleCode.SOCIAL_WORKER: "Your children, visits and deadlines due this week.",
    RoleCode.SENIOR_PRACTITIONER: "Your children and the cases you oversee for the team manager.",
    RoleCode.TEAM_MANAGER: (
        "Your team's caseloads, unallocated work, overdue deadlines and decisions awaiting you."
    ),
    RoleCode.SERVICE_MANAGER: "Your teams' caseloads, unallocated work and timeliness.",
    RoleCode.HEAD_OF_SERVICE: "Your service's performance, timeliness and outcomes.",
    RoleCode.DIRECTOR: "The whole service at a glance: demand, timeliness, outcomes and workforce.",
    RoleCode.IRO: "Children in care you review: reviews due, escalations open.",
    RoleCode.CONFERENCE_CHAIR: "Child protection conferences due and escalations open.",
    RoleCode.PERSONAL_ADVISER: "Care leavers you support: contact due, pathway plans to review.",
    RoleCode.FAMILY_SUPPORT_WORKER: "Families you work with and sessions planned.",
    RoleCode.BUSINESS_SUPPORT: "Meetings to arrange, minutes and letters to send.",
    RoleCode.PERFORMANCE_ANALYST: "Indicators, statutory returns and data quality.",
    RoleCode.AUDITOR: "Case audits due and the audit trail.",
    RoleCode.SYSTEM_ADMINISTRATOR: "Users, teams, roles and local settings.",
    RoleCode.PARTNER_AGENCY: "Send a contact to the front door and follow the contacts you sent.",
}


@signed_in("every signed-in user has a home page showing what their roles allow")
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    roles = list(user.roles.order_by("name"))
    panels = [{"role": role, "summary": ROLE_HOME.get(role.code, "")} for role in roles]
    teams = list(teams_for_home(user=user))
    council = current_council()
    return render(
        request,
        "reporting/home.html",
        {"panels": panels, "teams": teams, "council": council},
    )
