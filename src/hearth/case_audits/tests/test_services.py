"""Case audit services: templates and their editions, programmes, conducting, submitting,
moderation by a second person, findings and actions."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from hearth.case_audits import services
from hearth.case_audits.models import AuditAction as Action
from hearth.case_audits.models import (
    AuditProgramme,
    AuditStatus,
    AuditTemplate,
    CaseAudit,
    DomainGrade,
    Grade,
    Moderation,
)
from hearth.case_audits.services import DomainSpec, QuestionSpec
from hearth.core.models import AuditEvent, Team, User
from hearth.core.services import ConcurrentEditError
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.notifications.models import Notification
from hearth.people.models import Person
from hearth.people.services import restriction_set

from .conftest import TODAY, complete, held_child

pytestmark = pytest.mark.django_db


# --- submitting ----------------------------------------------------------------------------------


def test_submit_needs_every_domain_graded(case_audit: CaseAudit) -> None:
    voice, planning = case_audit.programme.template.domains.order_by("order")
    saved = services.audit_save(
        actor=case_audit.auditor,
        audit=case_audit,
        grades={voice.pk: (Grade.GOOD, "Seen alone, views recorded."), planning.pk: ("", "")},
        answers={},
        overall_grade=Grade.GOOD,
        summary="",
    )
    assert saved.status == AuditStatus.IN_PROGRESS and saved.started_at is not None

    with pytest.raises(ValidationError) as refused:
        services.audit_submit(actor=saved.auditor, audit=saved)
    assert set(refused.value.message_dict) == {f"domain_{planning.pk}_grade"}
    assert "Planning and risk" in refused.value.message_dict[f"domain_{planning.pk}_grade"][0]
    saved.refresh_from_db()
    assert saved.status == AuditStatus.IN_PROGRESS and saved.submitted_at is None


def test_submit_needs_an_overall_grade(case_audit: CaseAudit) -> None:
    domains = case_audit.programme.template.domains.all()
    saved = services.audit_save(
        actor=case_audit.auditor,
        audit=case_audit,
        grades={d.pk: (Grade.GOOD, "") for d in domains},
        answers={},
        overall_grade="",
        summary="",
    )
    with pytest.raises(ValidationError) as refused:
        services.audit_submit(actor=saved.auditor, audit=saved)
    assert set(refused.value.message_dict) == {"overall_grade"}


def test_submitting_records_the_team_and_worker_holding_the_case(
    case_audit: CaseAudit, worker: User, team: Team
) -> None:
    submitted = complete(case_audit, Grade.REQUIRES_IMPROVEMENT)
    assert submitted.status == AuditStatus.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.team_id == team.pk and submitted.worker_id == worker.pk
    assert submitted.overall_grade == Grade.REQUIRES_IMPROVEMENT
    assert DomainGrade.objects.filter(audit=submitted).count() == 2
    with pytest.raises(ValidationError):  # once submitted it is closed to the auditor
        services.audit_save(
            actor=submitted.auditor,
            audit=submitted,
            grades={},
            answers={},
            overall_grade=Grade.GOOD,
            summary="",
        )


def test_only_the_assigned_auditor_records_the_audit(
    case_audit: CaseAudit, make_user: Callable[..., User]
) -> None:
    other = make_user("auditor")
    with pytest.raises(ValidationError):
        services.audit_save(
            actor=other, audit=case_audit, grades={}, answers={}, overall_grade="", summary=""
        )


def test_a_stale_draft_is_refused(case_audit: CaseAudit) -> None:
    opened_at = case_audit.version
    services.audit_save(
        actor=case_audit.auditor,
        audit=case_audit,
        grades={},
        answers={},
        overall_grade=Grade.GOOD,
        summary="First save",
        expected_version=opened_at,
    )
    with pytest.raises(ConcurrentEditError):
        services.audit_save(
            actor=case_audit.auditor,
            audit=CaseAudit.objects.get(pk=case_audit.pk),
            grades={},
            answers={},
            overall_grade=Grade.INADEQUATE,
            summary="From an old page",
            expected_version=opened_at,
        )
    assert CaseAudit.objects.get(pk=case_audit.pk).summary == "First save"


def test_answers_are_kept_and_updated(case_audit: CaseAudit) -> None:
    question = case_audit.programme.template.domains.get(order=1).questions.get()
    saved = services.audit_save(
        actor=case_audit.auditor,
        audit=case_audit,
        grades={},
        answers={question.pk: ("partly", "Some of their words")},
        overall_grade="",
        summary="",
    )
    services.audit_save(
        actor=case_audit.auditor,
        audit=saved,
        grades={},
        answers={question.pk: ("yes", "Their words throughout")},
        overall_grade="",
        summary="",
    )
    answer = case_audit.answers.get()
    assert (answer.answer, answer.comment) == ("yes", "Their words throughout")


# --- moderation ----------------------------------------------------------------------------------


def test_moderation_is_by_a_second_person_only(
    case_audit: CaseAudit, moderator: User, make_user: Callable[..., User]
) -> None:
    submitted = complete(case_audit, Grade.GOOD)
    # The auditor holds the permission but may not moderate their own audit.
    assert submitted.auditor.has_perm("core.manage_case_audits")
    with pytest.raises(ValidationError, match="second person"):
        services.audit_moderate(
            actor=submitted.auditor,
            audit=submitted,
            agreed=True,
            grade="",
            commentary="Looks right to me.",
        )
    # Someone without the permission may not either.
    with pytest.raises(ValidationError, match="Only someone who runs case audits"):
        services.audit_moderate(
            actor=make_user("team_manager"),
            audit=submitted,
            agreed=True,
            grade="",
            commentary="Agreed.",
        )
    assert not Moderation.objects.exists()

    moderation = services.audit_moderate(
        actor=moderator,
        audit=submitted,
        agreed=False,
        grade=Grade.REQUIRES_IMPROVEMENT,
        commentary="The plan has no contingency: requires improvement.",
    )
    submitted.refresh_from_db()
    assert submitted.status == AuditStatus.MODERATED
    assert moderation.grade == Grade.REQUIRES_IMPROVEMENT and not moderation.agreed
    final = services_final_grade(submitted)
    assert final == Grade.REQUIRES_IMPROVEMENT  # the moderated grade is the final grade
    assert Notification.objects.filter(
        recipient=submitted.auditor, subject="Your case audit has been moderated"
    ).exists()
    with pytest.raises(ValidationError):  # once only
        services.audit_moderate(
            actor=moderator, audit=submitted, agreed=True, grade="", commentary="Again."
        )


def services_final_grade(audit: CaseAudit) -> str:
    from hearth.case_audits.selectors import with_final_grade

    return str(with_final_grade(CaseAudit.objects.filter(pk=audit.pk)).get().final_grade)


def test_moderation_agreeing_keeps_the_grade_and_needs_commentary(
    case_audit: CaseAudit, moderator: User
) -> None:
    submitted = complete(case_audit, Grade.GOOD)
    with pytest.raises(ValidationError) as refused:
        services.audit_moderate(
            actor=moderator, audit=submitted, agreed=True, grade="", commentary=" "
        )
    assert "commentary" in refused.value.message_dict
    with pytest.raises(ValidationError) as same:
        services.audit_moderate(
            actor=moderator, audit=submitted, agreed=False, grade=Grade.GOOD, commentary="Hmm."
        )
    assert "grade" in same.value.message_dict
    moderation = services.audit_moderate(
        actor=moderator,
        audit=submitted,
        agreed=True,
        grade="",
        commentary="Agreed: well evidenced.",
    )
    assert moderation.grade == Grade.GOOD and moderation.agreed


def test_an_audit_not_submitted_cannot_be_moderated(case_audit: CaseAudit, moderator: User) -> None:
    with pytest.raises(ValidationError, match="Only a submitted audit"):
        services.audit_moderate(
            actor=moderator, audit=case_audit, agreed=True, grade="", commentary="Fine."
        )


# --- templates -----------------------------------------------------------------------------------


def test_a_template_in_use_is_superseded_not_edited(
    template: AuditTemplate, case_audit: CaseAudit, auditor: User, child: Person
) -> None:
    complete(case_audit, Grade.GOOD)
    old_domains = list(template.domains.values_list("pk", "title"))
    new = services.template_supersede(
        actor=auditor,
        template=template,
        name=template.name,
        description="Edition 2 adds oversight.",
        domains=[
            *services.template_as_specs(template),
            DomainSpec(
                "Management oversight and supervision",
                "oversight",
                [QuestionSpec("Is supervision reflective?")],
            ),
        ],
        expected_version=template.version,
    )
    template.refresh_from_db()
    assert new.edition == 2 and new.supersedes_id == template.pk and new.active
    assert not template.active
    assert new.domains.count() == 3
    # The past audit keeps the edition and the domains it was graded against.
    assert list(template.domains.values_list("pk", "title")) == old_domains
    case_audit.refresh_from_db()
    assert case_audit.programme.template_id == template.pk
    assert set(case_audit.domain_grades.values_list("domain_id", flat=True)) == {
        pk for pk, _ in old_domains
    }
    # An edition is superseded once; new programmes use the current edition.
    with pytest.raises(ValidationError, match="already been superseded"):
        services.template_supersede(
            actor=auditor,
            template=template,
            name="Another",
            description="",
            domains=services.template_as_specs(template),
        )
    with pytest.raises(ValidationError) as refused:
        services.programme_create(
            actor=auditor,
            name="December",
            template=template,
            period_start=TODAY,
            period_end=TODAY,
            due_by=TODAY,
            persons=[child],
            auditors=[auditor],
        )
    assert "template" in refused.value.message_dict


def test_a_template_needs_a_name_and_a_domain(auditor: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.template_create(actor=auditor, name=" ", description="", domains=[])
    assert {"name", "domains"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError):
        services.template_create(
            actor=auditor, name="Bad", description="", domains=[DomainSpec("Voice", "nonsense")]
        )
    assert not AuditTemplate.objects.exists()


def test_supersede_refuses_a_stale_page(template: AuditTemplate, auditor: User) -> None:
    stale = template.version
    services.template_retire(actor=auditor, template=template)
    with pytest.raises(ConcurrentEditError):
        services.template_supersede(
            actor=auditor,
            template=template,
            name=template.name,
            description="",
            domains=services.template_as_specs(template),
            expected_version=stale,
        )


# --- programmes ----------------------------------------------------------------------------------


def test_programme_spreads_cases_and_never_gives_an_auditor_their_own_case(
    template: AuditTemplate,
    auditor: User,
    worker: User,
    team: Team,
    make_user: Callable[..., User],
) -> None:
    other = make_user("service_manager")
    children = [held_child(worker, team) for _ in range(4)]
    # The second auditor holds one of the cases.
    own = held_child(other, TeamFactory())
    programme = services.programme_create(
        actor=auditor,
        name="Sample",
        template=template,
        period_start=TODAY,
        period_end=TODAY,
        due_by=TODAY + dt.timedelta(days=7),
        persons=[*children, own],
        auditors=[auditor, other],
    )
    audits = list(programme.audits.all())
    assert len(audits) == 5
    by_auditor = {a.auditor_id for a in audits if a.person_id == own.pk}
    assert by_auditor == {auditor.pk}
    counts = [sum(a.auditor_id == u.pk for a in audits) for u in (auditor, other)]
    assert sorted(counts) == [2, 3]
    assert {a.team_id for a in audits if a.person_id != own.pk} == {team.pk}
    # Each auditor is told how many, and nothing about the children.
    notes = Notification.objects.filter(recipient__in=[auditor, other])
    assert notes.count() == 2
    assert all("Testchild" not in n.subject + n.body for n in notes)
    assert AuditEvent.objects.filter(object_type="case_audits.caseaudit").count() == 5


def test_programme_refuses_when_only_the_worker_could_audit(
    template: AuditTemplate, worker: User, child: Person, auditor: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.programme_create(
            actor=auditor,
            name="Self audit",
            template=template,
            period_start=TODAY,
            period_end=TODAY,
            due_by=TODAY,
            persons=[child],
            auditors=[worker],
        )
    assert "auditors" in refused.value.message_dict
    assert not AuditProgramme.objects.exists()


def test_programme_refuses_an_auditor_who_may_not_see_a_restricted_child(
    template: AuditTemplate, child: Person, auditor: User, moderator: User
) -> None:
    restriction_set(
        actor=auditor,
        person=child,
        restricted=True,
        reason="A relative of staff",
        named_staff=[],
        expected_version=None,
    )
    with pytest.raises(ValidationError, match="may not see"):
        services.programme_create(
            actor=auditor,
            name="Restricted",
            template=template,
            period_start=TODAY,
            period_end=TODAY,
            due_by=TODAY,
            persons=[child],
            auditors=[moderator],
        )


def test_programme_needs_the_permission(
    template: AuditTemplate, child: Person, social_worker: User, auditor: User
) -> None:
    with pytest.raises(ValidationError):
        services.programme_create(
            actor=social_worker,
            name="Not mine to run",
            template=template,
            period_start=TODAY,
            period_end=TODAY,
            due_by=TODAY,
            persons=[child],
            auditors=[auditor],
        )


def test_select_cases_by_team_sample_and_name(
    auditor: User, worker: User, team: Team, child: Person
) -> None:
    others = [held_child(worker, team) for _ in range(5)]
    elsewhere = held_child(worker, TeamFactory())
    everyone = services.select_cases(actor=auditor, method="team", team=team)
    assert {p.pk for p in everyone} == {child.pk, *(p.pk for p in others)}
    sample = services.select_cases(
        actor=auditor, method="sample", team=team, sample_size=3, rng=random.Random(1)
    )
    assert len(sample) == 3 and {p.pk for p in sample} <= {p.pk for p in everyone}
    named = services.select_cases(
        actor=auditor, method="named", child_ids=[elsewhere.child_id.lower(), ""]
    )
    assert named == [elsewhere]
    with pytest.raises(ValidationError) as refused:
        services.select_cases(actor=auditor, method="named", child_ids=["ZZZ99999999"])
    assert "child_ids" in refused.value.message_dict
    empty = TeamFactory()
    with pytest.raises(ValidationError, match="holds no open cases"):
        services.select_cases(actor=auditor, method="team", team=empty)


def test_reassign_tells_the_new_auditor_and_refuses_the_worker(
    case_audit: CaseAudit, moderator: User, worker: User, auditor: User
) -> None:
    with pytest.raises(ValidationError):
        services.audit_reassign(actor=auditor, audit=case_audit, auditor=worker)
    moved = services.audit_reassign(
        actor=auditor, audit=case_audit, auditor=moderator, expected_version=case_audit.version
    )
    assert moved.auditor_id == moderator.pk
    assert Notification.objects.filter(recipient=moderator).exists()


# --- findings and actions ------------------------------------------------------------------------


def test_actions_are_owned_told_and_marked_done_by_their_owner(
    case_audit: CaseAudit, worker: User, moderator: User
) -> None:
    action = services.action_add(
        actor=case_audit.auditor,
        audit=case_audit,
        description="Record the child's wishes and feelings in their own words.",
        owner=worker,
        due_on=TODAY + dt.timedelta(days=14),
    )
    assert action.person_id == case_audit.person_id and action.is_open
    assert Notification.objects.filter(recipient=worker, url__contains=str(action.pk)).exists()
    with pytest.raises(ValidationError, match="owner"):
        services.action_complete(actor=moderator, action=action, completed_on=TODAY, note="Done")
    with pytest.raises(ValidationError) as refused:
        services.action_complete(actor=worker, action=action, completed_on=TODAY, note="")
    assert "completion_note" in refused.value.message_dict
    done = services.action_complete(
        actor=worker,
        action=action,
        completed_on=TODAY,
        note="Direct work done; recorded.",
        expected_version=action.version,
    )
    assert done.completed_on == TODAY and not done.is_open and done.completed_by_id == worker.pk


def test_an_action_owner_must_see_the_child_and_a_date_in_the_past_is_refused(
    case_audit: CaseAudit, make_user: Callable[..., User], worker: User
) -> None:
    partner = make_user("partner_agency")
    with pytest.raises(ValidationError) as refused:
        services.action_add(
            actor=case_audit.auditor,
            audit=case_audit,
            description="Something",
            owner=partner,
            due_on=TODAY - dt.timedelta(days=1),
        )
    assert {"owner", "due_on"} <= set(refused.value.message_dict)
    assert not Action.objects.exists()


def test_findings_are_recorded_while_writing_and_removed_without_deleting(
    case_audit: CaseAudit, moderator: User
) -> None:
    finding = services.finding_add(
        actor=case_audit.auditor,
        audit=case_audit,
        theme="voice",
        kind="strength",
        text="The child's words are everywhere on the record.",
    )
    services.finding_remove(actor=case_audit.auditor, finding=finding)
    finding.refresh_from_db()
    assert finding.removed_at is not None  # kept
    with pytest.raises(ValidationError):  # a moderator only once it is submitted
        services.finding_add(
            actor=moderator, audit=case_audit, theme="voice", kind="strength", text="x"
        )
    submitted = complete(case_audit)
    services.finding_add(
        actor=moderator,
        audit=submitted,
        theme="oversight",
        kind="area_for_improvement",
        text="No supervision recorded for three months.",
    )
    with pytest.raises(ValidationError):  # the auditor no longer, once submitted
        services.finding_add(
            actor=submitted.auditor, audit=submitted, theme="voice", kind="strength", text="x"
        )


def test_withdrawing_an_audit_cancels_its_open_actions(
    case_audit: CaseAudit, worker: User, auditor: User
) -> None:
    action = services.action_add(
        actor=auditor,
        audit=case_audit,
        description="Update the chronology.",
        owner=worker,
        due_on=TODAY + dt.timedelta(days=7),
    )
    with pytest.raises(ValidationError):
        services.audit_withdraw(actor=auditor, audit=case_audit, reason=" ")
    services.audit_withdraw(actor=auditor, audit=case_audit, reason="The case closed.")
    case_audit.refresh_from_db()
    action.refresh_from_db()
    assert case_audit.status == AuditStatus.WITHDRAWN
    assert action.cancelled_on == TODAY and "The case closed." in action.cancel_reason
    assert AuditEvent.objects.filter(
        object_type="case_audits.caseaudit", action="archive", person_id=str(case_audit.person_id)
    ).exists()


def test_every_change_is_on_the_audit_trail_with_the_child(case_audit: CaseAudit) -> None:
    complete(case_audit)
    events = AuditEvent.objects.filter(
        object_type="case_audits.caseaudit", object_id=str(case_audit.pk)
    )
    assert events.count() == 3  # assigned, draft saved, submitted
    assert set(events.values_list("person_id", flat=True)) == {str(case_audit.person_id)}


def test_team_membership_is_not_needed_to_audit(
    template: AuditTemplate, auditor: User, worker: User
) -> None:
    # A child with no allocation (unallocated) can be audited; no team or worker is recorded.
    child = held_child(worker, TeamFactory())
    child.allocations.update(end_date=TODAY, end_reason="episode_closed")
    TeamMembershipFactory()
    programme = services.programme_create(
        actor=auditor,
        name="Unallocated",
        template=template,
        period_start=TODAY,
        period_end=TODAY,
        due_by=TODAY,
        persons=[child],
        auditors=[auditor],
    )
    audit = programme.audits.get()
    assert audit.team_id is None and audit.worker_id is None
    submitted = complete(audit)
    assert submitted.team_id is None
