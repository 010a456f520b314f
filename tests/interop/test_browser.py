"""The certified provider in a real browser: Chromium, with JavaScript and without it,
signs in at oidc-provider on another port (its own login and consent pages) and signs
out through its end-session endpoint, both hops crossing the portal's
Content-Security-Policy as they do with the real providers."""
import re

import pytest
from playwright.sync_api import expect

from egov import create_app
from tests.browser.conftest import _page
from tests.interop.conftest import InteropProvider
from tests.support.live import free_port, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def portal_url(app, node, world, tmp_path):
    world.citizen("5AYSL01", "Aysel Məmmədova", "aysel", "aysel-demo-1")
    rp_port = free_port()
    base_url = f"http://127.0.0.1:{rp_port}"
    provider = InteropProvider(node, free_port(), base_url, tmp_path / "oidc-provider.log")
    portal = create_app({**app.config, **provider.config(), "PUBLIC_URL": base_url})
    try:
        with serving(portal, rp_port):
            yield base_url, provider.url
    finally:
        provider.stop()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_sign_in_and_out_at_the_certified_provider_in_chromium(browser, portal_url, javascript):
    base_url, provider_url = portal_url
    with _page(browser, base_url, javascript) as page:
        page.goto("/auth/login")
        page.locator("#means-egov").get_by_role("button", name="Daxil ol").click()
        page.wait_for_url(re.compile(re.escape(provider_url) + "/interaction/"))
        page.locator("input[name=login]").fill("5AYSL01")
        page.locator("input[name=password]").fill("any")
        page.locator("button[type=submit]").click()
        if "/interaction/" in page.url:
            page.locator("button[type=submit]").click()  # the provider's consent page
        expect(page).to_have_url(f"{base_url}/services")
        expect(page.locator(".who")).to_have_text("Aysel Məmmədova")

        with page.expect_request(re.compile(re.escape(provider_url)
                                            + r"/session/end\?.*id_token_hint=")):
            page.get_by_role("button", name="Çıxış").click()
        page.locator("button[name=logout][value=yes]").click()  # the provider asks to confirm
        expect(page).to_have_url(re.compile(re.escape(base_url) + "/"))
        expect(page.get_by_text("Siz portaldan çıxdınız.", exact=False)).to_be_visible()
