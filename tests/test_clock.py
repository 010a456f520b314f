"""TEST_CLOCK: a testing app's clock at a chosen moment; production refuses the setting."""
import re
import time
from datetime import datetime, timezone

import pytest

from egov import clock, config, create_app
from egov.timeutil import utcnow

from .conftest import AuthActions

PRODUCTION = {"EGOV_ENV": "production", "SECRET_KEY": "x", "DATABASE_URL": "postgresql://db/e",
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
              "PUBLIC_URL": "https://portal.example"}
# 00:30 on the 1st of April in Baku, still the 31st of March in UTC: the month is Baku's.
APRIL_FIRST_IN_BAKU = "2025-03-31T20:30:00Z"


@pytest.fixture
def real_clock_after():
    """The test's own process travels: bring it back, whatever the test did."""
    yield
    clock.stop()


def test_production_refuses_a_test_clock_and_names_it(tmp_path):
    assert config.from_environment(tmp_path, environ=PRODUCTION)["TEST_CLOCK"] is None
    with pytest.raises(config.ConfigError, match="TEST_CLOCK .* never in production"):
        config.from_environment(tmp_path, environ={**PRODUCTION,
                                                   "TEST_CLOCK": "2026-12-24T11:00:00Z"})


def test_a_production_app_refuses_a_test_clock_brought_by_its_test_config(
        app, database_url, real_clock_after):
    moment = datetime(2040, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(config.ConfigError, match="TEST_CLOCK .* never in production"):
        create_app({**app.config, "EGOV_ENV": "production", "TEST_CLOCK": moment})
    assert utcnow().year < 2040


@pytest.mark.parametrize("value", ["2026-12-24T11:00:00", "2026-12-24", "tomorrow",
                                   "2026-13-01T00:00:00Z", "1766574000", "2026-12-24T11:00Z;"])
def test_a_test_clock_without_a_clear_moment_refuses_to_start(tmp_path, value):
    with pytest.raises(config.ConfigError, match=re.escape("TEST_CLOCK must be an ISO moment")):
        config.from_environment(tmp_path, environ={"TEST_CLOCK": value})


def test_development_reads_the_moment_with_its_offset(tmp_path):
    assert config.from_environment(tmp_path, environ={})["TEST_CLOCK"] is None
    assert config.from_environment(tmp_path, environ={"TEST_CLOCK": ""})["TEST_CLOCK"] is None
    moment = config.from_environment(
        tmp_path, environ={"TEST_CLOCK": "2026-12-24T15:00:00+04:00"})["TEST_CLOCK"]
    assert moment == datetime(2026, 12, 24, 11, tzinfo=timezone.utc)


def test_a_testing_app_shows_the_month_of_its_clock(
        app, database_url, world, monkeypatch, real_clock_after):
    world.citizen("3CCCCCC", "Sınaq", "sinaq", "sinaq-parol-1")
    monkeypatch.setenv("TEST_CLOCK", APRIL_FIRST_IN_BAKU)
    clocked = create_app({"TESTING": True, "DATABASE_URL": database_url,
                          "SECRET_KEY": "test-secret", "FAST_PASSWORD_HASHING": True})
    assert utcnow().strftime("%Y-%m-%d %H:%M") == "2025-03-31 20:30"
    client = clocked.test_client()
    AuthActions(client).login("sinaq", "sinaq-parol-1")
    page = client.get("/calls").get_data(as_text=True)
    assert "aprel 2025 ayında sizin adınıza qeydiyyatda olan telefon nömrəsi olmayıb" in page
    options = re.findall(r'<option value="(\d{4}-\d\d)"[^>]*>([^<]+)</option>', page)
    assert options == [("2025-04", "aprel 2025"), ("2025-03", "mart 2025"),
                       ("2025-02", "fevral 2025")]
    # The clock ticks on from there: sessions and limits keep running.
    first = utcnow()
    time.sleep(0.05)
    assert utcnow() > first
    # Once per process: a second app made in it keeps the first one's clock.
    monkeypatch.setenv("TEST_CLOCK", "2030-01-01T00:00:00Z")
    create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret"})
    assert utcnow().strftime("%Y-%m") == "2025-03"
    # Stopped (as a test's own process does), the real clock is back, and a later app
    # may start another.
    clock.stop()
    assert utcnow() > datetime(2026, 12, 1)  # naive UTC, as the database keeps it
    create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret"})
    assert utcnow().strftime("%Y-%m") == "2030-01"
