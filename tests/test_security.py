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
