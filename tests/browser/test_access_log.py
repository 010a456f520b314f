"""«Məlumatlarıma kim baxıb?» in Chromium: «Daha çox» brings the next entries in place
with JavaScript, and is a plain link to the next page without it."""
import pytest
from playwright.sync_api import expect

from egov import access_log, create_app
from egov.models import Citizen
from tests.browser.conftest import _page
from tests.browser.manual import mark_document, same_document, sign_in
from tests.live import serving


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
