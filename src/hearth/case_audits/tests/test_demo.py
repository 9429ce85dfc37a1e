"""The synthetic council's audit history: reproducible, realistic, and consistent with the rules
the services enforce."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count

from hearth.case_audits.demo_steps import (
    AUDITS_PER_WORKER_PER_QUARTER,
)
from hearth.case_audits.models import AuditAction as Action
from hearth.case_audits.models import (
    AuditDomain,
    AuditProgramme,
    AuditQuestion,
    AuditStatus,
    CaseAudit,
    DomainGrade,
    Finding,
    Grade,
    Moderation,
    QuestionAnswer,
)
from hearth.core.models import Council, User
from hearth.demo.generator import generate_council
from hearth.demo.stats import stats_json
from hearth.people.policies import persons_visible_to
from hearth.workforce.models import Allocation

REFERENCE_DATE = dt.date(2025, 3, 31)
OPTIONS = {"seed": 11, "children": 5_000, "years": 2, "reference_date": REFERENCE_DATE}
STRONG = {Grade.OUTSTANDING, Grade.GOOD}
pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def digest() -> str:
    """The audit tables by natural keys (no primary keys or creation times), and the stats."""
    tables: list[Any] = [
        sorted(
            CaseAudit.objects.values_list(
                "programme__name",
                "person__child_id",
                "auditor__email",
                "status",
                "overall_grade",
                "submitted_at",
                "team__name",
                "worker__email",
            )
        ),
        sorted(
            Moderation.objects.values_list(
                "audit__person__child_id", "moderator__email", "grade", "agreed", "moderated_at"
            )
        ),
        sorted(Finding.objects.values_list("audit__person__child_id", "theme", "kind", "text")),
        sorted(
            Action.objects.values_list(
                "person__child_id", "owner__email", "description", "due_on", "completed_on"
            )
        ),
        json.loads(stats_json())["case_audits"],
    ]
    return hashlib.sha256(json.dumps(tables, default=str).encode()).hexdigest()


def _generate_and_capture(**options: Any) -> tuple[str, dict[str, Any]]:
    captured: tuple[str, dict[str, Any]] | None = None
    try:
        with transaction.atomic():
            generate_council(**options)
            captured = (digest(), json.loads(stats_json())["case_audits"])
            raise _Rollback
    except _Rollback:
        pass
    assert captured is not None
    return captured


@pytest.fixture(scope="module")
def council(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        first, _ = _generate_and_capture(**OPTIONS)
        _, stressed = _generate_and_capture(**{**OPTIONS, "scenario": "stressed"})
        assert not Council.objects.exists()
        with transaction.atomic():
            result = generate_council(**OPTIONS)
            yield {
                "first_digest": first,
                "second_digest": digest(),
                "stats": json.loads(stats_json())["case_audits"],
                "stressed": stressed,
                "result": result,
            }
            transaction.set_rollback(True)


def test_same_seed_gives_the_same_audits(council: dict[str, Any]) -> None:
    assert council["first_digest"] == council["second_digest"]


def test_a_realistic_audit_history(council: dict[str, Any]) -> None:
    stats = council["stats"]
    assert stats["templates"] == 1 and stats["programmes"] == 24  # monthly, two years
    year = stats["last_12_months"]
    assert year["audits_completed"] > 50
    grades = year["by_final_grade"]
    assert set(grades) == set(Grade.values)
    # Typical: mostly good or requires improvement.
    assert grades["good"] + grades["requires_improvement"] > 0.6 * year["audits_completed"]
    assert grades["outstanding"] < grades["good"] and grades["inadequate"] < grades["good"]
    # Most moderated (about 90% of recent audits, nearly all older ones), but not every one.
    assert 0.8 <= year["moderated_share"] < 1.0
    assert 0 < year["grade_changed_at_moderation"] < year["moderated"] / 3
    assert year["areas_for_improvement"] > 0 and year["strengths"] > 0
    actions = stats["actions"]
    assert actions["raised"] > actions["completed"] > actions["open"] > 0
    assert 0 < actions["overdue_at_reference_date"] <= actions["open"]


def test_a_stressed_council_grades_worse(council: dict[str, Any]) -> None:
    typical = council["stats"]["last_12_months"]
    stressed = council["stressed"]["last_12_months"]
    assert stressed["good_or_better_share"] < typical["good_or_better_share"] - 0.1
    share_inadequate = stressed["by_final_grade"]["inadequate"] / stressed["audits_completed"]
    assert share_inadequate > typical["by_final_grade"]["inadequate"] / typical["audits_completed"]
    assert stressed["moderated_share"] < typical["moderated_share"]
    assert council["stressed"]["actions"]["overdue_at_reference_date"] > 0


def test_audits_sample_about_two_cases_per_social_worker_a_quarter(
    council: dict[str, Any],
) -> None:
    workers = User.objects.filter(
        is_active=True, roles__code__in=["social_worker", "senior_practitioner"]
    ).distinct()
    per_month = round(workers.count() * AUDITS_PER_WORKER_PER_QUARTER / 3)
    sizes = sorted(
        AuditProgramme.objects.filter(period_start__gt=REFERENCE_DATE - dt.timedelta(days=365))
        .annotate(n=Count("audits"))
        .values_list("n", flat=True)
    )
    assert len(sizes) == 12
    assert abs(sizes[6] - per_month) <= 1  # the median month
    # Nobody is audited twice within six months.
    seen: dict[int, dt.date] = {}
    for person_id, start in CaseAudit.objects.order_by("programme__period_start").values_list(
        "person_id", "programme__period_start"
    ):
        if person_id in seen:
            assert (start - seen[person_id]).days > 180
        seen[person_id] = start


def test_audits_follow_the_rules_the_services_enforce(council: dict[str, Any]) -> None:
    domains = AuditDomain.objects.count()
    questions = AuditQuestion.objects.count()
    assert domains == 6 and 12 <= questions <= 20
    graded = dict(
        DomainGrade.objects.exclude(grade="")
        .values_list("audit_id")
        .annotate(n=Count("id"))
        .values_list("audit_id", "n")
    )
    answered = set(QuestionAnswer.objects.values_list("audit_id", flat=True))
    completed = CaseAudit.objects.filter(status__in=["submitted", "moderated"]).select_related(
        "auditor"
    )
    assert completed.exists()
    for audit in completed:
        assert graded[audit.pk] == domains and audit.overall_grade
        assert audit.pk in answered
        assert audit.worker_id != audit.auditor_id
        assert audit.started_at is not None and audit.submitted_at is not None
        assert audit.started_at <= audit.submitted_at
        assert audit.submitted_at.date() <= REFERENCE_DATE
    for moderation in Moderation.objects.select_related("audit", "moderator"):
        assert moderation.moderator_id != moderation.audit.auditor_id
        assert moderation.moderator.has_perm("core.manage_case_audits")
        assert moderation.audit.status == AuditStatus.MODERATED
        assert moderation.agreed == (moderation.grade == moderation.audit.overall_grade)
        assert moderation.audit.submitted_at is not None
        assert moderation.moderated_at >= moderation.audit.submitted_at
    assert not CaseAudit.objects.filter(status="moderated", moderation__isnull=True).exists()


def test_findings_follow_the_domain_grades(council: dict[str, Any]) -> None:
    grades = {
        (audit_id, theme): grade
        for audit_id, theme, grade in DomainGrade.objects.values_list(
            "audit_id", "domain__theme", "grade"
        )
    }
    findings = list(Finding.objects.values_list("audit_id", "theme", "kind"))
    assert findings
    for audit_id, theme, kind in findings:
        assert (grades[(audit_id, theme)] in STRONG) == (kind == "strength")


def test_actions_are_owned_by_staff_who_can_see_the_child(council: dict[str, Any]) -> None:
    actions = list(Action.objects.select_related("owner", "audit"))
    assert actions
    for action in actions[:300]:
        assert action.owner.is_active
        assert persons_visible_to(action.owner).filter(pk=action.person_id).exists()
        assert action.person_id == action.audit.person_id
        assert action.raised_on <= action.due_on
        if action.completed_on:
            assert action.raised_on <= action.completed_on < REFERENCE_DATE
            assert action.completion_note


def test_audits_record_the_team_holding_the_case(council: dict[str, Any]) -> None:
    if not Allocation.objects.exists():  # pragma: no cover (before the allocation step)
        assert not CaseAudit.objects.exclude(team=None).exists()
        return
    for audit in CaseAudit.objects.select_related("programme")[:200]:
        held = Allocation.objects.filter(
            person_id=audit.person_id,
            role="lead",
            team_id=audit.team_id,
            worker_id=audit.worker_id,
            start_date__lte=audit.programme.period_start,
        )
        assert held.exists()


def test_the_demo_auditor_has_audits_to_do(council: dict[str, Any]) -> None:
    auditor = council["result"].demo_accounts.get("auditor")
    assert auditor is not None
    open_audits = CaseAudit.objects.filter(
        auditor=auditor, status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS]
    )
    assert open_audits.exists()
    assert CaseAudit.objects.filter(status=AuditStatus.SUBMITTED).exclude(auditor=auditor).exists()
