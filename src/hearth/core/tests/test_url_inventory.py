"""Every URL pattern must declare who may reach it; public ones say why."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Every view reachable without signing in, with the reason it must be.
PUBLIC = {
    "core:healthz": "load balancers and monitoring",
    "core:sign-in": "people must be able to sign in",
    "core:password-reset": "people who cannot sign in reset their password",
    "core:password-reset-sent": "confirmation of the reset request",
    "core:password-reset-confirm": "the emailed one-time link",
    "core:password-reset-complete": "confirmation of the reset",
    "frontdoor:public-contact": "anyone may report a concern about a child (rate limited)",
    "frontdoor:contact-sent": "the sender's reference, kept only in their own session",
}
# Third-party URL trees with their own access control.
DELEGATED_PREFIXES = {
    "django-admin/": "Django's admin checks is_staff and model permissions itself",
    "static/": "static assets",
}


def _walk(
    resolvers: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Any]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield prefix + str(entry.pattern), name, entry.callback


def _access_rule(callback: Any) -> str | None:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return getattr(callback, "access_rule", None) or getattr(view_class, "access_rule", None)


def _patterns() -> list[tuple[str, str, Any]]:
    return [
        p
        for p in _walk(get_resolver().url_patterns)
        if not any(p[0].startswith(d) for d in DELEGATED_PREFIXES)
    ]


def test_every_view_declares_an_access_rule() -> None:
    missing = [f"{route} ({name})" for route, name, cb in _patterns() if not _access_rule(cb)]
    assert not missing, f"Views without a declared access rule: {missing}"
    assert len(_patterns()) > 20  # the walk really found the application's URLs


def test_public_views_are_exactly_the_listed_ones() -> None:
    public = {name for _, name, cb in _patterns() if str(_access_rule(cb)).startswith("public")}
    assert public == set(PUBLIC)


def _is_api(name: str) -> bool:
    """The core API's views, and each app's API namespace (``<app>-api:``)."""
    return name.startswith("core:api-") or name.split(":", 1)[0].endswith("-api")


def test_each_app_api_is_checked() -> None:
    names = {name for _, name, _ in _patterns()}
    assert "workforce-api:allocation-list" in names
    assert _is_api("workforce-api:allocation-list")
    assert not _is_api("workforce:queue")


@pytest.mark.django_db
def test_every_non_public_page_sends_an_anonymous_visitor_to_sign_in(client: Any) -> None:
    for route, name, _ in _patterns():
        if name in PUBLIC or _is_api(name):
            continue
        url = "/" + re.sub(r"<\w+:\w+>", "1", route)
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/sign-in/"), url


@pytest.mark.django_db
def test_api_refuses_anonymous_callers(client: Any) -> None:
    for route, name, _ in _patterns():
        if _is_api(name):
            response = client.get("/" + re.sub(r"<\w+:\w+>", "1", route))
            assert response.status_code in (401, 403), route
