"""Who may see and do what with case audits.

- Anyone who may see the child sees the child's audits, findings and actions; a child they may not
  see is "not found" (404), and an attempt on a restricted record is logged (`person_for`).
- `core.manage_case_audits` (auditors, service managers, heads of service, directors) creates
  templates and programmes, assigns, reassigns and withdraws audits, and moderates.
- The assigned auditor conducts the audit; nobody moderates an audit they conducted.
- An action's owner marks it done; a holder of `core.manage_case_audits` may cancel it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from hearth.core.models import User
from hearth.people.policies import person_for, persons_visible_to

from .models import AuditAction as Action
from .models import AuditStatus, CaseAudit

VIEW = "core.view_case_records"
MANAGE = "core.manage_case_audits"
# The summary holds counts, not children: quality assurance and anyone who sees performance.
SUMMARY = (MANAGE, "core.view_performance")


def audits_visible_to(user: User) -> QuerySet[CaseAudit]:
    return CaseAudit.objects.filter(person__in=persons_visible_to(user))


def actions_visible_to(user: User) -> QuerySet[Action]:
    return Action.objects.filter(person__in=persons_visible_to(user))


def audit_for(user: User, pk: int, action: str = "view") -> CaseAudit:
    """The audit if the user may see its child (404 otherwise), and may do `action`:
    "view", "conduct" (the assigned auditor), "moderate" or "manage" (the permission)."""
    audit = get_object_or_404(
        CaseAudit.objects.select_related(
            "programme__template", "person", "auditor", "team", "worker"
        ),
        pk=pk,
    )
    person_for(user, audit.person_id)  # 404, logged for a restricted record
    if action == "conduct" and audit.auditor_id != user.pk:
        raise PermissionDenied
    if action in ("moderate", "manage") and not user.has_perm(MANAGE):
        raise PermissionDenied
    return audit


def action_for(user: User, pk: int) -> Action:
    action = get_object_or_404(
        Action.objects.select_related("person", "owner", "audit__programme", "raised_by"), pk=pk
    )
    person_for(user, action.person_id)
    return action


def may_conduct(user: User, audit: CaseAudit) -> bool:
    return audit.auditor_id == user.pk and audit.status in (
        AuditStatus.PLANNED,
        AuditStatus.IN_PROGRESS,
    )


def may_moderate(user: User, audit: CaseAudit) -> bool:
    return (
        user.has_perm(MANAGE)
        and audit.auditor_id != user.pk
        and audit.status == AuditStatus.SUBMITTED
    )


def may_manage(user: User, audit: CaseAudit) -> bool:
    """Reassign or withdraw: before the audit is submitted."""
    return user.has_perm(MANAGE) and audit.status in (
        AuditStatus.PLANNED,
        AuditStatus.IN_PROGRESS,
    )


def may_record_findings(user: User, audit: CaseAudit) -> bool:
    """The auditor while writing the audit; the moderator while moderating it."""
    return may_conduct(user, audit) or may_moderate(user, audit)


def may_complete(user: User, action: Action) -> bool:
    return action.owner_id == user.pk and action.is_open


def may_cancel(user: User, action: Action) -> bool:
    return user.has_perm(MANAGE) and action.is_open
