"""Case audits in the child's chronology: audits submitted and moderated, actions raised and done
(two queries)."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.urls import reverse

from hearth.core.models import User
from hearth.people.chronology import Entry, register_chronology_source
from hearth.people.models import Person

from .models import COMPLETED_STATUSES, CaseAudit, Grade
from .models import AuditAction as Action

KIND = "case-audit"
LONDON = ZoneInfo("Europe/London")


def _grade(value: str) -> str:
    return str(Grade(value).label).lower() if value in Grade.values else "not graded"


@register_chronology_source(KIND, "Case audits")
def case_audit_entries(person: Person, viewer: User) -> Iterable[Entry]:
    audits = CaseAudit.objects.filter(person=person, status__in=COMPLETED_STATUSES).select_related(
        "auditor", "moderation__moderator"
    )
    for audit in audits:
        url = reverse("case_audits:audit", args=[audit.pk])
        if audit.submitted_at is None:  # pragma: no cover (completed audits are submitted)
            continue
        yield Entry(
            on=audit.submitted_at.astimezone(LONDON).date(),
            at=audit.submitted_at,
            kind=KIND,
            title=f"Case audit: graded {_grade(audit.overall_grade)} by the auditor",
            detail=audit.summary[:300],
            url=url,
            by=audit.auditor.full_name,
        )
        moderation = getattr(audit, "moderation", None)
        if moderation is not None:
            outcome = (
                f"grade {_grade(moderation.grade)} agreed"
                if moderation.agreed
                else f"grade changed from {_grade(audit.overall_grade)} to "
                f"{_grade(moderation.grade)}"
            )
            yield Entry(
                on=moderation.moderated_at.astimezone(LONDON).date(),
                at=moderation.moderated_at,
                kind=KIND,
                title=f"Case audit moderated: {outcome}",
                detail=moderation.commentary[:300],
                url=url,
                by=moderation.moderator.full_name,
            )
    for action in Action.objects.filter(person=person).select_related("owner", "raised_by"):
        url = reverse("case_audits:action", args=[action.pk])
        yield Entry(
            on=action.raised_on,
            kind=KIND,
            title=f"Audit action for {action.owner.full_name}, due {action.due_on:%d %B %Y}",
            detail=action.description[:300],
            url=url,
            by=action.raised_by.full_name if action.raised_by else "",
        )
        if action.completed_on is not None:
            yield Entry(
                on=action.completed_on,
                kind=KIND,
                title="Audit action done",
                detail=action.completion_note[:300],
                url=url,
                by=action.owner.full_name,
            )
