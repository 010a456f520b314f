"""Static files: hashed URLs in every page, cached a year, sent pre-compressed.

The hashed copies are built by `make install` (flask digest compile); these tests read
the pages a browser gets and fetch what they name, as a browser on a slow link would.
"""
import gzip
import json
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
    assert response.headers["Cache-Control"] == "max-age=0, public"


def test_a_file_the_manifest_does_not_name_keeps_its_own_name(app):
    from flask import url_for

    with app.test_request_context():
        assert url_for("static", filename="robots.txt") == "/static/robots.txt"


def test_a_page_of_the_app_says_nosniff_once(client):
    # The app's own answers carry it already (egov/security.py); it is not added twice.
    assert client.get("/").headers.getlist("X-Content-Type-Options") == ["nosniff"]


@pytest.fixture
def own_app(monkeypatch):
    """A Flask app of the test's own: static_files' one digest keeps the manifests of the
    last app set up, so the portal's are put back after the test."""
    from egov import static_files

    monkeypatch.setattr(static_files.digest, "manifests",
                        getattr(static_files.digest, "manifests", {}), raising=False)
    return static_files.init_app


def test_a_blueprints_own_static_folder_is_served_hashed_and_kept_a_year(tmp_path, own_app):
    from flask import Blueprint, Flask, url_for

    hashed = "extra-0123456789abcdef0123456789abcdef.css"
    folder = tmp_path / "extra"
    folder.mkdir()
    (tmp_path / "own").mkdir()
    for name in ("extra.css", hashed):
        (folder / name).write_text("body { color: navy }")
    (folder / "cache_manifest.json").write_text(json.dumps({"extra.css": hashed}))
    app = Flask(__name__, static_folder=str(tmp_path / "own"))
    app.register_blueprint(Blueprint("extra", __name__, static_folder=str(folder),
                                     static_url_path="/extra-static"))
    own_app(app)
    with app.test_request_context():
        assert url_for("extra.static", filename="extra.css") == f"/extra-static/{hashed}"
    response = app.test_client().get(f"/extra-static/{hashed}")
    assert (response.status_code, response.data) == (200, b"body { color: navy }")
    assert response.headers["Cache-Control"] == IMMUTABLE  # WhiteNoise's, not Flask's no-cache


def test_the_install_builds_a_brotli_and_a_gzip_copy_of_each_file(tmp_path, own_app):
    from flask import Flask
    from flask_static_digest.cli import digest as digest_command

    (tmp_path / "site.css").write_text("body { color: navy }\n" * 50)
    app = Flask(__name__, static_folder=str(tmp_path))
    own_app(app)
    result = app.test_cli_runner().invoke(digest_command, ["compile"])  # as `make install`
    assert result.exit_code == 0, result.output
    hashed = "site-3ec0a728476116a3cc8430163c32fb83.css"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cache_manifest.json", hashed, hashed + ".br", hashed + ".gz",
        "site.css", "site.css.br", "site.css.gz"]
    assert brotli.decompress((tmp_path / (hashed + ".br")).read_bytes()) == (
        b"body { color: navy }\n" * 50)


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
