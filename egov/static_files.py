"""Static files under content-hashed URLs, served pre-compressed and cached for a year.

Flask-Static-Digest makes the hashed copies (`portal-<md5>.css`), their gzip and Brotli
versions and the manifest at install time (`make install` runs `flask digest compile`);
WhiteNoise serves them from the WSGI app itself, choosing the `.br` or `.gz` copy the
browser accepts, so a bare gunicorn needs no proxy in front. A hashed URL names one
content for ever, so the browser may keep it a year without asking again; a changed file
gets a new name, and every page names the current one.
"""
import re

from flask_static_digest import FlaskStaticDigest
from whitenoise import WhiteNoise

digest = FlaskStaticDigest()

IMMUTABLE = "public, max-age=31536000, immutable"
_HASHED = re.compile(r"-[0-9a-f]{32}\.[^/]+$")


def _is_hashed(path, url):
    return bool(_HASHED.search(url))


def _headers(headers, path, url):
    if _is_hashed(path, url):
        headers["Cache-Control"] = IMMUTABLE


def _never_sniffed(wsgi_app):
    """WhiteNoise answers before Flask, so the app's headers are not on its answers; and
    its add_headers_function reaches only a file's 200, not its 304 (revalidation), 405 (a
    POST) or 416 (a range past the end). Every answer of the process gets nosniff here."""
    def app(environ, start_response):
        def start(status, headers, exc_info=None):
            if not any(name.lower() == "x-content-type-options" for name, _ in headers):
                headers = [*headers, ("X-Content-Type-Options", "nosniff")]
            return start_response(status, headers, exc_info)
        return wsgi_app(environ, start)
    return app


def names_a_built_file(endpoint, filename):
    """Whether `filename` is one of the files `make install` built a hashed copy of, under
    a static `endpoint`: the names the templates ask for, a fixed list (egov.Portal keeps
    their addresses), never a name a request made up."""
    manifest = digest.manifests.get(endpoint)
    return bool(manifest) and filename in manifest


def _hashed_filename(endpoint, values):
    # Every url_for('static', …) in any template names the hashed copy when one is built.
    filename = values.get("filename")
    if filename is not None and names_a_built_file(endpoint, filename):
        values["filename"] = digest.manifests[endpoint][filename]


def init_app(app):
    """After the blueprints are registered: their static folders are served too."""
    app.config.setdefault("FLASK_STATIC_DIGEST_COMPRESSION", ["gzip", "brotli"])
    digest.init_app(app)
    app.url_defaults(_hashed_filename)

    # Files without a hash (a fresh checkout before `make install`) stay revalidated.
    served = WhiteNoise(app.wsgi_app, max_age=0, immutable_file_test=_is_hashed,
                        add_headers_function=_headers, autorefresh=app.debug)
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            name = rule.endpoint.rpartition(".")[0]
            scaffold = app.blueprints[name] if name else app
            served.add_files(scaffold.static_folder, prefix=rule.rule.split("<")[0])
    app.wsgi_app = _never_sniffed(served)
