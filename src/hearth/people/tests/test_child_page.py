"""The child's page: identity bar, tabs, what is due; and the chronology. Each costs the same
number of queries however long the child's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearth.casework import services as casework
from hearth.casework.models import ChildInNeedEpisode
from hearth.core.models import AuditEvent, User
from hearth.people.models import Person
from hearth.people.panels import TABS
from hearth.people.tests.factories import make_child
from hearth.timescales.services import set_responsibility

pytestmark = pytest.mark.django_db

TAG_CIN = '<strong class="govuk-tag">Child in need<'
RATIONALE = "The analysis is evidenced and the child's words are heard; the outcome fits."


def page(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("team_manager")


@pytest.fixture
def worker(make_user: Callable[..., User], manager: User) -> User:
    return make_user("social_worker", line_manager=manager)


def _history(child: Person, worker: User, manager: User, episodes: int) -> None:
    """Closed episodes, each with an authorised assessment, then one open episode."""
    start = timezone.localdate() - dt.timedelta(days=60 * episodes + 30)
    for i in range(episodes):
        referral = start + dt.timedelta(days=60 * i)
        episode = casework.episode_open(
            actor=worker,
            person=child,
            referral_date=referral,
            referral_source="6",
            primary_need="N1",
        )
        assessment = casework.assessment_start(actor=worker, episode=episode, start_date=referral)
        casework.assessment_update(
            actor=worker,
            assessment=assessment,
            data={
                "child_seen_on": referral,
                "seen_alone": True,
                "child_views": f"Words number {i}.",
                "analysis": "Strengths and worries weighed.",
                "outcome": "nfa",
            },
            factors=["21"],
            expected_version=None,
        )
        casework.assessment_submit(actor=worker, assessment=assessment, expected_version=None)
        done = referral + dt.timedelta(days=10)
        casework.assessment_authorise(
            actor=manager,
            assessment=assessment,
            authorised_on=done,
            rationale=RATIONALE,
            expected_version=None,
        )
        casework.episode_close(
            actor=manager,
            episode=episode,
            closure_date=done,
            closure_reason="RC8",
            summary="Closed after the assessment found no needs for children's social care.",
            expected_version=None,
        )
    casework.episode_open(
        actor=worker,
        person=child,
        referral_date=timezone.localdate() - dt.timedelta(days=5),
        referral_source="2A",
        primary_need="N5",
    )


def test_the_identity_bar_shows_who_the_child_is_and_what_applies(
    worker: User, manager: User, client_for: Callable[[User], Client]
) -> None:
    child = make_child(forename="Kit", is_uasc=True)
    casework.episode_open(
        actor=worker,
        person=child,
        referral_date=timezone.localdate() - dt.timedelta(days=2),
        referral_source="6",
        primary_need="N1",
    )
    set_responsibility(subject_type="child", subject_id=child.pk, worker=worker, team=None)
    body = page(client_for(worker).get(reverse("people:detail", args=[child.pk])))
    assert "moj-identity-bar" in body and child.child_id in body
    assert f"Social worker: {worker.full_name}" in body
    assert TAG_CIN in body and 'govuk-tag--purple">UASC<' in body
    # What is due, with the engine's explanation.
    assert "Child and family assessment completed" in body
    assert "45 working days" in body


def test_a_closed_case_loses_its_child_in_need_tag(
    worker: User, manager: User, client_for: Callable[[User], Client]
) -> None:
    child = make_child()
    _history(child, worker, manager, episodes=1)
    open_episode = ChildInNeedEpisode.objects.get(person=child, closure_date__isnull=True)
    assert ">Child in need<" in page(
        client_for(worker).get(reverse("people:detail", args=[child.pk]))
    )
    casework.episode_no_further_action(
        actor=manager,
        episode=open_episode,
        on=timezone.localdate(),
        reason="The referral concerned a family already supported by the school nurse and GP.",
        expected_version=None,
    )
    body = page(client_for(worker).get(reverse("people:detail", args=[child.pk])))
    assert TAG_CIN not in body


def test_every_tab_opens_logs_the_view_and_a_stranger_gets_not_found(
    worker: User,
    manager: User,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    child = make_child()
    _history(child, worker, manager, episodes=1)
    c = client_for(worker)
    for code in TABS:
        response = c.get(reverse("people:detail", args=[child.pk]) + f"?tab={code}")
        assert response.status_code == 200, code
        if f"?tab={code}" in page(response):
            assert f'aria-current="page" href="?tab={code}"' in page(response), code
    assert AuditEvent.objects.filter(
        action="view", person_id=str(child.pk), detail="Record: Child in need"
    ).exists()
    casework_tab = page(c.get(reverse("people:detail", args=[child.pk]) + "?tab=casework"))
    assert "Child in need episodes" in casework_tab and "Words number" not in casework_tab
    assert ">Authorised<" in casework_tab
    analyst = make_user("performance_analyst")
    assert client_for(analyst).get(reverse("people:detail", args=[child.pk])).status_code == 403
    from hearth.people.services import restriction_set

    restriction_set(
        actor=make_user("head_of_service"),
        person=child,
        restricted=True,
        reason="A relative of a member of staff",
        named_staff=[],
        expected_version=None,
    )
    url = reverse("people:detail", args=[child.pk]) + "?tab=casework"
    assert client_for(worker).get(url).status_code == 404


def _queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_each_tab_and_the_chronology_cost_the_same_queries_for_a_long_history(
    worker: User, manager: User, client_for: Callable[[User], Client]
) -> None:
    short, long = make_child(), make_child()
    _history(short, worker, manager, episodes=1)
    _history(long, worker, manager, episodes=6)
    c = client_for(worker)
    for code in [*TABS, "chronology"]:

        def url(p: Person, code: str = code) -> str:
            if code == "chronology":
                return reverse("people:chronology", args=[p.pk])
            return reverse("people:detail", args=[p.pk]) + f"?tab={code}"

        assert _queries(c, url(long)) == _queries(c, url(short)), code


def test_the_chronology_shows_assessments_and_closures_and_filters_significant_events(
    worker: User, manager: User, client_for: Callable[[User], Client]
) -> None:
    child = make_child()
    _history(child, worker, manager, episodes=2)
    c = client_for(worker)
    body = page(c.get(reverse("people:chronology", args=[child.pk])))
    assert "moj-timeline" in body
    assert body.count("Assessment started") == 2
    assert body.count("Assessment authorised: no further action") == 2
    assert "The child said: “Words number 1.”" in body
    assert body.count(">Case closed<") + body.count(">Case closed</a>") >= 2
    significant = page(c.get(reverse("people:chronology", args=[child.pk]) + "?significant=1"))
    assert "Assessment authorised" in significant and "Assessment started" not in significant
    only = page(c.get(reverse("people:chronology", args=[child.pk]) + "?kind=assessment"))
    assert "Referral to children" not in only and "Assessment started" in only
