"""MotCua's one settings module: every knob is an environment variable with a safe default.

`MOTCUA_MODE` picks the defaults that differ between a real deployment and a laptop:
`production` (the default: secret key required, nothing insecure assumed), `demo` (what
`make demo` runs) and `test` (what the test suite runs). The README lists every variable.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

MOTCUA_MODE = env.str("MOTCUA_MODE", default="production")
if MOTCUA_MODE not in {"production", "demo", "test"}:
    raise ImproperlyConfigured("MOTCUA_MODE must be production, demo or test.")
_LOCAL = MOTCUA_MODE in {"demo", "test"}

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# A production deployment must bring its own key; demo and test may use a fixed one, which is
# safe only because those modes never face the internet.
if _LOCAL:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="motcua-insecure-key-for-demo-and-tests-only")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set (at least 32 characters) when MOTCUA_MODE=production."
        )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # its Swagger files are served from here, not from a CDN
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "oauth2_provider",
    "egov.core",
    "egov.orgs",
    "egov.catalog",
    "egov.interop",
    "egov.notifications",
    "egov.appointments",
    "egov.feedback",
    "egov.dossiers",
    "egov.accounts",
    "egov.portal",
    "egov.desk",
    "egov.demo",
]

MIDDLEWARE = [
    # First, so the static files WhiteNoise answers carry the policies too.
    "egov.core.security_headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the catalogue, agencies or roles: one stamp read per request.
    "egov.core.reference.ReferenceScopeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before the second factor's check, so its redirects reach htmx as whole-page ones too.
    "egov.accounts.middleware.HtmxSignInMiddleware",
    "egov.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A form or query carrying a control character is refused before any view sees it (after
    # the sign-in, the messages and the frame rule, which the refusal's page gets like any).
    "egov.core.input_guard.ControlCharacterMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as its documentation asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "egov.urls"
WSGI_APPLICATION = "egov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "egov" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "egov.core.context_processors.site",
                "egov.orgs.context_processors.staff_nav",
                "egov.notifications.context_processors.unread_notices",
            ],
        },
    },
]

# SQLite (WAL) is the embedded default; PostgreSQL through DATABASE_URL=postgres://...
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Writers queue for the lock instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A request reads its page through the indexes in a millisecond or two. Compiling a plan
    # (JIT: 10 ms and more, whenever the planner guesses many rows) and starting parallel
    # workers cost it more than they save (docs/performance.md); reports run on one core.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = " ".join(
        [options.get("options", ""), "-c jit=off -c max_parallel_workers_per_gather=0"]
    ).strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's checks, with messages in plain Vietnamese (egov.accounts.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "egov.accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "egov.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "egov.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "egov.accounts.passwords.NumericPasswordValidator"},
]
if MOTCUA_MODE == "test":
    # Hashing at full strength makes every login in the suite cost a quarter of a second.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while the account is locked out after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failures (django-axes): per account and address, for a while.
# Two-factor sign-in (TOTP): required of leaders and administrators once the province turns
# it on; anyone who set a device up uses it anyway.
MOTCUA_REQUIRE_2FA = env.bool("MOTCUA_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = env.str("MOTCUA_OTP_ISSUER", default="MotCua An Giang")
AXES_FAILURE_LIMIT = env.int("MOTCUA_SIGNIN_FAILURES", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("MOTCUA_SIGNIN_LOCK_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "egov.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Behind reverse proxies, the client's address is read from X-Forwarded-For (see
# MOTCUA_TRUSTED_PROXIES); otherwise a proxy's own address would be locked out for everyone.
AXES_IPWARE_PROXY_COUNT = env.int("MOTCUA_TRUSTED_PROXIES", default=0) or None

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "desk:worklist"
LOGOUT_REDIRECT_URL = "portal:home"
# "Quên mật khẩu": a link sent by e-mail works once and for this many minutes; an address
# may ask this often (egov.accounts.views.PasswordResetView).
PASSWORD_RESET_TIMEOUT = env.int("MOTCUA_PASSWORD_RESET_MINUTES", default=60) * 60
MOTCUA_PASSWORD_RESET_RATE = env.str("MOTCUA_PASSWORD_RESET_RATE", default="5/h")
# ... and one client (an office behind one router may hold many officers) this often.
MOTCUA_PASSWORD_RESET_CLIENT_RATE = env.str("MOTCUA_PASSWORD_RESET_CLIENT_RATE", default="30/h")
# A form sent without its valid CSRF token gets a Vietnamese page that says what to do.
CSRF_FAILURE_VIEW = "egov.accounts.views.csrf_failure"

# Vietnamese first. English is the second language, but until its translation catalogue exists
# no middleware switches to it: a browser set to English must still get whole Vietnamese pages,
# not Django's own strings in English around ours.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("Tiếng Anh"))]
LOCALE_PATHS = [BASE_DIR / "egov" / "locale"]
# Dates as Vietnamese write them, 16/11/2026 and 08:30 16/11/2026, wherever a template or the
# admin shows one without a format of its own (egov/core/formats/vi/formats.py).
FORMAT_MODULE_PATH = ["egov.core.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("MOTCUA_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Front-end packages come from npm (package-lock.json), never a CDN and never copied in.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
]
MEDIA_ROOT = Path(env.str("MOTCUA_MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if MOTCUA_MODE == "test"
            # The demo on one machine: hashed names, no compressed copies. Brotli over every
            # file took 2-3 minutes of a fresh `make demo`, for a site read over localhost.
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            if MOTCUA_MODE == "demo"
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if MOTCUA_MODE == "test":
    # Let the browser tests' live server serve the files without a collectstatic run.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

# Security headers everywhere; the HTTPS-only ones when the site is served over HTTPS.
MOTCUA_HTTPS = env.bool("MOTCUA_HTTPS", default=MOTCUA_MODE == "production")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# What a page may load and run, and the browser features it may use (egov.core.security_headers
# says why each source is there); an empty value sends no header.
MOTCUA_CSP = env.str(
    "MOTCUA_CSP",
    default="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'",
)
MOTCUA_PERMISSIONS_POLICY = env.str(
    "MOTCUA_PERMISSIONS_POLICY",
    default="accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "hid=(), idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=(), browsing-topics=(), "
    "interest-cohort=()",
)
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = MOTCUA_HTTPS
CSRF_COOKIE_SECURE = MOTCUA_HTTPS
SECURE_SSL_REDIRECT = MOTCUA_HTTPS and env.bool("MOTCUA_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("MOTCUA_HSTS_SECONDS", default=31536000 if MOTCUA_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = MOTCUA_HTTPS
if env.bool("MOTCUA_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = env.int("MOTCUA_SESSION_SECONDS", default=8 * 3600)

# The portal's name and the office hours (DOMAIN §3 "The clock").
MOTCUA_SITE_NAME = env.str(
    "MOTCUA_SITE_NAME", default="Cổng dịch vụ công và Hệ thống một cửa điện tử tỉnh An Giang"
)
MOTCUA_WORKING_HOURS = env.str("MOTCUA_WORKING_HOURS", default="07:00-11:30,13:30-17:00")

# The API (/api/v1/): how long a bearer token lives, and how often the public may look up.
MOTCUA_API_TOKEN_HOURS = env.int("MOTCUA_API_TOKEN_HOURS", default=8)
MOTCUA_PUBLIC_LOOKUP_RATE = env.str("MOTCUA_PUBLIC_LOOKUP_RATE", default="30/m")
MOTCUA_FEEDBACK_RATE = env.str("MOTCUA_FEEDBACK_RATE", default="20/h")
MOTCUA_TOKEN_RATE = env.str("MOTCUA_TOKEN_RATE", default="10/m")
# How many reverse proxies stand before the site: rate limits then read the client's address
# from X-Forwarded-For; with 0 (the default) the header is ignored, so nobody can forge it.
NINJA_NUM_PROXIES = env.int("MOTCUA_TRUSTED_PROXIES", default=0)
# The address citizens reach the portal at, printed in the forms' QR codes.
MOTCUA_PUBLIC_URL = env.str("MOTCUA_PUBLIC_URL", default="http://127.0.0.1:8000")
# Online dossiers should be checked by the desk within this many working hours (a province's
# own service level: the decrees leave it open).
MOTCUA_ONLINE_INTAKE_SLA_HOURS = env.int("MOTCUA_ONLINE_INTAKE_SLA_HOURS", default=8)
# Uploads: the largest file accepted, in megabytes; the first handler stops a larger one early.
MOTCUA_UPLOAD_MAX_MB = env.int("MOTCUA_UPLOAD_MAX_MB", default=20)
# Bodies other than uploaded files (forms, JSON). A dossier from the national portal carries
# its papers in its JSON body (base64); 10 MB holds a few scanned pages and keeps any page's
# anonymous POST from filling the memory (Django's default is 2.5 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MOTCUA_REQUEST_BODY_MAX_MB", default=10) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "egov.core.files.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Rate-limit counters are shared by every process: in the database by default, in Redis when
# the cache is Redis (CACHE_URL=redis://127.0.0.1:6379/1, for several machines); see
# egov.core.ratelimit. Nothing else keeps state in the cache.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# Background work (django-tasks): the database backend by default, so one machine needs
# nothing more; the same task code runs on the RQ backend when a province outgrows it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if MOTCUA_MODE == "test":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The interconnection axis (LGSP). Where each connected system is and how to sign in to it:
# addresses and secrets come from the environment, never from the database. Demo and test
# default to the simulators (`python -m sims`, port 8100); a production deployment names the
# real endpoints, and a system without an address is shown as not configured (its messages
# wait in the outbox).
_SIMS = env.str("MOTCUA_SIMS_URL", default="http://127.0.0.1:8100" if _LOCAL else "")


def _lgsp_url(name: str, path: str) -> str:
    return env.str(f"MOTCUA_LGSP_{name}_URL", default=f"{_SIMS}{path}" if _SIMS else "")


MOTCUA_LGSP_SYSTEMS = {
    "dvcqg": {
        "url": _lgsp_url("DVCQG", "/dvcqg"),
        "client_id": env.str("MOTCUA_LGSP_DVCQG_CLIENT_ID", default="motcua-angiang"),
        "client_secret": env.str(
            "MOTCUA_LGSP_DVCQG_CLIENT_SECRET", default="dvcqg-demo-secret" if _LOCAL else ""
        ),
    },
    "csdldc": {
        "url": _lgsp_url("CSDLDC", "/csdldc"),
        "api_key": env.str(
            "MOTCUA_LGSP_CSDLDC_API_KEY", default="csdldc-demo-key" if _LOCAL else ""
        ),
    },
    "hotich": {
        "url": _lgsp_url("HOTICH", "/hotich"),
        "user": env.str("MOTCUA_LGSP_HOTICH_USER", default="angiang"),
        "password": env.str("MOTCUA_LGSP_HOTICH_PASSWORD", default="hotich-demo" if _LOCAL else ""),
    },
    "thue": {
        "url": _lgsp_url("THUE", "/thue"),
        "client_id": env.str("MOTCUA_LGSP_THUE_CLIENT_ID", default="motcua-angiang"),
        "client_secret": env.str(
            "MOTCUA_LGSP_THUE_CLIENT_SECRET", default="thue-demo-secret" if _LOCAL else ""
        ),
    },
    # Notices to citizens (egov.notifications): a brandname SMS gateway (API key) and the
    # Zalo Notification Service of the province's Zalo Official Account (its access token).
    "sms": {
        "url": _lgsp_url("SMS", "/sms"),
        "api_key": env.str("MOTCUA_LGSP_SMS_API_KEY", default="sms-demo-key" if _LOCAL else ""),
    },
    "zalo": {
        "url": _lgsp_url("ZALO", "/zalo"),
        "access_token": env.str(
            "MOTCUA_LGSP_ZALO_ACCESS_TOKEN", default="zalo-demo-token" if _LOCAL else ""
        ),
    },
}
# The sender name the SMS gateway registered for the province (at most 11 characters), and
# the Zalo-approved ZNS template its notices use (parameters customer_name, subject, content).
MOTCUA_SMS_BRANDNAME = env.str("MOTCUA_SMS_BRANDNAME", default="DVC-ANGIANG" if _LOCAL else "")
MOTCUA_ZALO_TEMPLATE_ID = env.str("MOTCUA_ZALO_TEMPLATE_ID", default="248001" if _LOCAL else "")
# One call to a connected system may take this long before it counts as failed.
MOTCUA_LGSP_TIMEOUT_SECONDS = env.float("MOTCUA_LGSP_TIMEOUT_SECONDS", default=10.0)
# Outbox delivery: a message is retried with exponential backoff (with jitter) from
# RETRY_BASE seconds up to RETRY_CAP seconds between tries, for RETRY_HOURS before it becomes
# a dead letter (at least a day of a partner being down, as the province requires); a worker
# holds a claimed message for LEASE seconds.
MOTCUA_OUTBOX_RETRY_BASE_SECONDS = env.int("MOTCUA_OUTBOX_RETRY_BASE_SECONDS", default=10)
MOTCUA_OUTBOX_RETRY_CAP_SECONDS = env.int("MOTCUA_OUTBOX_RETRY_CAP_SECONDS", default=900)
MOTCUA_OUTBOX_RETRY_HOURS = env.int("MOTCUA_OUTBOX_RETRY_HOURS", default=72)
MOTCUA_OUTBOX_LEASE_SECONDS = env.int("MOTCUA_OUTBOX_LEASE_SECONDS", default=120)
# A try may take up to four requests (token, call, and both again after a 401): a lease must
# leave room to start one safely.
if MOTCUA_OUTBOX_LEASE_SECONDS <= 4 * MOTCUA_LGSP_TIMEOUT_SECONDS + 5:
    raise ImproperlyConfigured(
        "MOTCUA_OUTBOX_LEASE_SECONDS must exceed 4 × MOTCUA_LGSP_TIMEOUT_SECONDS + 5."
    )
MOTCUA_OUTBOX_BATCH = env.int("MOTCUA_OUTBOX_BATCH", default=50)
# How many messages of a round a worker sends side by side (each to a different dossier).
MOTCUA_OUTBOX_CONCURRENCY = env.int("MOTCUA_OUTBOX_CONCURRENCY", default=8)
# The circuit breaker: this many failures in a row stop a system's deliveries for a cool-down
# that starts at BREAKER_SECONDS and doubles with each new opening, up to RETRY_CAP.
MOTCUA_BREAKER_FAILURES = env.int("MOTCUA_BREAKER_FAILURES", default=5)
MOTCUA_BREAKER_SECONDS = env.int("MOTCUA_BREAKER_SECONDS", default=15)
# How often the worker asks the tax authority about the obligations it was sent.
MOTCUA_TAX_POLL_MINUTES = env.int("MOTCUA_TAX_POLL_MINUTES", default=10)
# Whether committing an outbox row wakes the delivery worker (a task on the queue). Off in
# tests, which drive delivery themselves.
MOTCUA_OUTBOX_KICK = env.bool("MOTCUA_OUTBOX_KICK", default=MOTCUA_MODE != "test")
# A web process that woke the worker less than this many seconds ago does not ask again (a
# query saved per intake in a burst; the round it woke takes the later rows, or queues the
# next at once as it had work). 0: every commit asks.
MOTCUA_OUTBOX_KICK_SECONDS = env.float("MOTCUA_OUTBOX_KICK_SECONDS", default=1.0)
# A delivered outbox message's payload (personal data) is cleared this many days after its
# delivery (`clear_outbox_payloads`, daily); its digest and the message log stay.
MOTCUA_OUTBOX_PAYLOAD_DAYS = env.int("MOTCUA_OUTBOX_PAYLOAD_DAYS", default=30)
if MOTCUA_OUTBOX_PAYLOAD_DAYS < 1:
    raise ImproperlyConfigured("MOTCUA_OUTBOX_PAYLOAD_DAYS must be at least 1.")
# The message log keeps bodies with personal data as a digest only (`digest`), or encrypted
# (`encrypted`, with MOTCUA_LGSP_LOG_KEY: a Fernet key, 32 url-safe base64 bytes). Bodies
# without personal data are kept as they are.
MOTCUA_LGSP_PERSONAL_BODIES = env.str("MOTCUA_LGSP_PERSONAL_BODIES", default="digest")
if MOTCUA_LGSP_PERSONAL_BODIES not in {"digest", "encrypted"}:
    raise ImproperlyConfigured("MOTCUA_LGSP_PERSONAL_BODIES must be digest or encrypted.")
MOTCUA_LGSP_LOG_KEY = env.str("MOTCUA_LGSP_LOG_KEY", default="")
if MOTCUA_LGSP_PERSONAL_BODIES == "encrypted":
    from cryptography.fernet import Fernet

    try:
        Fernet(MOTCUA_LGSP_LOG_KEY.encode())
    except ValueError as error:
        raise ImproperlyConfigured(
            "MOTCUA_LGSP_LOG_KEY must be a Fernet key (32 url-safe base64 bytes) to keep "
            "encrypted bodies."
        ) from error

# Inbound calls from connected systems: OAuth2 client credentials (django-oauth-toolkit);
# the scopes are the inbound services of the registry.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("MOTCUA_LGSP_TOKEN_SECONDS", default=3600),
    "SCOPES_BACKEND_CLASS": "egov.interop.inbound.scopes.RegistryScopes",
    "PKCE_REQUIRED": False,
}

# Sign-in for citizens and organisations with the national e-identity (VNeID, OpenID Connect
# with PKCE). The issuer's discovery document is read from <issuer>/.well-known/openid-
# configuration. Demo and test default to the simulator (`python -m sims`) and its public demo
# client; a production deployment names the real issuer and its own client. Without an issuer
# the VNeID button is hidden and /dang-nhap/vneid/ says the sign-in is not available.
MOTCUA_VNEID_ISSUER = env.str("MOTCUA_VNEID_ISSUER", default=f"{_SIMS}/vneid" if _SIMS else "")
MOTCUA_VNEID_CLIENT_ID = env.str(
    "MOTCUA_VNEID_CLIENT_ID", default="motcua-angiang" if _LOCAL else ""
)
MOTCUA_VNEID_CLIENT_SECRET = env.str(
    "MOTCUA_VNEID_CLIENT_SECRET", default="vneid-demo-secret" if _LOCAL else ""
)
# One call to VNeID (discovery, keys, token, userinfo) may take this long.
MOTCUA_VNEID_TIMEOUT_SECONDS = env.float("MOTCUA_VNEID_TIMEOUT_SECONDS", default=10.0)

# Mail to applicants and staff: memory in tests, SMTP through EMAIL_URL; in the demo without
# EMAIL_URL, the simulators' mailbox (page "Hộp thư demo" at <MOTCUA_SIMS_URL>/mail/).
MOTCUA_DEMO_MAILBOX_URL = env.str(
    "MOTCUA_DEMO_MAILBOX_URL", default=f"{_SIMS}/mail" if _SIMS and _LOCAL else ""
)
if MOTCUA_MODE == "test":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif MOTCUA_MODE == "demo" and MOTCUA_DEMO_MAILBOX_URL and not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "egov.notifications.demo_mailbox.EmailBackend"
else:
    # smtp+tls://user:password@host:587, or the console (the default) for a laptop.
    vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("MOTCUA_FROM_EMAIL", default="motcua@localhost")
# A mail server that hangs must not hold the outbox worker's round past its lease.
EMAIL_TIMEOUT = env.int("MOTCUA_EMAIL_TIMEOUT_SECONDS", default=15)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # One line per call to a connected system is the message log's job, not the console's.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
