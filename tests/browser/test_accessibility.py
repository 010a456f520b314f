"""Accessibility along the manual's steps: axe-core's rules, and the keyboard alone.

axe-core comes bundled in the PyPI package axe-playwright-python, so the check
runs without a network. Serious and critical violations fail the test.
"""

import pytest
from playwright.sync_api import expect

from .manual import (
    AYSEL, SERVICE, ministry_services, open_ministry, open_sign_in, path_of, settled,
)

BLOCKING = {"serious", "critical"}


def blocking_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def test_sign_in_page_passes_axe(page):
    page.goto("/")
    open_sign_in(page)
    page.get_by_role("link", name="Necə əldə etməli?").first.click()
    page.locator(".how-text").wait_for()
    assert blocking_violations(page) == []


def test_catalogue_with_the_ministry_open_passes_axe(page):
    page.goto("/services")
    open_ministry(page)
    assert blocking_violations(page) == []


def test_report_passes_axe(page, signed_in):
    signed_in(page, AYSEL)
    page.goto("/calls")
    assert blocking_violations(page) == []


def test_who_looked_at_my_data_passes_axe_and_fits_a_phone(page, signed_in):
    signed_in(page, AYSEL)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/calls")
    page.locator("summary", has_text="E-xidmətlər").click()  # the header menu holds the link
    page.get_by_role("link", name="Məlumatlarıma kim baxıb?").click()
    page.get_by_role("heading", name="Məlumatlarıma kim baxıb?", level=1).wait_for()
    assert blocking_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")


def focused(page):
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {
            text: el.textContent.trim().replace(/\\s+/g, ' '),
            tag: el.tagName.toLowerCase(),
            visible: el.matches(':focus-visible') && style.outlineStyle !== 'none'
                     && parseFloat(style.outlineWidth) >= 2,
        };
    }""")


def tab_to(page, starts_with, limit=60):
    """Press Tab until the focused element's text starts with `starts_with`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page)["text"].startswith(starts_with):
            return focused(page)
    pytest.fail(f"Tab never reached «{starts_with}»")


def test_keyboard_alone_reaches_the_ministry_and_the_service(page, signed_in):
    signed_in(page, AYSEL)
    page.goto("/services")

    row = tab_to(page, "Nəqliyyat, Rabitə və Yüksək Texnologiyalar Nazirliyi")
    assert row["tag"] == "a" and row["visible"], row
    page.keyboard.press("Enter")
    ministry_services(page).wait_for()
    # Until htmx has settled the row, its links are plain ones: a keyboard faster than
    # that (one run in four here) follows the service's link as a whole page.
    settled(page)
    assert path_of(page) == "/services/nrytn"
    # The row was swapped whole; the focus stays on it, not thrown back to the page's start.
    assert focused(page)["text"] == row["text"]

    service = tab_to(page, SERVICE)
    assert service["tag"] == "a" and service["visible"], service
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=SERVICE, level=1).wait_for()
    assert path_of(page) == "/calls"
    # After the swap the page's heading has the focus, so a screen reader announces it.
    # htmx moves it once the swap has settled, a moment after the heading is in the page.
    expect(page.locator("main h1")).to_be_focused()
    assert page.locator("table.calls").is_visible()


def test_focus_is_visible_on_the_skip_link_and_the_sign_in_button(page):
    page.goto("/auth/login")
    skip = tab_to(page, "Əsas məzmuna keç")
    assert skip["visible"], skip
    page.get_by_label("Şifrə", exact=True).focus()
    page.keyboard.press("Tab")
    button = focused(page)
    assert button["text"] == "Daxil ol" and button["visible"], button
