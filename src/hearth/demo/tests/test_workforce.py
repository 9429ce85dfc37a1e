"""The generated workforce: structure, proportions by scenario, demo accounts."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from statistics import mean
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import is_password_usable
from django.test import RequestFactory

from hearth.core.choices import AuditAction, EmploymentType, RoleCode, ServiceArea
from hearth.core.models import AuditEvent, Council, Team, TeamMembership, User
from hearth.demo.accounts import DEMO_PASSWORD, demo_email
from hearth.demo.demo_stats import council_figures
from hearth.demo.generator import GenerationResult
from hearth.demo.generator import generate_council as generate_whole_council
from hearth.demo.scenarios import SCENARIOS
from hearth.demo.workforce import REGISTERED_ROLES

from .helpers import REFERENCE_DATE

pytestmark = pytest.mark.django_db


def generate_council(**kwargs: Any) -> GenerationResult:
    """The workforce steps only: these tests look at staff, not at children and casework."""
    return generate_whole_council(**kwargs, up_to_order=99)


@pytest.fixture
def generated() -> GenerationResult:
    return generate_council(seed=2018, children=5_000, reference_date=REFERENCE_DATE)


def test_every_service_area_has_a_managed_team(generated: GenerationResult) -> None:
    teams = list(Team.objects.select_related("manager"))
    assert {t.service_area for t in teams} == set(ServiceArea.values)
    for team in teams:
        assert team.manager is not None and team.manager.is_active
        assert TeamMembership.objects.filter(
            team=team, user=team.manager, end_date__isnull=True
        ).exists()
        practice_team = team.service_area != ServiceArea.PERFORMANCE
        assert team.manager.has_role(RoleCode.TEAM_MANAGER) == practice_team


def test_bigger_councils_have_more_teams() -> None:
    generate_council(seed=1, children=300_000, reference_date=REFERENCE_DATE)
    by_area = Counter(Team.objects.values_list("service_area", flat=True))
    assert by_area[ServiceArea.ASSESSMENT] >= 4
    assert by_area[ServiceArea.CIN_CP] >= 6
    assert by_area[ServiceArea.CHILDREN_IN_CARE] >= 3
    active = User.objects.filter(is_active=True)
    assert active.filter(roles__code=RoleCode.PERFORMANCE_ANALYST).count() == 4
    assert active.filter(roles__code=RoleCode.SYSTEM_ADMINISTRATOR).count() == 2
    assert active.filter(roles__code=RoleCode.AUDITOR).count() == 3
    assert active.filter(roles__code=RoleCode.DIRECTOR).count() == 1
    assert active.filter(roles__code=RoleCode.HEAD_OF_SERVICE).count() == 4
    # A service manager for every group of up to four teams.
    teams = Team.objects.count()
    assert teams / 4 <= active.filter(roles__code=RoleCode.SERVICE_MANAGER).count() <= teams / 2


ABOVE_TEAMS = {RoleCode.SERVICE_MANAGER, RoleCode.HEAD_OF_SERVICE, RoleCode.DIRECTOR}


def test_everyone_below_service_manager_works_in_one_team_for_their_employment(
    generated: GenerationResult,
) -> None:
    staff = User.objects.exclude(roles__code=RoleCode.PARTNER_AGENCY).prefetch_related(
        "roles", "memberships"
    )
    for user in staff:
        memberships = list(user.memberships.all())
        if user.role_codes() & ABOVE_TEAMS:
            assert not memberships, user.email  # above teams: no team of their own
        else:
            assert len(memberships) == 1, user.email
            (m,) = memberships
            assert m.start_date == user.employment_start
            assert m.end_date == user.employment_end
        assert user.employment_start is not None and user.employment_start <= REFERENCE_DATE
        if not user.is_active:
            assert user.employment_end is not None
            assert generated.context is not None
            assert user.employment_end >= generated.context.history_start


def test_emails_unique_and_styled_and_passwords_unusable(generated: GenerationResult) -> None:
    council = Council.objects.get()
    emails = list(User.objects.values_list("email", flat=True))
    assert len(emails) == len(set(emails))
    domain = re.escape(council.name.removesuffix(" Council").lower().replace(" ", "-"))
    staff_email = re.compile(rf"^[a-z-]+\.[a-z-]+\d*@{domain}\.gov\.uk\.test$")
    for user in User.objects.all():
        if user.email.endswith("@demo.hearth.test"):
            continue
        assert staff_email.match(user.email), user.email
        assert not is_password_usable(user.password)


def test_swe_registration_only_for_registered_social_work_roles(
    generated: GenerationResult,
) -> None:
    numbers = []
    for user in User.objects.prefetch_related("roles"):
        registered = bool(user.role_codes() & set(REGISTERED_ROLES))
        if registered:
            assert re.fullmatch(r"SW\d{6}", user.swe_registration), user.email
            numbers.append(user.swe_registration)
        else:
            assert user.swe_registration == "", user.email
    assert len(numbers) == len(set(numbers)) > 20


def test_one_audit_event_for_the_whole_run(generated: GenerationResult) -> None:
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.GENERATE
    assert event.object_type == "core.council"
    assert event.object_id == str(generated.council.pk)
    assert event.actor is None
    assert "seed 2018" in event.detail
    assert f"{User.objects.count():,} core.user" in event.detail


def test_demo_accounts_one_per_role_and_they_sign_in(generated: GenerationResult) -> None:
    request = RequestFactory().post("/")
    usable = {u.email for u in User.objects.all() if u.has_usable_password()}
    assert usable == {demo_email(code) for code in RoleCode.values}
    for code in RoleCode.values:
        user = User.objects.get(email=demo_email(code))
        assert user.role_codes() == {code}
        signed_in = authenticate(request=request, email=user.email, password=DEMO_PASSWORD)
        assert signed_in == user
        assert authenticate(request=request, email=user.email, password="wrong-password") is None


def test_nobody_in_post_is_in_more_than_one_team(generated: GenerationResult) -> None:
    current = TeamMembership.objects.filter(end_date__isnull=True, user__is_active=True)
    per_user = Counter(current.values_list("user_id", flat=True))
    assert per_user and max(per_user.values()) == 1
    # Every active member of staff below service manager is in exactly one team.
    staff = User.objects.filter(is_active=True).exclude(
        roles__code__in=[*ABOVE_TEAMS, RoleCode.PARTNER_AGENCY]
    )
    assert set(per_user) == set(staff.values_list("pk", flat=True))
    # No one is in two teams at once over the history either.
    assert max(Counter(TeamMembership.objects.values_list("user_id", flat=True)).values()) == 1


def test_service_managers_heads_of_service_and_the_director_are_in_no_team(
    generated: GenerationResult,
) -> None:
    above = User.objects.filter(roles__code__in=ABOVE_TEAMS)
    assert above.filter(is_active=True).count() >= 1 + 4 + 2
    assert not TeamMembership.objects.filter(user__in=above).exists()


def _line(user: User) -> list[User]:
    """The management line above `user`, nearest first; fails on a cycle."""
    line: list[User] = []
    seen = {user.pk}
    manager = user.line_manager
    while manager is not None:
        assert manager.pk not in seen, f"cycle at {manager.email}"
        seen.add(manager.pk)
        line.append(manager)
        manager = manager.line_manager
    return line


def test_everyone_in_post_has_a_line_manager_up_to_the_director(
    generated: GenerationResult,
) -> None:
    staff = list(
        User.objects.filter(is_active=True)
        .exclude(roles__code=RoleCode.PARTNER_AGENCY)
        .select_related("line_manager")
        .prefetch_related("roles", "memberships__team")
    )
    director = User.objects.get(is_active=True, roles__code=RoleCode.DIRECTOR)
    assert director.line_manager is None
    team_manager = {t.pk: t.manager_id for t in Team.objects.all()}
    for user in staff:
        if user == director:
            continue
        manager = user.line_manager
        assert manager is not None and manager.is_active, user.email
        codes = user.role_codes()
        if RoleCode.HEAD_OF_SERVICE in codes:
            assert manager == director
        elif RoleCode.SERVICE_MANAGER in codes:
            assert manager.has_role(RoleCode.HEAD_OF_SERVICE), user.email
        elif user.managed_teams.exists():  # team managers and the performance lead
            assert manager.has_role(RoleCode.SERVICE_MANAGER), user.email
        else:  # a team member: their team's manager
            (membership,) = user.memberships.all()
            assert manager.pk == team_manager[membership.team_id], user.email
    assert User.objects.get(email=demo_email(RoleCode.PERFORMANCE_ANALYST)).line_manager == (
        Team.objects.get(service_area=ServiceArea.PERFORMANCE).manager
    )

    social_workers = [u for u in staff if u.has_role(RoleCode.SOCIAL_WORKER)]
    assert len(social_workers) > 10
    for user in social_workers:
        line = _line(user)
        assert len(line) == 4 and line[-1] == director, user.email
        assert line[0].has_role(RoleCode.TEAM_MANAGER), user.email
        assert line[1].has_role(RoleCode.SERVICE_MANAGER), user.email
        assert line[2].has_role(RoleCode.HEAD_OF_SERVICE), user.email


def test_leavers_line_manager_was_in_post_on_their_last_day(generated: GenerationResult) -> None:
    leavers = list(User.objects.filter(is_active=False).select_related("line_manager"))
    assert leavers
    with_manager = [u for u in leavers if u.line_manager is not None]
    assert len(with_manager) > len(leavers) * 0.9
    for user in with_manager:
        manager = user.line_manager
        assert manager is not None and user.employment_end is not None
        assert manager.employment_start is not None
        assert manager.employment_start <= user.employment_end, user.email
        assert manager.employment_end is None or user.employment_end <= manager.employment_end
        _line(user)  # no cycles


def test_demo_accounts_follow_the_management_line(generated: GenerationResult) -> None:
    def demo(role: str) -> User:
        return User.objects.get(email=demo_email(role))

    manager = demo(RoleCode.TEAM_MANAGER)
    reports = set(manager.direct_reports.all())
    for role in (
        RoleCode.SOCIAL_WORKER,
        RoleCode.SENIOR_PRACTITIONER,
        RoleCode.FAMILY_SUPPORT_WORKER,
        RoleCode.BUSINESS_SUPPORT,
    ):
        assert demo(role) in reports, role
    assert manager.line_manager == demo(RoleCode.SERVICE_MANAGER)
    assert demo(RoleCode.SERVICE_MANAGER).line_manager == demo(RoleCode.HEAD_OF_SERVICE)
    assert demo(RoleCode.HEAD_OF_SERVICE).line_manager == demo(RoleCode.DIRECTOR)
    assert demo(RoleCode.DIRECTOR).line_manager is None
    assert demo(RoleCode.PARTNER_AGENCY).line_manager is None


def test_demo_team_manager_manages_the_demo_social_workers_team(
    generated: GenerationResult,
) -> None:
    manager = User.objects.get(email=demo_email(RoleCode.TEAM_MANAGER))
    team = Team.objects.get(manager=manager)
    assert team.service_area == ServiceArea.CIN_CP
    for role in (
        RoleCode.TEAM_MANAGER,
        RoleCode.SOCIAL_WORKER,
        RoleCode.SENIOR_PRACTITIONER,
        RoleCode.FAMILY_SUPPORT_WORKER,
        RoleCode.BUSINESS_SUPPORT,
    ):
        user = User.objects.get(email=demo_email(role))
        assert user.teams.get() == team, role
    for role in ABOVE_TEAMS:
        assert not User.objects.get(email=demo_email(role)).memberships.exists()
    iro = User.objects.get(email=demo_email(RoleCode.IRO))
    assert iro.teams.get().service_area == ServiceArea.IRO
    adviser = User.objects.get(email=demo_email(RoleCode.PERSONAL_ADVISER))
    assert adviser.teams.get().service_area == ServiceArea.LEAVING_CARE
    partner = User.objects.get(email=demo_email(RoleCode.PARTNER_AGENCY))
    assert not partner.memberships.exists()


def test_asye_are_newly_qualified_social_workers(generated: GenerationResult) -> None:
    asye = User.objects.filter(is_active=True, employment_type=EmploymentType.ASYE)
    assert asye.exists()
    for user in asye:
        assert user.employment_start is not None
        assert (REFERENCE_DATE - user.employment_start).days < 365
        assert user.has_role(RoleCode.SOCIAL_WORKER)
        assert user.swe_registration


@pytest.mark.parametrize(
    ("scenario", "children"),
    [("typical", 40_000), ("improving", 40_000), ("stressed", 40_000), ("struggling", 40_000)],
)
def test_workforce_proportions(scenario: str, children: int) -> None:
    params = SCENARIOS[scenario]
    result = generate_council(
        seed=5, children=children, scenario=scenario, reference_date=REFERENCE_DATE
    )
    figures = council_figures(result.council)

    assert figures["agency_rate"] == pytest.approx(params.agency_rate, abs=0.025)
    assert figures["vacancy_rate"] == pytest.approx(params.vacancy_rate, abs=0.005)
    assert figures["part_time_rate"] == pytest.approx(params.part_time_share, abs=0.03)
    # Case-holding social workers (and senior practitioners) per 10,000 children: children in
    # need (330 per 10,000) over the caseload.
    expected_per_10k = params.cin_per_10k / params.caseload
    assert figures["social_worker_fte_per_10k_children"] == pytest.approx(
        expected_per_10k, rel=0.12
    )
    caseload = children * params.cin_per_10k / 10_000 / figures["social_worker_fte"]
    assert caseload == pytest.approx(params.caseload, rel=0.12)

    active = User.objects.filter(is_active=True)
    permanent_sws = active.filter(roles__code=RoleCode.SOCIAL_WORKER).exclude(
        employment_type=EmploymentType.AGENCY
    )
    asye_share = figures["asye_count"] / permanent_sws.count()
    assert 0.09 <= asye_share <= 0.17

    def tenure(users: list[User]) -> float:
        return mean((REFERENCE_DATE - u.employment_start).days for u in users if u.employment_start)

    agency = list(active.filter(employment_type=EmploymentType.AGENCY))
    permanent = list(active.filter(employment_type=EmploymentType.PERMANENT))
    assert agency and tenure(agency) < tenure(permanent) / 2
    assert all(u.fte == Decimal(1) for u in agency)


def test_typical_matches_national_workforce_figures() -> None:
    result = generate_council(seed=3, children=80_000, reference_date=REFERENCE_DATE)
    figures = council_figures(result.council)
    # DfE 2025: about 30 social worker FTE (all registered posts) per 10,000 children, caseload 15.
    assert 26 <= figures["registered_social_worker_fte_per_10k_children"] <= 32
    assert 13.5 <= result.summary["modelled_caseload"] <= 16.5
    # ~1 IRO per 60 children in care (67 per 10,000), ~1 personal adviser per 20 care leavers.
    assert figures["users_by_role"]["iro"] == round(80_000 * 67 / 10_000 / 60)
    assert figures["users_by_role"]["personal_adviser"] == round(80_000 * 30 / 10_000 / 20)


def test_stressed_council_has_caseloads_of_25_to_35() -> None:
    result = generate_council(
        seed=3, children=80_000, scenario="stressed", reference_date=REFERENCE_DATE
    )
    assert 25 <= result.summary["modelled_caseload"] <= 35
    typical_per_10k = SCENARIOS["typical"].cin_per_10k / SCENARIOS["typical"].caseload
    figures = council_figures(result.council)
    assert figures["social_worker_fte_per_10k_children"] < typical_per_10k * 0.65
