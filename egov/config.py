"""Configuration read from the environment, with safe defaults for development.

A production deployment (EGOV_ENV=production) must say everything that matters;
a missing setting stops the app at start rather than running insecurely.
"""
import os
import secrets
from datetime import datetime
from pathlib import Path


class ConfigError(RuntimeError):
    """A required production setting is missing or unsafe."""


TEST_CLOCK_IN_PRODUCTION = "TEST_CLOCK moves the app's clock for tests: never in production"


def _bool(value, default=False):
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret_key(instance_path):
    """A key kept in instance/ so restarts and several workers share it."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


# The months before the current one a citizen can open and claim calls in.
DEFAULT_CLAIM_WINDOW_MONTHS = 2
# How long the operator's call records are kept beyond the claim window, for a dispute
# that goes on outside the portal (a complaint, a court case): three years. A choice of
# ours, not a reading of a law (docs/operators.md, "Retention and scheduled jobs").
CALL_RECORDS_KEPT_MONTHS = 36
DEFAULT_CALL_RETENTION_MONTHS = DEFAULT_CLAIM_WINDOW_MONTHS + CALL_RECORDS_KEPT_MONTHS


def _seconds(value):
    return int(value) if value else None


def _test_clock(value):
    """TEST_CLOCK=2026-12-24T11:00:00Z: the moment a testing app's clock starts from."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        # A moment without its offset would be read in the server's own zone.
        raise ConfigError("TEST_CLOCK must be an ISO moment with its offset, "
                          "e.g. 2026-12-24T11:00:00Z")
    return moment


def from_environment(instance_path, environ=None):
    env = os.environ if environ is None else environ
    # A misspelt «Production» must not quietly run as development (generated key, DEV_IDP).
    if env.get("EGOV_ENV", "development") not in ("development", "production"):
        raise ConfigError("EGOV_ENV must be development or production")
    production = env.get("EGOV_ENV", "development") == "production"
    # A public kiosk: strangers take turns at one screen, so the idle limit is shorter.
    kiosk = _bool(env.get("KIOSK_MODE"))
    claim_window = int(env.get("CLAIM_WINDOW_MONTHS", DEFAULT_CLAIM_WINDOW_MONTHS))
    config = {
        "EGOV_ENV": "production" if production else "development",
        "SECRET_KEY": env.get("SECRET_KEY"),
        "DATABASE_URL": env.get(
            "DATABASE_URL", f"sqlite:///{Path(instance_path) / 'egov.sqlite3'}"
        ),
        # How long a request waits for the database to come back (a restart, a failover)
        # before the citizen is shown «try again later» (503) instead.
        "DATABASE_RETRY_SECONDS": float(env.get("DATABASE_RETRY_SECONDS", "3")),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Redis restarts too: while it is away each process counts sign-in attempts in its
        # own memory (so the limits still hold, per process), logs that it does, and goes
        # back to Redis when it answers again. A deduction that fails is logged, not a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # A Redis that hangs instead of refusing must not hold a sign-in for long either.
        "RATELIMIT_STORAGE_OPTIONS": (
            {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
            if env.get("RATELIMIT_STORAGE_URI", "").startswith("redis") else {}),
        # Public kiosks: a forgotten session must not outlive its citizen for long.
        "KIOSK_MODE": kiosk,
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "3" if kiosk else "15")),
        # Seconds-level limits, for tests that watch a session run out (overrides minutes).
        "SESSION_IDLE_SECONDS": _seconds(env.get("SESSION_IDLE_SECONDS")),
        # The warning with «Davam et» comes this long before the idle limit (WCAG 2.2.1).
        "SESSION_WARNING_SECONDS": int(env.get("SESSION_WARNING_SECONDS",
                                               "60" if kiosk else "120")),
        # The access log («Məlumatlarıma kim baxıb?») keeps entries this long.
        "ACCESS_LOG_RETENTION_MONTHS": int(env.get("ACCESS_LOG_RETENTION_MONTHS", "12")),
        "CLAIM_WINDOW_MONTHS": claim_window,
        # On PostgreSQL, `flask prune-calls` drops the months of calls before the current
        # month and this many before it (egov.call_partitions); never inside the claim window.
        "CALL_RETENTION_MONTHS": int(env.get("CALL_RETENTION_MONTHS",
                                             claim_window + CALL_RECORDS_KEPT_MONTHS)),
        # However active, a session ends this long after sign-in (OWASP ASVS 3.3).
        "SESSION_MAX_HOURS": float(env.get("SESSION_MAX_HOURS", "8")),
        "SESSION_COOKIE_NAME": "egov_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "TRUSTED_PROXY_COUNT": int(env.get("TRUSTED_PROXY_COUNT", "0")),
        # The address citizens reach the portal at: the providers' return addresses are built
        # from it, never from the request's Host header, and other hosts are refused.
        "PUBLIC_URL": (env.get("PUBLIC_URL") or "").rstrip("/") or None,
        # Further host names the portal answers to (a load balancer's health check, say).
        "EXTRA_TRUSTED_HOSTS": [host.strip() for host in env.get("TRUSTED_HOSTS", "").split(",")
                                if host.strip()],
        # Strict-Transport-Security in production: a year unless said otherwise.
        "HSTS_MAX_AGE": int(env.get("HSTS_MAX_AGE", "31536000")),
        "BABEL_DEFAULT_LOCALE": "az",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Baku",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "DATA_DIR": env.get("EGOV_DATA_DIR", str(Path(__file__).resolve().parent.parent / "data")),
        # The PDF export's font (DejaVu Sans carries every Azerbaijani letter).
        "PDF_FONT_DIR": env.get("PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"),
        # Tests that run the app in a process of its own (browser, gunicorn) choose its date:
        # the process's clock starts at this moment and ticks on (egov/clock.py).
        "TEST_CLOCK": None if production else _test_clock(env.get("TEST_CLOCK")),
    }
    config.update(_sign_in_providers(env))
    if config["CALL_RETENTION_MONTHS"] < claim_window:
        raise ConfigError("CALL_RETENTION_MONTHS must be at least CLAIM_WINDOW_MONTHS: citizens "
                          "can still open and dispute the calls of the claim window")
    if production:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "PUBLIC_URL")
                   if not env.get(name)]
        if missing:
            raise ConfigError(f"production needs {', '.join(missing)} in the environment")
        if config["DATABASE_URL"].startswith("sqlite"):
            raise ConfigError("production needs PostgreSQL: DATABASE_URL=postgresql://…")
        if config["RATELIMIT_STORAGE_URI"].startswith("memory"):
            raise ConfigError(
                "production runs several processes: RATELIMIT_STORAGE_URI=redis://… is needed"
            )
        if not config["PUBLIC_URL"].startswith("https://"):
            raise ConfigError("PUBLIC_URL must be an https:// address in production")
        if config["DEV_IDP"]:
            raise ConfigError("DEV_IDP is a development identity provider: never in production")
        if env.get("TEST_CLOCK"):
            raise ConfigError(TEST_CLOCK_IN_PRODUCTION)
        for means in OIDC_MEANS:
            issuer = config[f"OIDC_{means.upper()}_ISSUER"]
            if issuer and not issuer.startswith("https://"):
                raise ConfigError(f"OIDC_{means.upper()}_ISSUER must be an https:// address")
    elif not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _development_secret_key(instance_path)
    return config


# --- Sign-in over OpenID Connect (egov/identity/oidc.py) and the development provider ---
OIDC_MEANS = ("asan", "eimza", "egov")


def _sign_in_providers(env):
    """One provider per means, each set by OIDC_<MEANS>_ISSUER/_CLIENT_ID/_CLIENT_SECRET."""
    settings = {
        "OIDC_FIN_CLAIM": env.get("OIDC_FIN_CLAIM", "fin"),
        "DEV_IDP": _bool(env.get("DEV_IDP")),
        # Where the development provider is reached, by the browser and by the portal itself.
        "DEV_IDP_URL": env.get("DEV_IDP_URL", "http://127.0.0.1:5001").rstrip("/"),
        "DEV_IDP_KEYS_DIR": env.get("DEV_IDP_KEYS_DIR"),
        "DEV_IDP_ASAN_TIMEOUT_SECONDS": int(env.get("DEV_IDP_ASAN_TIMEOUT_SECONDS", "120")),
        # ASAN İmza requests allowed per person and per address (egov/devidp/lockout.py),
        # e.g. "5 per 15 minutes"; unset, the provider's own limits hold.
        "DEV_IDP_ASAN_REQUESTS_PER_PERSON": env.get("DEV_IDP_ASAN_REQUESTS_PER_PERSON"),
        "DEV_IDP_ASAN_REQUESTS_PER_ADDRESS": env.get("DEV_IDP_ASAN_REQUESTS_PER_ADDRESS"),
        # e-gov identity's one-time codes sent per account, e.g. "3 per 15 minutes".
        "DEV_IDP_EGOV_CODES_PER_ACCOUNT": env.get("DEV_IDP_EGOV_CODES_PER_ACCOUNT"),
    }
    for means in OIDC_MEANS:
        parts = ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")
        names = [f"OIDC_{means.upper()}_{part}" for part in parts]
        settings.update({name: env.get(name) or None for name in names})
        given = [name for name in names if settings[name]]
        if given and len(given) < len(names):
            missing = ", ".join(name for name in names if not settings[name])
            raise ConfigError(f"{given[0]} is set, so {missing} must be set too")
    return settings
