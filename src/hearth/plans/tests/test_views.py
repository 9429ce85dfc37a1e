"""Plan pages: an allow and a deny for each, the forms' refusals, the child's page panel and
chronology, and query counts that do not grow with the number of actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearth.core.models import AuditEvent, User
from hearth.people.chronology import chronology_for
from hearth.people.services import restriction_set
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.plans import services
from hearth.plans.codes import ActionStatus, NeedKind
from hearth.plans.models import Plan, PlanAction, PlanNeed, PlanReview
from hearth.plans.person_panels import plans_panel

from .conftest import DANGER, GOAL, Setting, days_ago

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def restrict(setting: Setting) -> None:
    restriction_set(
        actor=setting.manager,
        person=setting.child,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=[],
        expected_version=setting.child.version,
    )


@pytest.fixture
def viewer_only(make_user: Callable[..., User]) -> User:
    """Sees case records, records none (business support)."""
    return make_user("business_support")


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    """No case records at all (a performance analyst)."""
    return make_user("performance_analyst")


# Every page that changes something: (url name, which object's pk, POST data maker).
def edit_pages(plan: Plan, risk: PlanNeed, action: PlanAction) -> list[tuple[str, int]]:
    return [
        ("plans:contingency", plan.pk),
        ("plans:end", plan.pk),
        ("plans:need-add", plan.pk),
        ("plans:need-change", risk.pk),
        ("plans:action-add", plan.pk),
        ("plans:action-change", action.pk),
        ("plans:action-status", action.pk),
        ("plans:review-add", plan.pk),
    ]


# --- the plan page -------------------------------------------------------------------------------


def test_plan_page_shows_needs_with_their_actions(
    setting: Setting, plan: Plan, risk: PlanNeed, action: PlanAction, client_for: Client
) -> None:
    page = client_for(setting.worker).get(reverse("plans:detail", args=[plan.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Risk 1: danger statement" in html
    assert "Complete the safety plan with mum" in html
    assert "Overdue" in html  # due 100 days ago, not started
    assert "Strategy discussion if the worries grow." in html
    assert "Next review due" in html
    assert AuditEvent.objects.filter(
        action="view", object_type="plans.plan", object_id=str(plan.pk)
    ).exists()


def test_plan_page_flags_long_danger_statements(
    setting: Setting, plan: Plan, client_for: Client
) -> None:
    services.plan_need_add(
        actor=None,
        plan=plan,
        kind=NeedKind.RISK,
        statement=" ".join(["worried"] * 70),
        safety_goal=GOAL,
    )
    html = client_for(setting.worker).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Flagged for the manager" in html
    assert "70 words: the council's limit is 60" in html


def test_plan_page_deny(setting: Setting, plan: Plan, client_for: Client, outsider: User) -> None:
    assert client_for(outsider).get(reverse("plans:detail", args=[plan.pk])).status_code == 403
    restrict(setting)
    page = client_for(setting.worker).get(reverse("plans:detail", args=[plan.pk]))
    assert page.status_code == 404
    assert AuditEvent.objects.filter(action="access_denied", object_type="plans.plan").exists()


def test_a_viewer_sees_the_plan_without_change_links(
    setting: Setting, plan: Plan, risk: PlanNeed, client_for: Client, viewer_only: User
) -> None:
    page = client_for(viewer_only).get(reverse("plans:detail", args=[plan.pk]))
    assert page.status_code == 200
    assert reverse("plans:need-add", args=[plan.pk]) not in page.content.decode()


def _plan_with_actions(setting: Setting, n: int) -> Plan:
    """A new child's plan with two risks, `n` actions (some linked to both) and a review."""
    person = make_child(forename="Evie")
    episode = open_cin_episode(person, referral_date=days_ago(100))
    plan = services.plan_start(
        actor=setting.worker, person=person, episode=episode, start_date=days_ago(90)
    )
    needs = [
        services.plan_need_add(
            actor=None, plan=plan, kind=NeedKind.RISK, statement=DANGER, safety_goal=GOAL
        )
        for _ in range(2)
    ]
    for i in range(n):
        services.plan_action_add(
            actor=None,
            plan=plan,
            description=f"Action {i}",
            needs=needs[: 1 + i % 2],
            owner_user=setting.worker if i % 2 else None,
            owner_agency="" if i % 2 else "School",
            due_date=days_ago(80 - i),
        )
    services.plan_review_record(
        actor=None, plan=plan, held_on=days_ago(5), decision="continue", progress_summary="Ok"
    )
    return plan


def test_plan_page_queries_do_not_grow_with_actions(setting: Setting, client_for: Client) -> None:
    small = _plan_with_actions(setting, 1)
    large = _plan_with_actions(setting, 12)
    client = client_for(setting.worker)
    counts = []
    for plan in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- starting a plan -----------------------------------------------------------------------------


def test_start_a_plan_from_the_episode(setting: Setting, client_for: Client) -> None:
    url = reverse("plans:start", args=[setting.child.pk])
    client = client_for(setting.worker)
    page = client.get(url, {"episode": setting.episode.pk})
    assert page.status_code == 200
    assert page.context["form"].initial["episode"] == setting.episode.pk
    response = client.post(
        url,
        {
            "episode": setting.episode.pk,
            "contingency": "",
            **date_fields("start_date", days_ago(3)),
        },
    )
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:need-add", args=[plan.pk])
    assert plan.start_date == days_ago(3)


def test_start_shows_the_census_rule(setting: Setting, client_for: Client) -> None:
    response = client_for(setting.worker).post(
        reverse("plans:start", args=[setting.child.pk]),
        {"episode": setting.episode.pk, **date_fields("start_date", days_ago(300))},
    )
    assert response.status_code == 400
    assert "census rule 4015" in response.content.decode()
    assert not Plan.objects.exists()


def test_start_deny(setting: Setting, client_for: Client, viewer_only: User) -> None:
    url = reverse("plans:start", args=[setting.child.pk])
    assert client_for(viewer_only).get(url).status_code == 403
    restrict(setting)
    assert client_for(setting.worker).get(url).status_code == 404


# --- the edit pages ------------------------------------------------------------------------------


def test_edit_pages_allow(
    setting: Setting,
    plan: Plan,
    risk: PlanNeed,
    action: PlanAction,
    client_for: Client,
) -> None:
    client = client_for(setting.worker)
    for name, pk in edit_pages(plan, risk, action):
        assert client.get(reverse(name, args=[pk])).status_code == 200, name


def test_edit_pages_deny(
    setting: Setting,
    plan: Plan,
    risk: PlanNeed,
    action: PlanAction,
    client_for: Client,
    viewer_only: User,
) -> None:
    pages = edit_pages(plan, risk, action)
    client = client_for(viewer_only)
    for name, pk in pages:
        assert client.get(reverse(name, args=[pk])).status_code == 403, name
        assert client.post(reverse(name, args=[pk]), {}).status_code == 403, name
    restrict(setting)
    client = client_for(setting.worker)
    for name, pk in pages:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name


def test_add_a_risk_warns_when_too_long(setting: Setting, plan: Plan, client_for: Client) -> None:
    response = client_for(setting.worker).post(
        reverse("plans:need-add", args=[plan.pk]),
        {"kind": "risk", "statement": " ".join(["worried"] * 65), "safety_goal": GOAL},
        follow=True,
    )
    assert "flagged for your manager" in response.content.decode()
    assert PlanNeed.objects.get().word_count == 65


def test_add_an_action_unlinked_is_refused_on_the_form(
    setting: Setting, plan: Plan, risk: PlanNeed, client_for: Client
) -> None:
    url = reverse("plans:action-add", args=[plan.pk])
    response = client_for(setting.worker).post(
        url, {"description": "Visit weekly", "owner_user": "", "owner_agency": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Link the action to at least one of the plan&#x27;s needs or risks" in html
    assert "Say who will do it" in html
    assert "Enter the date the action is due by" in html
    response = client_for(setting.worker).post(
        url,
        {
            "description": "Visit weekly",
            "needs": [risk.pk],
            "owner_user": setting.worker.pk,
            **date_fields("due_date", days_ago(-20)),
        },
    )
    assert response.status_code == 302
    assert list(PlanAction.objects.get().needs.all()) == [risk]


def test_set_an_action_done(setting: Setting, action: PlanAction, client_for: Client) -> None:
    response = client_for(setting.worker).post(
        reverse("plans:action-status", args=[action.pk]),
        {"status": "done", "version": action.version, **date_fields("completed_on", days_ago(1))},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (ActionStatus.DONE, days_ago(1))


def test_a_stale_form_is_refused(setting: Setting, plan: Plan, client_for: Client) -> None:
    services.plan_update(actor=None, plan=plan, data={"contingency": "Changed"})
    response = client_for(setting.worker).post(
        reverse("plans:contingency", args=[plan.pk]), {"contingency": "Mine", "version": 1}
    )
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()


def test_record_a_review_and_end_the_plan(setting: Setting, plan: Plan, client_for: Client) -> None:
    client = client_for(setting.worker)
    response = client.post(
        reverse("plans:review-add", args=[plan.pk]),
        {
            "decision": "continue",
            "progress_summary": "Good progress at home.",
            "child_views": "I like it when it's quiet.",
            **date_fields("held_on", days_ago(60)),
        },
    )
    assert response.status_code == 302
    assert PlanReview.objects.get().held_on == days_ago(60)
    response = client.post(
        reverse("plans:end", args=[plan.pk]),
        {
            "end_reason": "Stepped down",
            "version": plan.version,
            **date_fields("end_date", days_ago(2)),
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.end_date == days_ago(2)


# --- the child's page ----------------------------------------------------------------------------


def test_panel_lists_plans_with_overdue_actions(
    setting: Setting, plan: Plan, action: PlanAction
) -> None:
    request = RequestFactory().get("/")
    request.user = setting.worker
    html = plans_panel(request, setting.child)
    assert reverse("plans:detail", args=[plan.pk]) in html
    assert "1 overdue of 1 open" in html
    assert "Start a child in need plan" not in html  # one is open


def test_panel_offers_to_start_when_none_is_open(setting: Setting, viewer_only: User) -> None:
    request = RequestFactory().get("/")
    request.user = setting.worker
    assert "Start a child in need plan" in plans_panel(request, setting.child)
    request.user = viewer_only
    assert "Start a child in need plan" not in plans_panel(request, setting.child)


def test_panel_queries_do_not_grow_with_actions(setting: Setting) -> None:
    small = _plan_with_actions(setting, 1)
    large = _plan_with_actions(setting, 12)
    request = RequestFactory().get("/")
    request.user = setting.worker
    plans_panel(request, small.person)  # the viewer's permissions are cached after this
    counts = []
    for plan in (small, large):
        with CaptureQueriesContext(connection) as queries:
            plans_panel(request, plan.person)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3


def test_chronology_has_plan_start_end_and_reviews(setting: Setting, plan: Plan) -> None:
    services.plan_review_record(
        actor=setting.worker,
        plan=plan,
        held_on=days_ago(60),
        decision="continue",
        progress_summary="Good progress.",
    )
    services.plan_end(actor=None, plan=plan, end_date=days_ago(2), reason="Stepped down")
    entries = chronology_for(setting.child, setting.worker, kinds=["plan"])
    titles = {(e.title, e.significant) for e in entries}
    assert ("Child in need plan started", True) in titles
    assert ("Child in need plan ended", True) in titles
    assert ("Child in need plan review: continue the plan", False) in titles
    restrict(setting)
    assert chronology_for(setting.child, setting.worker, kinds=["plan"]) == []
