"""How every form view submits: validate, call one service, show its refusal on the form.

Shared by all apps' views so a service's ValidationError or a concurrent edit reaches the user the
same way everywhere, with nothing saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, QueryDict

from ..services import ConcurrentEditError

T = TypeVar("T")


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data, even when empty: an empty submission must still be validated."""
    return request.POST if request.method == "POST" else None


def posted_int(request: HttpRequest, name: str) -> int | None:
    """An integer from the submitted form (the version the user started from), or None."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


def apply_errors(form: Form, exc: ValidationError | ConcurrentEditError) -> None:
    """Show a service's refusal on the form, next to the field it concerns when it names one."""
    if isinstance(exc, ConcurrentEditError):
        form.add_error(None, ConcurrentEditError.message)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def submitted(request: HttpRequest, form: Form, save: Callable[[dict[str, Any]], T]) -> T | None:
    """What `save` (a service call) returned, when the form was posted, valid and accepted.

    Otherwise None, with the service's refusal shown on the form; nothing is saved.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    data.pop("version", None)
    try:
        return save(data)
    except (ValidationError, ConcurrentEditError) as exc:
        apply_errors(form, exc)
        return None
