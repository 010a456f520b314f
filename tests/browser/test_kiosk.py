"""A shared kiosk in Chromium, with limits of seconds: the idle warning, «Davam et»,
the screen that clears itself (with and without JavaScript), the tabs of one session
agreeing, and Back after the clearing or a sign-out showing nothing of the citizen."""
import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from egov import create_app
from tests.browser.conftest import _page
from tests.conftest import CHROMIUM_ARGS
from tests.browser.manual import AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, choose_line, sign_in
from tests.browser.test_accessibility import blocking_violations
from tests.support.live import serving

IDLE, WARNING = 12, 6  # seconds: the warning comes 6 s after the last activity
PERSONAL = ("Aysel", AYSEL_FIRST_LINE)


@pytest.fixture
def kiosk(app, demo):
    served = create_app({**app.config, "KIOSK_MODE": True, "SESSION_IDLE_SECONDS": IDLE,
                         "SESSION_WARNING_SECONDS": WARNING})
    with serving(served) as base_url:
        yield base_url


def _kiosk_page(browser, kiosk, javascript):
    return _page(browser, kiosk, javascript=javascript)


@pytest.fixture
def kiosk_page(browser, kiosk):
    with _kiosk_page(browser, kiosk, True) as page:
        yield page


@pytest.fixture(scope="module")
def bfcache_browser(browser, chromium_path):
    """Chromium with its back-forward cache on: Playwright turns it off by default, and
    a page restored from it would show the previous citizen without asking the server."""
    with_cache = browser.browser_type.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS,
        ignore_default_args=["--disable-back-forward-cache"])
    yield with_cache
    with_cache.close()


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def any_kiosk_page(request, bfcache_browser, kiosk):
    with _kiosk_page(bfcache_browser, kiosk, request.param) as page:
        yield page


def at_report(page):
    page.goto("/auth/login?next=/calls")
    sign_in(page)
    expect(page.locator("#call-report")).to_contain_text(AYSEL_FIRST_LINE)
    return time.monotonic()


def shows_nothing_personal(page):
    body = page.locator("body").inner_text()
    return not any(text in body for text in PERSONAL)


def server_says_signed_in(page):
    return page.request.get("/auth/session").json()["signed_in"]


def warning(page):
    return page.get_by_role("alertdialog", name="Sessiyanız başa çatmaq üzrədir")


def test_the_warning_takes_the_focus_and_escape_continues_on_the_server(kiosk_page):
    page = kiosk_page
    start = at_report(page)
    expect(warning(page)).to_be_visible(timeout=(IDLE + 5) * 1000)
    assert time.monotonic() - start >= IDLE - WARNING - 1  # not before its time
    expect(warning(page)).to_contain_text("Sessiyanız bir dəqiqədən az vaxtda başa çatacaq.")
    assert page.evaluate("document.activeElement.id") == "session-continue"
    expect(warning(page).get_by_role("button", name="Davam et")).to_be_visible()
    expect(warning(page).get_by_role("button", name="Çıxış")).to_be_visible()
    assert blocking_violations(page) == []
    page.keyboard.press("Escape")
    expect(warning(page)).to_be_hidden()
    time.sleep(max(0.0, start + IDLE + 1 - time.monotonic()))  # past the first limit
    assert server_says_signed_in(page)
    assert page.url.endswith("/calls") and not shows_nothing_personal(page)


def test_ignored_the_screen_clears_and_the_server_session_ends(kiosk_page):
    page = kiosk_page
    at_report(page)
    page.wait_for_url(re.compile(r"/auth/session-ended\?next="), timeout=(IDLE + 8) * 1000)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sessiyanız fəaliyyətsizlik səbəbindən başa çatdı")
    assert shows_nothing_personal(page) and not server_says_signed_in(page)
    page.go_back()
    page.wait_for_load_state()
    assert shows_nothing_personal(page)
    page.go_forward()
    page.get_by_role("link", name="Yenidən daxil olun").click()
    sign_in(page)  # and she is back where she was
    expect(page.locator("#call-report")).to_contain_text(AYSEL_FIRST_LINE)


def test_without_javascript_the_refresh_clears_the_screen(browser, kiosk):
    with _kiosk_page(browser, kiosk, False) as page:
        at_report(page)
        warning = page.get_by_text("Heç nə etməsəniz, sessiyanız bu vaxt başa çatacaq:")
        expect(warning).to_be_visible()
        page.wait_for_url(re.compile(r"/auth/session-ended\?next="), timeout=(IDLE + 8) * 1000)
        assert "fəaliyyətsizlik səbəbindən" in page.content()
        assert shows_nothing_personal(page) and not server_says_signed_in(page)
        page.go_back()
        page.wait_for_load_state()
        assert shows_nothing_personal(page)


def ends_at(page):
    """The session's end as the page states it: (the time shown, the moment it stands for)."""
    clock = page.locator("#session-ends-at")
    moment = datetime.fromisoformat(clock.get_attribute("datetime").replace("Z", "+00:00"))
    return clock.inner_text(), moment


def test_the_end_time_shown_is_bakus_in_a_browser_set_to_another_zone(browser, kiosk):
    context = browser.new_context(base_url=kiosk, locale="az-AZ",
                                  timezone_id="America/New_York")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        at_report(page)
        page.wait_for_function("document.getElementById('session-ends-at').dateTime"
                               ".includes('.')")  # rewritten by the script (milliseconds)
        shown, moment = ends_at(page)
        baku, new_york = (moment.astimezone(ZoneInfo(zone)).strftime("%H:%M")
                          for zone in ("Asia/Baku", "America/New_York"))
        assert shown == baku != new_york
    finally:
        context.close()


def test_an_htmx_swap_is_activity(kiosk_page):
    page = kiosk_page
    start = at_report(page)
    before = ends_at(page)[1]
    time.sleep(IDLE / 4 + 1)  # past the quarter after which the server writes activity
    choose_line(page, AYSEL_SECOND_LINE)
    swapped = time.monotonic()
    # The end time shown moves with the activity, at once (not at the next check).
    assert (ends_at(page)[1] - before).total_seconds() >= IDLE / 4
    time.sleep(max(0.0, start + IDLE - WARNING + 2 - time.monotonic()))
    expect(warning(page)).to_be_hidden()  # the first warning time has passed: none came
    expect(warning(page)).to_be_visible(timeout=(IDLE + 5) * 1000)
    assert time.monotonic() - swapped >= IDLE - WARNING - 1


def test_the_tabs_of_one_session_agree(kiosk_page):
    first = kiosk_page
    at_report(first)
    second = first.context.new_page()
    second.goto("/calls")
    expect(warning(first)).to_be_visible(timeout=(IDLE + 5) * 1000)
    expect(warning(second)).to_be_visible(timeout=5000)
    warning(first).get_by_role("button", name="Davam et").click()
    expect(warning(second)).to_be_hidden(timeout=3000)  # continuing in one counts for all
    expect(warning(first)).to_be_hidden()
    warning(second).page.get_by_role("banner").get_by_role("button", name="Çıxış").click()
    first.wait_for_url(re.compile(r"/auth/session-ended"), timeout=5000)  # cleared too
    assert shows_nothing_personal(first)


def test_after_sign_out_back_shows_nothing_of_the_citizen(any_kiosk_page):
    page = any_kiosk_page
    if page.javascript:  # first, that this browser does restore pages from the bfcache
        page.goto("/services")
        page.evaluate("window.__kioskMark = 1")
        page.goto("/calls/manual")
        page.go_back(wait_until="commit")  # a restored page fires no load event
        assert page.evaluate("window.__kioskMark") == 1, "the bfcache is off: nothing tested"
    at_report(page)
    exit_button = page.get_by_role("banner").get_by_role("button", name="Çıxış")
    assert "exit-button" in exit_button.get_attribute("class")  # prominent at a kiosk
    with page.expect_navigation():
        exit_button.click()
    page.go_back(wait_until="commit")  # bfcache or the HTTP cache would bring the report back
    page.wait_for_timeout(500)  # session.js reloads a restored page at once
    page.wait_for_load_state()
    assert shows_nothing_personal(page)
