"""Response headers every page carries, and the answers to refused requests."""
from flask import current_app, g, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, SecurityError
from werkzeug.wsgi import get_host

from . import i18n
from .db import UNAVAILABLE, discard_connections
from .errors import NotVisible
from .extensions import login_manager
from .htmx import is_fragment_request, navigate
from .identity import oidc, sessions
from .public_url import trusted_hosts


def content_security_policy():
    # form-action also governs the redirect that answers a form: the no-JavaScript
    # "Daxil ol" and every "Çıxış" end at the providers' own origins, which are allowed
    # by name (from their discovery documents) and nothing more.
    form_action = " ".join(["'self'", *oidc.form_action_origins()])
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        f"form-action {form_action}",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ])


def _error_page(status, title, message):
    i18n.without_query()
    fragment = is_fragment_request()
    template = "errors/_error.html" if fragment else "errors/error.html"
    # An error page does not send the cleared screen back to the address that failed.
    page = render_template(template, title=title, message=message, is_fragment=fragment,
                           return_here=None)
    return make_response(page, status)


def _headers(response):
    config = current_app.config
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if config["EGOV_ENV"] == "production":
        # Production is served over https only (PUBLIC_URL must be https://): the browser
        # is told never to try plain http here, where a network could strip TLS.
        response.headers.setdefault("Strict-Transport-Security",
                                    f"max-age={config['HSTS_MAX_AGE']}")
    # The same URL answers a page or a fragment: caches must keep them apart.
    response.vary.add("HX-Request")
    if (current_user.is_authenticated or sessions.current_staff() is not None
            or request.endpoint in ("auth.login", "auth.session_ended")):
        # Any page a signed-in person gets, staff too, wherever it is (a 404, the catalogue).
        response.headers["Cache-Control"] = "no-store"
    return response


# --- Refused before any view reads the request ------------------------------------------

class InvalidCharacter(BadRequest):
    """A NUL in the address or a form: PostgreSQL cannot store or even compare one."""


class OtherHost(BadRequest):
    """A Host header naming none of TRUSTED_HOSTS."""


_OTHER_HOST = "egov.other_host"


def refuse_other_hosts(app):
    """Wrap app.wsgi_app so that a request for a host the portal does not serve gets the
    portal's own 400 page, in the citizen's language.

    Flask refuses such a Host itself, but before it can build a URL, so only Werkzeug's
    bare English «Bad Request» could answer. Here the request goes on as one for the
    portal's own host, marked, and `_refuse_other_host` answers it before any view runs.
    Called before ProxyFix wraps the app, so it sees the host the proxy forwarded."""
    inner = app.wsgi_app

    def checked(environ, start_response):
        trusted = app.config.get("TRUSTED_HOSTS")
        if trusted:
            try:
                get_host(environ, trusted)
            except SecurityError:
                environ[_OTHER_HOST] = environ.get("HTTP_HOST", "")
                environ["HTTP_HOST"] = trusted[0].lstrip(".")  # «.example.az» names a domain
        return inner(environ, start_response)

    app.wsgi_app = checked


def _refuse_other_host():
    if _OTHER_HOST in request.environ:
        raise OtherHost()


def _has_nul(pairs):
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def _refuse_nul():
    """A NUL in the path, the query or a form is invalid input: 400, before a view would
    pass it to the database. The sign-in forms say it themselves (PasswordSignInForm), so
    that the refusal counts toward the attempt limits, which are checked inside the view."""
    view = current_app.view_functions.get(request.endpoint)
    own_check = getattr(view, "refuses_nul_itself", False)
    if ("\x00" in request.path or _has_nul(request.args.items(multi=True))
            or not own_check and _has_nul(request.form.items(multi=True))):
        raise InvalidCharacter()


def _sign_in_first():
    return navigate(url_for("auth.login", next=request.full_path.rstrip("?")))


def _not_found(error):
    return _error_page(404, _("Səhifə tapılmadı"),
                       _("Axtardığınız səhifə yoxdur və ya sizin üçün açıq deyil."))


def _bad_request(error):
    return _error_page(400, _("Sorğu qəbul edilmədi"),
                       _("Sorğu düzgün deyil. Səhifəni yeniləyin və yenidən cəhd edin."))


def _invalid_character(error):
    return _error_page(400, _("Sorğu qəbul edilmədi"),
                       _("Ünvanda və ya yazdığınızda qəbul edilməyən simvol var. Onu silib "
                         "yenidən cəhd edin."))


def _other_host(error):
    current_app.logger.warning("refused a request for host %r",
                               request.environ.get(_OTHER_HOST))
    if "language" not in g:  # refused before the language was chosen
        i18n.choose()
    return _error_page(400, _("Sorğu qəbul edilmədi"),
                       _("Portal bu ünvanda açılmır. Ünvanı yoxlayın."))


def _csrf(error):
    return _error_page(400, _("Formun vaxtı keçib"), _("Səhifəni yeniləyin və yenidən cəhd edin."))


def _method(error):
    return _error_page(405, _("Bu əməliyyat mümkün deyil"), _("Bu ünvan belə sorğunu qəbul etmir."))


def _too_many(error):
    return _error_page(429, _("Çox sayda cəhd"),
                       _("Bir neçə dəqiqə gözləyin və yenidən cəhd edin."))


def _database_unavailable(error):
    """The database did not come back in time, or went away mid-request: «try again»."""
    current_app.logger.warning("database unavailable: answering 503 (%s: %s)",
                               type(error).__name__, str(error).strip())
    discard_connections()
    # The page must not ask the database who is signed in: it shows no account.
    g._login_user = login_manager.anonymous_user()
    g.staff = None
    if "language" not in g:  # the wait came before the language was chosen
        i18n.choose()
    response = _error_page(503, _("Xidmət müvəqqəti əlçatan deyil"),
                           _("Xidmət müvəqqəti əlçatan deyil, bir az sonra yenidən cəhd edin."))
    response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response


def _server_error(error):
    # The database can also fail where no handler above is asked (an after_request).
    if isinstance(getattr(error, "original_exception", None), UNAVAILABLE):
        return _database_unavailable(error.original_exception)
    return _error_page(500, _("Xəta baş verdi"),
                       _("Xidmətdə gözlənilməz xəta baş verdi. Bir az sonra yenidən cəhd edin."))


def init_app(app):
    """The headers and the error pages; plain functions above, so that each can be read
    (and mutation-tested: mutmut does not mutate functions defined inside others)."""
    login_manager.login_message = None  # the sign-in page says why by itself
    if app.config.get("TRUSTED_HOSTS") is None:
        # Flask answers 400 to a Host header outside this list, before any view runs.
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    login_manager.unauthorized_handler(_sign_in_first)
    # First of all: no other step (a CSRF check, a session's activity) for another host.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_other_host)
    app.before_request(_refuse_nul)
    app.after_request(_headers)
    app.register_error_handler(400, _bad_request)
    app.register_error_handler(InvalidCharacter, _invalid_character)
    app.register_error_handler(OtherHost, _other_host)
    app.register_error_handler(404, _not_found)
    # Another citizen's line or claim: as if it did not exist.
    app.register_error_handler(NotVisible, _not_found)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(405, _method)
    app.register_error_handler(429, _too_many)
    for unavailable in UNAVAILABLE:
        app.register_error_handler(unavailable, _database_unavailable)
    app.register_error_handler(500, _server_error)
