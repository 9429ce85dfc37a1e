"""The casework journey in a real browser: a referral, an assessment that sees the child and
records their words, authorised by the manager with the outcome "child in need plan", the plan
with a danger statement and an action linked to it, a visit that saw the child alone, and the
chronology showing each step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page

from hearth.demo.accounts import DEMO_PASSWORD, demo_email

pytestmark = pytest.mark.xdist_group("browser")

CHILD_WORDS = "I like drawing with my sister. I hide upstairs when they shout at night."
RATIONALE = (
    "The analysis weighs the strengths and the worries; the child's words are clear and a child "
    "in need plan will address the domestic abuse and mum's low mood."
)
# A child of the demo council with no open episode (so a referral may open one).
FIND_CHILD = (
    "from hearth.people.models import Person\n"
    "print(Person.objects.filter(date_of_birth__year__gte=2014, is_restricted=False,"
    " date_of_death__isnull=True).exclude(cin_episodes__closure_date__isnull=True)"
    ".order_by('pk').first().pk)"
)


def _sign_in(page: Page, url: str, role: str) -> None:
    page.goto(f"{url}/sign-in/")
    page.fill("#id_username", demo_email(role))
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{url}/")


def _date(page: Page, name: str, day: dt.date) -> None:
    page.fill(f"#id_{name}_day", str(day.day))
    page.fill(f"#id_{name}_month", str(day.month))
    page.fill(f"#id_{name}_year", str(day.year))


def _submit(page: Page) -> None:
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_referral_to_assessment_plan_visit_and_chronology(
    browser: Browser, server_url: str, server_manage: Callable[..., str]
) -> None:
    child_pk = int(server_manage("shell", "-c", FIND_CHILD).strip().splitlines()[-1])
    today = dt.date.today()
    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, server_url, "social_worker")

    # The referral.
    page.goto(f"{server_url}/casework/referral/{child_pk}/")
    _date(page, "referral_date", today)
    page.select_option("#id_referral_source", "2A")
    page.select_option("#id_primary_need", "N1")
    _submit(page)
    assert "Child in need episode from" in page.locator("h1").inner_text()
    episode_url = page.url

    # The assessment: the child seen alone, their words, the factors, the analysis.
    with page.expect_navigation():
        page.click("main a:has-text('Start the assessment')")
    _date(page, "start_date", today)
    _submit(page)
    _date(page, "child_seen_on", today)
    page.check("input[name=seen_alone][value=yes]")
    page.fill("#id_child_views", CHILD_WORDS)
    page.check("input[name=factors][value='3B']")
    page.check("input[name=factors][value='4B']")
    page.fill(
        "#id_analysis", "Strengths: a loving mum and a settled school. Worries: abuse at home."
    )
    page.check("input[name=outcome][value=cin_plan]")
    _submit(page)
    assert CHILD_WORDS in page.locator("main").inner_text()
    with page.expect_navigation():
        page.click("button:has-text('Send for authorisation')")
    assessment_url = page.url
    assert "Awaiting authorisation" in page.locator("h1").inner_text()
    page.click("button:has-text('Sign out')")

    # The manager authorises it with a rationale: refused without one.
    _sign_in(page, server_url, "team_manager")
    page.goto(assessment_url)
    with page.expect_navigation():
        page.click("main a[href$='/authorise/']")
    page.fill("#id_rationale", "Agreed.")
    _submit(page)
    assert page.title().startswith("Error: ")
    page.fill("#id_rationale", RATIONALE)
    _submit(page)
    assert "Authorised" in page.locator("h1").inner_text()
    page.click("button:has-text('Sign out')")

    # The worker starts the plan from the next step the outcome offers.
    _sign_in(page, server_url, "social_worker")
    page.goto(assessment_url)
    with page.expect_navigation():
        page.click("main a:has-text('Start the child in need plan')")
    _date(page, "start_date", today)
    _submit(page)
    # A danger statement with its safety goal, then an action linked to it.
    page.check("input[name=kind][value=risk]")
    page.fill(
        "#id_statement",
        "Social care are worried that Mum's partner may hurt her again when he has been "
        "drinking, and the children may be hurt or frightened.",
    )
    page.fill("#id_safety_goal", "Everyone will know the children are safe at home every night.")
    _submit(page)
    plan_url = page.url.split("#")[0]
    page.goto(plan_url)
    with page.expect_navigation():
        page.click("main a:has-text('Add an action')")
    page.fill("#id_description", "Refer Mum to the domestic abuse service and agree a safety plan.")
    page.locator("input[name=needs]").first.check()
    page.fill("#id_owner_agency", "Domestic abuse service")
    _date(page, "due_date", today + dt.timedelta(days=14))
    _submit(page)
    assert "Refer Mum to the domestic abuse service" in page.locator("main").inner_text()

    # The visit: seen alone, their words, the action it served.
    page.goto(f"{server_url}/visits/new/{child_pk}/")
    _date(page, "visited_at", today)
    page.fill("#id_visited_time", "10:00")
    page.check("input[name=kind][value=cin]")
    page.check("input[name=child_seen][value=yes]")
    page.check("input[name=seen_alone][value=yes]")
    page.locator("input[name=bedroom_seen]").first.check()
    page.fill("#id_child_views", "My room is my safe place. Mum is happier now.")
    page.fill("#id_observations", "Home warm and tidy; the children relaxed with Mum.")
    page.locator("input[name=actions]").first.check()
    _submit(page)
    assert "My room is my safe place" in page.locator("main").inner_text()

    # The chronology shows each step.
    page.goto(f"{server_url}/people/{child_pk}/chronology/")
    timeline = page.locator(".moj-timeline").inner_text()
    for text in (
        "Referral to children",
        "Assessment started",
        "Assessment authorised: child in need plan",
        "Child in need plan started",
        "Child in need visit: child seen alone",
    ):
        assert text in timeline, text
    assert episode_url
    context.close()
