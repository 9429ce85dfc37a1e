"""Journeys through real pages in Chromium: sign-in errors, focus, no-JS use, accessibility, CSP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from hearth.demo.accounts import DEMO_PASSWORD, demo_email

# One worker runs every browser test, so one server and one browser serve them all.
pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    pg = context.new_page()
    pg.csp_violations = []  # type: ignore[attr-defined]
    pg.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and pg.csp_violations.append(msg.text),  # type: ignore[attr-defined]
    )
    yield pg
    context.close()


def _serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _sign_in(page: Page, url: str, role: str) -> None:
    page.goto(f"{url}/sign-in/")
    page.fill("#id_username", demo_email(role))
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")


def test_sign_in_errors_take_focus_then_signing_in_reaches_home(
    page: Page, server_url: str
) -> None:
    page.goto(f"{server_url}/sign-in/")
    with page.expect_navigation():  # read the title of the answer, not of the page being left
        page.click("button:has-text('Sign in')")
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert "Enter your email address" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    summary.get_by_role("link", name="Enter your email address").click()
    assert page.evaluate("document.activeElement.id") == "id_username"

    _sign_in(page, server_url, "team_manager")
    page.wait_for_url(f"{server_url}/")
    assert page.locator("h2", has_text="Team manager").is_visible()
    assert page.locator("nav").get_by_role("link", name="Staff and teams").is_visible()
    assert page.locator("nav").get_by_role("link", name="Users").count() == 0
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_pages_work_without_javascript(browser: Browser, server_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, server_url, "system_administrator")
    page.wait_for_url(f"{server_url}/")
    page.goto(f"{server_url}/admin/users/new/")
    page.click("button:has-text('Save')")
    assert page.title().startswith("Error: ")
    assert "Enter first name" in page.locator(".govuk-error-summary").inner_text()
    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"{server_url}/sign-in/")
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/teams/",
        "/admin/users/",
        "/admin/users/new/",
        "/audit/",
        "/timescales/",
        "/timescales/deadlines/",
        "/timescales/local-standards/",
        "/timescales/bank-holidays/",
        "/timescales/bank-holidays/add/",
    ],
)
def test_pages_have_no_serious_accessibility_violations(
    page: Page, server_url: str, path: str
) -> None:
    _sign_in(page, server_url, "system_administrator")
    page.wait_for_url(f"{server_url}/")
    page.goto(f"{server_url}{path}")
    if path.endswith(("/new/", "/add/")):
        # The page with its errors showing; wait for it, or axe runs mid-navigation.
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    assert _serious(page) == []
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_sign_in_page_is_accessible(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/sign-in/")
    assert _serious(page) == []
