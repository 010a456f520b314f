"""Pages and fragments are sent compressed by the app itself, never to another site's request.

A kiosk on a slow link gets zstd, Brotli or gzip without a proxy in front; a request another
site made the browser send gets the page uncompressed, so its length tells an attacker
nothing about the CSRF token in it (BREACH).
"""
import gzip

import brotli
import pytest

try:  # the standard library's from Python 3.14
    from compression import zstd
except ImportError:
    from backports import zstd

from .support.pages import HTMX

DECODE = {"zstd": zstd.decompress, "br": brotli.decompress, "gzip": gzip.decompress}
BROWSER = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"}


def fetch(client, path, accept, **headers):
    return client.get(path, headers={"Accept-Encoding": accept, **headers})


@pytest.mark.parametrize("accept, encoding", [("gzip, deflate, br, zstd", "zstd"),  # Chromium
                                              ("gzip, deflate, br", "br"),  # Safari
                                              ("gzip, deflate", "gzip")])
@pytest.mark.parametrize("path, headers", [
    ("/services", BROWSER),                                            # a whole page
    ("/services", {**BROWSER, **HTMX, "HX-Target": "main"}),           # a fragment
    ("/calls", {**BROWSER, "Sec-Fetch-Site": "none"}),                 # typed address
    ("/calls?line=0124401234", {**BROWSER, **HTMX, "HX-Target": "call-report"}),
])
def test_pages_and_fragments_are_compressed_when_the_browser_accepts(
        client, signed_in_demo, accept, encoding, path, headers):
    plain = fetch(client, path, "identity", **headers)
    response = fetch(client, path, accept, **headers)
    assert response.status_code == 200 and "Content-Encoding" not in plain.headers
    assert response.headers["Content-Encoding"] == encoding
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert len(response.data) < 0.5 * len(plain.data)
    # Same page, less bytes: only the CSRF token may differ between two renderings.
    assert len(DECODE[encoding](response.data)) == len(plain.data)
    assert {"Accept-Encoding", "Sec-Fetch-Site", "HX-Request"} <= set(
        v.strip() for v in response.headers["Vary"].split(","))


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_request_another_site_made_gets_no_compression(client, signed_in_demo, site):
    response = fetch(client, "/calls", "gzip, br", **{**BROWSER, "Sec-Fetch-Site": site})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "csrf_token" in response.get_data(as_text=True)  # the secret BREACH would read
    assert "Sec-Fetch-Site" in response.headers["Vary"]


def test_small_answers_are_left_alone(client):
    response = fetch(client, "/healthz", "gzip, br", **BROWSER)
    assert "Content-Encoding" not in response.headers


def test_zstd_at_level_3_brotli_at_5_and_accept_encoding_in_vary_for_another_sites_request(
        client, signed_in_demo):  # noqa: F811
    """zstd 3: a fifth of Brotli 5's CPU for half a kilobyte more on a report; Brotli 5
    for a browser without zstd (Flask-Compress would use 4); and a cache must not hand the
    uncompressed answer to the citizen's own navigation, or the compressed one to another
    site's request."""
    response = fetch(client, "/calls", "zstd, br", **BROWSER)
    assert response.data == zstd.compress(zstd.decompress(response.data), 3)
    assert response.data != zstd.compress(zstd.decompress(response.data), 4)
    response = fetch(client, "/calls", "br", **BROWSER)
    assert response.data == brotli.compress(brotli.decompress(response.data), quality=5)
    other = fetch(client, "/calls", "gzip, br", **{**BROWSER, "Sec-Fetch-Site": "cross-site"})
    assert {"Accept-Encoding", "Sec-Fetch-Site"} <= set(
        v.strip() for v in other.headers["Vary"].split(","))

