"""Request id and client address for the audit trail; two-factor enforcement; secure headers."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import context

Handler = Callable[[HttpRequest], HttpResponse]


class RequestContextMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        # Behind a load balancer REMOTE_ADDR must be set from the proxy's trusted header.
        token = context.set_current(
            context.RequestContext(
                request_id=request_id, ip_address=request.META.get("REMOTE_ADDR")
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class TwoFactorRequiredMiddleware:
    """Send a signed-in user who has not passed two-factor to verify it, or to set it up when
    one of their roles requires it."""

    EXEMPT_URL_NAMES = ("core:two-factor-verify", "core:two-factor-setup", "core:sign-out")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .services import two_factor_status

        user = request.user
        if user.is_authenticated and not getattr(request, "auth_via_token", False):
            exempt = {reverse(name) for name in self.EXEMPT_URL_NAMES}
            path = request.path
            if path not in exempt and not path.startswith(("/static/", "/healthz")):
                status = two_factor_status(user, request)
                if status == "verify":
                    return redirect(f"{reverse('core:two-factor-verify')}?next={path}")
                if status == "setup":
                    return redirect("core:two-factor-setup")
        return self.get_response(request)


class SecureHeadersMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # Case records must not linger in shared browser caches.
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.setdefault("Cache-Control", "no-store")
        return response
