"""This app's section of `manage.py council_stats`: the council and its workforce."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from hearth.core.choices import EmploymentType, RoleCode, ServiceArea
from hearth.core.models import Council, Role, Team, User

from .stats import register_stats

SOCIAL_WORK_ROLES = [RoleCode.SOCIAL_WORKER, RoleCode.SENIOR_PRACTITIONER]


def _fte(users: QuerySet[User]) -> Decimal:
    return users.aggregate(total=Sum("fte"))["total"] or Decimal(0)


def _ratio(numerator: Decimal | float, denominator: Decimal | float, places: int = 4) -> float:
    return round(float(numerator) / float(denominator), places) if denominator else 0.0


@register_stats("council")
def council_figures(council: Council | None) -> dict[str, Any]:
    if council is None:
        return {}
    active = User.objects.filter(is_active=True)
    staff = active.exclude(roles__code=RoleCode.PARTNER_AGENCY)
    social_workers = active.filter(
        pk__in=User.objects.filter(roles__code__in=SOCIAL_WORK_ROLES).values("pk")
    )
    registered = active.exclude(swe_registration="")
    sw_fte = _fte(social_workers)
    agency_fte = _fte(social_workers.filter(employment_type=EmploymentType.AGENCY))
    registered_fte = _fte(registered)
    employed_registered_fte = _fte(registered.exclude(employment_type=EmploymentType.AGENCY))
    vacancies = council.social_worker_vacancies_fte
    per_10k = 10_000 / council.population_0_17

    teams = dict.fromkeys(ServiceArea.values, 0)
    teams.update(
        Team.objects.filter(is_active=True)
        .order_by()
        .values_list("service_area")
        .annotate(n=Count("pk"))
        .values_list("service_area", "n")
    )
    roles = dict.fromkeys(RoleCode.values, 0)
    roles.update(
        Role.objects.annotate(n=Count("users", filter=Q(users__is_active=True))).values_list(
            "code", "n"
        )
    )
    staff_count = staff.count()
    return {
        "name": council.name,
        "la_code": council.la_code,
        "children": council.population_0_17,
        "scenario": council.generator_scenario,
        "seed": council.generator_seed,
        "reference_date": council.reference_date.isoformat() if council.reference_date else None,
        "staff_active": staff_count,
        "staff_former": User.objects.filter(is_active=False).count(),
        # Data quality: everyone in post but the director should have a line manager.
        "staff_without_line_manager": staff.filter(line_manager__isnull=True)
        .exclude(roles__code=RoleCode.DIRECTOR)
        .count(),
        "part_time_rate": _ratio(staff.filter(fte__lt=1).count(), staff_count),
        "social_worker_fte": round(float(sw_fte), 2),
        "social_worker_fte_per_10k_children": round(float(sw_fte) * per_10k, 2),
        "registered_social_worker_fte": round(float(registered_fte), 2),
        "registered_social_worker_fte_per_10k_children": round(float(registered_fte) * per_10k, 2),
        "agency_rate": _ratio(agency_fte, sw_fte),
        "asye_count": active.filter(employment_type=EmploymentType.ASYE).count(),
        "social_worker_vacancies_fte": round(float(vacancies), 2),
        "vacancy_rate": _ratio(vacancies, vacancies + employed_registered_fte),
        "teams": sum(teams.values()),
        "teams_by_service_area": teams,
        "users_by_role": roles,
    }
