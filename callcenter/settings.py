"""Settings for the call center dashboard, all read from the environment (django-environ).

Every variable is documented in `.env.example` and in the README's configuration table.
The defaults give the embedded setup: SQLite + django-q2 ORM broker + sandbox provider.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG=False (the dev default is public)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where providers reach this site (webhook URLs). Unset: pages use the address they were
# served on, and tasks and commands the dev default http://127.0.0.1:8000.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_q",
    "callcenter",
    "contacts",
    "telephony",
    "campaigns",
]

MIDDLEWARE = [
    "callcenter.web.middleware.ProxyHeadersMiddleware",  # first: drops untrusted X-Forwarded-*
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "callcenter.web.middleware.IdleSessionRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "callcenter.urls"
WSGI_APPLICATION = "callcenter.wsgi.application"
ASGI_APPLICATION = "callcenter.asgi.application"

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
                "callcenter.web.context.navigation",
            ],
        },
    }
]

# --- Database ----------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'callcenter.sqlite3'}")
}
_db = DATABASES["default"]
_db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
_db["CONN_HEALTH_CHECKS"] = True
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on the busy timeout instead of failing with "database is locked"
    # when a read transaction tries to upgrade.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    # One test database file per process, so two test runs on one machine never collide.
    _db.setdefault("TEST", {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")})
IS_SQLITE = _db["ENGINE"] == "django.db.backends.sqlite3"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue (django-q2) ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
Q_CLUSTER = {
    # One name per deployment; a test or bench gives its own so queues never mix.
    "name": env.str("Q_CLUSTER_NAME", default="callcenter"),
    "workers": env.int("Q_WORKERS", default=4),
    # A task taking longer than `timeout` is killed; the broker redelivers it after `retry`.
    # timeout < retry so a slow task is never redelivered while it still runs.
    "timeout": 90,
    "retry": 120,
    "max_attempts": 3,
    "recycle": 5000,
    "save_limit": 1000,
    "ack_failures": True,
    "catch_up": False,
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Auth --------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- i18n / time -------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development whitenoise serves straight from the app folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Product settings ----------------------------------------------------------------------
# Provider credentials are encrypted with the first key; every key decrypts (rotation).
CREDENTIALS_KEYS = env.list("CREDENTIALS_KEYS", default=[SECRET_KEY])
# The sandbox provider's outcome mix is seeded so demos and tests are reproducible.
SANDBOX_SEED = env.int("SANDBOX_SEED", default=7)
# Multiplies the sandbox's simulated durations (0.2 = five times faster).
SANDBOX_SPEED = env.float("SANDBOX_SPEED", default=1.0)
WEBHOOK_MAX_BODY_BYTES = 1024 * 1024
# "queued": a webhook request stores and acknowledges; a worker applies in batches (the
# throughput setting, needs `qcluster`). "inline": applied in the request, no worker needed.
WEBHOOK_APPLY = env.str("WEBHOOK_APPLY", default="queued")
if WEBHOOK_APPLY not in ("queued", "inline"):
    raise ImproperlyConfigured("WEBHOOK_APPLY must be 'queued' or 'inline'")
# Campaigns: the law's calling hours in the contact's own time ("HH:MM"; "24:00" = midnight).
# No campaign window can widen them.
CAMPAIGN_COMPLIANCE_WINDOW_START = env.str("CAMPAIGN_COMPLIANCE_WINDOW_START", default="09:00")
CAMPAIGN_COMPLIANCE_WINDOW_END = env.str("CAMPAIGN_COMPLIANCE_WINDOW_END", default="21:00")
# The same hours bind an agent's click-to-call. True lets an agent call outside them after
# an explicit confirm, each such call audited. A deployment setting rather than a switch
# on a page: it waives a legal safeguard, so it changes with the operator's configuration.
CALLS_MANUAL_OUTSIDE_HOURS = env.bool("CALLS_MANUAL_OUTSIDE_HOURS", default=False)
# Attempts one phone number may ever get, across every campaign (0 = no cap).
CAMPAIGN_LIFETIME_ATTEMPT_CAP = env.int("CAMPAIGN_LIFETIME_ATTEMPT_CAP", default=10)
# Minutes that must pass between two campaign calls to one number, whatever the campaigns.
CAMPAIGN_MIN_RECALL_GAP_MINUTES = env.int("CAMPAIGN_MIN_RECALL_GAP_MINUTES", default=30)
# Seconds a claimed entry may stay unplaced before reconciliation looks at it.
CAMPAIGN_DIAL_LEASE_SECONDS = env.int("CAMPAIGN_DIAL_LEASE_SECONDS", default=120)
# Seconds the engine's lease lasts without renewal (a killed engine blocks no longer).
CAMPAIGN_ENGINE_LEASE_SECONDS = env.int("CAMPAIGN_ENGINE_LEASE_SECONDS", default=30)
WEBHOOK_TIMESTAMP_TOLERANCE = env.int("WEBHOOK_TIMESTAMP_TOLERANCE", default=300)
# A live screen's event stream ends after this many seconds and the browser reconnects: each
# reconnection is a new request, so an ended session or a disabled agent is refused then.
LIVE_STREAM_SECONDS = env.int("LIVE_STREAM_SECONDS", default=300)
# A provider account's base URL (our credentials go there) may be a loopback, private or
# link-local address only when this is set: the development fakes on 127.0.0.1 and tests.
PROVIDER_ALLOW_PRIVATE_URLS = env.bool("PROVIDER_ALLOW_PRIVATE_URLS", default=DEBUG)
# Events for a call id we do not know wait this many hours to match (0 = the event
# retention), and at most this many per account wait at once (the oldest go first).
WEBHOOK_UNMATCHED_HOURS = env.int("WEBHOOK_UNMATCHED_HOURS", default=24)
WEBHOOK_UNMATCHED_MAX_PER_ACCOUNT = env.int("WEBHOOK_UNMATCHED_MAX_PER_ACCOUNT", default=1000)

# --- Retention and privacy -------------------------------------------------------------------
# Days to keep finished calls (with their events and recordings), raw webhook events, and
# recording files; 0 keeps them for ever. `manage.py purge_data` and an hourly schedule purge.
RETENTION_CALL_DAYS = env.int("RETENTION_CALL_DAYS", default=0)
RETENTION_EVENT_DAYS = env.int("RETENTION_EVENT_DAYS", default=90)
RETENTION_RECORDING_DAYS = env.int("RETENTION_RECORDING_DAYS", default=0)
# Key of the hash that keeps an erased contact's number un-callable. Changing it makes every
# erased number callable again, so it defaults to SECRET_KEY only for the embedded setup.
ERASURE_HASH_KEY = env.str("ERASURE_HASH_KEY", default="") or SECRET_KEY

# --- Security ------------------------------------------------------------------------------
# Proxies in front of gunicorn. X-Forwarded-For and X-Forwarded-Proto are believed only from
# a peer in TRUSTED_PROXY_ADDRESSES, and only when TRUSTED_PROXY_COUNT > 0; the client
# address is then the TRUSTED_PROXY_COUNT-th X-Forwarded-For entry from the right.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_ADDRESSES = env.list("TRUSTED_PROXY_ADDRESSES", default=["127.0.0.1", "::1"])
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
# Django's built-in Content-Security-Policy: only our own scripts and styles (no inline
# code anywhere in the templates), media and images from ourselves.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "media-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}
