"""Every page state is valid HTML: the Nu HTML Checker (the W3C's validator) finds no error.

Each state a citizen, the operator's staff or a visitor of the development identity
provider meets is fetched whole, as a browser without JavaScript gets it (a fragment that
htmx swaps in is not a document; the same URL answers the whole page, which includes the
fragment), saved, and the checker runs once over all of them. Azerbaijani has every
state; English and Russian the main ones. The states that exist only after an htmx swap
are checked in tests/browser/test_valid_html.py.
"""
import re

import pytest

from egov import access_log
from egov.demo import AYSEL, AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, HANDED_OVER_LINE, NIGAR, RAUF
from egov.db import database
from egov.devidp.models import DEVIDP_MODELS
from egov.models import Citizen
from tests import vnu
from tests.support.devidp_browser import Visitor
from tests.support.live import serving_with_dev_provider

from .conftest import AuthActions, StaffActions
from .support.pages import csrf_token

MEANS = ("eimza", "egov", "asan", "password")
REFERENCE = re.compile(r"RK-\d{4}-[A-Z0-9]{5}")


class Pages:
    """The page states, saved as `name`.html in a folder for the checker."""

    def __init__(self, folder, language):
        self.folder, self.language, self.saved = folder, language, []

    def keep(self, name, response, status=200):
        html = response.get_data(as_text=True) if hasattr(response, "get_data") \
            else response.text
        code = response.status_code
        assert code == status, f"{name}: answered {code}, not {status}"
        assert html.lstrip().lower().startswith("<!doctype html>"), f"{name} is not a page"
        self.saved.append(vnu.save(self.folder, f"{self.language}-{name}", html))
        return html

    def get(self, client, name, path, status=200):
        return self.keep(name, client.get(path), status)


def signed_in(app, person, language):
    client = app.test_client()
    client.get(f"/?lang={language}")
    assert AuthActions(client).login(person["username"], person["password"]).status_code == 302
    return client


def post(client, path, form_page, **fields):
    return client.post(path, data={"csrf_token": csrf_token(client, form_page), **fields})


def public_pages(app, pages, language):
    anyone = app.test_client()
    anyone.get(f"/?lang={language}")
    pages.get(anyone, "home", "/")
    pages.get(anyone, "sign-in", "/auth/login")
    for key in MEANS:
        pages.get(anyone, f"how-to-{key}", f"/auth/how-to-obtain/{key}")
    refused = post(anyone, "/auth/login/password", "/auth/login", username="aysel",
                   password="not-her-password")
    pages.get(anyone, "sign-in-refused", refused.headers["Location"])
    pages.get(anyone, "catalogue", "/services")
    pages.get(anyone, "ministry", "/services/nrytn")
    pages.get(anyone, "manual", "/calls/manual")
    pages.get(anyone, "video", "/calls/video")
    pages.get(anyone, "session-ended", "/auth/session-ended?next=/calls")
    pages.get(anyone, "not-found", "/no-such-page", 404)
    pages.keep("form-expired", anyone.post("/auth/login/password", data={}), 400)
    pages.get(anyone, "wrong-method", "/auth/logout", 405)
    # Too many refused sign-ins from one address: counted per address, kept apart here.
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = f"192.0.2.{len(pages.saved)}"
    guesser.get(f"/?lang={language}")
    token = csrf_token(guesser)
    statuses = [guesser.post("/auth/login/password", data={
        "csrf_token": token, "username": "nobody", "password": "x"}).status_code
        for _ in range(5)]
    assert statuses == [303] * 5
    pages.keep("too-many", guesser.post("/auth/login/password", data={
        "csrf_token": token, "username": "nobody", "password": "x"}), 429)


def citizen_pages(app, pages, language, call_index):
    aysel = signed_in(app, AYSEL, language)
    pages.get(aysel, "report", "/calls")
    pages.get(aysel, "report-second-line", f"/calls?line={AYSEL_SECOND_LINE}")
    pages.get(aysel, "services-signed-in", "/services")
    pages.get(aysel, "claims-none", "/calls/claims")
    pages.get(aysel, "claim-new", f"/calls/claims/new?line={AYSEL_FIRST_LINE}")
    pages.keep("claim-new-error", post(aysel, "/calls/claims/new", "/calls/claims",
                                       line=AYSEL_FIRST_LINE, reason=""), 400)
    page = aysel.get(f"/calls/claims/new?line={AYSEL_FIRST_LINE}").get_data(as_text=True)
    call = re.findall(r'name="calls" value="(\d+)"', page)[call_index]
    filed = post(aysel, "/calls/claims/new", "/calls/claims", line=AYSEL_FIRST_LINE,
                 calls=[call], reason="Bu zəngi etməmişəm.")
    assert filed.status_code == 302, filed.status_code
    reference = REFERENCE.search(filed.headers["Location"]).group(0)
    pages.get(aysel, "claim-filed", filed.headers["Location"])
    pages.get(aysel, "claims", "/calls/claims")
    pages.get(aysel, "report-disputed", "/calls")
    pages.get(aysel, "feedback", "/calls/feedback")
    pages.keep("feedback-error", post(aysel, "/calls/feedback", "/calls/feedback",
                                      message="Yarımçıq"), 400)
    thanked = post(aysel, "/calls/feedback", "/calls/feedback", rating="4", message="Rahatdır.")
    pages.get(aysel, "feedback-thanks", thanked.headers["Location"])

    rauf = signed_in(app, RAUF, language)
    pages.get(rauf, "report-rauf-after-handover", "/calls")
    pages.get(rauf, "claim-new-rauf", f"/calls/claims/new?line={HANDED_OVER_LINE}")
    pages.get(signed_in(app, NIGAR, language), "report-nigar", "/calls")
    return aysel, reference


def staff_pages(app, pages, language, reference):
    staff = app.test_client()
    staff.get(f"/staff/login?lang={language}")
    pages.get(staff, "staff-login", "/staff/login")
    pages.keep("staff-login-refused", post(staff, "/staff/login", "/staff/login",
                                           username="operator", password="wrong"), 401)
    assert StaffActions(staff).login().status_code == 302
    pages.get(staff, "staff-claims", "/staff/claims")
    pages.get(staff, "staff-claims-received", "/staff/claims?status=received")
    pages.get(staff, "staff-claim", f"/staff/claims/{reference}")
    claim_page = f"/staff/claims/{reference}"
    pages.keep("staff-claim-error", post(staff, claim_page, claim_page, decision="reject",
                                         answer=""), 400)
    answered = post(staff, claim_page, claim_page, decision="review", answer="Baxırıq.")
    pages.get(staff, "staff-claim-answered", answered.headers["Location"])
    pages.get(staff, "staff-feedback", "/staff/feedback")
    pages.get(staff, "staff-my-actions", "/staff/my-actions")


def access_log_pages(app, pages, aysel, reference):
    citizen = Citizen.get(username=AYSEL["username"])
    for n in range(access_log.PAGE_SIZE + 2):
        access_log.calls_imported(f"calls-{n:02d}.csv", {citizen.id: n + 1})
    page = pages.get(aysel, "access-log", "/account/access-log")
    assert reference in pages.get(aysel, "claim-answered", f"/calls/claims/{reference}")
    more = re.search(r'href="(/account/access-log\?before=\d+)"', page).group(1)
    pages.get(aysel, "access-log-more", more)
    ended = post(aysel, "/account/sessions/end-others", "/account/access-log")
    pages.get(aysel, "access-log-sessions-ended", ended.headers["Location"])


@pytest.fixture(scope="module")
def devidp_keys(tmp_path_factory):
    return str(tmp_path_factory.mktemp("devidp-keys"))


def provider_pages(app, pages, keys_dir):
    """The development identity provider's pages, reached as a citizen reaches them, and
    the portal's pages at either end (a refused sign-in, Elvin's first, empty report)."""
    with serving_with_dev_provider(app.config, keys_dir) as (portal, provider):
        with database.connection_context():
            for model in DEVIDP_MODELS:
                model.delete().execute()

        def visitor():
            person = Visitor(portal.base_url)
            person.get("/?lang=" + pages.language)
            return person

        asan = visitor()
        pages.keep("asan-login", asan.start("asan"))
        pages.keep("asan-login-error", asan.submit({"mobile": "050", "asan_id": "1"}), 401)
        pages.keep("asan-waiting", asan.submit({"mobile": "+994 50 123 44 01",
                                                "asan_id": "100401"}))
        phone = asan.phone()
        pages.keep("asan-phone", phone.page)
        pages.keep("asan-phone-error", phone.submit({"pin1": "0000", "answer": "confirm"}),
                   401)
        pages.keep("asan-phone-refused", phone.submit({"answer": "refuse"}))
        pages.keep("asan-refused", asan.get(asan.page.url))
        pages.keep("portal-refused", asan.submit({}, action=asan.link(
            r'action="([^"]*/asan/cancel/[^"]+)"')), 400)

        confirmed = visitor()
        confirmed.asan_until_waiting()
        pages.keep("asan-phone-confirmed",
                   confirmed.phone().submit({"pin1": "4401", "answer": "confirm"}))

        eimza = visitor()
        pages.keep("eimza-login", eimza.start("eimza"))
        pages.keep("eimza-error", eimza.submit({"certificate": "8ELVN04", "pin": "000000"}),
                   401)
        eimza.submit({"certificate": "8ELVN04", "pin": "240404"})
        pages.keep("report-elvin-no-lines", eimza.get("/calls"))

        egov = visitor()
        pages.keep("egov-login", egov.start("egov"))
        pages.keep("egov-login-error", egov.submit({"username": "aysel.egov",
                                                    "password": "wrong"}), 401)
        pages.keep("egov-code", egov.submit({"username": "aysel.egov",
                                             "password": "aysel-egov-1"}))
        pages.keep("egov-sms", egov.phone().page)
        pages.keep("egov-code-error", egov.submit({"code": "x"}), 401)

        pages.keep("provider-error", visitor().get(
            f"{provider.base_url}/devidp/asan/authorize?client_id=nobody"), 400)
        pages.keep("provider-signed-out", visitor().get(
            f"{provider.base_url}/devidp/asan/logout"))


def test_every_page_state_is_valid_html(app, demo, devidp_keys, tmp_path, monkeypatch):
    vnu.checker()  # skipped (or failed in CI) before any page is fetched, if it cannot run
    monkeypatch.setattr(access_log, "PAGE_SIZE", 3)  # a second page of the access log
    saved = []
    for index, language in enumerate(("az", "en", "ru")):
        pages = Pages(tmp_path, language)
        public_pages(app, pages, language)
        aysel, reference = citizen_pages(app, pages, language, call_index=index)
        staff_pages(app, pages, language, reference)
        access_log_pages(app, pages, aysel, reference)
        provider_pages(app, pages, devidp_keys)
        saved += pages.saved
    found = vnu.errors(saved)
    assert not found, f"{len(found)} HTML errors in {len(saved)} pages:\n" + "\n".join(found)
