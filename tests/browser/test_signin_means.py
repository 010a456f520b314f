"""Signing in with each of the manual's four means, in Chromium, with JavaScript and
without it: the portal's "Daxil ol", the development provider's pages (ASAN İmza
with its phone and its waiting page, elektron imza with a certificate and PIN,
e-gov identity with a one-time code), and back to the portal signed in."""
import re
import time

import pytest
from playwright.sync_api import expect

from egov import create_app
from tests.browser.conftest import _page
from tests.support.live import free_port, serving, serving_with_dev_provider


def press_daxil_ol(page, means):
    page.goto("/auth/login")
    page.locator(f"#means-{means}").get_by_role("button", name="Daxil ol").click()
    # Wait to be at the provider: its form has labels the portal's password form has too.
    page.wait_for_url(re.compile(f"/devidp/{means}/"))
    # As the real providers: another origin (another port), which the CSP must allow.
    assert not page.url.startswith(page.portal_url + "/")


def signed_in_as(page, name):
    expect(page).to_have_url(re.compile(r"/services$"))
    expect(page.locator(".who")).to_have_text(name)


def open_phone(page, link_name):
    """The demo's phone: the link opens it in a new tab, as the citizen's phone."""
    with page.expect_popup() as popup:
        page.get_by_role("link", name=link_name).click()
    return popup.value


def asan_until_waiting(page, mobile="+994 50 123 44 01", asan_id="100401"):
    press_daxil_ol(page, "asan")
    page.get_by_label("Mobil nömrə").fill(mobile)
    page.get_by_label("ASAN İstifadəçi ID").fill(asan_id)
    page.get_by_role("button", name="Davam et").click()
    code = page.get_by_test_id("verification-code")
    expect(code).to_have_text(re.compile(r"^\d{4}$"))
    return code.inner_text()


def wait_for_the_answer(page):
    """With JavaScript the waiting page asks by itself; without it the citizen refreshes."""
    if not page.javascript:
        page.get_by_role("link", name="Yenilə").click()


def test_password(any_page):
    any_page.goto("/auth/login")
    any_page.get_by_label("İstifadəçi adı").fill("rauf")
    any_page.get_by_label("Şifrə").fill("rauf-demo-1")
    any_page.locator("#means-password").get_by_role("button", name="Daxil ol").click()
    signed_in_as(any_page, "Rauf Əliyev")


def test_asan_imza_with_the_phone_confirming(any_page):
    code = asan_until_waiting(any_page)
    phone = open_phone(any_page, "telefon ekranını açın")
    expect(phone.get_by_test_id("phone-code")).to_have_text(code)
    phone.get_by_label("PIN1").fill("4401")
    phone.get_by_role("button", name="Təsdiq et").click()
    expect(phone.get_by_text("Təsdiq edildi. Kompüterinizə qayıdın.")).to_be_visible()
    wait_for_the_answer(any_page)
    signed_in_as(any_page, "Aysel Məmmədova")


def test_asan_imza_refused_on_the_phone(any_page):
    asan_until_waiting(any_page)
    phone = open_phone(any_page, "telefon ekranını açın")
    phone.get_by_role("button", name="İmtina et").click()
    wait_for_the_answer(any_page)
    expect(any_page.get_by_text("Siz telefonda girişdən imtina etdiniz.")).to_be_visible()
    any_page.get_by_role("button", name="Girişdən imtina edib portala qayıt").click()
    expect(any_page.get_by_role("heading", name="Giriş alınmadı")).to_be_visible()
    expect(any_page.get_by_text("Giriş təsdiqlənmədi")).to_be_visible()
    # Offered to try again, straight from the refusal.
    any_page.get_by_role("button", name=re.compile("Yenidən cəhd edin")).click()
    expect(any_page.get_by_label("Mobil nömrə")).to_be_visible()


def test_elektron_imza(any_page):
    press_daxil_ol(any_page, "eimza")
    any_page.get_by_label(re.compile("Rauf Əliyev — FİN 6RAUF02")).check()
    any_page.get_by_label("PIN kod").fill("240401")  # Aysel's PIN: wrong for Rauf's card
    any_page.get_by_role("button", name="İmzala və daxil ol").click()
    expect(any_page.get_by_text("PIN kod yanlışdır.")).to_be_visible()
    any_page.get_by_label(re.compile("Rauf Əliyev — FİN 6RAUF02")).check()
    any_page.get_by_label("PIN kod").fill("240402")
    any_page.get_by_role("button", name="İmzala və daxil ol").click()
    signed_in_as(any_page, "Rauf Əliyev")


def test_egov_identity(any_page):
    press_daxil_ol(any_page, "egov")
    any_page.get_by_label("İstifadəçi adı").fill("nigar.egov")
    any_page.get_by_label("Şifrə").fill("nigar-egov-1")
    any_page.get_by_role("button", name="Davam et").click()
    sms = open_phone(any_page, "SMS-i açın")
    code = sms.get_by_test_id("sms-code").inner_text()
    any_page.get_by_label("Birdəfəlik kod").fill(code)
    any_page.get_by_role("button", name="Təsdiq et").click()
    signed_in_as(any_page, "Nigar Hüseynova")


def test_signing_out_also_ends_the_providers_session(any_page):
    press_daxil_ol(any_page, "eimza")
    any_page.get_by_label(re.compile("FİN 5AYSL01")).check()
    any_page.get_by_label("PIN kod").fill("240401")
    any_page.get_by_role("button", name="İmzala və daxil ol").click()
    signed_in_as(any_page, "Aysel Məmmədova")
    with any_page.expect_request(re.compile(r"/devidp/eimza/logout\?id_token_hint=")):
        any_page.get_by_role("button", name="Çıxış").click()
    expect(any_page.get_by_text("Siz portaldan çıxdınız.", exact=False)).to_be_visible()
    expect(any_page.get_by_role("link", name="Giriş")).to_be_visible()


def test_with_javascript_daxil_ol_is_an_htmx_request_sent_on_by_hx_redirect(page):
    page.goto("/auth/login")
    with page.expect_response(re.compile(r"/auth/oidc/asan/start$")) as answer:
        page.locator("#means-asan").get_by_role("button", name="Daxil ol").click()
    assert answer.value.status == 204
    assert "/devidp/asan/authorize?" in answer.value.headers["hx-redirect"]
    expect(page.get_by_label("Mobil nömrə")).to_be_visible()


@pytest.fixture
def impatient_provider(app, demo, tmp_path_factory):
    """The portal with an ASAN İmza that waits only 2 seconds for the phone."""
    keys_dir = str(tmp_path_factory.mktemp("devidp-keys"))
    with serving_with_dev_provider(app.config, keys_dir, DEV_IDP_ASAN_TIMEOUT_SECONDS=2) \
            as (portal, _):
        yield portal.base_url


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def impatient_page(request, browser, impatient_provider):
    with _page(browser, impatient_provider, javascript=request.param) as page:
        yield page


def test_asan_imza_times_out_and_can_be_tried_again(impatient_page):
    page = impatient_page
    asan_until_waiting(page)
    phone = open_phone(page, "telefon ekranını açın")
    if not page.javascript:
        time.sleep(2.5)  # the citizen waits past the provider's (shortened) limit
    wait_for_the_answer(page)
    expect(page.get_by_text("Təsdiq üçün ayrılmış vaxt (2 saniyə) bitdi.")).to_be_visible()
    phone.reload()
    expect(phone.get_by_text("Sorğunun vaxtı bitdi.")).to_be_visible()
    expect(phone.get_by_label("PIN1")).to_have_count(0)
    page.get_by_role("button", name="Yenidən cəhd edin").click()
    expect(page.get_by_label("Mobil nömrə")).to_be_visible()


@pytest.fixture
def page_with_provider_down(app, browser):
    """The portal whose e-gov identity provider does not answer."""
    served = create_app({**app.config, "OIDC_EGOV_ISSUER": f"http://127.0.0.1:{free_port()}",
                         "OIDC_EGOV_CLIENT_ID": "portal", "OIDC_EGOV_CLIENT_SECRET": "s"})
    with serving(served) as base_url, _page(browser, base_url, javascript=True) as page:
        yield page


def test_a_provider_that_does_not_answer_is_a_message_in_place(page_with_provider_down):
    page = page_with_provider_down
    page.goto("/auth/login")
    page.locator("#means-egov").get_by_role("button", name="Daxil ol").click()
    expect(page.get_by_role("heading", name="Giriş alınmadı")).to_be_visible()
    expect(page.get_by_text("hazırda cavab vermir")).to_be_visible()
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("#means-egov")).to_have_count(0)
