"""Pages: the reference, deadline lists, local standards and bank holidays — allow and deny."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from hearth.core.models import AuditEvent, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.timescales import services
from hearth.timescales.models import BankHoliday, HolidaySource, LocalStandard
from hearth.timescales.rules import RULES_IN_ORDER

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]


def test_reference_lists_every_rule_with_its_source(
    social_worker: User, client_for: Client
) -> None:
    page = client_for(social_worker).get(reverse("timescales:reference")).content.decode()
    for rule in RULES_IN_ORDER:
        assert f'id="rule-{rule.code}"' in page
    assert (
        "Care Planning, Placement and Case Review (England) Regulations 2010, regulation 28" in page
    )


def test_reference_shows_the_councils_local_value(
    admin_user: User, social_worker: User, client_for: Client
) -> None:
    standard = LocalStandard.objects.get(rule_code="cin-visit")
    services.local_standard_update(
        actor=admin_user, standard=standard, amount=4, unit="weeks", expected_version=None
    )
    page = client_for(social_worker).get(reverse("timescales:reference")).content.decode()
    assert "4 weeks" in page and "default 20 working days" in page


def test_reference_needs_sign_in(client: Any) -> None:
    response = client.get(reverse("timescales:reference"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


@pytest.mark.parametrize("role", ["system_administrator", "head_of_service", "director"])
def test_local_standards_allowed_for_those_who_set_them(
    role: str, make_user: Callable[..., User], client_for: Client
) -> None:
    response = client_for(make_user(role)).get(reverse("timescales:local-standard-list"))
    assert response.status_code == 200
    assert "Visits to a child on a child protection plan" in response.content.decode()


@pytest.mark.parametrize("role", ["social_worker", "team_manager", "performance_analyst"])
def test_local_standards_refused_to_others(
    role: str, make_user: Callable[..., User], client_for: Client
) -> None:
    user = make_user(role)
    standard = LocalStandard.objects.get(rule_code="cp-visit")
    client = client_for(user)
    assert client.get(reverse("timescales:local-standard-list")).status_code == 403
    url = reverse("timescales:local-standard-edit", args=[standard.pk])
    assert client.post(url, {"amount": "1", "unit": "days"}).status_code == 403
    standard.refresh_from_db()
    assert standard.amount == 10


def test_changing_a_local_standard(admin_user: User, client_for: Client) -> None:
    standard = LocalStandard.objects.get(rule_code="cp-visit")
    url = reverse("timescales:local-standard-edit", args=[standard.pk])
    response = client_for(admin_user).post(
        url, {"amount": "15", "unit": "days", "version": str(standard.version)}
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert (standard.amount, standard.unit) == (15, "days")
    assert AuditEvent.objects.filter(object_type="timescales.localstandard").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "", "unit": "days"}, "Enter how many days, weeks or months"),
        ({"amount": "-1", "unit": "days"}, "Enter a number of 0 or more"),
        ({"amount": "0", "unit": "days"}, "Enter a period between 1 and 183 days"),
        ({"amount": "400", "unit": "days"}, "Enter a period between 1 and 183 days"),
        ({"amount": "3"}, "Select how the period is counted"),
    ],
)
def test_bad_local_standard_is_explained_and_nothing_changes(
    data: dict[str, str], message: str, admin_user: User, client_for: Client
) -> None:
    standard = LocalStandard.objects.get(rule_code="cp-visit")
    url = reverse("timescales:local-standard-edit", args=[standard.pk])
    response = client_for(admin_user).post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    standard.refresh_from_db()
    assert (standard.amount, standard.unit, standard.version) == (10, "working_days", 1)


def test_a_concurrent_change_to_a_standard_is_detected(
    admin_user: User, client_for: Client
) -> None:
    standard = LocalStandard.objects.get(rule_code="cp-visit")
    url = reverse("timescales:local-standard-edit", args=[standard.pk])
    client = client_for(admin_user)
    client.post(url, {"amount": "12", "unit": "days", "version": "1"})
    response = client.post(url, {"amount": "3", "unit": "weeks", "version": "1"})
    assert "Someone else changed this record" in response.content.decode()
    standard.refresh_from_db()
    assert (standard.amount, standard.unit) == (12, "days")


def test_unknown_local_standard_is_not_found(admin_user: User, client_for: Client) -> None:
    url = reverse("timescales:local-standard-edit", args=[999999])
    assert client_for(admin_user).get(url).status_code == 404


def test_bank_holidays_are_listed_for_everyone(social_worker: User, client_for: Client) -> None:
    response = client_for(social_worker).get(reverse("timescales:bank-holiday-list") + "?year=2022")
    page = response.content.decode()
    assert "Platinum Jubilee" in page and "State Funeral" in page
    assert "Add a bank holiday" not in page


def test_adding_a_bank_holiday(admin_user: User, client_for: Client) -> None:
    response = client_for(admin_user).post(
        reverse("timescales:bank-holiday-add"),
        {"date_day": "14", "date_month": "6", "date_year": "2030", "name": "Synthetic one-off"},
    )
    assert response.status_code == 302
    holiday = BankHoliday.objects.get(date=dt.date(2030, 6, 14))
    assert (holiday.source, holiday.added_by) == (HolidaySource.ADMINISTRATOR, admin_user)


def test_bad_bank_holiday_is_explained(admin_user: User, client_for: Client) -> None:
    count = BankHoliday.objects.count()
    response = client_for(admin_user).post(
        reverse("timescales:bank-holiday-add"),
        {"date_day": "25", "date_month": "12", "date_year": "2025", "name": "Again"},
    )
    assert "already a bank holiday" in response.content.decode()
    response = client_for(admin_user).post(
        reverse("timescales:bank-holiday-add"),
        {"date_day": "31", "date_month": "2", "date_year": "2030", "name": ""},
    )
    page = response.content.decode()
    assert "Enter the bank holiday&#x27;s name" in page or "Enter the bank holiday's name" in page
    assert BankHoliday.objects.count() == count


@pytest.mark.parametrize("role", ["social_worker", "head_of_service"])
def test_adding_bank_holidays_refused_to_others(
    role: str, make_user: Callable[..., User], client_for: Client
) -> None:
    response = client_for(make_user(role)).post(
        reverse("timescales:bank-holiday-add"),
        {"date_day": "14", "date_month": "6", "date_year": "2030", "name": "No"},
    )
    assert response.status_code == 403
    assert not BankHoliday.objects.filter(date=dt.date(2030, 6, 14)).exists()


def test_withdrawing_a_bank_holiday_added_in_error(admin_user: User, client_for: Client) -> None:
    holiday = services.bank_holiday_add(actor=admin_user, date=dt.date(2030, 6, 14), name="Oops")
    url = reverse("timescales:bank-holiday-withdraw", args=[holiday.pk])
    client = client_for(admin_user)
    assert "Enter why" in client.post(url, {"reason": "", "version": "1"}).content.decode()
    assert client.post(url, {"reason": "Typed the wrong year", "version": "1"}).status_code == 302
    holiday.refresh_from_db()
    assert holiday.withdrawn_at is not None
    assert client.get(url).status_code == 404  # already withdrawn


def test_published_bank_holidays_cannot_be_withdrawn(admin_user: User, client_for: Client) -> None:
    published = BankHoliday.objects.get(date=dt.date(2025, 12, 25))
    url = reverse("timescales:bank-holiday-withdraw", args=[published.pk])
    assert client_for(admin_user).post(url, {"reason": "No", "version": "1"}).status_code == 404


def test_my_deadlines(social_worker: User, client_for: Client) -> None:
    today = dt.date.today()
    services.record_event(subject_type="contact", subject_id=42, name="contact", at=today)
    services.set_responsibility(
        subject_type="contact", subject_id=42, worker=social_worker, team=None
    )
    page = client_for(social_worker).get(reverse("timescales:deadline-list")).content.decode()
    assert "Decision on a contact or referral" in page
    assert reverse("timescales:reference") + "#rule-referral-decision" in page


def test_team_deadlines_allowed_for_the_manager(
    make_user: Callable[..., User], client_for: Client
) -> None:
    manager = make_user("team_manager")
    team = TeamFactory(manager=manager)
    TeamMembershipFactory(team=team, user=manager)
    worker = make_user("social_worker")
    services.record_event(
        subject_type="child", subject_id=7, name="cp-plan-start", at=dt.date.today()
    )
    services.set_responsibility(subject_type="child", subject_id=7, worker=worker, team=team)
    response = client_for(manager).get(
        reverse("timescales:deadline-list") + f"?scope=team-{team.pk}"
    )
    assert response.status_code == 200
    assert "Child 7" in response.content.decode()


def test_team_deadlines_refused_to_a_social_worker(
    make_user: Callable[..., User], client_for: Client
) -> None:
    team = TeamFactory()
    url = reverse("timescales:deadline-list") + f"?scope=team-{team.pk}"
    assert client_for(make_user("social_worker")).get(url).status_code == 403


def test_deadlines_of_a_team_the_user_cannot_see_are_not_found(
    make_user: Callable[..., User], client_for: Client
) -> None:
    analyst_without_directory = make_user("partner_agency")
    analyst_without_directory.roles.add(*make_user("performance_analyst").roles.all())
    url = reverse("timescales:deadline-list") + "?scope=team-999999"
    assert client_for(analyst_without_directory).get(url).status_code == 404


@pytest.mark.parametrize(("role", "status"), [("head_of_service", 200), ("social_worker", 404)])
def test_service_deadlines(
    role: str, status: int, make_user: Callable[..., User], client_for: Client
) -> None:
    url = reverse("timescales:deadline-list") + "?scope=service-children_in_care"
    assert client_for(make_user(role)).get(url).status_code == status


def test_team_page_links_managers_to_the_team_deadlines(
    make_user: Callable[..., User], client_for: Client
) -> None:
    manager = make_user("team_manager")
    team = TeamFactory(manager=manager)
    page = client_for(manager).get(reverse("core:team-detail", args=[team.pk])).content.decode()
    assert f"?scope=team-{team.pk}" in page
    worker_page = client_for(make_user("social_worker")).get(
        reverse("core:team-detail", args=[team.pk])
    )
    assert f"?scope=team-{team.pk}" not in worker_page.content.decode()
