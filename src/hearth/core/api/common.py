"""Shared by the API views: permissions per HTTP method, and service errors as 400 responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


ERROR_RESPONSES = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="What is wrong, for each field: {field: [message, ...]}; nested fields "
        'nest; a list\'s items are keyed by position (`{"children": {"1": {...}}}`, only '
        "those with errors); `non_field_errors` for the whole request.",
    ),
    401: OpenApiResponse(ErrorSerializer, description="No valid token"),
    403: OpenApiResponse(ErrorSerializer, description="The caller lacks the permission"),
    404: OpenApiResponse(
        ErrorSerializer, description="No such record, or not one the caller may see"
    ),
    409: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Likely existing records (`possible_matches`, with scores and reasons): use "
        "one, or send again confirming none is the same person.",
    ),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """For `@extend_schema(responses=...)`: the error responses an operation may give."""
    return {code: ERROR_RESPONSES[code] for code in codes}


class MethodPermissions(BasePermission):
    """The view's `required_perms` maps an HTTP method to permissions of which the caller needs
    at least one. HEAD and OPTIONS are checked as GET; a method not listed is refused."""

    def has_permission(self, request: Request, view: Any) -> bool:
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        perms: tuple[str, ...] = view.required_perms.get(method, ())
        user = request.user
        return bool(user and user.is_authenticated and any(user.has_perm(p) for p in perms))


def service_errors(
    error: DjangoValidationError, fields: Mapping[str, str] | None = None
) -> exceptions.ValidationError:
    """A service's `ValidationError` as DRF's, with the messages under each field.

    `fields` renames the service's keys to the request's: a dotted name nests the messages
    (`{"referrer_email": "referrer.email"}` gives `{"referrer": {"email": [...]}}`). Errors not
    tied to a field go under `non_field_errors`.
    """
    fields = fields or {}
    if hasattr(error, "error_dict"):
        by_field = error.message_dict
    else:
        by_field = {NON_FIELD_ERRORS: error.messages}
    detail: dict[str, Any] = {}
    for key, messages in by_field.items():
        name = api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key
        *parents, leaf = fields.get(name, name).split(".")
        node = detail
        for parent in parents:
            node = node.setdefault(parent, {})
        node.setdefault(leaf, []).extend(messages)
    return exceptions.ValidationError(detail)


class ServiceErrorsMixin(APIView):
    """Turns a service's `django.core.exceptions.ValidationError` into a 400 response with the
    messages per field (see `service_errors`); `service_error_fields` renames keys."""

    service_error_fields: ClassVar[Mapping[str, str]] = {}

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = service_errors(exc, self.service_error_fields)
        return super().handle_exception(exc)
