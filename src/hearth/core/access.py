"""Every view declares who may reach it. The URL inventory test fails for a view that does not.

- `public(reason)`: reachable without signing in (sign-in, health check…); the reason is recorded.
- `requires(perm)`: signed-in users holding the permission; others get 403. `requires_any(...)`:
  holding at least one of the permissions. Views that show one
  record fetch it through a policy (`policies.py`), which turns "may not see" into 404.
- `signed_in(reason)`: any signed-in user (their own account pages, the home page).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

V = TypeVar("V", bound=Callable[..., Any])


def public(reason: str) -> Callable[[V], V]:
    def decorate(view: V) -> V:
        view = login_not_required(view)
        view.access_rule = f"public: {reason}"  # type: ignore[attr-defined]
        return view

    return decorate


def signed_in(reason: str) -> Callable[[V], V]:
    def decorate(view: V) -> V:
        view.access_rule = f"signed in: {reason}"  # type: ignore[attr-defined]
        return view

    return decorate


def requires(*perms: str) -> Callable[[V], V]:
    def decorate(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_rule = "permission: " + ", ".join(perms)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def requires_any(*perms: str) -> Callable[[V], V]:
    """Signed-in users holding at least one of the permissions; others get 403."""

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not any(request.user.has_perm(p) for p in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_rule = "permission: any of " + ", ".join(perms)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate
