"""Case audit pages: an allow and a deny case for each, and what each page does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from hearth.case_audits import services
from hearth.case_audits.models import AuditAction as Action
from hearth.case_audits.models import (
    AuditProgramme,
    AuditStatus,
    AuditTemplate,
    CaseAudit,
    Finding,
    Grade,
    Moderation,
)
from hearth.core.models import AuditEvent, Team, User
from hearth.people.models import Person
from hearth.people.services import restriction_set

from .conftest import TODAY, complete

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def restrict(child: Person, by: User, named: list[User] | None = None) -> None:
    restriction_set(
        actor=by,
        person=child,
        restricted=True,
        reason="A relative of a member of staff",
        named_staff=named or [],
        expected_version=None,
    )


@pytest.fixture
def action(case_audit: CaseAudit, worker: User) -> Action:
    return services.action_add(
        actor=case_audit.auditor,
        audit=case_audit,
        description="See the child alone and record their views.",
        owner=worker,
        due_on=TODAY + dt.timedelta(days=14),
    )


# --- my audits -----------------------------------------------------------------------------------


def test_an_auditor_sees_their_audits(client_for: Client, case_audit: CaseAudit) -> None:
    page = client_for(case_audit.auditor).get(reverse("case_audits:mine"))
    assert page.status_code == 200
    assert "Ava Testchild" in page.content.decode()
    assert reverse("case_audits:audit", args=[case_audit.pk]) in page.content.decode()


def test_my_audits_refused_without_case_records(
    client_for: Client, make_user: Callable[..., User]
) -> None:
    page = client_for(make_user("partner_agency")).get(reverse("case_audits:mine"))
    assert page.status_code == 403


def test_my_audits_lists_audits_waiting_for_moderation_by_others(
    client_for: Client, case_audit: CaseAudit, moderator: User
) -> None:
    complete(case_audit)
    page = client_for(moderator).get(reverse("case_audits:mine"))
    assert reverse("case_audits:moderate", args=[case_audit.pk]) in page.content.decode()
    own = client_for(case_audit.auditor).get(reverse("case_audits:mine"))
    assert reverse("case_audits:moderate", args=[case_audit.pk]) not in own.content.decode()


# --- templates -----------------------------------------------------------------------------------


def template_form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Thematic audit: neglect",
        "description": "",
        "domain_1_title": "The child's lived experience",
        "domain_1_theme": "voice",
        "domain_1_questions": (
            "Is the child seen alone? | At every visit\nAre their views recorded?"
        ),
        "domain_2_title": "Planning",
        "domain_2_theme": "planning",
        "domain_2_questions": "",
    }
    data.update(overrides)
    return data


def test_creating_a_template(client_for: Client, auditor: User) -> None:
    client = client_for(auditor)
    assert client.get(reverse("case_audits:template-new")).status_code == 200
    response = client.post(reverse("case_audits:template-new"), template_form())
    template = AuditTemplate.objects.get(name="Thematic audit: neglect")
    assert response.status_code == 302
    first = template.domains.get(order=1)
    assert [(q.text, q.guidance) for q in first.questions.all()] == [
        ("Is the child seen alone?", "At every visit"),
        ("Are their views recorded?", ""),
    ]
    page = client.get(reverse("case_audits:templates"))
    assert "Thematic audit: neglect" in page.content.decode()


def test_a_template_form_with_a_domain_missing_its_theme_is_refused(
    client_for: Client, auditor: User
) -> None:
    response = client_for(auditor).post(
        reverse("case_audits:template-new"), template_form(domain_2_theme="")
    )
    assert response.status_code == 400
    assert "Select a theme for domain 2" in response.content.decode()
    assert not AuditTemplate.objects.exists()


@pytest.mark.parametrize("name", ["templates", "template-new"])
def test_template_pages_refused_without_the_permission(
    name: str, client_for: Client, social_worker: User
) -> None:
    assert client_for(social_worker).get(reverse(f"case_audits:{name}")).status_code == 403


def test_superseding_a_template_from_its_page(
    client_for: Client, auditor: User, template: AuditTemplate, social_worker: User
) -> None:
    client = client_for(auditor)
    page = client.get(reverse("case_audits:template-supersede", args=[template.pk]))
    assert page.status_code == 200
    assert "Is the plan specific?" in page.content.decode()  # starts from the current edition
    response = client.post(
        reverse("case_audits:template-supersede", args=[template.pk]),
        template_form(name=template.name, version=str(template.version)),
    )
    assert response.status_code == 302
    new = AuditTemplate.objects.get(supersedes=template)
    assert new.edition == 2
    assert client.get(reverse("case_audits:template", args=[template.pk])).status_code == 200
    denied = client_for(social_worker).get(reverse("case_audits:template-supersede", args=[new.pk]))
    assert denied.status_code == 403


def test_retiring_a_template(
    client_for: Client, auditor: User, template: AuditTemplate, social_worker: User
) -> None:
    url = reverse("case_audits:template-retire", args=[template.pk])
    assert client_for(social_worker).post(url).status_code == 403
    response = client_for(auditor).post(url, {"version": template.version})
    assert response.status_code == 302
    template.refresh_from_db()
    assert not template.active


# --- programmes ----------------------------------------------------------------------------------


def programme_form(
    template: AuditTemplate, auditors: list[User], **overrides: str
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Monthly case audit: November",
        "template": str(template.pk),
        **date_fields("period_start", TODAY - dt.timedelta(days=30)),
        **date_fields("period_end", TODAY),
        **date_fields("due_by", TODAY + dt.timedelta(days=21)),
        "method": "sample",
        "sample_size": "1",
        "auditors": [str(a.pk) for a in auditors],
        "notes": "",
    }
    data.update(overrides)
    return data


def test_creating_a_programme_by_sampling_a_team(
    client_for: Client,
    auditor: User,
    moderator: User,
    template: AuditTemplate,
    team: Team,
    child: Person,
) -> None:
    client = client_for(auditor)
    assert client.get(reverse("case_audits:programme-new")).status_code == 200
    response = client.post(
        reverse("case_audits:programme-new"),
        programme_form(template, [moderator], team=str(team.pk)),
    )
    assert response.status_code == 302, response.content.decode()
    programme = AuditProgramme.objects.get()
    audit = programme.audits.get()
    assert audit.person_id == child.pk and audit.auditor_id == moderator.pk
    page = client.get(reverse("case_audits:programme", args=[programme.pk]))
    assert page.status_code == 200
    assert "0 of 1" in page.content.decode()
    listing = client.get(reverse("case_audits:programmes"))
    assert programme.name in listing.content.decode()


def test_a_programme_by_named_children_reports_an_unknown_child_id(
    client_for: Client, auditor: User, template: AuditTemplate
) -> None:
    response = client_for(auditor).post(
        reverse("case_audits:programme-new"),
        programme_form(template, [auditor], method="named", child_ids="ZZZ00000000"),
    )
    assert response.status_code == 400
    assert "No child you can see has the child ID ZZZ00000000" in response.content.decode()
    assert not AuditProgramme.objects.exists()


def test_a_user_without_the_permission_cannot_create_a_programme(
    client_for: Client,
    make_user: Callable[..., User],
    template: AuditTemplate,
    team: Team,
    child: Person,
) -> None:
    manager = make_user("team_manager")
    client = client_for(manager)
    assert client.get(reverse("case_audits:programme-new")).status_code == 403
    response = client.post(
        reverse("case_audits:programme-new"),
        programme_form(template, [manager], team=str(team.pk)),
    )
    assert response.status_code == 403
    assert not AuditProgramme.objects.exists()
    assert client.get(reverse("case_audits:programmes")).status_code == 403


def test_a_programme_page_hides_a_restricted_child(
    client_for: Client, auditor: User, moderator: User, programme: AuditProgramme, child: Person
) -> None:
    restrict(child, auditor)
    page = client_for(moderator).get(reverse("case_audits:programme", args=[programme.pk]))
    assert page.status_code == 200
    assert "Restricted record" in page.content.decode()
    assert "Ava Testchild" not in page.content.decode()


# --- the audit -----------------------------------------------------------------------------------


def audit_form(audit: CaseAudit, grade: str, **extra: str) -> dict[str, str]:
    data = {"version": str(audit.version), "overall_grade": grade, "summary": "Purposeful work."}
    for domain in audit.programme.template.domains.all():
        data[f"domain_{domain.pk}_grade"] = grade
        data[f"domain_{domain.pk}_commentary"] = "Evidence on the record."
        for q in domain.questions.all():
            data[f"question_{q.pk}_answer"] = "yes"
    data.update(extra)
    return data


def test_anyone_who_may_see_the_child_reads_the_audit_and_the_view_is_logged(
    client_for: Client, case_audit: CaseAudit, social_worker: User
) -> None:
    page = client_for(social_worker).get(reverse("case_audits:audit", args=[case_audit.pk]))
    assert page.status_code == 200
    assert "Submit for moderation" not in page.content.decode()  # not their audit to write
    assert AuditEvent.objects.filter(
        action="view",
        actor=social_worker,
        object_type="case_audits.caseaudit",
        person_id=str(case_audit.person_id),
    ).exists()


def test_an_audit_of_a_child_the_user_may_not_see_is_not_found(
    client_for: Client, case_audit: CaseAudit, auditor: User, social_worker: User, child: Person
) -> None:
    restrict(child, auditor)
    url = reverse("case_audits:audit", args=[case_audit.pk])
    assert client_for(social_worker).get(url).status_code == 404
    assert AuditEvent.objects.filter(
        action="access_denied", actor=social_worker, person_id=str(child.pk)
    ).exists()
    # The auditor named on the restriction still sees it.
    assert client_for(auditor).get(url).status_code == 200


def test_the_auditor_saves_a_draft_then_submits(client_for: Client, case_audit: CaseAudit) -> None:
    client = client_for(case_audit.auditor)
    url = reverse("case_audits:audit", args=[case_audit.pk])
    assert "Submit for moderation" in client.get(url).content.decode()
    voice = case_audit.programme.template.domains.get(order=1)
    draft = audit_form(case_audit, Grade.GOOD, action="save")
    planning = case_audit.programme.template.domains.get(order=2)
    draft[f"domain_{planning.pk}_grade"] = ""
    response = client.post(url, draft)
    assert response.status_code == 302
    case_audit.refresh_from_db()
    assert case_audit.status == AuditStatus.IN_PROGRESS
    assert case_audit.domain_grades.get(domain=voice).grade == Grade.GOOD

    # Submitting with a domain ungraded: the draft is kept, the missing grade is named.
    refused = client.post(url, {**draft, "version": str(case_audit.version), "action": "submit"})
    assert refused.status_code == 400
    assert "Grade ‘Planning and risk’" in refused.content.decode()
    case_audit.refresh_from_db()
    assert case_audit.status == AuditStatus.IN_PROGRESS

    done = client.post(url, audit_form(case_audit, Grade.REQUIRES_IMPROVEMENT, action="submit"))
    assert done.status_code == 302
    case_audit.refresh_from_db()
    assert case_audit.status == AuditStatus.SUBMITTED
    assert case_audit.overall_grade == Grade.REQUIRES_IMPROVEMENT


def test_someone_else_cannot_write_the_audit(
    client_for: Client, case_audit: CaseAudit, moderator: User
) -> None:
    url = reverse("case_audits:audit", args=[case_audit.pk])
    response = client_for(moderator).post(url, audit_form(case_audit, Grade.GOOD, action="save"))
    assert response.status_code == 403
    case_audit.refresh_from_db()
    assert case_audit.status == AuditStatus.PLANNED


def test_findings_and_actions_are_added_on_the_audit_page(
    client_for: Client, case_audit: CaseAudit, worker: User, social_worker: User
) -> None:
    findings_url = reverse("case_audits:finding-add", args=[case_audit.pk])
    actions_url = reverse("case_audits:action-add", args=[case_audit.pk])
    finding = {"kind": "area_for_improvement", "theme": "planning", "text": "No contingency."}
    action = {
        "description": "Agree a contingency plan at the next review.",
        "owner": str(worker.pk),
        **date_fields("due_on", TODAY + dt.timedelta(days=21)),
    }
    # Not the auditor: refused.
    assert client_for(social_worker).post(findings_url, finding).status_code == 403
    assert client_for(social_worker).post(actions_url, action).status_code == 403
    client = client_for(case_audit.auditor)
    assert client.post(findings_url, finding).status_code == 302
    assert client.post(actions_url, action).status_code == 302
    assert Finding.objects.get().theme == "planning"
    created = Action.objects.get()
    assert created.owner_id == worker.pk and created.person_id == case_audit.person_id
    bad = client.post(actions_url, {**action, "description": ""})
    assert bad.status_code == 400
    assert "Enter what needs to be done" in bad.content.decode()
    remove = reverse("case_audits:finding-remove", args=[case_audit.pk, Finding.objects.get().pk])
    assert client.post(remove).status_code == 302
    assert Finding.objects.get().removed_at is not None


# --- moderation ----------------------------------------------------------------------------------


def test_moderating_from_the_moderation_page(
    client_for: Client, case_audit: CaseAudit, moderator: User
) -> None:
    complete(case_audit, Grade.GOOD)
    client = client_for(moderator)
    url = reverse("case_audits:moderate", args=[case_audit.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": str(CaseAudit.objects.get(pk=case_audit.pk).version),
            "agreed": "no",
            "grade": Grade.INADEQUATE,
            "commentary": "Risks from the new partner were not assessed.",
        },
    )
    assert response.status_code == 302
    assert Moderation.objects.get().grade == Grade.INADEQUATE
    page = client.get(reverse("case_audits:audit", args=[case_audit.pk]))
    assert "changed at moderation" in page.content.decode()


def test_the_auditor_cannot_moderate_their_own_audit(
    client_for: Client, case_audit: CaseAudit
) -> None:
    complete(case_audit, Grade.GOOD)
    client = client_for(case_audit.auditor)
    url = reverse("case_audits:moderate", args=[case_audit.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "moderated by a second person" in page.content.decode()
    assert "Save moderation" not in page.content.decode()
    response = client.post(url, {"agreed": "yes", "commentary": "Agreed."})
    assert response.status_code == 400
    assert not Moderation.objects.exists()


def test_moderation_refused_without_the_permission(
    client_for: Client, case_audit: CaseAudit, make_user: Callable[..., User]
) -> None:
    complete(case_audit, Grade.GOOD)
    manager = make_user("team_manager")
    url = reverse("case_audits:moderate", args=[case_audit.pk])
    assert client_for(manager).get(url).status_code == 403
    assert client_for(manager).post(url, {"agreed": "yes", "commentary": "x"}).status_code == 403


# --- reassigning and withdrawing -----------------------------------------------------------------


def test_reassigning_an_audit(
    client_for: Client, case_audit: CaseAudit, moderator: User, social_worker: User
) -> None:
    url = reverse("case_audits:reassign", args=[case_audit.pk])
    data = {"auditor": str(moderator.pk), "version": str(case_audit.version)}
    assert client_for(social_worker).post(url, data).status_code == 403
    assert client_for(case_audit.auditor).post(url, data).status_code == 302
    case_audit.refresh_from_db()
    assert case_audit.auditor_id == moderator.pk


def test_withdrawing_an_audit(
    client_for: Client, case_audit: CaseAudit, moderator: User, social_worker: User
) -> None:
    url = reverse("case_audits:withdraw", args=[case_audit.pk])
    assert client_for(social_worker).get(url).status_code == 403
    client = client_for(moderator)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "The family moved away.", "version": case_audit.version})
    assert response.status_code == 302
    case_audit.refresh_from_db()
    assert case_audit.status == AuditStatus.WITHDRAWN


# --- actions -------------------------------------------------------------------------------------


def test_the_owner_marks_an_action_done(
    client_for: Client, action: Action, worker: User, social_worker: User
) -> None:
    url = reverse("case_audits:action", args=[action.pk])
    done = {
        "form": "complete",
        "version": str(action.version),
        "completion_note": "Seen alone on Tuesday; views recorded.",
        **date_fields("completed_on", TODAY),
    }
    other = client_for(social_worker)
    assert other.get(url).status_code == 200  # may see the child, so may read it
    assert "Mark as done" not in other.get(url).content.decode()
    assert other.post(url, done).status_code == 403
    owner = client_for(worker)
    assert "Mark as done" in owner.get(url).content.decode()
    assert owner.post(url, {**done, "completion_note": ""}).status_code == 400
    assert owner.post(url, done).status_code == 302
    action.refresh_from_db()
    assert action.completed_on == TODAY


def test_an_action_on_a_restricted_child_is_not_found(
    client_for: Client, action: Action, auditor: User, social_worker: User, child: Person
) -> None:
    restrict(child, auditor)
    url = reverse("case_audits:action", args=[action.pk])
    assert client_for(social_worker).get(url).status_code == 404


def test_cancelling_an_action_needs_the_permission(
    client_for: Client, action: Action, worker: User, moderator: User
) -> None:
    url = reverse("case_audits:action", args=[action.pk])
    data = {"form": "cancel", "cancel_reason": "Case closed.", "version": str(action.version)}
    assert client_for(worker).post(url, data).status_code == 403
    assert client_for(moderator).post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.cancelled_on == TODAY


def test_the_actions_list_filters_overdue_and_team(
    client_for: Client,
    action: Action,
    case_audit: CaseAudit,
    worker: User,
    team: Team,
    social_worker: User,
    make_user: Callable[..., User],
) -> None:
    late = services.action_add(
        actor=case_audit.auditor,
        audit=case_audit,
        description="Hold reflective supervision on this case.",
        owner=worker,
        due_on=TODAY,
    )
    Action.objects.filter(pk=late.pk).update(
        raised_on=TODAY - dt.timedelta(days=30), due_on=TODAY - dt.timedelta(days=3)
    )
    client = client_for(social_worker)
    everything = client.get(reverse("case_audits:actions")).content.decode()
    assert "See the child alone" in everything and "reflective supervision" in everything
    overdue = client.get(reverse("case_audits:actions") + "?overdue=1").content.decode()
    assert "reflective supervision" in overdue and "See the child alone" not in overdue
    other_team = client.get(reverse("case_audits:actions") + "?team=999999").content.decode()
    assert "reflective supervision" in other_team  # an unknown team filters nothing out
    by_team = client.get(reverse("case_audits:actions") + f"?team={team.pk}").content.decode()
    assert "reflective supervision" in by_team
    partner = client_for(make_user("partner_agency"))
    assert partner.get(reverse("case_audits:actions")).status_code == 403


# --- the summary ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["auditor", "team_manager", "performance_analyst"])
def test_summary_allowed_for_audit_and_performance_staff(
    role: str, client_for: Client, make_user: Callable[..., User], case_audit: CaseAudit
) -> None:
    complete(case_audit, Grade.GOOD)
    page = client_for(make_user(role)).get(reverse("case_audits:summary"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "1 audit completed" in body
    assert "<svg" in body and "North Child in Need Team" in body


def test_summary_refused_for_a_social_worker(client_for: Client, social_worker: User) -> None:
    assert client_for(social_worker).get(reverse("case_audits:summary")).status_code == 403


def test_summary_filters_refuse_dates_in_the_wrong_order(client_for: Client, auditor: User) -> None:
    response = client_for(auditor).get(
        reverse("case_audits:summary"),
        {**date_fields("date_from", TODAY), **date_fields("date_to", TODAY - dt.timedelta(days=5))},
    )
    assert response.status_code == 400
    assert "must be the same as or after" in response.content.decode()


# --- the child's record --------------------------------------------------------------------------


def test_open_actions_show_on_the_childs_record_until_done(
    client_for: Client, action: Action, worker: User, social_worker: User, case_audit: CaseAudit
) -> None:
    complete(case_audit, Grade.REQUIRES_IMPROVEMENT)
    record = reverse("people:detail", args=[action.person_id]) + "?tab=oversight"
    page = client_for(social_worker).get(record).content.decode()
    assert "Case audits" in page
    assert "See the child alone and record their views." in page
    assert "Requires improvement" in page
    services.action_complete(actor=worker, action=action, completed_on=TODAY, note="Done.")
    after = client_for(social_worker).get(record).content.decode()
    assert "See the child alone and record their views." not in after
    assert "Requires improvement" in after  # the audit itself stays on the record
