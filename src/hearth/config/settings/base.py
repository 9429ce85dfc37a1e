"""Settings shared by every environment. Secrets and hosts come only from the environment."""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

# Lets type-annotated generics (ModelAdmin[User], QuerySet[Team]) work at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parents[4]  # repository root
SRC_DIR = BASE_DIR / "src" / "hearth"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "hearth.core",
    "hearth.timescales",
    "hearth.people",
    "hearth.casework",
    "hearth.plans",
    "hearth.protection",
    "hearth.legal",
    "hearth.visits",
    "hearth.records",
    "hearth.safeguarding",
    "hearth.frontdoor",
    "hearth.notifications",
    "hearth.workforce",
    "hearth.supervision",
    "hearth.escalations",
    "hearth.case_audits",
    "hearth.reporting",
    "hearth.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hearth.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hearth.core.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hearth.core.middleware.SecureHeadersMiddleware",
    # Axes last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hearth.config.urls"
WSGI_APPLICATION = "hearth.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hearth.core.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "hearth.core.forms.renderer.GovukFormRenderer"

# SQLite by default (embedded, no set-up); PostgreSQL when DATABASE_URL is set.
_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'hearth.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "hearth.core.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:sign-in"
LOGIN_REDIRECT_URL = "reporting:home"
LOGOUT_REDIRECT_URL = "core:sign-in"

# Sessions end after 30 idle minutes: each request pushes the expiry forward.
SESSION_COOKIE_AGE = int(os.environ.get("HEARTH_IDLE_TIMEOUT_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Lockout after repeated failures (django-axes): per account, whatever the address.
AXES_FAILURE_LIMIT = int(os.environ.get("HEARTH_LOCKOUT_FAILURES", 5))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field, which holds the email address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/account/locked.html"
AXES_VERBOSE = False
# Locking by address as well would lock a whole council office out behind one NAT address after
# five mistakes by anyone in it; failures are counted per account instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

OTP_TOTP_ISSUER = "Hearth"

# Content Security Policy: everything from our own origin; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("HEARTH_STATIC_ROOT") or BASE_DIR / "var" / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("HEARTH_FROM_EMAIL", "hearth@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hearth.core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hearth API",
    "DESCRIPTION": "Children's social care case management",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Several resources have a `status` with different choices: name each enum after its resource.
    "ENUM_NAME_OVERRIDES": {
        "ContactStatusEnum": "hearth.frontdoor.models.ContactStatus",
        "EscalationStatusEnum": "hearth.escalations.models.Status",
        "VisitKindEnum": "hearth.visits.codes.VisitKind",
        "PlanKindEnum": "hearth.plans.codes.PlanKind",
        "PlanNeedKindEnum": "hearth.plans.codes.NeedKind",
        "PlanNeedStatusEnum": "hearth.plans.codes.NeedStatus",
        "PlanActionStatusEnum": "hearth.plans.codes.ActionStatus",
        "PlanReviewDecisionEnum": "hearth.plans.codes.ReviewDecision",
        "CaseNoteKindEnum": "hearth.records.codes.NoteKind",
        "DocumentKindEnum": "hearth.records.codes.DocumentKind",
        "RecordStatusEnum": "hearth.records.codes.RecordStatus",
        "ScanStatusEnum": "hearth.records.codes.ScanStatus",
        "ProtectionAgencyEnum": "hearth.protection.codes.Agency",
        "StrategyDecisionEnum": "hearth.protection.codes.StrategyDecision",
        "Section47OutcomeEnum": "hearth.protection.codes.Section47Outcome",
        "ConferenceKindEnum": "hearth.protection.codes.ConferenceKind",
        "ConferenceStatusEnum": "hearth.protection.codes.ConferenceStatus",
        "ConferenceDecisionEnum": "hearth.protection.codes.ConferenceDecision",
        "CategoryOfAbuseEnum": "hearth.protection.codes.CategoryOfAbuse",
        "ParentParticipationEnum": "hearth.protection.codes.ParentParticipation",
        "ChildParticipationEnum": "hearth.protection.codes.ChildParticipation",
        # hearth.legal's enums follow.
        "EmergencyProtectionKindEnum": "hearth.legal.codes.EmergencyKind",
        "EmergencyProtectionOutcomeEnum": "hearth.legal.codes.EmergencyOutcome",
        "LegalGatewayReasonEnum": "hearth.legal.codes.GatewayReason",
        "LegalGatewayDecisionEnum": "hearth.legal.codes.GatewayDecision",
        "ParentsRepresentedEnum": "hearth.legal.codes.Representation",
        "PreProceedingsOutcomeEnum": "hearth.legal.codes.PreProceedingsOutcome",
        "CourtHearingKindEnum": "hearth.legal.codes.HearingKind",
        "InterimOrderKindEnum": "hearth.legal.codes.InterimOrderKind",
        "FinalOrderKindEnum": "hearth.legal.codes.FinalOrderKind",
        "CarePlanKindEnum": "hearth.legal.codes.CarePlanKind",
        # hearth.legal's `reason` and `outcome` fields collide with these, so name them too.
        "AllocationChangeReasonEnum": "hearth.workforce.codes.ChangeReason",
        "AssessmentOutcomeEnum": "hearth.casework.codes.AssessmentOutcome",
    },
}

HEARTH_COUNCIL_NAME = os.environ.get("HEARTH_COUNCIL_NAME", "")
# The address staff reach Hearth at, for links in notification emails (no trailing slash).
HEARTH_BASE_URL = os.environ.get("HEARTH_BASE_URL", "")
# generate_council creates demo accounts with a published password: never in a real deployment.
HEARTH_ALLOW_SYNTHETIC_DATA = os.environ.get("HEARTH_ALLOW_SYNTHETIC_DATA", "1") == "1"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HEARTH_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- hearth.records: case notes and documents ----------------------------------------------------
# Uploaded documents live in the default storage under MEDIA_ROOT. It is not served (no
# MEDIA_URL route): files are read only through the records download view, after its policy.
MEDIA_ROOT = Path(os.environ.get("HEARTH_MEDIA_ROOT") or BASE_DIR / "var" / "media")
HEARTH_DOCUMENT_MAX_BYTES = int(os.environ.get("HEARTH_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))
# Content types accepted (worked out from each file's content; see hearth.records.scanning).
HEARTH_DOCUMENT_ALLOWED_TYPES = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "text/plain",
]
# A callable scan(file) -> hearth.records.scanning.ScanResult. The default passes every file and
# logs that no scanner is configured: point it at the council's scanner in a real deployment.
HEARTH_DOCUMENT_SCANNER = os.environ.get(
    "HEARTH_DOCUMENT_SCANNER", "hearth.records.scanning.no_scanner"
)
