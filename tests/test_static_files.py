"""Static files: hashed URLs in every page, cached a year, sent pre-compressed.

The hashed copies are built by `make install` (flask digest compile); these tests read
the pages a browser gets and fetch what they name, as a browser on a slow link would.
"""
import gzip
import re
from pathlib import Path

import brotli
import pytest

STATIC = Path(__file__).resolve().parent.parent / "egov" / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
HASHED = re.compile(r"^/static/(.+)-[0-9a-f]{32}(\.[^/]+)$")


def assets(client):
    page = client.get("/").get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


@pytest.fixture
def built():
    if not (STATIC / "cache_manifest.json").exists():
        pytest.fail("the hashed static files are missing: run `make install`")


def test_pages_name_the_stylesheet_and_htmx_by_content_hash(client, built):
    urls = assets(client)
    names = {HASHED.match(url).group(1) + HASHED.match(url).group(2) for url in urls}
    assert {"css/portal.css", "vendor/htmx-2.0.11.min.js", "favicon.svg"} <= names
    for url in urls:
        source = STATIC / (HASHED.match(url).group(1) + HASHED.match(url).group(2))
        response = client.get(url, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200
        assert response.data == source.read_bytes()  # the hash names this very content
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_changed_file_would_get_another_url(client, built):
    import hashlib

    css = next(u for u in assets(client) if "/css/portal-" in u)
    assert hashlib.md5((STATIC / "css" / "portal.css").read_bytes()).hexdigest() in css


@pytest.mark.parametrize("accept, encoding, decode", [
    ("gzip, deflate, br", "br", brotli.decompress),
    ("gzip", "gzip", gzip.decompress),
])
def test_static_files_are_sent_precompressed_as_the_browser_accepts(client, built, accept,
                                                                    encoding, decode):
    for url in assets(client):
        if url.endswith(".svg"):
            continue  # a few hundred bytes: whichever is smaller is fine
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        response = client.get(url, headers={"Accept-Encoding": accept})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decode(response.data) == plain.data
        # The stylesheet and htmx shrink to well under half; a 500-byte script a little.
        assert len(response.data) < (0.4 if len(plain.data) > 5000 else 0.8) * len(plain.data)
        assert response.headers["Cache-Control"] == IMMUTABLE


def test_an_unhashed_address_is_revalidated_not_kept(client):
    # Old links and files added after the build still work, but are never cached for a year.
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_every_answer_about_a_static_file_says_nosniff(client, built):
    """WhiteNoise answers before the app's headers: its 304, 405 and 416 had none."""
    url = next(u for u in assets(client) if "/css/portal" in u)
    first = client.get(url)
    answers = {
        200: first,
        304: client.get(url, headers={"If-None-Match": first.headers["ETag"]}),
        405: client.post(url),
        416: client.get(url, headers={"Range": "bytes=99999999-"}),
        206: client.get(url, headers={"Range": "bytes=0-9"}),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"], status


@pytest.mark.parametrize("name, kept_a_year", [
    ("portal-0123456789abcdef0123456789abcdef.css", True),  # 32 hex digits: a digest
    ("portal-0123456789abcdef0123456789abcde.css", False),  # 31
    ("portal-0123456789abcdef0123456789abcdef0.css", False),  # 33
    ("portal-0123456789ABCDEF0123456789ABCDEF.css", False),  # not what the digest writes
    ("portal-0123456789abcdef0123456789abcdef.css/x", False),
    ("htmx-2.0.11.min.js", False),
])
def test_only_a_32_digit_digest_makes_a_file_kept_a_year(name, kept_a_year):
    from egov import static_files

    headers = {}
    static_files._headers(headers, f"/srv/{name}", f"/static/{name}")
    assert headers == ({"Cache-Control": "public, max-age=31536000, immutable"} if kept_a_year
                       else {})
