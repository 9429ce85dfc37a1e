from __future__ import annotations

from django.db.models import QuerySet

from hearth.core.models import User

from .models import Notification


def notifications_for(user: User) -> QuerySet[Notification]:
    """A user sees only their own notifications."""
    return Notification.objects.filter(recipient=user)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
