"""Which language a page is in: the switch, the remembered choice, the browser's wish."""
import re
from datetime import datetime, timezone

import pytest
import time_machine

from egov import create_app
from egov.i18n import account_language
from tests.conftest import AuthActions
from tests.support.pages import csrf_token


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
        assert (f'<link rel="alternate" hreflang="{code}" '
                f'href="http://localhost/services?x=1&amp;lang={code}">') in page


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


# --- what the pages say in each language: data formatted by Babel, names from the catalogue

from egov.demo import AYSEL_FIRST_LINE  # noqa: E402
from tests.support.pages import csv_rows, pdf_text  # noqa: E402


@pytest.fixture
def aysel_demo(demo, auth, db):
    auth.login()
    return demo


@pytest.mark.parametrize("language, heading, month, amount, unpaid", [
    ("az", "dekabr 2026 ayında aparılmış şəhərlərarası", "dekabr 2026", "0,28", "Ödənilməyib"),
    ("en", "Intercity and international calls made in December 2026", "December 2026", "0.28",
     "Not paid"),
    ("ru", "Междугородные и международные разговоры за декабрь 2026", "декабрь 2026", "0,28",
     "Не оплачено"),
])
def test_the_report_in_each_language(client, aysel_demo, language, heading, month, amount,
                                     unpaid):
    """At the demo's clock, 24 December 2026: the month, the first call's amount and a mark,
    as literals."""
    page = client.get(f"/calls?line={AYSEL_FIRST_LINE}&lang={language}").get_data(as_text=True)
    assert heading in page and unpaid in page
    assert f'<option value="2026-12" selected>{month}</option>' in page
    first_amount = re.search(r'<td class="num amount" data-label="[^"]+">([^<\s]+)', page)
    assert first_amount.group(1) == amount


def test_the_catalogue_names_come_from_the_file_in_each_language(client):
    russian = client.get("/services?lang=ru").get_data(as_text=True)
    assert "Министерство транспорта, связи и высоких технологий" in russian
    # Each ministry's count in Russian's plural forms: 3 «услуги», 1 «услуга», 5 «услуг».
    assert re.search(r"\b3 услуги\b", russian) and re.search(r"\b1 услуга\b", russian)
    assert not re.search(r"\b1 услуги\b", russian)
    english = client.get("/services/nrytn?lang=en").get_data(as_text=True)
    assert "Information on intercity and international calls made during the current month" \
        in english
    assert "Nəqliyyat, Rabitə" not in english.split("<main")[1]


def test_russian_counts_take_the_right_plural(client):
    page = client.get("/services?lang=ru").get_data(as_text=True)
    assert "4 услуги" in page  # the ministry's four services
    assert "1 услуга" in page  # the customs committee's one


def test_english_csv_has_a_decimal_point_and_commas_between_fields(client, aysel_demo):
    response = client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}&lang=en")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="calls-0124401234-2026-12.csv"')
    body = response.get_data().decode("utf-8-sig")
    import csv as csv_module
    import io
    rows = list(csv_module.reader(io.StringIO(body), delimiter=","))
    assert rows[0][:5] + rows[0][9:] == ["#", "Date", "Time", "Duration (seconds)", "Number",
                                         "Amount (AZN)", "Payment*"]
    assert [r[9] for r in rows[1:]] == ["0.28", "0.02", "0.24", "0.09", "0.17"]
    assert rows[1][1] == "08/12/2026"  # day first


def test_russian_csv_keeps_the_comma_and_semicolons(client, aysel_demo):
    response = client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}&lang=ru")
    assert "zvonki-" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][1:3] == ["Дата", "Время"]
    assert [r[9] for r in rows[1:]] == ["0,28", "0,02", "0,24", "0,09", "0,17"]


def test_the_pdf_in_russian(client, aysel_demo):
    text = pdf_text(client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}&lang=ru"))
    assert "Сведения о междугородных и международных разговорах" in text
    assert "декабрь 2026" in text
    assert "Дата выписки" in text and "Не оплачено" in text


@pytest.mark.parametrize("language, first_title", [
    ("az", "Portala daxil olun"), ("en", "Sign in to the portal"), ("ru", "Войдите на портал")])
def test_a_caption_track_per_language(client, language, first_title):
    response = client.get(f"/calls/video/captions.{language}.vtt")
    assert response.headers["Content-Language"] == language
    assert response.get_data(as_text=True).startswith("WEBVTT") and first_title in \
        response.get_data(as_text=True)


def test_the_video_page_offers_every_track_with_its_own_as_default(client):
    page = client.get("/calls/video?lang=ru").get_data(as_text=True)
    assert 'srclang="ru" label="Русский" default' in page
    assert 'srclang="az" label="Azərbaycanca" src' in page and 'srclang="en"' in page


def test_the_identity_provider_is_translated_as_an_app_of_its_own(database_url, tmp_path):
    """Served apart from the portal (no portal context processor, no portal Babel set-up),
    its pages still have their language, their switch and their translations."""
    from egov import devidp
    from egov.extensions import babel

    # Flask-Babel keeps catalogues per process, not per app: the portal's tests loaded the
    # same languages from the portal's directory. The provider must find its own.
    babel.domain_instance.cache.clear()
    alone = devidp.create_app({"DEV_IDP": True, "DATABASE_URL": database_url,
                               "SECRET_KEY": "test", "DEV_IDP_URL": "http://127.0.0.1:9",
                               "DEV_IDP_KEYS_DIR": str(tmp_path / "k"), "TESTING": True,
                               "RATELIMIT_STORAGE_URI": "memory://"})
    client = alone.test_client()
    refused = client.get("/devidp/asan/authorize?ui_locales=ru-RU%20en")
    page = refused.get_data(as_text=True)
    assert refused.headers["Content-Language"] == "ru" and '<html lang="ru">' in page
    assert "Запрос не принят" in page and "Тестовый поставщик" in page
    assert all(f'hreflang="{code}" lang="{code}"' in page for code in ("az", "en", "ru"))
    assert "devidp_lang=ru" in refused.headers["Set-Cookie"]  # ui_locales is remembered
    again = client.get("/devidp/asan/authorize?lang=en").get_data(as_text=True)
    assert "The request was not accepted" in again and ">English</a>" in again


def test_a_refused_sign_in_switches_back_to_the_sign_in_page(client, aysel):
    """A refused password comes back to the sign-in page (post, redirect, get): its
    language links keep the return address and never name the form's POST address."""
    refused = client.post("/auth/login/password?next=/calls",
                          data={"username": "aysel", "password": "wrong",
                                "next": "/calls", "csrf_token": csrf_token(client)},
                          follow_redirects=True)
    page = refused.get_data(as_text=True)
    assert refused.request.path == "/auth/login"
    assert 'href="/auth/login?next=%2Fcalls&amp;lang=ru"' in page
    assert "/auth/login/password?lang" not in page


# --- words a careful reader noticed -------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_asan_card_is_titled_asan_imza_in_english_and_russian(client, language):
    """ASAN İmza is a name: neither lower-cased nor translated."""
    page = client.get(f"/auth/login?lang={language}").get_data(as_text=True)
    card = re.search(r'<li class="means-card" id="means-asan">\s*<h2>([^<]*)</h2>', page)
    assert card.group(1) == "ASAN İmza"
    assert "asan imza" not in page


@pytest.mark.parametrize("language, csv_text, pdf_text", [
    ("az", "CSV — Excel və digər cədvəl proqramları üçün", "PDF — çap və saxlamaq üçün"),
    ("en", "CSV — for Excel and other spreadsheet programs", "PDF — for printing and saving"),
    ("ru", "CSV — для Excel и других программ электронных таблиц",
     "PDF — для печати и сохранения"),
], ids=["az", "en", "ru"])
def test_the_downloads_are_described_alike(client, aysel_demo, language, csv_text, pdf_text):
    """What a screen reader hears after «CSV» and «PDF»: both continue the same way."""
    page = client.get(f"/calls?line={AYSEL_FIRST_LINE}&lang={language}").get_data(as_text=True)
    links = re.search(r'<p class="export-links">.*?</p>', page, re.S).group(0)
    heard = [re.sub(r"<[^>]+>", "", link) for link in re.findall(r"<a [^>]*>.*?</a>", links)]
    assert heard == [csv_text, pdf_text]


# --- The switch and the alternates carry this page's address, built from its route ------

LINK = re.compile(r'<(http://localhost/[!-~]*)>; rel="alternate"; hreflang="(az|en|ru)"')


def switch_links(response):
    return re.findall(r'<a href="([^"]*)" hreflang="\w+"', response.get_data(as_text=True))


@pytest.mark.parametrize("path", [
    "/%C9%99",  # «/ə»: a mistyped Azerbaijani address
    "/%D0%B7%D0%B2%D0%BE%D0%BD%D0%BA%D0%B8",  # «/звонки»
    "/calls%0d%0aX-Injected:%201",
    '/a>;%20rel="preload",%20<http://evil.example/a.js',
    "/%5Cevil.example",  # the switch's links would be «/\evil.example?lang=en»: another site
])
def test_a_path_of_no_page_gets_the_404_page_with_plain_language_links(client, path):
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "<h1>Səhifə tapılmadı</h1>" in page
    # The browser stays at the address it asked for: nothing of it is written back.
    assert switch_links(response) == ["?lang=az", "?lang=en", "?lang=ru"]
    assert "Link" not in response.headers and 'rel="alternate"' not in page
    assert "evil.example" not in page and "X-Injected" not in str(response.headers)


def test_the_switch_of_a_page_answering_any_argument_quotes_it_as_a_path_of_this_site(client):
    response = client.get("/services/%5Cevil.example?x=a>,<b")
    assert response.status_code == 404  # no such service: the service page's own 404
    assert switch_links(response) == [f"/services/%5Cevil.example?lang={code}"
                                      for code in ("az", "en", "ru")]  # an error drops ?x=


@pytest.mark.parametrize("path, quoted", [
    ("/services?x=a%3E;%20rel=%22preload%22,%20%3Chttp://evil.example/a.js",
     "/services?x=a%3E%3B+rel%3D%22preload%22%2C+%3Chttp%3A%2F%2Fevil.example%2Fa.js"),
    ("/services/nrytn%0d%0aX-Injected:%201", "/services/nrytn%0D%0AX-Injected:%201"),
    ("/services/%C9%99", "/services/%C9%99"),
])
def test_the_link_header_names_exactly_three_alternates_in_ascii(client, path, quoted):
    response = client.get(path)
    assert response.status_code in (200, 404)
    header = response.headers["Link"]
    assert header.isascii() and "\r" not in header and "\n" not in header
    join = "&" if "?" in quoted else "?"
    assert LINK.findall(header) == [(f"http://localhost{quoted}{join}lang={code}", code)
                                    for code in ("az", "en", "ru")]
    assert header.count("<") == 3 and "X-Injected" not in response.headers


def test_a_form_answered_at_an_address_without_get_switches_at_the_page_it_came_from(app):
    """The form's page is found by matching the Referer to a route and building it again:
    a Referer of «/\\evil.example» (no route) switches at the portal's home page."""
    from flask import render_template

    @app.route("/a-form-without-get", methods=["POST"])
    def a_form_without_get():
        return render_template("errors/error.html", title="x", message="x", is_fragment=False,
                               return_here=None)

    app.config["WTF_CSRF_ENABLED"] = False  # a form of this test's own, without a token
    client = app.test_client()
    came_from = client.post("/a-form-without-get", data={},
                            headers={"Referer": "http://localhost/services/nrytn?x=1"})
    assert switch_links(came_from)[1] == "/services/nrytn?x=1&amp;lang=en"
    for referrer in ("http://localhost/%5Cevil.example", "http://evil.example/services",
                     "http://localhost/\\evil.example"):
        hostile = client.post("/a-form-without-get", data={}, headers={"Referer": referrer})
        assert switch_links(hostile) == ["/?lang=az", "/?lang=en", "/?lang=ru"], referrer


NON_ASCII_PATHS = ["/%C9%99", "/services/%C9%99", "/%D0%B7%D0%B2%D0%BE%D0%BD%D0%BA%D0%B8"]


@pytest.mark.parametrize("server", ["werkzeug", "gunicorn"])
def test_a_non_ascii_address_gets_the_404_page_from_a_real_server(app, database_url, server):
    """`flask run` (Werkzeug's server) gave no answer at all and gunicorn a bare 500: a
    header must be Latin-1, and the Link header carried the path as typed."""
    import requests

    from .support.gunicorn_live import gunicorn
    from .support.live import serving

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as outside TESTING
    with (serving(app) if server == "werkzeug" else gunicorn(database_url, workers=1,
                                                             threads=2)) as live:
        base = live if server == "werkzeug" else live.url
        for path in NON_ASCII_PATHS:
            response = requests.get(base + path, headers={"Accept-Language": "en"}, timeout=10)
            assert response.status_code == 404, path
            assert "<h1>Page not found</h1>" in response.text, path
            assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
            assert response.headers["X-Frame-Options"] == "DENY"


def test_a_templates_texts_read_as_jinjas_own_gettext_would_give_them(app):
    """The templates' _() (egov.i18n._page_gettext) finds the catalogue once per page, and
    writes what Jinja's newstyle gettext writes: translated, values escaped, «%%» as «%»."""
    from flask import render_template_string

    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        page = render_template_string(
            '{{ _("Tarix") }}|{{ _("%(n)s saniyə", n="<b>") }}|{{ _("100%%") }}|{{ _("Yox") }}')
    assert page == "Date|&lt;b&gt; seconds|100%|Yox"


def test_an_error_page_after_the_pages_own_links_gets_bare_ones(app):
    """The language links are built once per request; an error page coming after the
    page's own (without_query) still gets links that name nothing the request asked for."""
    from egov import i18n

    with app.test_request_context("/services?x=%3Cb%3E"):
        app.preprocess_request()
        assert i18n.url_in("en") == "/services?x=%3Cb%3E&lang=en"
        i18n.without_query()
        assert i18n.url_in("en") == "/services?lang=en"
        assert i18n.absolute_url_in("ru") == "http://localhost/services?lang=ru"


# --- What the browser and the caches are told: headers, cookie, alternates ----------------

SIGNED_OUT_COOKIE = "lang=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"


def language_cookies(response):
    """The Set-Cookie headers that are not the session's (a mistake may rename the cookie)."""
    return [cookie for cookie in response.headers.getlist("Set-Cookie")
            if not cookie.startswith("egov_session=")]


def test_a_page_says_its_language_and_what_it_depends_on(client):
    response = client.get("/services?x=1&x=2", headers={"Accept-Language": "ru"})
    assert response.headers["Content-Language"] == "ru"
    # The same address is answered in another language for another cookie or browser.
    vary = [name.strip() for name in response.headers["Vary"].split(",")]
    assert "Accept-Language" in vary and "Cookie" in vary
    # A parameter given twice is kept twice in each alternate, and they are exactly three.
    assert response.headers["Link"] == (
        '<http://localhost/services?x=1&x=2&lang=az>; rel="alternate"; hreflang="az", '
        '<http://localhost/services?x=1&x=2&lang=en>; rel="alternate"; hreflang="en", '
        '<http://localhost/services?x=1&x=2&lang=ru>; rel="alternate"; hreflang="ru"')
    assert switch_links(response) == [f"/services?x=1&amp;x=2&amp;lang={code}"
                                      for code in ("az", "en", "ru")]


def test_the_switch_marks_the_language_being_read(client):
    page = client.get("/services?lang=en").get_data(as_text=True)
    marked = re.findall(r'hreflang="(\w+)" lang="\w+"\s+data-language-switch aria-current="true"',
                        page)
    assert marked == ["en"]
    assert re.findall(r'<span aria-hidden="true">(\w+)</span><span class="visually-hidden">'
                      r'([^<]+)</span>', page) == [
        ("AZ", "Azərbaycanca"), ("EN", "English"), ("RU", "Русский")]


@pytest.mark.parametrize("secure, flags", [(False, "HttpOnly"), (True, "Secure; HttpOnly")],
                         ids=["development", "https"])
def test_a_chosen_language_is_kept_a_year_by_this_site_alone(app, secure, flags):
    """Not read by scripts, not sent with another site's requests, over HTTPS only where
    the session cookie is (SESSION_COOKIE_SECURE), and still there next year."""
    app.config["SESSION_COOKIE_SECURE"] = secure
    with time_machine.travel(datetime(2026, 12, 7, 9, 30, tzinfo=timezone.utc), tick=False):
        response = app.test_client().get("/services?lang=en")
    assert language_cookies(response) == [
        f"lang=en; Expires=Tue, 07 Dec 2027 09:30:00 GMT; Max-Age=31536000; {flags}; Path=/; "
        "SameSite=Lax"]


def test_signing_out_clears_the_language_whatever_the_address_asks(client, auth, aysel):
    """At a kiosk the next person starts in their browser's language: sign-out deletes the
    cookie even when its address names a language (a client may add ?lang= to it), and its
    goodbye is in the browser's language, not the one chosen."""
    auth.login()
    client.get("/services?lang=ru")
    token = csrf_token(client, "/services")
    signed_out = client.post("/auth/logout?lang=ru", data={"csrf_token": token},
                             headers={"Accept-Language": "en"})
    assert language_cookies(signed_out) == [SIGNED_OUT_COOKIE]
    assert signed_out.headers["Content-Language"] == "en"
    goodbye = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You have signed out of the portal." in goodbye


def test_the_end_of_a_session_clears_the_language_chosen(client, auth, aysel):
    auth.login()
    client.get("/services?lang=ru")
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/services")})
    client.set_cookie("lang", "ru")  # as if the deletion had not reached the browser
    ended = client.get("/auth/session-ended", headers={"Accept-Language": "en"})
    assert language_cookies(ended) == [SIGNED_OUT_COOKIE]
    assert ended.headers["Content-Language"] == "en"
    assert "Your session has ended due to inactivity" in ended.get_data(as_text=True)


def test_only_a_page_fetched_with_get_names_its_alternates(client):
    """Captions (not HTML) and the answer to a form's POST have no Link header; both still
    say their language."""
    captions = client.get("/calls/video/captions.ru.vtt")
    assert captions.headers["Content-Language"] == "ru" and "Link" not in captions.headers
    token = csrf_token(client, "/staff/login")
    refused = client.post("/staff/login?lang=en",
                          data={"username": "nobody", "password": "wrong", "csrf_token": token})
    assert refused.status_code == 401 and "Link" not in refused.headers
    assert refused.headers["Content-Language"] == "en"


def test_the_language_is_sent_once_though_two_hooks_may_send_it(app):
    """send_language is idempotent (the provider's blueprint and an app may both call it):
    one cookie, not two."""
    from egov.i18n import send_language

    with app.test_request_context("/services?lang=en"):
        app.preprocess_request()
        response = send_language(send_language(app.make_response("<p>x</p>")))
    assert [cookie.split(";")[0] for cookie in language_cookies(response)] == ["lang=en"]


def test_the_alternates_are_at_the_public_address_whatever_the_request_came_as(app):
    """Behind the proxy the portal is asked over plain HTTP at an internal name: the
    alternates are PUBLIC_URL's origin (its scheme and host, none of its path, query or
    fragment, written there as a page's address may be)."""
    portal = create_app({**app.config, "PUBLIC_URL": "https://portal.example/az/?from=ad#top",
                         "TRUSTED_HOSTS": None, "EXTRA_TRUSTED_HOSTS": ["egov-internal"]})
    response = portal.test_client().get("/services?x=1", base_url="http://egov-internal")
    assert response.headers["Link"] == (
        '<https://portal.example/services?x=1&lang=az>; rel="alternate"; hreflang="az", '
        '<https://portal.example/services?x=1&lang=en>; rel="alternate"; hreflang="en", '
        '<https://portal.example/services?x=1&lang=ru>; rel="alternate"; hreflang="ru"')
    assert ('<link rel="alternate" hreflang="ru" '
            'href="https://portal.example/services?x=1&amp;lang=ru">') in response.get_data(
                as_text=True)


def test_the_switch_of_the_session_ended_page_switches_it(client):
    """The page a session ended on forgets the last citizen's language, but not the one the
    next person picks there with its own switch (it stayed in the browser's language)."""
    page = client.get("/auth/session-ended?lang=en", headers={"Accept-Language": "az"})
    assert page.headers["Content-Language"] == "en"
    assert "Your session has ended due to inactivity" in page.get_data(as_text=True)
    assert [cookie.split(";")[0] for cookie in language_cookies(page)] == ["lang=en"]


@pytest.mark.parametrize("language, four, one", [
    ("az", "4 xidmət", "1 xidmət"), ("en", "4 services", "1 service"),
    ("ru", "4 услуги", "1 услуга")])
def test_each_ministrys_count_of_services_in_each_language(client, language, four, one):
    """Azerbaijani has no catalogue: its counts are the texts themselves, singular and plural."""
    page = client.get(f"/services?lang={language}").get_data(as_text=True)
    counts = re.findall(r'<span class="count">([^<·]+?)\s*(?:·|</span>)', page)
    assert four in counts and one in counts


def test_each_citizen_signing_in_gets_their_own_accounts_language(app, client, auth, aysel,
                                                                   world):
    """Two accounts, two languages: signing in on a fresh browser brings back one's own."""
    world.citizen("5RAUF01", "Rauf Əliyev", "rauf", "rauf-demo-1")
    rauf = app.test_client()
    AuthActions(rauf).login("rauf", "rauf-demo-1")
    rauf.get("/services?lang=en")  # the first choice kept on any account
    auth.login()
    client.get("/services?lang=ru")
    fresh = app.test_client()
    AuthActions(fresh).login()
    assert html_lang(fresh.get("/services")) == "ru"
