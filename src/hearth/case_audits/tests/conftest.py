"""Fixtures for the case audit tests: a team holding a child's case, a template, a programme."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from hearth.case_audits import services
from hearth.case_audits.models import AuditProgramme, AuditTemplate, CaseAudit, Grade
from hearth.case_audits.services import DomainSpec, QuestionSpec
from hearth.core.models import Team, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.people.models import Person
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.workforce.models import Allocation

TODAY = timezone.localdate()


def hold(person: Person, worker: User, team: Team | None, start: dt.date | None = None) -> None:
    """Make the worker (in the team) the child's lead social worker."""
    Allocation.objects.create(
        person=person,
        role="lead",
        worker=worker,
        team=team,
        start_date=start or TODAY - dt.timedelta(days=60),
        reason="FCONTA",
    )


def held_child(worker: User, team: Team, **data: Any) -> Person:
    child = make_child(**data)
    open_cin_episode(child, referral_date=TODAY - dt.timedelta(days=90))
    hold(child, worker, team)
    return child


def complete(audit: CaseAudit, grade: str = Grade.GOOD, overall: str | None = None) -> CaseAudit:
    """The auditor grades every domain and submits."""
    domains = list(audit.programme.template.domains.all())
    saved = services.audit_save(
        actor=audit.auditor,
        audit=audit,
        grades={d.pk: (grade, f"Evidence for {d.title}") for d in domains},
        answers={},
        overall_grade=overall or grade,
        summary="A purposeful plan; the child is seen and heard.",
    )
    return services.audit_submit(actor=audit.auditor, audit=saved)


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user("auditor", first_name="Alex", last_name="Auditor")


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    return make_user("service_manager", first_name="Morgan", last_name="Moderator")


@pytest.fixture
def team() -> Team:
    return TeamFactory(name="North Child in Need Team")


@pytest.fixture
def worker(make_user: Callable[..., User], team: Team) -> User:
    user = make_user("social_worker", first_name="Sam", last_name="Worker")
    TeamMembershipFactory(team=team, user=user)
    return user


@pytest.fixture
def child(worker: User, team: Team) -> Person:
    return held_child(worker, team, forename="Ava", surname="Testchild")


@pytest.fixture
def template(auditor: User) -> AuditTemplate:
    return services.template_create(
        actor=auditor,
        name="Practice quality audit",
        description="Monthly audit.",
        domains=[
            DomainSpec(
                "The child's lived experience and voice",
                "voice",
                [QuestionSpec("Is the child's voice recorded?", "Look for their own words.")],
            ),
            DomainSpec(
                "Planning and risk",
                "planning",
                [QuestionSpec("Is the plan specific?"), QuestionSpec("Is there a contingency?")],
            ),
        ],
    )


@pytest.fixture
def programme(auditor: User, template: AuditTemplate, child: Person) -> AuditProgramme:
    return services.programme_create(
        actor=auditor,
        name="Monthly case audit",
        template=template,
        period_start=TODAY - dt.timedelta(days=30),
        period_end=TODAY,
        due_by=TODAY + dt.timedelta(days=14),
        persons=[child],
        auditors=[auditor],
    )


@pytest.fixture
def case_audit(programme: AuditProgramme) -> CaseAudit:
    return programme.audits.get()
