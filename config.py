"""Configuration defaults; the environment overrides them when the app is created."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET_KEY = "dev-only-insecure-secret"


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = DEFAULT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{BASE_DIR / 'instance' / 'ombudsman.sqlite'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Evidence lives outside the code tree; override with OMBUDSMAN_EVIDENCE_DIR (checked, and created when
    # missing, by ombudsman.deploy.evidence_dir_problems).
    EVIDENCE_DIR = str(BASE_DIR / "instance" / "evidence")
    EVIDENCE_MAX_BYTES = 15 * 1024 * 1024
    EVIDENCE_THUMBNAIL_PX = 480
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("id", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Tetap masuk di perangkat ini" on the login form, for field phones; logging out everywhere ends it too.
    # From the environment as seconds (OMBUDSMAN_REMEMBER_COOKIE_DURATION=604800).
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    # How many reverse proxies in front of the app set each X-Forwarded-* header (0 = none, trust nothing).
    # Behind one nginx setting X-Forwarded-For and X-Forwarded-Proto: PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    # Strict-Transport-Security max-age in seconds; 0 sends no HSTS header (only production sends it).
    HSTS_SECONDS = 0
    # Redis shared by every worker and node (rate limits); OMBUDSMAN_REDIS_URL or REDIS_URL.
    REDIS_URL = ""
    # Background jobs (ombudsman.jobs): "auto" queues them on REDIS_URL when set, else runs them inline in
    # the request; "rq" or "inline" force one. The queue's name prefixes its job ids; a failed job is
    # retried after each of these many seconds, then listed as failed on /admin/jobs.
    JOBS_MODE = "auto"
    # An RFC 3161 time-stamping server for electronically signed letters (PAdES B-T); none: B-B only.
    SIGNING_TIMESTAMP_URL: str | None = None
    # Whether checking a signed letter (verification page, API) fetches the certificates' published
    # revocation data (CRL, OCSP); off, only what the file embeds is used (`flask letters verify --online`).
    SIGNING_VERIFY_ONLINE = False
    JOBS_QUEUE = "ombudsman"
    JOBS_RETRY_INTERVALS = (10, 60, 300)
    # `flask jobs worker` lowers its own CPU priority by this much (os.nice, 0-19): a PDF render (0.5-3 s of
    # CPU) then takes only the CPU the web workers leave, so pages stay fast while letters are issued.
    JOBS_WORKER_NICE = 10
    # Production refuses SQLite unless this is set (OMBUDSMAN_ALLOW_SQLITE=1): a single small office only.
    ALLOW_SQLITE = False
    WTF_CSRF_TIME_LIMIT = None
    PER_PAGE = 25
    # The page cache (ombudsman.page_cache): bytes of rendered list pages and dashboards each worker process
    # keeps, served again while the office's data is unchanged; 0 turns it off (OMBUDSMAN_PAGE_CACHE_BYTES).
    PAGE_CACHE_BYTES = 16 * 1024 * 1024
    # How many days after today a visit may be dated (ombudsman.contracts.DateRule.VISIT).
    PLAUSIBLE_DATE_MARGIN_DAYS = 90
    # Memory storage counts per worker: fine for one developer, wrong under gunicorn. REDIS_URL replaces it.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # "10 per minute" means at most 10 in any 60 seconds: a fixed window would let 10 through at the end of
    # one window and 10 more at the start of the next.
    RATELIMIT_STRATEGY = "moving-window"
    # SMTP for reminders and password-reset e-mails (ombudsman.mail).
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_DEFAULT_SENDER = "ombudsman-tracker@localhost"
    # "smtp" sends; "log" (development) logs each message whole and writes it to MAIL_LOG_DIR as .eml.
    MAIL_BACKEND = "smtp"
    MAIL_LOG_DIR = str(BASE_DIR / "instance" / "mail")
    # The JSON API (flask-smorest) and its tokens.
    API_TITLE = "Ombudsman Inspection Tracker API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    # Relative to /api/v1/docs: Swagger UI's files are served by the app itself (no CDN).
    OPENAPI_SWAGGER_UI_URL = "assets/swagger-ui/"
    API_TOKEN_LIFETIME_DAYS = 30
    API_TOKEN_RATE_LIMIT = "10 per minute"
    # Passwords (ombudsman.accounts.passwords): the shortest new password accepted by the admin form, the
    # account page, the reset page and `flask users create`.
    PASSWORD_MIN_LENGTH = 12
    # A password-reset link works once, for this many minutes.
    PASSWORD_RESET_MINUTES = 60
    # Reset requests allowed per client address and per e-mail address (Flask-Limiter, shared storage).
    PASSWORD_RESET_RATE_LIMIT_ADDRESS = "10 per hour"
    PASSWORD_RESET_RATE_LIMIT_EMAIL = "3 per hour"
    # Per-account lockout (ombudsman.accounts.lockout), stored on the user so every worker and node sees it:
    # after LOCKOUT_THRESHOLD failed sign-ins in a row the account is locked for LOCKOUT_BASE_SECONDS, twice
    # as long after each further lockout, at most LOCKOUT_MAX_SECONDS; a successful sign-in starts afresh.
    LOCKOUT_THRESHOLD = 5
    LOCKOUT_BASE_SECONDS = 60
    LOCKOUT_MAX_SECONDS = 3600
    # Public base URL used in links that leave the app (QR codes, e-mails, calendar feeds).
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # The authority portal (ombudsman.portal): how long an invitation's or a delivered letter's sign-in link
    # works, and a link asked for on the portal's sign-in page (each works once).
    PORTAL_INVITATION_HOURS = 7 * 24
    PORTAL_LINK_MINUTES = 30


class DevelopmentConfig(Config):
    """Local development on SQLite."""

    ENVIRONMENT = "development"
    DEBUG = True
    # Nothing listens on port 25 on a developer's machine: mail is logged and kept in instance/mail/.
    MAIL_BACKEND = "log"


class TestingConfig(Config):
    """The test suite: CSRF stays on; tests fetch the token like a browser does."""

    ENVIRONMENT = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # Cheap hashes keep the suite fast; the algorithm (Argon2id) is the same as in production.
    ARGON2_PARAMETERS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    RATELIMIT_ENABLED = True


class ProductionConfig(Config):
    """PostgreSQL behind gunicorn; secure cookies.

    Settings that must come from the environment are empty here: `ombudsman.deploy.unsafe_settings` names
    every one that is missing, and the app refuses to start.
    """

    ENVIRONMENT = "production"
    DEBUG = False
    SECRET_KEY = ""
    SQLALCHEMY_DATABASE_URI = ""
    PUBLIC_BASE_URL = ""
    PREFERRED_URL_SCHEME = "https"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = 365 * 24 * 3600


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None = None) -> type[Config]:
    """The config class named by the argument or by OMBUDSMAN_ENV; production when neither says.

    Failing closed: `gunicorn wsgi:app` with an empty environment gets production's checks, never the
    development defaults. Development and testing are explicit choices (`make run` sets development).
    Raises ValueError for an unknown name (a typo must not silently pick some other environment).
    """
    chosen = name or os.environ.get("OMBUDSMAN_ENV") or "production"
    if chosen not in CONFIGS:
        raise ValueError(f"OMBUDSMAN_ENV={chosen!r}: use {', '.join(CONFIGS)}; unset means production.")
    return CONFIGS[chosen]
