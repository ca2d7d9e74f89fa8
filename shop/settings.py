"""Bazaar settings: one env-driven module (DESIGN §5).

Defaults are the development profile and need nothing installed (SQLite under var/,
Celery's filesystem broker). Production sets the environment variables of DESIGN §5.
"""

import socket
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --- Core ---

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A default key only while debugging: production must bring its own.
SECRET_KEY = (
    env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
    if DEBUG
    else env.str("DJANGO_SECRET_KEY")
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django_prometheus",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "shop",
    "accounts",
    "catalogue",
    "cart",
    "orders",
    "payments",
    "notifications",
    "community",
    "outbox",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "shop.observability.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view meeting a database outage answers 503, not 500 (pages; the API has its handler).
    "shop.common.unavailable.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
ASGI_APPLICATION = "shop.asgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "notifications.context_processors.unread_notifications",
            ],
            "builtins": ["shop.common.templatetags"],
        },
    },
]

# --- Database ---

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # web, worker and beat share one file: wait for the writer lock instead of failing,
    # and take it at BEGIN so two writers never deadlock on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# --- Cache and broker ---

REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "shop.common.cache.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    CELERY_BROKER_URL = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A broker with no server: worker and beat still run as real processes (DESIGN §5).
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Broadcast (remote control) messages too, or kombu writes them under ./control.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }

# --- Celery ---

# A worker started for one queue (the live-worker tests, a dedicated deployment) sends the
# tasks it queues, the outbox relay's included, to that queue too.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
# Celery's Django fixup closes every database connection before and after each task
# unless this is set, and then only every this many tasks: a new PostgreSQL connection
# per task cost about 6 ms, a fifth of an invoice render. Between those, shop.celery
# closes them as Django does around a request (CONN_MAX_AGE, health checks, errors).
CELERY_DB_REUSE_MAX = 1000

ORDER_PAYMENT_TIMEOUT_SECONDS = env.int("ORDER_PAYMENT_TIMEOUT_SECONDS", default=600)
ORDER_EXPIRY_SWEEP_SECONDS = env.int("ORDER_EXPIRY_SWEEP_SECONDS", default=30)
ORDER_EXPIRY_BATCH_SIZE = env.int("ORDER_EXPIRY_BATCH_SIZE", default=200)
INVOICE_RETRY_SWEEP_SECONDS = env.int("INVOICE_RETRY_SWEEP_SECONDS", default=60)
PARCEL_SWEEP_SECONDS = env.int("PARCEL_SWEEP_SECONDS", default=60)

# The outbox (docs/reliability.md): beat relays every OUTBOX_RELAY_SECONDS besides the
# nudge after each commit; a consumer that has not answered within the lease is handed
# its message again; failures back off exponentially and die after OUTBOX_MAX_ATTEMPTS.
OUTBOX_RELAY_SECONDS = env.int("OUTBOX_RELAY_SECONDS", default=5)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=120)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_BACKOFF_SECONDS = env.int("OUTBOX_BACKOFF_SECONDS", default=5)
OUTBOX_BACKOFF_MAX_SECONDS = env.int("OUTBOX_BACKOFF_MAX_SECONDS", default=600)
OUTBOX_BROKER_RETRY_SECONDS = env.int("OUTBOX_BROKER_RETRY_SECONDS", default=2)

# Task names as strings: settings must not import the apps (STYLE §2.7).
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {
        "task": "outbox.tasks.relay_outbox_task",
        "schedule": timedelta(seconds=OUTBOX_RELAY_SECONDS),
    },
    "expire-overdue-orders": {
        "task": "orders.tasks.expire_overdue_orders_task",
        "schedule": timedelta(seconds=ORDER_EXPIRY_SWEEP_SECONDS),
    },
    "sweep-parcel-deadlines": {
        "task": "orders.tasks.sweep_parcel_deadlines_task",
        "schedule": timedelta(seconds=PARCEL_SWEEP_SECONDS),
    },
    "retry-pending-invoices": {
        "task": "payments.tasks.retry_pending_invoices_task",
        "schedule": timedelta(seconds=INVOICE_RETRY_SWEEP_SECONDS),
    },
}

# --- Shop rules ---

WALLET_OPENING_BALANCE = Decimal(env.str("WALLET_OPENING_BALANCE", default="1000.00"))
WALLET_TOP_UP_MAX = Decimal("10000.00")
# Escrow is split into this many wallets (by order id) so payments do not queue on one row.
ESCROW_SHARDS = env.int("ESCROW_SHARDS", default=16)
PARCEL_SHIP_DAYS = env.int("PARCEL_SHIP_DAYS", default=7)
PARCEL_CONFIRM_DAYS = env.int("PARCEL_CONFIRM_DAYS", default=14)

# --- Auth ---

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out client before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Lock the (username, address) pair: one attacker cannot lock a victim out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler" if REDIS_URL else "axes.handlers.database.AxesDatabaseHandler"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- API ---

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "shop.common.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "shop.common.schema.BazaarAutoSchema",
    "EXCEPTION_HANDLER": "shop.common.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("AUTH_THROTTLE_RATE", default="20/min"),
        "top_up": env.str("TOP_UP_THROTTLE_RATE", default="60/min"),
        # Messages between people, API and page alike (issue 15: rate-limited).
        "messages": env.str("MESSAGE_THROTTLE_RATE", default="20/min"),
        # Reports to the moderators, API and page alike: each target once, and not a flood.
        "reports": env.str("REPORT_THROTTLE_RATE", default="10/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Bazaar API",
    "DESCRIPTION": "Sell your items, buy other people's, pay with wallet credits.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package: the machines have no CDN access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two "status" choice sets (an item's, and the ones a seller may set): name the full
    # one, so the schema is stable and `check --deploy` has no warning (drf_spectacular.W001).
    "ENUM_NAME_OVERRIDES": {"ItemStatusEnum": "catalogue.models.Item.Status"},
}

# --- Static and media ---

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
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
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Bazaar <noreply@bazaar.example>")
# The shop's public address, prefixed to the links in e-mails (empty: relative links).
SITE_URL = env.str("SITE_URL", default="")

# --- Internationalisation ---

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security (production: DJANGO_DEBUG=false) ---

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp), on in every profile so the tests and the browser
# tests see what production sends. No inline scripts anywhere (page scripts live in
# static/js); inline styles stay allowed for htmx's indicator style and Swagger UI.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logging ---

# One JSON object per line on stdout in production (one line per request and per task,
# each with request_id and user_id: shop/observability), plain text while developing.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "shop.observability.logging.ContextFilter"}},
    "formatters": {
        "json": {"()": "shop.observability.logging.JsonFormatter"},
        "text": {"()": "shop.observability.logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Only through the root handler, so each record is written once, in our format.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # shop.task writes the one line per task (state, duration, request id); Celery's
        # own "received" / "succeeded" lines would double it. Failures still log here.
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
    },
}

# --- Observability ---

# /metrics: django-prometheus's view. With PROMETHEUS_MULTIPROC_DIR set (gunicorn with
# several workers, prefork Celery) it aggregates every process's files.
# Database metrics (queries, errors, connections): django-prometheus's drop-in wrapper of
# the same backend. Not its cache wrappers: the Redis one needs django-redis, and the
# locmem one returns the default for any falsy cached value.
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)
# Behind a load balancer Prometheus scrapes each container by its IP (DNS service
# discovery), which Host validation would refuse: let each process accept its own IP.
if env.bool("DJANGO_ALLOW_OWN_IP", default=False):
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, socket.gethostbyname(socket.gethostname())]
