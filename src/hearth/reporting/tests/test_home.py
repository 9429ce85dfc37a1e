"""The home pages: the manager's oversight of their teams and the social worker's own children."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hearth.core.models import Team, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.people.models import Person
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.timescales.services import record_event, set_responsibility
from hearth.workforce.services import allocate

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(make_user: Callable[..., User]) -> Team:
    manager = make_user("team_manager", first_name="Morgan", last_name="Manager")
    team = TeamFactory(name="Child in need east", service_area="cin_cp", manager=manager)
    TeamMembershipFactory(team=team, user=manager)
    return team


@pytest.fixture
def worker(make_user: Callable[..., User], team: Team) -> User:
    worker = make_user(
        "social_worker", first_name="Wren", last_name="Worker", swe_registration="SW100200"
    )
    TeamMembershipFactory(team=team, user=worker)
    return worker


def held_child(team: Team, worker: User, *, overdue: bool = False, **data: Any) -> Person:
    child = make_child(**data)
    referred = timezone.localdate() - dt.timedelta(days=120 if overdue else 2)
    open_cin_episode(child, referral_date=referred)
    record_event(subject_type="child", subject_id=child.pk, name="referral", at=referred)
    allocate(
        actor=team.manager,  # type: ignore[arg-type]
        people=[child],
        worker=worker,
        start_date=referred,
        reason="FCONTA",
        over_threshold_reason="Agreed in the team meeting as the only option available",
    )
    return child


def waiting_child(team: Team, days: int, **data: Any) -> Person:
    child = make_child(**data)
    open_cin_episode(child, referral_date=timezone.localdate() - dt.timedelta(days=days))
    set_responsibility(subject_type="child", subject_id=child.pk, worker=None, team=team)
    return child


def test_manager_sees_unallocated_children_with_their_wait(
    team: Team, worker: User, client_for: Callable[[User], Any]
) -> None:
    waiting_child(team, 9, forename="Quill", surname="Waiting")
    page = client_for(team.manager).get("/").content.decode()  # type: ignore[arg-type]
    assert 'data-testid="manager-page"' in page
    assert "Quill Waiting" in page
    assert "longest waiting 9 days" in page


def test_manager_sees_workers_over_threshold_and_overdue_items_by_worker(
    team: Team, worker: User, client_for: Callable[[User], Any]
) -> None:
    Team.objects.filter(pk=team.pk).update(caseload_amber=1, caseload_red=2)
    held_child(team, worker, overdue=True)
    held_child(team, worker)
    page = client_for(team.manager).get("/").content.decode()  # type: ignore[arg-type]
    assert "Wren Worker: 2 children" in page
    assert f"?scope=worker-{worker.pk}&amp;show=overdue" in page


def test_manager_does_not_see_another_teams_children(
    team: Team, make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    waiting_child(team, 3, forename="Quill", surname="Elsewhere")
    other = make_user("team_manager")
    TeamMembershipFactory(team=TeamFactory(manager=other), user=other)
    page = client_for(other).get("/").content.decode()
    assert "Quill Elsewhere" not in page
    assert "Every child with an open episode has a social worker" in page


def test_social_worker_sees_their_children_and_what_is_overdue(
    team: Team, worker: User, client_for: Callable[[User], Any]
) -> None:
    held_child(team, worker, overdue=True, forename="Olive", surname="Overdue")
    held_child(team, worker, forename="Nell", surname="New")
    page = client_for(worker).get("/").content.decode()
    assert 'data-testid="worker-page"' in page
    assert 'data-testid="manager-page"' not in page
    assert "Olive Overdue" in page and "Nell New" in page
    assert "1 overdue item" in page


def test_a_role_without_casework_sees_only_its_role_panel(
    make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    page = client_for(make_user("performance_analyst")).get("/").content.decode()
    assert "Indicators, statutory returns and data quality." in page
    assert 'data-testid="manager-page"' not in page
    assert 'data-testid="worker-page"' not in page


def test_manager_page_queries_do_not_grow_with_the_data(
    team: Team, worker: User, client_for: Callable[[User], Any]
) -> None:
    c = client_for(team.manager)  # type: ignore[arg-type]

    def count() -> int:
        c.get("/")
        with CaptureQueriesContext(connection) as captured:
            assert c.get("/").status_code == 200
        return len(captured)

    waiting_child(team, 4)
    held_child(team, worker, overdue=True)
    few = count()
    for days in range(6):
        waiting_child(team, days + 1)
        held_child(team, worker, overdue=days % 2 == 0)
    assert count() == few


def test_a_restricted_child_counts_but_is_not_named_to_a_manager_not_named_on_it(
    team: Team, admin_user: User, client_for: Callable[[User], Any]
) -> None:
    from hearth.people.services import restriction_set

    child = waiting_child(team, 5, forename="Secret", surname="Childname")
    restriction_set(
        actor=admin_user,
        person=child,
        restricted=True,
        reason="A member of staff's relative",
        named_staff=[],
        expected_version=None,
    )
    page = client_for(team.manager).get("/").content.decode()  # type: ignore[arg-type]
    assert "Secret Childname" not in page
    assert "A restricted record" in page
    assert f"/workforce/allocate/{child.pk}/" not in page


# --- exploitation risk assessments (hearth.safeguarding) ------------------------------------------


def _missing(child: Person, actor: User) -> None:
    from hearth.safeguarding.services import missing_episode_record

    now = timezone.now()
    missing_episode_record(
        actor=actor,
        person=child,
        missing_from="home",
        kind="M",
        started_at=now - dt.timedelta(hours=30),
        ended_at=now - dt.timedelta(hours=20),
    )


def test_worker_sees_their_children_needing_an_exploitation_risk_assessment(
    team: Team, worker: User, client_for: Callable[[User], Any]
) -> None:
    from hearth.safeguarding.services import risk_assessment_record

    flagged = held_child(
        team, worker, forename="Fern", surname="Flagged", date_of_birth=dt.date(2011, 5, 1)
    )
    assessed = held_child(
        team, worker, forename="Ash", surname="Assessed", date_of_birth=dt.date(2011, 5, 1)
    )
    _missing(flagged, worker)
    _missing(assessed, worker)
    risk_assessment_record(
        actor=worker,
        person=assessed,
        kind="missing",
        level="medium",
        assessed_on=timezone.localdate(),
        assessor=worker,
        summary="Goes missing overnight after arguments at home.",
    )
    response = client_for(worker).get("/")
    assert [p.pk for p in response.context["worker"].needing_risk_assessment] == [flagged.pk]
    page = response.content.decode()
    assert 'data-testid="needing-risk-assessment"' in page
    assert "1 of your children needs an exploitation risk assessment" in page


def test_manager_sees_the_count_of_children_needing_an_exploitation_risk_assessment(
    team: Team, worker: User, client_for: Callable[[User], Any], make_user: Callable[..., User]
) -> None:
    child = held_child(team, worker, date_of_birth=dt.date(2011, 5, 1))
    _missing(child, worker)
    response = client_for(team.manager).get("/")  # type: ignore[arg-type]
    assert response.context["manager"].needing_risk_assessment_count == 1
    assert "/safeguarding/needing-assessment/" in response.content.decode()
    other = make_user("team_manager")
    TeamMembershipFactory(team=TeamFactory(manager=other), user=other)
    assert client_for(other).get("/").context["manager"].needing_risk_assessment_count == 0


def test_the_flag_costs_the_same_queries_whatever_the_caseload(
    team: Team, worker: User, client_for: Callable[[User], Any]
) -> None:
    def count(user: User) -> int:
        c = client_for(user)
        c.get("/")
        with CaptureQueriesContext(connection) as captured:
            assert c.get("/").status_code == 200
        return len(captured)

    _missing(held_child(team, worker, date_of_birth=dt.date(2011, 5, 1)), worker)
    few_worker, few_manager = count(worker), count(team.manager)  # type: ignore[arg-type]
    for n in range(5):
        _missing(held_child(team, worker, date_of_birth=dt.date(2010, 5, 1 + n)), worker)
    assert count(worker) == few_worker
    assert count(team.manager) == few_manager  # type: ignore[arg-type]


def test_manager_sees_assessments_to_authorise_and_danger_statements_over_the_limit(
    team: Team, worker: User, client_for: Callable[[User], Any]
) -> None:
    from hearth.casework import services as casework
    from hearth.plans import services as plans

    child = make_child()
    episode = casework.episode_open(
        actor=worker,
        person=child,
        referral_date=timezone.localdate() - dt.timedelta(days=20),
        referral_source="6",
        primary_need="N1",
    )
    assessment = casework.assessment_start(
        actor=worker, episode=episode, start_date=episode.referral_date
    )
    casework.assessment_update(
        actor=worker,
        assessment=assessment,
        data={
            "child_seen_on": episode.referral_date,
            "seen_alone": False,
            "child_views": "Smiled and played with the bricks.",
            "analysis": "Strengths and worries weighed.",
            "outcome": "cin_plan",
        },
        factors=["4B"],
        expected_version=None,
    )
    casework.assessment_submit(actor=worker, assessment=assessment, expected_version=None)
    plan = plans.plan_start(
        actor=worker,
        person=child,
        start_date=timezone.localdate() - dt.timedelta(days=1),
        episode=episode,
        team=team,
    )
    goal = "Safe and calm at home every day."
    plans.plan_need_add(
        actor=worker, plan=plan, kind="risk", statement="word " * 61, safety_goal=goal
    )
    plans.plan_need_add(
        actor=worker, plan=plan, kind="risk", statement="A short one.", safety_goal=goal
    )
    manager = team.manager
    assert manager is not None
    page = client_for(manager).get("/")
    figures = page.context["manager"]
    assert figures.assessments_awaiting_count == 1
    assert figures.long_danger_statements_count == 1
    assert f"/plans/{plan.pk}/" in page.content.decode()
