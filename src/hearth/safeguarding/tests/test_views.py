"""Pages: an allow and a deny for each (no permission: 403; a restricted child the user is not
named on: 404), the forms' happy paths and refusals, the child's panel, chronology, and bounded
queries on the lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from hearth.core.models import AuditEvent, User
from hearth.people.chronology import chronology_for
from hearth.safeguarding import services
from hearth.safeguarding.models import MissingEpisode, RiskAssessment
from hearth.timescales.calendar import LONDON

from .conftest import (
    Council,
    add_factor,
    days_ago,
    hours_ago,
    record_missing,
    record_risk,
    restrict,
    today,
)

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]


def date_fields(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def moment_fields(prefix: str, moment: dt.datetime) -> dict[str, str]:
    local = moment.astimezone(LONDON)
    return {**date_fields(f"{prefix}_date", local.date()), f"{prefix}_time": f"{local:%H:%M}"}


@pytest.fixture
def pages(council: Council) -> dict[str, str]:
    """Every page about one child's records (risk and missing)."""
    risk = record_risk(council)
    episode = record_missing(council)
    return {
        "risk-record": reverse("safeguarding:risk-record", args=[council.child.pk]),
        "risk-detail": reverse("safeguarding:risk-detail", args=[risk.pk]),
        "risk-update": reverse("safeguarding:risk-update", args=[risk.pk]),
        "risk-close": reverse("safeguarding:risk-close", args=[risk.pk]),
        "missing-record": reverse("safeguarding:missing-record", args=[council.child.pk]),
        "missing-detail": reverse("safeguarding:missing-detail", args=[episode.pk]),
        "missing-update": reverse("safeguarding:missing-update", args=[episode.pk]),
        "missing-return": reverse("safeguarding:missing-return", args=[episode.pk]),
        "missing-interview": reverse("safeguarding:missing-interview", args=[episode.pk]),
    }


CHILD_PAGES = [
    "risk-record",
    "risk-detail",
    "risk-update",
    "risk-close",
    "missing-record",
    "missing-detail",
    "missing-update",
    "missing-return",
    "missing-interview",
]
EDIT_PAGES = [p for p in CHILD_PAGES if not p.endswith("detail")]


@pytest.mark.parametrize("page", CHILD_PAGES)
def test_the_childs_worker_may_open_every_page(
    council: Council, pages: dict[str, str], client_for: Client, page: str
) -> None:
    assert client_for(council.worker).get(pages[page]).status_code == 200


@pytest.mark.parametrize("page", CHILD_PAGES)
def test_staff_without_case_records_are_refused(
    council: Council, pages: dict[str, str], client_for: Client, make_user: Any, page: str
) -> None:
    assert client_for(make_user("performance_analyst")).get(pages[page]).status_code == 403


@pytest.mark.parametrize("page", EDIT_PAGES)
def test_staff_who_may_only_read_cannot_open_the_forms(
    council: Council, pages: dict[str, str], client_for: Client, make_user: Any, page: str
) -> None:
    assert client_for(make_user("business_support")).get(pages[page]).status_code == 403


@pytest.mark.parametrize("page", CHILD_PAGES)
def test_a_restricted_child_is_not_found_for_staff_not_named(
    council: Council, pages: dict[str, str], client_for: Client, make_user: Any, page: str
) -> None:
    restrict(council, named=[council.worker])
    outsider = make_user("social_worker")
    assert client_for(outsider).get(pages[page]).status_code == 404
    assert client_for(council.worker).get(pages[page]).status_code == 200


def test_a_reader_sees_the_detail_pages_without_the_change_links(
    council: Council, pages: dict[str, str], client_for: Client, make_user: Any
) -> None:
    reader = client_for(make_user("business_support"))
    page = reader.get(pages["risk-detail"]).content.decode()
    assert "Correct this assessment" not in page
    assert AuditEvent.objects.filter(action="view", person_id=str(council.child.pk)).exists()


@pytest.mark.parametrize(
    ("page", "who"), [("missing-list", "manager"), ("needing-assessment", "manager")]
)
def test_managers_lists_allow_managers_and_refuse_workers(
    council: Council, client_for: Client, page: str, who: str
) -> None:
    url = reverse(f"safeguarding:{page}")
    assert client_for(council.worker).get(url).status_code == 403
    assert client_for(council.manager).get(url).status_code == 200


# --- forms ---------------------------------------------------------------------------------------


def test_recording_a_risk_assessment_from_the_form(council: Council, client_for: Client) -> None:
    c = client_for(council.worker)
    url = reverse("safeguarding:risk-record", args=[council.child.pk])
    data = {
        "kind": "cce",
        "level": "medium",
        **date_fields("assessed_on", days_ago(2)),
        "assessor": str(council.worker.pk),
        "summary": "Found with cash and a second phone.",
    }
    response = c.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/people/{council.child.pk}/?tab=risk"
    saved = RiskAssessment.objects.get()
    assert (saved.kind, saved.level, saved.assessed_on) == ("cce", "medium", days_ago(2))
    refused = c.post(url, {**data, **date_fields("assessed_on", today() + dt.timedelta(days=3))})
    assert refused.status_code == 400
    assert "The date assessed cannot be in the future" in refused.content.decode()
    assert RiskAssessment.objects.count() == 1


def test_correcting_and_closing_from_the_forms(council: Council, client_for: Client) -> None:
    risk = record_risk(council, assessed_on=days_ago(20))
    c = client_for(council.worker)
    change = {
        "version": str(risk.version),
        "level": "low",
        **date_fields("assessed_on", days_ago(19)),
        "assessor": str(council.worker.pk),
        "summary": "Risk reduced after the disruption plan.",
    }
    assert c.post(reverse("safeguarding:risk-update", args=[risk.pk]), change).status_code == 302
    stale = c.post(reverse("safeguarding:risk-update", args=[risk.pk]), change)
    assert stale.status_code == 400 and "Someone else changed this record" in stale.content.decode()
    risk.refresh_from_db()
    close = {
        "version": str(risk.version),
        **date_fields("closed_on", today()),
        "closed_reason": "No concerns for six months.",
    }
    assert c.post(reverse("safeguarding:risk-close", args=[risk.pk]), close).status_code == 302
    risk.refresh_from_db()
    assert risk.closed_on == today() and risk.closed_by == council.worker


def test_recording_a_missing_episode_its_return_and_interview_from_the_forms(
    council: Council, client_for: Client
) -> None:
    c = client_for(council.worker)
    started = hours_ago(30)
    response = c.post(
        reverse("safeguarding:missing-record", args=[council.child.pk]),
        {
            "missing_from": "care",
            "kind": "A",
            **moment_fields("started", started),
            "reported_to_police": "no",
        },
    )
    assert response.status_code == 302
    episode = MissingEpisode.objects.get()
    assert episode.kind == "A" and episode.ended_at is None and not episode.reported_to_police
    bad = c.post(
        reverse("safeguarding:missing-return", args=[episode.pk]),
        {
            "version": str(episode.version),
            **moment_fields("ended", started - dt.timedelta(hours=2)),
        },
    )
    assert bad.status_code == 400
    assert "The return cannot be before the child went missing" in bad.content.decode()
    returned = hours_ago(20)
    ok = c.post(
        reverse("safeguarding:missing-return", args=[episode.pk]),
        {
            "version": str(episode.version),
            **moment_fields("ended", returned),
            "where_found": "Home.",
        },
    )
    assert ok.status_code == 302
    episode.refresh_from_db()
    interview = c.post(
        reverse("safeguarding:missing-interview", args=[episode.pk]),
        {
            "version": str(episode.version),
            **moment_fields("offered", hours_ago(10)),
            "accepted": "yes",
            **date_fields("completed_on", today()),
            "by": str(council.worker.pk),
            "findings": "Went to see a friend; no harm disclosed.",
        },
    )
    assert interview.status_code == 302
    episode.refresh_from_db()
    assert episode.rhi_accepted is True and episode.rhi_by == council.worker
    detail = c.get(reverse("safeguarding:missing-detail", args=[episode.pk])).content.decode()
    assert "Offered within 72 hours" in detail


def test_a_date_without_a_time_is_refused(council: Council, client_for: Client) -> None:
    response = client_for(council.worker).post(
        reverse("safeguarding:missing-record", args=[council.child.pk]),
        {"missing_from": "home", "kind": "M", **date_fields("started_date", today())},
    )
    assert response.status_code == 400
    assert not MissingEpisode.objects.exists()


# --- the child's page, chronology and lists ------------------------------------------------------


def test_the_childs_page_shows_the_flag_the_risks_and_the_episodes(
    council: Council, client_for: Client, django_assert_max_num_queries: Any
) -> None:
    add_factor(council, "11A")
    record_missing(council)
    record_risk(council, kind="online", assessed_on=days_ago(5))
    c = client_for(council.worker)
    url = reverse("people:detail", args=[council.child.pk]) + "?tab=risk"
    page = c.get(url).content.decode()
    assert 'data-testid="exploitation-flag"' in page
    assert "Online harm" in page and "Offer due" in page
    record_risk(council, kind="cse")
    page = c.get(url).content.decode()
    assert 'data-testid="exploitation-flag"' not in page
    for n in range(12):
        record_missing(
            council, started_at=hours_ago(2000 + 50 * n), ended_at=hours_ago(1990 + 50 * n)
        )
    with django_assert_max_num_queries(80):
        page = c.get(url).content.decode()
    assert "Older episodes are in the" in page


def test_the_panel_costs_the_same_whatever_the_history(
    council: Council, rf: Any, django_assert_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hearth.safeguarding.person_panels import risk_panel

    request = rf.get("/")
    request.user = council.worker

    def cost() -> int:
        with CaptureQueriesContext(connection) as captured:
            risk_panel(request, council.child)
        return len(captured)

    record_missing(council)
    cost()  # the viewer's permissions are cached after the first
    few = cost()
    for n in range(6):
        record_missing(
            council, started_at=hours_ago(2000 + 50 * n), ended_at=hours_ago(1990 + 50 * n)
        )
        record_risk(council, kind=["cse", "cce", "online"][n % 3], assessed_on=days_ago(30 - n))
    assert cost() == few


def test_chronology_entries(council: Council) -> None:
    risk = record_risk(council)
    episode = record_missing(council)
    services.return_interview_record(
        actor=council.worker, episode=episode, offered_at=hours_ago(10), expected_version=None
    )
    entries = chronology_for(council.child, council.worker, kinds=["missing", "risk_assessment"])
    titles = [e.title for e in entries]
    assert "Missing from home" in titles
    assert "Returned from a missing episode" in titles
    assert any(t.startswith("Return interview offered") for t in titles)
    assert f"Child sexual exploitation risk assessed: {risk.get_level_display().lower()}" in titles
    significant = {e.title for e in entries if e.significant}
    assert significant == {"Missing from home"}


def test_missing_list_filters_by_team_date_and_interview(
    council: Council, client_for: Client, make_user: Any
) -> None:
    late = record_missing(council, started_at=hours_ago(200), ended_at=hours_ago(190))
    services.return_interview_record(
        actor=council.worker, episode=late, offered_at=hours_ago(100), expected_version=None
    )
    in_time = record_missing(council, started_at=hours_ago(50), ended_at=hours_ago(40))
    services.return_interview_record(
        actor=council.worker, episode=in_time, offered_at=hours_ago(30), expected_version=None
    )
    c = client_for(council.manager)
    url = reverse("safeguarding:missing-list")
    page = c.get(url)
    assert [e.pk for e, *_ in page.context["rows"]] == [in_time.pk, late.pk]
    assert page.context["summary"].in_time == 1
    assert [e.pk for e, *_ in c.get(url + "?rhi=not_in_time").context["rows"]] == [late.pk]
    assert [e.pk for e, *_ in c.get(url + "?rhi=in_time").context["rows"]] == [in_time.pk]
    since = (today() - dt.timedelta(days=3)).isoformat()
    assert [e.pk for e, *_ in c.get(url + f"?from={since}").context["rows"]] == [in_time.pk]
    other = make_user("team_manager")
    assert client_for(other).get(url).context["rows"] == []
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert c.get(url + "?from=2020-01-01").status_code == 200
        return len(captured)

    c = client_for(council.manager)
    few = cost()
    for n in range(8):
        record_missing(
            council, started_at=hours_ago(1000 + 30 * n), ended_at=hours_ago(995 + 30 * n)
        )
    assert cost() == few


def test_needing_assessment_list_names_only_visible_children(
    council: Council, client_for: Client
) -> None:
    record_missing(council)
    c = client_for(council.manager)
    page = c.get(reverse("safeguarding:needing-assessment")).content.decode()
    assert council.child.full_name in page
    restrict(council, named=[council.worker])
    # the manager who restricted it is named; another manager over the team is not
    page = c.get(reverse("safeguarding:needing-assessment")).content.decode()
    assert council.child.full_name in page
    record_risk(council, kind="missing")
    page = c.get(reverse("safeguarding:needing-assessment")).content.decode()
    assert council.child.full_name not in page
