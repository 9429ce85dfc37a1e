"""Staff, teams, roles, the council, API tokens and the append-only audit trail."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Permission
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from .choices import AuditAction, EmploymentType, RoleCode, ServiceArea

# Social Work England registration numbers are "SW" followed by digits (e.g. SW123456).
SWE_REGISTRATION_RE = re.compile(r"^SW\d{1,7}$")
swe_registration_validator = RegexValidator(
    SWE_REGISTRATION_RE,
    "Enter a Social Work England registration number in the format SW followed by up to 7 digits,"
    " like SW123456",
)


class BaseModel(models.Model):
    """Timestamps and a version column used to detect concurrent edits."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Role(models.Model):
    """A job role; its permissions are what its holders may do."""

    code = models.CharField(max_length=40, unique=True, choices=RoleCode.choices)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    permissions = models.ManyToManyField(Permission, blank=True, related_name="roles")
    two_factor_required = models.BooleanField(
        default=False, help_text="Holders must set up and use two-factor sign-in."
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractBaseUser, BaseModel):
    """A member of staff or partner-agency user; signs in with an email address."""

    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    job_title = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    is_superuser = models.BooleanField(default=False)
    roles = models.ManyToManyField(Role, blank=True, related_name="users")
    # The management line (worker -> team manager -> service manager -> head of service ->
    # director): supervision and escalation follow it; team membership is where someone works.
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="direct_reports"
    )

    employment_type = models.CharField(
        max_length=20, choices=EmploymentType.choices, default=EmploymentType.PERMANENT
    )
    fte = models.DecimalField(
        "FTE",
        max_digits=3,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01), MaxValueValidator(1)],
    )
    employment_start = models.DateField(null=True, blank=True)
    employment_end = models.DateField(null=True, blank=True)
    swe_registration = models.CharField(
        "Social Work England registration number",
        max_length=9,
        blank=True,
        validators=[swe_registration_validator],
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [
            ("manage_users", "Manage users, teams and roles"),
            ("view_audit", "Search and export the audit trail"),
            ("view_staff_directory", "See staff and teams"),
            ("view_case_records", "See children's case records"),
            ("edit_case_records", "Record casework"),
            ("manage_allocations", "Allocate cases and oversee caseloads"),
            ("view_performance", "See performance reports and returns"),
            ("chair_reviews", "Chair reviews and conferences"),
            ("submit_partner_contacts", "Send contacts to the front door"),
            ("manage_case_audits", "Run case audit programmes and moderate audits"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(employment_end__isnull=True)
                | Q(employment_start__isnull=True)
                | Q(employment_end__gte=models.F("employment_start")),
                name="user_employment_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(fte__gt=0) & Q(fte__lte=1), name="user_fte_between_0_and_1"
            ),
            models.CheckConstraint(
                condition=~Q(line_manager=models.F("pk")), name="user_not_own_line_manager"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        super().clean()
        self.email = self.email.lower()
        if self.line_manager_id is not None and self.line_manager_id == self.pk:
            raise ValidationError({"line_manager": "Someone cannot be their own line manager"})
        if (
            self.employment_start
            and self.employment_end
            and self.employment_end < self.employment_start
        ):
            message = "Employment end date must be the same as or after the start date"
            raise ValidationError({"employment_end": message})

    def role_codes(self) -> set[str]:
        if not hasattr(self, "_role_codes"):
            self._role_codes = set(self.roles.values_list("code", flat=True))
        return self._role_codes

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes() & set(codes))

    # Permission checks come from roles through RoleBackend; superusers have everything.
    def has_perm(self, perm: str, obj: object = None) -> bool:
        if self.is_active and self.is_superuser:
            return True
        from django.contrib.auth.models import _user_has_perm  # type: ignore[attr-defined]

        return bool(_user_has_perm(self, perm, obj))

    def get_all_permissions(self, obj: object = None) -> set[str]:
        from django.contrib.auth.models import _user_get_permissions  # type: ignore[attr-defined]

        return set(_user_get_permissions(self, obj, "all"))

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return all(self.has_perm(p, obj) for p in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.is_superuser:
            return True
        from django.contrib.auth.models import _user_has_module_perms  # type: ignore[attr-defined]

        return bool(_user_has_module_perms(self, app_label))


class Team(BaseModel):
    name = models.CharField(max_length=150, unique=True)
    service_area = models.CharField(max_length=30, choices=ServiceArea.choices)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="managed_teams"
    )
    # Weighted caseload units per full-time worker (a 0.5 FTE worker's thresholds are half):
    # above amber the allocation page warns; above red the manager must give a reason to allocate.
    caseload_amber = models.PositiveSmallIntegerField(
        "Caseload amber threshold",
        default=18,
        help_text="Weighted cases per full-time worker above which the manager is warned.",
    )
    caseload_red = models.PositiveSmallIntegerField(
        "Caseload red threshold",
        default=22,
        help_text="Weighted cases per full-time worker above which a caseload is unsafe.",
    )
    is_active = models.BooleanField(default=True)
    members = models.ManyToManyField(  # type: ignore[var-annotated]
        User, through="TeamMembership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(caseload_red__gt=F("caseload_amber")),
                name="team_caseload_red_above_amber",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(BaseModel):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["team__name", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="teammembership_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=Q(end_date__isnull=True),
                name="teammembership_one_current_per_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class Council(BaseModel):
    """The local authority this installation serves (one row)."""

    name = models.CharField(max_length=150)
    la_code = models.CharField("DfE LA code", max_length=3, blank=True)
    population_0_17 = models.PositiveIntegerField("Children aged 0 to 17")
    generator_seed = models.IntegerField(null=True, blank=True)
    generator_scenario = models.CharField(max_length=50, blank=True)
    reference_date = models.DateField(null=True, blank=True)
    social_worker_vacancies_fte = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    # Practice model: a danger statement longer than this is flagged to the manager.
    danger_statement_word_limit = models.PositiveSmallIntegerField(default=60)

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A system's token; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, help_text="First characters, to recognise a token.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The audit trail is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit trail is append-only")


class AuditEvent(models.Model):
    """One write or one view. Append-only: database triggers refuse UPDATE and DELETE."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=255, blank=True)
    # The person the record is about (a child or family member), for "who has seen this child?".
    person_id = models.CharField(max_length=64, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("The audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit trail is append-only")
