"""``{% load case_audits %}``: grade tags and small helpers for the case audit pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from ..models import GRADE_COLOURS, AuditStatus, Grade

register = template.Library()

STATUS_COLOURS = {
    AuditStatus.PLANNED: "grey",
    AuditStatus.IN_PROGRESS: "blue",
    AuditStatus.SUBMITTED: "purple",
    AuditStatus.MODERATED: "green",
    AuditStatus.WITHDRAWN: "grey",
}


@register.filter
def grade_colour(grade: str) -> str:
    return GRADE_COLOURS.get(grade, "grey")  # type: ignore[call-overload]


@register.filter
def grade_label(grade: str) -> str:
    return str(Grade(grade).label) if grade in Grade.values else ""


@register.filter
def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "grey")  # type: ignore[call-overload]


@register.filter
def lookup(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """``{{ grades|lookup:domain.pk }}``: a value by a variable key (None when absent)."""
    return (mapping or {}).get(key)


@register.filter
def share_of(row: Any, grade: str) -> int:
    """``{{ summary.by_grade|share_of:"good" }}``: that grade's percentage of the row."""
    return int(row.share(grade))
