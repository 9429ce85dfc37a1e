"""Child protection plans (a `plans.Plan` of kind `cp`): the CIN census rules on their dates with
the CP rule numbers, CIN/CP exclusivity both ways, their clocks, the plan page's child protection
section (categories, previous plans, conferences, core groups, visits seen alone, what is due
next, the 15-month legal gateway flag) with its access rules and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearth.core.models import AuditEvent, User
from hearth.plans import services as plan_services
from hearth.plans.codes import PlanKind, ReviewDecision
from hearth.plans.models import Plan
from hearth.plans.person_panels import plans_panel
from hearth.protection.codes import ConferenceDecision, ConferenceKind, ConferenceStatus
from hearth.protection.models import Conference
from hearth.protection.selectors import conferences as selectors
from hearth.protection.selectors import history
from hearth.protection.services import core_groups
from hearth.timescales.models import Deadline
from hearth.visits import services as visit_services

from .factories import (
    RATIONALE,
    ProtectionSetting,
    days_ago,
    make_cp_plan,
    make_protection_setting,
    today,
)
from .test_conference_support import book, date_fields, plan_with_action, record, restrict

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]


@pytest.fixture
def setting(make_user: Callable[..., User]) -> ProtectionSetting:
    return make_protection_setting(make_user)


def refused(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def cp_start(setting: ProtectionSetting, on: dt.date) -> Plan:
    return plan_services.plan_start(
        actor=setting.worker,
        person=setting.child,
        kind=PlanKind.CP,
        episode=setting.episode,
        start_date=on,
    )


def held_review(setting: ProtectionSetting, plan: Plan, on: dt.date) -> Conference:
    """A held review conference at model level."""
    return Conference.objects.create(
        person=setting.child,
        episode=setting.episode,
        kind=ConferenceKind.REVIEW,
        status=ConferenceStatus.HELD,
        plan=plan,
        scheduled_on=on,
        held_on=on,
        chair=setting.chair,
        decision=ConferenceDecision.PLAN,
        latest_category="NEG",
        chair_rationale=RATIONALE,
    )


# --- the census rules on a child protection plan's dates -----------------------------------------


def test_a_cp_plan_records_its_clock_events(setting: ProtectionSetting) -> None:
    plan = cp_start(setting, days_ago(10))
    rules = set(
        Deadline.objects.filter(subject_id=setting.child.pk, state="open").values_list(
            "rule_code", flat=True
        )
    )
    assert {"rcpc-first", "core-group-first", "cp-visit"} <= rules
    plan_services.plan_end(
        actor=setting.worker, plan=plan, end_date=days_ago(2), reason="Ended at conference"
    )
    assert not Deadline.objects.filter(
        subject_id=setting.child.pk,
        state="open",
        rule_code__in=("rcpc-first", "core-group-first", "cp-visit"),
    ).exists()


def test_8840_a_cp_plan_does_not_start_and_end_on_one_day(setting: ProtectionSetting) -> None:
    plan = cp_start(setting, days_ago(3))
    with pytest.raises(ValidationError) as exc:
        plan_services.plan_end(
            actor=setting.worker, plan=plan, end_date=days_ago(3), reason="Error"
        )
    assert "census rule 8840" in refused(exc, "end_date")
    plan.refresh_from_db()
    assert plan.end_date is None
    # A case closure that day cannot end it either.
    with pytest.raises(ValidationError) as exc:
        plan_services.plans_end_for_closed_episode(
            actor=None, episode=setting.episode, on=days_ago(3)
        )
    assert "census rule 8840" in refused(exc, "closure_date")


def test_8920_and_8915_the_date_of_death(setting: ProtectionSetting) -> None:
    plan = cp_start(setting, days_ago(30))
    type(setting.child).objects.filter(pk=setting.child.pk).update(date_of_death=days_ago(10))
    plan.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        plan_services.plan_end(actor=None, plan=plan, end_date=days_ago(5), reason="Died")
    assert "census rule 8920" in refused(exc, "end_date")
    plan_services.plan_end(actor=None, plan=plan, end_date=days_ago(10), reason="Died")
    setting.child.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        cp_start(setting, days_ago(5))
    assert "census rule 8915" in refused(exc, "start_date")


@pytest.mark.parametrize(
    ("first", "second", "rule"),
    [
        ((40, None), (10, None), "8935"),  # a second open plan
        ((40, 20), (30, None), "8940"),  # overlapping dates
    ],
)
def test_8935_8940_one_cp_plan_at_a_time(
    setting: ProtectionSetting,
    first: tuple[int, int | None],
    second: tuple[int, int | None],
    rule: str,
) -> None:
    plan = cp_start(setting, days_ago(first[0]))
    if first[1] is not None:
        plan_services.plan_end(
            actor=None, plan=plan, end_date=days_ago(first[1]), reason="Ended at conference"
        )
    with pytest.raises(ValidationError) as exc:
        cp_start(setting, days_ago(second[0]))
    message = refused(exc, "start_date")
    assert f"census rule {rule}" in message
    assert "4004" not in message and "4014" not in message
    assert Plan.objects.filter(person=setting.child, kind=PlanKind.CP).count() == 1


def test_1105_and_8925(setting: ProtectionSetting) -> None:
    with pytest.raises(ValidationError) as exc:
        cp_start(setting, days_ago(130))
    assert "census rule 1105" in refused(exc, "start_date")
    plan = cp_start(setting, days_ago(30))
    Plan.objects.filter(pk=plan.pk).update(end_date=days_ago(10))
    with pytest.raises(ValidationError) as exc:
        plan_services.plan_update(
            actor=None, plan=Plan.objects.get(pk=plan.pk), data={"end_date": days_ago(40)}
        )
    assert "census rule 8925" in refused(exc, "end_date")


def test_8841_the_plan_starts_before_its_review_conferences(setting: ProtectionSetting) -> None:
    plan = cp_start(setting, days_ago(60))
    held_review(setting, plan, days_ago(20))
    with pytest.raises(ValidationError) as exc:
        plan_services.plan_update(actor=None, plan=plan, data={"start_date": days_ago(20)})
    assert "census rule 8841" in refused(exc, "start_date")
    with pytest.raises(ValidationError) as exc:
        plan_services.plan_end(actor=None, plan=plan, end_date=days_ago(25), reason="Ended")
    assert "review conference" in refused(exc, "end_date")
    plan.refresh_from_db()
    assert plan.start_date == days_ago(60) and plan.end_date is None


def test_a_cp_plan_is_reviewed_at_a_conference(setting: ProtectionSetting) -> None:
    plan = cp_start(setting, days_ago(30))
    with pytest.raises(ValidationError, match="reviewed at a review conference"):
        plan_services.plan_review_record(
            actor=setting.worker,
            plan=plan,
            held_on=days_ago(2),
            decision=ReviewDecision.CONTINUE,
            progress_summary="Going well.",
        )
    assert not plan.reviews.exists()


# --- child in need and child protection plans are never open together ----------------------------


def test_exclusivity_a_cin_plan_cannot_start_during_a_cp_plan(setting: ProtectionSetting) -> None:
    cp_start(setting, days_ago(30))
    with pytest.raises(ValidationError) as exc:
        plan_services.plan_start(
            actor=setting.worker,
            person=setting.child,
            episode=setting.episode,
            start_date=days_ago(5),
        )
    assert "census rules 4001, 4016 and 4017" in refused(exc, "start_date")


def test_exclusivity_a_cp_plan_cannot_start_during_a_cin_plan(setting: ProtectionSetting) -> None:
    plan_services.plan_start(
        actor=setting.worker, person=setting.child, episode=setting.episode, start_date=days_ago(30)
    )
    with pytest.raises(ValidationError) as exc:
        cp_start(setting, days_ago(5))
    assert "4001" in refused(exc, "start_date")
    assert not Plan.objects.filter(kind=PlanKind.CP).exists()


def test_4003_a_cin_plan_cannot_cover_a_review_conference(setting: ProtectionSetting) -> None:
    plan = cp_start(setting, days_ago(60))
    held_review(setting, plan, days_ago(30))
    plan_services.plan_end(actor=None, plan=plan, end_date=days_ago(20), reason="Ended")
    # Starting on the day the protection plan ended is allowed; earlier covers the review.
    with pytest.raises(ValidationError) as exc:
        plan_services.check_plan_dates(
            person=setting.child,
            kind=PlanKind.CIN,
            episode=setting.episode,
            start_date=days_ago(40),
            end_date=days_ago(25),
        )
    assert "census rule 4003" in refused(exc, "start_date")
    cin = plan_services.plan_start(
        actor=None, person=setting.child, episode=setting.episode, start_date=days_ago(20)
    )
    assert cin.start_date == days_ago(20)


def test_the_cin_plan_start_page_refuses_while_a_cp_plan_is_open(
    setting: ProtectionSetting, client_for: Client, rf: Any
) -> None:
    cp_start(setting, days_ago(30))
    url = reverse("plans:start", args=[setting.child.pk])
    client = client_for(setting.worker)
    page = client.get(url)
    assert page.status_code == 200
    assert "census rule 4001" in page.content.decode()
    response = client.post(
        url,
        {"episode": setting.episode.pk, **date_fields("start_date", days_ago(2))},
    )
    assert response.status_code == 400
    assert "4001" in response.content.decode()
    assert not Plan.objects.filter(kind=PlanKind.CIN).exists()
    # The child's page offers no "Start a child in need plan" while it is open.
    request = rf.get("/")
    request.user = setting.worker
    assert "Start a child in need plan" not in plans_panel(request, setting.child)


# --- the plan page -------------------------------------------------------------------------------


def visit(setting: ProtectionSetting, plan: Plan, days: int, alone: bool) -> None:
    visit_services.visit_record(
        actor=setting.worker,
        person=setting.child,
        kind="cp",
        visited_at=timezone.now() - dt.timedelta(days=days),
        child_seen=True,
        seen_alone=alone,
        bedroom_seen=True,
        location="home",
        observations="Ava showed me her room.",
        plan=plan,
    )


def test_the_cp_plan_page(setting: ProtectionSetting, client_for: Client) -> None:
    # Two earlier plans, then this one started at an initial conference.
    for start, end in ((110, 90), (80, 60)):
        Plan.objects.create(
            kind=PlanKind.CP,
            person=setting.child,
            episode=setting.episode,
            start_date=days_ago(start),
            end_date=days_ago(end),
        )
    plan = make_cp_plan(setting, started=30, category="PHY")
    action = plan_with_action(plan, setting.worker)
    core_groups.core_group_record(
        actor=setting.worker,
        plan=plan,
        held_on=days_ago(25),
        summary="The group agreed the detailed plan.",
        attendees=[{"agency": "health", "name": "Nurse Hana Health", "attended": True}],
        progress=[{"action": action.pk, "status": "in_progress", "note": "Started."}],
    )
    visit(setting, plan, 3, alone=True)
    assert history.previous_plan_count(plan) == 2
    page = client_for(setting.worker).get(reverse("plans:detail", args=[plan.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Physical abuse (PHY)" in html
    assert 'Previous child protection plans</dt><dd class="govuk-summary-list__value">2' in html
    assert "Initial child protection conference" in html
    assert "Nurse Hana Health" in html
    assert "Child protection visits" in html and "1 visit during the plan" in html
    assert "Next review conference due" in html and "Next core group due" in html
    review_due = Deadline.objects.get(rule_code="rcpc-first", subject_id=setting.child.pk)
    assert f"{review_due.due_on.day} {review_due.due_on:%B %Y}" in html
    assert "Record a core group" in html and "Book a review conference" in html
    assert "Record a review</a>" not in html  # reviewed at a conference
    assert "legal gateway meeting" not in html
    assert AuditEvent.objects.filter(
        action="view", object_type="plans.plan", object_id=str(plan.pk)
    ).exists()
    # The visit met the cp-visit clock and shows as seen alone.
    assert Deadline.objects.filter(
        rule_code="cp-visit", subject_id=setting.child.pk, state="met"
    ).exists()
    section = selectors.protection_section(plan)
    assert section.seen_alone_count == 1 and section.visits[0].seen_alone is True


def test_the_15_month_legal_gateway_flag(
    make_user: Callable[..., User], client_for: Client
) -> None:
    setting = make_protection_setting(make_user, referred=600)
    plan = make_cp_plan(setting, started=470)  # over 15 months
    assert selectors.over_legal_gateway(plan) is True
    html = client_for(setting.worker).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "This plan has lasted over 15 months: discuss it at a legal gateway meeting" in html
    Plan.objects.filter(pk=plan.pk).update(start_date=days_ago(440))  # 14 and a half months
    plan.refresh_from_db()
    assert selectors.over_legal_gateway(plan) is False


def test_the_cp_plan_page_deny(
    setting: ProtectionSetting, client_for: Client, make_user: Callable[..., User]
) -> None:
    plan = make_cp_plan(setting)
    url = reverse("plans:detail", args=[plan.pk])
    assert client_for(make_user("performance_analyst")).get(url).status_code == 403
    restrict(setting)
    assert client_for(setting.worker).get(url).status_code == 404


def test_the_cp_plan_page_costs_a_bounded_number_of_queries(
    setting: ProtectionSetting, client_for: Client
) -> None:
    plan = make_cp_plan(setting, started=40)
    action = plan_with_action(plan, setting.worker)
    client = client_for(setting.worker)
    url = reverse("plans:detail", args=[plan.pk])

    def add(n: int) -> None:
        for i in range(n):
            core_groups.core_group_record(
                actor=setting.worker,
                plan=plan,
                held_on=days_ago(30 - i),
                summary="Progress reviewed.",
                attendees=[
                    {"agency": "health", "name": f"Nurse {i}", "attended": True},
                    {"agency": "education", "name": f"Teacher {i}", "attended": False},
                ],
                progress=[{"action": action.pk, "status": "in_progress", "note": ""}],
            )
            visit(setting, plan, 2 + i, alone=i % 2 == 0)
            record(setting, book(setting, kind=ConferenceKind.REVIEW), initial_category="")

    add(1)
    client.get(url)  # warm the caches (working calendar, council)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(2)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)
    assert len(few) <= 45


def test_an_ended_cp_plan_shows_no_due_dates(setting: ProtectionSetting) -> None:
    plan = make_cp_plan(setting, started=30)
    plan_services.plan_end(actor=None, plan=plan, end_date=days_ago(1), reason="Ended")
    section = selectors.protection_section(plan, today())
    assert section.next_review is None and section.next_core_group is None
    assert section.over_gateway is False
