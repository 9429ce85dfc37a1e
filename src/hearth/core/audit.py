"""Writing audit events.

Call inside the service's transaction so that the event and the change commit together.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from . import context
from .choices import AuditAction
from .models import AuditEvent, User

FieldChanges = dict[str, list[Any]]


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_jsonable(v) for v in value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` (foreign keys as ids), for diffing after a change."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = _jsonable(getattr(instance, attname))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> FieldChanges:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        name: [before.get(name), after[name]]
        for name in after
        if _jsonable(before.get(name)) != _jsonable(after[name])
    }


def actor_label(actor: User | None) -> str:
    if actor is None:
        return "system"
    return actor.email


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    person_id: str | int | None = None,
    changes: FieldChanges | None = None,
    detail: str = "",
) -> AuditEvent:
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:255]
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        person_id="" if person_id is None else str(person_id),
        changes=changes or {},
        detail=detail[:500],
        request_id=ctx.request_id,
        ip_address=ctx.ip_address,
    )


def record_view(
    *, actor: User, obj: models.Model, person_id: str | int | None = None, detail: str = ""
) -> None:
    """A view of a person's record (access log); `detail` says which part of it."""
    record(actor=actor, action=AuditAction.VIEW, obj=obj, person_id=person_id, detail=detail)
