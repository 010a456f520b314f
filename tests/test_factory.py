import pytest

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
