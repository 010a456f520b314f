"""«Məlumatlarıma kim baxıb?» in Chromium: «Daha çox» brings the next entries in place
with JavaScript, and is a plain link to the next page without it; on a 320-px phone the
list of open sessions fits the screen, and «Bu sessiyanı bitir» ends the one chosen."""
import pytest
from playwright.sync_api import expect

from egov import access_log, create_app
from egov.models import Citizen
from tests.browser.conftest import _page
from tests.browser.manual import mark_document, same_document, sign_in
from tests.support.live import serving


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def page_with_history(request, app, demo, browser):
    aysel = Citizen.get(username="aysel")
    for n in range(access_log.PAGE_SIZE + 5):
        access_log.calls_imported(f"fayl-{n:02d}.csv", {aysel.id: n + 1})
    with serving(create_app(app.config)) as base_url, _page(
            browser, base_url, javascript=request.param) as page:
        yield page


def test_more_entries_in_place_or_on_the_next_page(page_with_history):
    page = page_with_history
    page.goto("/auth/login?next=/account/access-log")
    sign_in(page)
    rows = page.locator("#access-entries tr:not(#access-more)")
    expect(rows).to_have_count(access_log.PAGE_SIZE)
    expect(rows.first).to_contain_text("fayl-24.csv")
    mark_document(page)
    page.get_by_role("link", name="Daha çox").click()
    if page.javascript:
        expect(rows).to_have_count(access_log.PAGE_SIZE + 6)  # 5 more files and the demo's
        assert same_document(page)
    else:
        expect(rows.first).to_contain_text("fayl-04.csv")
    expect(page.get_by_text("fayl-00.csv")).to_be_visible()
    expect(page.get_by_role("link", name="Daha çox")).to_have_count(0)


# What sticks out of the phone's screen inside the list of sessions (nothing may).
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const list = document.getElementById('sessions-heading').closest('section');
  return [...list.querySelectorAll('*')].filter(el => {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) return false;
    return box.right > width + 0.5 || box.left < -0.5;
  }).map(el => `${el.tagName.toLowerCase()} «${el.textContent.trim().slice(0, 40)}»`);
}"""


@pytest.fixture
def portal_url(app, demo):
    with serving(create_app(app.config)) as base_url:
        yield base_url


@pytest.mark.parametrize("language", ["az", "ru"])
@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_on_a_320_px_phone_the_sessions_fit_and_one_is_ended(browser, portal_url, language,
                                                             javascript):
    """Aysel on her phone ends the session she left open on a computer."""
    computer = browser.new_context(base_url=portal_url, locale="az-AZ")
    phone = browser.new_context(base_url=portal_url, locale="az-AZ", java_script_enabled=javascript,
                                viewport={"width": 320, "height": 640})
    try:
        desk, page = computer.new_page(), phone.new_page()
        for one in (desk, page):
            one.goto("/auth/login")
            sign_in(one)
        page.goto(f"/account/access-log?lang={language}")
        section = page.locator("section", has=page.locator("#sessions-heading"))
        expect(section.locator("li.session-card")).to_have_count(2)
        assert page.evaluate(STICKING_OUT) == []
        assert page.evaluate("document.documentElement.scrollWidth"
                             " <= document.documentElement.clientWidth")
        end = {"az": "Bu sessiyanı bitir", "ru": "Завершить этот сеанс"}[language]
        with page.expect_navigation():
            section.get_by_role("button", name=end).click()
        expect(section.locator("li.session-card")).to_have_count(1)
        assert page.evaluate(STICKING_OUT) == []
        desk.goto("/calls")
        assert "/auth/login" in desk.url
    finally:
        computer.close()
        phone.close()
