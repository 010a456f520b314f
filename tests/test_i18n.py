"""Which language a page is in: the switch, the remembered choice, the browser's wish."""
import re

import pytest

from egov.i18n import account_language


@pytest.fixture
def aysel(world):
    return world.citizen("5AYSL01", "Aysel Məmmədova", "aysel", "aysel-demo-1")


def html_lang(response):
    return re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)


def test_azerbaijani_is_the_default(client):
    response = client.get("/services")
    assert html_lang(response) == "az" and response.headers["Content-Language"] == "az"
    assert "Bütün xidmətlər" in response.get_data(as_text=True)


@pytest.mark.parametrize("header, language, text", [
    ("ru-RU,ru;q=0.9,en;q=0.8", "ru", "Все услуги"),
    ("en-GB,en;q=0.9", "en", "All services"),
    ("de-DE,de;q=0.9", "az", "Bütün xidmətlər"),
])
def test_the_browser_decides_when_no_choice_was_made(client, header, language, text):
    response = client.get("/services", headers={"Accept-Language": header})
    assert html_lang(response) == language and response.headers["Content-Language"] == language
    assert text in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_the_switch_is_on_the_page_each_option_in_its_own_language(client):
    page = client.get("/services?x=1").get_data(as_text=True)
    for code, name in (("az", "Azərbaycanca"), ("en", "English"), ("ru", "Русский")):
        assert re.search(rf'<a href="/services\?x=1&amp;lang={code}" hreflang="{code}" '
                         rf'lang="{code}"', page)
        assert name in page
        assert f'<link rel="alternate" hreflang="{code}" href="/services?x=1&amp;lang={code}">' \
            in page


def test_a_choice_is_remembered_over_the_browsers_wish(client):
    chosen = client.get("/services?lang=en", headers={"Accept-Language": "ru"})
    assert html_lang(chosen) == "en" and "lang=en" in chosen.headers["Set-Cookie"]
    later = client.get("/auth/login", headers={"Accept-Language": "ru"})
    assert html_lang(later) == "en" and "Sign in to the portal" in later.get_data(as_text=True)


def test_an_unknown_language_is_ignored(client):
    response = client.get("/services?lang=xx")
    assert html_lang(response) == "az" and "Set-Cookie" not in response.headers


def test_fragments_carry_their_language_too(client):
    response = client.get("/services?lang=ru", headers={"HX-Request": "true", "HX-Target": "main"})
    assert response.headers["Content-Language"] == "ru"
    assert 'hreflang="en"' in response.headers["Link"]


def test_error_pages_are_translated(client):
    assert "Page not found" in client.get("/nothing?lang=en").get_data(as_text=True)
    assert "Страница не найдена" in client.get("/nothing?lang=ru").get_data(as_text=True)


def test_switching_keeps_the_citizen_signed_in_and_on_their_page(client, auth, aysel, world):
    world.line("0124401234", aysel)
    world.line("0183456789", aysel)
    auth.login()
    response = client.get("/calls?line=0183456789&lang=ru")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Aysel Məmmədova" in page and "Выход" in page
    assert 'href="/calls?line=0183456789&amp;lang=en"' in page
    assert re.search(r'<option value="0183456789"[^>]*selected', page)


def test_the_choice_follows_the_citizen_and_sign_out_returns_to_the_default(
        client, app, auth, aysel, db):
    auth.login()
    client.get("/services?lang=ru")
    assert account_language(aysel) == "ru"
    signed_out = auth.logout()
    assert 'lang=;' in signed_out.headers["Set-Cookie"]  # the cookie is cleared
    client.delete_cookie("lang")  # as the browser does on that header
    after = client.get("/", headers={"Accept-Language": "az"})
    assert html_lang(after) == "az"
    assert "Siz portaldan çıxdınız" in after.get_data(as_text=True)
    # Another browser: signing in brings the account's language back.
    other = app.test_client()
    from tests.conftest import AuthActions
    AuthActions(other).login()
    assert html_lang(other.get("/services")) == "ru"


def test_a_choice_made_on_the_sign_in_page_is_kept_on_the_account(client, auth, aysel, db):
    client.get("/auth/login?lang=en")
    auth.login()
    assert account_language(aysel) == "en"
    assert html_lang(client.get("/services")) == "en"


def test_staff_pages_switch_too(client):
    page = client.get("/staff/login?lang=ru").get_data(as_text=True)
    assert "Вход для сотрудников" in page and '<html lang="ru">' in page
