"""The development providers stop guessing as the real ones do: a card blocks after three
wrong PINs, e-gov passwords and ASAN İmza requests are limited."""
import threading

from click.testing import CliRunner

from egov.devidp.lockout import unblock_card_command
from egov.devidp.models import CardCounter
from egov.models import LoginSession
from tests.devidp_browser import Visitor
from tests.test_devidp import citizens, devidp_keys, portal, signed_in_as, visitor  # noqa: F401

BLOCKED = "Kart bloklanıb: PIN kod 3 dəfə yanlış yığılıb."
TOO_MANY = "Cəhdlərin sayı həddi keçib."


def eimza(visitor, pin, fin="6RAUF02"):  # noqa: F811
    visitor.start("eimza")
    return visitor.submit({"certificate": fin, "pin": pin})


def test_three_wrong_pins_block_the_card_even_across_sign_ins(visitor, db):  # noqa: F811
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


def test_a_right_pin_resets_the_count_as_on_a_card(visitor, db):  # noqa: F811
    eimza(visitor, "000000")
    eimza(visitor, "111111")
    eimza(visitor, "240402")
    assert signed_in_as(visitor) == "Rauf Əliyev"
    visitor.sign_out()
    assert "Qalan cəhd sayı: 2." in eimza(visitor, "000000").text


def test_simultaneous_wrong_pins_cannot_pass_the_limit(portal, db):  # noqa: F811
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


def test_the_unblock_command_is_the_cards_puk(visitor, portal, db):  # noqa: F811
    for pin in ("000000", "111111", "222222"):
        eimza(visitor, pin)
    result = CliRunner().invoke(unblock_card_command, ["6RAUF02"])
    assert "unblocked" in result.output
    eimza(visitor, "240402")
    assert signed_in_as(visitor) == "Rauf Əliyev"


def test_egov_passwords_are_limited_per_account(visitor, db):  # noqa: F811
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


def test_asan_requests_are_limited_per_person(visitor, db):  # noqa: F811
    visitor.start("asan")
    for _ in range(5):
        assert visitor.submit({"mobile": "050 123 44 01", "asan_id": "1"}).status_code == 401
    page = visitor.submit({"mobile": "+994 50 123 44 01", "asan_id": "100401"})
    assert page.status_code == 429 and TOO_MANY in page.text
    assert 'data-testid="verification-code"' not in page.text
    visitor.start("asan")  # another person is not refused
    visitor.submit({"mobile": "+994 55 123 44 02", "asan_id": "100402"})
    assert 'data-testid="verification-code"' in visitor.page.text


def test_asan_requests_are_limited_per_address(visitor, db):  # noqa: F811
    visitor.start("asan")
    for n in range(20):  # twenty different people's numbers, one request each
        assert visitor.submit({"mobile": f"050 000 00 {n:02d}", "asan_id": "1"}
                              ).status_code == 401
    page = visitor.submit({"mobile": "+994 50 123 44 01", "asan_id": "100401"})
    assert page.status_code == 429 and TOO_MANY in page.text
