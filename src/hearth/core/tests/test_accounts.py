"""Sign-in, lockout, two-factor, password reset, idle timeout."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.core.models import AuditEvent, Role, User
from hearth.core.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("core:sign-in"), {"username": email, "password": password})


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_sign_in_with_email_any_case_and_sign_out(client: Client, social_worker: User) -> None:
    response = _sign_in(client, social_worker.email.upper())
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="sign_in", actor=social_worker).count() == 1
    response = client.post(reverse("core:sign-out"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="sign_out", actor=social_worker).count() == 1


def test_wrong_password_gives_a_clear_error_and_is_audited(
    client: Client, social_worker: User
) -> None:
    response = _sign_in(client, social_worker.email, "wrong-password-123")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert response.content.decode().count("<title>Error:") == 1
    assert AuditEvent.objects.filter(
        action="sign_in_failed", detail__contains=social_worker.email
    ).exists()


def test_account_locks_after_repeated_failures(client: Client, social_worker: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, social_worker.email, "wrong-password-123")
    response = _sign_in(client, social_worker.email)  # even the right password is refused now
    assert response.status_code == 429
    assert "too many attempts" in response.content.decode()
    assert client.get("/").status_code == 302


def test_closed_account_cannot_sign_in(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user("social_worker", is_active=False)
    response = _sign_in(client, user.email)
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_two_factor_mandatory_for_a_role_forces_set_up_then_verification(
    client: Client, make_user: Callable[..., User]
) -> None:
    Role.objects.filter(code="auditor").update(two_factor_required=True)
    user = make_user("auditor")
    _sign_in(client, user.email)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("core:two-factor-setup")

    setup_page = client.get(reverse("core:two-factor-setup"))
    assert setup_page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post(
        reverse("core:two-factor-setup"),
        {"token": "000000" if _code(device) != "000000" else "111111"},
    )
    assert wrong.status_code == 200 and "not correct" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries after a failure; the test need not wait
    assert (
        client.post(reverse("core:two-factor-setup"), {"token": _code(device)}).status_code == 302
    )
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200

    # Next sign-in: the code is asked for before anything else.
    client.post(reverse("core:sign-out"))
    _sign_in(client, user.email)
    response = client.get(reverse("core:team-list"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("core:two-factor-verify")
    )
    device.refresh_from_db()
    device.last_t = -1  # allow the same time step again in this test
    device.save()
    response = client.post(
        reverse("core:two-factor-verify"),
        {"token": _code(device), "next": reverse("core:team-list")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("core:team-list")
    assert client.get(reverse("core:team-list")).status_code == 200


def test_two_factor_not_forced_when_role_does_not_require_it(
    client: Client, social_worker: User
) -> None:
    _sign_in(client, social_worker.email)
    assert client.get("/").status_code == 200


def test_verify_refuses_an_offsite_next(client: Client, make_user: Callable[..., User]) -> None:
    user = make_user("auditor")
    device = TOTPDevice.objects.create(user=user, confirmed=True, name="app")
    _sign_in(client, user.email)
    response = client.post(
        reverse("core:two-factor-verify"), {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_password_reset_by_email(client: Client, social_worker: User) -> None:
    response = client.post(reverse("core:password-reset"), {"email": social_worker.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body)
    assert link
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    new = "a-new-long-passphrase-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    social_worker.refresh_from_db()
    assert social_worker.check_password(new)


def test_password_validators_refuse_a_short_password(client: Client, social_worker: User) -> None:
    client.post(reverse("core:password-reset"), {"email": social_worker.email})
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body)
    assert link
    form_page = client.get(link.group(1), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    social_worker.refresh_from_db()
    assert social_worker.check_password(PASSWORD)


def test_session_expires_after_idle_period(client: Client, social_worker: User) -> None:
    _sign_in(client, social_worker.email)
    client.get("/")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request restarts the idle clock


def test_secure_headers_on_pages(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Request-ID"]


def test_sign_out_needs_post_and_csrf(social_worker: User) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(social_worker)
    assert c.post(reverse("core:sign-out")).status_code == 403
    assert c.get("/").status_code == 200
