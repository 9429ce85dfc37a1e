"""The front door journey in a real browser: a contact recorded, the child recorded from it,
screened, a check returned, a recommendation made, and the manager's decision refused without a
rationale and accepted with one, opening the referral."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page

from hearth.demo.accounts import DEMO_PASSWORD, demo_email

pytestmark = pytest.mark.xdist_group("browser")

RATIONALE = (
    "Police report repeated domestic incidents with the children present; the health visitor "
    "shares concerns about the baby's weight; a social work assessment is needed."
)


def _sign_in(page: Page, url: str, role: str) -> None:
    page.goto(f"{url}/sign-in/")
    page.fill("#id_username", demo_email(role))
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{url}/")


def _sign_out(page: Page) -> None:
    page.click("button:has-text('Sign out')")


def test_contact_to_referral(browser: Browser, server_url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, server_url, "social_worker")

    # Record the contact.
    page.goto(f"{server_url}/front-door/contacts/new/")
    now = dt.datetime.now() - dt.timedelta(hours=1)
    page.fill("#id_received_date_day", str(now.day))
    page.fill("#id_received_date_month", str(now.month))
    page.fill("#id_received_date_year", str(now.year))
    page.fill("#id_received_time", now.strftime("%H:%M"))
    page.select_option("#id_source", "6")
    page.fill("#id_referrer_name", "PC Synthetic")
    page.fill("#id_concerns", "Third domestic incident this month; a baby and a toddler present.")
    page.check("input[name=categories][value=domestic_abuse]")
    page.fill("#id_child_1_forename", "Journeychild")
    page.fill("#id_child_1_surname", "Browsertest")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Contact MASH-" in page.locator("main").inner_text()

    # Record the child from the details given, then screen.
    with page.expect_navigation():
        page.click("button:has-text('as a new person')")
    assert "Child ID" in page.locator("main").inner_text() or "child ID" in page.content()
    page.check("input[name=consent][value=obtained]")
    page.check("input[name=rating][value=amber]")
    with page.expect_navigation():
        page.click("button:has-text('Save screening')")

    # Ask the police, and record what they shared.
    page.check("input[name=agencies][value=police]")
    with page.expect_navigation():
        page.click("button:has-text('Ask for checks')")
    page.fill("textarea[name=summary]", "Two previous call-outs; no weapons; father bailed.")
    with page.expect_navigation():
        page.click("button:has-text('Record what police shared')")
    assert "Two previous call-outs" in page.locator("#checks ~ table").first.inner_text()

    # Recommend a referral.
    page.check("input[name=recommendation][value=referral]")
    page.fill("textarea[name=recommendation_rationale]", RATIONALE)
    with page.expect_navigation():
        page.click("button:has-text('Save recommendation')")
    contact_url = page.url.split("#")[0]
    _sign_out(page)

    # The manager decides: refused without a rationale, accepted with one.
    _sign_in(page, server_url, "team_manager")
    page.goto(contact_url)
    page.check("input[name=decision][value=referral]")
    page.fill("textarea[name=decision_rationale]", "Agreed.")
    page.select_option("select[name=primary_need]", "N1")
    with page.expect_navigation():
        page.click("button:has-text('Save decision')")
    assert page.title().startswith("Error: ")
    assert "at least 10 words" in page.locator(".govuk-error-summary").inner_text()
    page.fill("textarea[name=decision_rationale]", RATIONALE)
    with page.expect_navigation():
        page.click("button:has-text('Save decision')")
    decision = page.locator("#decide ~ dl").first.inner_text()
    assert "Referral to children's social care" in decision
    assert "Referral opened" in decision
    context.close()
