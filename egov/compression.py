"""Pages, fragments and JSON sent compressed (Brotli or gzip), except to cross-site requests.

Flask-Compress does the encoding. Compression is switched off for a request that
another site made the browser send (`Sec-Fetch-Site: cross-site` or `same-site`): pages
carry a CSRF token next to text taken from the URL, and a page's compressed length
answering a request an attacker's site can shape and repeat is what BREACH reads the
token from. A citizen's own navigation (`same-origin`, or `none` for a typed address or a
bookmark) is compressed. Clients that send no `Sec-Fetch-Site` are not browsers an
attacker's page can drive (every current browser sends it), so they are compressed too.
Static files are compressed ahead of time and served by WhiteNoise (egov/static_files.py).
"""
from flask import request
from flask_compress import Compress

compress = Compress()

_OTHER_SITES = {"cross-site", "same-site"}


def init_app(app):
    app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    # No answer of ours streams today; one that did would be sent as it is made, not held.
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)
    app.after_request(_compress)


def _compress(response):
    # A module function, not a closure in init_app: mutmut mutates only module functions.
    response.vary.add("Sec-Fetch-Site")
    if request.headers.get("Sec-Fetch-Site", "").lower() in _OTHER_SITES:
        response.vary.add("Accept-Encoding")
        return response
    return compress.after_request(response)
