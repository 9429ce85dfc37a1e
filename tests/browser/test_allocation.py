"""The allocation journey in a real browser: a team manager finds an unallocated child on the
queue, chooses a worker from the suggestions, is warned that the worker would pass the team's
caseload threshold, and allocates after giving a reason, which stays on the record."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser

from hearth.demo.accounts import DEMO_PASSWORD, demo_email

pytestmark = pytest.mark.xdist_group("browser")

# The scene: in the demo team manager's team, the team's thresholds are low enough that every
# worker is over amber, and one child's social worker has left, so the child waits on the queue.
SCENE = """
import datetime as dt
from hearth.core.models import Team, User
from hearth.workforce.models import Allocation
manager = User.objects.get(email="team_manager@demo.hearth.test")
team = Team.objects.get(manager=manager)
Team.objects.filter(pk=team.pk).update(caseload_amber=1, caseload_red=2)
lead = Allocation.objects.filter(team=team, role="lead", end_date=None).order_by("pk").first()
Allocation.objects.filter(pk=lead.pk).update(end_date=dt.date.today(), end_reason="worker_left")
print(lead.person_id)
"""
REASON = "Only worker who knows this family; agreed in supervision to review in two weeks."


def test_manager_allocates_over_threshold_with_a_reason(
    browser: Browser, server_url: str, server_manage: Callable[..., str]
) -> None:
    person_pk = int(server_manage("shell", "-c", SCENE).strip().splitlines()[-1])
    page = browser.new_context().new_page()
    page.goto(f"{server_url}/sign-in/")
    page.fill("#id_username", demo_email("team_manager"))
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{server_url}/")
    assert "unallocated" in page.locator("[data-testid=manager-page]").inner_text()

    page.goto(f"{server_url}/workforce/allocation/")
    row = page.locator(f"[data-testid=unallocated] a[href='/workforce/allocate/{person_pk}/']")
    with page.expect_navigation():
        row.click()
    assert page.locator("[data-testid=suggestions] tbody tr").count() >= 1

    # The first try is refused with the warning; nothing is saved.
    with page.expect_navigation():
        page.click("main form[method=post] button:has-text('Allocate')")
    warning = page.locator("[data-testid=threshold-warning]")
    assert "above the" in warning.inner_text()
    assert "Give a reason to allocate above the caseload threshold" in page.content()

    page.fill("textarea[name=over_threshold_reason]", REASON)
    with page.expect_navigation():
        page.click("main form[method=post] button:has-text('Allocate')")
    assert page.url.endswith(f"/workforce/children/{person_pk}/")
    main = page.locator("main").inner_text()
    assert "allocated to" in main
    assert REASON in main
