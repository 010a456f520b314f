"""One URL, two answers: a full page for a plain request, a fragment for htmx."""
from urllib.parse import urlsplit

from flask import make_response, redirect, render_template, request


def is_fragment_request():
    """An htmx swap, not a history restore (which needs the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def target():
    return request.headers.get("HX-Target", "") if is_fragment_request() else ""


def render(page, fragments=None, **context):
    """Render `page`, or the fragment template named for the element htmx targets.

    `fragments` maps an HX-Target id to a template; a page whose fragments are
    included by the full page keeps one source for each piece of markup.
    """
    template = (fragments or {}).get(target(), page)
    response = make_response(render_template(template, is_fragment=template != page,
                                             **context))
    if is_fragment_request() and _shows_the_current_address():
        # A form submitted again for what is already shown (a choice swapped the table in,
        # then «Göstər»): no second history entry, so Back goes back in one press.
        response.headers["HX-Push-Url"] = "false"
    return response


def _shows_the_current_address():
    """The swap asks for the very address the browser is showing (HX-Current-URL)."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    return (current.path, current.query) == (request.path, request.query_string.decode(
        "ascii", "replace"))


def navigate(url):
    """Send the browser to `url`: a redirect, or for htmx an HX-Redirect.

    A swap cannot follow a redirect to a whole page (or to another site, such as
    an identity provider): htmx is asked to navigate there instead."""
    if is_fragment_request():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)
