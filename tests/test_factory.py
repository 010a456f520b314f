import re

import pytest
from flask import url_for
from werkzeug.routing import BuildError

from egov import config, create_app


def test_development_defaults_to_sqlite_under_instance(tmp_path):
    settings = config.from_environment(tmp_path, environ={})
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'egov.sqlite3'}"
    assert settings["SECRET_KEY"]
    # The development key is kept, so restarts and several workers share sessions.
    assert config.from_environment(tmp_path, environ={})["SECRET_KEY"] == settings["SECRET_KEY"]


@pytest.mark.parametrize(
    "environ, missing",
    [
        ({"EGOV_ENV": "production"}, "SECRET_KEY"),
        ({"EGOV_ENV": "production", "SECRET_KEY": "x"}, "DATABASE_URL"),
        ({"EGOV_ENV": "production", "SECRET_KEY": "x", "DATABASE_URL": "postgresql://db/egov"},
         "PUBLIC_URL"),
        ({"EGOV_ENV": "production", "SECRET_KEY": "x", "DATABASE_URL": "postgresql://db/egov",
          "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
          "PUBLIC_URL": "http://portal.example"},
         "PUBLIC_URL must be an https"),
        ({"EGOV_ENV": "production", "SECRET_KEY": "x", "DATABASE_URL": "sqlite:///x.db",
          "PUBLIC_URL": "https://portal.example"}, "PostgreSQL"),
        ({"EGOV_ENV": "production", "SECRET_KEY": "x",
          "DATABASE_URL": "postgresql://db/egov", "PUBLIC_URL": "https://portal.example"},
         "RATELIMIT_STORAGE_URI"),
    ],
)
def test_production_refuses_to_start_without_its_settings(tmp_path, environ, missing):
    with pytest.raises(config.ConfigError, match=missing):
        config.from_environment(tmp_path, environ=environ)


@pytest.mark.parametrize("value", ["Production", "prod", "production ", "staging"])
def test_an_unknown_environment_name_refuses_to_start(tmp_path, value):
    # Otherwise a typo runs production as development: generated key, DEV_IDP allowed.
    with pytest.raises(config.ConfigError, match="EGOV_ENV"):
        config.from_environment(tmp_path, environ={"EGOV_ENV": value, "DEV_IDP": "1"})


@pytest.mark.parametrize("environ, months", [
    ({}, 38),  # the claim window (2) and three years of the operator's records
    ({"CLAIM_WINDOW_MONTHS": "3"}, 39),
    ({"CALL_RETENTION_MONTHS": "2"}, 2),  # just the claim window: allowed
])
def test_calls_are_kept_the_claim_window_and_three_years_unless_said(tmp_path, environ, months):
    assert config.from_environment(tmp_path, environ=environ)["CALL_RETENTION_MONTHS"] == months


def test_calls_cannot_be_kept_less_than_the_claim_window(tmp_path):
    with pytest.raises(config.ConfigError, match="CALL_RETENTION_MONTHS must be at least "
                                                 "CLAIM_WINDOW_MONTHS"):
        config.from_environment(tmp_path, environ={"CALL_RETENTION_MONTHS": "1"})


def test_production_cookies_are_secure(tmp_path):
    settings = config.from_environment(tmp_path, environ={
        "EGOV_ENV": "production", "SECRET_KEY": "x", "DATABASE_URL": "postgresql://db/egov",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "PUBLIC_URL": "https://portal.example",
    })
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True


def test_health_endpoint(client):
    response = client.get("/healthz")
    assert response.get_json() == {"status": "ok"}


def test_first_run_creates_the_embedded_database_with_its_catalogue(tmp_path):
    from egov.db import database
    from egov.models import Agency

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    try:
        app = create_app({"DATABASE_URL": url})
        assert app.test_client().get("/services").status_code == 200
        with database.connection_context():
            assert Agency.select().count() > 5
    finally:
        database.initialize(None)


def test_a_request_on_another_thread_is_served(app):
    """flask run and threaded workers serve each request on a thread of their own, with a
    connection the pool may have opened on another."""
    import threading

    statuses = []

    def visit():
        statuses.append(app.test_client().get("/services").status_code)

    for _ in range(3):
        worker = threading.Thread(target=visit)
        worker.start()
        worker.join()
    assert statuses == [200, 200, 200]


DATA_DIR = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "data")
NO_PROVIDER = {f"OIDC_{means}_{part}": None for means in ("ASAN", "EIMZA", "EGOV")
               for part in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")}


def test_every_default_of_a_development_start_is_the_documented_one(tmp_path):
    """docs/operators.md, "Configuration": what an empty environment gives."""
    settings = config.from_environment(tmp_path, environ={})
    del settings["SECRET_KEY"], settings["DATABASE_URL"]  # the test above
    assert settings == {
        "EGOV_ENV": "development", "DATABASE_RETRY_SECONDS": 3.0,
        "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True, "RATELIMIT_STORAGE_OPTIONS": {},
        "KIOSK_MODE": False, "SESSION_IDLE_MINUTES": 15, "SESSION_IDLE_SECONDS": None,
        "SESSION_WARNING_SECONDS": 120, "ACCESS_LOG_RETENTION_MONTHS": 12,
        "CLAIM_WINDOW_MONTHS": 2, "CALL_RETENTION_MONTHS": 38, "SESSION_MAX_HOURS": 8.0,
        "SESSION_COOKIE_NAME": "egov_session", "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax", "SESSION_COOKIE_SECURE": False,
        "TRUSTED_PROXY_COUNT": 0, "PUBLIC_URL": None, "EXTRA_TRUSTED_HOSTS": [],
        "HSTS_MAX_AGE": 31536000, "BABEL_DEFAULT_LOCALE": "az",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Baku", "WTF_CSRF_TIME_LIMIT": None,
        "DATA_DIR": DATA_DIR, "PDF_FONT_DIR": "/usr/share/fonts/truetype/dejavu",
        "TEST_CLOCK": None, "OIDC_FIN_CLAIM": "fin", "DEV_IDP": False,
        "DEV_IDP_URL": "http://127.0.0.1:5001", "DEV_IDP_KEYS_DIR": None,
        "DEV_IDP_ASAN_TIMEOUT_SECONDS": 120, "DEV_IDP_ASAN_REQUESTS_PER_PERSON": None,
        "DEV_IDP_ASAN_REQUESTS_PER_ADDRESS": None, "DEV_IDP_EGOV_CODES_PER_ACCOUNT": None,
        **NO_PROVIDER,
    }


def test_every_setting_is_read_from_the_environment(tmp_path):
    settings = config.from_environment(tmp_path, environ={
        "SECRET_KEY": "s3cret", "DATABASE_URL": "postgresql://db/egov",
        "DATABASE_RETRY_SECONDS": "0.5", "RATELIMIT_STORAGE_URI": "redis://cache:6379/0",
        "KIOSK_MODE": "yes", "SESSION_IDLE_MINUTES": "4", "SESSION_IDLE_SECONDS": "30",
        "SESSION_WARNING_SECONDS": "45", "ACCESS_LOG_RETENTION_MONTHS": "24",
        "CLAIM_WINDOW_MONTHS": "3", "SESSION_MAX_HOURS": "0.5", "SESSION_COOKIE_SECURE": "on",
        "TRUSTED_PROXY_COUNT": "1", "PUBLIC_URL": "https://portal.example/",
        "TRUSTED_HOSTS": " lb.internal , ,health.internal", "HSTS_MAX_AGE": "600",
        "EGOV_DATA_DIR": "/srv/data", "PDF_FONT_DIR": "/srv/fonts", "OIDC_FIN_CLAIM": "pin",
        "DEV_IDP": "TRUE", "DEV_IDP_URL": "http://idp.local:5001/", "DEV_IDP_KEYS_DIR": "/k",
        "DEV_IDP_ASAN_TIMEOUT_SECONDS": "30",
        "DEV_IDP_ASAN_REQUESTS_PER_PERSON": "5 per 15 minutes",
        "DEV_IDP_ASAN_REQUESTS_PER_ADDRESS": "20 per hour",
        "DEV_IDP_EGOV_CODES_PER_ACCOUNT": "3 per 15 minutes",
        "OIDC_ASAN_ISSUER": "https://asan.example", "OIDC_ASAN_CLIENT_ID": "portal",
        "OIDC_ASAN_CLIENT_SECRET": "s", "OIDC_EGOV_CLIENT_ID": "",
    })
    assert settings == {
        "EGOV_ENV": "development", "SECRET_KEY": "s3cret", "DATABASE_URL": "postgresql://db/egov",
        "DATABASE_RETRY_SECONDS": 0.5, "RATELIMIT_STORAGE_URI": "redis://cache:6379/0",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True, "RATELIMIT_SWALLOW_ERRORS": True,
        # A hanging Redis must not hold a sign-in for long.
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        "KIOSK_MODE": True, "SESSION_IDLE_MINUTES": 4, "SESSION_IDLE_SECONDS": 30,
        "SESSION_WARNING_SECONDS": 45, "ACCESS_LOG_RETENTION_MONTHS": 24,
        "CLAIM_WINDOW_MONTHS": 3, "CALL_RETENTION_MONTHS": 39, "SESSION_MAX_HOURS": 0.5,
        "SESSION_COOKIE_NAME": "egov_session", "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax", "SESSION_COOKIE_SECURE": True,
        "TRUSTED_PROXY_COUNT": 1, "PUBLIC_URL": "https://portal.example",
        "EXTRA_TRUSTED_HOSTS": ["lb.internal", "health.internal"], "HSTS_MAX_AGE": 600,
        "BABEL_DEFAULT_LOCALE": "az", "BABEL_DEFAULT_TIMEZONE": "Asia/Baku",
        "WTF_CSRF_TIME_LIMIT": None, "DATA_DIR": "/srv/data", "PDF_FONT_DIR": "/srv/fonts",
        "TEST_CLOCK": None, "OIDC_FIN_CLAIM": "pin", "DEV_IDP": True,
        "DEV_IDP_URL": "http://idp.local:5001", "DEV_IDP_KEYS_DIR": "/k",
        "DEV_IDP_ASAN_TIMEOUT_SECONDS": 30,
        "DEV_IDP_ASAN_REQUESTS_PER_PERSON": "5 per 15 minutes",
        "DEV_IDP_ASAN_REQUESTS_PER_ADDRESS": "20 per hour",
        "DEV_IDP_EGOV_CODES_PER_ACCOUNT": "3 per 15 minutes",
        **NO_PROVIDER, "OIDC_ASAN_ISSUER": "https://asan.example",
        "OIDC_ASAN_CLIENT_ID": "portal", "OIDC_ASAN_CLIENT_SECRET": "s",
    }


@pytest.mark.parametrize("value, on", [
    ("1", True), ("true", True), ("yes", True), ("on", True), (" On ", True), ("YES", True),
    ("0", False), ("no", False), ("off", False), ("", False), ("kiosk", False)])
def test_a_switch_is_on_only_when_it_says_so(tmp_path, value, on):
    settings = config.from_environment(tmp_path, environ={"KIOSK_MODE": value})
    assert (settings["KIOSK_MODE"], settings["SESSION_IDLE_MINUTES"],
            settings["SESSION_WARNING_SECONDS"]) == ((True, 3, 60) if on else (False, 15, 120))


GOOD_PRODUCTION = {"EGOV_ENV": "production", "SECRET_KEY": "x",
                   "DATABASE_URL": "postgresql://db/egov",
                   "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
                   "PUBLIC_URL": "https://portal.example"}


@pytest.mark.parametrize("environ, message", [
    ({"EGOV_ENV": "production"},
     "production needs SECRET_KEY, DATABASE_URL, PUBLIC_URL in the environment"),
    ({"EGOV_ENV": "production", "SECRET_KEY": "x"},
     "production needs DATABASE_URL, PUBLIC_URL in the environment"),
    ({**GOOD_PRODUCTION, "DATABASE_URL": "sqlite:///x.db"},
     "production needs PostgreSQL: DATABASE_URL=postgresql://…"),
    ({**GOOD_PRODUCTION, "RATELIMIT_STORAGE_URI": "memory://"},
     "production runs several processes: RATELIMIT_STORAGE_URI=redis://… is needed"),
    ({**GOOD_PRODUCTION, "PUBLIC_URL": "http://portal.example"},
     "PUBLIC_URL must be an https:// address in production"),
    ({**GOOD_PRODUCTION, "DEV_IDP": "1"},
     "DEV_IDP is a development identity provider: never in production"),
    ({**GOOD_PRODUCTION, "OIDC_EIMZA_ISSUER": "http://eimza.example",
      "OIDC_EIMZA_CLIENT_ID": "p", "OIDC_EIMZA_CLIENT_SECRET": "s"},
     "OIDC_EIMZA_ISSUER must be an https:// address"),
    ({"OIDC_EGOV_CLIENT_ID": "portal"},
     "OIDC_EGOV_CLIENT_ID is set, so OIDC_EGOV_ISSUER, OIDC_EGOV_CLIENT_SECRET must be set too"),
    ({"EGOV_ENV": "Production"}, "EGOV_ENV must be development or production"),
    ({"TEST_CLOCK": "2026-12-24T11:00:00"},
     "TEST_CLOCK must be an ISO moment with its offset, e.g. 2026-12-24T11:00:00Z"),
    ({**GOOD_PRODUCTION, "TEST_CLOCK": "2026-12-24T11:00:00Z"},
     "TEST_CLOCK moves the app's clock for tests: never in production"),
    # Production is told the setting has no place there, not how to write its moment.
    ({**GOOD_PRODUCTION, "TEST_CLOCK": "2026-12-24"},
     "TEST_CLOCK moves the app's clock for tests: never in production"),
    ({"CALL_RETENTION_MONTHS": "1"},
     "CALL_RETENTION_MONTHS must be at least CLAIM_WINDOW_MONTHS: citizens can still open "
     "and dispute the calls of the claim window"),
])
def test_each_refusal_says_exactly_what_to_set(tmp_path, environ, message):
    with pytest.raises(config.ConfigError) as refused:
        config.from_environment(tmp_path, environ=environ)
    assert str(refused.value) == message


def test_a_complete_production_environment_starts_with_secure_cookies(tmp_path):
    settings = config.from_environment(tmp_path, environ={
        **GOOD_PRODUCTION, "OIDC_ASAN_ISSUER": "https://asan.example",
        "OIDC_ASAN_CLIENT_ID": "portal", "OIDC_ASAN_CLIENT_SECRET": "s"})
    assert (settings["EGOV_ENV"], settings["SECRET_KEY"], settings["SESSION_COOKIE_SECURE"],
            settings["DEV_IDP"]) == ("production", "x", True, False)
    assert not (tmp_path / "secret_key").exists()  # never a generated key in production


def test_the_development_key_is_long_and_readable_by_its_owner_only(tmp_path):
    key = config.from_environment(tmp_path / "instance", environ={})["SECRET_KEY"]
    path = tmp_path / "instance" / "secret_key"
    assert len(key) == 64 and path.read_text() == key  # 48 random bytes, URL-safe
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_development_start_makes_its_instance_folder_however_deep(tmp_path):
    """A first start whose instance folder lies under directories not made yet (a packaged
    install's /var/lib/egov/instance) makes them and keeps its key there, not a traceback."""
    instance = tmp_path / "var" / "lib" / "egov" / "instance"
    key = config.from_environment(instance, environ={})["SECRET_KEY"]
    assert (instance / "secret_key").read_text() == key


# Portal.url_for keeps the addresses that never change; each case below is one way a kept
# address could be handed to a request it is wrong for.

def test_a_kept_address_follows_the_mount_point(app):
    for root, expected in (("", "/services"), ("/egov", "/egov/services"), ("", "/services")):
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            assert url_for("portal.all_services") == expected


def test_an_address_with_values_or_options_is_built_for_each(app):
    with app.test_request_context("/"):
        assert url_for("calls.report") == "/calls"
        assert url_for("calls.report", line="0124401234") == "/calls?line=0124401234"
        assert url_for("calls.report", line="0502223344") == "/calls?line=0502223344"
        assert url_for("portal.all_services") == "/services"
        assert url_for("portal.all_services", _anchor="ministry") == "/services#ministry"
        assert url_for("portal.all_services", _external=True) == "http://localhost/services"
        assert url_for("portal.all_services", _scheme="https") == "https://localhost/services"
        with pytest.raises(BuildError):  # the services are only asked for with GET
            url_for("portal.all_services", _method="POST")


def test_a_relative_endpoint_names_the_blueprint_of_each_request(app):
    with app.test_request_context("/calls/claims"):
        assert url_for(".index") == "/calls/claims"
    with app.test_request_context("/services"):
        assert url_for(".index") == "/"
    with app.test_request_context("/staff/login"):
        assert url_for(".login") == "/staff/login"


def test_outside_a_request_the_address_is_a_full_one(app):
    with app.test_request_context("/"):
        assert url_for("portal.all_services") == "/services"
    app.config["SERVER_NAME"] = "portal.example"
    with app.app_context():
        assert url_for("portal.all_services") == "http://portal.example/services"


def test_a_static_file_is_named_by_its_hash_every_time(app, built):
    with app.test_request_context("/"):
        first = url_for("static", filename="css/portal.css")
        assert re.fullmatch(r"/static/css/portal-[0-9a-f]{32}\.css", first)
        assert url_for("static", filename="css/portal.css") == first
        assert url_for("static", filename="no/such.css") == "/static/no/such.css"


def test_a_static_name_a_client_makes_up_is_never_kept(app, client, built):
    # A 404 page names its own address in each language, from the path the client sent.
    for n in range(3):
        assert client.get(f"/static/made-up-{n}.css").status_code == 404
    kept = [key for key in app._fixed_addresses if "made-up" in str(key)]
    assert kept == []
    assert client.get("/").status_code == 200
    assert ("", "static", "css/portal.css") in app._fixed_addresses


def test_no_more_than_1024_addresses_are_kept_whatever_mount_point_is_claimed(app):
    # SCRIPT_NAME is the server's, but a proxy set up to pass a client's on would let the
    # client choose it: each claimed mount point is one more address.
    for n in range(1025):
        with app.test_request_context("/", base_url=f"http://localhost/m{n}/"):
            assert url_for("portal.all_services") == f"/m{n}/services"
    assert len(app._fixed_addresses) == 1024
