"""Settings for the scorecard project, read from the environment.

One module with small explicit switches. Every variable is optional except
DJANGO_SECRET_KEY when debug is off; a value that cannot be understood stops
the start with a message naming the variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Return the boolean environment variable `name`; refuse anything unclear."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Return the whole-number environment variable `name`, at least `minimum`."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Return the comma-separated environment variable `name` as a list."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str) -> dj_database_url.DBConfig:
    """Return Django's DATABASES entry for a sqlite:// or postgres:// URL."""
    try:
        config = dj_database_url.parse(url, conn_max_age=0, conn_health_checks=True)
    except Exception as exc:  # the library raises several kinds for bad URLs
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} cannot be read: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(f"DATABASE_URL={url!r}: only sqlite:/// and postgres:// databases are supported.")
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no database.")
    return config


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off (set DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "insecure-development-key-debug-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tables2",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "teams",
    "indicators",
    "returns",
    "scorecard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads the body (CSRF checks read it in the view stage): limits depend on sign-in.
    "scorecard.uploads.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages (they read request.user and may leave
    # a message), before the login check (an expired session then meets the
    # sign-in page like any anonymous one).
    "scorecard.middleware.SessionLifetimeMiddleware",
    "scorecard.middleware.NoStoreWhenSignedInMiddleware",
    "scorecard.middleware.PermissionDeniedLogMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "scorecard.urls"
WSGI_APPLICATION = "scorecard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scorecard.context_processors.assets",
                "scorecard.context_processors.navigation",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic writes (and WhiteNoise serves from); a deploy may put it elsewhere.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

# Serve Chart.js only from this site's static files, never from the public CDN
# (for councils whose policy forbids third-party hosts). Off: the CDN copy with
# Subresource Integrity first, the self-hosted copy when the CDN does not load.
CHARTJS_SELF_HOSTED_ONLY = env_bool("CHARTJS_SELF_HOSTED_ONLY", False)

# The performance team's page checks at most this many published months against approved data in one view
# (scorecard.snapshots.published_corrections); after a release, a council with more checks the rest on later views.
CORRECTIONS_MONTHS_PER_VIEW = env_int("CORRECTIONS_MONTHS_PER_VIEW", 60, minimum=1)

# SPC (Making Data Count): points in a row that make a shift, and a trend; 7 each by default, 6 to 8 allowed.
SPC_SHIFT_LENGTH = env_int("SPC_SHIFT_LENGTH", 7, minimum=6)
SPC_TREND_LENGTH = env_int("SPC_TREND_LENGTH", 7, minimum=6)
for _name, _length in (("SPC_SHIFT_LENGTH", SPC_SHIFT_LENGTH), ("SPC_TREND_LENGTH", SPC_TREND_LENGTH)):
    if _length > 8:
        raise ImproperlyConfigured(f"{_name}={_length} must be 6, 7 or 8.")

# Uploaded import files stay in memory while read, and in the database between preview and confirm
# (returns.PendingImport): the app keeps no local files.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
# Uploads stay in memory (never a temporary file), only for signed-in users, and stop at IMPORT_MAX_BYTES.
FILE_UPLOAD_HANDLERS = ["scorecard.uploads.MemoryOnlyUploadHandler"]
# A request body larger than this is refused (413) from its Content-Length before any of it is read:
# a signed-in user's (an import file plus its form), and anyone's before sign-in (the sign-in form).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", IMPORT_MAX_BYTES + 64 * 1024, minimum=1024)
REQUEST_MAX_BYTES_SIGNED_OUT = env_int("REQUEST_MAX_BYTES_SIGNED_OUT", 16 * 1024, minimum=1024)
# Files named on the command line (import_returns, import_reference) may be larger: they are streamed.
IMPORT_COMMAND_MAX_BYTES = env_int("IMPORT_COMMAND_MAX_BYTES", 1024 * 1024 * 1024, minimum=1024)
# Non-blank rows one import file may hold (blank rows are skipped and not counted).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1_000_000, minimum=1)
# An import writing at least this many values checks their links to returns and measures once, set-based,
# rather than row by row (PostgreSQL only; see returns.services.links_checked_once), holding the returns
# tables to itself from when its file is checked until it commits.
IMPORT_BULK_VALUES = env_int("IMPORT_BULK_VALUES", 100_000, minimum=1)
# A web upload larger than this is previewed and imported in the background (returns.import_jobs).
IMPORT_BACKGROUND_BYTES = env_int("IMPORT_BACKGROUND_BYTES", 512 * 1024)

# A month's returns are due on this working day (Monday to Friday) of the next month.
# Four eyes: nobody approves a return they last submitted or changed. A one-person team may turn this on;
# every approval that needs it is logged as a security event.
# The admin's history pages only show old versions; scorecard.admin_history refuses any revert.
SIMPLE_HISTORY_REVERT_DISABLED = True
RETURNS_ALLOW_SELF_APPROVAL = env_bool("RETURNS_ALLOW_SELF_APPROVAL", False)
RETURNS_DUE_WORKING_DAY = env_int("RETURNS_DUE_WORKING_DAY", 5, minimum=1)
if RETURNS_DUE_WORKING_DAY > 20:
    raise ImproperlyConfigured(f"RETURNS_DUE_WORKING_DAY={RETURNS_DUE_WORKING_DAY} must be 20 or less.")

# Reminder emails (send_return_reminders): printed to the console unless a backend is configured.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "scorecard@localhost")
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Security events are always kept, whatever DJANGO_LOG_LEVEL says.
        "scorecard.security": {"level": "INFO"},
        # django-axes narrates every attempt; scorecard.security records them once, in one shape.
        "axes": {"level": "ERROR"},
        # WeasyPrint reports each step of every board-pack PDF; only its warnings matter.
        "weasyprint": {"level": "WARNING"},
    },
}

# --- Serving and security (Django's deployment checklist; OWASP ASVS level 2) ---
# Defaults are the production ones whenever debug is off; each switch exists for
# a documented deployment (a TLS-terminating proxy, a first trial over plain HTTP).

# Reuse a worker's database connection across requests, checked before each
# request (CONN_HEALTH_CHECKS) so one broken by a database restart is replaced.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0)

# Local memory by default (one copy per worker); Redis, shared by every worker
# and machine, when REDIS_URL is set. A Redis outage degrades to cache misses.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://.")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "scorecard"),
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "scorecard"),
        # Two corrections entries per published month (scorecard.snapshots) beside the pages: the default 300
        # would start dropping them at about ten years published.
        "OPTIONS": {"MAX_ENTRIES": 1000},
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# How background imports run: "redis" (a queue in REDIS_URL, run by `manage.py run_import_jobs`),
# "thread" (in the web process; the demo, without Redis) or "immediate" (in the request; tests).
IMPORT_JOBS_RUNNER = os.environ.get("IMPORT_JOBS_RUNNER", "").strip() or ("redis" if REDIS_URL else "thread")
if IMPORT_JOBS_RUNNER not in ("redis", "thread", "immediate"):
    raise ImproperlyConfigured(f"IMPORT_JOBS_RUNNER={IMPORT_JOBS_RUNNER!r} must be redis, thread or immediate.")
if IMPORT_JOBS_RUNNER == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("IMPORT_JOBS_RUNNER=redis needs REDIS_URL.")

# HTTPS. Behind a proxy that terminates TLS, set DJANGO_SECURE_PROXY_SSL_HEADER=1
# (only if the proxy always sets X-Forwarded-Proto itself); if the proxy already
# redirects http to https, DJANGO_SECURE_SSL_REDIRECT=0 is harmless.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe the app over plain HTTP
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False) else None
)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Only a statement of consent: nothing is preloaded until the domain's owner submits it.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: this site's own files only, plus the one pinned Chart.js
# file on its CDN while the CDN is switched on. The file's full address, not its
# host: that CDN serves every npm package, and a host-wide grant would let any
# of them run here.
from csp.constants import NONE, SELF  # noqa: E402

from scorecard import assets as _assets  # noqa: E402  (Django-free module)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF] + ([] if CHARTJS_SELF_HOSTED_ONLY else [_assets.CHARTJS_CDN_URL]),
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Sessions live in the database (any worker, any machine serves any user). They
# end after SESSION_IDLE_MINUTES without a request, SESSION_MAX_HOURS after sign-in
# however active, or when the browser closes (scorecard.middleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_MAX_AGE_SECONDS = env_int("SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_AGE = SESSION_MAX_AGE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Sign-in throttling (django-axes): LOGIN_FAILURE_LIMIT failures for one username
# from one address lock that pair out for LOGIN_LOCKOUT_MINUTES, counted whether
# or not the username exists, so the lockout reveals nothing about accounts.
AUTHENTICATION_BACKENDS = [
    "scorecard.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "scorecard.security.lockout_response"
# The number of reverse proxies in front of the app that append the address they
# received from to X-Forwarded-For; 0 (none) uses the connection's own address.
# Throttling and the security log both read the client's address this way.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "scorecard.security.client_address"

CSRF_FAILURE_VIEW = "scorecard.errors.csrf_failure"
