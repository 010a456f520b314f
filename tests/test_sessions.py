"""egov.identity.sessions: the idle and absolute limits, the same for citizens and staff."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from egov import config
from egov.identity import sessions
from egov.schema import create_tables
from egov.timeutil import to_baku, utcnow

from .support.pages import csrf_token
from .conftest import AuthActions

# The relying party and its provider on loopback, for the OIDC sign-in below.
from .support.sign_in import callback, start
from .support.shapes import built_anew


@pytest.fixture(autouse=True)
def session_reads_built_anew():
    """The session reads are built once per process (egov.db.SameShape): each test here
    builds them itself, or mutmut, running a test after others in one process, sees none
    of what a mutant of `sessions._with_owner` changes in them."""
    built_anew(*sessions.SESSION_BY_TOKEN.values())


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
    type(auth)(app.test_client()).login("rauf", "rauf-demo-1")  # another citizen's: untouched
    rauf = next(row for row in sessions.CITIZEN.model.select() if row.citizen.username == "rauf")
    assert sessions.end_other_sessions(sessions.CITIZEN, rows[0].citizen, keep) == 2
    assert {row.token for row in sessions.CITIZEN.model.select()} == {keep, rauf.token}


# --- Signing in renews the session: nothing from before carries over ---

def _plant(client):
    """What someone at the kiosk before the citizen might leave in the browser's cookie."""
    with client.session_transaction() as cookie:
        cookie["planted"] = "by the previous user"
        cookie["usage_count"] = 7  # would stop this sign-in from counting as a use


def _cookie_keys(client):
    with client.session_transaction() as cookie:
        return set(cookie)


def test_a_key_planted_before_a_password_sign_in_is_gone_after_it(client, auth, demo):
    _plant(client)
    assert auth.login().status_code == 302
    assert not _cookie_keys(client) & {"planted", "usage_count"}
    assert "İstifadə sayı: <strong>1</strong>" in client.get("/calls").get_data(as_text=True)


def test_a_key_planted_before_an_oidc_sign_in_is_gone_after_it(rp, provider, db):
    _plant(rp)
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    assert callback(rp, "asan", query["state"]).status_code == 302
    assert "Yeni Vətəndaş" in rp.get("/services").get_data(as_text=True)
    assert not _cookie_keys(rp) & {"planted", "usage_count"}


def _signed_in_token(client):
    with client.session_transaction() as cookie:
        return cookie.get(sessions.CITIZEN.cookie_key)


def test_two_browsers_get_two_sessions_and_signing_out_of_one_keeps_the_other(app, demo, db):
    """The rule: each browser has its own session; a sign-in elsewhere ends none of them."""
    from .conftest import AuthActions

    home, office = app.test_client(), app.test_client()
    AuthActions(home).login()
    AuthActions(office).login()
    tokens = {_signed_in_token(home), _signed_in_token(office)}
    assert len(tokens) == 2 and None not in tokens
    assert {row.token for row in sessions.CITIZEN.model.select()} == tokens
    assert _citizen_signed_in(home) and _citizen_signed_in(office)
    AuthActions(home).logout()
    assert not _citizen_signed_in(home)
    assert _citizen_signed_in(office)
    assert [row.token for row in sessions.CITIZEN.model.select()] == [_signed_in_token(office)]


def test_signing_in_again_in_the_same_browser_ends_the_earlier_session(app, client, auth,
                                                                        demo, db):
    auth.login()
    earlier = client.get_cookie("egov_session").value
    earlier_token = _signed_in_token(client)
    auth.login("rauf", "rauf-demo-1")
    assert sessions.CITIZEN.model.get_or_none(sessions.CITIZEN.model.token == earlier_token) \
        is None
    assert sessions.CITIZEN.model.select().count() == 1
    replayed = app.test_client()
    replayed.set_cookie("egov_session", earlier)
    assert not _citizen_signed_in(replayed)
    assert "Rauf Əliyev" in client.get("/services").get_data(as_text=True)


# --- The limits to the second, and what an ended staff session leaves behind ---


@pytest.fixture
def citizen_session(app, world, db):
    # find_session reads the request's flags (g.not_activity): an app context, as in a request.
    citizen = world.citizen("3CCCCCC", "Sınaq")
    with app.app_context():
        yield sessions.open_session(sessions.CITIZEN, citizen, means="password")


LIMITS = sessions.Limits(idle=timedelta(minutes=15), absolute=timedelta(hours=8),
                         warning=timedelta(minutes=2))


def _found(row, now):
    return sessions.find_session(sessions.CITIZEN, row.token, LIMITS, now=now) is not None


def test_a_session_lives_to_the_end_of_its_idle_limit_and_not_a_second_more(citizen_session):
    # Two sessions: finding one alive renews its last activity.
    other = sessions.open_session(sessions.CITIZEN, citizen_session.citizen, means="password")
    assert _found(citizen_session, citizen_session.last_seen_at + LIMITS.idle
                  - timedelta(seconds=1))
    assert not _found(other, other.last_seen_at + LIMITS.idle)
    # ended on the server, too
    assert [row.token for row in sessions.CITIZEN.model.select()] == [citizen_session.token]


def test_a_session_lives_to_the_end_of_its_absolute_limit_and_not_a_second_more(
        citizen_session):
    start = citizen_session.created_at
    for minutes in range(10, 8 * 60, 10):  # active every ten minutes, to the 8th hour
        assert _found(citizen_session, start + timedelta(minutes=minutes))
    assert _found(citizen_session, start + LIMITS.absolute - timedelta(seconds=1))
    assert not _found(citizen_session, start + LIMITS.absolute)


def test_last_activity_is_written_only_once_a_quarter_of_the_idle_limit_has_passed(
        citizen_session):
    """With the default 15-minute idle limit, a quarter is 3 min 45 s: a request at it
    writes nothing, one a second later writes its moment."""
    model = sessions.CITIZEN.model
    start = citizen_session.last_seen_at
    _found(citizen_session, start + timedelta(minutes=3, seconds=45))
    assert model.get().last_seen_at == start
    later = start + timedelta(minutes=3, seconds=46)
    _found(citizen_session, later)
    assert model.get().last_seen_at == later


def test_an_ended_staff_session_sends_to_the_sign_in_and_leaves_the_cookie(client, staff_auth,
                                                                          demo, clock):
    staff_auth.login()
    clock.advance(minutes=16)
    response = client.get("/staff/claims")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    with client.session_transaction() as cookie:
        assert sessions.STAFF.cookie_key not in cookie


def test_a_visitor_who_is_not_signed_in_is_given_no_cookie(client, demo):
    for path in ("/", "/services", "/calls/manual"):
        assert "Set-Cookie" not in client.get(path).headers, path




# --- The idle warning's side on the server (the script is tested in tests/browser/test_kiosk.py)

def _status(client):
    return client.get("/auth/session").get_json()


@pytest.mark.parametrize("kind", KINDS)
def test_asking_how_long_is_left_is_not_activity(app, client, auth, staff_auth, demo, clock,
                                                  kind):
    """The warning asks the server; if asking renewed the session it would never end."""
    sign_in, signed_in = KINDS[kind]
    sign_in(auth, staff_auth)
    clock.advance(minutes=10)
    status = _status(client)
    assert status["signed_in"] and status["remaining"] == pytest.approx(300, abs=2)
    assert status["message"] == "Sessiyanız 5 dəqiqədən sonra başa çatacaq."
    clock.advance(minutes=4, seconds=30)
    assert _status(client)["message"] == "Sessiyanız bir dəqiqədən az vaxtda başa çatacaq."
    clock.advance(seconds=31)
    assert _status(client) == {"signed_in": False, "remaining": 0}
    assert not signed_in(client)


@pytest.mark.parametrize("kind", KINDS)
def test_davam_et_renews_the_session_on_the_server(app, client, auth, staff_auth, demo, clock,
                                                   kind):
    """Even within the quarter in which an ordinary request writes nothing, «Davam et»
    gives the whole idle limit again."""
    sign_in, _signed_in = KINDS[kind]
    sign_in(auth, staff_auth)
    token = csrf_token(client, "/staff/claims" if kind == "staff" else "/calls")
    assert client.post("/auth/session/renew").status_code == 400  # no CSRF token: refused
    clock.advance(minutes=3)
    assert _status(client)["remaining"] == pytest.approx(720, abs=2)
    renewed = client.post("/auth/session/renew", headers={"X-CSRFToken": token}).get_json()
    assert renewed["remaining"] == pytest.approx(900, abs=2)
    assert _status(client)["remaining"] == pytest.approx(900, abs=2)


def test_a_signed_in_page_clears_itself_without_javascript(app, client, auth, demo, clock):
    auth.login()
    page = client.get("/calls?line=0183456789").get_data(as_text=True)
    head = page.split("</head>")[0]
    refresh = re.search(r'<noscript><meta http-equiv="refresh" content="(\d+); url=([^"]+)">'
                        r"</noscript>", head)
    assert refresh and int(refresh.group(1)) == pytest.approx(901, abs=2)
    assert refresh.group(2) == "/auth/session-ended?next=/calls?line%3D0183456789"
    assert re.search(r'<script src="/static/js/session(-[0-9a-f]{32})?\.js" defer></script>', head)
    ends = to_baku(clock.now + timedelta(minutes=15)).strftime("%H:%M")
    assert re.search(r"Heç nə etməsəniz, sessiyanız bu vaxt başa çatacaq:\s*<time[^>]*>"
                     + ends + "</time>", page)
    clock.advance(minutes=15, seconds=2)
    ended = client.get(refresh.group(2).replace("&amp;", "&"))
    body = ended.get_data(as_text=True)
    assert "Sessiyanız fəaliyyətsizlik səbəbindən başa çatdı" in body
    assert "Aysel" not in body and "012 440" not in body and "js/session" not in body
    assert 'href="/auth/login?next=/calls?line%3D0183456789"' in body
    assert ended.headers["Cache-Control"] == "no-store"
    assert client.get("/calls").status_code == 302
    assert sessions.CITIZEN.model.select().count() == 0


def test_the_signed_out_page_sends_back_a_session_another_tab_kept_alive(client, auth, demo):
    auth.login()
    response = client.get("/auth/session-ended?next=/calls")
    assert response.status_code == 302 and response.headers["Location"] == "/calls"


def test_a_staff_screen_clears_to_the_staff_sign_in(client, staff_auth, demo, clock):
    staff_auth.login()
    clock.advance(minutes=16)
    body = client.get("/auth/session-ended?next=/staff/claims").get_data(as_text=True)
    assert 'href="/staff/login?next=/staff/claims"' in body


def test_pages_of_nobody_signed_in_carry_no_timer(client, demo):
    page = client.get("/services").get_data(as_text=True)
    assert "http-equiv" not in page and "js/session" not in page and "session-warning" not in page


def test_an_htmx_answer_says_how_long_the_session_now_has(client, auth, demo, clock):
    auth.login()
    clock.advance(minutes=5)
    response = client.get("/calls?line=0183456789",
                          headers={"HX-Request": "true", "HX-Target": "call-report"})
    assert float(response.headers["X-Session-Remaining"]) == pytest.approx(900, abs=2)
    assert "X-Session-Remaining" not in client.get("/calls").headers  # whole pages say it inside


def test_a_short_idle_limit_warns_at_half_of_it(app, client, auth, demo, clock):
    """A two-minute warning in a one-minute session would be open from the first page."""
    app.config.update(SESSION_IDLE_SECONDS=60, SESSION_WARNING_SECONDS=120)
    auth.login()
    assert _status(client)["warning"] == 30


def test_in_its_last_second_the_session_counts_down_to_its_end(app, client, auth, demo, clock):
    """The warning closes the screen when nothing is left: not a second after the end."""
    auth.login()
    clock.advance(minutes=14, seconds=59.5)
    assert _status(client)["remaining"] == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize("kind, page, sign_out", [("citizen", "/calls", "/auth/logout"),
                                                  ("staff", "/staff/claims", "/staff/logout")])
def test_the_warnings_cikis_signs_out_of_the_pages_own_kind_of_session(
        client, auth, staff_auth, demo, kind, page, sign_out):
    """«Çıxış» in the warning posts to the sign-out of whoever the page is for; the staff
    one on a citizen's page would leave the citizen signed in, and the other way round."""
    sign_in, _signed_in = KINDS[kind]
    sign_in(auth, staff_auth)
    html = client.get(page).get_data(as_text=True)
    dialog = html[html.index('<dialog id="session-warning"'):html.index("</dialog>")]
    assert 'data-warning="120.0"' in dialog
    assert re.search(rf'<form class="inline" method="post" action="{sign_out}">\s*'
                     r'<input type="hidden" name="csrf_token"', dialog)


@pytest.mark.parametrize("kind", KINDS)
def test_the_session_token_is_43_url_safe_characters_of_32_bytes(client, auth, staff_auth,
                                                                 demo, kind):
    sign_in, _signed_in = KINDS[kind]
    sign_in(auth, staff_auth)
    (token,) = [row.token for row in getattr(sessions, kind.upper()).model.select()]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 bytes in URL-safe base64


@pytest.mark.parametrize("kind", KINDS)
def test_the_warnings_question_costs_one_statement(client, auth, staff_auth, demo, kind,
                                                   queries_for):
    """Asked every few seconds by every open tab: the session and its owner, read together."""
    sign_in, _signed_in = KINDS[kind]
    sign_in(auth, staff_auth)
    assert queries_for("/auth/session") == 1


@pytest.mark.parametrize("kind, page", [("citizen", "/calls"), ("staff", "/staff/claims")])
def test_a_page_reads_its_session_once(client, auth, staff_auth, demo, kind, page,
                                       statements_for):
    """The session is asked for by the view, the header, the idle warning: read once."""
    sign_in, _signed_in = KINDS[kind]
    sign_in(auth, staff_auth)
    table = getattr(sessions, kind.upper()).model._meta.table_name
    reads = [sql for sql in statements_for(page) if f'FROM "{table}"' in sql]
    assert len(reads) == 1, reads


def test_seconds_level_limits_and_the_warning_for_tests(app, client, auth, demo, clock):
    app.config.update(SESSION_IDLE_SECONDS=20, SESSION_WARNING_SECONDS=8)
    auth.login()
    assert _status(client)["warning"] == 8
    clock.advance(seconds=21)
    assert not _citizen_signed_in(client)


def test_kiosk_mode_shortens_the_limits(tmp_path):
    settings = config.from_environment(str(tmp_path), {"KIOSK_MODE": "1"})
    limits = sessions.Limits.from_config(settings)
    assert settings["KIOSK_MODE"] and limits.idle == timedelta(minutes=3)
    assert limits.warning == timedelta(minutes=1)
    default = sessions.Limits.from_config(config.from_environment(str(tmp_path), {}))
    assert default.idle == timedelta(minutes=15) and default.warning == timedelta(minutes=2)
    assert sessions.Limits.from_config(config.from_environment(
        str(tmp_path), {"KIOSK_MODE": "1", "SESSION_IDLE_MINUTES": "5"})).idle == timedelta(
        minutes=5)


def test_a_kiosk_remembers_nobody_after_sign_out(app, client, auth, demo):
    app.config["KIOSK_MODE"] = True
    login_page = client.get("/auth/login").get_data(as_text=True)
    assert 'autocomplete="username"' not in login_page and 'autocomplete="off"' in login_page
    auth.login()
    page = client.get("/calls").get_data(as_text=True)
    assert 'class="button exit-button">Çıxış</button>' in page
    client.set_cookie("lang", "ru")  # a language chosen at the kiosk
    response = auth.logout()
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    cleared = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("lang=")]
    assert cleared and "Expires=Thu, 01 Jan 1970" in cleared[0]
    assert client.get_cookie("lang") is None


def test_a_kiosk_sign_out_keeps_only_the_goodbye_and_the_page_after_clears_other_tabs(
        app, client, auth, demo):
    app.config["KIOSK_MODE"] = True
    auth.login()
    client.set_cookie("hx-history", "left by the last citizen")  # any cookie of this site
    response = auth.logout()
    set_cookies = response.headers.getlist("Set-Cookie")
    assert client.get_cookie("hx-history") is None
    # The session cookie stays (emptied on the server): it carries the goodbye message and
    # the word for session.js to clear this browser's other tabs, on the next page only.
    assert not [c for c in set_cookies if c.startswith("egov_session=") and "1970" in c]
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Siz portaldan çıxdınız." in after and "data-signed-out" in after
    assert "data-signed-out" not in client.get("/").get_data(as_text=True)


# --- What a session keeps for the citizen's list of open sessions ---

def test_a_sign_in_keeps_the_browsers_family_and_not_its_address(client, auth, demo, db):
    client.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    auth.login()
    [row] = sessions.CITIZEN.model.select()
    assert row.browser == "Firefox"
    assert "127.0.0.1" not in {str(value) for value in row.__data__.values()}


def test_a_database_made_before_the_browser_column_gets_it(app, world, db):
    citizen = world.citizen("3CCCCCC", "Sınaq")
    db.execute_sql("ALTER TABLE login_session DROP COLUMN browser")
    db.execute_sql("INSERT INTO login_session (token, citizen_id, means, created_at, "
                   f"last_seen_at) VALUES ('old', {int(citizen.id)}, 'password', "
                   "'2026-03-10 08:00:00', '2026-03-10 08:00:00')")
    create_tables()
    create_tables()  # again: nothing to do
    assert sessions.CITIZEN.model.get_by_id("old").browser == ""


# --- The default limits at their edges, under a frozen clock (the demo's Thursday,
# 24 December 2026, 15:00 in Baku = 11:00 UTC): expectations are literal times. ---

SIGN_IN_AT = datetime(2026, 12, 24, 11, 0, tzinfo=timezone.utc)


def _two_browsers_signed_in(app):
    browsers = [app.test_client(), app.test_client()]
    for browser in browsers:
        assert AuthActions(browser).login().status_code == 302
    return browsers


def test_by_default_a_session_idle_for_14_59_lives_and_one_idle_for_15_00_has_ended(app, demo):
    with time_machine.travel(SIGN_IN_AT, tick=False) as traveller:
        first, second = _two_browsers_signed_in(app)
        traveller.move_to(datetime(2026, 12, 24, 11, 14, 59, tzinfo=timezone.utc))
        status = _status(first)
        assert (status["signed_in"], status["remaining"]) == (True, 1.0)
        assert _citizen_signed_in(first)
        traveller.move_to(datetime(2026, 12, 24, 11, 15, tzinfo=timezone.utc))
        assert _status(second) == {"signed_in": False, "remaining": 0}
        assert not _citizen_signed_in(second)
        assert _citizen_signed_in(first)  # its activity at 11:14:59 moved its end to 11:29:59


def test_by_default_the_warning_comes_two_minutes_before_the_end(app, client, auth, demo):
    with time_machine.travel(SIGN_IN_AT, tick=False) as traveller:
        auth.login()
        page = client.get("/services").get_data(as_text=True)
        assert 'data-remaining="900.0"' in page and 'data-warning="120.0"' in page
        traveller.move_to(datetime(2026, 12, 24, 11, 13, tzinfo=timezone.utc))
        assert _status(client)["remaining"] == 120.0
        assert _status(client)["warning"] == 120.0


def test_by_default_an_active_session_lives_7_59_59_and_ends_at_8_00(app, client, auth, demo):
    with time_machine.travel(SIGN_IN_AT, tick=False) as traveller:
        auth.login()
        for minutes in range(14, 8 * 60, 14):  # a page every 14 minutes
            traveller.move_to(SIGN_IN_AT + timedelta(minutes=minutes))
            assert _citizen_signed_in(client), minutes
        traveller.move_to(datetime(2026, 12, 24, 18, 59, 59, tzinfo=timezone.utc))
        assert _citizen_signed_in(client)
        traveller.move_to(datetime(2026, 12, 24, 19, 0, tzinfo=timezone.utc))
        assert not _citizen_signed_in(client)


def _countdown(client):
    page = client.get("/services").get_data(as_text=True)
    shown = re.search(r'<time id="session-ends-at" datetime="([^"]+)">([^<]+)</time>', page)
    refresh = re.search(r'<meta http-equiv="refresh" content="(\d+);', page)
    return shown.group(1), shown.group(2), int(refresh.group(1)), _status(client)["remaining"]


def test_the_countdown_shows_the_idle_end_when_it_comes_first(app, client, auth, demo):
    with time_machine.travel(SIGN_IN_AT, tick=False) as traveller:
        auth.login()
        traveller.move_to(datetime(2026, 12, 24, 11, 10, tzinfo=timezone.utc))
        # The page is activity: 11:10 + 15 minutes, long before the 8-hour end (19:00).
        assert _countdown(client) == ("2026-12-24T11:25:00Z", "15:25", 901, 900.0)


def test_near_the_8_hour_end_the_countdown_shows_it_not_the_idle_end(app, client, auth, demo):
    with time_machine.travel(SIGN_IN_AT, tick=False) as traveller:
        auth.login()
        for minutes in range(14, 7 * 60 + 50, 14):
            traveller.move_to(SIGN_IN_AT + timedelta(minutes=minutes))
            assert _citizen_signed_in(client), minutes
        traveller.move_to(datetime(2026, 12, 24, 18, 50, tzinfo=timezone.utc))
        # Idle would end at 19:05 UTC; the session ends at 19:00 UTC (23:00 in Baku).
        assert _countdown(client) == ("2026-12-24T19:00:00Z", "23:00", 601, 600.0)
        traveller.move_to(datetime(2026, 12, 24, 18, 58, tzinfo=timezone.utc))
        assert _status(client)["remaining"] == 120.0  # the warning opens now, not at 19:03
