"""Telling staff about something that needs them. Called by other apps' services, inside their
transaction: the rows are written with the change, the emails go only once it commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from hearth.core.models import User

from .models import Notification

EMAIL_BODY = (
    "{subject}\n\nSign in to Hearth to see it: {link}\n\n"
    "This email holds no details about the child or family. Do not reply to it."
)


def notify(
    *, recipients: Iterable[User | None], subject: str, body: str = "", url: str = ""
) -> int:
    """One notification per distinct active recipient; returns how many were written."""
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    rows = Notification.objects.bulk_create(
        [Notification(recipient=u, subject=subject, body=body, url=url) for u in people.values()]
    )
    base = getattr(settings, "HEARTH_BASE_URL", "").rstrip("/")
    messages = [
        (
            f"Hearth: {subject}",
            EMAIL_BODY.format(subject=subject, link=f"{base}{url}" if url else base or "Hearth"),
            None,
            [u.email],
        )
        for u in people.values()
    ]
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    return len(rows)


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
