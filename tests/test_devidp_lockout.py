"""The development providers stop guessing as the real ones do: a card blocks after three
wrong PINs, a one-time code and an ASAN İmza request allow three tries each, and e-gov
passwords, e-gov codes and ASAN İmza requests are limited.

The simultaneous tries go to the provider served as production serves an app: gunicorn
with several worker processes, on the suite's database (PostgreSQL in `make test`'s
second pass), so a count kept in one process's memory, or read and saved, would show."""
import threading
from datetime import timedelta

import pytest
from click.testing import CliRunner

from egov import create_app, devidp
from egov.db import database
from egov.devidp import lockout
from egov.devidp.lockout import unblock_card_command
from egov.devidp.models import DEVIDP_MODELS, AuthRequest, CardCounter, CodesSent
from egov.devidp.models import create_tables as create_provider_tables
from egov.models import LoginSession
from egov.timeutil import utcnow
from tests.support.devidp_browser import CSRF, Visitor, signed_in_as
from tests.support.gunicorn_live import gunicorn
from tests.support.live import free_port, serving
from tests.support.live_clients import at_once, copies

BLOCKED = "Kart bloklanıb: PIN kod 3 dəfə yanlış yığılıb."
TOO_MANY = "Cəhdlərin sayı həddi keçib."


def eimza(visitor, pin, fin="6RAUF02"):
    visitor.start("eimza")
    return visitor.submit({"certificate": fin, "pin": pin})


def test_three_wrong_pins_block_the_card_even_across_sign_ins(visitor, db):
    assert "Qalan cəhd sayı: 2." in eimza(visitor, "000000").text
    assert "Qalan cəhd sayı: 1." in eimza(visitor, "111111").text  # a new sign-in: same card
    assert BLOCKED in eimza(visitor, "222222").text
    page = eimza(visitor, "240402")  # the right PIN, now
    assert page.status_code == 401 and BLOCKED in page.text
    assert signed_in_as(visitor) is None and LoginSession.select().count() == 0
    assert "kart bloklanıb" in visitor.start("eimza").text  # the chooser says which card
    # Another citizen's card is not his.
    visitor.submit({"certificate": "5AYSL01", "pin": "240401"})
    assert signed_in_as(visitor) == "Aysel Məmmədova"


def test_a_right_pin_resets_the_count_as_on_a_card(visitor, db):
    eimza(visitor, "000000")
    eimza(visitor, "111111")
    eimza(visitor, "240402")
    assert signed_in_as(visitor) == "Rauf Əliyev"
    visitor.sign_out()
    assert "Qalan cəhd sayı: 2." in eimza(visitor, "000000").text


def test_simultaneous_wrong_pins_cannot_pass_the_limit(portal, db):
    visitors = [Visitor(portal.base_url) for _ in range(6)]
    for one in visitors:
        one.start("eimza")
    barrier, pages = threading.Barrier(len(visitors)), []

    def guess(one, pin):
        barrier.wait()
        pages.append(one.submit({"certificate": "6RAUF02", "pin": pin}).text)

    threads = [threading.Thread(target=guess, args=(one, f"{i:06d}"))
               for i, one in enumerate(visitors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum("PIN kod yanlışdır" in page for page in pages) <= 2
    assert CardCounter.get_by_id("6RAUF02").tries_used == 3


def test_the_unblock_command_is_the_cards_puk(visitor, portal, db):
    for pin in ("000000", "111111", "222222"):
        eimza(visitor, pin)
    result = CliRunner().invoke(unblock_card_command, ["6RAUF02"])
    assert "unblocked" in result.output
    eimza(visitor, "240402")
    assert signed_in_as(visitor) == "Rauf Əliyev"


def test_egov_passwords_are_limited_per_account(visitor, db):
    visitor.start("egov")
    for _ in range(5):
        assert visitor.submit({"username": "nigar.egov", "password": "guess"}).status_code == 401
    page = visitor.submit({"username": "Nigar.egov ", "password": "nigar-egov-1"})
    assert page.status_code == 429 and TOO_MANY in page.text
    assert "birdəfəlik kod" not in page.text
    # Another account from the same address still signs in.
    visitor.start("egov")
    visitor.submit({"username": "aysel.egov", "password": "aysel-egov-1"})
    assert "birdəfəlik kod" in visitor.page.text


def test_asan_requests_are_limited_per_person(visitor, db):
    visitor.start("asan")
    for _ in range(5):
        assert visitor.submit({"mobile": "050 123 44 01", "asan_id": "1"}).status_code == 401
    page = visitor.submit({"mobile": "+994 50 123 44 01", "asan_id": "100401"})
    assert page.status_code == 429 and TOO_MANY in page.text
    assert 'data-testid="verification-code"' not in page.text
    visitor.start("asan")  # another person is not refused
    visitor.submit({"mobile": "+994 55 123 44 02", "asan_id": "100402"})
    assert 'data-testid="verification-code"' in visitor.page.text


def test_asan_requests_are_limited_per_address(visitor, db):
    visitor.start("asan")
    for n in range(20):  # twenty different people's numbers, one request each
        assert visitor.submit({"mobile": f"050 000 00 {n:02d}", "asan_id": "1"}
                              ).status_code == 401
    page = visitor.submit({"mobile": "+994 50 123 44 01", "asan_id": "100401"})
    assert page.status_code == 429 and TOO_MANY in page.text


# --- guesses that arrive together, at several processes --------------------------------

@pytest.fixture(scope="module")
def provider_processes(database_url, devidp_keys):
    """The development provider under gunicorn: four processes of two threads."""
    port = free_port()
    settings = {"DEV_IDP_URL": f"http://127.0.0.1:{port}", "DEV_IDP_KEYS_DIR": devidp_keys,
                "SECRET_KEY": "test-secret"}  # the portal's: the client secret derives from it
    devidp.create_app({"DATABASE_URL": database_url, **settings})  # keys and tables, once
    with gunicorn(database_url, workers=4, threads=2, app="egov.devidp:create_app()",
                  port=port, **settings) as served:
        yield served


@pytest.fixture
def racing_portal(app, citizens, provider_processes):
    portal_app = create_app({**app.config, "DEV_IDP": True,
                             "DEV_IDP_URL": provider_processes.url})
    with database.connection_context():
        for model in DEVIDP_MODELS:
            model.delete().execute()
    with serving(portal_app) as base_url:
        yield base_url
    assert "Traceback" not in provider_processes.log()


def same_time(someone, answers):
    """Post each of `answers` (form data) to the page someone is on, all at one instant."""
    token = CSRF.search(someone.page.text).group(1)
    tabs = copies(someone.http, len(answers))
    return at_once(*[(tab, someone.page.url, {"csrf_token": token, **data})
                     for tab, data in zip(tabs, answers)])


def test_twenty_simultaneous_wrong_codes_get_three_tries(racing_portal, db):
    nigar = Visitor(racing_portal)
    nigar.start("egov")
    nigar.submit({"username": "nigar.egov", "password": "nigar-egov-1"})
    right = nigar.phone().code()
    wrong = [f"{(int(right) + n) % 10 ** 6:06d}" for n in range(1, 21)]
    answers = same_time(nigar, [{"code": code} for code in wrong])
    used_up = "Kodun vaxtı bitdi və ya o çox dəfə yanlış yazıldı."
    assert all("Kod yanlışdır." in a.text or used_up in a.text for a in answers)
    assert sum("Kod yanlışdır." in a.text for a in answers) == 3  # compared: three only
    assert AuthRequest.get().otp_attempts == 3
    assert used_up in nigar.submit({"code": right}).text
    assert signed_in_as(nigar) is None and LoginSession.select().count() == 0


def test_twenty_simultaneous_wrong_pin1s_get_three_tries(racing_portal, db):
    aysel = Visitor(racing_portal)
    aysel.asan_until_waiting()
    phone = aysel.phone()
    answers = same_time(phone, [{"pin1": f"{n:04d}", "answer": "confirm"}
                                for n in range(20)])  # 4401, Aysel's, is not among them
    assert sum("PIN1 yanlışdır." in a.text for a in answers) == 3
    assert AuthRequest.get().otp_attempts == 3
    page = phone.http.post(phone.page.url, data={
        "csrf_token": CSRF.search(phone.page.text).group(1), "pin1": "4401",
        "answer": "confirm"})
    assert "Təsdiq edildi" not in page.text
    assert "Siz telefonda girişdən imtina etdiniz." in aysel.get(aysel.page.url).text
    assert LoginSession.select().count() == 0


def test_simultaneous_right_passwords_send_no_more_codes_than_the_limit(racing_portal, db):
    visitors = [Visitor(racing_portal) for _ in range(8)]  # eight sign-ins, one account
    for one in visitors:
        one.start("egov")
    barrier, answers = threading.Barrier(len(visitors)), []

    def password(one):
        barrier.wait()
        answers.append(one.submit({"username": "nigar.egov", "password": "nigar-egov-1"}))

    threads = [threading.Thread(target=password, args=(one,)) for one in visitors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200] * 3 + [429] * 5
    assert sum("/devidp/egov/code/" in a.url for a in answers) == 3
    assert CodesSent.get_by_id("7NGAR03").sent == 3


# --- one after another --------------------------------------------------------------------

def wrong_codes(someone, right, n=3):
    """Type `n` wrong codes at the code page; how many were told «Kod yanlışdır.»"""
    wrong = f"{(int(right) + 1) % 10 ** 6:06d}"
    return sum("Kod yanlışdır." in someone.submit({"code": wrong}).text for _ in range(n))


def test_typing_the_password_again_sends_new_codes_only_up_to_the_limit(visitor, db):
    visitor.start("egov")
    login_url, told_wrong = visitor.page.url, 0
    for _ in range(3):  # three codes, each with its three tries
        visitor.get(login_url)
        visitor.submit({"username": "nigar.egov", "password": "nigar-egov-1"})
        told_wrong += wrong_codes(visitor, visitor.phone().code(), n=4)
    assert told_wrong == 9
    visitor.get(login_url)
    page = visitor.submit({"username": "nigar.egov", "password": "nigar-egov-1"})
    assert page.status_code == 429 and TOO_MANY in page.text
    visitor.start("egov")  # a sign-in started afresh is the same account: no code either
    page = visitor.submit({"username": "nigar.egov", "password": "nigar-egov-1"})
    assert page.status_code == 429 and "birdəfəlik kod" not in page.text
    visitor.start("egov")  # another account is not refused
    visitor.submit({"username": "aysel.egov", "password": "aysel-egov-1"})
    assert "birdəfəlik kod" in visitor.page.text


@pytest.fixture
def codes_sent(app, db):
    """The provider's count of codes sent, empty (the provider's tables are its own)."""
    create_provider_tables()
    CodesSent.delete().execute()
    with app.app_context():
        yield


def test_the_codes_window_ends_fifteen_minutes_after_its_first_code(codes_sent):
    start = utcnow()
    for minutes in (0, 5, 14):
        lockout.take_code("7NGAR03", now=start + timedelta(minutes=minutes))
    with pytest.raises(lockout.TooManyCodes):
        lockout.take_code("7NGAR03", now=start + timedelta(minutes=15, seconds=-1))
    lockout.take_code("7NGAR03", now=start + timedelta(minutes=15))  # a new window
    assert CodesSent.get_by_id("7NGAR03").sent == 1
    lockout.take_code("5AYSL01", now=start)  # each account its own count


def test_the_codes_limit_is_configurable(app, codes_sent):
    app.config["DEV_IDP_EGOV_CODES_PER_ACCOUNT"] = "1 per 1 minute"
    start = utcnow()
    lockout.take_code("7NGAR03", now=start)
    with pytest.raises(lockout.TooManyCodes):
        lockout.take_code("7NGAR03", now=start + timedelta(seconds=59))
    lockout.take_code("7NGAR03", now=start + timedelta(seconds=60))
