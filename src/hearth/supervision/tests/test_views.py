"""Supervision pages: who may open each one (the worker, the supervisor and the management line see
a session; everyone else gets 404), what the child's record shows (decisions, never wellbeing),
and how the forms report refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from hearth.core.models import AuditEvent, User
from hearth.people.services import restriction_set
from hearth.supervision import services
from hearth.supervision.models import (
    CaseDiscussion,
    DiscussionAction,
    ManagementOversight,
    SupervisionSession,
)

from .helpers import REASONS, REFLECTION, WELLBEING_NOTES, Service, days_ago, held

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]
DECISION = "Increase visits to weekly until the review."


@pytest.fixture
def session(service: Service) -> SupervisionSession:
    return held(service.senior, service.worker, on=days_ago(5))


@pytest.fixture
def discussion(service: Service, session: SupervisionSession) -> CaseDiscussion:
    return services.discussion_add(
        actor=service.senior,
        session=session,
        person=service.child,
        summary="Discussed the weekend worries the child described.",
        decision=DECISION,
        rationale=REASONS,
        actions=[services.NewAction("See the child at school", service.worker, days_ago(-7))],
    )


def date_fields(name: str, day: Any) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


# --- the session ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["worker", "senior", "manager", "head"])
def test_the_worker_supervisor_and_management_line_see_the_session(
    service: Service, session: SupervisionSession, client_for: Client, who: str
) -> None:
    response = client_for(getattr(service, who)).get(
        reverse("supervision:session", args=[session.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert WELLBEING_NOTES in page and REFLECTION in page


@pytest.mark.parametrize("who", ["peer", "other_manager"])
def test_anyone_else_gets_not_found_for_a_session(
    service: Service, session: SupervisionSession, client_for: Client, who: str
) -> None:
    client = client_for(getattr(service, who))
    assert client.get(reverse("supervision:session", args=[session.pk])).status_code == 404


def test_an_administrator_without_the_line_gets_not_found(
    admin_user: User, session: SupervisionSession, client_for: Client
) -> None:
    response = client_for(admin_user).get(reverse("supervision:session", args=[session.pk]))
    assert response.status_code == 404


def test_viewing_a_session_logs_each_child_shown(
    service: Service, discussion: CaseDiscussion, client_for: Client
) -> None:
    client_for(service.manager).get(reverse("supervision:session", args=[discussion.session_id]))
    assert AuditEvent.objects.filter(
        action="view", object_type="supervision.casediscussion", person_id=str(service.child.pk)
    ).exists()


def test_a_restricted_childs_discussion_is_hidden_from_the_line_if_not_named(
    service: Service, discussion: CaseDiscussion, client_for: Client
) -> None:
    restriction_set(
        actor=service.senior,
        person=service.child,
        restricted=True,
        reason="Family member works in the service",
        named_staff=[service.senior, service.worker],
        expected_version=None,
    )
    page = client_for(service.manager).get(
        reverse("supervision:session", args=[discussion.session_id])
    )
    text = page.content.decode()
    assert page.status_code == 200 and DECISION not in text
    assert "1 case discussion about children whose records you cannot see is not shown" in text


# --- the worker's record and the team overview ---------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("worker", 200), ("manager", 200), ("peer", 404)])
def test_a_workers_supervision_record(
    service: Service, session: SupervisionSession, client_for: Client, who: str, status: int
) -> None:
    url = reverse("supervision:worker", args=[service.worker.pk])
    response = client_for(getattr(service, who)).get(url)
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert reverse("supervision:session", args=[session.pk]) in page
        assert "Next supervision due" in page


def test_the_worker_record_shows_overdue(
    make_user: Callable[..., User], service: Service, client_for: Client
) -> None:
    overdue = make_user(
        "social_worker", employment_start=days_ago(90), line_manager=service.manager
    )
    services.ensure_supervision_clock(overdue, days_ago(90))
    page = client_for(overdue).get(reverse("supervision:worker", args=[overdue.pk]))
    assert "Supervision is overdue" in page.content.decode()


def test_the_team_overview_for_its_manager(
    make_user: Callable[..., User],
    service: Service,
    session: SupervisionSession,
    client_for: Client,
) -> None:
    services.ensure_supervision_clock(service.peer, days_ago(90))
    response = client_for(service.manager).get(reverse("supervision:team", args=[service.team.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Wren Worker" in page and "Pat Peer" in page
    assert "1 person is overdue for supervision" in page
    assert WELLBEING_NOTES not in page


@pytest.mark.parametrize(
    ("who", "status"), [("worker", 403), ("other_manager", 404), ("head", 200)]
)
def test_the_team_overview_is_for_the_teams_managers(
    service: Service, client_for: Client, who: str, status: int
) -> None:
    url = reverse("supervision:team", args=[service.team.pk])
    assert client_for(getattr(service, who)).get(url).status_code == status


def test_the_supervision_home_page(service: Service, client_for: Client) -> None:
    services.ensure_supervision_clock(service.peer, days_ago(90))
    page = client_for(service.manager).get(reverse("supervision:home")).content.decode()
    assert "People you line manage" in page and "Pat Peer" in page
    assert "1 person is overdue for supervision" in page
    assert client_for(service.peer).get(reverse("supervision:home")).status_code == 200


# --- recording and correcting sessions -----------------------------------------------------------


def session_form(supervisor: User, **overrides: str) -> dict[str, str]:
    data = {
        **date_fields("session_date", days_ago(2)),
        "supervisor": str(supervisor.pk),
        "reflective_discussion": "Reflected on a difficult visit.",
        "wellbeing_rating": "4",
        "wellbeing_notes": "Well supported.",
    }
    data.update(overrides)
    return data


def test_recording_a_session_through_the_form(service: Service, client_for: Client) -> None:
    url = reverse("supervision:session-new", args=[service.worker.pk])
    client = client_for(service.manager)
    assert client.get(url).status_code == 200
    response = client.post(url, session_form(service.manager))
    session = SupervisionSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:session", args=[session.pk])
    assert session.wellbeing_rating == 4 and session.supervisor == service.manager


def test_the_session_forms_ask_for_what_each_outcome_needs(
    service: Service, client_for: Client
) -> None:
    url = reverse("supervision:session-new", args=[service.worker.pk])
    client = client_for(service.manager)
    held_page = client.post(url, session_form(service.manager, wellbeing_rating="")).content
    assert "Select how the worker says they are" in held_page.decode()
    assert "Why was it cancelled?" not in held_page.decode()
    cancelled_url = url + "?outcome=cancelled"
    page = client.get(cancelled_url).content.decode()
    assert "Why was it cancelled?" in page and "Wellbeing notes" not in page
    response = client.post(
        cancelled_url,
        {
            **date_fields("session_date", days_ago(2)),
            "supervisor": str(service.manager.pk),
            "cancellation_reason": "other",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Enter why the session was cancelled" in page  # the service's refusal
    assert not SupervisionSession.objects.exists()
    response = client.post(
        cancelled_url,
        {
            **date_fields("session_date", days_ago(2)),
            "supervisor": str(service.manager.pk),
            "cancellation_reason": "court",
            **date_fields("next_session_on", days_ago(-5)),
        },
    )
    assert response.status_code == 302
    session = SupervisionSession.objects.get()
    assert session.status == "cancelled" and session.next_session_on == days_ago(-5)


@pytest.mark.parametrize(("who", "status"), [("peer", 403), ("other_manager", 404)])
def test_recording_is_refused_to_others(
    service: Service, client_for: Client, who: str, status: int
) -> None:
    url = reverse("supervision:session-new", args=[service.worker.pk])
    assert client_for(getattr(service, who)).get(url).status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("senior", 200), ("head", 200), ("worker", 403), ("other_manager", 404)]
)
def test_correcting_a_session_is_for_the_supervisor_and_the_line(
    service: Service, session: SupervisionSession, client_for: Client, who: str, status: int
) -> None:
    url = reverse("supervision:session-edit", args=[session.pk])
    assert client_for(getattr(service, who)).get(url).status_code == status
    url = reverse("supervision:session-withdraw", args=[session.pk])
    assert client_for(getattr(service, who)).get(url).status_code == status


def test_a_concurrent_edit_is_reported_on_the_form(
    service: Service, session: SupervisionSession, client_for: Client
) -> None:
    stale = session.version
    services.session_update(
        actor=service.manager, session=session, data={"wellbeing_rating": 3}, expected_version=stale
    )
    form = session_form(service.senior, version=str(stale), wellbeing_rating="5")
    form.update(date_fields("session_date", session.session_date))
    response = client_for(service.senior).post(
        reverse("supervision:session-edit", args=[session.pk]), form
    )
    assert "Someone else changed this record" in response.content.decode()
    assert SupervisionSession.objects.get(pk=session.pk).wellbeing_rating == 3


def test_withdrawing_a_session_through_the_form(
    service: Service, session: SupervisionSession, client_for: Client
) -> None:
    url = reverse("supervision:session-withdraw", args=[session.pk])
    client = client_for(service.senior)
    assert "Enter why it is being withdrawn" in client.post(url, {"reason": ""}).content.decode()
    response = client.post(url, {"reason": "Wrong worker", "version": str(session.version)})
    assert response.status_code == 302
    assert SupervisionSession.objects.get(pk=session.pk).is_withdrawn


# --- case discussions ----------------------------------------------------------------------------


def test_adding_a_case_discussion_offers_the_workers_children(
    service: Service, session: SupervisionSession, client_for: Client
) -> None:
    url = reverse("supervision:discussion-new", args=[session.pk])
    client = client_for(service.senior)
    page = client.get(url).content.decode()
    assert service.child.full_name in page and service.other_child.full_name not in page
    response = client.post(
        url,
        {
            "person": str(service.child.pk),
            "summary": "Discussed the school's update.",
            "decision": DECISION,
            "rationale": "Too short.",
        },
    )
    assert "Explain the decision in at least 10 words" in response.content.decode()
    response = client.post(
        url,
        {
            "person": str(service.child.pk),
            "summary": "Discussed the school's update.",
            "decision": DECISION,
            "rationale": REASONS,
            "action_1_description": "Visit at school",
            "action_1_owner": str(service.worker.pk),
            **date_fields("action_1_due_on", days_ago(-5)),
        },
    )
    assert response.status_code == 302
    discussion = CaseDiscussion.objects.get()
    assert discussion.actions.get().owner == service.worker


def test_a_case_discussion_cannot_be_added_by_the_worker(
    service: Service, session: SupervisionSession, client_for: Client
) -> None:
    url = reverse("supervision:discussion-new", args=[session.pk])
    assert client_for(service.worker).get(url).status_code == 403


def test_a_case_discussion_is_on_the_childs_page_without_the_wellbeing_check(
    service: Service, discussion: CaseDiscussion, client_for: Client
) -> None:
    page = client_for(service.peer).get(
        reverse("people:detail", args=[service.child.pk]) + "?tab=oversight"
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert DECISION in text and REASONS in text and "See the child at school" in text
    assert WELLBEING_NOTES not in text and REFLECTION not in text


def test_a_case_discussion_page_for_anyone_who_may_see_the_child(
    service: Service, discussion: CaseDiscussion, client_for: Client
) -> None:
    url = reverse("supervision:discussion", args=[discussion.pk])
    response = client_for(service.peer).get(url)
    text = response.content.decode()
    assert response.status_code == 200 and DECISION in text
    assert WELLBEING_NOTES not in text and REFLECTION not in text
    assert reverse("supervision:session", args=[discussion.session_id]) not in text
    assert AuditEvent.objects.filter(
        action="view", actor=service.peer, person_id=str(service.child.pk)
    ).exists()


@pytest.mark.parametrize("role", ["performance_analyst", "partner_agency"])
def test_a_case_discussion_is_refused_without_access_to_case_records(
    make_user: Callable[..., User], discussion: CaseDiscussion, client_for: Client, role: str
) -> None:
    url = reverse("supervision:discussion", args=[discussion.pk])
    assert client_for(make_user(role)).get(url).status_code == 403


def test_a_restricted_childs_case_discussion_is_not_found_by_others(
    service: Service, discussion: CaseDiscussion, client_for: Client
) -> None:
    restriction_set(
        actor=service.senior,
        person=service.child,
        restricted=True,
        reason="Family member works in the service",
        named_staff=[service.senior],
        expected_version=None,
    )
    url = reverse("supervision:discussion", args=[discussion.pk])
    assert client_for(service.peer).get(url).status_code == 404
    assert client_for(service.senior).get(url).status_code == 200


def test_the_chronology_shows_the_decision_as_significant(
    service: Service, discussion: CaseDiscussion, client_for: Client
) -> None:
    url = reverse("people:chronology", args=[service.child.pk]) + "?significant=1"
    text = client_for(service.peer).get(url).content.decode()
    assert f"Case discussed in supervision: {DECISION}" in text
    assert WELLBEING_NOTES not in text


@pytest.mark.parametrize(
    ("who", "status"), [("senior", 200), ("head", 200), ("peer", 403), ("other_manager", 403)]
)
def test_changing_a_case_discussion(
    service: Service, discussion: CaseDiscussion, client_for: Client, who: str, status: int
) -> None:
    for name in ("discussion-edit", "discussion-withdraw", "action-new"):
        url = reverse(f"supervision:{name}", args=[discussion.pk])
        assert client_for(getattr(service, who)).get(url).status_code == status, name


def test_the_actions_owner_marks_it_done(
    service: Service, discussion: CaseDiscussion, client_for: Client
) -> None:
    action = discussion.actions.get()
    url = reverse("supervision:action-done", args=[action.pk])
    assert client_for(service.peer).post(url, {}).status_code == 403
    response = client_for(service.worker).post(
        url, {**date_fields("completed_on", days_ago(0)), "version": str(action.version)}
    )
    assert response.status_code == 302
    assert DiscussionAction.objects.get(pk=action.pk).completed_on == days_ago(0)


def test_a_refused_action_update_says_why(
    service: Service, discussion: CaseDiscussion, client_for: Client
) -> None:
    action = discussion.actions.get()
    url = reverse("supervision:action-done", args=[action.pk])
    client = client_for(service.worker)
    response = client.post(url, {**date_fields("completed_on", days_ago(-3))}, follow=True)
    assert "must be today or in the past" in response.content.decode()
    assert DiscussionAction.objects.get(pk=action.pk).completed_on is None


# --- management oversight ------------------------------------------------------------------------


def oversight_form(**overrides: str) -> dict[str, str]:
    data = {
        **date_fields("oversight_on", days_ago(0)),
        "decision": "Proceed to an initial child protection conference.",
        "rationale": REASONS,
    }
    data.update(overrides)
    return data


def test_a_manager_records_oversight_from_the_childs_page(
    service: Service, client_for: Client
) -> None:
    client = client_for(service.manager)
    person_page = client.get(
        reverse("people:detail", args=[service.child.pk]) + "?tab=oversight"
    ).content.decode()
    url = reverse("supervision:oversight-new", args=[service.child.pk])
    assert url in person_page
    response = client.post(url, oversight_form(rationale="Agreed."))
    assert "Explain the decision in at least 10 words" in response.content.decode()
    response = client.post(url, oversight_form())
    assert response.status_code == 302
    oversight = ManagementOversight.objects.get()
    page = client_for(service.peer).get(
        reverse("people:detail", args=[service.child.pk]) + "?tab=oversight"
    )
    assert oversight.decision in page.content.decode()


def test_a_social_worker_cannot_record_oversight(service: Service, client_for: Client) -> None:
    url = reverse("supervision:oversight-new", args=[service.child.pk])
    assert client_for(service.worker).get(url).status_code == 403
    person_page = client_for(service.worker).get(
        reverse("people:detail", args=[service.child.pk]) + "?tab=oversight"
    )
    assert url not in person_page.content.decode()


def test_oversight_of_a_restricted_child_is_not_found_for_others(
    service: Service, client_for: Client
) -> None:
    restriction_set(
        actor=service.other_manager,
        person=service.child,
        restricted=True,
        reason="Family member works in the service",
        named_staff=[service.other_manager],
        expected_version=None,
    )
    url = reverse("supervision:oversight-new", args=[service.child.pk])
    assert client_for(service.manager).get(url).status_code == 404
    assert client_for(service.other_manager).get(url).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("head", 200), ("other_manager", 403), ("worker", 403)]
)
def test_changing_oversight(service: Service, client_for: Client, who: str, status: int) -> None:
    oversight = services.oversight_record(
        actor=service.manager,
        person=service.child,
        oversight_on=days_ago(1),
        decision="Allocate to Wren Worker.",
        rationale=REASONS,
    )
    for name in ("oversight-edit", "oversight-withdraw"):
        url = reverse(f"supervision:{name}", args=[oversight.pk])
        assert client_for(getattr(service, who)).get(url).status_code == status, name
