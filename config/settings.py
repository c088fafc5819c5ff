"""Styrkort settings.

Everything that differs between a laptop, CI and production comes from the environment.
A wrong value stops the start with a clear message instead of being guessed around.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# `manage.py makemigrations` (CI's `--check` above all) reads only the models: it signs and
# serves nothing, so it runs without the secrets a server must have. Every other command, and
# gunicorn, still refuses to start without them.
CODE_ONLY_COMMANDS = {"makemigrations"}
CODE_ONLY = (
    len(sys.argv) > 1
    and Path(sys.argv[0]).name in {"manage.py", "django-admin"}
    and sys.argv[1] in CODE_ONLY_COMMANDS
)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        # Only ever used with DEBUG on, on a developer's machine.
        SECRET_KEY = "django-insecure-local-development-only"
    elif CODE_ONLY:
        SECRET_KEY = secrets.token_urlsafe(64)  # never used to sign anything
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
elif len(SECRET_KEY) < 50 and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS and not CODE_ONLY:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "core",
    "goals",
    "indicators",
    "budget",
    "reports",
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
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.AbsoluteSessionTimeoutMiddleware",
    "core.middleware.HtmxLoginRedirectMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so its 503 for a database outage passes every other middleware's response headers.
    "core.database_outage.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# SQLite is the embedded default so a newcomer needs no server; DATABASE_URL selects PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        # Connections are kept for a minute and checked before reuse in each request, so a
        # database restart costs no request an error (each worker reconnects by itself).
        DATABASES = {
            "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
        }
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "styrkort.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that also enforces STYRKORT_PASSWORD_LOGIN (break-glass only, or off).
    "goals.password_login.PasswordLoginBackend",
    # Finds the user of a session that SAML sign-in opened (authenticates nothing itself).
    "goals.identity.IdentityProviderSessionBackend",
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
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = "core:login"

# Swedish interface, Swedish numbers: 3 327 and 88,9.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
# History rows are the audit trail: the admin shows them but never reverts to one.
SIMPLE_HISTORY_REVERT_DISABLED = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not env_bool("STYRKORT_TESTING", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(VAR_DIR / "media")))

# --- The cache: built outputs under the data token (reports.freshness, core.cache) ---------
# CACHE_URL chooses where built reports, dashboards and workbooks are kept. A copy is reused
# only for the exact data it was built from, so any cache is correct; a shared one (Redis) lets
# every worker and every instance reuse what one of them built instead of building it again.
#   locmem://                  per process, the default (MAX_ENTRIES 200)
#   redis://HOST:PORT/DB       Django's own RedisCache; rediss:// for TLS,
#   unix:///PATH/redis.sock    or a local socket (?db=N); a password as redis://:PW@HOST…
#   dummy://                   nothing is kept (every page is built anew)
# A Redis that is away, slow or full never takes a page down: core.cache builds instead and logs
# a warning, so the timeouts are short (a copy is at most a few MB over a local network).
CACHE_SCHEMES = "redis://HOST:PORT/DB, rediss://HOST:PORT/DB, unix:///PATH, locmem:// or dummy://"
CACHE_CONNECT_TIMEOUT_SECONDS = 0.5
CACHE_SOCKET_TIMEOUT_SECONDS = 2.0


def cache_from_url(url: str, *, key_prefix: str = "styrkort") -> dict:
    """Django's CACHES["default"] for a CACHE_URL; ImproperlyConfigured names a wrong one."""
    from urllib.parse import urlsplit

    def wrong(reason: str) -> ImproperlyConfigured:
        # Never print a password: everything before the host's @ is hidden.
        scheme, separator, rest = url.partition("://")
        shown = scheme + separator + ("***@" + rest.rpartition("@")[2] if "@" in rest else rest)
        return ImproperlyConfigured(f"CACHE_URL must be {CACHE_SCHEMES}, not {shown!r}: {reason}")

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise wrong(str(error)) from None
    scheme = parts.scheme.lower()
    if scheme == "locmem":
        if parts.path or parts.query:
            raise wrong("locmem:// takes no path")
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": parts.netloc or "styrkort",
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {"MAX_ENTRIES": 200},
        }
    if scheme == "dummy":
        if parts.netloc or parts.path or parts.query:
            raise wrong("dummy:// takes nothing after it")
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme in {"redis", "rediss"}:
        if not parts.hostname:
            raise wrong("no host")
        if port == 0:
            raise wrong("port 0")
        database = parts.path.strip("/")
        if database and not database.isdigit():
            raise wrong("the database after the host is a number, such as /0")
    elif scheme == "unix":
        if not parts.path.startswith("/") or parts.hostname:
            raise wrong("a socket is named by its absolute path, unix:///run/redis/redis.sock")
    else:
        raise wrong(f"unknown scheme {parts.scheme!r}" if parts.scheme else "no scheme")
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        # reports.freshness gives each copy its own timeout; this is for anything else.
        "TIMEOUT": 3600,
        "OPTIONS": {
            "socket_connect_timeout": CACHE_CONNECT_TIMEOUT_SECONDS,
            "socket_timeout": CACHE_SOCKET_TIMEOUT_SECONDS,
            # A connection idle in the pool (a quiet night) is checked before it is used.
            "health_check_interval": 30,
        },
    }


CACHE_URL = os.environ.get("CACHE_URL", "") or "locmem://"
# Several Styrkort sites (production and a test site) may share one Redis with their own prefix.
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "") or "styrkort"
CACHES = {"default": cache_from_url(CACHE_URL, key_prefix=CACHE_KEY_PREFIX)}

# Sessions: 30 minutes idle (the cookie is renewed on every request) and never
# longer than 12 hours after login (enforced by core.middleware.AbsoluteSessionTimeoutMiddleware).
# Logout flushes the session on the server; a password change ends the user's other sessions
# (their stored password hash no longer matches).
SESSION_COOKIE_AGE = 30 * 60
# Database sessions that still show pages when the database is read-only (core.sessions).
SESSION_ENGINE = "core.sessions"
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_MAX_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Content-Security-Policy: scripts and styles only from our own static files, no inline script,
# no eval ('unsafe-eval' is not needed: plotly draws svg charts without it; only its WebGL
# traces would). Two inline <style> elements are allowed by hash, nothing else inline:
# - the EMPTY string: plotly.min.js appends `<style id="plotly.js-style-global">` with no text
#   and fills it through CSSOM insertRule, which CSP does not govern. Without it the charts
#   lose their own CSS (hover and drag layers break). An empty style element gives an
#   attacker nothing.
# - maplibre's fixed CSS, which plotly.min.js 4.1.1 injects when it loads. Blocking it would
#   only cost map traces (not used) and a console error on every chart page. A plotly upgrade
#   changes the text; tests/test_security_csp.py then fails and names the new hash.
# blob: images are for plotly's "download as PNG" button. Measured in Chromium
# (tests/test_security_csp.py). htmx's own inline indicator style is switched off in
# base.html (htmx-config) and lives in styrkort.css instead.
CSP_EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
CSP_PLOTLY_MAPLIBRE_STYLE_HASH = "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", CSP_EMPTY_STYLE_HASH, CSP_PLOTLY_MAPLIBRE_STYLE_HASH],
        "img-src": ["'self'", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# django-axes: lock a username+address pair after five failures, for 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Where users report accessibility problems and other faults (shown on /tillganglighet/).
SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "")

DJANGO_TABLES2_TEMPLATE = "django_tables2/styrkort.html"  # the site's table CSS, Swedish paging

# The PDF of a document is its .docx converted by LibreOffice (reports.renderers.pdf): the
# soffice binary (empty: the one on PATH), the longest a conversion may take, and whether an
# approval archives a PDF besides the .docx (without LibreOffice it archives none and warns).
STYRKORT_SOFFICE = os.environ.get("STYRKORT_SOFFICE", "")
STYRKORT_PDF_TIMEOUT = env_int("STYRKORT_PDF_TIMEOUT", 120)
STYRKORT_ARCHIVE_PDF = env_bool("STYRKORT_ARCHIVE_PDF", True)
# After a commit that changes a board's data, its report, .xlsx, dashboard and the overview of
# that year are rebuilt in the background (reports.warming): one thread per process, at most
# STYRKORT_WARM_QUEUE board-years waiting.
STYRKORT_WARM_AFTER_WRITE = env_bool("STYRKORT_WARM_AFTER_WRITE", True)
STYRKORT_WARM_QUEUE = env_int("STYRKORT_WARM_QUEUE", 32)
if STYRKORT_WARM_QUEUE < 1:
    raise ImproperlyConfigured("STYRKORT_WARM_QUEUE must be at least 1")

# Uploaded workbooks for import are read in memory and refused above this size.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# The Word template of the documents (reports/renderers/docx.py): a municipality's own .docx with
# the same style names gives its graphic profile. Default: reports/document_template/styrkort.docx.
STYRKORT_DOCUMENT_TEMPLATE = Path(
    os.environ.get("STYRKORT_DOCUMENT_TEMPLATE", "")
    or BASE_DIR / "reports" / "document_template" / "styrkort.docx"
)
if not STYRKORT_DOCUMENT_TEMPLATE.is_file():
    raise ImproperlyConfigured(
        f"STYRKORT_DOCUMENT_TEMPLATE must name a .docx file, not {str(STYRKORT_DOCUMENT_TEMPLATE)!r}"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "security_json": {"()": "core.security_log.SecurityJsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # Security events as JSON lines: to SECURITY_LOG_FILE if set (reopened after
        # logrotate moves it), else to standard error with the rest of the log.
        "security": (
            {
                "class": "logging.handlers.WatchedFileHandler",
                "filename": os.environ["SECURITY_LOG_FILE"],
                "formatter": "security_json",
                "encoding": "utf-8",
            }
            if os.environ.get("SECURITY_LOG_FILE")
            else {"class": "logging.StreamHandler", "formatter": "security_json"}
        ),
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "styrkort.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
    },
}

# --- Kolada (indicators/kolada): the API that manage.py import_kolada fetches from -------------
KOLADA_API_URL = os.environ.get("KOLADA_API_URL", "https://api.kolada.se/v3")

# --- E-mail notifications (goals/notifications.py, manage.py send_reminders) ----------------
# SMTP from the environment. Without EMAIL_HOST mail goes to the console (development); the
# tests start a real SMTP server on loopback and point EMAIL_HOST/EMAIL_PORT at it.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
    EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A slow SMTP server must not hold a worker or a cron run for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Styrkort <styrkort@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Mails link to the app by absolute URL; the address users reach it at.
STYRKORT_SITE_URL = os.environ.get("STYRKORT_SITE_URL", "http://localhost:8000").rstrip("/")
# Days before an occasion's deadline a reminder goes out, e.g. "7,2" for a week and two days.
try:
    STYRKORT_REMINDER_DAYS = sorted(
        {int(day) for day in env_list("STYRKORT_REMINDER_DAYS", ["7"])}, reverse=True
    )
except ValueError:
    raise ImproperlyConfigured(
        "STYRKORT_REMINDER_DAYS must be whole days separated by commas, e.g. 7,2"
    ) from None
if any(day < 0 for day in STYRKORT_REMINDER_DAYS):
    raise ImproperlyConfigured("STYRKORT_REMINDER_DAYS must not be negative")
# --- Sign-in with OpenID Connect (part 18A) and the local password as break-glass -----------
# Off unless OIDC_RP_CLIENT_ID is set. The provider's endpoints come either one by one
# (OIDC_OP_ISSUER, OIDC_OP_AUTHORIZATION_ENDPOINT, _TOKEN_, _USER_, _JWKS_) or from
# OIDC_OP_DISCOVERY_URL, read once per process at the first login; an explicit one wins.
# goals.oidc verifies the ID token completely (signature, iss, aud/azp, exp/iat, nonce).
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_DISCOVERY_URL = os.environ.get("OIDC_OP_DISCOVERY_URL", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
# The provider's end_session_endpoint: logout then also ends the provider's session.
OIDC_OP_LOGOUT_URL = os.environ.get("OIDC_OP_LOGOUT_URL", "")
if OIDC_OP_LOGOUT_URL:
    from urllib.parse import urlsplit

    # The logout form's redirect continues to the provider; CSP form-action covers redirects.
    _logout = urlsplit(OIDC_OP_LOGOUT_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_logout.scheme}://{_logout.netloc}"
    )
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
OIDC_BUTTON_LABEL = os.environ.get("OIDC_BUTTON_LABEL", "Logga in med kommunens konto")
# Clock skew allowed between us and the provider for exp, iat and nbf, and how old an ID
# token may be when it arrives.
OIDC_LEEWAY_SECONDS = env_int("OIDC_LEEWAY_SECONDS", 30)
OIDC_MAX_TOKEN_AGE_SECONDS = env_int("OIDC_MAX_TOKEN_AGE_SECONDS", 600)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", True)
# Fixed, not from the environment: the library's nonce and PKCE are always on.
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_AUTHENTICATION_CALLBACK_URL = "goals:oidc_callback"
# Always listed: it restores the sessions of OIDC sign-ins (it never checks a password).
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "goals.oidc.OIDCBackend"]
if OIDC_ENABLED and not CODE_ONLY:
    if OIDC_RP_SIGN_ALGO not in {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}:
        raise ImproperlyConfigured("OIDC_RP_SIGN_ALGO must be an RS or ES algorithm")
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_RP_CLIENT_SECRET must be set with OIDC_RP_CLIENT_ID")
    _oidc_missing = [
        name
        for name in (
            "OIDC_OP_ISSUER",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _oidc_missing and not OIDC_OP_DISCOVERY_URL:
        raise ImproperlyConfigured(
            "Set OIDC_OP_DISCOVERY_URL, or "
            + ", ".join(_oidc_missing)
            + " (OIDC_RP_CLIENT_ID is set)"
        )

# Local passwords: "on" (everyone; the demo and the tests), "admins" (break-glass: only a
# superuser or an administrator of every board) or "off". Enforced in
# goals.password_login.PasswordLoginBackend, also for sessions already open.
STYRKORT_PASSWORD_LOGIN = os.environ.get("STYRKORT_PASSWORD_LOGIN", "on") or "on"
if STYRKORT_PASSWORD_LOGIN not in {"on", "admins", "off"}:
    raise ImproperlyConfigured(
        f"STYRKORT_PASSWORD_LOGIN must be on, admins or off, not {STYRKORT_PASSWORD_LOGIN!r}"
    )
# --- Sign-in with SAML 2.0 (goals.saml; djangosaml2 on pysaml2, verified by xmlsec1) ---------
# Off unless the identity provider's metadata is given (a file, or a URL read at each request).
# README "Drift" → "Inloggning med SAML" describes every variable.
SAML_IDP_METADATA_FILE = os.environ.get("SAML_IDP_METADATA_FILE", "")
SAML_IDP_METADATA_URL = os.environ.get("SAML_IDP_METADATA_URL", "")
SAML_ENABLED = bool(SAML_IDP_METADATA_FILE or SAML_IDP_METADATA_URL)
# Styrkort's public address (the ACS URL is this + /saml2/acs/) and entity id (default: this
# + /saml2/metadata/).
SAML_SP_BASE_URL = os.environ.get("SAML_SP_BASE_URL", "")
SAML_SP_ENTITY_ID = os.environ.get("SAML_SP_ENTITY_ID", "")
if SAML_ENABLED and not SAML_SP_BASE_URL:
    raise ImproperlyConfigured("SAML_SP_BASE_URL must be set when SAML sign-in is configured")
# Styrkort's own key and certificate (PEM files): sign the requests, decrypt assertions.
SAML_SP_KEY_FILE = os.environ.get("SAML_SP_KEY_FILE", "")
SAML_SP_CERT_FILE = os.environ.get("SAML_SP_CERT_FILE", "")
if bool(SAML_SP_KEY_FILE) != bool(SAML_SP_CERT_FILE):
    raise ImproperlyConfigured("SAML_SP_KEY_FILE and SAML_SP_CERT_FILE must be set together")
SAML_XMLSEC_BINARY = os.environ.get("SAML_XMLSEC_BINARY", "") or "/usr/bin/xmlsec1"
# Assertions must always be signed; the whole response too when this is on.
SAML_WANT_RESPONSE_SIGNED = env_bool("SAML_WANT_RESPONSE_SIGNED", False)
SAML_ALLOW_UNSOLICITED = env_bool("SAML_ALLOW_UNSOLICITED", False)
SAML_CLOCK_SKEW_SECONDS = env_int("SAML_CLOCK_SKEW_SECONDS", 60)
SAML_MAX_RESPONSE_BYTES = env_int("SAML_MAX_RESPONSE_BYTES", 512 * 1024)
# Attribute names as Entra ID/ADFS send them; SAML_ATTRIBUTE_SUBJECT (empty: the NameID) names
# an attribute to key the user on instead, such as Entra's objectidentifier.
_CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"
SAML_ATTRIBUTE_SUBJECT = os.environ.get("SAML_ATTRIBUTE_SUBJECT", "")
SAML_ATTRIBUTE_USERNAME = os.environ.get("SAML_ATTRIBUTE_USERNAME", f"{_CLAIMS}/name")
SAML_ATTRIBUTE_EMAIL = os.environ.get("SAML_ATTRIBUTE_EMAIL", f"{_CLAIMS}/emailaddress")
SAML_ATTRIBUTE_FIRST_NAME = os.environ.get("SAML_ATTRIBUTE_FIRST_NAME", f"{_CLAIMS}/givenname")
SAML_ATTRIBUTE_LAST_NAME = os.environ.get("SAML_ATTRIBUTE_LAST_NAME", f"{_CLAIMS}/surname")
SAML_ATTRIBUTE_GROUPS = os.environ.get(
    "SAML_ATTRIBUTE_GROUPS", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
)
SAML_BUTTON_LABEL = os.environ.get("SAML_BUTTON_LABEL", "Logga in med kommunens konto via SAML")
# djangosaml2: configuration from the settings above, redirect binding (no inline script),
# its own session cookie for the request state, sent cross-site (SameSite=None needs https).
SAML_CONFIG_LOADER = "goals.saml.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CSP_HANDLER = ""
SAML_SESSION_COOKIE_NAME = "saml_session"
SAML_SESSION_COOKIE_SAMESITE = "None" if SESSION_COOKIE_SECURE else "Lax"
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "djangosaml2.middleware.SamlSessionMiddleware",
)
# An unsolicited SAML response is kept from a replay only by the used assertions in the cache
# (goals.saml): a cache that keeps nothing would let a captured response sign in again.
if SAML_ENABLED and SAML_ALLOW_UNSOLICITED and CACHE_URL.startswith("dummy:"):
    raise ImproperlyConfigured(
        "CACHE_URL=dummy:// cannot be used with SAML_ALLOW_UNSOLICITED: the used assertions "
        "are kept in the cache"
    )
