"""Settings shared by every environment.

Everything that differs between machines comes from the environment (or a `.env` file)
through django-environ, which raises ImproperlyConfigured on a value it cannot parse.
With nothing set, the portal runs on embedded defaults: SQLite under var/ and a Celery
broker on the filesystem, so `make run` needs no server.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"


class StrictEnv(environ.Env):
    """django-environ, stopping start-up with the variable's name on a value it cannot use: alone it
    raises a bare ValueError for a bad number and reads a misspelt boolean ("ture") as false."""

    BOOLEAN_STRINGS = frozenset({*environ.Env.BOOLEAN_TRUE_STRINGS, "false", "off", "no", "n", "0", ""})

    def get_value(
        self, var: str, cast: object = None, default: object = environ.Env.NOTSET, parse_default: bool = False
    ) -> object:
        raw = self.ENVIRON.get(var)
        if cast is bool and raw is not None and raw.strip().lower() not in self.BOOLEAN_STRINGS:
            raise ImproperlyConfigured(f"{var} must be true or false, not {raw!r}.")
        try:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except ValueError as error:
            raise ImproperlyConfigured(f"{var} has a value that cannot be read ({error}).") from None


env = StrictEnv()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - refused by production settings
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # the admin behind django-otp's second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bootstrap",  # django-bootstrap-static: Bootstrap 5 served as our own static files
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_results",
    "django_celery_beat",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "two_factor",  # the staff login: password, then a code (portal.staff_login)
    "suppliers",
    "reports",
    "assurance",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files served from here, not from a CDN (CSP)
    "outbox",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "suppliers.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if not DATABASES["default"].get("ENGINE"):  # django-environ only warns on an empty value
    raise ImproperlyConfigured(
        f"DATABASE_URL must look like postgres://user@host:5432/name or sqlite:///path, not {env.str('DATABASE_URL')!r}."
    )
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for a lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Auth -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "suppliers.forms.accounts.PasswordLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_USER_MODEL = "suppliers.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before checking the password
    "suppliers.backends.UserWithSupplierBackend",  # Django's ModelBackend, the user's supplier in one query
]
# Lockout after 5 failures for a username *from one IP address*: an attacker elsewhere cannot
# lock a supplier out of its own office. Cleared after an hour or by a successful login.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login forms post the email in a field named "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "suppliers/accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
# The client's address behind that many reverse proxies (X-Forwarded-For read from the right), else REMOTE_ADDR.
AXES_CLIENT_IP_CALLABLE = "portal.client_address.client_ip_address"
# Staff sign in to the admin with a one-time password as a second factor (django-otp).
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Green electricity portal"
# django-two-factor-auth's login wizard is the admin's own login (PortalAdminSite.login), not a
# redirect to LOGIN_URL (the suppliers' login), which its admin patch would make of every AdminSite.
TWO_FACTOR_PATCH_ADMIN = False
# The code step must follow the password within ten minutes (the login page's message says so).
TWO_FACTOR_LOGIN_TIMEOUT = 600
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Invitation and password-reset links stay valid for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
# Content-Security-Policy (django-csp): scripts and styles from this site only, never inline
# script; inline style attributes are allowed (the admin uses them). No framing, forms post here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Languages and time ---------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------
STATIC_URL = "static/"
# Where `collectstatic` writes; the environment may move it (a deploy's build folder, a test's).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# The project's own files (portal/portal.css); the apps' come from their static/ folders.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Evidence files are private: stored under var/, never under a public URL.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Email ----------------------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="green-electricity-portal@localhost")
# Seconds an SMTP connection may hang before the send counts as failed (Django waits forever by default).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The Date header in TIME_ZONE (Asia/Shanghai, +0800), the time the recipients live in.
EMAIL_USE_LOCALTIME = True

# --- Celery ---------------------------------------------------------------------------


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's filesystem transport in `folder` (made if missing): one queue folder, one control."""
    for sub in ("queue", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


# Seconds after which Redis hands a delivered but unacknowledged task (its worker died) to another
# worker. Keep it above how long a task runs, or a slow task is handed to a second worker while the
# first still runs it (the tasks are safe to run twice, but it is work done twice). The longest,
# the nightly roll-up of every year, may run 65 minutes (reports/tasks.py): hence two hours.
BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 3600)
if BROKER_VISIBILITY_TIMEOUT < 1:
    raise ImproperlyConfigured(f"CELERY_VISIBILITY_TIMEOUT must be at least 1 second, not {BROKER_VISIBILITY_TIMEOUT}.")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
else:
    # kombu's filesystem transport: a broker that needs no server, for the embedded defaults. It has no
    # host; naming kombu's default one keeps "No hostname was supplied" off every command and worker start.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "broker")
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_CACHE_BACKEND = "default"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A killed worker's task is delivered again rather than lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- The API (/api/v1/, Django REST framework) ---------------------------------------------


def api_rate(name: str, *, default: str) -> str:
    """A throttle rate such as "600/hour", checked at start-up: DRF would only fail on the first
    request that reads it."""
    rate = env.str(name, default=default)
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", rate):
        raise ImproperlyConfigured(f"{name} must look like 600/hour (per second, minute, hour or day), not {rate!r}.")
    return rate


# Token authentication only (no session, so no CSRF); JSON only (the browsable API's inline
# script would break the CSP; Swagger UI at /api/v1/docs/ is the documentation).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenScopeRateThrottle"],
    # Per token for a token's scope, per client address for the anonymous schema and docs.
    "DEFAULT_THROTTLE_RATES": {
        "supplier_write": api_rate("API_RATE_SUPPLIER", default="600/hour"),
        "staff_read": api_rate("API_RATE_STAFF", default="3600/hour"),
        "anon": api_rate("API_RATE_ANONYMOUS", default="300/hour"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS is 405, not an undocumented description of each view
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Green electricity reporting API",
    "DESCRIPTION": (
        "Suppliers' systems send their figures (supplier tokens); the company's reporting tools read "
        "the roll-up (staff tokens). Send `Authorization: Bearer <token>`; tokens are made and revoked "
        "on the portal's page /api/tokens/."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SubmissionStatusEnum": "suppliers.models.Submission.Status",
        "RunStatusEnum": "reports.models.RollupRun.Status",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- The portal's own settings ---------------------------------------------------------
BASELINE_YEAR = env.int("BASELINE_YEAR", default=2019)
# The last consumption year whose I-RECs count (docs/method.md): I-RECs are issued for Chinese
# generation up to the 2024 vintage; from 2025 the GEC is the sole proof of green electricity in China.
IREC_LAST_YEAR = env.int("IREC_LAST_YEAR", default=2024)
# Seconds a roll-up waits after the first trigger, so that a burst of approvals is one run.
ROLLUP_COALESCE_SECONDS = env.int("ROLLUP_COALESCE_SECONDS", default=30)
COMMITTED_SUPPLIERS = env.int("COMMITTED_SUPPLIERS", default=200)
# Where the portal is reached from outside (scheme://host[:port], no path): every link in an email
# (invitations, password resets) is built on it, never on a request's Host header. Unset, it is
# the address gunicorn binds to (PORTAL_BIND, which `make run` passes to web, worker and beat).
PORTAL_BIND = env.str("PORTAL_BIND", default="127.0.0.1:8000")
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default=f"http://{PORTAL_BIND}").rstrip("/")
_base_url = urlsplit(PORTAL_BASE_URL)
if _base_url.scheme not in {"http", "https"} or not _base_url.netloc or _base_url.path or _base_url.query:
    if "PORTAL_BASE_URL" not in env.ENVIRON:
        raise ImproperlyConfigured(
            f"PORTAL_BASE_URL is not set and PORTAL_BIND {PORTAL_BIND!r} gives no base URL for links in emails; "
            "set PORTAL_BASE_URL, e.g. https://portal.example.com."
        )
    raise ImproperlyConfigured(f"PORTAL_BASE_URL must look like https://portal.example.com, not {PORTAL_BASE_URL!r}.")
# Shows a banner on every page saying that the companies and figures are invented (`make run`).
PORTAL_DEMO = env.bool("PORTAL_DEMO", default=False)
# Scheduled reports go to these addresses and to the active staff of the group "report recipients".
REPORT_RECIPIENTS = env.list("REPORT_RECIPIENTS", default=[])
for _address in REPORT_RECIPIENTS:
    try:
        validate_email(_address)
    except ValidationError:
        raise ImproperlyConfigured(f"REPORT_RECIPIENTS holds {_address!r}, which is not an email address.") from None
# Suppliers who have not submitted are reminded this many days before a period's due date.
REMINDER_DAYS_BEFORE = env.int("REMINDER_DAYS_BEFORE", default=14)
if not 0 <= REMINDER_DAYS_BEFORE <= 366:
    raise ImproperlyConfigured(f"REMINDER_DAYS_BEFORE must be 0 to 366 days, not {REMINDER_DAYS_BEFORE}.")
# Evidence uploads: PDF, images, XLSX, checked by content.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # axes logs every attempt at INFO; lockouts are WARNING and stay visible.
    "loggers": {"axes": {"level": "WARNING"}},
}
