"""Casework pages: who may open each one, and the assessment's journey through them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.casework import services
from hearth.casework.models import Assessment, ChildInNeedEpisode
from hearth.core.models import AuditEvent, User
from hearth.people.models import Person
from hearth.people.services import restriction_set
from hearth.people.tests.factories import make_child
from hearth.timescales.models import Deadline

pytestmark = pytest.mark.django_db

VALID_RATIONALE = (
    "The analysis is evidenced, the child's words are clear and a plan meets their needs now."
)


def page(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("team_manager")


@pytest.fixture
def worker(make_user: Callable[..., User], manager: User) -> User:
    return make_user("social_worker", line_manager=manager)


@pytest.fixture
def child() -> Person:
    return make_child(forename="Robin", date_of_birth=dt.date(2015, 5, 5))


@pytest.fixture
def episode(child: Person, worker: User) -> ChildInNeedEpisode:
    return services.episode_open(
        actor=worker,
        person=child,
        referral_date=timezone.localdate() - dt.timedelta(days=10),
        referral_source="2A",
        primary_need="N1",
    )


@pytest.fixture
def assessment(episode: ChildInNeedEpisode, worker: User) -> Assessment:
    return services.assessment_start(
        actor=worker, episode=episode, start_date=episode.referral_date
    )


def _restrict(person: Person, by: User) -> None:
    restriction_set(
        actor=by,
        person=person,
        restricted=True,
        reason="A relative of a member of staff",
        named_staff=[],
        expected_version=None,
    )


def _pages(episode: ChildInNeedEpisode, assessment: Assessment) -> dict[str, str]:
    return {
        "episode": reverse("casework:episode", args=[episode.pk]),
        "assessment": reverse("casework:assessment", args=[assessment.pk]),
        "assessment-edit": reverse("casework:assessment-edit", args=[assessment.pk]),
        "referral-new": reverse("casework:referral-new", args=[episode.person_id]),
        "episode-close": reverse("casework:episode-close", args=[episode.pk]),
        "episode-nfa": reverse("casework:episode-nfa", args=[episode.pk]),
        "assessment-start": reverse("casework:assessment-start", args=[episode.pk]),
        "assessment-authorise": reverse("casework:assessment-authorise", args=[assessment.pk]),
        "assessment-return": reverse("casework:assessment-return", args=[assessment.pk]),
        "awaiting": reverse("casework:awaiting"),
    }


WORKER_PAGES = {"episode", "assessment", "assessment-edit", "referral-new", "assessment-start"}
MANAGER_ONLY = {
    "episode-close",
    "episode-nfa",
    "assessment-authorise",
    "assessment-return",
    "awaiting",
}


def test_each_page_allows_the_roles_that_do_the_work_and_refuses_the_others(
    episode: ChildInNeedEpisode,
    assessment: Assessment,
    worker: User,
    manager: User,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    pages = _pages(episode, assessment)
    analyst = make_user("performance_analyst")  # no case records
    business_support = make_user("business_support")  # reads, never records
    for name, url in pages.items():
        expected_worker = 200 if name in WORKER_PAGES else 403
        assert client_for(worker).get(url).status_code == expected_worker, name
        assert client_for(manager).get(url).status_code == 200, name
        assert client_for(analyst).get(url).status_code == 403, name
        reads = name in {"episode", "assessment"}
        assert client_for(business_support).get(url).status_code == (200 if reads else 403), name


def test_a_restricted_childs_casework_is_not_found_for_staff_not_named(
    episode: ChildInNeedEpisode,
    assessment: Assessment,
    worker: User,
    manager: User,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    _restrict(episode.person, make_user("head_of_service"))
    for name, url in _pages(episode, assessment).items():
        if name == "awaiting":
            continue
        # Without the permission it is refused before the record is looked up at all.
        assert client_for(worker).get(url).status_code == (404 if name in WORKER_PAGES else 403)
        assert client_for(manager).get(url).status_code == 404, name


def test_the_episode_page_shows_the_referral_and_logs_the_view(
    episode: ChildInNeedEpisode, worker: User, client_for: Callable[[User], Client]
) -> None:
    body = page(client_for(worker).get(reverse("casework:episode", args=[episode.pk])))
    assert "Schools (2A)" in body and "Abuse or neglect (N1)" in body
    assert "Start the assessment" in body
    assert "Close the episode" not in body  # a social worker does not close cases
    assert AuditEvent.objects.filter(
        action="view", person_id=str(episode.person_id), detail="Episode"
    ).exists()


def test_an_assessment_goes_from_start_to_authorisation_through_the_pages(
    episode: ChildInNeedEpisode,
    worker: User,
    manager: User,
    client_for: Callable[[User], Client],
) -> None:
    c = client_for(worker)
    response = c.post(
        reverse("casework:assessment-start", args=[episode.pk]),
        {
            "start_date_day": episode.referral_date.day,
            "start_date_month": episode.referral_date.month,
            "start_date_year": episode.referral_date.year,
        },
    )
    assessment = Assessment.objects.get(episode=episode)
    assert response["Location"] == reverse("casework:assessment-edit", args=[assessment.pk])
    seen = episode.referral_date + dt.timedelta(days=2)
    response = c.post(
        reverse("casework:assessment-edit", args=[assessment.pk]),
        {
            "version": assessment.version,
            "child_seen_on_day": seen.day,
            "child_seen_on_month": seen.month,
            "child_seen_on_year": seen.year,
            "seen_alone": "yes",
            "child_views": "I like my school. I don't like it when Dad shouts.",
            "factors": ["3B", "4B"],
            "analysis": "Strengths: a caring mum. Worries: domestic abuse witnessed at home.",
            "outcome": "cin_plan",
        },
    )
    assert response.status_code == 302, page(response)
    body = page(c.get(reverse("casework:assessment", args=[assessment.pk])))
    assert "I like my school" in body and "Domestic abuse: parent or carer is subject" in body
    assert "Send for authorisation" in body
    assessment.refresh_from_db()
    c.post(
        reverse("casework:assessment-submit", args=[assessment.pk]),
        {"version": assessment.version},
    )
    assessment.refresh_from_db()
    assert assessment.submitted_at is not None

    m = client_for(manager)
    assert "Robin" in page(m.get(reverse("casework:awaiting")))
    today = timezone.localdate()
    response = m.post(
        reverse("casework:assessment-authorise", args=[assessment.pk]),
        {
            "version": assessment.version,
            "authorised_on_day": today.day,
            "authorised_on_month": today.month,
            "authorised_on_year": today.year,
            "rationale": VALID_RATIONALE,
        },
    )
    assert response.status_code == 302, page(response)
    assessment.refresh_from_db()
    assert assessment.authorised_on == today and assessment.authorised_by == manager
    deadline = Deadline.objects.get(
        subject_type="child", subject_id=episode.person_id, rule_code="assessment"
    )
    assert deadline.met_on == today
    body = page(c.get(reverse("casework:assessment", args=[assessment.pk])))
    assert "Start the child in need plan" in body
    assert reverse("plans:start", args=[episode.person_id]) + f"?episode={episode.pk}" in body


def test_a_short_rationale_is_refused_on_the_form_and_nothing_changes(
    assessment: Assessment, manager: User, client_for: Callable[[User], Client]
) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=timezone.now())
    today = timezone.localdate()
    response = client_for(manager).post(
        reverse("casework:assessment-authorise", args=[assessment.pk]),
        {
            "version": assessment.version,
            "authorised_on_day": today.day,
            "authorised_on_month": today.month,
            "authorised_on_year": today.year,
            "rationale": "Fine.",
        },
    )
    assert response.status_code == 200
    body = page(response)
    assert "There is a problem" in body
    assessment.refresh_from_db()
    assert assessment.authorised_on is None


def test_closing_is_refused_while_the_assessment_is_unauthorised(
    episode: ChildInNeedEpisode,
    assessment: Assessment,
    manager: User,
    client_for: Callable[[User], Client],
) -> None:
    today = timezone.localdate()
    response = client_for(manager).post(
        reverse("casework:episode-close", args=[episode.pk]),
        {
            "version": episode.version,
            "closure_date_day": today.day,
            "closure_date_month": today.month,
            "closure_date_year": today.year,
            "closure_reason": "RC7",
            "summary": "The family no longer need services: the worries have been addressed.",
        },
    )
    assert response.status_code == 200
    assert "8867" in page(response)
    episode.refresh_from_db()
    assert episode.closure_date is None


def test_a_referral_recorded_directly_opens_an_episode_with_its_clock(
    child: Person, worker: User, client_for: Callable[[User], Client]
) -> None:
    day = timezone.localdate() - dt.timedelta(days=3)
    response = client_for(worker).post(
        reverse("casework:referral-new", args=[child.pk]),
        {
            "referral_date_day": day.day,
            "referral_date_month": day.month,
            "referral_date_year": day.year,
            "referral_source": "5C",
            "primary_need": "N4",
        },
    )
    episode = ChildInNeedEpisode.objects.get(person=child)
    assert response["Location"] == reverse("casework:episode", args=[episode.pk])
    assert Deadline.objects.filter(
        subject_type="child", subject_id=child.pk, rule_code="assessment", state="open"
    ).exists()
    again = client_for(worker).post(
        reverse("casework:referral-new", args=[child.pk]),
        {
            "referral_date_day": day.day,
            "referral_date_month": day.month,
            "referral_date_year": day.year,
            "referral_source": "5C",
            "primary_need": "N4",
        },
    )
    assert again.status_code == 200 and "8815" in page(again)
    assert ChildInNeedEpisode.objects.filter(person=child).count() == 1
