"""Staff records tell the timescale engine when a supervised worker joined, left and was newly
qualified, so supervision falls due every 2 weeks in the ASYE and every 4 weeks after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hearth.core import services
from hearth.core.models import Role, User
from hearth.timescales.models import ClockEvent, Deadline

pytestmark = pytest.mark.django_db


def create(admin: User | None, employment_type: str, start: dt.date, role: str) -> User:
    return services.user_create(
        actor=admin,
        email=f"{employment_type}.{role}@council.example",
        first_name="Sam",
        last_name="Synthetic",
        roles=Role.objects.filter(code=role),
        employment_type=employment_type,
        employment_start=start,
    )


def first_supervision_due(user: User) -> dt.date:
    deadline = Deadline.objects.filter(
        subject_type="worker", subject_id=user.pk, rule_code="supervision"
    ).order_by("sequence")[0]
    return deadline.due_on


def test_newly_qualified_worker_is_supervised_fortnightly(admin_user: User) -> None:
    start = timezone.localdate() - dt.timedelta(days=3)
    worker = create(admin_user, "asye", start, "social_worker")
    assert first_supervision_due(worker) == start + dt.timedelta(weeks=2)
    names = set(ClockEvent.objects.filter(subject_id=worker.pk).values_list("name", flat=True))
    assert names == {"joined", "asye-start", "asye-end"}


def test_experienced_worker_is_supervised_every_four_weeks(admin_user: User) -> None:
    start = timezone.localdate() - dt.timedelta(days=3)
    worker = create(admin_user, "permanent", start, "social_worker")
    assert first_supervision_due(worker) == start + dt.timedelta(weeks=4)


def test_staff_who_are_not_supervised_get_no_clock(admin_user: User) -> None:
    analyst = create(admin_user, "permanent", timezone.localdate(), "performance_analyst")
    assert not ClockEvent.objects.filter(subject_type="worker", subject_id=analyst.pk).exists()
    assert not Deadline.objects.filter(subject_type="worker", subject_id=analyst.pk).exists()


def test_finishing_the_asye_ends_the_fortnightly_period_and_leaving_is_recorded(
    admin_user: User,
) -> None:
    start = timezone.localdate() - dt.timedelta(days=200)
    worker = create(admin_user, "asye", start, "social_worker")
    services.user_update(actor=admin_user, user=worker, data={"employment_type": "permanent"})
    end = ClockEvent.objects.get(subject_id=worker.pk, name="asye-end", withdrawn_at=None)
    assert end.occurred_on == timezone.localdate()
    services.user_deactivate(
        actor=admin_user, user=worker, reason="Moved to another council", end_date=end.occurred_on
    )
    left = ClockEvent.objects.get(subject_id=worker.pk, name="left", withdrawn_at=None)
    assert left.occurred_on == timezone.localdate()
