from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from hearth.core.models import User
from hearth.notifications.models import Notification
from hearth.notifications.services import mark_read, notify

pytestmark = pytest.mark.django_db


def test_notify_writes_one_row_per_active_recipient_and_emails_after_commit(
    make_user: Callable[..., User], django_capture_on_commit_callbacks: Any
) -> None:
    a, b = make_user("team_manager"), make_user("social_worker")
    closed = make_user("social_worker", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        written = notify(
            recipients=[a, b, a, closed, None], subject="An escalation reached you", url="/x/"
        )
    assert written == 2
    assert Notification.objects.filter(recipient=a).count() == 1
    assert not Notification.objects.filter(recipient=closed).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    assert "holds no details about the child" in mail.outbox[0].body


def test_no_email_when_the_transaction_does_not_commit(make_user: Callable[..., User]) -> None:
    notify(recipients=[make_user("team_manager")], subject="Rolled back")
    assert mail.outbox == []  # on_commit never ran inside the test's transaction


def test_a_user_sees_and_marks_only_their_own(
    make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    mine, theirs = make_user("social_worker"), make_user("social_worker")
    notify(recipients=[mine], subject="Allocated to you: one child")
    notify(recipients=[theirs], subject="Someone else's news")
    c = client_for(mine)
    page = c.get(reverse("notifications:list")).content.decode()
    assert "Allocated to you: one child" in page
    assert "Someone else&#x27;s news" not in page and "Someone else's news" not in page
    assert c.post(reverse("notifications:mark-all-read")).status_code == 302
    assert not Notification.objects.filter(recipient=mine, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=theirs, read_at__isnull=True).exists()


def test_mark_read_by_id_touches_only_the_users_rows(make_user: Callable[..., User]) -> None:
    mine, theirs = make_user("social_worker"), make_user("social_worker")
    notify(recipients=[mine, theirs], subject="Both")
    their_row = Notification.objects.get(recipient=theirs)
    assert mark_read(user=mine, notification_ids=[their_row.pk]) == 0
    assert mark_read(user=mine) == 1


def test_anonymous_visitor_is_sent_to_sign_in(client: Any) -> None:
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
