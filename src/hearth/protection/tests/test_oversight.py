"""Oversight of child protection: the conference chair's page, the service's list of children on
plans, the child protection tab and banner of the child's page, and child protection in queues
and caseloads. Each page: who may see it, who may not, what it shows, and a fixed query count."""

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

from hearth.escalations.models import Escalation
from hearth.people.models import Person, RestrictedAccess
from hearth.plans.models import Plan
from hearth.protection.codes import CategoryOfAbuse, ConferenceKind, ConferenceStatus
from hearth.protection.models import Conference, ProtectionPlan
from hearth.protection.selectors.history import duration_text, previous_plan_count
from hearth.protection.tests.factories import (
    ProtectionSetting,
    days_ago,
    make_cp_plan,
    make_enquiry,
    make_protection_setting,
)
from hearth.timescales.rules import SubjectType
from hearth.timescales.services import rederive
from hearth.workforce.selectors import case_type_of

pytestmark = pytest.mark.django_db


def body(response: Any) -> str:
    return response.content.decode()


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


@pytest.fixture
def setting(make_user: Callable[..., Any]) -> ProtectionSetting:
    return make_protection_setting(make_user, referred=600)


def book(setting: ProtectionSetting, on: dt.date, *, plan: Plan | None = None) -> Conference:
    return Conference.objects.create(
        person=setting.child,
        episode=setting.episode,
        kind=ConferenceKind.REVIEW if plan else ConferenceKind.INITIAL,
        plan=plan,
        scheduled_on=on,
        chair=setting.chair,
    )


# --- the chair's page ----------------------------------------------------------------------------


def test_the_chair_sees_conferences_to_record_and_coming_up_and_long_plans(
    setting: ProtectionSetting, client_for: Callable[[Any], Client]
) -> None:
    plan = make_cp_plan(setting, started=500)  # about 16 months: over the threshold
    rederive([(SubjectType.CHILD, setting.child.pk)])
    book(setting, days_ago(2), plan=plan)
    book(setting, timezone.localdate() + dt.timedelta(days=9), plan=plan)
    page = body(client_for(setting.chair).get(reverse("protection:chair")))
    assert "Your conferences" in page
    assert page.count("Review child protection conference") == 2
    assert "Not recorded" in page  # the one whose date has passed
    assert "Plans over 15 months" in page
    assert "Ava Testchild" in page
    assert "1 plan has lasted over 15 months" in page


def test_the_chair_sees_reviews_due_only_for_children_whose_conferences_they_chair(
    setting: ProtectionSetting, make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    make_cp_plan(setting, started=80)  # first review due 3 months after the start: within 4 weeks
    rederive([(SubjectType.CHILD, setting.child.pk)])
    other_chair = make_user("conference_chair")
    mine = body(client_for(setting.chair).get(reverse("protection:chair")))
    theirs = body(client_for(other_chair).get(reverse("protection:chair")))
    assert "Review conferences due" in mine and "Ava Testchild" in mine
    assert "Ava Testchild" not in theirs
    assert "No review conferences due in the next four weeks." in theirs


def test_the_chair_sees_the_escalations_they_raised(
    setting: ProtectionSetting, client_for: Callable[[Any], Client]
) -> None:
    make_cp_plan(setting, started=30)
    Escalation.objects.create(
        person=setting.child,
        raised_by=setting.chair,
        raiser_role="conference_chair",
        raised_at=timezone.now() - dt.timedelta(days=3),
        concern="The plan's actions are not being done and nobody answers.",
        outcome_sought="A manager to review the plan this week.",
        owner=setting.manager,
    )
    page = body(client_for(setting.chair).get(reverse("protection:chair")))
    assert "Escalations you raised" in page
    assert "with Tess Teamlead" in page


def test_only_conference_chairs_open_the_chair_page(
    setting: ProtectionSetting, client_for: Callable[[Any], Client]
) -> None:
    assert client_for(setting.worker).get(reverse("protection:chair")).status_code == 403
    assert client_for(setting.manager).get(reverse("protection:chair")).status_code == 403
    assert client_for(setting.chair).get(reverse("protection:chair")).status_code == 200


def test_the_chair_page_hides_a_restricted_child_the_chair_is_not_named_for(
    setting: ProtectionSetting, client_for: Callable[[Any], Client]
) -> None:
    plan = make_cp_plan(setting, started=30)
    book(setting, timezone.localdate() + dt.timedelta(days=5), plan=plan)
    Person.objects.filter(pk=setting.child.pk).update(
        is_restricted=True, restriction_reason="A family member works in the service"
    )
    page = body(client_for(setting.chair).get(reverse("protection:chair")))
    assert "Ava Testchild" not in page
    RestrictedAccess.objects.create(person=setting.child, user=setting.chair)
    page = body(client_for(setting.chair).get(reverse("protection:chair")))
    assert "Ava Testchild" in page


def test_the_chair_page_costs_the_same_queries_for_one_or_many_children(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    first = make_protection_setting(make_user, referred=600)
    make_cp_plan(first, started=500)
    book(first, days_ago(1), plan=Plan.objects.get(person=first.child))
    client = client_for(first.chair)
    few = queries(client, reverse("protection:chair"))
    for _ in range(4):
        more = make_protection_setting(make_user, referred=600)
        Conference.objects.create(
            person=more.child,
            episode=more.episode,
            kind=ConferenceKind.INITIAL,
            scheduled_on=days_ago(1),
            chair=first.chair,
        )
    assert queries(client, reverse("protection:chair")) == few


# --- children on plans ---------------------------------------------------------------------------


def test_managers_list_children_on_plans_with_category_duration_and_previous_plans(
    setting: ProtectionSetting, client_for: Callable[[Any], Client]
) -> None:
    earlier = make_cp_plan(setting, started=400, category=CategoryOfAbuse.PHYSICAL)
    Plan.objects.filter(pk=earlier.pk).update(end_date=days_ago(200), end_reason="Risk reduced")
    make_cp_plan(setting, started=100, category=CategoryOfAbuse.EMOTIONAL)
    page = body(client_for(setting.manager).get(reverse("protection:plans")))
    assert "Children on child protection plans" in page
    assert "1 child," in page
    assert "Emotional abuse" in page
    assert duration_text(days_ago(100), timezone.localdate()) in page
    # one previous plan, in the "previous plans" column
    assert '<td class="govuk-table__cell">1</td>' in page


def test_the_list_filters_by_category_and_the_legal_gateway_threshold(
    setting: ProtectionSetting, make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    make_cp_plan(setting, started=500, category=CategoryOfAbuse.NEGLECT)
    other = make_protection_setting(make_user, referred=200, forename="Noah")
    make_cp_plan(other, started=60, category=CategoryOfAbuse.SEXUAL)
    client = client_for(setting.manager)
    url = reverse("protection:plans")
    assert "2 children" in body(client.get(url))
    sexual = body(client.get(url, {"category": "SAB"}))
    assert "Noah Testchild" in sexual and "Ava Testchild" not in sexual
    long = body(client.get(url, {"long": "1"}))
    assert "Ava Testchild" in long and "Noah Testchild" not in long
    assert "Legal gateway" in long


def test_social_workers_cannot_open_the_service_list_and_chairs_can(
    setting: ProtectionSetting, make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    assert client_for(setting.worker).get(reverse("protection:plans")).status_code == 403
    assert client_for(setting.chair).get(reverse("protection:plans")).status_code == 200
    analyst = make_user("performance_analyst")
    status = client_for(analyst).get(reverse("protection:plans")).status_code
    # an analyst without case-record access sees no list of named children
    assert status == (200 if analyst.has_perm("core.view_case_records") else 403)


def test_the_service_list_costs_the_same_queries_for_one_or_many_plans(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    first = make_protection_setting(make_user, referred=300)
    make_cp_plan(first, started=100)
    client = client_for(first.manager)
    few = queries(client, reverse("protection:plans"))
    for i in range(4):
        more = make_protection_setting(make_user, referred=300, forename=f"Child{i}")
        make_cp_plan(more, started=50 + i)
    assert queries(client, reverse("protection:plans")) == few


# --- the child's page ----------------------------------------------------------------------------


def test_the_protection_tab_shows_the_plan_enquiry_and_conferences(
    setting: ProtectionSetting, client_for: Callable[[Any], Client]
) -> None:
    enquiry = make_enquiry(setting, started=40)
    plan = make_cp_plan(setting, started=30, enquiry=enquiry)
    rederive([(SubjectType.CHILD, setting.child.pk)])
    url = reverse("people:detail", args=[setting.child.pk]) + "?tab=protection"
    page = body(client_for(setting.worker).get(url))
    assert "On a child protection plan" in page
    assert "neglect" in page
    assert reverse("plans:detail", args=[plan.pk]) in page
    assert "Initial child protection conference" in page
    assert "Section 47 enquiries" in page
    assert "Record a strategy discussion" in page
    assert "Record a core group" in page
    assert "First review conference" in page or "review conference" in page.lower()


def test_the_banner_tags_a_child_on_a_plan_and_warns_of_a_long_plan(
    setting: ProtectionSetting, client_for: Callable[[Any], Client]
) -> None:
    make_cp_plan(setting, started=500)
    page = body(client_for(setting.worker).get(reverse("people:detail", args=[setting.child.pk])))
    assert "Child protection plan" in page
    assert "Child protection plan over 15 months: discuss it at a legal gateway meeting" in page


def test_the_banner_warns_of_an_initial_conference_past_its_target(
    setting: ProtectionSetting, client_for: Callable[[Any], Client]
) -> None:
    enquiry = make_enquiry(setting, started=40)
    page = body(client_for(setting.worker).get(reverse("people:detail", args=[setting.child.pk])))
    assert "Section 47 enquiry" in page
    assert "Initial child protection conference overdue" in page
    assert f"{enquiry.icpc_target_date.day} {enquiry.icpc_target_date:%B %Y}" in page


def test_a_child_on_a_plan_is_a_child_protection_case_in_caseloads(
    setting: ProtectionSetting,
) -> None:
    assert case_type_of(setting.child) == "child_in_need"
    make_cp_plan(setting, started=30)
    assert case_type_of(setting.child) == "child_protection"


def test_previous_plans_are_counted_from_the_childs_history(setting: ProtectionSetting) -> None:
    first = make_cp_plan(setting, started=400)
    Plan.objects.filter(pk=first.pk).update(end_date=days_ago(300), end_reason="Risk reduced")
    second = make_cp_plan(setting, started=100)
    assert previous_plan_count(first) == 0
    assert previous_plan_count(second) == 1
    assert ProtectionPlan.objects.count() == 2
    assert Conference.objects.filter(status=ConferenceStatus.HELD).count() == 2


def test_durations_read_in_plain_words() -> None:
    start = dt.date(2025, 1, 15)
    assert duration_text(start, dt.date(2025, 1, 16)) == "1 day"
    assert duration_text(start, dt.date(2025, 2, 14)) == "30 days"
    assert duration_text(start, dt.date(2025, 4, 15)) == "3 months"
    assert duration_text(start, dt.date(2026, 3, 20)) == "1 year 2 months"


def test_a_chairs_home_page_links_to_their_conferences(
    setting: ProtectionSetting, client_for: Callable[[Any], Client]
) -> None:
    chair_home = body(client_for(setting.chair).get(reverse("reporting:home")))
    worker_home = body(client_for(setting.worker).get(reverse("reporting:home")))
    assert f'href="{reverse("protection:chair")}"' in chair_home
    assert f'href="{reverse("protection:chair")}"' not in worker_home
