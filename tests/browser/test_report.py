"""The report, as the manual tells it: which month, which calls, in what order, and how
each call was charged — on a phone and on a desktop, with JavaScript and without it, in
Azerbaijani, English and Russian.

The tests' clock is DEMO_NOW, 24 December 2026 (tests/browser/conftest.py): December is
the current month, October and November are still open to claims, and every date and
amount below is the demo's.
"""
import re

import pytest
from playwright.sync_api import expect

from .conftest import _page
from .manual import AYSEL, mark_document, path_of, report_table, same_document, settled

PHONE, DESKTOP = (320, 640), (1280, 800)
FIRST_LINE, SECOND_LINE = "0124401234", "0183456789"
DECEMBER = "dekabr 2026 ayında aparılmış şəhərlərarası və beynəlxalq danışıqlar"
NOVEMBER = "noyabr 2026 ayında aparılmış şəhərlərarası və beynəlxalq danışıqlar"
NOVEMBER_OF_THE_SECOND_LINE = "/calls?line=0183456789&month=2026-11&kind=&sort=date&q="


@pytest.fixture
def aysel_back_in_azerbaijani(browser, live_server, signed_in):
    """Aysel's account keeps the language she last chose, and the other browser tests sign
    her in expecting Azerbaijani: a test that switches it switches it back."""
    yield
    with _page(browser, live_server, javascript=False) as page:
        signed_in(page, AYSEL)
        page.goto("/services?lang=az")
        expect(page.locator("html")).to_have_attribute("lang", "az")


def caption(page):
    return page.locator("#calls-caption")


def fits_the_screen(page):
    """Nothing makes the page scroll sideways."""
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    return scroll <= client


def charge_of(row):
    """A row's «hesablama», opened: its terms, its formula, and how far right it and the
    row (on a phone, the call's card) reach."""
    row.locator("details.charge summary").click()
    charge = row.locator("details.charge")
    expect(charge).to_have_attribute("open", "")
    return charge.evaluate("""details => ({
        terms: [...details.querySelectorAll('dt, dd')].map(e => e.textContent.trim()),
        formula: details.querySelector('.formula').textContent.trim(),
        right: Math.max(...[details, ...details.querySelectorAll('*')]
                        .map(e => e.getBoundingClientRect().right)),
        card: details.closest('tr').getBoundingClientRect().right,
    })""")


def test_on_a_phone_last_month_opens_in_place_and_back_returns_in_one_press(
        browser, live_server, signed_in):
    with _page(browser, live_server, javascript=True, viewport=PHONE) as page:
        signed_in(page, AYSEL)
        page.goto(f"/calls?line={SECOND_LINE}")
        expect(caption(page)).to_have_text(DECEMBER)
        mark_document(page)

        page.get_by_label("Ay", exact=True).select_option(label="noyabr 2026")
        expect(caption(page)).to_have_text(NOVEMBER)
        assert same_document(page)  # only the table was swapped
        assert path_of(page) == NOVEMBER_OF_THE_SECOND_LINE
        assert page.get_by_label("Ay", exact=True).input_value() == "2026-11"
        assert fits_the_screen(page)
        # «Göstər» out of habit: the same address again, so no second step back.
        with page.expect_response(lambda response: "/calls?" in response.url) as again:
            page.get_by_role("button", name="Göstər").click()
        assert again.value.headers["hx-push-url"] == "false"
        settled(page)
        assert same_document(page) and path_of(page) == NOVEMBER_OF_THE_SECOND_LINE

        # The Shaki call late on a Wednesday evening: the night band.
        night = page.locator("table.calls tbody tr").filter(has_text="024 244 11 22")
        expect(night).to_have_count(1)
        assert night.locator(".destination").inner_text() == "şəhərlərarası · Şəki"
        charge = charge_of(night)
        assert charge["terms"] == [
            "Tarif", "Standart tarif (avqust 2025)", "Dəqiqənin qiyməti", "0,03 AZN",
            "Vaxt zolağı", "gecə (×0,8)", "Hesablanan müddət", "660 saniyə"]
        assert charge["formula"] == "Məbləğ: 11 dəq × 0,03 AZN × 0,8 = 0,264 AZN ≈ 0,26 AZN"
        assert charge["right"] <= charge["card"] <= PHONE[0]  # inside the card, on screen
        assert fits_the_screen(page)

        page.go_back()
        expect(caption(page)).to_have_text(DECEMBER)
        assert path_of(page) == f"/calls?line={SECOND_LINE}"
        assert page.get_by_label("Ay", exact=True).input_value() == "2026-12"
        assert fits_the_screen(page)


def test_without_javascript_show_opens_the_month_as_a_page_that_reloads_the_same(
        browser, live_server, signed_in):
    with _page(browser, live_server, javascript=False, viewport=PHONE) as page:
        signed_in(page, AYSEL)
        page.goto(f"/calls?line={SECOND_LINE}")
        mark_document(page)
        page.get_by_label("Ay", exact=True).select_option(label="noyabr 2026")
        with page.expect_navigation():
            page.get_by_role("button", name="Göstər").click()
        assert not same_document(page)
        assert path_of(page) == NOVEMBER_OF_THE_SECOND_LINE
        november = report_table(page)
        assert [row[1] for row in november["rows"]] == [
            "03.11", "07.11", "08.11", "11.11", "12.11", "16.11", "20.11", "24.11", "30.11"]
        assert november["summary"][-1] == ["9", "Cəmi", "1,98", ""]

        page.reload()
        expect(caption(page)).to_have_text(NOVEMBER)
        assert page.get_by_label("Ay", exact=True).input_value() == "2026-11"
        assert report_table(page) == november
        assert fits_the_screen(page)


def test_on_a_desktop_in_english_kind_search_and_order_choose_the_rows(
        browser, live_server, signed_in, aysel_back_in_azerbaijani):
    with _page(browser, live_server, javascript=True, viewport=DESKTOP) as page:
        signed_in(page, AYSEL)
        page.goto("/calls?lang=en")
        expect(caption(page)).to_have_text(
            "Intercity and international calls made in December 2026")
        mark_document(page)
        positions = page.locator("table.calls tbody th")
        month_totals = [["Totals for all the month's calls"], ["3", "Intercity", "0.35", ""],
                        ["2", "International", "0.45", ""], ["5", "Not paid", "0.80", ""],
                        ["0", "Paid", "0.00", ""], ["5", "Total", "0.80", ""]]

        page.get_by_label("Kind of call").select_option(label="international")
        expect(positions).to_have_text(["1", "5"])
        table = report_table(page)
        assert [row[4] for row in table["rows"]] == ["+7 495 123 45 67", "+49 30 12345678"]
        assert table["destinations"] == ["international · Russia", "international · Germany"]
        assert table["summary"] == [["2", "Calls shown", "0.45", ""], *month_totals]
        assert path_of(page) == "/calls?line=0124401234&month=2026-12&kind=international" \
                                "&sort=date&q="

        page.get_by_label("Kind of call").select_option(label="all")
        expect(positions).to_have_text(["1", "2", "3", "4", "5"])
        search = page.get_by_label("Search by number")
        search.fill("495")
        search.press("Enter")
        expect(positions).to_have_text(["1"])
        table = report_table(page)
        assert table["rows"] == [["1", "08/12", "16:11", "72", "+7 495 123 45 67", "0.28", "-"]]
        assert table["summary"] == [["1", "Calls shown", "0.28", ""], *month_totals]

        search.fill("")
        page.get_by_label("Order").select_option(label="amount: highest first")
        expect(positions).to_have_text(["1", "3", "5", "4", "2"])
        table = report_table(page)
        assert [row[5] for row in table["rows"]] == ["0.28", "0.24", "0.17", "0.09", "0.02"]
        assert table["summary"] == month_totals  # every call is shown: no "Calls shown"
        assert path_of(page) == "/calls?line=0124401234&month=2026-12&kind=&sort=-amount&q="
        assert same_document(page)


def test_in_russian_on_a_phone_a_claim_on_last_months_call_shows_on_its_row(
        browser, live_server, signed_in, aysel_back_in_azerbaijani):
    with _page(browser, live_server, javascript=True, viewport=PHONE) as page:
        signed_in(page, AYSEL)
        page.goto(f"/calls?line={FIRST_LINE}&lang=ru")
        expect(caption(page)).to_have_text(
            "Междугородные и международные разговоры за декабрь 2026")
        assert report_table(page)["destinations"] == [
            "международный · Россия", "междугородный · Гянджа", "междугородный · Гянджа",
            "междугородный · Шеки", "международный · Германия"]

        page.get_by_label("Номер телефона").select_option(label="018 345 67 89")
        expect(page.locator("#call-report .phone")).to_have_text("Телефон: 018 345 67 89")
        settled(page)
        page.get_by_label("Месяц", exact=True).select_option(label="ноябрь 2026")
        expect(caption(page)).to_have_text(
            "Междугородные и международные разговоры за ноябрь 2026")
        assert report_table(page)["destinations"] == [
            "междугородный · Гянджа", "междугородный · Ленкорань", "междугородный · Агсу",
            "междугородный · Шеки", "междугородный · город Нахчыван", "международный · Турция",
            "международный · Соединенные Штаты", "международный · неизвестное направление",
            "междугородный · Гянджа"]

        # The toolbar's «Претензия» carries the line and the month shown (the table was
        # swapped in place twice; the toolbar stayed).
        claim_link = page.get_by_role("navigation", name="Инструменты услуги").get_by_role(
            "link", name="Претензия", exact=True)
        assert claim_link.get_attribute("href") == (
            "/calls/claims/new?line=0183456789&month=2026-11")
        claim_link.click()
        page.get_by_label("Разговор 6", exact=True).check()  # the call to Türkiye, 16.11
        page.get_by_label("Причина претензии").fill("Я не звонила в Турцию.")
        page.get_by_role("button", name="Отправить претензию").click()
        heading = page.get_by_role("heading", name=re.compile(r"^Претензия RK-"), level=1)
        heading.wait_for()
        reference = re.search(r"RK-\d{4}-\w{5}", heading.inner_text()).group(0)

        page.goto(f"/calls?line={SECOND_LINE}&month=2026-11")
        disputed = page.locator("table.calls tr.disputed")
        expect(disputed).to_have_count(1)
        assert disputed.locator(".destination").inner_text() == "международный · Турция"
        mark = disputed.locator(".dispute-mark")
        assert mark.inner_text() == f"Претензия {reference} — принята"
        box = mark.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
        assert fits_the_screen(page)
