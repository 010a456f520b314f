"""The Babel locale in which numbers, amounts and dates are written for the page's language,
and the page's catalogue of texts.

Babel's locale data decides the separators and month names (az and ru: decimal comma,
en: decimal point; «noyabr 2026», «November 2026», «ноябрь 2026»), not lists of our own.
English is written the British way (day before month, 24-hour clock), as in Europe,
rather than Babel's plain `en`, which is American (month first)."""
from functools import lru_cache

from babel import Locale
from flask import current_app
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations

DEFAULT = "az"
FORMATTING = {"az": "az", "en": "en_GB", "ru": "ru"}


def _app_context():
    return _cv_app.get(None)


def page_locale():
    """The request's Babel locale: Flask-Babel's get_locale, the one it settled read directly.

    get_locale reaches Flask-Babel's state through three of Flask's context proxies on
    every call, and a report asks for the locale about ninety times (every amount, date,
    band and text): 7 µs each, a tenth of the page. This reads the same state (`g`'s
    `_flask_babel.babel_locale`), so `refresh()` (a language changed mid-request) and
    `force_locale` are seen here as there; before it is settled, or were a later
    Flask-Babel to keep it elsewhere, get_locale answers (tests/test_locales.py)."""
    context = _app_context()
    if context is not None:
        settled = getattr(getattr(context.g, "_flask_babel", None), "babel_locale", None)
        if settled is not None:
            return settled
    return get_locale()


def language():
    """The language of the request being answered; Azerbaijani outside a request (CLI)."""
    locale = page_locale()
    return locale.language if locale is not None and locale.language in FORMATTING else DEFAULT


def formatting(language_code=None):
    return _locale(FORMATTING[language_code or language()])


def _parse_locale(name):
    return Locale.parse(name)


# Babel builds a new Locale on every parse; a page formats dozens of dates and amounts.
# Cached outside the def: mutmut does not mutate decorated functions (docs/testing.md).
_locale = lru_cache(maxsize=None)(_parse_locale)


def catalogue():
    """The loaded catalogue of the locale being answered in (Flask-Babel's, forced or not).

    Flask-Babel's own gettext looks the catalogue up again on every call, some forty
    times per report page; here it is one dictionary look-up by the locale the request
    already settled, in the app's own cache (egov.i18n.install makes it: an app's
    catalogue files do not change while it runs)."""
    locale = page_locale()
    # Remembered for the request with the locale it is for: a language changed
    # mid-request (refresh, force_locale) is another Locale, so another look-up.
    context = _app_context()
    remembered = getattr(context.g, "egov_catalogue", None) if context is not None else None
    if remembered is not None and remembered[0] is locale:
        return remembered[1]
    key = str(locale) if locale is not None else None
    loaded = current_app.extensions["egov_catalogues"]
    found = loaded.get(key)
    if found is None:
        found = loaded[key] = get_translations()
    if context is not None:
        context.g.egov_catalogue = (locale, found)
    return found


def gettext(string, **variables):
    """Flask-Babel's gettext (the text in the page's language, «%(name)s» filled), from the
    catalogue found once (catalogue above): for the texts a report writes on every row."""
    text = catalogue().ugettext(string)
    return text % variables if variables else text


def N_(string):
    """Marks a text for `make translations` where it is defined (a table of labels); it
    is translated where it is shown, with gettext."""
    return string
