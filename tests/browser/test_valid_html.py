"""The page states that exist only after htmx has swapped something in are valid HTML too.

tests/test_valid_html.py checks every whole page a browser without JavaScript gets; here
Chromium clicks in place (a means' how-to, a ministry's row, the service, another line,
the toolbar's panels, a claim form sent with an error, «Daha çox», the provider's polled
status) and the document as it then stands (`page.content()`) is saved and checked by the
Nu HTML Checker, in one run for all of them.
"""
import re

import pytest
from playwright.sync_api import expect

from egov import access_log
from egov.db import database
from egov.devidp.models import DEVIDP_MODELS
from egov.models import Citizen
from tests import vnu
from tests.support.live import serving_with_dev_provider

from .conftest import _page
from .manual import AYSEL, sign_in

AGENCY = "#agency-row-nrytn"
SERVICE_LINK = "#agency-nrytn .services a"


@pytest.fixture
def portal(app, demo, tmp_path_factory):
    """The portal and the development provider on the test's own database: the claims and
    feedback sent here stay out of the other browser tests' server."""
    keys = str(tmp_path_factory.mktemp("devidp-keys"))
    with serving_with_dev_provider(app.config, keys) as (served, _provider):
        with database.connection_context():
            for model in DEVIDP_MODELS:
                model.delete().execute()
        yield served.base_url


class States:
    def __init__(self, folder):
        self.folder, self.saved = folder, []

    def keep(self, name, page):
        self.saved.append(vnu.save(self.folder, name, page.content()))


def in_place(page, click, wait_for):
    """Click, and wait until htmx has put `wait_for` in this same document."""
    page.evaluate("window.__stillHere = true")
    click()
    page.locator(wait_for).first.wait_for()
    page.wait_for_load_state()
    assert page.evaluate("window.__stillHere === true"), "the page was loaded anew, not swapped"


def catalogue_to_report(page, states, language):
    page.goto(f"/services?lang={language}")
    in_place(page, lambda: page.locator(AGENCY).click(), SERVICE_LINK)
    states.keep(f"{language}-catalogue-ministry-opened", page)
    in_place(page, lambda: page.locator(SERVICE_LINK).first.click(), "#call-report")
    states.keep(f"{language}-report-from-the-catalogue", page)
    in_place(page, lambda: page.locator("#report-line").select_option("0183456789"),
             "#call-report:has-text('018 345 67 89')")
    states.keep(f"{language}-report-line-chosen", page)


def test_every_state_after_an_htmx_swap_is_valid_html(portal, browser, tmp_path, monkeypatch):
    vnu.checker()  # skipped (or failed in CI) before any page is fetched, if it cannot run
    monkeypatch.setattr(access_log, "PAGE_SIZE", 3)  # the server runs in this process
    aysel = Citizen.get(username="aysel")
    for n in range(5):
        access_log.calls_imported(f"calls-{n}.csv", {aysel.id: n + 1})
    states = States(tmp_path)
    with _page(browser, portal, javascript=True) as page:
        page.goto("/auth/login")
        for key in ("eimza", "egov", "asan", "password"):
            in_place(page, lambda: page.locator(f"#means-{key} a.how").click(),
                     f"#how-{key} > *")
        states.keep("az-sign-in-every-how-to-opened", page)
        sign_in(page, AYSEL)
        for language in ("az", "en", "ru"):
            catalogue_to_report(page, states, language)

        page.goto("/calls?lang=az")
        panel = page.locator("#toolbar-panel")
        in_place(page, lambda: page.get_by_role("link", name="Əks əlaqə").click(),
                 "#toolbar-panel form")
        states.keep("az-report-feedback-opened", page)
        in_place(page, lambda: panel.get_by_role("button", name="Göndər").click(),
                 "#toolbar-panel .has-error")
        states.keep("az-report-feedback-error", page)
        panel.get_by_label("4").check()
        panel.get_by_label("Fikriniz").fill("Aydındır.")
        in_place(page, lambda: panel.get_by_role("button", name="Göndər").click(),
                 "#toolbar-panel :text('Təşəkkür edirik!')")
        states.keep("az-report-feedback-thanks", page)

        for name, link, heading in (("manual", "İstifadə Təlimatı", "İstifadə Təlimatı"),
                                    ("video", "Video təlimat", "Video təlimat")):
            page.goto("/calls")
            in_place(page, lambda: page.get_by_role("link", name=link).click(),
                     f"h1:has-text('{heading}')")
            states.keep(f"az-{name}-from-the-report", page)

        page.goto("/calls")
        in_place(page, lambda: page.get_by_role("link", name="Reklamasiya", exact=True).click(),
                 "form.claim-form")
        states.keep("az-claim-form-from-the-report", page)
        page.get_by_label("Etirazınızın səbəbi").fill("Bu zəngi tanımıram.")
        in_place(page, lambda: page.get_by_role(
            "button", name="Reklamasiyanı göndər").click(), "#calls-error")
        states.keep("az-claim-form-error", page)
        page.locator("input[name=calls]").last.check()
        page.get_by_role("button", name="Reklamasiyanı göndər").click()
        page.get_by_role("heading", name=re.compile(r"Reklamasiya RK-")).wait_for()
        states.keep("az-claim-filed", page)

        page.goto("/account/access-log")
        rows = page.locator("#access-entries tr:not(#access-more)")
        in_place(page, lambda: page.get_by_role("link", name="Daha çox").click(),
                 f"#access-entries tr:nth-child({access_log.PAGE_SIZE + 1})")
        expect(rows).not_to_have_count(access_log.PAGE_SIZE)
        states.keep("az-access-log-more", page)

    with _page(browser, portal, javascript=True) as page, \
            _page(browser, portal, javascript=True) as phone:
        page.goto("/auth/login")
        page.locator("#means-asan button").click()
        page.get_by_label("Mobil nömrə").fill("+994 50 123 44 01")
        page.get_by_label("ASAN İstifadəçi ID").fill("100401")
        page.get_by_role("button", name="Davam et").click()
        page.locator("#asan-status[data-hx-trigger]").wait_for()
        states.keep("az-asan-waiting", page)
        phone.goto(page.locator("a[href*='/asan/phone/']").evaluate("link => link.href"))
        phone.locator("button[value=refuse]").click()
        page.locator("#asan-status .error").wait_for()  # the next poll swaps the refusal in
        states.keep("az-asan-refused-in-place", page)

    found = vnu.errors(states.saved)
    assert not found, f"{len(found)} HTML errors in {len(states.saved)} states:\n" + "\n".join(
        found)
