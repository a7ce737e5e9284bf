"""Django settings for FDX, read from the environment (see ``.env.example`` and ``fdx.config.env``)."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fdx.config.env import SOURCE_ROOT, ConfigError, ensure_secret_key, read_config

# A .env file beside the checkout (or FDX_ENV_FILE) fills in what the real environment leaves unset.
_env_file = Path(os.environ.get("FDX_ENV_FILE", SOURCE_ROOT / ".env"))
if _env_file.is_file():
    environ.Env.read_env(str(_env_file), overwrite=False)

try:
    NODE = read_config(os.environ)
except ConfigError as exc:
    raise ImproperlyConfigured(f"FDX cannot start: {exc}") from None

VAR_DIR = NODE.var_dir
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = ensure_secret_key(NODE)
DEBUG = NODE.debug
ALLOWED_HOSTS = NODE.allowed_hosts
CSRF_TRUSTED_ORIGINS = NODE.csrf_trusted_origins
FDX_MODE = NODE.mode
FDX_NODE_NAME = NODE.node_name
FDX_NODE_NAME_RU = NODE.node_name_ru
FDX_NODE_COUNTRY = NODE.node_country
FDX_NODE_ROLE = NODE.node_role
FDX_NODE_KEY_FILE = NODE.node_key_file
FDX_AUDIT_CHECKPOINT_FILE = NODE.audit_checkpoint_file
FDX_EXCHANGE_SECRET_FILE = NODE.exchange_secret_file
# A signed checkpoint of the audit chain's head after this many events, or when the last is this old.
FDX_AUDIT_CHECKPOINT_EVENTS = 500
FDX_AUDIT_CHECKPOINT_SECONDS = 60
FDX_PORT = NODE.port
FDX_WEB_WORKERS = NODE.web_workers
FDX_TOKEN_LIFETIME_DAYS = NODE.token_lifetime_days
FDX_REGION_COUNTRIES = NODE.region_countries
FDX_ATTACHMENT_MAX_BYTES = NODE.attachment_max_mb * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Findings exports: above this many rows (counted up to it) the Cases page prepares the file in the
# background;
# the worker saves its progress every FDX_EXPORT_PROGRESS_ROWS rows; the file is kept FDX_EXPORT_KEEP_HOURS;
# a run without progress for FDX_EXPORT_STALLED_MINUTES (its worker stopped) is marked failed.
FDX_EXPORT_BACKGROUND_ROWS = 20_000
FDX_EXPORT_PROGRESS_ROWS = 5_000
FDX_EXPORT_KEEP_HOURS = 72
FDX_EXPORT_STALLED_MINUTES = 60
FDX_EXPORT_MAX_BYTES = 20 * 1024 * 1024 * 1024
# Bulk intake: the largest laboratory file read (a larger one is refused before it is read).
FDX_INTAKE_MAX_BYTES = 100 * 1024 * 1024

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "fdx.core",
    "fdx.audit",
    "fdx.geo",
    "fdx.accounts",
    "fdx.substances",
    "fdx.examinations",
    "fdx.legal",
    "fdx.spectra",
    "fdx.exchange",
    "fdx.intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fdx.core.middleware.RequestIdMiddleware",
    "fdx.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Two-factor enrolment and the first-sign-in password change come before any other page.
    "fdx.accounts.middleware.AccountSetupMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fdx.core.api.errors.ApiErrorShapeMiddleware",
    # django-axes must come last so that it sees the outcome of every sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fdx.config.urls"
WSGI_APPLICATION = "fdx.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fdx.core.context_processors.node",
            ],
        },
    },
]

DATABASES = {"default": NODE.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:signin"
CSRF_FAILURE_VIEW = "fdx.core.views.csrf_failure"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:signin"

# django-axes: lock a username from one address after repeated failures, and an address that tries many
# usernames after more failures (the address limit is applied by FdxAxesHandler).
AXES_FAILURE_LIMIT = NODE.login_failure_limit
AXES_COOLOFF_TIME = timedelta(minutes=NODE.login_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_HANDLER = "fdx.accounts.throttling.FdxAxesHandler"
FDX_LOGIN_ADDRESS_FAILURE_LIMIT = NODE.login_address_failure_limit
# Rejected API tokens per address within the cool-off window before the API answers 429.
FDX_TOKEN_FAILURE_LIMIT = NODE.token_failure_limit
FDX_TOKEN_FAILURE_WINDOW = timedelta(minutes=NODE.login_cooloff_minutes)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "FDX"
# Two-factor sign-in for readers of case data and administrators; a node may relax it (logged at start-up).
FDX_REQUIRE_TWO_FACTOR = NODE.require_two_factor

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SECURE = NODE.secure_cookies
CSRF_COOKIE_SECURE = NODE.secure_cookies
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if NODE.mode == "production":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365

LANGUAGE_CODE = NODE.language_code
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [Path(__file__).resolve().parents[1] / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "fdx.core.staticfinders.PackageFileFinder",  # plotly.min.js, from the plotly package
]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = VAR_DIR / "files"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Before `fdx setup` has collected the static files (a development checkout), serve them from the apps.
WHITENOISE_USE_FINDERS = not (STATIC_ROOT / "staticfiles.json").exists()
if WHITENOISE_USE_FINDERS:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "filters": {"request_id": {"()": "fdx.core.middleware.RequestIdLogFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": sys.stderr,
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": NODE.log_level},
    "loggers": {
        "django.security.DisallowedHost": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # Every task's start and end at INFO would drown the log: a failing task still shows (WARNING).
        "django_tasks": {"level": "WARNING" if NODE.log_level != "DEBUG" else "DEBUG"},
        "django_tasks_db": {"level": "WARNING" if NODE.log_level != "DEBUG" else "DEBUG"},
    },
}
