"""Words where they showed broken: the header and the trail in Russian at 320 px and
1280 px, the access log's tables on a 320-px phone.

The name is never broken inside a word, the trail's «›» never stands alone on a line, on
a desktop AZ · EN · RU stay on the header's one row, and the access log's dates, browsers
and actions are whole words in their cards."""
import pytest

from .manual import AYSEL

WORDS_BROKEN = """sel => {
  // Words of the element split over lines: a text node's word whose client rects differ.
  const el = document.querySelector(sel), broken = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, text = node.textContent;
    for (const match of text.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index); range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""

LONELY_SEPARATORS = """() => [...document.querySelectorAll('.breadcrumbs li + li')].filter(li => {
  // The «›» (::before) and the step's link start on the same line.
  const link = li.firstElementChild.getBoundingClientRect();
  const item = li.getBoundingClientRect();
  return Math.abs(link.top - item.top) > 4 && link.height < item.height - 4;
}).map(li => li.textContent.trim())"""


@pytest.fixture
def russian_report(browser, live_server, signed_in):
    def open_at(width):
        context = browser.new_context(base_url=live_server, viewport={"width": width,
                                                                     "height": 800})
        page = context.new_page()
        signed_in(page, AYSEL)
        page.goto("/calls?lang=ru")
        return page
    return open_at


def test_at_320_px_the_name_and_trail_break_only_between_words(russian_report):
    page = russian_report(320)
    assert page.locator(".site-header .who").inner_text().split() == ["Aysel", "Məmmədova"]
    assert page.evaluate(WORDS_BROKEN, ".site-header .who") == []
    assert page.evaluate(LONELY_SEPARATORS) == []
    # Two rows: the brand with AZ · EN · RU, then the menu, the name and «Выход».
    rows = page.evaluate("""() => new Set([...document.querySelectorAll(
        '.site-header .brand, .site-header .who, .site-header .language-switch,'
        + ' .site-header summary, .site-header button')].map(el => {
          const b = el.getBoundingClientRect(); return Math.round(b.top / 40); })).size""")
    assert rows == 2
    page.context.close()


def test_at_1280_px_the_language_switch_stays_on_the_headers_row(russian_report):
    page = russian_report(1280)
    switch = page.locator(".site-header .language-switch").bounding_box()
    name = page.locator(".site-header .who").bounding_box()
    assert abs((switch["y"] + switch["height"] / 2) - (name["y"] + name["height"] / 2)) < 8
    page.context.close()


@pytest.mark.parametrize("language", ["az", "ru"])
def test_at_320_px_the_access_logs_tables_are_cards_of_whole_words(
        browser, live_server, signed_in, language):
    context = browser.new_context(base_url=live_server, viewport={"width": 320, "height": 800})
    page = context.new_page()
    signed_in(page, AYSEL)
    page.goto(f"/account/access-log?lang={language}")
    for table in (".access-log", ".sign-ins"):
        assert page.evaluate(WORDS_BROKEN, table) == [], table
        # Each cell says which column it is: the date under «Nə vaxt» / «Когда».
        label = page.evaluate(f"""() => getComputedStyle(
            document.querySelector('{table} tbody td'), '::before').content""")
        assert label == ('"Nə vaxt"' if language == "az" else '"Когда"')
    context.close()
