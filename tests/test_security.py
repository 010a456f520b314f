"""Headers and markup that let a strict Content-Security-Policy hold."""
import re

import pytest

PAGES = ["/", "/services", "/services/nrytn", "/auth/login", "/auth/how-to-obtain/eimza",
         "/calls/manual", "/calls/video", "/staff/login"]


@pytest.mark.parametrize("path", PAGES)
def test_no_inline_scripts_or_handlers(client, path):
    page = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\son[a-z]+\s*=", page)
    assert "hx-on" not in page and "style=" not in page


def test_content_security_policy_is_strict(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_htmx_is_vendored_with_its_licence(client):
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200
    assert "Zero-Clause BSD" in client.get("/static/vendor/htmx-2.0.11.LICENSE").get_data(
        as_text=True)


def test_htmx_keeps_no_page_copies_in_local_storage(client):
    assert '"historyCacheSize": 0' in client.get("/").get_data(as_text=True)



def _keeps_the_policy(page):
    return ("style=" not in page and "hx-on" not in page and not re.search(r"\son[a-z]+\s*=", page)
            and not re.search(r"<script(?![^>]*\bsrc=)", page))


def test_toolbar_pages_keep_the_policy_too(client, auth, staff_auth, demo):
    """The report's toolbar pages, for a citizen and then for the operator's staff."""
    auth.login()
    for path in ("/calls", "/calls/feedback", "/calls/claims", "/calls/claims/new"):
        assert _keeps_the_policy(client.get(path).get_data(as_text=True)), path
    staff_auth.login()
    for path in ("/staff/claims", "/staff/feedback"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store"
        assert _keeps_the_policy(response.get_data(as_text=True)), path


def form_action(response):
    policy = response.headers["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if "form-action" in part)


def test_without_providers_forms_go_nowhere_but_the_portal(client):
    assert form_action(client.get("/auth/login")) == "form-action 'self'"


def test_forms_may_end_at_exactly_the_providers_sign_in_and_sign_out_origins(app):
    # "Daxil ol" without JavaScript posts, then is redirected to the authorization
    # endpoint; "Çıxış" to the end-session endpoint: CSP form-action governs both hops.
    from egov import create_app
    from tests.fake_provider import CLIENT_ID, CLIENT_SECRET, FakeProvider
    from tests.live import serving

    signing_in, signing_out = FakeProvider(), FakeProvider()
    signing_out.end_session = True
    with serving(signing_in) as first, serving(signing_out) as second:
        signing_in.base_url, signing_out.base_url = first, second
        portal = create_app({**app.config, **{
            f"OIDC_{means}_{key}": value
            for means, provider in (("ASAN", signing_in), ("EGOV", signing_out))
            for key, value in (("ISSUER", provider.issuer), ("CLIENT_ID", CLIENT_ID),
                               ("CLIENT_SECRET", CLIENT_SECRET))}}).test_client()
        assert form_action(portal.get("/auth/login")) == \
            f"form-action 'self' {' '.join(sorted([first, second]))}"


def test_an_unreachable_provider_adds_nothing_and_is_not_asked_on_every_page(app):
    from egov import create_app
    from tests.live import free_port

    down = f"http://127.0.0.1:{free_port()}"
    portal = create_app({**app.config, "OIDC_ASAN_ISSUER": down, "OIDC_ASAN_CLIENT_ID": "c",
                         "OIDC_ASAN_CLIENT_SECRET": "s"}).test_client()
    assert form_action(portal.get("/auth/login")) == "form-action 'self'"
    client = portal.application.extensions["egov_oidc"].create_client("asan")
    failed_at = client.server_metadata["_egov_failed_at"]
    portal.get("/")
    assert client.server_metadata["_egov_failed_at"] == failed_at  # not asked again yet
