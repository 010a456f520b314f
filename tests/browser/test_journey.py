"""The portal's manual, step by step, in a real browser: with JavaScript (htmx swaps
in place) and without it (plain links and forms), for the README's demo citizens."""
import re

from playwright.sync_api import expect

from .manual import (
    AYSEL, AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, MEANS, RAUF, SERVICE, choose_line,
    follow_manual_to_report, is_csp_violation, mark_document, means_card, ministry_row,
    ministry_services, open_all_services, open_ministry, open_service, open_sign_in, path_of,
    report_table, same_document, sign_in, sign_in_from_home, sign_out,
)

COLUMNS = ["#", "Tarix", "Vaxt", "Müddət (saniyə)", "Nömrə", "Məbləğ (AZN)", "Ödəniş*"]
# Under the calls, the month's totals: by kind, then picture 5's three.
MONTH_TOTALS = ["Ayın bütün zəngləri üzrə yekun"]
# The line is chosen in the report's options form, which sends all its fields.
SECOND_LINE_CHOSEN = "/calls?line=0183456789&month=2026-12&kind=&sort=date&q="


def assert_picture_5(page):
    """The report of Aysel's first line, as picture 5 of the manual shows it."""
    assert page.title().startswith(SERVICE)
    toolbar = page.get_by_role("navigation", name="Xidmətin alətləri")
    for label in ("Əks əlaqə", "Video təlimat", "İstifadə Təlimatı", "Reklamasiya"):
        assert toolbar.get_by_role("link", name=label, exact=True).is_visible()
    assert re.fullmatch(r"İstifadə sayı: \d+", toolbar.locator(".usage").inner_text())
    notice = page.get_by_role("note")
    assert notice.inner_text().startswith("Bildiriş!")
    assert "cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar" in notice.inner_text()
    assert page.locator("#call-report .phone").inner_text() == f"Telefon: {AYSEL_FIRST_LINE}"

    # The tests' clock is DEMO_NOW, 24 December 2026: past the 22nd, picture 5 to the minute.
    assert page.locator("#calls-caption").inner_text() == (
        "dekabr 2026 ayında aparılmış şəhərlərarası və beynəlxalq danışıqlar")
    table = report_table(page)
    assert table["columns"] == COLUMNS
    rows = table["rows"]
    assert [row[0] for row in rows] == ["1", "2", "3", "4", "5"]
    assert [(row[1], row[2]) for row in rows] == [
        ("08.12", "16:11"), ("11.12", "09:15"), ("11.12", "10:00"), ("11.12", "10:11"),
        ("22.12", "10:51")]
    assert [row[3] for row in rows] == ["72", "20", "286", "108", "35"]
    assert [row[4] for row in rows] == ["+7 495 123 45 67", "022 256 43 21", "022 256 43 21",
                                        "024 244 11 22", "+49 30 12345678"]
    assert table["destinations"] == [
        "beynəlxalq · Rusiya", "şəhərlərarası · Gəncə", "şəhərlərarası · Gəncə",
        "şəhərlərarası · Şəki", "beynəlxalq · Almaniya"]
    assert [row[5] for row in rows] == ["0,28", "0,02", "0,24", "0,09", "0,17"]
    assert [row[6] for row in rows] == ["-"] * 5
    assert table["summary"] == [
        MONTH_TOTALS,
        ["3", "Şəhərlərarası", "0,35", ""],
        ["2", "Beynəlxalq", "0,45", ""],
        ["5", "Ödənilməyib", "0,80", ""],
        ["0", "Ödənilib", "0,00", ""],
        ["5", "Cəmi", "0,80", ""],
    ]
    footnote = page.locator("#payment-note")
    assert footnote.inner_text().startswith("* Ödəniş")


def test_sign_in_page_offers_the_four_means_and_how_to_obtain_each(any_page, shoot):
    page = any_page
    page.goto("/")
    open_sign_in(page)
    shoot(page, "sign-in")
    titles = page.locator(".means-card h2").all_inner_texts()
    assert titles == list(MEANS)
    for key, title in zip(("eimza", "egov", "asan", "password"), MEANS):
        card = means_card(page, title)
        assert not card.locator(".how-text").is_visible()
        mark_document(page)
        card.get_by_role("link", name="Necə əldə etməli?").click()
        explanation = card.get_by_role("region", name=f"Necə əldə etməli? — {title}")
        explanation.wait_for()
        assert explanation.locator("p").count() >= 1
        assert path_of(page) == f"/auth/how-to-obtain/{key}"
        # With htmx the explanation opens in place; without it the same URL is a page.
        assert same_document(page) == page.javascript
    shoot(page, "how-to-obtain")
    # Every means can be used: each card has its own «Daxil ol».
    for title in MEANS:
        assert means_card(page, title).get_by_role("button", name="Daxil ol").count() == 1
    sign_in(page)
    assert path_of(page) == "/services"
    assert page.get_by_role("banner").get_by_text("Aysel Məmmədova").is_visible()


def test_citizen_follows_the_manual_to_picture_5(any_page, shoot):
    page = any_page
    sign_in_from_home(page)
    open_all_services(page)
    shoot(page, "all-services")
    assert ministry_row(page).inner_text().split("\n")[-1] == "4 xidmət · bu portalda: 1"
    assert not ministry_services(page).is_visible()
    assert ministry_row(page).get_attribute("aria-expanded") == "false"

    mark_document(page)
    open_ministry(page)
    shoot(page, "ministry-open")
    assert path_of(page) == "/services/nrytn"
    # The services open under the ministry's own row.
    row = page.locator("li.agency").filter(has=ministry_row(page))
    assert row.get_by_role("link", name=SERVICE).is_visible()
    assert ministry_row(page).get_attribute("aria-expanded") == "true"
    assert same_document(page) == page.javascript

    open_service(page)
    shoot(page, "report")
    assert path_of(page) == "/calls"
    assert same_document(page) == page.javascript
    assert_picture_5(page)


def test_choosing_the_second_line_shows_its_calls(any_page, signed_in, shoot):
    page = any_page
    signed_in(page, AYSEL)
    page.goto("/calls")
    mark_document(page)
    page.evaluate("""() => {
        document.querySelector('.toolbar').__kept = true;
        document.querySelector('table.calls').__kept = true;
    }""")
    if page.javascript:
        choose_line(page, AYSEL_SECOND_LINE)
    else:
        with page.expect_navigation() as navigation:
            choose_line(page, AYSEL_SECOND_LINE)
        assert navigation.value.request.method == "GET"
    shoot(page, "second-line")
    assert path_of(page) == SECOND_LINE_CHOSEN
    assert page.get_by_label("Telefon nömrəsi").input_value() == "0183456789"
    kept = page.evaluate("""() => [document.querySelector('.toolbar').__kept === true,
                                   document.querySelector('table.calls').__kept === true]""")
    # With htmx only the table is new; the rest of the page stays as it was.
    assert kept == ([True, False] if page.javascript else [False, False])
    assert same_document(page) == page.javascript

    table = report_table(page)
    assert table["columns"] == COLUMNS
    assert [row[1:] for row in table["rows"]] == [
        ["05.12", "17:42", "125", "012 498 76 54", "0,07", "+"],
        ["10.12", "14:24", "61", "+7 916 123 45 67", "0,40", "+"],
        ["15.12", "11:06", "600", "022 250 10 10", "0,30", "-"],
        ["19.12", "19:48", "15", "+90 532 123 45 67", "0,20", "-"],
    ]
    assert table["summary"] == [
        MONTH_TOTALS,
        ["2", "Şəhərlərarası", "0,37", ""],
        ["2", "Beynəlxalq", "0,60", ""],
        ["2", "Ödənilməyib", "0,50", ""],
        ["2", "Ödənilib", "0,47", ""],
        ["4", "Cəmi", "0,97", ""],
    ]


def test_back_forward_and_reload_after_in_place_steps(page):
    follow_manual_to_report(page)
    choose_line(page, AYSEL_SECOND_LINE)

    def shows(path):
        """The address bar and the page agree."""
        assert path_of(page) == path
        if path.startswith("/calls"):
            number = AYSEL_SECOND_LINE if "line=" in path else AYSEL_FIRST_LINE
            page.locator("#call-report .phone").filter(has_text=f"Telefon: {number}").wait_for()
            assert page.get_by_role("heading", name=SERVICE, level=1).is_visible()
        else:
            page.get_by_role("heading", name="Bütün xidmətlər", level=1).wait_for()
            # The address changes before htmx reloads the page: wait for the content to agree.
            if path == "/services/nrytn":
                expect(ministry_services(page)).to_be_visible()
            else:
                expect(ministry_services(page)).to_be_hidden()
        # The content can show before a reloaded page has run htmx, which only then listens
        # for back and forward: a person's next click comes after the page has loaded.
        page.wait_for_load_state()

    shows(SECOND_LINE_CHOSEN)
    for step, path in [(page.go_back, "/calls"), (page.go_back, "/services/nrytn"),
                       (page.go_back, "/services"), (page.go_forward, "/services/nrytn"),
                       (page.go_forward, "/calls"), (page.reload, "/calls"),
                       (page.go_forward, SECOND_LINE_CHOSEN),
                       (page.reload, SECOND_LINE_CHOSEN)]:
        step()
        page.wait_for_url(lambda url: url.endswith(path))
        shows(path)


def test_signed_out_visitor_goes_to_sign_in_and_straight_back_to_the_service(any_page):
    page = any_page
    page.goto("/calls")
    assert path_of(page) == "/auth/login?next=/calls"
    assert page.get_by_text("Xidmətə keçmək üçün əvvəlcə daxil olun.").is_visible()
    assert page.locator("table.calls").count() == 0
    sign_in(page)
    assert path_of(page) == "/calls"
    assert_picture_5(page)


def test_signed_out_htmx_click_on_the_service_ends_on_sign_in(page):
    page.goto("/services")
    open_ministry(page)
    with page.expect_navigation():
        ministry_services(page).get_by_role("link", name=SERVICE).click()
    assert path_of(page) == "/auth/login?next=/calls"
    assert page.get_by_role("heading", name="Portala giriş", level=1).is_visible()
    sign_in(page)
    assert path_of(page) == "/calls"


def test_a_session_ended_meanwhile_sends_the_line_choice_through_sign_in(page, signed_in):
    signed_in(page, AYSEL)
    page.goto("/calls")
    page.context.clear_cookies()  # the session ended (idle, or Çıxış in another tab)
    with page.expect_navigation():
        page.get_by_label("Telefon nömrəsi").select_option(label=AYSEL_SECOND_LINE)
    assert path_of(page) == ("/auth/login?next=/calls?line%3D0183456789%26month%3D2026-12"
                             "%26kind%3D%26sort%3Ddate%26q%3D")
    sign_in(page)
    assert path_of(page) == SECOND_LINE_CHOSEN
    assert page.locator("#call-report .phone").inner_text() == f"Telefon: {AYSEL_SECOND_LINE}"


def test_sign_out_leaves_nothing_personal_behind(any_page, shoot):
    page = any_page
    follow_manual_to_report(page)
    sign_out(page)
    shoot(page, "signed-out")
    assert path_of(page) == "/"
    assert page.get_by_text("Siz portaldan çıxdınız.").is_visible()
    assert page.get_by_role("banner").get_by_role("link", name="Giriş", exact=True).is_visible()

    def nothing_personal():
        text = page.locator("body").inner_text()
        assert "Aysel" not in text and AYSEL_FIRST_LINE not in text
        assert page.locator("table.calls").count() == 0

    # The report was sent no-store: back and reload ask the server, which wants a sign-in.
    page.go_back()
    page.wait_for_load_state()
    nothing_personal()
    assert path_of(page) == "/auth/login?next=/calls"
    page.reload()
    nothing_personal()
    page.go_forward()
    page.wait_for_load_state()
    nothing_personal()


def test_rauf_sees_only_the_calls_since_the_handover(any_page, signed_in, shoot):
    page = any_page
    signed_in(page, RAUF)
    page.goto("/services/nrytn")
    open_service(page)
    shoot(page, "rauf-report")
    assert page.locator("#call-report .phone").inner_text() == "Telefon: 012 510 98 76"
    assert page.locator("#call-report .notice").inner_text() == (
        "Bu nömrə 12.12.2026 18:45 tarixindən sizin adınızadır: "
        "yalnız o vaxtdan sonrakı zənglər göstərilir.")
    table = report_table(page)
    assert [row[1:] for row in table["rows"]] == [
        ["16.12", "17:45", "44", "+995 32 212 34 56", "0,20", "-"],
        ["20.12", "17:07", "180", "+995 32 212 34 56", "0,60", "-"],
    ]
    assert table["destinations"] == ["beynəlxalq · Gürcüstan"] * 2
    assert table["summary"][-1] == ["2", "Cəmi", "0,80", ""]
    assert page.get_by_label("Telefon nömrəsi").count() == 0


def test_another_citizens_line_by_url_is_not_found(any_page, signed_in, shoot):
    page = any_page
    signed_in(page, RAUF)
    response = page.goto("/calls?line=0124401234")
    shoot(page, "not-found")
    assert response.status == 404
    assert page.get_by_role("heading", name="Səhifə tapılmadı", level=1).is_visible()
    assert "Axtardığınız səhifə yoxdur" in page.locator("main").inner_text()
    text = page.locator("body").inner_text()
    assert AYSEL_FIRST_LINE not in text and "Aysel" not in text
    assert page.locator("table.calls").count() == 0


def test_csp_violations_are_caught(page):
    """The console watcher that guards every page above notices a violation."""
    page.goto("/")
    inline_style = "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')"
    with page.expect_console_message(is_csp_violation):
        page.evaluate(inline_style)
    assert any("style" in text for text in page.csp_violations)
    page.csp_violations.clear()
