"""The sign-in limiter's storage can restart: Redis (production's storage for the
attempt counters) reached through a TCP proxy of the test's own, which is cut while
citizens sign in. Sign-in keeps working, the limits still hold, nothing answers 500."""
import logging
import os
import time

import pytest
import redis

from egov import create_app
from egov.db import database

from .conftest import AuthActions, empty_database
from .support.tcp_proxy import TcpProxy

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")


@pytest.fixture
def redis_proxy():
    host, port = REDIS.split("//")[1].split("/")[0].split(":")
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("REQUIRE_REDIS"):
            raise
        pytest.skip(f"no Redis at {REDIS}")
    with TcpProxy(host, int(port)) as proxy:
        yield proxy


@pytest.fixture
def redis_app(database_url, redis_proxy):
    db_number = REDIS.rsplit("/", 1)[1]
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_proxy.port}/{db_number}"})
    empty_database()
    yield app
    if not database.is_closed():
        database.close()


def test_sign_in_keeps_working_and_limited_while_redis_is_away(redis_app, redis_proxy, caplog):
    from egov.demo import prepare_demo

    from .conftest import DATA_DIR

    with redis_app.app_context():
        prepare_demo(DATA_DIR)
    client = redis_app.test_client()
    auth = AuthActions(client)
    assert auth.login(password="guess-1").status_code == 303  # back to the sign-in page
    assert redis.Redis.from_url(REDIS).keys("*LIMITER*")  # the counters are in Redis

    redis_proxy.cut()
    caplog.set_level(logging.INFO)
    started = time.monotonic()
    assert auth.login().status_code == 302  # the citizen signs in while Redis is away
    assert time.monotonic() - started < 2
    for path in ("/", "/services", "/calls", "/calls/claims", "/auth/login"):
        assert client.get(path).status_code in (200, 302), path
    auth.logout()
    # The limits still hold, counted in this process's memory meanwhile.
    statuses = [auth.login(username="rauf", password=f"guess-{i}").status_code
                for i in range(6)]
    assert statuses == [303] * 5 + [429]  # five refusals back to the sign-in page, then the limit
    assert "falling back to in-memory storage" in caplog.text

    redis_proxy.restore()
    deadline = time.monotonic() + 20
    while "storage recovered" not in caplog.text and time.monotonic() < deadline:
        assert auth.login(username="nigar", password="nigar-demo-1").status_code == 302
        auth.logout()
        time.sleep(0.5)
    assert "Rate limit storage recovered" in caplog.text  # back to the shared counters
