"""Visit pages: an allow and a deny for each (a user without the permission 403, a restricted
child's visit 404 for staff not named on it), the form's defaults and refusals, the child's page
panel and chronology, and query bounds whatever the number of visits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from hearth.core.models import AuditEvent, User
from hearth.people.chronology import chronology_for
from hearth.people.tests.factories import make_child
from hearth.timescales import services as timescales
from hearth.timescales.rules import SubjectType
from hearth.visits import services
from hearth.visits.models import Visit
from hearth.visits.person_panels import visits_panel

from .conftest import VIEWS, Case, at, make_plan, restrict, today

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]
Record = Callable[..., Visit]


def form_data(**overrides: Any) -> dict[str, Any]:
    day = today() - dt.timedelta(days=1)
    data = {
        "kind": "cin",
        "visited_at_day": str(day.day),
        "visited_at_month": str(day.month),
        "visited_at_year": str(day.year),
        "visited_time": "15:30",
        "location": "home",
        "child_seen": "yes",
        "seen_alone": "yes",
        "bedroom_seen": "na",
        "child_views": VIEWS,
        "observations": "Warm, tidy home.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def reader(make_user: Callable[..., User]) -> User:
    """May see case records but not record casework."""
    return make_user("business_support")


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    """May not see case records at all."""
    return make_user("performance_analyst")


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("team_manager", first_name="Tess", last_name="Teamlead")


# --- recording -----------------------------------------------------------------------------------


def test_the_form_defaults_from_the_open_plan_and_lists_its_actions(
    case: Case, client_for: Client
) -> None:
    page = client_for(case.worker).get(reverse("visits:new", args=[case.child.pk]))
    assert page.status_code == 200
    assert page.context["form"]["kind"].value() == "cin"
    html = page.content.decode()
    for action in case.actions:
        assert action.description in html
    assert 'name="actions"' in html


def test_recording_a_visit(case: Case, client_for: Client) -> None:
    response = client_for(case.worker).post(
        reverse("visits:new", args=[case.child.pk]),
        form_data(actions=[str(case.actions[1].pk)], worker=str(case.worker.pk)),
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:detail", args=[visit.pk])
    assert visit.plan == case.plan
    assert visit.child_seen and visit.seen_alone and visit.bedroom_seen is None
    assert visit.visited_at.astimezone(dt.UTC).hour in (15, 14)  # 15:30 London
    assert list(visit.actions.all()) == [case.actions[1]]


def test_the_form_shows_the_services_refusal(case: Case, client_for: Client) -> None:
    response = client_for(case.worker).post(
        reverse("visits:new", args=[case.child.pk]),
        form_data(child_seen="no", worker=str(case.worker.pk)),
    )
    assert response.status_code == 400
    assert "Say why the child was not seen" in response.content.decode()
    assert not Visit.objects.exists()


def test_recording_is_refused_without_the_edit_permission(
    case: Case, reader: User, client_for: Client
) -> None:
    response = client_for(reader).get(reverse("visits:new", args=[case.child.pk]))
    assert response.status_code == 403


def test_recording_for_a_restricted_child_is_not_found(
    case: Case, manager: User, client_for: Client
) -> None:
    restrict(case.child, manager)
    assert (
        client_for(case.worker).get(reverse("visits:new", args=[case.child.pk])).status_code == 404
    )
    assert client_for(manager).get(reverse("visits:new", args=[case.child.pk])).status_code == 200


# --- one visit -----------------------------------------------------------------------------------


def test_the_visit_page_is_logged(
    case: Case, record: Record, reader: User, client_for: Client
) -> None:
    visit = record(actions=[case.actions[0]])
    page = client_for(reader).get(reverse("visits:detail", args=[visit.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Child seen alone" in html and case.actions[0].description in html
    assert "Change the visit" not in html  # a reader cannot change it
    assert AuditEvent.objects.filter(
        action="view", object_type="visits.visit", object_id=str(visit.pk), actor=reader
    ).exists()


def test_the_visit_page_is_refused_and_hidden(
    case: Case, record: Record, outsider: User, manager: User, client_for: Client
) -> None:
    visit = record()
    assert client_for(outsider).get(reverse("visits:detail", args=[visit.pk])).status_code == 403
    restrict(case.child, manager)
    assert client_for(case.worker).get(reverse("visits:detail", args=[visit.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        action="access_denied", object_type="visits.visit", person_id=str(case.child.pk)
    ).exists()


def test_changing_a_visit(case: Case, record: Record, client_for: Client) -> None:
    visit = record(visited_at=at(3))
    client = client_for(case.worker)
    page = client.get(reverse("visits:change", args=[visit.pk]))
    assert page.status_code == 200
    assert page.context["form"]["child_views"].value() == VIEWS
    response = client.post(
        reverse("visits:change", args=[visit.pk]),
        form_data(
            version=str(visit.version),
            worker=str(case.worker.pk),
            child_seen="no",
            reason_not_seen="Mum cancelled on the day.",
        ),
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert not visit.child_seen and visit.seen_alone is None and visit.version == 2


def test_a_stale_form_is_refused(case: Case, record: Record, client_for: Client) -> None:
    visit = record()
    services.visit_update(
        actor=case.worker, visit=visit, data={"observations": "Changed"}, expected_version=1
    )
    response = client_for(case.worker).post(
        reverse("visits:change", args=[visit.pk]),
        form_data(version="1", worker=str(case.worker.pk)),
    )
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()


def test_changing_is_refused_and_hidden(
    case: Case, record: Record, reader: User, manager: User, client_for: Client
) -> None:
    visit = record()
    assert client_for(reader).get(reverse("visits:change", args=[visit.pk])).status_code == 403
    restrict(case.child, manager)
    assert client_for(case.worker).get(reverse("visits:change", args=[visit.pk])).status_code == 404


def test_withdrawing_a_visit(case: Case, record: Record, client_for: Client) -> None:
    visit = record()
    client = client_for(case.worker)
    assert client.get(reverse("visits:withdraw", args=[visit.pk])).status_code == 200
    blank = client.post(
        reverse("visits:withdraw", args=[visit.pk]), {"version": visit.version, "reason": ""}
    )
    assert blank.status_code == 400
    response = client.post(
        reverse("visits:withdraw", args=[visit.pk]),
        {"version": visit.version, "reason": "Recorded twice."},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.withdrawn_reason == "Recorded twice."
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Withdrawn" in page and "Change the visit" not in page
    # A withdrawn visit cannot be changed.
    assert client.get(reverse("visits:change", args=[visit.pk])).status_code == 302


def test_withdrawing_is_refused_and_hidden(
    case: Case, record: Record, reader: User, manager: User, client_for: Client
) -> None:
    visit = record()
    url = reverse("visits:withdraw", args=[visit.pk])
    assert client_for(reader).post(url, {"reason": "x"}).status_code == 403
    restrict(case.child, manager)
    assert client_for(case.worker).post(url, {"reason": "x"}).status_code == 404
    visit.refresh_from_db()
    assert visit.withdrawn_at is None


# --- the worker's list ---------------------------------------------------------------------------


def _more_children(case: Case, n: int) -> None:
    for _ in range(n):
        child = make_child()
        make_plan(child, case.worker, today() - dt.timedelta(days=30))
        timescales.set_responsibility(
            subject_type=SubjectType.CHILD, subject_id=child.pk, worker=case.worker, team=None
        )
        for days in (20, 10, 5):
            services.visit_record(
                actor=case.worker,
                person=child,
                kind="cin",
                visited_at=at(days),
                child_seen=True,
                seen_alone=False,
            )


def test_my_visits_lists_the_children_with_visits_due(
    case: Case, record: Record, client_for: Client
) -> None:
    record(visited_at=at(5))
    page = client_for(case.worker).get(reverse("visits:mine"))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r.person.pk for r in rows] == [case.child.pk]
    assert rows[0].deadline.rule_code == "cin-visit"
    assert rows[0].person.last_seen_at == at(5)


def test_my_visits_is_refused_without_permission(outsider: User, client_for: Client) -> None:
    assert client_for(outsider).get(reverse("visits:mine")).status_code == 403


def test_my_visits_hides_restricted_children(case: Case, manager: User, client_for: Client) -> None:
    restrict(case.child, manager)
    page = client_for(case.worker).get(reverse("visits:mine"))
    assert page.context["rows"] == []


def test_my_visits_costs_the_same_whatever_the_number(
    case: Case, record: Record, client_for: Client, django_assert_max_num_queries: Any
) -> None:
    record()
    client = client_for(case.worker)
    client.get(reverse("visits:mine"))  # warm the session and permission caches
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("visits:mine"))
    _more_children(case, 4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("visits:mine"))
    assert len(page.context["rows"]) == 5


# --- the child's page ----------------------------------------------------------------------------


def _panel(user: User, case: Case) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return visits_panel(request, case.child)


def test_the_panel_shows_the_latest_visits_and_the_next_due(case: Case, record: Record) -> None:
    record(visited_at=at(4), seen_alone=True)
    record(
        visited_at=at(1),
        child_seen=False,
        seen_alone=None,
        bedroom_seen=None,
        reason_not_seen="No answer at the door.",
    )
    html = _panel(case.worker, case)
    assert "Not seen" in html and "Alone" in html
    assert "I like it better at home now" in html
    # The next visit due, with the engine's explanation: the visit that saw the child (4 days
    # ago) restarted the clock, not the one that did not see them.
    assert f"20 working days after the visit on {at(4).day} " in html
    assert reverse("visits:new", args=[case.child.pk]) in html


def test_the_panel_costs_the_same_whatever_the_number_of_visits(
    case: Case, record: Record, django_assert_max_num_queries: Any
) -> None:
    record(visited_at=at(30))
    _panel(case.worker, case)
    with django_assert_max_num_queries(6) as few:
        _panel(case.worker, case)
    for days in range(29, 9, -1):
        record(visited_at=at(days))
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = _panel(case.worker, case)
    assert "The latest 5 of 21 visits" in html


def test_the_panel_is_on_the_childs_page(case: Case, record: Record, client_for: Client) -> None:
    record()
    url = reverse("people:detail", args=[case.child.pk])
    page = client_for(case.worker).get(url, {"tab": "casework"})
    assert page.status_code == 200
    assert 'id="visits"' in page.content.decode()


def test_the_chronology_shows_visits(case: Case, record: Record) -> None:
    seen = record(visited_at=at(4))
    not_seen = record(
        visited_at=at(2),
        child_seen=False,
        seen_alone=None,
        bedroom_seen=None,
        reason_not_seen="Mum cancelled.",
    )
    withdrawn = record(visited_at=at(1))
    services.visit_withdraw(
        actor=case.worker, visit=withdrawn, reason="Duplicate", expected_version=None
    )
    entries = [e for e in chronology_for(case.child, case.worker, kinds=["visit"])]
    by_url = {e.url: e for e in entries}
    assert len(entries) == 2
    first = by_url[reverse("visits:detail", args=[seen.pk])]
    assert first.title == "Child in need visit: child seen alone"
    assert first.detail.startswith("“I like it better") and not first.significant
    second = by_url[reverse("visits:detail", args=[not_seen.pk])]
    assert second.title == "Child in need visit: child not seen" and second.significant
