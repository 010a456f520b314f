"""One URL, two answers: a full page for a plain request, a fragment for htmx."""
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
    return render_template(template, is_fragment=template != page, **context)


def redirect_to(url):
    """After a form posted by htmx, a real navigation (the page's flash message shows)."""
    if not is_fragment_request():
        return redirect(url)
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url
    return response
