"""egov.identity.sessions: the idle and absolute limits, the same for citizens and staff."""
from datetime import timedelta

import pytest

from egov.identity import sessions
from egov.timeutil import utcnow


class Clock:
    """The sessions module's clock, moved by the test (the app reads it on each request)."""

    def __init__(self, monkeypatch):
        self.now = utcnow()
        monkeypatch.setattr(sessions, "utcnow", lambda: self.now)

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _citizen_signed_in(client):
    return client.get("/calls").status_code == 200


def _staff_signed_in(client):
    return client.get("/staff/claims").status_code == 200


KINDS = {
    "citizen": (lambda auth, staff_auth: auth.login(), _citizen_signed_in),
    "staff": (lambda auth, staff_auth: staff_auth.login(), _staff_signed_in),
}


@pytest.mark.parametrize("kind", KINDS)
def test_an_active_session_outlives_a_short_idle_limit(app, client, auth, staff_auth, demo,
                                                       clock, kind):
    """With a one-minute idle limit, a request every 40 seconds keeps the session alive:
    the last activity must be written well before the limit, not once a minute."""
    app.config["SESSION_IDLE_MINUTES"] = 1
    sign_in, signed_in = KINDS[kind]
    sign_in(auth, staff_auth)
    for _ in range(4):
        clock.advance(seconds=40)
        assert signed_in(client)


@pytest.mark.parametrize("kind", KINDS)
def test_an_idle_session_ends_on_the_server(app, client, auth, staff_auth, demo, clock, kind):
    sign_in, signed_in = KINDS[kind]
    sign_in(auth, staff_auth)
    clock.advance(minutes=16)
    assert not signed_in(client)
    model = sessions.CITIZEN.model if kind == "citizen" else sessions.STAFF.model
    assert model.select().count() == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_session_ends_after_its_absolute_lifetime_however_active(app, client, auth,
                                                                  staff_auth, demo, clock,
                                                                  kind):
    sign_in, signed_in = KINDS[kind]
    sign_in(auth, staff_auth)
    for _ in range(47):  # every ten minutes for 7 h 50 min
        clock.advance(minutes=10)
        assert signed_in(client)
    clock.advance(minutes=11)
    assert not signed_in(client)


def test_the_absolute_lifetime_is_configurable(app, client, auth, demo, clock):
    app.config["SESSION_MAX_HOURS"] = 1
    auth.login()
    for _ in range(5):
        clock.advance(minutes=10)
        assert _citizen_signed_in(client)
    clock.advance(minutes=11)
    assert not _citizen_signed_in(client)


def test_ending_other_sessions_keeps_only_the_one_named(app, auth, demo, db):
    for _ in range(3):
        type(auth)(app.test_client()).login()
    rows = list(sessions.CITIZEN.model.select())
    keep = rows[0].token
    assert sessions.end_other_sessions(sessions.CITIZEN, rows[0].citizen, keep) == 2
    assert [row.token for row in sessions.CITIZEN.model.select()] == [keep]
