"""The child protection journey in a real browser: a referral, a strategy discussion with social
care, police and health that starts a section 47 enquiry, its outcome (likely significant harm),
an initial conference booked and held by the chair within 15 working days, the plan with a danger
statement and an action linked to it, a core group reporting progress on that action, a visit that
saw the child alone, and a review conference; the child protection tab and chronology show it.

The dates run back from today (nothing may be recorded in the future): referral 45 days ago,
the strategy discussion on the last working day at least 35 days ago, the conference 8 working
days later."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page

from hearth.demo.accounts import DEMO_PASSWORD, demo_email

pytestmark = pytest.mark.xdist_group("browser")

FIND_CHILD = (
    "from hearth.people.models import Person\n"
    "print(Person.objects.filter(date_of_birth__year__gte=2014, is_restricted=False,"
    " date_of_death__isnull=True).exclude(cin_episodes__closure_date__isnull=True)"
    ".exclude(plans__end_date__isnull=True).order_by('-pk').first().pk)"
)
USER_PK = (
    "from hearth.core.models import User\n"
    "from hearth.demo.accounts import demo_email\n"
    "print(User.objects.get(email=demo_email({role!r})).pk)"
)
DANGER = (
    "Police and school are worried that when Dad has been drinking he may hit Sam again, "
    "and Sam could be badly hurt."
)
RATIONALE = (
    "Sam has a bruise he says Dad caused; police hold two callouts and health saw an earlier "
    "injury, so there is reasonable cause to suspect significant harm."
)


def _sign_in(page: Page, url: str, role: str) -> None:
    page.goto(f"{url}/sign-in/")
    page.fill("#id_username", demo_email(role))
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{url}/")


def _sign_out(page: Page) -> None:
    page.click("button:has-text('Sign out')")


def _date(page: Page, name: str, day: dt.date) -> None:
    page.fill(f"#id_{name}_day", str(day.day))
    page.fill(f"#id_{name}_month", str(day.month))
    page.fill(f"#id_{name}_year", str(day.year))


def _submit(page: Page) -> None:
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def _weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _working_days_after(day: dt.date, n: int) -> dt.date:
    # No bank holiday falls in the window the test uses often enough to matter; the page
    # reports the real count and the test checks only that it is within 15.
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def test_strategy_discussion_to_plan_core_group_visit_and_review_conference(
    browser: Browser, server_url: str, server_manage: Callable[..., str]
) -> None:
    def pk_of(code: str) -> int:
        return int(server_manage("shell", "-c", code).strip().splitlines()[-1])

    child_pk = pk_of(FIND_CHILD)
    worker_pk = pk_of(USER_PK.format(role="social_worker"))
    chair_pk = pk_of(USER_PK.format(role="conference_chair"))
    today = dt.date.today()
    referral = today - dt.timedelta(days=45)
    strategy_on = _weekday_on_or_before(today - dt.timedelta(days=35))
    conference_on = _working_days_after(strategy_on, 8)
    core_group_on = conference_on + dt.timedelta(days=7)
    review_on = today

    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, server_url, "social_worker")

    # The referral opens the episode.
    page.goto(f"{server_url}/casework/referral/{child_pk}/")
    _date(page, "referral_date", referral)
    page.select_option("#id_referral_source", "5A")
    page.select_option("#id_primary_need", "N1")
    _submit(page)
    assert "Child in need episode from" in page.locator("h1").inner_text()

    # The strategy discussion: social care, police and health; a specific action with an owner.
    page.goto(f"{server_url}/people/{child_pk}/?tab=protection")
    with page.expect_navigation():
        page.click("main a:has-text('Record a strategy discussion')")
    page.locator("input[name=episode]").first.check()
    _date(page, "held_on", strategy_on)
    page.fill("#id_held_time", "10:30")
    page.fill("#id_information_shared", "School saw a bruise on Sam's arm; police hold callouts.")
    page.check("input[name=decision][value=s47]")
    page.fill("#id_rationale", RATIONALE)
    page.select_option("#id_lead_worker", str(worker_pk))
    for n, (agency, name) in enumerate(
        (("social_care", "Sol Worker"), ("police", "DC Pat Constable"), ("health", "Hana Nurse")),
        start=1,
    ):
        page.select_option(f"#id_attendee_{n}_agency", agency)
        page.fill(f"#id_attendee_{n}_name", name)
    page.fill("#id_action_1_description", "Police to check the home address with Dad's probation.")
    page.fill("#id_action_1_owner_name", "DC Pat Constable")
    page.select_option("#id_action_1_owner_agency", "police")
    _date(page, "action_1_due_date", strategy_on + dt.timedelta(days=2))
    _submit(page)
    main = page.locator("main").inner_text()
    assert "Start a section 47 enquiry" in main
    assert "No one from the police attended" not in main

    # The enquiry's outcome: likely significant harm, so a conference is needed.
    with page.expect_navigation():
        page.click("main a:has-text('The section 47 enquiry it started')")
    with page.expect_navigation():
        page.click("main a:has-text('Update the enquiry')")
    _date(page, "child_seen_on", strategy_on + dt.timedelta(days=1))
    page.check("input[name=seen_alone][value=yes]")
    _submit(page)
    with page.expect_navigation():
        page.click("main a:has-text('Record the outcome')")
    page.check("input[name=outcome][value=likely_harm]")
    page.fill("#id_outcome_rationale", RATIONALE)
    _date(page, "completed_on", strategy_on + dt.timedelta(days=5))
    _submit(page)

    # The initial conference, booked within 15 working days of the strategy discussion.
    with page.expect_navigation():
        page.click("main a:has-text('Book the initial child protection conference')")
    _date(page, "scheduled_on", conference_on)
    page.select_option("#id_chair", str(chair_pk))
    _submit(page)
    conference_url = page.url
    _sign_out(page)

    # The chair records it: attendance, views, the plan and its category.
    _sign_in(page, server_url, "conference_chair")
    page.goto(conference_url)
    with page.expect_navigation():
        page.click("main a:has-text('Record the conference as held')")
    _date(page, "held_on", conference_on)
    for radio in page.locator("input[name^=attended_][value=yes]").all():
        radio.check()
    for radio in page.locator("input[name^=report_][value=yes]").all():
        radio.check()
    page.check("input[name=parent_participation][value=all]")
    page.fill("#id_parents_views", "Mum agrees Sam needs a plan; Dad disagrees with the worries.")
    page.check("input[name=child_participation][value=PN6]")
    page.fill("#id_child_views", "I want Dad to stop shouting. I feel safe at Nan's.")
    page.check("input[name=decision][value=plan]")
    page.select_option("#id_initial_category", "PHY")
    page.fill("#id_chair_rationale", RATIONALE)
    _submit(page)
    main = page.locator("main").inner_text()
    assert "Within 15 working days" in main
    with page.expect_navigation():
        page.click("main a[href^='/plans/']")
    plan_url = page.url.split("#")[0]
    _sign_out(page)

    # The worker writes the plan: a danger statement and an action linked to it.
    _sign_in(page, server_url, "social_worker")
    page.goto(plan_url)
    with page.expect_navigation():
        page.click("main a:has-text('Add a need or risk')")
    page.check("input[name=kind][value=risk]")
    page.fill("#id_statement", DANGER)
    page.fill("#id_safety_goal", "Everyone will know Sam is safe at home, every night.")
    _submit(page)
    page.goto(plan_url)
    with page.expect_navigation():
        page.click("main a:has-text('Add an action')")
    page.fill("#id_description", "Dad to attend the alcohol service and show he keeps going.")
    page.locator("input[name=needs]").first.check()
    page.fill("#id_owner_agency", "Alcohol service")
    _date(page, "due_date", today + dt.timedelta(days=14))
    _submit(page)

    # The core group reports progress on that action.
    page.goto(plan_url)
    with page.expect_navigation():
        page.click("main a:has-text('Record a core group')")
    _date(page, "held_on", core_group_on)
    # The members come from the conference's agencies; each needs a name.
    for n in range(1, 9):
        if page.locator(f"#id_member_{n}").input_value():
            page.fill(f"#id_member_{n}_name", f"Core group member {n}")
    page.fill("#id_summary", "Dad has been to two sessions; Mum and school report calmer evenings.")
    page.locator("input[name$=_status][value=in_progress]").first.check()
    _submit(page)
    assert "calmer evenings" in page.locator("main").inner_text()

    # The visit: seen alone.
    page.goto(f"{server_url}/visits/new/{child_pk}/")
    _date(page, "visited_at", today)
    page.fill("#id_visited_time", "09:30")
    page.check("input[name=kind][value=cp]")
    page.check("input[name=child_seen][value=yes]")
    page.check("input[name=seen_alone][value=yes]")
    page.locator("input[name=bedroom_seen]").first.check()
    page.fill("#id_child_views", "Dad is nicer now. I like my new bed.")
    page.fill("#id_observations", "Home calm; Sam relaxed and chatty.")
    _submit(page)

    # The review conference: booked by the worker, held by the chair; the plan continues.
    page.goto(plan_url)
    with page.expect_navigation():
        page.click("main a:has-text('Book a review conference')")
    _date(page, "scheduled_on", review_on)
    page.select_option("#id_chair", str(chair_pk))
    _submit(page)
    review_url = page.url
    _sign_out(page)
    _sign_in(page, server_url, "conference_chair")
    page.goto(review_url)
    with page.expect_navigation():
        page.click("main a:has-text('Record the conference as held')")
    _date(page, "held_on", review_on)
    for radio in page.locator("input[name^=attended_][value=yes]").all():
        radio.check()
    for radio in page.locator("input[name^=report_][value=yes]").all():
        radio.check()
    page.check("input[name=parent_participation][value=some]")
    page.check("input[name=child_participation][value=PN6]")
    page.check("input[name=decision][value=plan]")
    page.fill("#id_chair_rationale", RATIONALE + " Progress is early; the plan continues.")
    _submit(page)
    assert "Review child protection conference" in page.locator("main").inner_text()

    # The child's page and chronology show the journey.
    page.goto(f"{server_url}/people/{child_pk}/?tab=protection")
    tab = page.locator("main").inner_text()
    assert "On a child protection plan" in tab and "physical abuse" in tab
    page.goto(f"{server_url}/people/{child_pk}/chronology/")
    timeline = page.locator(".moj-timeline").inner_text()
    for text in (
        "Strategy discussion: start a section 47 enquiry",
        "Section 47 enquiry started",
        "Initial child protection conference: child protection plan",
        "Core group",
        "Review child protection conference: child protection plan",
    ):
        assert text in timeline, text
    context.close()
