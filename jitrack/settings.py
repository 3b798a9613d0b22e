"""jitrack settings: one file, read from the environment.

Every value comes from an environment variable with a typed helper; a bad value stops
start-up with a message naming the variable. With DATABASE_URL / CELERY_BROKER_URL unset the
app runs embedded: a SQLite file and Celery's filesystem transport in ./var.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JITRACK_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (got {raw!r})")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r})") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} (got {value})")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_lines(name: str, default: str) -> tuple[str, ...]:
    """A multi-line value (an address, bank details): real line breaks or the two characters
    ``\\n`` (one line in a .env file) end a line; blank lines and surrounding spaces are dropped.
    Set but blank stops start-up: it would print nothing where it is needed."""
    raw = os.environ.get(name)
    lines = tuple(
        line.strip()
        for line in (default if raw is None else raw).replace("\\n", "\n").splitlines()
        if line.strip()
    )
    if not lines:
        raise ImproperlyConfigured(f"{name} must not be blank")
    return lines


def env_rate(name: str, default: str) -> str:
    """A request rate as DRF's throttles read it: ``number/period``, the period one of second,
    minute, hour, day (or its first letter)."""
    raw = os.environ.get(name) or default
    number, _, period = raw.partition("/")
    if not (number.isdigit() and int(number) > 0 and period[:1] in ("s", "m", "h", "d")):
        raise ImproperlyConfigured(f"{name} must be like 10/hour (got {raw!r})")
    return raw


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or env_bool("JITRACK_TESTING", False):
        # A known key only with DEBUG=1 or in the tests; DEBUG=0 without SECRET_KEY stops below.
        SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105 # nosec B105
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    # The layers, lowest first (README "Architecture"; the import-linter contracts).
    "projects",
    "fees",
    "determinations",
    "reviews",
    "registry",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "jitrack.middleware.RejectNulBytesMiddleware",
    # A lost database connection answers 503 (its process_exception), not a server error.
    "jitrack.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jitrack.middleware.SlidingSessionMiddleware",
    # The visitor's language (cookie from set_language, then Accept-Language); /api/ stays in
    # English (jitrack.i18n).
    "jitrack.i18n.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session of a user who must use a second factor and has not: logged out (projects.accounts).
    "projects.accounts.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login lockout into the login page's message or the API's JSON 429.
    "axes.middleware.AxesMiddleware",
]

# The URL roots sit on top of every app (README "Architecture").
ROOT_URLCONF = "registry.site_urls"
WSGI_APPLICATION = "jitrack.wsgi.application"

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
                "projects.context_processors.site",
                "registry.context_processors.work",
                "projects.context_processors.inbox",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    except Exception as exc:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "projects.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses every login attempt of a locked-out username or address (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, loading a session's user with its organisation and Party.
    "projects.accounts.UserBackend",
]
# The cache: Redis when CACHE_URL is set (shared by every web and worker process, as the public
# pages' cache needs: jitrack.pagecache); embedded, a directory in ./var that the processes of
# ./scripts/run share; the test suite uses local memory, cleared before each test.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "jitrack",
        }
    }
elif env_bool("JITRACK_TESTING", False):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# How long an anonymous visitor's page may be served from the cache (jitrack.pagecache); the
# record's writes invalidate it at once, this bounds only what changes with the clock. 0: off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)
# Sessions read through the cache (database on a miss): pages stay inside their query budget.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# A session ends after SESSION_IDLE_MINUTES without a request (a working day by default):
# jitrack.middleware.SlidingSessionMiddleware renews it at most every few minutes, so a page
# does not write the session on every request. By default it also ends with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 8 * 60, minimum=5) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# Always, DEBUG too: the demo's users get their password from seed_demo, which sets it directly.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts (projects.accounts; README "Accounts"). Login lockout by django-axes: after
# LOGIN_FAILURE_LIMIT failed logins (web, API token, wrong second-factor codes) for one username,
# or from one address, both are refused for LOGIN_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not extend it: the message's "try again in" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "projects.account_views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "projects.accounts.client_ip"
# How many reverse proxies in front of the app append to X-Forwarded-For (0: none; the client's
# address is REMOTE_ADDR). Lockouts and throttles count per address.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
# The roles that log in with a second factor (TOTP) after the password; superusers always do.
TWO_FACTOR_ROLES = env_list("TWO_FACTOR_ROLES", "secretariat,jisc")
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "jitrack")
# The admin never shows a device's secret or its QR code, not even to a superuser: a lost device
# is deleted there and its owner enrols a new one at the next login.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# API tokens are refused this many days after they were issued (a new one: POST /api/auth/token/).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)

LANGUAGE_CODE = "en"
# English first; Russian for the public pages (issue 6: several JI host Parties work in Russian).
# No language prefix in URLs: the choice is a cookie set by /i18n/setlang/, else Accept-Language.
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "jitrack" / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# Uploads: 25 MB by default (issue 2), checked by our own validators so the user gets a message.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 25, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Fees (ji-rules §5): invoices fall due this many days after issue.
INVOICE_DUE_DAYS = env_int("INVOICE_DUE_DAYS", 30, minimum=1)
# Appraisals (issue 4): due this many days before the 45-day window closes; reminders this many
# days before they are due.
APPRAISAL_DAYS_BEFORE_WINDOW_CLOSES = env_int("APPRAISAL_DAYS_BEFORE_WINDOW_CLOSES", 10, minimum=0)
APPRAISAL_REMINDER_DAYS = env_int("APPRAISAL_REMINDER_DAYS", 3, minimum=0)
# Who issues invoices and credit notes and where fees are paid, as printed on them and on the
# "what we owe" page. The default bank account is the demo's and says so: set the real one.
FEES_ISSUER_NAME = ", ".join(
    env_lines("FEES_ISSUER_NAME", "UNFCCC secretariat, Joint Implementation")
)
FEES_ISSUER_ADDRESS = env_lines(
    "FEES_ISSUER_ADDRESS", "Platz der Vereinten Nationen 1\n53113 Bonn\nGermany"
)
FEES_BANK_DETAILS = env_lines(
    "FEES_BANK_DETAILS",
    "Beneficiary: UNFCCC secretariat (DEMO ACCOUNT, NOT FOR PAYMENT)\n"
    "Bank: Demo Bank AG, Bonn, Germany\n"
    "IBAN: DE00 0000 0000 0000 0000 00\n"
    "SWIFT/BIC: DEMODEXXXXX",
)

# E-mail: SMTP when EMAIL_HOST is set; else one file per connection in EMAIL_FILE_PATH when set
# (./scripts/run: var/mail, listed at /dev/mail/ with DEBUG=1, jitrack.devmail); else the console.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
    if EMAIL_FILE_PATH
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jitrack <noreply@jitrack.invalid>")

# Celery: Redis when CELERY_BROKER_URL is set, else the filesystem transport (no server needed).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
if not CELERY_BROKER_URL:
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "filesystem://", "memory://")):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL must be a redis:// URL (got {CELERY_BROKER_URL!r})"
    )
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
DEADLINE_SWEEP_SECONDS = env_int("DEADLINE_SWEEP_SECONDS", 60, minimum=1)
# The one beat schedule: each app's idempotent sweep of the statutory clock (the comment period
# in projects.clock; the 45-day and 15-day windows in determinations.clock; the appraisals,
# reminders and overdue notices of reviews.clock).
CELERY_BEAT_SCHEDULE = {
    f"sweep-{app}": {"task": f"{app}.tasks.sweep", "schedule": float(DEADLINE_SWEEP_SECONDS)}
    for app in ("projects", "determinations", "reviews")
}
# The hash chains over the record (projects.ledger): rows are sealed after each commit; this
# catches what a lost task left, and records each day's head once the day is over.
CELERY_BEAT_SCHEDULE["seal-logs"] = {
    "task": "projects.tasks.seal_logs",
    "schedule": float(env_int("SEAL_LOGS_SECONDS", 300, minimum=1)),
}
# The mail outbox (projects.outbox): each act's mail is drained after its commit; this sends
# what a lost task left and the retries that are due.
CELERY_BEAT_SCHEDULE["drain-mail"] = {
    "task": "projects.outbox.drain",
    "schedule": float(env_int("MAIL_DRAIN_SECONDS", 60, minimum=1)),
}
# The daily digest of the notifications of the users who prefer one (projects.notify), at
# MAIL_DIGEST_HOUR o'clock UTC.
MAIL_DIGEST_HOUR = env_int("MAIL_DIGEST_HOUR", 6)
if MAIL_DIGEST_HOUR > 23:
    raise ImproperlyConfigured(
        f"MAIL_DIGEST_HOUR must be an hour, 0 to 23 (got {MAIL_DIGEST_HOUR})"
    )
CELERY_BEAT_SCHEDULE["mail-digests"] = {
    "task": "projects.tasks.send_digests",
    "schedule": crontab(minute=0, hour=MAIL_DIGEST_HOUR),
}

REST_FRAMEWORK = {
    "DEFAULT_PARSER_CLASSES": [
        "jitrack.api.SafeJSONParser",
        "jitrack.api.SafeFormParser",
        "jitrack.api.SafeMultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "projects.accounts.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "jitrack.apischema.AutoSchema",
    "EXCEPTION_HANDLER": "jitrack.api.exception_handler",
    # Anonymous writes and token issue, per client address (projects.accounts throttles).
    "DEFAULT_THROTTLE_RATES": {
        "comment": env_rate("COMMENT_RATE", "20/hour"),
        "token": env_rate("TOKEN_RATE", "20/hour"),
    },
    "NUM_PROXIES": TRUSTED_PROXIES or None,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    "DATE_FORMAT": "%Y-%m-%d",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "jitrack API",
    "DESCRIPTION": "Joint Implementation Track 2: projects, determinations and the statutory clock.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from drf-spectacular-sidecar's static files: no CDN, works offline, fits the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The schema's warnings are about the API's documentation, not about a safe deployment:
    # `manage.py spectacular --validate` reports them; `check --deploy` stays the deployment's.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # Names for the choice sets several models share a field name with.
    "ENUM_NAME_OVERRIDES": {
        "InvoiceStatusEnum": "fees.models.Invoice.Status",
        "FeeKindEnum": "fees.models.FeeKind",
        "ProjectChangeKindEnum": "projects.models.ProjectChange.Kind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

# HTTPS (README "Configuration"). BEHIND_TLS_PROXY=1: a TLS-terminating proxy in front sets
# X-Forwarded-Proto (and strips the client's own), so Django sees which requests were secure;
# it also turns on, unless set otherwise, the redirect to https and a year of HSTS.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", BEHIND_TLS_PROXY)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if BEHIND_TLS_PROXY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", BEHIND_TLS_PROXY)

# Content-Security-Policy (django-csp): scripts, styles, images and fonts only from this site,
# no inline script or style anywhere (the templates keep them in jitrack/static; the API docs
# load Swagger UI from drf-spectacular-sidecar's static files), no framing, no plugins.
# WeasyPrint's PDF templates keep their <style>: they are never an HTTP response.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Swagger UI's icons are data: URIs in its stylesheet.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
