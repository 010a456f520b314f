"""Each button of the report's toolbar, end to end in the browser, with JavaScript and without."""
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

AYSEL = ("aysel", "aysel-demo-1")
SECOND_LINE = "0183456789"  # the walkthrough leaves Aysel's first line untouched


def sign_in(page, username, password, path="/auth/login"):
    page.goto(path)
    form = page.locator("form").filter(has=page.get_by_label("Şifrə", exact=True))
    form.get_by_label("İstifadəçi adı").fill(username)
    form.get_by_label("Şifrə", exact=True).fill(password)
    form.get_by_role("button", name="Daxil ol").click()
    page.wait_for_load_state()


def _context(browser, live_server, javascript, storage_state=None):
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript,
                                  locale="az-AZ", timezone_id="Asia/Baku",
                                  storage_state=storage_state)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture(scope="module")
def aysels_cookie(browser, live_server):
    """Aysel signs in once for the module: sign-in attempts are limited per user name."""
    context = _context(browser, live_server, True)
    sign_in(context.new_page(), *AYSEL)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def aysel(request, browser, live_server, aysels_cookie):
    """Aysel's browser, signed in, with JavaScript and without it."""
    context = _context(browser, live_server, request.param, aysels_cookie)
    page = context.new_page()
    page.javascript = request.param
    yield page
    context.close()


@pytest.fixture
def aysel_js(browser, live_server, aysels_cookie):
    context = _context(browser, live_server, True, aysels_cookie)
    yield context.new_page()
    context.close()


def test_feedback_opens_in_place_keeps_what_was_typed_and_thanks(aysel):
    page = aysel
    page.goto("/calls")
    page.get_by_role("link", name="Əks əlaqə").click()
    panel = page.locator("#toolbar-panel")
    panel.get_by_label("5").check()
    panel.get_by_role("button", name="Göndər").click()
    error = page.get_by_text("Fikrinizi bir neçə sözlə yazın.")
    error.wait_for()
    assert page.get_by_label("5").is_checked()
    if page.javascript:
        assert page.url.endswith("/calls")  # opened and answered in place
    page.get_by_label("Fikriniz").fill("Cədvəl aydındır.")
    page.get_by_role("button", name="Göndər").click()
    page.get_by_text("Təşəkkür edirik!").wait_for()


def test_feedback_with_the_keyboard_only(aysel_js):
    page = aysel_js
    page.goto("/calls")
    page.get_by_role("link", name="Əks əlaqə").focus()
    page.keyboard.press("Enter")
    # The panel's heading takes the focus when it is swapped in; Tab from there, as a person
    # does once the panel is there (pressed earlier, Tab starts from the link).
    expect(page.get_by_role("heading", name="Əks əlaqə")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")  # the first rating, then the next one
    page.keyboard.press("Tab")
    page.keyboard.type("Klaviatura ilə göndərdim.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Təşəkkür edirik!").wait_for()


def test_a_claim_is_filed_answered_by_staff_and_corrects_the_amount(aysel, browser, live_server):
    page = aysel
    page.goto(f"/calls?line={SECOND_LINE}")
    page.get_by_role("link", name="Reklamasiya", exact=True).click()
    reason = page.get_by_label("Etirazınızın səbəbi")
    reason.fill("Bu zəngi tanımıram.")
    page.get_by_role("button", name="Reklamasiyanı göndər").click()
    page.locator("#calls-error").wait_for()
    assert page.get_by_label("Etirazınızın səbəbi").input_value() == "Bu zəngi tanımıram."
    page.locator("input[name=calls]").last.check()
    page.get_by_role("button", name="Reklamasiyanı göndər").click()
    page.get_by_role("heading", name=re.compile(r"Reklamasiya RK-")).wait_for()
    reference = re.search(r"RK-\d{4}-\w{5}", page.locator("h1").inner_text()).group(0)
    trail = page.get_by_role("navigation", name="Yol")
    trail.get_by_role("link", name=re.compile("^Cari ay")).click()
    page.get_by_role("link", name=re.compile(reference)).wait_for()
    assert page.locator("tr.disputed").count() >= 1

    # The operator's employee, in their own browser and at their own sign-in page, answers it.
    staff_context = _context(browser, live_server, page.javascript)
    desk = staff_context.new_page()
    sign_in(desk, "operator", "operator-demo-1", "/staff/login")
    desk.get_by_role("link", name=reference).click()
    desk.get_by_label("Təmin et (məbləği düzəlt)").check()
    desk.locator("input[name^=amount-]").fill("0,01")
    desk.get_by_label("Vətəndaşa cavab").fill("Zəng səhvən hesablanıb.")
    desk.get_by_role("button", name="Cavabı yadda saxla").click()
    desk.get_by_text("Cavab yadda saxlanıldı.").wait_for()
    assert desk.goto("/calls").url.split("?")[0].endswith("/auth/login")  # not a citizen
    staff_context.close()

    page.goto(f"/calls/claims/{reference}")
    page.get_by_text("Zəng səhvən hesablanıb.").wait_for()
    assert "təmin edilib" in page.locator(".status").inner_text()
    page.goto(f"/calls?line={SECOND_LINE}")
    row = page.locator("tr", has=page.get_by_role("link", name=re.compile(reference)))
    assert re.search(r"əvvəlki məbləğ\s+\d+,\d\d\s+0,01", row.inner_text())


def test_the_manual_shows_our_pages(aysel):
    page = aysel
    page.goto("/calls")
    page.get_by_role("link", name="İstifadə Təlimatı").click()
    page.get_by_role("heading", name="İstifadə Təlimatı").wait_for()
    images = page.get_by_role("img")
    assert images.count() == 6
    for i in range(images.count()):
        src = images.nth(i).get_attribute("src")
        assert page.request.get(src).headers["content-type"] == "image/png"
        assert len(images.nth(i).get_attribute("alt")) > 40


def test_the_video_loads_nothing_until_play(aysel):
    page = aysel
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/calls")
    page.get_by_role("link", name="Video təlimat").click()
    video = page.locator("video")
    video.wait_for()
    assert video.get_attribute("preload") == "none"
    assert page.get_by_role("link", name="Videonu yükləyin (WebM)").is_visible()
    page.wait_for_load_state("networkidle")
    assert not [url for url in requested if url.endswith(".webm")]
    if page.javascript:
        with page.expect_request(re.compile(r"journey(-[0-9a-f]+)?\.webm")):
            video.evaluate("v => { v.muted = true; v.play().catch(() => {}); }")


def test_usage_count_is_shown_and_counts_a_sign_in_once(aysel_js):
    """Reloading and switching line are the same use; the count is the service's, shared."""
    page = aysel_js
    page.goto("/calls")
    first = int(page.locator(".usage strong").inner_text())
    assert first >= 1
    page.reload()
    page.goto("/calls?line=0183456789")
    assert int(page.locator(".usage strong").inner_text()) == first


def test_csv_and_pdf_links_download_the_table(aysel):
    page = aysel
    page.goto("/calls")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^CSV")).click()
    assert download.value.suggested_filename == "zengler-0124401234-2026-12.csv"
    lines = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
    # One header row and the month's five calls: no totals among them, so it sorts.
    assert lines[0] == ("#;Tarix;Vaxt;Müddət (saniyə);Nömrə;Zəngin növü;İstiqamət;"
                        "Dəqiqənin qiyməti (AZN);Vaxt zolağı;Məbləğ (AZN);Ödəniş*")
    assert lines[1] == ("1;08.12.2026;16:11;72;00 7 495 123 45 67;beynəlxalq;Rusiya;0,23;"
                        "günün vaxtından asılı deyil ×1;0,28;-")
    assert [line.split(";")[0] for line in lines[1:]] == ["1", "2", "3", "4", "5"]
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^PDF")).click()
    reader = PdfReader(download.value.path())
    assert "Ödənilməyib" in reader.pages[0].extract_text()


def test_printing_fits_a4_with_whose_report_it_is(aysel_js):
    page = aysel_js
    page.goto("/calls")
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("heading", level=1).is_visible()  # the print header says it
    header = page.locator(".print-header")
    assert header.is_visible()
    text = header.inner_text()
    assert "Aysel Məmmədova" in text and "012 440 12 34" in text and "Çap tarixi" in text
    assert "dekabr 2026" in text and "Çap tarixi: 24.12.2026 15:" in text
    # Said once: the number is not repeated under the printed header, and no card border.
    assert not page.locator("#call-report .phone").is_visible()
    assert not page.locator("table.calls caption").is_visible()
    assert page.locator("main").evaluate("m => getComputedStyle(m).borderTopWidth") == "0px"
    # On paper it is the table, even when printed from a phone.
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.locator("table.calls").evaluate("t => getComputedStyle(t).display") == "table"
    assert page.locator("table.calls thead th").first.is_visible()
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
    assert len(pdf.pages) == 1
    width, height = float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
