"""egov.blueprints.account: the citizen's open sessions, each of which they can end, seen
from two people's several browsers; never an address."""
from datetime import datetime, timezone

import pytest
import time_machine

from egov.identity import sessions
from egov.models import LoginSession

from .conftest import AuthActions, csrf_token
from .test_portal import text

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")
PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1")


def at(hour, minute):
    """A moment on 10 March 2026, in Baku time (UTC+4), frozen."""
    return time_machine.travel(datetime(2026, 3, 10, hour - 4, minute, tzinfo=timezone.utc),
                               tick=False)


def browser(app, agent, username="aysel", password=None):
    """A browser of its own (its own cookie) with this User-Agent, signed in."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    AuthActions(client).login(username, password or f"{username}-demo-1")
    return client


def signed_in(client):
    return client.get("/calls").status_code == 200


def sessions_part(client):
    page = text(client.get("/account/access-log"))
    return page.split('id="sessions-heading"')[1].split("</section>")[0]


def end_buttons(part):
    return part.count("Bu sessiyanı bitir<")


@pytest.fixture
def browsers(app, demo, db):
    """Aysel at home (Firefox) and at the office (Chrome), Rauf on his phone; a session
    Aysel left on a phone earlier that has been idle past the limit."""
    with at(11, 50):
        stale = browser(app, PHONE)
    with at(12, 0):
        home = browser(app, FIREFOX)
    with at(12, 4):
        office = browser(app, CHROME)
    with at(12, 9):
        assert signed_in(office)  # used: its last activity moves on
    with at(12, 10):
        rauf = browser(app, PHONE, "rauf")
    return {"home": home, "office": office, "rauf": rauf, "stale": stale}


def test_the_list_shows_each_open_session_with_means_browser_start_and_last_use(browsers):
    with at(12, 12):
        part = sessions_part(browsers["home"])
    cards = part.split('<li class="session-card')[1:]
    assert len(cards) == 2  # not Rauf's, not the one idle since 11:50
    assert "istifadəçi adı və şifrə</strong>,\n        Firefox" in cards[0]
    assert "(bu brauzer)" in cards[0] and "10.03.2026 12:00" in cards[0] and "indi" in cards[0]
    assert "Bu sessiyanı bitir" not in cards[0]  # this browser's own: that is «Çıxış»
    assert "Chrome" in cards[1] and "(bu brauzer)" not in cards[1]
    assert "10.03.2026 12:04" in cards[1] and "10.03.2026 12:09" in cards[1]
    assert end_buttons(part) == 1 and "Digər sessiyalarımı bitir" in part
    assert "127.0.0.1" not in part and "Mobile Safari" not in part


def test_ending_one_session_signs_that_browser_out_and_leaves_the_others(app, browsers):
    with at(12, 12):
        third = browser(app, PHONE)  # Aysel on her phone now, too
        home, office = browsers["home"], browsers["office"]
        part = sessions_part(home)
        assert end_buttons(part) == 2
        office_card = next(card for card in part.split("<li")[1:] if "Chrome" in card)
        action = office_card.split('action="')[1].split('"')[0]
        response = home.post(action, data={"csrf_token": csrf_token(home, "/account/access-log")},
                             follow_redirects=True)
        assert "Sessiya bitirildi." in text(response)
        assert not signed_in(office)
        assert signed_in(home) and signed_in(third) and signed_in(browsers["rauf"])
        part = sessions_part(home)
        assert "Chrome" not in part and "Mobile Safari" in part and end_buttons(part) == 1
        # The same button again (a second tab, Back): it says so, and ends nothing else.
        again = home.post(action, data={"csrf_token": csrf_token(home, "/account/access-log")},
                          follow_redirects=True)
        assert "Bu sessiya artıq bitib." in text(again)
        assert signed_in(home) and signed_in(third)


def test_no_one_can_end_a_session_that_is_not_one_of_their_other_sessions(app, browsers):
    with at(12, 12):
        home, rauf = browsers["home"], browsers["rauf"]
        rauf_token = LoginSession.get(LoginSession.citizen == rauf_citizen(rauf)).token
        own_token = home_token(home)
        token = csrf_token(home, "/account/access-log")
        for ref in (sessions.session_ref(rauf_token), sessions.session_ref(own_token),
                    rauf_token, "", "x" * 20, "%00", "ə" * 20):
            response = home.post(f"/account/sessions/{ref}/end", data={"csrf_token": token})
            assert response.status_code in (302, 404), ref
        assert signed_in(rauf) and signed_in(home) and signed_in(browsers["office"])


def rauf_citizen(client):
    from egov.models import Citizen

    return Citizen.get(username="rauf")


def home_token(client):
    with client.session_transaction() as cookie:
        return cookie[sessions.CITIZEN.cookie_key]


def test_ending_all_others_from_the_list_keeps_this_browser(app, browsers):
    with at(12, 12):
        home = browsers["home"]
        response = home.post("/account/sessions/end-others",
                             data={"csrf_token": csrf_token(home, "/account/access-log")},
                             follow_redirects=True)
        # The office's; the phone's, idle past the limit, had ended already.
        assert "Digər sessiyalarınız bitirildi: 1." in text(response)
        part = sessions_part(home)
        assert end_buttons(part) == 0 and "Başqa açıq sessiyanız yoxdur." in part
        assert signed_in(home) and not signed_in(browsers["office"])
        assert signed_in(browsers["rauf"])


def test_sessions_are_ended_only_by_a_post_with_the_form_token(app, browsers):
    with at(12, 12):
        home, office = browsers["home"], browsers["office"]
        part = sessions_part(home)
        action = part.split('action="/account/sessions/')[1].split('"')[0]
        assert home.get(f"/account/sessions/{action}").status_code == 405
        assert home.post(f"/account/sessions/{action}").status_code == 400  # no CSRF token
        assert signed_in(office)


def test_the_list_needs_a_signed_in_citizen(client, demo):
    response = client.post("/account/sessions/abc/end")
    assert response.status_code in (302, 400)
    assert client.get("/account/access-log").headers["Location"].startswith("/auth/login")
