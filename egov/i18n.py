"""Which language a page is in: Azerbaijani, English or Russian, chosen by the reader.

The catalogues (egov/translations/) have the Azerbaijani texts as msgids. The language
of a request is, in order: `?lang=` on the URL (the AZ · EN · RU switch, and the
hreflang alternates, are plain links carrying it), the cookie that remembers the last
choice, the browser's Accept-Language, and Azerbaijani.

A signed-in citizen's choice is kept on their account too, so it follows them to
another browser; signing in brings it back into the cookie, and signing out clears the
cookie, so that at a shared kiosk the next person starts in the default language.

Both apps use this module: the portal, and the development identity provider, which
may be served as an app of its own. Each picks the language in its own before_request
(`choose`), and the template context comes from `template_context`, so that no template
depends on a context processor only the portal registers.
"""
import os
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from flask import current_app, g, request, url_for
from jinja2 import pass_context
from markupsafe import Markup
from flask_babel import refresh
from flask_login import current_user, user_logged_in
from werkzeug.exceptions import HTTPException

from .extensions import babel
from .locales import catalogue
from .models import CitizenLanguage

TRANSLATIONS = os.path.join(os.path.dirname(__file__), "translations")

LANGUAGES = ("az", "en", "ru")
DEFAULT = "az"
# Each option is written in its own language, so that a reader finds theirs.
NAMES = {"az": "Azərbaycanca", "en": "English", "ru": "Русский"}
CODES = {"az": "AZ", "en": "EN", "ru": "RU"}
PARAMETER = "lang"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def valid(code):
    return code if code in LANGUAGES else None


def from_browser():
    """The reader's browser's preference among ours, or the default."""
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def requested():
    """The language asked for on this very request (`?lang=xx`), if any."""
    return valid(request.args.get(PARAMETER))


def current():
    """The language of the page being answered (Flask-Babel's locale selector)."""
    return g.get("language") or DEFAULT


def choose(cookie=COOKIE, *extra):
    """Decide this request's language; a `?lang=` choice is remembered in `cookie`.

    `extra` are further candidates tried after the URL and before the cookie (the
    identity provider passes the relying party's `ui_locales`)."""
    asked = requested()
    if asked:
        g.remember_language = (cookie, asked)
    g.language = (asked or next((c for c in map(valid, extra) if c), None)
                  or valid(request.cookies.get(cookie)) or from_browser())
    refresh()
    return g.language


def remember(language, cookie=COOKIE):
    """Keep `language` in the cookie with this response (sign-in restoring an account's)."""
    g.remember_language = (cookie, language)


def forget(cookie=COOKIE):
    """Sign-out: the cookie goes, and the next page is in the browser's default."""
    g.forget_language = cookie
    g.pop("remember_language", None)
    g.language = from_browser()
    refresh()


def without_query():
    """Error pages: the switch leads to the bare path, so that nothing the request named
    (another citizen's number, say) is written back into the page."""
    g.language_links_bare = True


def _page_address():
    """(path, query) a plain GET would show this page at, or None on a page no route
    answered (a 404 for a path of no page, a 405).

    The path is built from the route that answered and its arguments, never copied from
    the request: as typed, it could carry a line break or non-ASCII letters into the Link
    header, or make `/\\evil.example` of the switch's links. A page answering a form's
    POST at an address that has no GET switches at the page the form was on, found the
    same way."""
    rule = request.url_rule
    if rule is None:
        return None
    if "GET" in rule.methods:
        return (url_for(request.endpoint, **request.view_args),
                request.args.to_dict(flat=False))
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc in ("", request.host):
        try:
            endpoint, values = current_app.url_map.bind("").match(unquote(referrer.path),
                                                                 method="GET")
        except HTTPException:
            pass
        else:
            return url_for(endpoint, **values), parse_qs(referrer.query)
    return "/", {}


def url_in(language):
    """This page's URL (path and query kept) in `language`. On a page no route answered,
    the query alone: the browser stays at the address it asked for, which is not written
    into the page.

    Each is built once per request: a page names every language's address three times
    (the switch, the hreflang links, the Link header), and each took a route's URL built
    again. An error page's bare links (without_query) are built apart, as it may come
    after the page's own were."""
    built = g.setdefault("language_urls", {})
    key = (language, bool(g.get("language_links_bare")))
    if key not in built:
        built[key] = _url_in(language, bare=key[1])
    return built[key]


def _url_in(language, bare):
    if "page_address" not in g:  # once for the three languages
        g.page_address = _page_address()
    address = g.page_address
    if address is None:
        return "?" + urlencode({PARAMETER: language})
    path, args = address
    args = {} if bare else dict(args)
    args[PARAMETER] = [language]
    return path + "?" + urlencode(args, doseq=True)


def absolute_url_in(language):
    """hreflang alternates are full addresses (search engines ignore relative ones); a page
    no route answered has none."""
    if request.url_rule is None:
        return None
    if "site_address" not in g:  # once for the six alternates a page writes
        g.site_address = _site_address()
    return g.site_address + url_in(language)


def _site_address():
    """The scheme and host, without a slash. From PUBLIC_URL where hosts are checked: an
    untrusted Host makes request.host_url raise."""
    public_url = current_app.config.get("TRUSTED_HOSTS") and current_app.config.get("PUBLIC_URL")
    base = urlsplit(public_url)._replace(path="", query="", fragment="").geturl() if public_url \
        else request.host_url
    return base.rstrip("/")


def template_context():
    """What every page's <html lang>, hreflang links and switch need."""
    return {
        "_catalogue": catalogue(),
        "current_language": current(),
        "languages": [
            {"code": code, "label": CODES[code], "name": NAMES[code], "url": url_in(code),
             "absolute_url": absolute_url_in(code), "current": code == current()}
            for code in LANGUAGES
        ],
    }


def send_language(response):
    """Content-Language, the hreflang alternates as a Link header (fragments too), and
    the cookie when the choice changed. Idempotent: both apps' hooks may call it."""
    if g.get("language_sent"):
        return response
    g.language_sent = True
    response.headers.setdefault("Content-Language", current())
    # Without ?lang the answer depends on the cookie and Accept-Language.
    response.vary.update(("Accept-Language", "Cookie"))
    if response.mimetype == "text/html" and request.method == "GET" and request.url_rule:
        response.headers["Link"] = ", ".join(
            f'<{absolute_url_in(code)}>; rel="alternate"; hreflang="{code}"'
            for code in LANGUAGES)
    forgotten = g.get("forget_language")
    if forgotten:
        response.delete_cookie(forgotten, samesite="Lax")
    remembered = g.get("remember_language")
    if remembered:
        cookie, language = remembered
        response.set_cookie(cookie, language, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            httponly=True, secure=current_app.config.get("SESSION_COOKIE_SECURE",
                                                                         False))
    return response


def _gettext_in_page(context, string, **variables):
    """The templates' _(): as Jinja's newstyle gettext (the text escaped when the template
    autoescapes, «%(name)s» filled with escaped values), with the catalogue the page's
    context brings (template_context finds it once per page) rather than one look-up per
    call. A macro imported without the context looks it up itself."""
    found = context.get("_catalogue") or catalogue()
    text = found.ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    # Jinja's own always formats, so «%%» reads «%»; a text with no «%» is left alone.
    return text % variables if variables or "%" in text else text


# Passed the context outside the def: mutmut does not mutate decorated functions
# (docs/testing.md).
_page_gettext = pass_context(_gettext_in_page)


def _plain_gettext(string):
    return catalogue().ugettext(string)


def _ngettext(singular, plural, n):
    return catalogue().ungettext(singular, plural, n)


def install(app):
    """Bind Flask-Babel to `app` (once): the catalogues and this module's selector, and
    the templates' _() reading the catalogue found once per process and language."""
    if "babel" not in app.extensions:
        babel.init_app(app, locale_selector=current, default_locale=DEFAULT,
                       default_timezone="Asia/Baku",
                       default_translation_directories=TRANSLATIONS)
        app.extensions["egov_catalogues"] = {}
        # ngettext newstyle, as Flask-Babel installs it: «%(num)d» filled and escaped by
        # Jinja. Jinja installs gettext with it; that one is replaced at once by _page_gettext.
        app.jinja_env.install_gettext_callables(gettext=_plain_gettext, ngettext=_ngettext,
                                                newstyle=True)
        app.jinja_env.globals.update(_=_page_gettext, gettext=_page_gettext)


# --- the portal: a citizen's choice kept on their account ---------------------------

def account_language(citizen):
    row = CitizenLanguage.get_or_none(CitizenLanguage.citizen == citizen)
    return row.language if row else None


def keep_on_account(citizen, language):
    (CitizenLanguage.insert(citizen=citizen, language=language)
     .on_conflict(conflict_target=[CitizenLanguage.citizen],
                  update={CitizenLanguage.language: language})
     .execute())


def _choose_for_portal():
    language = choose()
    if requested() and current_user.is_authenticated:
        keep_on_account(current_user.citizen, language)


def _signed_in(sender, user, **extra):
    """A choice made before signing in is kept; otherwise the account's comes back."""
    chosen = requested() or valid(request.cookies.get(COOKIE))
    if chosen:
        keep_on_account(user.citizen, chosen)
        return
    kept = account_language(user.citizen)
    if kept:
        remember(kept)


def init_app(app):
    install(app)
    app.before_request(_choose_for_portal)
    app.after_request(send_language)
    app.context_processor(template_context)
    user_logged_in.connect(_signed_in, app)
