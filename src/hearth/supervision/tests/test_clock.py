"""The supervision clock: a held session meets the deadline and starts the next period (4 weeks,
2 in the assessed and supported year); a cancelled one does not; the selectors that home pages use
read it in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from hearth.core.models import User
from hearth.supervision import selectors, services
from hearth.timescales import services as timescales
from hearth.timescales.models import ClockSubject, Deadline

from .helpers import Service, cancelled, days_ago, held

pytestmark = pytest.mark.django_db


def supervision(worker: User) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            subject_type="worker", subject_id=worker.pk, rule_code="supervision"
        ).order_by("sequence")
    )


def test_a_held_session_meets_the_deadline_and_the_next_is_due_in_4_weeks(
    service: Service,
) -> None:
    session = held(service.manager, service.worker, on=days_ago(10))  # joined 20 days ago
    first, second = supervision(service.worker)
    assert first.state == "met" and first.met_on == session.session_date
    assert first.met_late is False and first.due_on == days_ago(20) + dt.timedelta(weeks=4)
    assert second.state == "open"
    assert second.due_on == session.session_date + dt.timedelta(weeks=4)
    due = selectors.next_supervision_due(service.worker)
    assert due is not None and due.pk == second.pk and due.status == "upcoming"  # type: ignore[attr-defined]


def test_a_newly_qualified_workers_next_supervision_is_due_in_2_weeks(
    make_user: Callable[..., User], service: Service
) -> None:
    newly_qualified = make_user(
        "social_worker",
        employment_type="asye",
        employment_start=days_ago(12),
        line_manager=service.manager,
    )
    session = held(service.manager, newly_qualified, on=days_ago(3))
    first, second = supervision(newly_qualified)
    assert first.due_on == days_ago(12) + dt.timedelta(weeks=2)
    assert first.state == "met" and first.met_late is False
    assert second.due_on == session.session_date + dt.timedelta(weeks=2)
    assert "assessed and supported year" in second.explanation


def test_a_cancelled_session_does_not_meet_the_deadline(
    make_user: Callable[..., User], service: Service
) -> None:
    worker = make_user("social_worker", employment_start=days_ago(40), line_manager=service.manager)
    services.ensure_supervision_clock(worker, days_ago(40))
    cancelled(service.manager, worker, on=days_ago(13))
    (only,) = supervision(worker)
    assert only.state == "open" and only.due_on == days_ago(12)
    overdue = list(selectors.supervision_overdue(workers=User.objects.filter(pk=worker.pk)))
    assert [d.subject_id for d in overdue] == [worker.pk]
    assert overdue[0].status == "overdue"  # type: ignore[attr-defined]


def test_withdrawing_the_session_reopens_the_deadline(service: Service) -> None:
    session = held(service.manager, service.worker, on=days_ago(10))
    services.session_withdraw(
        actor=service.manager, session=session, reason="Wrong worker", expected_version=None
    )
    (only,) = supervision(service.worker)
    assert only.state == "open" and only.met_on is None


def test_the_first_session_starts_the_clock_from_the_workers_start_date(
    service: Service,
) -> None:
    held(service.manager, service.worker)
    owner = ClockSubject.objects.get(subject_type="worker", subject_id=service.worker.pk)
    assert owner.worker == service.worker and owner.team == service.team
    assert all(d.worker_id == service.worker.pk for d in supervision(service.worker))
    # A second session does not record the start again.
    held(service.manager, service.worker, on=days_ago(2))
    assert len(supervision(service.worker)) == 3


def test_late_session_counts_as_met_late(make_user: Callable[..., User], service: Service) -> None:
    worker = make_user("social_worker", employment_start=days_ago(60), line_manager=service.manager)
    held(service.manager, worker, on=days_ago(5))  # due 32 days ago
    first, _ = supervision(worker)
    assert first.state == "met" and first.met_late is True


# --- selectors for home pages --------------------------------------------------------------------


def _worker_with(make_user: Callable[..., User], manager: User, *, started: int) -> User:
    worker = make_user("social_worker", employment_start=days_ago(started), line_manager=manager)
    services.ensure_supervision_clock(worker, days_ago(started))
    return worker


def test_overdue_supervision_for_a_set_of_workers_is_one_query(
    make_user: Callable[..., User],
    service: Service,
    django_assert_num_queries: Any,
) -> None:
    late = [_worker_with(make_user, service.manager, started=40 + n) for n in range(4)]
    on_time = _worker_with(make_user, service.manager, started=10)
    elsewhere = _worker_with(make_user, service.other_manager, started=50)
    team = User.objects.filter(line_manager=service.manager)
    with django_assert_num_queries(1):
        overdue = list(selectors.supervision_overdue(workers=team))
    assert {d.subject_id for d in overdue} == {w.pk for w in late}
    assert on_time.pk not in {d.subject_id for d in overdue}
    assert elsewhere.pk not in {d.subject_id for d in overdue}
    assert [d.due_on for d in overdue] == sorted(d.due_on for d in overdue)  # oldest first


def test_next_supervision_due_is_none_without_a_clock(service: Service) -> None:
    assert selectors.next_supervision_due(service.peer) is None


def test_on_time_rate(make_user: Callable[..., User], service: Service) -> None:
    since, until = days_ago(90), days_ago(0)
    assert selectors.supervision_on_time_rate(since=since, until=until) is None
    on_time = _worker_with(make_user, service.manager, started=30)  # due 2 days ago
    held(service.manager, on_time, on=days_ago(4))  # met; next due in 24 days: not yet decided
    late = _worker_with(make_user, service.manager, started=60)  # due 32 days ago
    held(service.manager, late, on=days_ago(20))  # met late; next due in 8 days
    _worker_with(make_user, service.manager, started=35)  # due 7 days ago, still open: missed
    assert selectors.supervision_on_time_rate(since=since, until=until) == pytest.approx(1 / 3)
    # Only deadlines falling due in the window count.
    rate = selectors.supervision_on_time_rate(since=days_ago(5), until=until)
    assert rate == pytest.approx(1.0)


def test_a_deadline_open_beyond_today_is_not_yet_counted(
    make_user: Callable[..., User], service: Service
) -> None:
    _worker_with(make_user, service.manager, started=10)  # due in 18 days
    future = timezone.localdate() + dt.timedelta(days=30)
    assert selectors.supervision_on_time_rate(since=days_ago(1), until=future) is None


def test_team_summary_is_two_queries(
    make_user: Callable[..., User], service: Service, django_assert_num_queries: Any
) -> None:
    held(service.manager, service.worker, on=days_ago(3))
    timescales.record_event(
        subject_type="worker", subject_id=service.peer.pk, name="joined", at=days_ago(90)
    )
    with django_assert_num_queries(2):
        rows = selectors.supervision_summary(selectors.team_members(service.team))
    by_worker = {r.worker: r for r in rows}
    assert by_worker[service.worker].last_session == days_ago(3)
    assert not by_worker[service.worker].overdue
    assert by_worker[service.peer].overdue and by_worker[service.peer].last_session is None
    assert by_worker[service.senior].next_due is None
