"""Frontline settings: everything that differs between machines comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

from frontline.core import secret_key

django_stubs_ext.monkeypatch()  # lets ModelAdmin[Model] and QuerySet[Model] work at run time

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("FRONTLINE_DATA_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _env_bool("FRONTLINE_DEBUG", False)
SECRET_KEY = os.environ.get("FRONTLINE_SECRET_KEY", "")
#: Where the key came from when FRONTLINE_SECRET_KEY is unset: a random key kept in the data
#: directory, shared by every process on it (docs/security.md). Never a key written in the source.
FRONTLINE_SECRET_KEY_FILE = (
    "" if SECRET_KEY else os.environ.get("FRONTLINE_SECRET_KEY_FILE", str(DATA_DIR / "secret_key"))
)
if not SECRET_KEY:
    if not DEBUG and _env_bool("FRONTLINE_REQUIRE_SECRET", False):
        raise RuntimeError("FRONTLINE_SECRET_KEY must be set")
    SECRET_KEY = secret_key.load_or_create(Path(FRONTLINE_SECRET_KEY_FILE))
#: Earlier keys, comma-separated, still accepted while their signatures age out (key rotation).
SECRET_KEY_FALLBACKS = _env_list("FRONTLINE_SECRET_KEY_FALLBACKS", "")
#: Fernet keys for secrets stored in the database (provider tokens, passwords), comma-separated, the
#: newest first; unset: keys derived from SECRET_KEY and its fallbacks (docs/security.md).
FRONTLINE_ENCRYPTION_KEYS = _env_list("FRONTLINE_ENCRYPTION_KEY", "")
ALLOWED_HOSTS = _env_list("FRONTLINE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = _env_list("FRONTLINE_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "frontline.desk.apps.FrontlineAdminConfig",  # django.contrib.admin, signed in through the desk
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs page's assets from the package, not a CDN
    "channels",
    "huey.contrib.djhuey",
    "django_otp",  # staff second factor (desk sign-in)
    "django_otp.plugins.otp_totp",
    "frontline.security",
    "frontline.events",
    "frontline.accounts",
    "frontline.notifications",
    "frontline.customers",
    "frontline.plans",
    "frontline.tickets",
    "frontline.sla",
    "frontline.scripts",
    "frontline.routing",
    "frontline.webhooks",
    "frontline.connectors.email",
    "frontline.connectors.messaging",
    "frontline.connectors.voice",
    "frontline.connectors.webchat",
    "frontline.escalations",
    "frontline.rules",
    "frontline.remedies",
    "frontline.feedback",
    "frontline.knowledge",
    "frontline.api",
    "frontline.desk",
    "frontline.portal",
    "frontline.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "frontline.urls"
ASGI_APPLICATION = "frontline.asgi.application"
WSGI_APPLICATION = "frontline.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

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
            ],
        },
    },
]

# --- Database: SQLite in WAL mode by default, anything dj-database-url understands otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Connections come from a pool per process (psycopg_pool): kept connections (CONN_MAX_AGE) broke
    # under the ASGI server, and opening one per request cost more than many requests themselves.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": int(os.environ.get("FRONTLINE_DB_POOL_SIZE", "10")),
            "timeout": 30,
        }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("FRONTLINE_SQLITE_PATH", str(DATA_DIR / "frontline.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of deadlocking.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-65536;"
                    "PRAGMA mmap_size=268435456;"
                    "PRAGMA temp_store=MEMORY;"
                ),
            },
            # Keep the connection: opening one (and its PRAGMAs) per request cost more than the request.
            "CONN_MAX_AGE": None,
            "TEST": {"NAME": os.environ.get("FRONTLINE_TEST_SQLITE_PATH", "")},
        }
    }
    if not DATABASES["default"]["TEST"]["NAME"]:
        del DATABASES["default"]["TEST"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: task queue, realtime fan-out and cache when REDIS_URL is set; embedded defaults otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("FRONTLINE_QUEUE_NAME", "frontline"),
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {
            "workers": int(os.environ.get("FRONTLINE_WORKER_THREADS", "4")),
            "worker_type": "thread",
        },
    }
    CHANNEL_LAYERS = {
        # Pub/sub: a group message is one PUBLISH, pushed to the processes that listen. The list-based
        # RedisChannelLayer costs four round trips and a Lua script per group message; it kept chat
        # latency at 1,000 widgets above 100 ms (bench/README.md "Chat"). What a socket misses while
        # it is away, the chat fills in from the database by line number.
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    # Rate limits and other counters must be shared by every web process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "frontline",
        }
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "frontline",
        "filename": os.environ.get("FRONTLINE_QUEUE_PATH", str(DATA_DIR / "queue.sqlite3")),
        "immediate": _env_bool("FRONTLINE_TASKS_IMMEDIATE", False),
        "consumer": {
            "workers": int(os.environ.get("FRONTLINE_WORKER_THREADS", "2")),
            "worker_type": "thread",
        },
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Files
MEDIA_ROOT = os.environ.get("FRONTLINE_MEDIA_ROOT", str(DATA_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("FRONTLINE_STATIC_ROOT", str(DATA_DIR / "static"))
# Static files (admin, API docs) are served by the web process itself (see asgi.py), straight from
# the installed packages; a proxy in front may serve STATIC_URL from `frontline collectstatic` instead.
FRONTLINE_ATTACHMENT_MAX_BYTES = int(os.environ.get("FRONTLINE_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FRONTLINE_REQUEST_MAX_BYTES", str(2 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Auth and security
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool(
    "FRONTLINE_SECURE_COOKIES", not DEBUG and bool(os.environ.get("FRONTLINE_HTTPS"))
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if os.environ.get("FRONTLINE_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000

# --- Locale
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fil", "Filipino"), ("zh-hans", "简体中文")]
TIME_ZONE = os.environ.get("FRONTLINE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Frontline
FRONTLINE_DEFAULT_COUNTRY_CODE = os.environ.get("FRONTLINE_DEFAULT_COUNTRY_CODE", "")
#: The domain of the Message-IDs Frontline writes (and recognises as its own).
FRONTLINE_EMAIL_DOMAIN = os.environ.get("FRONTLINE_EMAIL_DOMAIN", "frontline.localhost")

# --- Outgoing mail (replies and notifications)
EMAIL_BACKEND = os.environ.get("FRONTLINE_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("FRONTLINE_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("FRONTLINE_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("FRONTLINE_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("FRONTLINE_SMTP_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("FRONTLINE_SMTP_STARTTLS", False)
EMAIL_USE_SSL = _env_bool("FRONTLINE_SMTP_SSL", False)
EMAIL_TIMEOUT = 30
#: Sender of staff notifications (escalations, pages); ticket replies use their mailbox's address.
DEFAULT_FROM_EMAIL = os.environ.get(
    "FRONTLINE_NOTIFY_FROM", f"Frontline <frontline@{FRONTLINE_EMAIL_DOMAIN}>"
)
#: Where people reach this installation; used in links inside notification emails.
FRONTLINE_BASE_URL = os.environ.get("FRONTLINE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FRONTLINE_LOG_LEVEL", "WARNING")},
    # The task worker prints through its own handler.
    "loggers": {"huey": {"level": "INFO", "propagate": False}},
}

# --- Rules
#: A ticket may have this many matched rule runs within the window; the next is capped (stops loops).
FRONTLINE_RULES_RUN_CAP = int(os.environ.get("FRONTLINE_RULES_RUN_CAP", "20"))
FRONTLINE_RULES_RUN_WINDOW_SECONDS = int(os.environ.get("FRONTLINE_RULES_RUN_WINDOW_SECONDS", "600"))

# --- Outbound webhooks (frontline/webhooks; docs/webhooks.md)
#: Hosts and networks webhooks may reach although they are not public (on-premise targets):
#: comma-separated host names (exact) and addresses or CIDRs, e.g. "hooks.corp.example,10.20.0.0/16".
FRONTLINE_WEBHOOK_ALLOWLIST = [
    entry.strip() for entry in os.environ.get("FRONTLINE_WEBHOOK_ALLOWLIST", "").split(",") if entry.strip()
]
#: Attempts per delivery (the first plus retries) before it is dead.
FRONTLINE_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("FRONTLINE_WEBHOOK_MAX_ATTEMPTS", "8"))
#: Dead deliveries in a row after which a subscription is disabled.
FRONTLINE_WEBHOOK_DISABLE_AFTER = int(os.environ.get("FRONTLINE_WEBHOOK_DISABLE_AFTER", "5"))

# --- Contact center
#: Agents whose every desk tab stops sending heartbeats become "not ready (away)" after this.
FRONTLINE_PRESENCE_TIMEOUT_SECONDS = int(os.environ.get("FRONTLINE_PRESENCE_TIMEOUT_SECONDS", "90"))

# --- Help center
#: An article missing in the visitor's language: show the default language ("fallback") or hide it.
FRONTLINE_HELP_FALLBACK = os.environ.get("FRONTLINE_HELP_FALLBACK", "fallback")

# --- Web chat (frontline/connectors/webchat)
#: Seconds a waiting chat may go unanswered before the widget offers a message or a callback.
FRONTLINE_CHAT_ACCEPT_SECONDS = int(os.environ.get("FRONTLINE_CHAT_ACCEPT_SECONDS", "60"))
#: Per widget socket, (burst, per second): chat messages, and frames of any kind (typing, reads).
FRONTLINE_CHAT_MESSAGE_RATE = (5, 1.0)
FRONTLINE_CHAT_FRAME_RATE = (40, 10.0)
#: How long a link to an agent's file, sent into a chat, lets the customer download it.
FRONTLINE_CHAT_ATTACHMENT_LINK_SECONDS = int(
    os.environ.get("FRONTLINE_CHAT_ATTACHMENT_LINK_SECONDS", "86400")
)

# --- Agent desk (frontline/desk; docs/desk.md)
LOGIN_URL = "/desk/login/"
OTP_TOTP_ISSUER = "Frontline"  # the name authenticator apps show for the desk's second factor
#: htmx, installed from the npm registry by `make install` (package.json), served as /static/htmx/.
STATICFILES_DIRS = [("htmx", str(BASE_DIR / "node_modules" / "htmx.org" / "dist"))]
#: The desk's design system (docs/adr/0003-desk-design-system.md), from the npm registry like htmx.
STATICFILES_DIRS += [
    ("bootstrap", str(BASE_DIR / "node_modules" / "bootstrap" / "dist")),
    ("bootstrap-icons", str(BASE_DIR / "node_modules" / "bootstrap-icons" / "font")),
]
