from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from egov import create_app
from egov.models import Citizen, LoginSession
from egov.identity.sessions import SESSION_BY_TOKEN

from .conftest import AuthActions
from .support.pages import csrf_token
from .support.shapes import built_anew


@pytest.fixture(autouse=True)
def session_reads_built_anew():
    """The session reads are built once per process (egov.db.SameShape): each test here
    builds them itself, or mutmut, running a test after others in one process, sees none
    of what a mutant of `sessions._with_owner` changes in them."""
    built_anew(*SESSION_BY_TOKEN.values())


# RFC 9106's low-memory recommendation, as an Argon2id hash string states it.
PRODUCTION_PARAMETERS = "$argon2id$v=19$m=65536,t=3,p=4$"


@pytest.fixture
def aysel(world):
    return world.citizen("5AYSL01", "Aysel Məmmədova", "aysel", "aysel-demo-1")


def test_sign_in_page_offers_the_four_means_of_the_manual(client):
    page = client.get("/auth/login").get_data(as_text=True)
    for means in ("elektron imza", "e-gov identity", "asan imza", "istifadəçi adı və şifrə"):
        assert means in page
    assert page.count("Necə əldə etməli?") == 4
    assert "İstifadəçi adı" in page and "Şifrə" in page and "Daxil ol" in page
    # With no identity provider configured, the three other means say so, and nothing breaks.
    assert page.count("hazırda əlçatan deyil") == 3


def test_how_to_obtain_is_a_fragment_for_htmx_and_a_page_without_it(client):
    fragment = client.get("/auth/how-to-obtain/asan",
                          headers={"HX-Request": "true", "HX-Target": "how-asan"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "ASAN xidmət" in fragment.get_data(as_text=True)
    page = client.get("/auth/how-to-obtain/asan").get_data(as_text=True)
    assert "<html" in page and "ASAN xidmət" in page and "Daxil ol" in page
    assert client.get("/auth/how-to-obtain/nothing").status_code == 404


def test_password_is_stored_as_an_argon2_hash(aysel, db):
    stored = Citizen.get(username="aysel").password_hash
    assert stored.startswith("$argon2id$") and "aysel-demo-1" not in stored


@pytest.mark.parametrize("config", [{"TESTING": True}, {"FAST_PASSWORD_HASHING": True}],
                         ids=["testing-without-the-flag", "the-flag-without-testing"])
def test_only_the_test_suite_hashes_with_cheap_parameters(database_url, aysel, db, config):
    """The suite hashes with argon2's cheapest parameters (conftest's app). Any other app,
    an operator's setting the flag among them, hashes with the production ones; and a
    citizen's cheap hash is replaced by a production one at their next sign-in."""
    assert not Citizen.get(username="aysel").password_hash.startswith(PRODUCTION_PARAMETERS)
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "other-secret",
                      "RATELIMIT_STORAGE_URI": "memory://", **config})
    assert AuthActions(app.test_client()).login().status_code == 302
    assert Citizen.get(username="aysel").password_hash.startswith(PRODUCTION_PARAMETERS)


def test_sign_in_and_out(client, auth, aysel):
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"] == "/services"
    assert "Aysel Məmmədova" in client.get("/services").get_data(as_text=True)
    auth.logout()
    page = client.get("/services").get_data(as_text=True)
    assert "Aysel Məmmədova" not in page and "Giriş" in page


def test_wrong_password_says_so_in_azerbaijani_and_keeps_the_user_name(client, auth, aysel):
    response = auth.login(password="wrong", next="/calls")
    # Back at the sign-in page's own address (with where the citizen was going), so that
    # reload shows the page instead of sending the form again or meeting a 405.
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login" and parse_qs(location.query) == {"next": ["/calls"]}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "İstifadəçi adı və ya şifrə yanlışdır." in page
    assert 'value="aysel"' in page
    assert 'name="next" value="/calls"' in page
    assert "wrong" not in page
    again = client.get(response.headers["Location"]).get_data(as_text=True)  # a reload
    assert "yanlışdır" not in again


def test_the_old_password_address_opened_shows_the_sign_in_page(client):
    response = client.get("/auth/login/password?next=/calls")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"


def test_a_signed_in_visitor_to_the_sign_in_page_goes_on(client, auth, aysel):
    """Back after signing in must not show the four sign-in forms to a signed-in citizen."""
    auth.login()
    assert client.get("/auth/login?next=/calls").headers["Location"] == "/calls"
    assert client.get("/auth/login").headers["Location"] == "/services"
    assert client.get("/auth/login?next=https://evil.example/").headers["Location"] == (
        "/services")


def test_unknown_user_gets_the_same_message(auth, aysel):
    page = auth.login(username="nobody", follow=True).get_data(as_text=True)
    assert "İstifadəçi adı və ya şifrə yanlışdır." in page


def test_empty_form_says_what_is_missing(auth, aysel):
    page = auth.login(username="", password="", follow=True).get_data(as_text=True)
    assert "İstifadəçi adını yazın." in page and "Şifrəni yazın." in page


def test_signed_out_visitor_is_sent_to_sign_in_and_straight_back(client, auth, aysel):
    response = client.get("/calls")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/calls"
    assert auth.login(next="/calls").headers["Location"] == "/calls"


def test_the_way_back_keeps_the_whole_address_whatever_it_ends_with(client):
    """Claim references end in any of their letters, X among them: only a bare trailing
    "?" is dropped from the way back."""
    for path, back in (("/calls/claims/RK-2612-ABCDX", "/calls/claims/RK-2612-ABCDX"),
                       ("/calls?", "/calls")):
        assert client.get(path).headers["Location"] == f"/auth/login?next={back}"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
     "http:/evil.example"],
)
def test_a_return_address_to_another_site_is_refused(auth, aysel, next_url):
    assert auth.login(next=next_url).headers["Location"] == "/services"


@pytest.mark.parametrize("next_url",
                         ["/calls\r\nSet-Cookie: x=1", "/calls\n", "/calls\t", "/calls\x00"])
def test_a_return_address_with_a_control_character_is_refused_not_a_500(auth, aysel, next_url):
    # The session is created before the redirect: a 500 here would strand a signed-in citizen.
    response = auth.login(next=next_url)
    assert response.status_code == 302 and response.headers["Location"] == "/services"


def test_a_session_cookie_replayed_after_sign_out_signs_nobody_in(app, client, auth, aysel):
    auth.login()
    cookie = client.get_cookie("egov_session").value
    auth.logout()

    thief = app.test_client()
    thief.set_cookie("egov_session", cookie)
    response = thief.get("/calls")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_sign_out_deletes_the_server_session(client, auth, aysel, db):
    auth.login()
    assert LoginSession.select().count() == 1
    auth.logout()
    assert LoginSession.select().count() == 0


def test_the_session_is_renewed_at_sign_in(app, client, auth, aysel):
    client.get("/auth/login")
    before = client.get_cookie("egov_session").value
    auth.login()
    after = client.get_cookie("egov_session").value
    assert before != after
    # The pre-sign-in cookie (say, planted on a kiosk) does not carry the sign-in.
    planted = app.test_client()
    planted.set_cookie("egov_session", before)
    assert planted.get("/calls").status_code == 302


def test_an_idle_session_expires(app, client, auth, aysel, db):
    from datetime import timedelta

    from egov.timeutil import utcnow

    auth.login()
    LoginSession.update(last_seen_at=utcnow() - timedelta(minutes=16)).execute()
    assert client.get("/calls").status_code == 302


def test_post_without_csrf_token_is_refused_in_azerbaijani(client, aysel):
    response = client.post("/auth/login/password",
                           data={"username": "aysel", "password": "aysel-demo-1"})
    assert response.status_code == 400
    assert "Formun vaxtı keçib" in response.get_data(as_text=True)


def test_sign_out_needs_a_post_with_csrf(client, auth, aysel):
    auth.login()
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400
    assert "Aysel" in client.get("/services").get_data(as_text=True)


def test_guessing_passwords_is_slowed_down(auth, aysel):
    statuses = [auth.login(password=f"guess-{i}").status_code for i in range(6)]
    assert statuses[:5] == [303] * 5
    assert statuses[5] == 429


def test_successful_sign_ins_do_not_use_up_the_attempts(client, auth, aysel):
    for _ in range(8):
        assert auth.login().status_code == 302
        auth.logout()
    assert auth.login(password="wrong").status_code == 303


def test_the_sign_in_limits_hold_for_a_minute_to_the_second(app, auth, aysel):
    """Five failures per name and ten per address, counted for a minute from the first:
    the sixth at 0:59 is refused, the seventh at 1:00 is tried (and fails as a guess)."""
    first = datetime(2026, 12, 24, 11, 0, tzinfo=timezone.utc)
    with time_machine.travel(first, tick=False) as traveller:
        assert [auth.login(password=f"guess-{i}").status_code for i in range(5)] == [303] * 5
        traveller.move_to(datetime(2026, 12, 24, 11, 0, 59, tzinfo=timezone.utc))
        assert auth.login(password="guess-6").status_code == 429
        assert auth.login().status_code == 429  # the right password waits too
        traveller.move_to(datetime(2026, 12, 24, 11, 1, tzinfo=timezone.utc))
        assert auth.login(password="guess-7").status_code == 303
        # Per address, in this new minute: guess-7 and nine names fail, the eleventh waits
        names = [auth.login(f"name-{i}", "wrong").status_code for i in range(10)]
        assert names == [303] * 9 + [429]


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_nul_character_in_the_form_is_named_not_looked_up(client, aysel, field):
    data = {"username": "aysel", "password": "aysel-demo-1",
            "csrf_token": csrf_token(client)}
    data[field] = data[field][:3] + "\x00" + data[field][3:]
    page = client.post("/auth/login/password", data=data, follow_redirects=True)
    assert (f'<p class="error" id="{field}-error">Bu sahədə qəbul edilməyən simvol var.</p>'
            in page.get_data(as_text=True))
    assert LoginSession.select().count() == 0
