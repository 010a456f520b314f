"""Response headers every page carries, and the answers to refused requests."""
from flask import make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from . import i18n
from .extensions import login_manager
from .htmx import is_fragment_request, navigate
from .telephony.access import NotVisible

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def _error_page(status, title, message):
    i18n.without_query()
    fragment = is_fragment_request()
    template = "errors/_error.html" if fragment else "errors/error.html"
    page = render_template(template, title=title, message=message, is_fragment=fragment)
    return make_response(page, status)


def init_app(app):
    login_manager.login_message = None  # the sign-in page says why by itself

    @login_manager.unauthorized_handler
    def _sign_in_first():
        return navigate(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # The same URL answers a page or a fragment: caches must keep them apart.
        response.vary.add("HX-Request")
        if current_user.is_authenticated or request.endpoint in ("auth.login",):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(404)
    @app.errorhandler(NotVisible)  # another citizen's line or claim: as if it did not exist
    def _not_found(error):
        return _error_page(404, _("Səhifə tapılmadı"),
                           _("Axtardığınız səhifə yoxdur və ya sizin üçün açıq deyil."))

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _error_page(400, _("Formun vaxtı keçib"),
                           _("Səhifəni yeniləyin və yenidən cəhd edin."))

    @app.errorhandler(405)
    def _method(error):
        return _error_page(405, _("Bu əməliyyat mümkün deyil"),
                           _("Bu ünvan belə sorğunu qəbul etmir."))

    @app.errorhandler(429)
    def _too_many(error):
        return _error_page(429, _("Çox sayda cəhd"),
                           _("Bir neçə dəqiqə gözləyin və yenidən cəhd edin."))

    @app.errorhandler(500)
    def _server_error(error):
        return _error_page(500, _("Xəta baş verdi"),
                           _("Xidmətdə gözlənilməz xəta baş verdi. Bir az sonra yenidən cəhd edin."))
