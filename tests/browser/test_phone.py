"""Every page on a phone: 320×640 and 360×740, with JavaScript and without, and at 200 % text.

A citizen, the operator's staff and the development identity provider's pages: none is
wider than the screen, nothing sticks out past its edge, everything tapped is at least
44×44 px, the header takes at most two lines, the menu opens on screen, and the report
shows every call's amount and the three totals inside the screen's width.
"""
import re

import pytest

from tests.support.devidp_browser import Visitor

from .manual import AYSEL, RAUF

RAUFS_LINE = "0125109876"
VIEWPORTS = {"320x640": (320, 640), "360x740": (360, 740)}

# What would make a page scroll sideways or cut something off: anything visible whose box
# reaches past the screen's edge (visually hidden text, one pixel square, does not count).
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.body.querySelectorAll('*')].filter(el => {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || el.closest('.skip-link')) return false;
    return box.right > width + 0.5 || box.left < -0.5;
  }).slice(0, 5).map(el => `${el.tagName.toLowerCase()}.${el.className}: `
    + `${Math.round(el.getBoundingClientRect().left)}..`
    + `${Math.round(el.getBoundingClientRect().right)}`
    + ` «${el.textContent.trim().slice(0, 40)}»`);
}"""

# Targets smaller than 44×44 CSS px. A check box or radio button counts with its label (one
# target); a link inside running text is exempt, as WCAG 2.5.8 exempts it.
SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll(
      'a[href], button, summary, select, textarea, input:not([type=hidden])')) {
    let box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || !el.checkVisibility()) continue;
    if (el.closest('.skip-link')) continue;
    if (el.type === 'checkbox' || el.type === 'radio') {
      for (const label of el.labels) {
        const l = label.getBoundingClientRect();
        if (l.width <= 1) continue;
        const left = Math.min(box.left, l.left), top = Math.min(box.top, l.top);
        box = {left, top, width: Math.max(box.right, l.right) - left,
               height: Math.max(box.bottom, l.bottom) - top};
      }
    }
    const block = el.tagName === 'A' && el.parentElement.closest('p, dd, figcaption, blockquote');
    if (block && block.textContent.trim().length > el.textContent.trim().length + 3) continue;
    if (box.width < 43.5 || box.height < 43.5)
      small.push(`${el.tagName.toLowerCase()} «${(el.textContent || el.name || '').trim()
        .slice(0, 30)}» ${Math.round(box.width)}×${Math.round(box.height)}`);
  }
  return small;
}"""


def misfits(page):
    """What does not fit the phone on this page (empty when all is well)."""
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    found = [f"scrolls sideways: {scroll} > {client}"] if scroll > client else []
    return found + page.evaluate(STICKING_OUT) + page.evaluate(SMALL_TARGETS)


@pytest.fixture(scope="module")
def phone_world(browser, live_server, signed_in):
    """Rauf disputes a call and the operator's employee corrects its amount, so the pages
    with a disputed mark and a claim's outcome exist; the staff's cookies for their pages."""
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  locale="az-AZ")
    page = context.new_page()
    signed_in(page, RAUF)
    page.goto(f"/calls/claims/new?line={RAUFS_LINE}")
    page.locator("input[name=calls]").first.check()
    page.get_by_label("Etirazınızın səbəbi").fill("Bu zəngi etməmişəm.")
    page.get_by_role("button", name="Reklamasiyanı göndər").click()
    reference = re.search(r"RK-\d{4}-\w{5}", page.locator("h1").inner_text()).group(0)
    context.close()

    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  locale="az-AZ")
    desk = context.new_page()
    desk.goto("/staff/login")
    desk.get_by_label("İstifadəçi adı").fill("operator")
    desk.get_by_label("Şifrə", exact=True).fill("operator-demo-1")
    desk.get_by_role("button", name="Daxil ol").click()
    desk.goto(f"/staff/claims/{reference}")
    desk.get_by_label("Təmin et (məbləği düzəlt)").check()
    desk.locator("input[name^=amount-]").fill("0,01")
    desk.get_by_label("Vətəndaşa cavab").fill("Məbləğ düzəldildi.")
    desk.get_by_role("button", name="Cavabı yadda saxla").click()
    desk.get_by_text("Cavab yadda saxlanıldı.").wait_for()
    staff = context.cookies()
    context.close()
    return {"reference": reference, "staff": staff}


def _devidp_pages(live_server):
    """The development provider's pages, reached the way a citizen reaches them."""
    asan = Visitor(live_server)
    asan.start("asan")
    pages = [asan.page.url]
    asan.submit({"mobile": "+994 50 123 44 01", "asan_id": "100401"})
    pages += [asan.page.url, asan.link(r'href="([^"]*/asan/phone/[^"]+)"')]
    eimza = Visitor(live_server)
    pages.append(eimza.start("eimza").url)
    egov = Visitor(live_server)
    pages.append(egov.start("egov").url)
    egov.submit({"username": "aysel.egov", "password": "aysel-egov-1"})
    pages += [egov.page.url, egov.link(r'href="([^"]*/egov/sms/[^"]+)"')]
    return pages


def _visits(phone_world, live_server):
    """(who, path) for every page: anyone, Aysel (two lines), Rauf (a handover, a corrected
    claim), the operator's staff, and the development identity provider."""
    reference = phone_world["reference"]
    yield from ((None, path) for path in (
        "/", "/auth/login", "/auth/how-to-obtain/asan", "/services", "/services/nrytn",
        "/calls/manual", "/calls/video", "/staff/login", "/no-such-page"))
    yield from ((AYSEL, path) for path in (
        "/calls", "/calls?line=0183456789", "/calls/claims/new?line=0124401234",
        "/calls/feedback"))
    yield from ((RAUF, path) for path in (
        "/calls", "/calls/claims", f"/calls/claims/{reference}"))
    yield from (("staff", path) for path in (
        "/staff/claims", f"/staff/claims/{reference}", "/staff/feedback"))
    yield from ((None, url) for url in _devidp_pages(live_server))


def _walk(browser, live_server, signed_in, phone_world, viewport, javascript, problems,
          font_size=None):
    width, height = viewport
    contexts = {}
    try:
        for who, path in _visits(phone_world, live_server):
            if who not in contexts:
                context = browser.new_context(
                    base_url=live_server, java_script_enabled=javascript,
                    viewport={"width": width, "height": height}, locale="az-AZ",
                    timezone_id="Asia/Baku")
                context.set_default_timeout(20_000)
                page = context.new_page()
                if font_size:  # the browser's own text size setting, as a person sets it
                    cdp = context.new_cdp_session(page)
                    cdp.send("Page.enable")
                    cdp.send("Page.setFontSizes",
                             {"fontSizes": {"standard": font_size, "fixed": font_size}})
                if who == "staff":
                    context.add_cookies(phone_world["staff"])
                elif who:
                    signed_in(page, who)
                contexts[who] = page
            page = contexts[who]
            response = page.goto(path)
            assert response.status in (200, 404), (path, response.status)
            name = who if who is None or isinstance(who, str) else who[0]
            problems += [f"{path} ({name}): {problem}" for problem in misfits(page)]
            yield who, path, page
    finally:
        for page in contexts.values():
            page.context.close()


def _header_lines(page):
    """How many rows the header's items take (the brand, AZ · EN · RU, the menu, the name,
    Çıxış), and the most lines of text any of them but the brand's name wraps to."""
    return page.evaluate("""() => {
      const items = [...document.querySelectorAll('.site-header .brand, .site-header summary,'
        + ' .site-header .who, .site-header button, .site-header .language-switch')];
      const rows = new Set(items.map(el => {
        const b = el.getBoundingClientRect(); return Math.round((b.top + b.bottom) / 32); }));
      const lines = items.filter(el => !el.matches('.brand')).map(el => {
        const tops = [];
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          if (walker.currentNode.parentElement.closest('.visually-hidden')) continue;
          const range = document.createRange(); range.selectNodeContents(walker.currentNode);
          for (const r of range.getClientRects())
            if (r.width && !tops.some(top => Math.abs(top - r.top) < 6)) tops.push(r.top);
        }
        return tops.length;
      });
      return {rows: rows.size, most_lines_in_an_item: Math.max(...lines)};
    }""")


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_every_page_fits_the_phone(browser, live_server, signed_in, phone_world, viewport,
                                   javascript):
    width, problems = viewport[0], []
    for who, path, page in _walk(browser, live_server, signed_in, phone_world, viewport,
                                 javascript, problems):
        if who is AYSEL and path == "/calls":
            assert _header_lines(page) == {"rows": 2, "most_lines_in_an_item": 1}
            # Every call's amount and payment mark, and the month's totals (two by kind and
            # picture 5's three, under the line that says they are the month's), on screen.
            table = page.locator("table.calls")
            cells = table.locator("tbody td.amount, tbody td.mark, tfoot td.num, tfoot th")
            assert cells.count() == 5 * 2 + 5 * 2 + 1
            for box in (cells.nth(i).bounding_box() for i in range(cells.count())):
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
            assert [t.strip() for t in table.locator("tfoot").inner_text().split("\n")
                    if "," in t] == ["0,35", "0,45", "0,80", "0,00", "0,80"]
            # Still a table: header cells for every column, read by a screen reader.
            assert table.get_by_role("columnheader").count() == 7
            assert table.get_by_role("row").count() == 1 + 5 + 1 + 5
            # The footnote is one tap away.
            note = table.get_by_role("link", name="Ödəniş işarəsinin izahı")
            assert note.is_visible()
            note.click()
            assert page.locator("#payment-note").is_visible()
            # «E-xidmətlər» opens its menu whole on the screen (a <details>: no script needed).
            nav = page.get_by_role("navigation", name="Əsas menyu")
            nav.locator("summary").click()
            menu = nav.get_by_role("link", name="Bütün xidmətlər").bounding_box()
            assert menu["x"] >= 0 and menu["x"] + menu["width"] <= width, menu
        if who is RAUF and path == "/calls":
            # The corrected call: the billed amount struck out beside the new one, and the
            # claim's mark, all inside the screen.
            row = page.locator("tr.disputed")
            assert re.search(r"əvvəlki məbləğ\s+\d+,\d\d\s+0,01", row.inner_text())
            box = row.get_by_role("link", name=re.compile(phone_world["reference"])).bounding_box()
            assert box["x"] + box["width"] <= width
        if who is RAUF and path.startswith("/calls/claims/RK-"):
            corrected = page.locator("table.calls tbody td.amount")
            assert corrected.inner_text() == "0,01"
            assert corrected.evaluate("td => getComputedStyle(td, '::before').content") == (
                '"Düzəldilmiş məbləğ (AZN)"')  # each card names its values
            box = corrected.bounding_box()
            assert box["x"] + box["width"] <= width
    assert not problems, "\n".join(problems)


def test_every_page_reflows_at_twice_the_text_size(browser, live_server, signed_in,
                                                   phone_world):
    """200 % text (the browser's font size set to 32 px) on a 320-px screen."""
    problems = []
    seen = [path for _, path, _ in _walk(browser, live_server, signed_in, phone_world,
                                         VIEWPORTS["320x640"], True, problems, font_size=32)]
    assert len(seen) > 20
    assert not problems, "\n".join(problems)
