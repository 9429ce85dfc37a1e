"""The home page: what needs each person today. A manager sees their teams' unallocated children,
caseloads over threshold, overdue statutory items, decisions, escalations, supervision and audit
actions, each linking to the list behind it; a social worker sees their children with what is due
next; other roles see what their role is for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hearth.core.access import signed_in
from hearth.core.choices import RoleCode
from hearth.core.models import User
from hearth.core.selectors import current_council, teams_for_home
from hearth.workforce.policies import teams_for_caseloads

from . import selectors

# What each role's home panel says it is for.
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
# Where a role's work is listed, when it has its own page: (URL name, link text).
ROLE_LINKS: dict[str, tuple[str, str]] = {
    RoleCode.CONFERENCE_CHAIR: ("protection:chair", "Your conferences"),
}
CASE_HOLDERS = (RoleCode.SOCIAL_WORKER, RoleCode.SENIOR_PRACTITIONER)


@signed_in("every signed-in user has a home page showing what their roles allow")
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    roles = list(user.roles.order_by("name"))
    panels = [
        {
            "role": role,
            "summary": ROLE_HOME.get(role.code, ""),
            "link": ROLE_LINKS.get(role.code),
        }
        for role in roles
    ]
    manager = None
    if user.has_perm("core.manage_allocations"):
        teams = teams_for_caseloads(user)
        manager = selectors.manager_page(viewer=user, teams=teams)
    worker = None
    if user.has_role(*CASE_HOLDERS):
        worker = selectors.worker_page(viewer=user)
    return render(
        request,
        "reporting/home.html",
        {
            "panels": panels,
            "teams": list(teams_for_home(user=user)),
            "council": current_council(),
            "manager": manager,
            "worker": worker,
        },
    )
