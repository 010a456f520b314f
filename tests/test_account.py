"""egov.blueprints.account: the citizen's open sessions, each of which they can end, seen
from two people's several browsers (never an address); and «Şifrəni dəyiş», with the
current password or, after elektron imza or ASAN İmza, without it."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from egov import access_log
from egov.identity import citizens, sessions
from egov.models import AccessEntry, Citizen, LoginSession

from .conftest import AuthActions
from .support.pages import csrf_token, text
from .support.sign_in import NEW_FIN, callback, start

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")
PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1")


def at(hour, minute, second=0, day=10):
    """A moment of March 2026 (the 10th unless said), in Baku time (UTC+4), frozen."""
    return time_machine.travel(datetime(2026, 3, day, hour, minute, second,
                                        tzinfo=timezone(timedelta(hours=4))), tick=False)


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


def test_a_page_names_another_session_by_a_digest_never_by_its_token(app, browsers):
    """The token is the cookie's secret: the list and its form name the office's session by
    the first 20 hexadecimal digits of the token's SHA-256."""
    with at(12, 12):
        office_token = cookie_token(browsers["office"])
        LoginSession.update(token="office-token").where(
            LoginSession.token == office_token).execute()
        part = sessions_part(browsers["home"])
    assert 'action="/account/sessions/736335b7477b56e8c7e8/end"' in part
    assert "office-token" not in part and office_token not in part


EDGE = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0")


def test_the_others_are_listed_last_used_first_and_of_two_used_at_once_the_newer_first(
        app, demo, db):
    """The office's session began first but was used at 12:10, as the phone signed in: the
    phone's (newer) comes first, then the office's, then the laptop's, last used at 12:05."""
    with at(12, 0):
        office = browser(app, CHROME)
    with at(12, 5):
        browser(app, EDGE)
    with at(12, 10):
        assert signed_in(office)
        browser(app, PHONE)
    with at(12, 12):
        part = sessions_part(browser(app, FIREFOX))
    cards = part.split('<li class="session-card')[1:]
    families = [re.search(r"</strong>,\s*([^<]+?)\s*(<span|</p>)", card).group(1)
                for card in cards]
    assert families == ["Firefox", "Mobile Safari", "Chrome", "Edge"]


def test_a_session_used_past_midnight_shows_the_day_it_began_and_the_day_last_used(app, demo,
                                                                                  db):
    with at(23, 55):
        office = browser(app, CHROME)
    with at(0, 5, day=11):
        assert signed_in(office)
    with at(0, 7, day=11):
        part = sessions_part(browser(app, FIREFOX))
    office_card = next(card for card in part.split("<li")[1:] if "Chrome" in card)
    facts = re.findall(r"<dt>([^<]*)</dt>\s*<dd>([^<]*)</dd>", office_card)
    assert facts == [("Daxil olub", "10.03.2026 23:55"), ("Son fəaliyyət", "11.03.2026 00:05")]


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
    # Aysel's access log keeps what she did, once, with how many sessions ended; the
    # second press ended nothing and wrote nothing.
    ended = AccessEntry.select().where(AccessEntry.action == access_log.SESSIONS_ENDED)
    assert [(entry.citizen.username, entry.actor_kind, entry.detail) for entry in ended] == [
        ("aysel", "citizen", "1")]


def test_no_one_can_end_a_session_that_is_not_one_of_their_other_sessions(app, browsers):
    with at(12, 12):
        home, rauf = browsers["home"], browsers["rauf"]
        rauf_token = LoginSession.get(LoginSession.citizen == Citizen.get(username="rauf")).token
        own_token = cookie_token(home)
        token = csrf_token(home, "/account/access-log")
        for ref in (sessions.session_ref(rauf_token), sessions.session_ref(own_token),
                    rauf_token, "", "x" * 20, "%00", "ə" * 20):
            response = home.post(f"/account/sessions/{ref}/end", data={"csrf_token": token})
            # A NUL is refused before any page (400, docs/security.md); the rest end nothing.
            assert response.status_code in ((400,) if ref == "%00" else (302, 404)), ref
        assert signed_in(rauf) and signed_in(home) and signed_in(browsers["office"])


def cookie_token(client):
    """The session token this browser's cookie carries."""
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


def assert_ended_for_both(home, office):
    """The office's session, just past its limit, is gone from home's list and not counted
    by «Digər sessiyalarımı bitir», and the office browser is signed out."""
    part = sessions_part(home)
    assert "Chrome" not in part and "Başqa açıq sessiyanız yoxdur." in part
    assert "Başqa açıq sessiyanız yox idi." in end_others(home)
    assert not signed_in(office)


def end_others(client):
    response = client.post("/account/sessions/end-others",
                           data={"csrf_token": csrf_token(client, "/account/access-log")},
                           follow_redirects=True)
    return text(response)


def test_a_session_idle_for_exactly_the_limit_is_no_longer_listed_nor_counted(app, demo, db):
    """At the default limit's edge the list agrees with the session itself: idle 14:59 it
    is open (listed, and counted when ended), idle 15:00 it has ended (a page of its own
    sends that browser to the sign-in)."""
    with at(12, 0):
        office = browser(app, CHROME)
    with at(12, 5):
        home = browser(app, FIREFOX)
    with at(12, 14, 59):
        assert "Chrome" in sessions_part(home)
    with at(12, 15):
        assert_ended_for_both(home, office)


def test_a_session_at_exactly_eight_hours_is_no_longer_listed_nor_counted(app, demo, db):
    """However active, a session ends eight hours after its sign-in, to the second: at
    19:59:59 the list shows the office's session begun at 12:00, at 20:00:00 it does not,
    and «Digər sessiyalarımı bitir» counts none."""
    with at(12, 0):
        office = browser(app, CHROME)
    for minutes in range(14, 8 * 60, 14):  # a page every 14 minutes, to 19:56
        with at(12 + minutes // 60, minutes % 60):
            assert signed_in(office), minutes
    with at(19, 59, 59):
        home = browser(app, FIREFOX)
        assert "Chrome" in sessions_part(home)
    with at(20, 0):
        assert_ended_for_both(home, office)


def test_the_list_needs_a_signed_in_citizen(client, demo):
    response = client.post("/account/sessions/abc/end")
    assert response.status_code in (302, 400)
    assert client.get("/account/access-log").headers["Location"].startswith("/auth/login")


# --- «Şifrəni dəyiş» ------------------------------------------------------------------

NEW = "üç söz bir şifrə"  # 16 characters, not ASCII: as a citizen may well type it


def change(client, **fields):
    data = {"csrf_token": csrf_token(client, "/account/password"), **fields}
    return client.post("/account/password", data=data)


def password_fields(page):
    return [name for name in ("current_password", "new_password", "new_password_again")
            if f'name="{name}"' in page]


def can_sign_in(app, password, username="aysel"):
    return AuthActions(app.test_client()).login(username, password).status_code == 302


def last_entry():
    return AccessEntry.select().order_by(AccessEntry.id.desc()).get()


def test_a_password_holder_changes_it_and_their_other_sessions_end(app, demo, db):
    home, office = browser(app, FIREFOX), browser(app, CHROME)
    rauf = browser(app, PHONE, "rauf")
    page = text(home.get("/account/password"))
    assert password_fields(page) == ["current_password", "new_password", "new_password_again"]
    assert 'autocomplete="current-password"' in page and 'autocomplete="new-password"' in page
    response = change(home, current_password="aysel-demo-1", new_password=NEW,
                      new_password_again=NEW)
    assert response.status_code == 302 and response.headers["Location"] == "/account/access-log"
    after = text(home.get("/account/access-log"))
    assert "Şifrəniz dəyişdirildi." in after and "Digər sessiyalarınız bitirildi: 1." in after
    assert signed_in(home) and not signed_in(office) and signed_in(rauf)
    assert Citizen.get(username="aysel").password_hash.startswith("$argon2id$")
    assert not can_sign_in(app, "aysel-demo-1") and can_sign_in(app, NEW)
    entry = last_entry()  # the sign-in just made is the last; the change is before it
    change_entry = AccessEntry.get_by_id(entry.id - 1)
    assert (change_entry.citizen.username, change_entry.actor_kind, change_entry.action,
            change_entry.detail) == ("aysel", "citizen", access_log.PASSWORD_CHANGED, "password")
    assert signed_in(browser(app, PHONE, "rauf"))  # nobody else's password changed


TWELVE = "on iki simvo"  # exactly 12: the shortest accepted


@pytest.mark.parametrize("fields, field, message", [
    (dict(current_password="aysel-demo-2", new_password=NEW, new_password_again=NEW),
     "current_password", "Hazırkı şifrə yanlışdır."),
    (dict(current_password="", new_password=NEW, new_password_again=NEW),
     "current_password", "Hazırkı şifrənizi yazın."),
    (dict(current_password="aysel-demo-1", new_password=TWELVE[:-1],
          new_password_again=TWELVE[:-1]),
     "new_password", "Yeni şifrə ən azı 12, ən çoxu 256 simvol olmalıdır."),
    (dict(current_password="aysel-demo-1", new_password="x" * 257, new_password_again="x" * 257),
     "new_password", "Yeni şifrə ən azı 12, ən çoxu 256 simvol olmalıdır."),
    (dict(current_password="aysel-demo-1", new_password=NEW, new_password_again=NEW + " "),
     "new_password_again", "İki dəfə yazdığınız yeni şifrə eyni deyil."),
    (dict(current_password="aysel-demo-1", new_password="aysel-demo-1",
          new_password_again="aysel-demo-1"),
     "new_password", "Yeni şifrə hazırkı şifrədən fərqli olmalıdır."),
    (dict(current_password="aysel-demo-1", new_password=" Aysel ", new_password_again=" Aysel "),
     "new_password", "Yeni şifrə ən azı 12"),
], ids=["wrong-current", "no-current", "eleven", "257", "differ", "same-as-now", "username"])
def test_each_refusal_is_said_at_its_field_and_changes_nothing(app, demo, db, fields, field,
                                                               message):
    home, office = browser(app, FIREFOX), browser(app, CHROME)
    before = Citizen.get(username="aysel").password_hash
    response = change(home, **fields)
    assert response.status_code == 400
    page = text(response)
    assert f'<p class="error" id="{field}-error">{message}' in page
    assert 'aria-invalid="true"' in page and "aysel-demo-1" not in page  # never echoed
    assert Citizen.get(username="aysel").password_hash == before
    assert signed_in(office) and can_sign_in(app, "aysel-demo-1")


def test_the_shortest_new_password_accepted_is_twelve_characters(app, demo, db):
    home = browser(app, FIREFOX)
    response = change(home, current_password="aysel-demo-1", new_password=TWELVE,
                      new_password_again=TWELVE)
    assert response.status_code == 302 and can_sign_in(app, TWELVE)


def test_the_user_name_is_not_a_password(app, demo, db):
    citizens.set_credentials("5AYSL01", "ayselmemmedova", "aysel-demo-1")
    home = browser(app, FIREFOX, "ayselmemmedova", "aysel-demo-1")
    response = change(home, current_password="aysel-demo-1", new_password="AyselMemmedova",
                      new_password_again="AyselMemmedova")
    assert response.status_code == 400
    assert "Şifrə istifadəçi adınızla eyni olmamalıdır." in text(response)


def test_guessing_the_current_password_is_limited_per_citizen(app, demo, db):
    home, rauf = browser(app, FIREFOX), browser(app, PHONE, "rauf")
    for n in range(5):
        assert change(home, current_password=f"guess-{n}", new_password=NEW,
                      new_password_again=NEW).status_code == 400
    response = change(home, current_password="aysel-demo-1", new_password=NEW,
                      new_password_again=NEW)
    assert response.status_code == 429 and "Çox sayda cəhd" in text(response)
    assert can_sign_in(app, "aysel-demo-1")  # unchanged
    assert change(rauf, current_password="rauf-demo-1", new_password=NEW,
                  new_password_again=NEW).status_code == 302  # another citizen is not held


def test_changes_themselves_are_limited_per_citizen(app, demo, db):
    home = browser(app, FIREFOX)
    current = "aysel-demo-1"
    for n in range(10):
        new = f"{NEW} {n}"
        assert change(home, current_password=current, new_password=new,
                      new_password_again=new).status_code == 302
        current = new
    response = change(home, current_password=current, new_password=NEW, new_password_again=NEW)
    assert response.status_code == 429


def asan_sign_in(rp, provider, fin="5AYSL01"):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"], fin=fin))
    assert callback(rp, "asan", query["state"]).status_code == 302


def test_after_asan_imza_a_forgotten_password_is_renewed_without_the_old_one(
        app, rp, provider, demo, db):
    office = browser(app, CHROME)
    asan_sign_in(rp, provider)
    page = text(rp.get("/account/password"))
    assert "ilə daxil olmusunuz: hazırkı şifrəni bilmədən yeni şifrə" in page
    assert password_fields(page) == ["new_password", "new_password_again"]
    assert "İstifadəçi adınız: aysel." in page
    response = change(rp, new_password=NEW, new_password_again=NEW)
    assert response.status_code == 302
    assert can_sign_in(app, NEW) and not can_sign_in(app, "aysel-demo-1")
    assert not signed_in(office) and signed_in(rp)
    renewed = AccessEntry.select().where(AccessEntry.action == access_log.PASSWORD_CHANGED).get()
    assert renewed.detail == "asan"


def test_a_citizen_without_a_user_name_is_told_how_they_sign_in(rp, provider, db):
    asan_sign_in(rp, provider, fin=NEW_FIN)  # the first sign-in opens the account
    page = text(rp.get("/account/password"))
    assert "Portal hesabınızın istifadəçi adı yoxdur" in page and password_fields(page) == []
    response = change(rp, new_password=NEW, new_password_again=NEW)
    assert response.status_code == 400
    assert Citizen.get(Citizen.fin == NEW_FIN).password_hash is None


SIGNED_IN = datetime(2026, 3, 10, 8, 0)
FRESH, STALE = timedelta(minutes=15), timedelta(minutes=15, seconds=1)


@pytest.mark.parametrize("username, has_password, means, since, way", [
    ("aysel", True, "password", FRESH, citizens.CHANGE),
    ("aysel", True, "egov", timedelta(0), citizens.CHANGE),
    ("aysel", True, "asan", FRESH, citizens.RENEW),
    ("aysel", True, "eimza", FRESH, citizens.RENEW),
    ("aysel", False, "eimza", timedelta(0), citizens.RENEW),
    ("aysel", True, "asan", STALE, citizens.CHANGE),
    ("aysel", False, "eimza", STALE, citizens.STRONG_MEANS_NEEDED),
    ("aysel", False, "egov", timedelta(0), citizens.STRONG_MEANS_NEEDED),
    (None, False, "asan", timedelta(0), citizens.NO_USERNAME),
    (None, False, "egov", timedelta(0), citizens.NO_USERNAME),
])
def test_what_each_sign_in_means_lets_a_citizen_do(username, has_password, means, since, way):
    citizen = Citizen(username=username, password_hash="$argon2id$…" if has_password else None)
    login_session = LoginSession(means=means, created_at=SIGNED_IN)
    assert citizens.password_change_way(citizen, login_session, SIGNED_IN + since) == way


def test_a_quarter_hour_after_asan_imza_the_current_password_is_asked(
        app, rp, provider, demo, db):
    asan_sign_in(rp, provider)
    now = datetime.now(timezone.utc)
    for minutes in (10, 16):  # used at 10 minutes: the session is alive at 16
        with time_machine.travel(now + timedelta(minutes=minutes), tick=False):
            page = text(rp.get("/account/password"))
    assert password_fields(page) == ["current_password", "new_password", "new_password_again"]
    assert "ondan sonrakı 15 dəqiqə ərzində yeni şifrəni hazırkını yazmadan" in page


def test_the_password_page_is_where_a_citizen_looks(app, demo, db):
    home = browser(app, FIREFOX)
    for path in ("/calls", "/services"):
        assert '<a href="/account/password">Şifrəni dəyiş</a>' in text(home.get(path))
    access = text(home.get("/account/access-log"))
    assert ('Tanımadığınız giriş görsəniz, <a href="/account/password">şifrənizi dəyişin</a> '
            "və digər sessiyalarınızı bitirin.") in access
    assert home.get("/account/password").status_code == 200


def test_the_password_page_needs_a_signed_in_citizen(client, demo):
    assert client.get("/account/password").headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("language, title, error", [
    ("en", "Change password", "The current password is wrong."),
    ("ru", "Сменить пароль", "Текущий пароль неверен."),
])
def test_the_password_page_speaks_the_citizens_language(app, demo, db, language, title, error):
    home = browser(app, FIREFOX)
    home.get(f"/account/password?lang={language}")
    assert f"<h1 tabindex=\"-1\">{title}</h1>" in text(home.get("/account/password"))
    response = change(home, current_password="wrong", new_password=NEW, new_password_again=NEW)
    assert error in text(response)
