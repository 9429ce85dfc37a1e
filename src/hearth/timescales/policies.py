"""Who may see or change which timescale records. A record a user may not reach is a 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from hearth.core.models import Team, User
from hearth.core.policies import teams_visible_to, users_visible_to

from .models import BankHoliday, HolidaySource, LocalStandard

MANAGE_STANDARDS = "timescales.manage_local_standards"
MANAGE_HOLIDAYS = "timescales.manage_bank_holidays"
# Who may look at a team's or a service's deadlines (not only their own).
OVERSIGHT = ("core.manage_allocations", "core.view_performance")


def local_standard_for(user: User, pk: int) -> LocalStandard:
    if not user.has_perm(MANAGE_STANDARDS):
        raise PermissionDenied
    # Rows exist only for local-practice rules: a statutory rule has nothing to edit.
    return get_object_or_404(LocalStandard, pk=pk)


def withdrawable_holidays(user: User) -> QuerySet[BankHoliday]:
    if not user.has_perm(MANAGE_HOLIDAYS):
        raise PermissionDenied
    return BankHoliday.objects.filter(source=HolidaySource.ADMINISTRATOR, withdrawn_at__isnull=True)


def holiday_to_withdraw(user: User, pk: int) -> BankHoliday:
    return get_object_or_404(withdrawable_holidays(user), pk=pk)


def may_oversee(user: User) -> bool:
    return any(user.has_perm(p) for p in OVERSIGHT)


def team_deadlines_for(user: User, pk: int) -> Team:
    """A team whose deadlines the user may list: managers and analysts, for teams they can see."""
    if not may_oversee(user):
        raise PermissionDenied
    return get_object_or_404(teams_visible_to(user), pk=pk)


def worker_deadlines_for(user: User, pk: int) -> User:
    """A worker whose deadlines the user may list: managers and analysts, for staff they can see."""
    if not may_oversee(user):
        raise PermissionDenied
    return get_object_or_404(users_visible_to(user), pk=pk)


def may_view_service(user: User) -> bool:
    return may_oversee(user)
