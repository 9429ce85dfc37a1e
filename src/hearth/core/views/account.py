"""Sign-in, sign-out, password reset and two-factor set-up and verification."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit, services
from ..access import signed_in
from ..choices import AuditAction
from ..forms.account import SignInForm, TokenForm
from ..models import User
from .submit import posted


class SignInView(auth_views.LoginView):
    template_name = "core/account/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True
    access_rule = "public: people must be able to sign in"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(actor=form.get_user(), action=AuditAction.SIGN_IN, obj=form.get_user())
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        email = str(form.data.get("username", ""))[:254].strip().lower()
        if email:
            audit.record(
                actor=None, action=AuditAction.SIGN_IN_FAILED, detail=f"Failed sign-in as {email}"
            )
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    access_rule = "signed in: anyone may sign themselves out"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            audit.record(actor=request.user, action=AuditAction.SIGN_OUT, obj=request.user)
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "core/account/password_reset.html"
    email_template_name = "core/account/password_reset_email.txt"
    subject_template_name = "core/account/password_reset_subject.txt"
    success_url = reverse_lazy("core:password-reset-sent")
    access_rule = "public: people who cannot sign in must be able to reset their password"


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "core/account/password_reset_sent.html"
    access_rule = "public: confirmation page of the password reset"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/account/password_reset_confirm.html"
    success_url = reverse_lazy("core:password-reset-complete")
    access_rule = "public: reached from the emailed one-time link"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(
            actor=form.user, action=AuditAction.UPDATE, obj=form.user, detail="Password reset"
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/account/password_reset_complete.html"
    access_rule = "public: confirmation page of the password reset"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(reverse_lazy("reporting:home"))


@signed_in("the signed-in user verifies their own second factor")
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = TokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit.record(
                actor=user, action=AuditAction.SIGN_IN, obj=user, detail="Two-factor code accepted"
            )
            return HttpResponseRedirect(_safe_next(request))
        form.add_error(
            "token", "The code is not correct or has expired. Enter the code shown in the app now"
        )
    return render(
        request, "core/account/two_factor_verify.html", {"form": form, "next": _safe_next(request)}
    )


@signed_in("the signed-in user sets up their own authenticator app")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if getattr(user, "is_verified", lambda: False)():
        messages.info(request, "Two-factor sign-in is already set up for your account")
        return redirect("reporting:home")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = services.totp_device_start(user=user)
    form = TokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(user=user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is set up")
            return redirect("reporting:home")
        form.add_error("token", "The code is not correct. Enter the code shown in the app now")
    qr_data_uri = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "core/account/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": qr_data_uri,
            "secret": secret,
            "required": services.two_factor_required_for(user),
        },
    )
