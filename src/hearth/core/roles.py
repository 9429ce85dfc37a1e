"""Default roles and the permissions each holds. `sync_roles` creates missing roles; it never
removes permissions an administrator has added."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import transaction

from .choices import RoleCode
from .models import Role

CASEWORK = ["core.view_case_records", "core.edit_case_records", "core.view_staff_directory"]
MANAGEMENT = [*CASEWORK, "core.manage_allocations", "core.view_performance"]

DEFAULT_ROLE_PERMISSIONS: dict[str, dict[str, object]] = {
    RoleCode.SOCIAL_WORKER: {"perms": CASEWORK, "description": "Holds cases; records casework."},
    RoleCode.SENIOR_PRACTITIONER: {
        "perms": [*CASEWORK, "core.manage_allocations"],
        "description": "Holds complex cases; supervises and deputises for the team manager.",
    },
    RoleCode.TEAM_MANAGER: {
        "perms": MANAGEMENT,
        "description": "Manages a team: allocation, supervision, management oversight.",
    },
    RoleCode.SERVICE_MANAGER: {
        "perms": [*MANAGEMENT, "core.manage_case_audits"],
        "description": "Manages several teams.",
    },
    RoleCode.HEAD_OF_SERVICE: {
        "perms": [*MANAGEMENT, "core.manage_case_audits", "timescales.manage_local_standards"],
        "description": "Leads a service area; sets local practice standards.",
    },
    RoleCode.DIRECTOR: {
        "perms": [
            *MANAGEMENT,
            "core.view_audit",
            "core.manage_case_audits",
            "timescales.manage_local_standards",
        ],
        "description": "Director of children's services.",
    },
    RoleCode.IRO: {
        "perms": [*CASEWORK, "core.chair_reviews"],
        "description": "Chairs reviews for children in care; independent oversight.",
    },
    RoleCode.CONFERENCE_CHAIR: {
        "perms": [*CASEWORK, "core.chair_reviews"],
        "description": "Chairs child protection conferences.",
    },
    RoleCode.PERSONAL_ADVISER: {"perms": CASEWORK, "description": "Supports care leavers."},
    RoleCode.FAMILY_SUPPORT_WORKER: {
        "perms": CASEWORK,
        "description": "Direct work with families under a social worker's plan.",
    },
    RoleCode.BUSINESS_SUPPORT: {
        "perms": ["core.view_case_records", "core.view_staff_directory"],
        "description": "Minutes, letters and administration.",
    },
    RoleCode.PERFORMANCE_ANALYST: {
        "perms": ["core.view_performance", "core.view_staff_directory"],
        "description": "Reports, indicators and statutory returns.",
    },
    RoleCode.AUDITOR: {
        "perms": [
            "core.view_case_records",
            "core.view_audit",
            "core.view_staff_directory",
            "core.manage_case_audits",
        ],
        "description": "Case audit and information governance; reads the audit trail.",
    },
    RoleCode.SYSTEM_ADMINISTRATOR: {
        "perms": [
            "core.manage_users",
            "core.view_audit",
            "core.view_staff_directory",
            "timescales.manage_local_standards",
            "timescales.manage_bank_holidays",
        ],
        "description": "Manages users, teams, roles and local settings.",
    },
    RoleCode.PARTNER_AGENCY: {
        "perms": ["core.submit_partner_contacts"],
        "description": "Police, health, school or other agency staff who send contacts.",
    },
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def sync_roles() -> list[Role]:
    roles = []
    for code, spec in DEFAULT_ROLE_PERMISSIONS.items():
        role, created = Role.objects.get_or_create(
            code=code,
            defaults={
                "name": RoleCode(code).label,
                "description": spec["description"],
                "two_factor_required": bool(spec.get("two_factor", False)),
            },
        )
        if created:
            role.permissions.set([_permission(p) for p in spec["perms"]])  # type: ignore[attr-defined]
        roles.append(role)
    return roles
