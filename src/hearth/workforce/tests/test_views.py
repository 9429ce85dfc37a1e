"""Allocation pages: the policy matrix, the access log, the threshold warning through the form,
refusals that change nothing, the queue's sorting, and the person page's panel and chronology."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hearth.core.choices import AuditAction, EmploymentType, RoleCode
from hearth.core.models import AuditEvent, Team, User
from hearth.frontdoor import services as frontdoor
from hearth.frontdoor.models import Contact
from hearth.people.models import Person
from hearth.people.services import relationship_add, restriction_set
from hearth.people.tests.factories import make_child
from hearth.timescales.models import ClockSubject
from hearth.workforce import selectors, services
from hearth.workforce.codes import CaseRole, CaseType, ChangeReason, EndReason
from hearth.workforce.models import Allocation, CaseWeight, Establishment

from .factories import (
    FIVE_WORDS,
    days_ago,
    hold,
    make_manager,
    make_team,
    make_worker,
    on_cp_plan,
    open_s47,
    today,
    waiting_child,
)

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def text(page: Any) -> str:
    return re.sub(r"\s+", " ", page.content.decode())


@pytest.fixture
def child(team: Team) -> Person:
    return waiting_child(team, referral_date=days_ago(6), forename="Ava")


@pytest.fixture
def iro_allocation(manager: User, child: Person) -> Allocation:
    [allocation] = services.allocate(
        actor=manager,
        people=[child],
        worker=make_worker(None, RoleCode.IRO, first_name="Ira", last_name="Reviewer"),
        role=CaseRole.IRO,
        start_date=days_ago(2),
        reason=ChangeReason.OTHERS,
    )
    return allocation


PAGES: dict[str, Callable[[Team, Person, Allocation], str]] = {
    "queue": lambda t, c, a: "/workforce/allocation/",
    "allocate": lambda t, c, a: f"/workforce/allocate/{c.pk}/",
    "child": lambda t, c, a: f"/workforce/children/{c.pk}/",
    "role-add": lambda t, c, a: f"/workforce/children/{c.pk}/roles/new/",
    "end": lambda t, c, a: f"/workforce/allocations/{a.pk}/end/",
    "transfer": lambda t, c, a: f"/workforce/children/{c.pk}/transfer/",
    "caseloads": lambda t, c, a: "/workforce/caseloads/",
    "team": lambda t, c, a: f"/workforce/teams/{t.pk}/",
    "figures": lambda t, c, a: "/workforce/figures/",
    "settings": lambda t, c, a: "/workforce/settings/",
    "weight-edit": lambda t, c, a: "/workforce/settings/weights/child_protection/",
    "establishment-add": lambda t, c, a: f"/workforce/settings/teams/{t.pk}/establishment/",
}
MANAGER_PAGES = {
    "queue",
    "allocate",
    "child",
    "role-add",
    "end",
    "transfer",
    "caseloads",
    "team",
    "figures",
}
SETTINGS_PAGES = {"settings", "weight-edit", "establishment-add"}
ALLOWED: dict[str, set[str]] = {
    RoleCode.TEAM_MANAGER: MANAGER_PAGES,
    RoleCode.SOCIAL_WORKER: {"child"},
    RoleCode.SENIOR_PRACTITIONER: MANAGER_PAGES - {"team", "figures"},
    RoleCode.PERFORMANCE_ANALYST: {"team", "figures"},
    RoleCode.HEAD_OF_SERVICE: MANAGER_PAGES | SETTINGS_PAGES,
    RoleCode.SYSTEM_ADMINISTRATOR: SETTINGS_PAGES,
    RoleCode.BUSINESS_SUPPORT: {"child"},
    RoleCode.PARTNER_AGENCY: set(),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", list(ALLOWED))
def test_policy_matrix(
    page: str,
    role: str,
    team: Team,
    manager: User,
    worker: User,
    child: Person,
    iro_allocation: Allocation,
    client_for: ClientFor,
) -> None:
    """Each role either reaches each page (200) or is refused (403). A manager sees their team;
    the head of service oversees it through the management line."""
    user = make_worker(team, role, first_name="Vic", last_name="Viewer")
    if role == RoleCode.HEAD_OF_SERVICE:
        manager.line_manager = user
        manager.save()
    response = client_for(user).get(PAGES[page](team, child, iro_allocation))
    assert response.status_code == (200 if page in ALLOWED[role] else 403), response


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, team: Team) -> None:
    response = client.get("/workforce/allocation/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_a_manager_of_another_team_cannot_see_this_teams_page(
    team: Team, client_for: ClientFor
) -> None:
    elsewhere = make_team(name="Elsewhere team")
    other = make_manager(elsewhere)
    assert client_for(other).get(f"/workforce/teams/{team.pk}/").status_code == 404
    assert client_for(other).get(f"/workforce/teams/{elsewhere.pk}/").status_code == 200
    queue = client_for(other).get("/workforce/allocation/", {"scope": f"team-{team.pk}"})
    assert queue.status_code == 404
    caseloads = client_for(other).get("/workforce/caseloads/", {"scope": f"team-{team.pk}"})
    assert caseloads.status_code == 404


def test_a_performance_analyst_sees_every_teams_page(team: Team, client_for: ClientFor) -> None:
    analyst = make_worker(None, RoleCode.PERFORMANCE_ANALYST)
    elsewhere = make_team(name="Elsewhere team")
    for t in (team, elsewhere):
        assert client_for(analyst).get(f"/workforce/teams/{t.pk}/").status_code == 200


@pytest.fixture
def restricted(child: Person, team: Team) -> Person:
    """The child's record restricted to a named senior manager (not the team manager)."""
    named = make_worker(team, RoleCode.HEAD_OF_SERVICE)
    return restriction_set(
        actor=named,
        person=child,
        restricted=True,
        reason="Relative works in the service",
        named_staff=[named],
        expected_version=None,
    )


@pytest.mark.parametrize("page", ["allocate", "child", "role-add", "end", "transfer"])
def test_a_child_the_user_may_not_see_is_not_found(
    page: str,
    manager: User,
    restricted: Person,
    iro_allocation: Allocation,
    team: Team,
    client_for: ClientFor,
) -> None:
    url = PAGES[page](team, restricted, iro_allocation)
    assert client_for(manager).get(url).status_code == 404
    assert client_for(manager).post(url, {}).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, person_id=str(restricted.pk), actor=manager
    ).exists()
    assert Allocation.objects.filter(person=restricted).count() == 1


@pytest.mark.parametrize(("page", "detail"), [("child", "Allocations"), ("allocate", "Allocation")])
def test_every_view_of_a_childs_allocation_pages_is_logged(
    page: str,
    detail: str,
    manager: User,
    worker: User,
    child: Person,
    iro_allocation: Allocation,
    team: Team,
    client_for: ClientFor,
) -> None:
    url = PAGES[page](team, child, iro_allocation)
    for _ in range(2):
        assert client_for(manager).get(url).status_code == 200
    views = AuditEvent.objects.filter(
        action=AuditAction.VIEW, person_id=str(child.pk), actor=manager, detail=detail
    )
    assert views.count() == 2


# --- allocating through the page -----------------------------------------------------------------


def allocate_form(chosen: User, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "worker": str(chosen.pk),
        "reason": ChangeReason.FCONTA,
        "note": "",
        "over_threshold_reason": "",
        **date_fields("start_date", today()),
    }
    data.update(overrides)
    return data


def test_the_allocate_page_ranks_the_teams_workers(
    manager: User, worker: User, child: Person, team: Team, client_for: ClientFor
) -> None:
    busy = make_worker(team, first_name="Bo", last_name="Busy")
    hold(busy, 18, team=team)
    page = text(client_for(manager).get(f"/workforce/allocate/{child.pk}/"))
    assert page.index("Sam Worker") < page.index("Bo Busy")
    assert "18 children, 18 weighted units against amber at 18 (1 FTE)" in page
    assert "Would be amber after this allocation" in page
    assert "19 units" in page and "1E+1" not in page
    assert "This child counts as 1 weighted unit." in page


def test_allocating_from_the_page_saves_and_goes_to_the_childs_allocations(
    manager: User, worker: User, child: Person, client_for: ClientFor
) -> None:
    response = client_for(manager).post(
        f"/workforce/allocate/{child.pk}/", allocate_form(worker, note="Please visit")
    )
    assert response.status_code == 302
    assert response["Location"] == f"/workforce/children/{child.pk}/"
    lead = selectors.current_lead(child)
    assert lead is not None and lead.worker == worker and lead.note == "Please visit"
    page = text(client_for(manager).get(response["Location"]))
    assert "Ava Testchild allocated to Sam Worker" in page
    assert "First contact or re-referral" in page


def test_over_the_threshold_the_page_warns_first_and_saves_with_a_reason(
    manager: User, worker: User, child: Person, team: Team, client_for: ClientFor
) -> None:
    hold(worker, 18, team=team)
    url = f"/workforce/allocate/{child.pk}/"
    first = client_for(manager).post(url, allocate_form(worker))
    assert first.status_code == 200
    page = text(first)
    assert 'data-testid="threshold-warning"' in page
    assert (
        "Sam Worker would hold 19 weighted units, above the amber threshold of 18 for their hours"
        in page
    )
    assert "Give a reason to allocate above the caseload threshold" in page
    assert selectors.current_lead(child) is None
    short = client_for(manager).post(url, allocate_form(worker, over_threshold_reason="Needs it"))
    assert short.status_code == 200 and selectors.current_lead(child) is None
    second = client_for(manager).post(url, allocate_form(worker, over_threshold_reason=FIVE_WORDS))
    assert second.status_code == 302
    lead = selectors.current_lead(child)
    assert lead is not None and lead.over_threshold_reason == FIVE_WORDS
    history = text(client_for(manager).get(f"/workforce/children/{child.pk}/"))
    assert f"Above threshold because: {FIVE_WORDS}" in history


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"worker": ""}, "Select social worker"),
        ({"reason": ""}, "Select reason for the change of worker"),
        (date_fields("start_date", today() + dt.timedelta(days=3)), "cannot start in the future"),
        ({"start_date_month": "13"}, "must be a real date"),
    ],
)
def test_bad_input_on_the_allocate_page_says_why_and_saves_nothing(
    manager: User,
    worker: User,
    child: Person,
    client_for: ClientFor,
    overrides: dict[str, str],
    message: str,
) -> None:
    response = client_for(manager).post(
        f"/workforce/allocate/{child.pk}/", allocate_form(worker, **overrides)
    )
    assert response.status_code == 200
    assert message in text(response)
    assert "There is a problem" in text(response)
    assert not Allocation.objects.exists()
    assert not AuditEvent.objects.filter(object_type="workforce.allocation").exists()


def test_a_worker_not_offered_cannot_be_chosen(
    manager: User, child: Person, client_for: ClientFor
) -> None:
    stranger = make_worker(make_team(name="Far away team"))
    response = client_for(manager).post(f"/workforce/allocate/{child.pk}/", allocate_form(stranger))
    assert response.status_code == 200 and not Allocation.objects.exists()


def test_waiting_siblings_are_offered_and_allocated_together(
    manager: User, worker: User, child: Person, team: Team, client_for: ClientFor
) -> None:
    sister = waiting_child(team, forename="Mia")
    relationship_add(actor=None, from_person=child, to_person=sister, kind="sibling")
    url = f"/workforce/allocate/{child.pk}/"
    assert "Mia Testchild" in text(client_for(manager).get(url))
    response = client_for(manager).post(url, allocate_form(worker, siblings=[str(sister.pk)]))
    assert response.status_code == 302
    assert {a.person for a in Allocation.objects.filter(worker=worker)} == {child, sister}


def test_suggestions_can_come_from_another_team(
    manager: User, child: Person, client_for: ClientFor
) -> None:
    other = make_team(name="Adolescents team")
    make_worker(other, first_name="Oli", last_name="Other")
    page = text(client_for(manager).get(f"/workforce/allocate/{child.pk}/", {"team": other.pk}))
    assert "Suggested workers in Adolescents team" in page and "Oli Other" in page


# --- the queue -----------------------------------------------------------------------------------


def names_in_order(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


def test_the_queue_lists_the_teams_waiting_children_and_sorts(
    manager: User, team: Team, client_for: ClientFor
) -> None:
    waiting_child(team, referral_date=days_ago(2), forename="Amy")
    zoe = waiting_child(team, referral_date=days_ago(30), forename="Zoe")
    max_ = waiting_child(team, referral_date=days_ago(10), forename="Max")
    open_s47(max_)
    waiting_child(make_team(name="Not mine"), forename="Ned")
    submission = frontdoor.contact_submit(
        actor=manager,
        new=frontdoor.NewContact(
            received_at=timezone.now() - dt.timedelta(days=31),
            source="6",
            concerns="Police attended a domestic incident at the family home overnight.",
            children=[frontdoor.ChildDetails(person=zoe)],
        ),
    )
    Contact.objects.filter(submission=submission).update(rating="red")
    names = ["Amy Testchild", "Zoe Testchild", "Max Testchild"]
    client = client_for(manager)
    page = text(client.get("/workforce/allocation/"))
    assert "Ned Testchild" not in page and "<strong>3</strong> children unallocated" in page
    assert names_in_order(page, names) == ["Zoe Testchild", "Max Testchild", "Amy Testchild"]
    assert "Section 47 enquiry open" in page and ">30<" in page.replace(" ", "")
    page = text(client.get("/workforce/allocation/", {"sort": "name"}))
    assert names_in_order(page, names) == ["Amy Testchild", "Max Testchild", "Zoe Testchild"]
    page = text(client.get("/workforce/allocation/", {"sort": "risk"}))
    assert names_in_order(page, names) == ["Max Testchild", "Zoe Testchild", "Amy Testchild"]
    page = text(client.get("/workforce/allocation/", {"scope": "service-cin_cp", "sort": "x"}))
    assert names_in_order(page, names) == ["Zoe Testchild", "Max Testchild", "Amy Testchild"]
    page = text(client.get("/workforce/allocation/", {"scope": "service-assessment"}))
    assert "<strong>0</strong> children unallocated" in page


def test_a_restricted_child_is_on_the_queue_without_their_name(
    manager: User, restricted: Person, team: Team, client_for: ClientFor
) -> None:
    page = text(client_for(manager).get("/workforce/allocation/"))
    assert "<strong>1</strong> child unallocated" in page
    assert "Restricted record" in page and restricted.child_id in page
    assert "Ava Testchild" not in page
    named = restricted.named_staff.get().user
    page = text(client_for(named).get("/workforce/allocation/"))
    assert "Ava Testchild" in page


# --- a child's allocations, roles, ending, transfer ----------------------------------------------


def test_the_childs_page_shows_current_and_past_with_reasons(
    manager: User, worker: User, child: Person, team: Team, client_for: ClientFor
) -> None:
    [first] = services.allocate(
        actor=manager,
        people=[child],
        worker=worker,
        start_date=days_ago(5),
        reason=ChangeReason.FCONTA,
    )
    services.allocate(
        actor=manager,
        people=[child],
        worker=make_worker(team, first_name="Nia", last_name="New"),
        start_date=days_ago(1),
        reason=ChangeReason.CHCHAN,
    )
    page = text(client_for(manager).get(f"/workforce/children/{child.pk}/"))
    assert "Nia New" in page and "Child&#x27;s circumstances changed" in page
    assert "Ended: case passed to another worker" in page
    assert "Change social worker" in page
    worker_page = text(client_for(worker).get(f"/workforce/children/{child.pk}/"))
    assert "Change social worker" not in worker_page  # a social worker may look, not change
    assert f"/workforce/allocations/{first.pk}/end/" not in worker_page


def test_adding_an_iro_from_the_page(manager: User, child: Person, client_for: ClientFor) -> None:
    iro = make_worker(None, RoleCode.IRO, first_name="Ida", last_name="Iro", job_title="IRO")
    url = f"/workforce/children/{child.pk}/roles/new/"
    assert "Ida Iro, IRO" in text(client_for(manager).get(url))
    response = client_for(manager).post(
        url, {"role": CaseRole.IRO, "worker": str(iro.pk), **date_fields("start_date", today())}
    )
    assert response.status_code == 302
    allocation = Allocation.objects.get(person=child, role=CaseRole.IRO)
    assert allocation.worker == iro and allocation.reason == ChangeReason.OTHERS


def test_a_role_the_person_cannot_hold_is_refused_on_the_page(
    manager: User, worker: User, child: Person, client_for: ClientFor
) -> None:
    response = client_for(manager).post(
        f"/workforce/children/{child.pk}/roles/new/",
        {"role": CaseRole.IRO, "worker": str(worker.pk), **date_fields("start_date", today())},
    )
    assert response.status_code == 200
    assert "Sam Worker cannot be a child&#x27;s independent reviewing officer" in text(response)
    assert not Allocation.objects.exists()


def test_ending_an_allocation_from_the_page(
    manager: User, child: Person, iro_allocation: Allocation, client_for: ClientFor
) -> None:
    url = f"/workforce/allocations/{iro_allocation.pk}/end/"
    bad = client_for(manager).post(
        url,
        {
            "version": str(iro_allocation.version),
            "end_reason": EndReason.REALLOCATED,
            **date_fields("end_date", today()),
        },
    )
    assert bad.status_code == 200 and "Select a valid choice" in text(bad)
    early = client_for(manager).post(
        url,
        {
            "version": str(iro_allocation.version),
            "end_reason": EndReason.ROLE_ENDED,
            **date_fields("end_date", days_ago(9)),
        },
    )
    assert early.status_code == 200 and "cannot end before it started" in text(early)
    iro_allocation.refresh_from_db()
    assert iro_allocation.end_date is None
    done = client_for(manager).post(
        url,
        {
            "version": str(iro_allocation.version),
            "end_reason": EndReason.ROLE_ENDED,
            **date_fields("end_date", today()),
        },
    )
    assert done.status_code == 302
    iro_allocation.refresh_from_db()
    assert iro_allocation.end_date == today()
    assert client_for(manager).get(url).status_code == 404  # already ended


def test_ending_from_a_stale_page_is_refused(
    manager: User, iro_allocation: Allocation, client_for: ClientFor
) -> None:
    response = client_for(manager).post(
        f"/workforce/allocations/{iro_allocation.pk}/end/",
        {
            "version": str(iro_allocation.version + 5),
            "end_reason": EndReason.ROLE_ENDED,
            **date_fields("end_date", today()),
        },
    )
    assert response.status_code == 200
    assert "Someone else changed this record" in text(response)
    iro_allocation.refresh_from_db()
    assert iro_allocation.end_date is None


def test_sending_a_child_to_another_teams_queue(
    manager: User, worker: User, child: Person, team: Team, client_for: ClientFor
) -> None:
    worker_team = team
    other = make_team(name="Long term team")
    url = f"/workforce/children/{child.pk}/transfer/"
    response = client_for(manager).post(url, {"team": str(other.pk)})
    assert response.status_code == 302 and response["Location"] == "/workforce/allocation/"
    assert ClockSubject.objects.get(subject_type="child", subject_id=child.pk).team == other
    services.allocate(
        actor=manager, people=[child], worker=worker, start_date=today(), reason="FCONTA"
    )
    assert ClockSubject.objects.get(subject_type="child", subject_id=child.pk).team == worker_team
    refused = client_for(manager).post(url, {"team": str(other.pk)})
    assert refused.status_code == 200
    assert "The child has a social worker: reallocate instead" in text(refused)
    assert ClockSubject.objects.get(subject_type="child", subject_id=child.pk).team == worker_team


# --- caseloads, team, figures --------------------------------------------------------------------


def test_the_caseloads_page_shows_each_workers_load(
    manager: User, worker: User, team: Team, client_for: ClientFor
) -> None:
    hold(worker, 10, team=team)
    cp = hold(worker, 1, team=team)[0]
    on_cp_plan(cp)
    page = text(client_for(manager).get("/workforce/caseloads/"))
    assert 'data-testid="caseloads"' in page and "Sam Worker" in page
    assert ">11.5<" in page.replace(" ", "") and "1E+1" not in page
    assert "Child protection" in page


def test_the_team_page_shows_the_distribution_mix_and_leavers(
    manager: User, worker: User, team: Team, client_for: ClientFor
) -> None:
    services.establishment_set(
        actor=manager, team=team, effective_from=days_ago(10), posts_fte=Decimal(10)
    )
    agency = make_worker(
        team,
        first_name="Ada",
        last_name="Agency",
        employment_type=EmploymentType.AGENCY,
        employment_end=today() + dt.timedelta(days=14),
    )
    [kid] = hold(agency, 1, team=team)
    hold(worker, 20, team=team)
    analyst = make_worker(None, RoleCode.PERFORMANCE_ANALYST)
    page = text(client_for(manager).get(f"/workforce/teams/{team.pk}/"))
    assert "<svg" in page and 'data-testid="caseloads"' in page
    assert "Case holders: agency</dt>" in page and "1 FTE (50%)" in page
    assert "10 FTE; vacancies 8 FTE" in page and "1E+1" not in page
    assert "Ada Agency, leaving" in page and f"Reallocate {kid.full_name}" in page
    assert "Amber" in page  # Sam holds 20 of 18
    analyst_page = text(client_for(analyst).get(f"/workforce/teams/{team.pk}/"))
    assert f"A child ({kid.child_id})" in analyst_page
    assert kid.full_name not in analyst_page


def test_the_figures_page_on_any_date(
    manager: User, worker: User, team: Team, client_for: ClientFor
) -> None:
    services.establishment_set(
        actor=manager, team=team, effective_from=days_ago(10), posts_fte=Decimal(20)
    )
    client = client_for(manager)
    page = text(client.get("/workforce/figures/"))
    assert 'data-testid="figures"' in page and "Whole service" in page
    assert ">20<" in page.replace(" ", "")
    past = text(client.get("/workforce/figures/", {"on": days_ago(30).isoformat()}))
    assert f"Workforce figures on {days_ago(30):%-d %B %Y}" in past
    assert ">20<" not in past.replace(" ", "")


def test_the_figures_page_says_what_is_wrong_with_a_date(
    manager: User, client_for: ClientFor
) -> None:
    page = text(client_for(manager).get("/workforce/figures/", {"on": "2026-02-30"}))
    assert "Enter a date in the form YYYY-MM-DD" in page
    assert "govuk-error-summary" in page
    assert 'data-testid="figures"' not in page


# --- settings ------------------------------------------------------------------------------------


@pytest.fixture
def head(make_user: Callable[..., User]) -> User:
    return make_user(RoleCode.HEAD_OF_SERVICE)


def test_changing_a_weight(head: User, client_for: ClientFor) -> None:
    url = "/workforce/settings/weights/child_protection/"
    assert "1.5" in text(client_for(head).get(url))
    response = client_for(head).post(url, {"weight": "2", "version": "1"})
    assert response.status_code == 302
    assert CaseWeight.objects.get(case_type=CaseType.CHILD_PROTECTION).weight == 2
    page = text(client_for(head).get("/workforce/settings/"))
    assert ">2<" in page.replace(" ", "")


def test_a_bad_or_stale_weight_is_refused(head: User, client_for: ClientFor) -> None:
    url = "/workforce/settings/weights/child_protection/"
    bad = client_for(head).post(url, {"weight": "-1", "version": "1"})
    assert bad.status_code == 200 and "greater than or equal to 0" in text(bad)
    assert selectors.case_weights()[CaseType.CHILD_PROTECTION] == Decimal("1.5")
    services.case_weight_update(actor=head, case_type="child_protection", weight=Decimal(2))
    services.case_weight_update(actor=head, case_type="child_protection", weight=Decimal(3))
    stale = client_for(head).post(url, {"weight": "4", "version": "1"})
    assert stale.status_code == 200 and "Someone else changed this record" in text(stale)
    assert CaseWeight.objects.get(case_type=CaseType.CHILD_PROTECTION).weight == 3


def test_an_unknown_case_type_is_not_found(head: User, client_for: ClientFor) -> None:
    assert client_for(head).get("/workforce/settings/weights/astrology/").status_code == 404


def test_setting_a_teams_establishment(head: User, team: Team, client_for: ClientFor) -> None:
    url = f"/workforce/settings/teams/{team.pk}/establishment/"
    form = {"posts_fte": "12.5", "note": "Budget 2026", **date_fields("effective_from", today())}
    assert client_for(head).post(url, form).status_code == 302
    assert Establishment.objects.get(team=team).social_worker_posts_fte == Decimal("12.5")
    again = client_for(head).post(url, {**form, "posts_fte": "14"})
    assert again.status_code == 200
    assert "This team already has an establishment from that date" in text(again)
    assert Establishment.objects.count() == 1
    page = text(client_for(head).get("/workforce/settings/"))
    assert "12.5 from" in page
    assert (
        client_for(head).get("/workforce/settings/teams/999999/establishment/").status_code == 404
    )


# --- the person page and the chronology ----------------------------------------------------------


def test_the_person_page_says_unallocated_then_names_the_worker(
    manager: User, worker: User, child: Person, client_for: ClientFor
) -> None:
    client = client_for(manager)
    page = text(client.get(f"/people/{child.pk}/"))
    assert f"Unallocated: no social worker since {days_ago(6):%-d %B %Y}" in page
    assert "govuk-warning-text" in page and "Allocate a social worker" in page
    services.allocate(
        actor=manager, people=[child], worker=worker, start_date=today(), reason="FCONTA"
    )
    page = text(client.get(f"/people/{child.pk}/"))
    assert "Social worker: <strong>Sam Worker</strong>" in page
    assert "Unallocated" not in page and "Change social worker" in page
    assert "Independent reviewing officer" not in page


def test_the_person_page_lists_other_roles_and_children_without_an_episode(
    manager: User, iro_allocation: Allocation, client_for: ClientFor
) -> None:
    page = text(client_for(manager).get(f"/people/{iro_allocation.person_id}/"))
    assert "Independent reviewing officer: Ira Reviewer" in page
    assert "Unallocated: no social worker since" in page
    loner = make_child()
    page = text(client_for(manager).get(f"/people/{loner.pk}/"))
    assert "No open episode and no social worker." in page


def test_the_chronology_shows_allocations_and_filters_them(
    manager: User, worker: User, child: Person, client_for: ClientFor
) -> None:
    [allocation] = services.allocate(
        actor=manager, people=[child], worker=worker, start_date=days_ago(5), reason="FCONTA"
    )
    services.allocation_end(
        actor=manager, allocation=allocation, end_date=days_ago(1), end_reason="worker_left"
    )
    url = f"/people/{child.pk}/chronology/"
    client = client_for(manager)
    page = text(client.get(url, {"kind": "allocation"}))
    assert "Sam Worker became lead social worker" in page
    assert "Sam Worker stopped being lead social worker" in page
    assert "Worker left" in page and "2 entries" in page
    page = text(client.get(url, {"kind": "allocation", "since": days_ago(3).isoformat()}))
    assert "stopped being" in page and "became" not in page
    page = text(client.get(url, {"kind": "allocation", "until": days_ago(3).isoformat()}))
    assert "became" in page and "stopped being" not in page
    bad = text(client.get(url, {"kind": "allocation", "since": "yesterday"}))
    assert "Enter a date in the form YYYY-MM-DD" in bad and "became" not in bad


# --- pages cost the same whatever the number of children -----------------------------------------


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["queue", "caseloads", "team", "figures"])
def test_the_team_pages_cost_the_same_queries_for_5_or_50_children(
    page: str, manager: User, team: Team, client_for: ClientFor
) -> None:
    workers = [make_worker(team) for _ in range(3)]
    leaver = make_worker(team, employment_end=today() + dt.timedelta(days=7))

    def add(n: int) -> None:
        for i in range(n):
            waiting_child(team, referral_date=days_ago(i % 9 + 1))
            hold(workers[i % 3], 1, team=team)
            hold(leaver, 1, team=team)

    client = client_for(manager)
    url = PAGES[page](team, make_child(), Allocation())
    add(5)
    page_queries(client, url)  # the first request loads the session and permissions
    few = page_queries(client, url)
    add(45)
    assert page_queries(client, url) == few
