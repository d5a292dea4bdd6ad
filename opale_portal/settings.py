"""Settings, all read from the environment (django-environ).

The embedded defaults need nothing running: a SQLite file, Celery tasks run eagerly, e-mail printed to the
console and media in a local folder. Production (DEBUG off) must name its SECRET_KEY and ALLOWED_HOSTS, and
a bad value anywhere stops start-up with a message rather than running half-configured.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.smart_cast = False

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-opale-development-only-key-never-use-in-production"  # noqa: S105
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY:
        raise ImproperlyConfigured(
            "DEBUG is off: set SECRET_KEY to a random value of at least 50 characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG is off: set ALLOWED_HOSTS to the portal's host names, comma-separated.")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap's CSS and JS, served by the portal itself
    "django_countries",
    "django_fsm",  # graph_transitions draws the stage machines (make diagrams)
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "allauth",
    "allauth.account",
    "axes",
    "notifications",
    "partners",
    "agreements",
    "quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # a rate-limited view answers the 429 page
    # last, as django-axes requires: turns a locked-out sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses sign-in while locked out
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",  # staff sign in to the admin with their username
    "allauth.account.auth_backends.AuthenticationBackend",  # companies sign in with their e-mail
]

ROOT_URLCONF = "opale_portal.urls"
WSGI_APPLICATION = "opale_portal.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if not DEBUG else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and an eager task write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
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

# E-mail: printed to the console unless EMAIL_URL names a server (smtp://user:pass@host:587/?tls=True).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The portal's public address, for links in e-mails sent by tasks (which have no request to read it from).
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="OPALE Partnerships <partenariats@opale.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker configured, tasks run in-process (eagerly) so `make run` needs nothing else.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else None,
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a request: with the broker down, give up at once (the outbox row stays pending and the
# periodic task sends it later) rather than hold the person's page for seconds per e-mail.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGIN_URL = "account_login"

# Uploads: 20 MB a file, 5 files an enquiry. Files above 2.5 MB stream to a temporary file, not memory.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
ATTACHMENTS_PER_ENQUIRY = env.int("ATTACHMENTS_PER_ENQUIRY", default=5)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Notifications: pending outbox rows are sent again by Celery beat (DESIGN.md section 6).
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=8)
# The central team's shared mailbox, copied on every e-mail to the team (empty: its members only).
CENTRAL_TEAM_EMAIL = env.str("CENTRAL_TEAM_EMAIL", default="")
CELERY_BEAT_SCHEDULE = {
    "resend-pending-notifications": {
        "task": "notifications.tasks.resend_pending",
        "schedule": env.int("NOTIFICATION_RESEND_SECONDS", default=60),
    },
    # What awaits each entity contact, and what is overdue for the central team: working days, Paris time
    # (CELERY_TIMEZONE); the task itself skips French public holidays. crontab refuses an hour out of range.
    # Contracts: warned before their end date, then expired (agreements.expiry).
    "expire-contracts": {
        "task": "agreements.tasks.expire_contracts",
        "schedule": crontab(hour=6, minute=15),
    },
    "send-daily-digests": {
        "task": "partners.tasks.send_daily_digests",
        "schedule": crontab(
            hour=env.int("DIGEST_HOUR", default=7), minute=env.int("DIGEST_MINUTE", default=30), day_of_week="mon-fri"
        ),
    },
}

# Security. In production the portal sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports each step of every render at INFO: only its warnings matter
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Business defaults the legal and central teams may later move into the admin.
ENQUIRY_FIRST_RESPONSE_WORKING_DAYS = env.int("ENQUIRY_FIRST_RESPONSE_WORKING_DAYS", default=5)
# An enquiry answering a call for projects is flagged this many days before the call's deadline.
FUNDING_DEADLINE_WARNING_DAYS = env.int("FUNDING_DEADLINE_WARNING_DAYS", default=21)

LOGIN_REDIRECT_URL = "partners:enquiry_list"
LOGOUT_REDIRECT_URL = "home"

# Caches: rate limits and sign-in lockouts count in the cache; use Redis when several processes serve.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://opale")}

# Accounts (django-allauth): companies sign up and in with their e-mail, verified before first use; a
# one-time code by e-mail replaces the password for those who want none. Every e-mail goes through the outbox.
ACCOUNT_ADAPTER = "partners.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "partners.forms.SignupNamesForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[OPALE] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_RATE_LIMITS = {
    "signup": env.str("RATE_LIMIT_SIGNUP", default="10/h/ip"),
    "login": "30/m/ip",
    # above AXES_FAILURE_LIMIT, so that the account lockout page (axes) is what a person sees
    "login_failed": "10/m/ip,10/5m/key",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_email": "5/m/ip",
}
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_USER_DISPLAY = "partners.accounts.user_display"

# Brute-force protection (django-axes): five failures for one account from one address lock it for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "partners.accounts.axes_username"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0 if DEBUG else 1)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Enquiry saves per member (each step of the form counts; django-ratelimit), answered with the 429 page.
ENQUIRY_SUBMIT_RATE = env.str("ENQUIRY_SUBMIT_RATE", default="60/h")
RATELIMIT_VIEW = "partners.views.rate_limited"

# Satisfaction surveys: an answer recommending OPALE this much or less (0-10) is e-mailed to the central team;
# survey answers per address and hour (the page needs no sign-in).
QUALITY_LOW_SCORE = env.int("QUALITY_LOW_SCORE", default=6)
if not 0 <= QUALITY_LOW_SCORE <= 10:
    raise ImproperlyConfigured("QUALITY_LOW_SCORE must be a whole number from 0 to 10.")
QUALITY_SURVEY_RATE = env.str("QUALITY_SURVEY_RATE", default="30/h")
