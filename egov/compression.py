"""Pages, fragments and JSON sent compressed (zstd, Brotli, gzip), never to another site's request.

Flask-Compress does the encoding: zstd (level 3) to the browsers that accept it (Chromium
since 123, Firefox since 126), else Brotli (quality 5), else gzip. A page is compressed
on every request, so its cost is the server's at the month's peak: on the report's 17 KB,
zstd 3 takes 47 µs for 4.4 KB where Brotli 5 took 256 µs for 3.9 KB (docs/performance.md,
"Compression of pages"); a slow link pays half a kilobyte, about 0.1 s at 40 kbit/s.

Compression is switched off for a request that another site made the browser send
(`Sec-Fetch-Site: cross-site` or `same-site`): pages carry a CSRF token next to text
taken from the URL, and a page's compressed length answering a request an attacker's
site can shape and repeat is what BREACH reads the token from. A citizen's own navigation
(`same-origin`, or `none` for a typed address or a bookmark) is compressed. Clients that
send no `Sec-Fetch-Site` are not browsers an attacker's page can drive (every current
browser sends it), so they are compressed too. Static files are compressed ahead of time
and served by WhiteNoise (egov/static_files.py).
"""
from flask import request
from flask_compress import Compress

compress = Compress()

_OTHER_SITES = {"cross-site", "same-site"}


def init_app(app):
    app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
    app.config.setdefault("COMPRESS_ZSTD_LEVEL", 3)
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
