"""All writes to staff, teams, roles and tokens: one transaction, one audit event each."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeVar

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .choices import AuditAction, EmploymentType
from .models import ApiToken, Role, Team, TeamMembership, User

M = TypeVar("M", bound=models.Model)


class ConcurrentEditError(Exception):
    """Someone else saved the record after this user opened it."""

    message = (
        "Someone else changed this record while you were editing it. "
        "Your changes have not been saved: reload the page to see their changes, then try again."
    )


def _check_version(instance: models.Model, expected_version: int | None) -> None:
    if expected_version is None:
        return
    current = (
        type(instance)._default_manager.filter(pk=instance.pk).values_list("version", flat=True)
    )
    if not current or current[0] != expected_version:
        raise ConcurrentEditError(ConcurrentEditError.message)


def model_update(
    *,
    actor: User | None,
    instance: M,
    data: Mapping[str, Any],
    expected_version: int | None = None,
    person_id: str | int | None = None,
    related_changes: audit.FieldChanges | None = None,
    action: str = AuditAction.UPDATE,
    detail: str = "",
) -> M:
    """Apply `data` to `instance`, validate, save and audit the old and new values: one event.

    Passing the version the user started from detects a concurrent edit. `related_changes` are
    changes the caller made alongside (many-to-many links) that belong in the same event.
    Unchanged data writes nothing.
    """
    fields = list(data)
    with transaction.atomic():
        _check_version(instance, expected_version)
        before = audit.snapshot(instance, fields)
        for name, value in data.items():
            setattr(instance, name, value)
        changes = {
            **audit.diff(before, audit.snapshot(instance, fields)),
            **(related_changes or {}),
        }
        if not changes:
            return instance
        instance.full_clean()
        if hasattr(instance, "version"):
            instance.version = models.F("version") + 1
        instance.save()
        instance.refresh_from_db()
        audit.record(
            actor=actor,
            action=action,
            obj=instance,
            changes=changes,
            person_id=person_id,
            detail=detail,
        )
    return instance


# --- users -------------------------------------------------------------------------------------

USER_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "employment_type",
    "fte",
    "employment_start",
    "employment_end",
    "swe_registration",
    "line_manager",
)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Role] = (),
    password: str | None = None,
    **fields: Any,
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "A user with this email address already exists"})
    user = User(email=email, first_name=first_name, last_name=last_name, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    role_list = list(roles)
    user.roles.set(role_list)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        changes={
            **{
                f: [None, v]
                for f, v in audit.snapshot(user, USER_FIELDS).items()
                if v not in ("", None)
            },
            "roles": [None, sorted(r.code for r in role_list)],
        },
    )
    employment_clock_sync(user)
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    data: Mapping[str, Any],
    roles: Iterable[Role] | None = None,
    expected_version: int | None = None,
) -> User:
    """Change a user's details and, when given, their roles: one audit event for the whole edit."""
    unknown = set(data) - set(USER_FIELDS) - {"is_active"}
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    if "email" in data:
        data = {**data, "email": str(data["email"]).strip().lower()}
        if User.objects.filter(email__iexact=data["email"]).exclude(pk=user.pk).exists():
            raise ValidationError({"email": "A user with this email address already exists"})
    related: audit.FieldChanges = {}
    if roles is not None:
        _check_version(user, expected_version)  # before touching the roles
        role_list = list(roles)
        old = sorted(user.roles.values_list("code", flat=True))
        new = sorted({r.code for r in role_list})
        if old != new:
            user.roles.set(role_list)
            user.__dict__.pop("_role_codes", None)
            related["roles"] = [old, new]
    user = model_update(
        actor=actor,
        instance=user,
        data=data,
        expected_version=expected_version,
        related_changes=related,
    )
    employment_clock_sync(user)
    return user


# Staff whose supervision runs on the `supervision` clock (timescales rule).
SUPERVISED_ROLES = ("social_worker", "senior_practitioner", "personal_adviser", "team_manager")
ASYE_MONTHS = 12


def employment_clock_sync(user: User) -> None:
    """Tell the timescale engine when a supervised worker joined and left and when their assessed
    and supported year (ASYE) runs, so their supervision falls due on time (every 2 weeks in the
    ASYE, then every 4). Each event is keyed to this record, so an edit corrects it."""
    from hearth.timescales import calendar as cal
    from hearth.timescales.models import ClockEvent
    from hearth.timescales.services import record_event, withdraw_event

    source = f"core.user:{user.pk}"
    subject: dict[str, Any] = {"subject_type": "worker", "subject_id": user.pk}

    def put(name: str, day: dt.date | None) -> None:
        if day is not None:
            record_event(
                subject_type="worker", subject_id=user.pk, name=name, at=day, source=source
            )
        elif ClockEvent.objects.filter(
            **subject, name=name, source=source, withdrawn_at__isnull=True
        ).exists():
            withdraw_event(subject_type="worker", subject_id=user.pk, source=source, name=name)

    supervised = user.has_role(*SUPERVISED_ROLES) and user.employment_start is not None
    start = user.employment_start if supervised else None
    put("joined", start)
    put("left", user.employment_end if supervised else None)
    asye_start = start if user.employment_type == EmploymentType.ASYE else None
    if asye_start is None and start is not None:
        # No longer newly qualified: the year ended today at the latest (history is kept).
        begun = ClockEvent.objects.filter(
            **subject, name="asye-start", source=source, withdrawn_at__isnull=True
        ).first()
        if begun is not None:
            planned = cal.add_months(begun.occurred_on, ASYE_MONTHS)
            put("asye-end", min(planned, timezone.localdate()))
        return
    put("asye-start", asye_start)
    put("asye-end", cal.add_months(asye_start, ASYE_MONTHS) if asye_start else None)


@transaction.atomic
def user_deactivate(
    *, actor: User, user: User, reason: str, end_date: dt.date | None = None
) -> User:
    """Staff are never deleted: their account is closed and their history stays."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why this account is being closed"})
    if user.pk == actor.pk:
        raise ValidationError({"reason": "You cannot close your own account"})
    if not user.is_active:
        raise ValidationError({"reason": "This account is already closed"})
    data: dict[str, Any] = {"is_active": False}
    if end_date is not None:
        data["employment_end"] = end_date
    user = model_update(
        actor=actor, instance=user, data=data, action=AuditAction.ARCHIVE, detail=reason.strip()
    )
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    employment_clock_sync(user)
    return user


# --- teams -------------------------------------------------------------------------------------

TEAM_FIELDS = ("name", "service_area", "manager", "caseload_amber", "caseload_red", "is_active")


@transaction.atomic
def team_create(*, actor: User | None, name: str, service_area: str, **fields: Any) -> Team:
    if Team.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": "A team with this name already exists"})
    team = Team(name=name.strip(), service_area=service_area, **fields)
    team.full_clean()
    team.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=team,
        changes={f: [None, v] for f, v in audit.snapshot(team, TEAM_FIELDS).items()},
    )
    return team


def team_update(
    *, actor: User, team: Team, data: Mapping[str, Any], expected_version: int | None = None
) -> Team:
    if "name" in data and (
        Team.objects.filter(name__iexact=str(data["name"]).strip()).exclude(pk=team.pk).exists()
    ):
        raise ValidationError({"name": "A team with this name already exists"})
    return model_update(actor=actor, instance=team, data=data, expected_version=expected_version)


@transaction.atomic
def team_member_add(
    *, actor: User | None, team: Team, user: User, start_date: dt.date
) -> TeamMembership:
    if TeamMembership.objects.filter(team=team, user=user, end_date__isnull=True).exists():
        raise ValidationError({"user": f"{user} is already a member of {team}"})
    membership = TeamMembership(team=team, user=user, start_date=start_date)
    membership.full_clean()
    membership.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=membership,
        changes={
            "team": [None, team.pk],
            "user": [None, user.pk],
            "start_date": [None, str(start_date)],
        },
    )
    return membership


def team_member_end(
    *, actor: User, membership: TeamMembership, end_date: dt.date
) -> TeamMembership:
    if end_date < membership.start_date:
        raise ValidationError(
            {"end_date": "The end date must be the same as or after the start date"}
        )
    return model_update(actor=actor, instance=membership, data={"end_date": end_date})


# --- roles -------------------------------------------------------------------------------------


@transaction.atomic
def role_update(
    *,
    actor: User,
    role: Role,
    permissions: Iterable[Permission],
    two_factor_required: bool,
    expected_version: int | None = None,
) -> Role:
    _check_version(role, expected_version)
    old_perms = sorted(f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.all())
    new_list = list(permissions)
    new_perms = sorted(f"{p.content_type.app_label}.{p.codename}" for p in new_list)
    changes: audit.FieldChanges = {}
    if old_perms != new_perms:
        role.permissions.set(new_list)
        changes["permissions"] = [old_perms, new_perms]
    if role.two_factor_required != two_factor_required:
        changes["two_factor_required"] = [role.two_factor_required, two_factor_required]
        role.two_factor_required = two_factor_required
    if changes:
        role.version += 1
        role.save()
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=role, changes=changes)
    return role


# --- API tokens --------------------------------------------------------------------------------


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token record and the raw token, which is shown once and never stored."""
    if not user.is_active:
        raise ValidationError({"user": "Tokens cannot be issued to a closed account"})
    raw = "hth_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:8], digest=token_digest(raw))
    audit.record(
        actor=actor,
        action=AuditAction.TOKEN_ISSUED,
        obj=token,
        detail=f"API token {token.prefix}… for {user.email}",
    )
    return token, raw


# --- two-factor --------------------------------------------------------------------------------


def two_factor_required_for(user: User) -> bool:
    return user.roles.filter(two_factor_required=True).exists()


def two_factor_status(user: User, request: HttpRequest) -> Literal["ok", "verify", "setup"]:
    if getattr(request.user, "is_verified", lambda: False)():
        return "ok"
    if user_has_device(user, confirmed=True):
        return "verify"
    if two_factor_required_for(user):
        return "setup"
    return "ok"


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed device for the set-up page; replaces any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != user.pk or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(
        actor=user, action=AuditAction.CREATE, obj=device, detail="Two-factor sign-in set up"
    )
    return True
