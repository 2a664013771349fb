"""Parley settings, read from the environment (see the configuration table in README.md)."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from server.env import env_bool, env_int, env_list

# Lets admin classes be subscripted (ModelAdmin[Site]) for mypy at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", False)
_DEV_SECRET_KEY = "parley-insecure-development-key-change-me"  # noqa: S105 - only used when DEBUG is on
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a development key).")
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
# Visitor tokens' own signing key, optional: when set, visitor tokens rotate apart from SECRET_KEY (which
# signs agent sessions), with their own fallbacks; when empty they use SECRET_KEY and its fallbacks.
PARLEY_VISITOR_TOKEN_KEY = os.environ.get("PARLEY_VISITOR_TOKEN_KEY", "")
PARLEY_VISITOR_TOKEN_KEY_FALLBACKS = env_list("PARLEY_VISITOR_TOKEN_KEY_FALLBACKS", [])

# Where browsers reach this server: used in the embed code and to trust the console's origin.
PARLEY_PUBLIC_URL = os.environ.get("PARLEY_PUBLIC_URL", "http://localhost:8000").rstrip("/")
_public = urlsplit(PARLEY_PUBLIC_URL)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", _public.hostname or "localhost"]
)
_public_origins = [f"{_public.scheme}://{_public.netloc}"]
if _public.hostname in {"localhost", "127.0.0.1"}:
    # A local server is opened as either name; both are this server (cookies do not tell them apart either).
    _port = f":{_public.port}" if _public.port else ""
    _public_origins = [f"{_public.scheme}://{host}{_port}" for host in ("localhost", "127.0.0.1")]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", _public_origins)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "channels",
    "axes",
    # Before allauth: its templates in Parley's look (server/accounts/templates/) win over allauth's own.
    "server.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "server.sites",
    "server.conversations",
    "server.realtime",
    "server.widget_api",
    "server.console",
    "server.agents",
    "server.demo",
    "server.owner",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "server.widget_api.cors.WidgetSiteOriginsMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "server.urls"
ASGI_APPLICATION = "server.asgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'parley.sqlite3'}"),
        # Reused connections: opening one per database call (and SQLite's checkpoint on each close) cost
        # more than the queries themselves.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
    )
}
# WAL lets the console read while a message is written; the timeout rides out short write locks.
# Transactions begin IMMEDIATE, taking the write lock up front: HTTP views and sockets write from two
# threads, and a transaction that read before the other thread's commit would otherwise fail at once with
# "database is locked" when it came to write, instead of waiting (a visitor's first message, say, next to
# another's session request).
SQLITE_OPTIONS: dict[str, Any] = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # The hand-written statements of each message and handshake (server/conversations/store/) bind on the
    # server, so psycopg prepares them and PostgreSQL plans each once per connection (docs/decisions/0023).
    # The ORM's own queries bind on the client and are never prepared. Turn this off behind a pooler
    # that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The built browser code (`npm run build` in frontend/): the agent console at static/console/.
STATICFILES_DIRS = [("console", BASE_DIR / "frontend" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "agent_console:login"
LOGIN_REDIRECT_URL = "agent_console:console"
LOGOUT_REDIRECT_URL = "agent_console:login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _public.scheme == "https"
CSRF_COOKIE_SECURE = _public.scheme == "https"
CSRF_COOKIE_HTTPONLY = True  # the console reads the token from its form, never from the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Production hardening and login throttling (docs/deploy.md, docs/security.md) ---
# HSTS once Parley is served over https: browsers then refuse plain http to this host for that long.
SECURE_HSTS_SECONDS = env_int("PARLEY_HSTS_SECONDS", 365 * 24 * 3600) if _public.scheme == "https" else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PARLEY_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("PARLEY_HSTS_PRELOAD", False)
# The header a TLS-terminating proxy sets to "https" (e.g. X-Forwarded-Proto); only behind a proxy that
# always sets it, since a client could otherwise claim https itself.
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# Every console page and the admin: nothing inline, nothing from elsewhere, never framed. The widget's
# scripts and API are embedded by other sites' pages, where a policy on them means nothing.
_socket_origins = [
    origin.lower().replace("http", "ws", 1) for origin in CSRF_TRUSTED_ORIGINS if origin.startswith("http")
]
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/widget/", "/widget.js", "/widget/", "/healthz", "/readyz"],
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF, *_socket_origins],
        "manifest-src": [SELF],
        # The console's service worker (/console/sw.js) shows Web Push notifications.
        "worker-src": [SELF],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# django-axes: failed logins (console and admin) counted per username and client IP in the database,
# shared by every process.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, plus logging in by email address (docs/accounts.md).
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Failed logins of one username from one IP before it is locked out.
PARLEY_LOGIN_FAILURE_LIMIT = env_int("PARLEY_LOGIN_FAILURE_LIMIT", 5)
# Minutes a locked-out username and IP wait before they may try again.
PARLEY_LOGIN_COOLOFF_MINUTES = env_int("PARLEY_LOGIN_COOLOFF_MINUTES", 15)
AXES_FAILURE_LIMIT = PARLEY_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=PARLEY_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "server.limits.client_ip.request_client_address"
AXES_LOCKOUT_CALLABLE = "server.console.views.locked_out"
# allauth's login takes a username or an email address: both count against the account's one lockout.
AXES_USERNAME_CALLABLE = "server.accounts.lockout.login_username"
AXES_ALLOWED_CORS_ORIGINS = CSRF_TRUSTED_ORIGINS[0] if CSRF_TRUSTED_ORIGINS else "null"

# --- Accounts (django-allauth; docs/accounts.md) ---
# Sign-up with an email address and a password; log-in with the username or the email address.
ACCOUNT_ADAPTER = "server.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Sessions last as before (SESSION_COOKIE_AGE): no "remember me" box.
ACCOUNT_SESSION_REMEMBER = True
# Days a verification link is valid.
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int("PARLEY_EMAIL_CONFIRMATION_DAYS", 3)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Parley] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = _public.scheme
# A new owner lands on the owner pages: after sign-up and verification in that browser, after verifying
# while logged in, and after logging in from a verification link opened elsewhere.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_REDIRECT_URL = "/owner/"
ACCOUNT_EMAIL_CONFIRMATION_AUTHENTICATED_REDIRECT_URL = "/owner/"
ACCOUNT_EMAIL_CONFIRMATION_ANONYMOUS_REDIRECT_URL = "/console/login/?next=/owner/"
# allauth's own limits (its format: N/period/ip|key|user), counted in CACHES (Redis when REDIS_URL is set,
# so that they hold across processes). django-axes locks one username on one IP after
# PARLEY_LOGIN_FAILURE_LIMIT failures; allauth adds a cap on failures per IP whatever the username.
ACCOUNT_RATE_LIMITS = {
    "login": os.environ.get("PARLEY_ACCOUNT_LOGIN_RATE", "30/m/ip"),
    "login_failed": os.environ.get("PARLEY_ACCOUNT_LOGIN_FAILED_RATE", "10/m/ip"),
    "signup": os.environ.get("PARLEY_ACCOUNT_SIGNUP_RATE", "20/m/ip"),
}
# Two-factor: TOTP apps and single-use recovery codes (no WebAuthn).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("PARLEY_TOTP_ISSUER", "Parley")

# --- Email (docs/accounts.md, docs/offline.md): SMTP once EMAIL_HOST is set; until then every email is
# printed by the console backend (development, a demo). EMAIL_BACKEND, when set, wins.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Seconds an SMTP connection may take: a slow mail server never holds a request or the worker for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"Parley <parley@{_public.hostname}>")

# The cache allauth's rate limits count in: Redis when REDIS_URL is set (one count for every process; the
# first address of a sharded REDIS_URL), this process's memory otherwise (and behind a Sentinel REDIS_URL).
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "parley"}
}
_cache_redis_url = os.environ.get("REDIS_URL", "")
if _cache_redis_url and not _cache_redis_url.startswith("sentinel://"):
    CACHES["default"] = {
        # Django's RedisCache, answering like an empty cache while Redis is down (logins go on).
        "BACKEND": "server.limits.cache.FailOpenRedisCache",
        "LOCATION": _cache_redis_url.split(",")[0].strip(),
        "KEY_PREFIX": os.environ.get("PARLEY_CHANNEL_PREFIX", "parley"),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }

# CORS: no origin is allowed globally; server.widget_api.cors allows a site's own origins per request.
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_URLS_REGEX = r"^/api/widget/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 600

REDIS_URL = os.environ.get("REDIS_URL", "")
CHANNEL_CAPACITY = env_int("PARLEY_CHANNEL_CAPACITY", 1000)
CHANNEL_EXPIRY = env_int("PARLEY_CHANNEL_EXPIRY", 60)
CHANNEL_LAYER_BACKENDS = {
    "redis-pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "redis": "channels_redis.core.RedisChannelLayer",
}


def redis_hosts(url: str) -> list[dict[str, Any]]:
    """channels-redis host entries for REDIS_URL: one URL, several (sharded), or a Sentinel form.

    Sentinel form: `sentinel://host1:26379,host2:26379/master-name[/db]`.
    """
    pool = {
        # redis-py's default pool of 100 raises MaxConnectionsError under bursts of connects.
        "max_connections": env_int("PARLEY_REDIS_MAX_CONNECTIONS", 1000),
        "socket_connect_timeout": env_int("PARLEY_REDIS_CONNECT_TIMEOUT", 2),
        # Above RedisChannelLayer's 5 s blocking read (BZPOPMIN): redis-py's default of 5 s races it.
        "socket_timeout": env_int("PARLEY_REDIS_SOCKET_TIMEOUT", 15),
        "health_check_interval": env_int("PARLEY_REDIS_HEALTH_CHECK_INTERVAL", 15),
        "retry_on_timeout": True,
    }
    if url.startswith("sentinel://"):
        netloc, _, path = url[len("sentinel://") :].partition("/")
        master_name, _, db = path.partition("/")
        if not master_name:
            raise ImproperlyConfigured(
                "A Sentinel REDIS_URL names its master: sentinel://h1:26379,h2:26379/mymaster"
            )
        sentinels = []
        for hostport in netloc.split(","):
            host, _, port = hostport.rpartition(":")
            sentinels.append((host, int(port or 26379)))
        return [{"master_name": master_name, "sentinels": sentinels, "db": int(db or 0), **pool}]
    return [{"address": address.strip(), **pool} for address in url.split(",") if address.strip()]


CHANNEL_LAYERS: dict[str, dict[str, Any]]
if REDIS_URL:
    _layer = os.environ.get("PARLEY_CHANNEL_LAYER", "redis-pubsub")
    if _layer not in CHANNEL_LAYER_BACKENDS:
        raise ImproperlyConfigured(f"PARLEY_CHANNEL_LAYER must be one of {sorted(CHANNEL_LAYER_BACKENDS)}")
    CHANNEL_LAYERS = {
        "default": {
            # Wrapped so that a Redis outage degrades fan-out instead of breaking sockets (see layers.py).
            "BACKEND": "server.realtime.layers.ResilientChannelLayer",
            "CONFIG": {
                "inner_backend": CHANNEL_LAYER_BACKENDS[_layer],
                "probe_interval": float(os.environ.get("PARLEY_LAYER_PROBE_INTERVAL", "1")),
                "hosts": redis_hosts(REDIS_URL),
                "prefix": os.environ.get("PARLEY_CHANNEL_PREFIX", "parley"),
                # Only RedisChannelLayer reads these; the pub/sub layer queues in process memory.
                "capacity": CHANNEL_CAPACITY,
                "expiry": CHANNEL_EXPIRY,
                "group_expiry": env_int("PARLEY_CHANNEL_GROUP_EXPIRY", 86400),
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            # The stock InMemoryChannelLayer sweeps all queues and groups on every group_send and receive.
            "BACKEND": "server.realtime.layers.ProcessChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY, "expiry": CHANNEL_EXPIRY},
        }
    }

# Product limits: every one of them is an explicit, documented setting.
PARLEY_MESSAGE_MAX_LENGTH = env_int("PARLEY_MESSAGE_MAX_LENGTH", 4000)
PARLEY_FRAME_MAX_BYTES = env_int("PARLEY_FRAME_MAX_BYTES", 16384)
PARLEY_HTTP_BODY_MAX_BYTES = env_int("PARLEY_HTTP_BODY_MAX_BYTES", 8192)
PARLEY_HELLO_TIMEOUT = env_int("PARLEY_HELLO_TIMEOUT", 10)
# Allocations between two young-generation collections (Python's default is 700). Serving processes also
# freeze what they loaded at startup out of the collector's sight (server/serve.py).
PARLEY_GC_YOUNG_THRESHOLD = env_int("PARLEY_GC_YOUNG_THRESHOLD", 10_000)
PARLEY_FRAME_RATE = env_int("PARLEY_FRAME_RATE", 5)
PARLEY_FRAME_BURST = env_int("PARLEY_FRAME_BURST", 20)
PARLEY_VISITOR_TOKEN_MAX_AGE = env_int("PARLEY_VISITOR_TOKEN_MAX_AGE", 30 * 24 * 3600)
PARLEY_HISTORY_LIMIT = env_int("PARLEY_HISTORY_LIMIT", 500)
PARLEY_HISTORY_MAX_BYTES = env_int("PARLEY_HISTORY_MAX_BYTES", 256 * 1024)
# Inbox rows per page: `ready.inbox` (the first page of "open") and each `inbox.page`.
PARLEY_INBOX_PAGE_SIZE = env_int("PARLEY_INBOX_PAGE_SIZE", 50)
# Each inbox view is counted up to this many conversations (shown as "1000+" beyond), so the counts cost the
# same however much history a site keeps.
PARLEY_INBOX_COUNT_LIMIT = env_int("PARLEY_INBOX_COUNT_LIMIT", 1000)
# `inbox.query` frames per second per agent socket, and the burst allowed (a search reads an index of every
# message), on top of PARLEY_FRAME_RATE.
PARLEY_INBOX_QUERY_RATE = env_int("PARLEY_INBOX_QUERY_RATE", 2)
PARLEY_INBOX_QUERY_BURST = env_int("PARLEY_INBOX_QUERY_BURST", 10)
PARLEY_AGENT_OPEN_CONVERSATIONS_MAX = env_int("PARLEY_AGENT_OPEN_CONVERSATIONS_MAX", 20)
PARLEY_SITE_CACHE_SECONDS = env_int("PARLEY_SITE_CACHE_SECONDS", 30)
# The installation check (server/sites/installation.py): each process notes a (site, page origin) at most
# once per this many seconds, and a site keeps this many refused origins, the most recent.
# Identity verification (docs/identity.md): how long a rotated-out secret is still accepted, and the clock
# skew allowed on a JWT's `exp`.
PARLEY_IDENTITY_SECRET_OVERLAP_SECONDS = env_int("PARLEY_IDENTITY_SECRET_OVERLAP_SECONDS", 86_400)
PARLEY_IDENTITY_JWT_LEEWAY_SECONDS = env_int("PARLEY_IDENTITY_JWT_LEEWAY_SECONDS", 30)
PARLEY_SITE_ORIGINS_MAX = env_int("PARLEY_SITE_ORIGINS_MAX", 100)
PARLEY_ORIGIN_SIGHTING_SECONDS = env_int("PARLEY_ORIGIN_SIGHTING_SECONDS", 60)
PARLEY_REFUSED_ORIGINS_KEPT = env_int("PARLEY_REFUSED_ORIGINS_KEPT", 20)
# Conversation lifecycle (docs/protocol.md, "Conversation lifecycle"). Seconds after a resolve during which
# a visitor's message reopens the conversation; later, it starts a new one.
PARLEY_REOPEN_WINDOW = env_int("PARLEY_REOPEN_WINDOW", 7 * 24 * 3600)
# Agent-only activity lines (assignments, notes) `conversation.opened` carries: the newest this many.
PARLEY_ACTIVITY_LIMIT = env_int("PARLEY_ACTIVITY_LIMIT", 200)
# Transport guards (server/transport/, in force under `python -m server.serve`; docs/transport.md).
# Bytes a socket may hold written but not yet taken by the kernel before it is closed 4008 (slow reader).
PARLEY_SOCKET_BUFFER_MAX_BYTES = env_int("PARLEY_SOCKET_BUFFER_MAX_BYTES", 1024 * 1024)
# Seconds a socket's unsent bytes may wait with none of them taken before it is closed 4008; shorter than
# the keepalive (ping every 20 s, 30 s to answer) so that a reader that stopped is found first.
PARLEY_SOCKET_STALL_SECONDS = env_int("PARLEY_SOCKET_STALL_SECONDS", 15)
# Frames read from a socket and not yet taken by its consumer; past it the server stops reading that socket.
PARLEY_SOCKET_INCOMING_FRAMES_MAX = env_int("PARLEY_SOCKET_INCOMING_FRAMES_MAX", 64)
# A frame over this is refused with close 1009; between PARLEY_FRAME_MAX_BYTES and it, `frame_too_large`.
PARLEY_FRAME_HARD_MAX_BYTES = env_int("PARLEY_FRAME_HARD_MAX_BYTES", 8 * PARLEY_FRAME_MAX_BYTES)
# Request bodies outside the widget API (console, admin): refused with 413 before they are read, and
# Django's own limit on what it reads agrees.
PARLEY_REQUEST_BODY_MAX_BYTES = env_int("PARLEY_REQUEST_BODY_MAX_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = PARLEY_REQUEST_BODY_MAX_BYTES
# The built frontend (`make frontend`): widget.js, panel.js, console.js and their sizes.
PARLEY_FRONTEND_DIST = Path(os.environ.get("PARLEY_FRONTEND_DIST", BASE_DIR / "frontend" / "dist"))
# At most this many visitor sends are stored in one transaction (server/realtime/batching.py).
PARLEY_SEND_BATCH_MAX = env_int("PARLEY_SEND_BATCH_MAX", 32)
# On PostgreSQL, a batch's one statement runs on the event loop's own connection instead of the database
# thread's (server/conversations/store/loop_db.py): one more connection per process, no thread hop per
# message.
PARLEY_SEND_ON_EVENT_LOOP = env_bool("PARLEY_SEND_ON_EVENT_LOOP", True)
# At most this many connections the event loop's statements hold at once (a pool per loop, loop_db.py):
# it keeps one, and opens more only while statements overlap.
PARLEY_LOOP_DB_POOL_MAX = env_int("PARLEY_LOOP_DB_POOL_MAX", 4)
# An open agent socket reads its session, its user's is_active and its sites again at most this often,
# a frame waits for that read, a relay starts it in the background (server/realtime/consumers/agent.py);
# signals close it at once anyway.
PARLEY_AGENT_ACCESS_RECHECK_SECONDS = env_int("PARLEY_AGENT_ACCESS_RECHECK_SECONDS", 5)
# Presence (server/realtime/presence.py): seconds an agent's console counts as connected without a heartbeat
# (each process refreshes its own every third of it), so a process that dies loses its agents this long after.
PARLEY_PRESENCE_TTL_SECONDS = env_int("PARLEY_PRESENCE_TTL_SECONDS", 30)
# How often each process looks for agents that expired in the sites it serves and announces the change.
PARLEY_PRESENCE_SWEEP_SECONDS = env_int("PARLEY_PRESENCE_SWEEP_SECONDS", 10)
# Who hands the domain events of stored changes to the sockets (server/conversations/events.py).
PARLEY_EVENT_PUBLISHER = "server.realtime.gateway.publish"

# Limits that hold across sockets and processes (server/limits/), counted in Redis when REDIS_URL is set.
# Each is "N/period" (second, minute, hour); an empty value turns it off. They are set for a botnet, not a
# person: one visitor's tab opens one socket per page load and sends a message every few seconds at most,
# and the per-IP figures leave room for an office or a carrier NAT whose people share one address.
# How many proxies append to X-Forwarded-For in front of Parley (0: the header is ignored; client_ip.py).
PARLEY_TRUSTED_PROXY_COUNT = env_int("PARLEY_TRUSTED_PROXY_COUNT", 0)
# After the limits' Redis fails, they allow everything (fail open) this long before trying it again.
PARLEY_LIMITS_RETRY_SECONDS = env_int("PARLEY_LIMITS_RETRY_SECONDS", 30)
# Visitor socket handshakes per IP: a page load is one; a whole office reloading at once stays below.
PARLEY_LIMIT_HANDSHAKES_PER_IP = os.environ.get("PARLEY_LIMIT_HANDSHAKES_PER_IP", "120/minute")
# Accepted hellos per visitor: its tabs and reconnects; a flapping network reconnects a few times a minute.
PARLEY_LIMIT_HELLOS_PER_VISITOR = os.environ.get("PARLEY_LIMIT_HELLOS_PER_VISITOR", "30/minute")
# Messages per visitor over all its sockets (behind each socket's PARLEY_FRAME_RATE): one every 2 s.
PARLEY_LIMIT_MESSAGES_PER_VISITOR = os.environ.get("PARLEY_LIMIT_MESSAGES_PER_VISITOR", "30/minute")
# Messages per IP, all its visitors together: several people of one office chatting at once.
PARLEY_LIMIT_MESSAGES_PER_IP = os.environ.get("PARLEY_LIMIT_MESSAGES_PER_IP", "120/minute")
# New visitors (a session without a valid token) per IP and per site; a real browser makes one, once.
PARLEY_LIMIT_NEW_VISITORS_PER_IP = os.environ.get("PARLEY_LIMIT_NEW_VISITORS_PER_IP", "30/minute")
PARLEY_LIMIT_NEW_VISITORS_PER_SITE = os.environ.get("PARLEY_LIMIT_NEW_VISITORS_PER_SITE", "3000/minute")
# New conversations per IP and per site: what keeps spam from filling the agents' inbox.
PARLEY_LIMIT_NEW_CONVERSATIONS_PER_IP = os.environ.get("PARLEY_LIMIT_NEW_CONVERSATIONS_PER_IP", "10/minute")
PARLEY_LIMIT_NEW_CONVERSATIONS_PER_SITE = os.environ.get(
    "PARLEY_LIMIT_NEW_CONVERSATIONS_PER_SITE", "300/minute"
)
# Widget API requests (config, session) per IP: two per page load.
PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP = os.environ.get("PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP", "300/minute")
# A visitor's `visitor.email` and `transcript.request` frames together (each can lead to mail being sent).
PARLEY_LIMIT_EMAIL_REQUESTS_PER_VISITOR = os.environ.get("PARLEY_LIMIT_EMAIL_REQUESTS_PER_VISITOR", "10/hour")

# --- Notifications (docs/notifications.md) ---
# Web Push's VAPID key pair: the private key (PEM, or its raw 32 bytes in base64url) and the public key
# browsers subscribe with (the uncompressed P-256 point in base64url). Web Push is off while either is
# empty. `make run` writes a pair into var/vapid/ once, read here when the environment sets none.
_vapid_dir = BASE_DIR / "var" / "vapid"


def _vapid(name: str, file_name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value and (_vapid_dir / file_name).is_file():
        value = (_vapid_dir / file_name).read_text().strip()
    return value


PARLEY_VAPID_PRIVATE_KEY = _vapid("PARLEY_VAPID_PRIVATE_KEY", "private_key.pem")
PARLEY_VAPID_PUBLIC_KEY = _vapid("PARLEY_VAPID_PUBLIC_KEY", "public_key.txt")
# Who push services contact about this sender: a mailto: or https: URL.
PARLEY_VAPID_SUBJECT = os.environ.get("PARLEY_VAPID_SUBJECT", "") or f"mailto:parley@{_public.hostname}"
# Web Push messages per agent (all its browsers together), "N/period"; more are dropped. Empty: no limit.
PARLEY_PUSH_PER_AGENT = os.environ.get("PARLEY_PUSH_PER_AGENT", "20/minute")
# Team invitations an owner may send per site (each is an email to an address they typed).
PARLEY_LIMIT_INVITATIONS_PER_SITE = os.environ.get("PARLEY_LIMIT_INVITATIONS_PER_SITE", "20/hour")
# How long an invitation's emailed link works.
PARLEY_INVITATION_MAX_AGE = env_int("PARLEY_INVITATION_MAX_AGE", 7 * 24 * 3600)
# Browsers one agent may subscribe; a new one past it replaces the oldest.
PARLEY_PUSH_SUBSCRIPTIONS_PER_AGENT = env_int("PARLEY_PUSH_SUBSCRIPTIONS_PER_AGENT", 10)
# Bytes in a subscribe or unsubscribe request body (a subscription is about 400).
PARLEY_PUSH_SUBSCRIPTION_MAX_BYTES = env_int("PARLEY_PUSH_SUBSCRIPTION_MAX_BYTES", 4096)
# Threads posting to push services; pushes waiting beyond PARLEY_PUSH_QUEUE_MAX are dropped (and logged).
PARLEY_PUSH_WORKERS = env_int("PARLEY_PUSH_WORKERS", 2)
PARLEY_PUSH_QUEUE_MAX = env_int("PARLEY_PUSH_QUEUE_MAX", 1000)
# Seconds one post to a push service may take.
PARLEY_PUSH_TIMEOUT = env_int("PARLEY_PUSH_TIMEOUT", 10)
# The push services a subscription's endpoint may name (a host or a parent domain of it), so the server
# posts only to them: Chrome, Edge, Firefox and Safari's. Empty: any https host.
PARLEY_PUSH_SERVICE_HOSTS = env_list(
    "PARLEY_PUSH_SERVICE_HOSTS",
    ["fcm.googleapis.com", "push.services.mozilla.com", "push.apple.com", "notify.windows.com"],
)
# Push service endpoints on http://127.0.0.1 or localhost are accepted (development and tests only).
PARLEY_PUSH_ALLOW_LOOPBACK_HTTP = env_bool("PARLEY_PUSH_ALLOW_LOOPBACK_HTTP", DEBUG)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}

# Agent tools (docs/console.md, "Agent tools").
# A visitor's `page` frames: at most one per this many seconds per socket; more are dropped silently.
PARLEY_PAGE_MIN_INTERVAL_SECONDS = env_int("PARLEY_PAGE_MIN_INTERVAL_SECONDS", 1)
# A session request this long after the visitor was last seen counts as a new visit.
PARLEY_VISIT_GAP_SECONDS = env_int("PARLEY_VISIT_GAP_SECONDS", 30 * 60)
# A visitor's conversations listed in the console's sidebar (`visitor.detail`), newest first.
PARLEY_VISITOR_CONVERSATIONS_LIMIT = env_int("PARLEY_VISITOR_CONVERSATIONS_LIMIT", 50)
# Canned replies one site may have.
PARLEY_CANNED_REPLIES_MAX = env_int("PARLEY_CANNED_REPLIES_MAX", 500)
# Typing indicators (server/realtime/typing.py): each socket has at most one `typing` start relayed per this
# many seconds (clients send one every 2 s while typing); more are dropped without an error.
PARLEY_TYPING_INTERVAL_SECONDS = env_int("PARLEY_TYPING_INTERVAL_SECONDS", 2)
# Seconds a client shows "… is typing" after the last `typing` start it got (each `typing` frame says it).
PARLEY_TYPING_TTL_SECONDS = env_int("PARLEY_TYPING_TTL_SECONDS", 6)

# Never drop a visitor (docs/offline.md). The task queue (docs/decisions/0056-task-queue.md): Django's tasks
# API on the database, run by `manage.py db_worker` (the `worker` process); PARLEY_TASKS_BACKEND names
# another backend (django_tasks.backends.immediate.ImmediateBackend runs them in the caller instead).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("PARLEY_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Seconds after an agent's reply before it is emailed to a visitor who has not read it (several replies
# within them go in one email).
PARLEY_EMAIL_REPLY_DELAY = env_int("PARLEY_EMAIL_REPLY_DELAY", 120)
# Seconds an emailed resume link (its signed token) stays valid.
PARLEY_RESUME_LINK_MAX_AGE = env_int("PARLEY_RESUME_LINK_MAX_AGE", 14 * 24 * 3600)
# Ratings kept per agent in the console's ratings view: the last this many days.
PARLEY_RATINGS_DAYS = env_int("PARLEY_RATINGS_DAYS", 30)
# The widget's custom visitor attributes, Parley('setAttributes', {...}) (docs/widget-api.md): at most this
# many keys per visitor (after merging), and at most this many characters in a string value.
PARLEY_VISITOR_ATTRIBUTES_MAX = env_int("PARLEY_VISITOR_ATTRIBUTES_MAX", 20)
PARLEY_VISITOR_ATTRIBUTE_VALUE_MAX_CHARS = env_int("PARLEY_VISITOR_ATTRIBUTE_VALUE_MAX_CHARS", 200)
