"""The addresses every page names (the menu, the sign-out form, the stylesheet and the
scripts), each built once per process and mount point instead of on every page.

A page names some thirty addresses, and each Flask builds again through the URL map and
its defaults (the static files' hashed names among them). Those with no values but a
static file's name come out the same on every request of one app under one SCRIPT_NAME,
so they are kept; an address with values from the request (a line, a month) is built as
before, and so is a relative endpoint («.index»), whose meaning depends on the page.
"""
from flask import current_app, request, url_for as build


def url_for(endpoint, **values):
    if endpoint.startswith(".") or values and (values.keys() != {"filename"}
                                               or not endpoint.endswith("static")):
        return build(endpoint, **values)
    built = current_app.extensions.setdefault("fixed_urls", {})
    key = (request.script_root, endpoint, values.get("filename"))
    url = built.get(key)
    if url is None:
        url = built[key] = build(endpoint, **values)
    return url


def init_app(app):
    app.jinja_env.globals["url_for"] = url_for
