"""Casebook settings: one module, configured by environment variables only.

See docs/operations.md for every variable. Nothing here exists only in production: the
production switch (CASEBOOK_PRODUCTION=1) tightens transport security and refuses to start
without explicit secrets, but the code paths are the same.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


PRODUCTION = env_bool("CASEBOOK_PRODUCTION")
TESTING = env_bool("CASEBOOK_TESTING")

# Local state of an embedded installation (secret key, master key, SQLite file, checkpoints).
# Lives outside git (see .gitignore); in production point it at a protected directory.
VAR_DIR = Path(env("CASEBOOK_VAR_DIR", str(BASE_DIR / "var" / ("test" if TESTING else ""))))


def _local_secret(filename: str, make) -> str:
    """Read a secret generated once into VAR_DIR; create it (mode 0600) on first use."""
    path = VAR_DIR / filename
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production (CASEBOOK_PRODUCTION=1).")
    SECRET_KEY = _local_secret("secret_key", lambda: secrets.token_urlsafe(64))

DEBUG = env_bool("CASEBOOK_DEBUG", default=False) and not PRODUCTION

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Keys -------------------------------------------------------------------------------
# The master key never lives in the database: CASEBOOK_MASTER_KEY (a keyring string, see
# casebook.crypto.keyring) or a key file. Without either, an embedded installation creates
# var/master.key once; production refuses to start without one.
CASEBOOK_MASTER_KEY = env("CASEBOOK_MASTER_KEY")
CASEBOOK_MASTER_KEY_FILE = Path(env("CASEBOOK_MASTER_KEY_FILE", str(VAR_DIR / "master.key")))
if PRODUCTION and not CASEBOOK_MASTER_KEY and not CASEBOOK_MASTER_KEY_FILE.exists():
    raise ImproperlyConfigured(
        "Production needs CASEBOOK_MASTER_KEY or an existing CASEBOOK_MASTER_KEY_FILE."
    )
CASEBOOK_CRYPTO_PROFILE = (env("CASEBOOK_CRYPTO_PROFILE", "intl") or "intl").lower()
if CASEBOOK_CRYPTO_PROFILE not in {"intl", "sm"}:
    raise ImproperlyConfigured("CASEBOOK_CRYPTO_PROFILE must be 'intl' or 'sm'.")
CASEBOOK_AUDIT_CHECKPOINT_DIR = Path(
    env("CASEBOOK_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints"))
)
# Backups (manage.py backup / restore_drill; docs/operations.md "Backups"): where they go and how
# many days one is kept. A destroyed data key survives in a backup at most this many days.
CASEBOOK_BACKUP_DIR = Path(env("CASEBOOK_BACKUP_DIR", str(VAR_DIR / "backups")))
CASEBOOK_BACKUP_MAX_AGE_DAYS = int(env("CASEBOOK_BACKUP_MAX_AGE_DAYS", "35"))
# Weekly audit review (SECURITY.md L5): a user is flagged above FACTOR x the median of their
# peers (same role, same unit) with at least MIN_READS reads; reads outside WORK_HOURS (local
# time, "8-20") are listed. Audit events are kept AUDIT_KEEP_DAYS (at least 365) before they may
# be archived (manage.py audit_archive).
CASEBOOK_AUDIT_REVIEW_FACTOR = float(env("CASEBOOK_AUDIT_REVIEW_FACTOR", "3"))
CASEBOOK_AUDIT_REVIEW_MIN_READS = int(env("CASEBOOK_AUDIT_REVIEW_MIN_READS", "20"))
CASEBOOK_AUDIT_REVIEW_WORK_HOURS = tuple(
    int(h) for h in env("CASEBOOK_AUDIT_REVIEW_WORK_HOURS", "8-20").split("-", 1)
)
CASEBOOK_AUDIT_REVIEW_DIR = Path(env("CASEBOOK_AUDIT_REVIEW_DIR", str(VAR_DIR / "audit-reviews")))
CASEBOOK_AUDIT_KEEP_DAYS = max(365, int(env("CASEBOOK_AUDIT_KEEP_DAYS", "365")))
CASEBOOK_AUDIT_ARCHIVE_DIR = Path(env("CASEBOOK_AUDIT_ARCHIVE_DIR", str(VAR_DIR / "audit-archive")))

# --- Applications -----------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "casebook.core",
    "casebook.accounts",
    "casebook.access",
    "casebook.audit",
    "casebook.crypto",
    "casebook.subjects",
    "casebook.partners",  # the register of partner departments, below tracking
    "casebook.tracking",
    "casebook.intel",
    "casebook.monitoring",
    "casebook.analysis",
    "casebook.reports",
    "casebook.retention",
    "casebook.staff",
    "casebook.assessment",
    "casebook.site",  # the composition root (manage.py load_demo): above every other app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "casebook.core.middleware.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # compresses text answers (HTML, JSON) on their way out; below WhiteNoise, which answers
    # static files itself from their pre-compressed copies (docs/operations.md, "Sizing and
    # tuning": why BREACH is no concern here)
    "casebook.core.middleware.GZipTextMiddleware",
    "casebook.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "casebook.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "casebook.accounts.middleware.SessionPolicyMiddleware",
    # every page needs a login unless its view is marked @login_not_required (after the session
    # policy, so an expired session is ended first); DRF views are exempt and answer 401/403
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # conditions before any personal data (the confidentiality pledge, lapsed training: staff
    # registers them); the API answers through GatePermission below (casebook.access.gates)
    "casebook.access.gates.GateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casebook.urls"
WSGI_APPLICATION = "casebook.wsgi.application"
ASGI_APPLICATION = "casebook.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "casebook" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "casebook.core.context_processors.navigation",
                "casebook.reports.context_processors.urgent_banner",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'casebook.sqlite3'}"
if DATABASE_URL.startswith("sqlite:///"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
#: Connections are kept for this many seconds and reused by the requests of the same thread
#: (docs/operations.md, "Sizing and tuning"); health-checked before reuse after an idle spell.
CASEBOOK_DB_CONN_MAX_AGE = int(env("CASEBOOK_DB_CONN_MAX_AGE", "60"))
#: Seconds after which PostgreSQL ends one statement (0 = never). gunicorn.conf.py sets 30 for web
#: requests; management commands, the job worker and the scheduler run without a limit.
CASEBOOK_DB_STATEMENT_TIMEOUT = int(env("CASEBOOK_DB_STATEMENT_TIMEOUT", "0"))


def postgres_options(existing: str = "", statement_timeout: int = 0) -> str:
    """libpq ``options`` for the application's connections: JIT compilation off (Casebook's
    queries are short and indexed; on big tables PostgreSQL chose to JIT-compile their plans and
    spent seconds compiling what runs in milliseconds) and the statement timeout, if any. Options
    given in DATABASE_URL (``?options=…``) come first and are kept."""
    parts = [existing.strip()] if existing and existing.strip() else []
    parts.append("-c jit=off")
    if statement_timeout > 0:
        parts.append(f"-c statement_timeout={statement_timeout * 1000}")
    return " ".join(parts)


DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CASEBOOK_DB_CONN_MAX_AGE)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = postgres_options(
        _options.get("options", ""), CASEBOOK_DB_STATEMENT_TIMEOUT
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock at BEGIN: no "database is locked" upgrades mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA secure_delete=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env("CASEBOOK_TEST_SQLITE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
if TESTING:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Accounts, passwords, sessions (SECURITY.md S1–S7) ----------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests that check hashing ask for it explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "real_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "casebook.accounts.passwords.ChineseCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle timeout: the cookie lives 30 minutes and every request renews it; the server also keeps
# its own clock (casebook.accounts.middleware) so a replayed cookie cannot outlive the policy.
CASEBOOK_IDLE_TIMEOUT = timedelta(minutes=int(env("CASEBOOK_IDLE_TIMEOUT_MINUTES", "30")))
CASEBOOK_ABSOLUTE_TIMEOUT = timedelta(hours=int(env("CASEBOOK_ABSOLUTE_TIMEOUT_HOURS", "12")))
CASEBOOK_STEP_UP_WINDOW = timedelta(minutes=int(env("CASEBOOK_STEP_UP_MINUTES", "5")))
# The session record outlives the idle limit by five minutes so that the middleware, not a
# silent expiry, ends it — and records why.
SESSION_COOKIE_AGE = int(CASEBOOK_IDLE_TIMEOUT.total_seconds()) + 300
# Saved when it changes, not on every request: the session policy writes the last activity at
# most once a minute (casebook.accounts.middleware.LAST_SEEN_RESOLUTION), which renews the row.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "casebook_session"
CSRF_COOKIE_NAME = "casebook_csrftoken"
CSRF_FAILURE_VIEW = "casebook.accounts.views.csrf_failure"

# django-axes: its defaults are wrong for us (SECURITY.md S3).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=10)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "casebook.accounts.views.lockout_response"
AXES_IPWARE_PROXY_COUNT = int(env("CASEBOOK_PROXY_COUNT", "0"))
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# S3 asks for a lock per account. Locking by address as well would lock a whole station out
# when its officers share one NAT address, so axes' advice to add ip_address is declined.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

OTP_TOTP_ISSUER = "Casebook"

# --- Internationalisation and time ------------------------------------------------------
LANGUAGE_CODE = env("CASEBOOK_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "casebook" / "locale"]
LANGUAGE_COOKIE_NAME = "casebook_language"
TIME_ZONE = env("CASEBOOK_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("CASEBOOK_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "casebook" / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING or not PRODUCTION
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
# Task escalation: hours relative to a stage's deadline at which each step is taken —
# reminder to the officer, overdue to the officer, to the station leader, to the bureau.
CASEBOOK_ESCALATION_HOURS = {
    level: int(hours)
    for level, hours in enumerate(env_list("CASEBOOK_ESCALATION_HOURS", "-24,0,24,72"))
}
# Map tiles: a URL template for an intranet tile server, or empty to draw maps without tiles.
CASEBOOK_MAP_TILE_URL = env("CASEBOOK_MAP_TILE_URL", "")

# --- Reports (issue #7) -------------------------------------------------------------------
#: Minutes an urgent report may wait for an acknowledgement before it climbs the chain.
CASEBOOK_URGENT_ACK_MINUTES = int(env("CASEBOOK_URGENT_ACK_MINUTES", "10"))
#: From this local hour on, the daily notification digest goes out (once a day per user).
CASEBOOK_DIGEST_HOUR = int(env("CASEBOOK_DIGEST_HOUR", "8"))
#: SMS gateway: urgent reports are POSTed here as JSON, signed with the secret (HMAC-SHA256).
CASEBOOK_SMS_WEBHOOK_URL = env("CASEBOOK_SMS_WEBHOOK_URL", "")
# The address officers open Casebook at (e.g. https://casebook.station.example): urgent e-mails
# and SMS carry a link to the report under it instead of the report's text.
CASEBOOK_BASE_URL = env("CASEBOOK_BASE_URL", "")
CASEBOOK_SMS_WEBHOOK_SECRET = env("CASEBOOK_SMS_WEBHOOK_SECRET", "")
#: Days an exported file stays downloadable (its register entry and digest stay for ever).
CASEBOOK_EXPORT_KEEP_DAYS = int(env("CASEBOOK_EXPORT_KEEP_DAYS", "7"))

# --- Background services: when /healthz reports them stalled (seconds; 0 = not checked) -----
# The worker and the scheduler record a heartbeat after every round; a job ready this long
# with no worker taking it, or an urgent message still in the outbox this long, is a stall too.
# Days after a missed review date before the subject is restricted (issue #14; retention)
CASEBOOK_REVIEW_GRACE_DAYS = int(env("CASEBOOK_REVIEW_GRACE_DAYS", "14"))
# how often officers write their work summary (monthly / quarterly); a bureau may set its own
CASEBOOK_SUMMARY_CADENCE = env("CASEBOOK_SUMMARY_CADENCE", "monthly")
# days unpromoted monitoring events (video alerts, geofence crossings) are kept (issue #15)
CASEBOOK_MONITORING_RETENTION_DAYS = int(env("CASEBOOK_MONITORING_RETENTION_DAYS", "30"))
# ingestion batches one server process stores at once; more answer 429 with Retry-After
CASEBOOK_MONITORING_MAX_CONCURRENT = int(env("CASEBOOK_MONITORING_MAX_CONCURRENT", "4"))
CASEBOOK_HEALTH_WORKER_STALE_SECONDS = int(env("CASEBOOK_HEALTH_WORKER_STALE_SECONDS", "300"))
CASEBOOK_HEALTH_SCHEDULER_STALE_SECONDS = int(env("CASEBOOK_HEALTH_SCHEDULER_STALE_SECONDS", "300"))
CASEBOOK_HEALTH_QUEUE_MAX_AGE_SECONDS = int(env("CASEBOOK_HEALTH_QUEUE_MAX_AGE_SECONDS", "600"))
CASEBOOK_HEALTH_OUTBOX_MAX_AGE_SECONDS = int(env("CASEBOOK_HEALTH_OUTBOX_MAX_AGE_SECONDS", "600"))

# --- Transport security (SECURITY.md D1) ------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("CASEBOOK_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("CASEBOOK_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env("CASEBOOK_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")  # STARTTLS (port 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")  # implicit TLS (port 465)
# Production refuses SMTP without one of the two (retention.E101, `check --deploy`).
# CASEBOOK_DB_REQUIRE_TLS=1: production also refuses a PostgreSQL connection whose sslmode is not
# require, verify-ca or verify-full (retention.E103).
CASEBOOK_DB_REQUIRE_TLS = env_bool("CASEBOOK_DB_REQUIRE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "casebook@localhost")

# A mail server that never answers must not hold a worker (or a request) for ever.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "10"))

# --- API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "casebook.accounts.api.authentication.ApiTokenAuthentication",
        "casebook.accounts.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "casebook.access.gates.GatePermission",
    ],
    "DEFAULT_SCHEMA_CLASS": "casebook.core.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "casebook.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "casebook.core.api.problem_exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "casebook.core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("CASEBOOK_API_RATE_ANON", "60/min"),
        "user": env("CASEBOOK_API_RATE_USER", "600/min"),
        # raising an urgent report notifies the duty chain by SMS and mail: a runaway client
        # must not flood it (casebook.reports.api.views.UrgentReportViewSet)
        "urgent": env("CASEBOOK_API_RATE_URGENT", "30/min"),
    },
}
if TESTING:
    # tests call the API far faster than any person; one test sets tiny rates on purpose
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
        "anon": "100000/min",
        "user": "100000/min",
        "urgent": "100000/min",
    }
SPECTACULAR_SETTINGS = {
    "TITLE": "Casebook API",
    "DESCRIPTION": "Tracking management for police stations. Every call is scoped and audited.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # the schema and its docs describe every route and filter: for logged-in users only
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # every operation's error answers, as problem details (casebook.core.openapi)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "casebook.core.openapi.problem_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SubjectKindEnum": "casebook.subjects.choices.Kind",
        "IdentifierKindEnum": "casebook.subjects.choices.IdentifierKind",
        "UnitKindEnum": "casebook.core.choices.UnitKind",
        "SubjectStatusEnum": "casebook.subjects.choices.Status",
        "IncidentStatusEnum": "casebook.subjects.choices.IncidentStatus",
        "TaskStageEnum": "casebook.tracking.choices.Stage",
        "TaskPriorityEnum": "casebook.tracking.choices.Priority",
        "RecordVerificationEnum": "casebook.intel.choices.Verification",
        "TipStatusEnum": "casebook.intel.choices.TipStatus",
        "SampleKindEnum": "casebook.assessment.choices.SampleKind",
        "ComplaintSourceEnum": "casebook.staff.supervision_choices.ComplaintSource",
        "ComplaintStatusEnum": "casebook.staff.supervision_choices.ComplaintStatus",
    },
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("CASEBOOK_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
