"""The Babel locale in which numbers, amounts and dates are written for the page's language.

Babel's locale data decides the separators and month names (az and ru: decimal comma,
en: decimal point; «noyabr 2026», «November 2026», «ноябрь 2026»), not lists of our own.
English is written the British way (day before month, 24-hour clock), as in Europe,
rather than Babel's plain `en`, which is American (month first)."""
from functools import lru_cache

from babel import Locale
from flask_babel import get_locale

DEFAULT = "az"
FORMATTING = {"az": "az", "en": "en_GB", "ru": "ru"}


def language():
    """The language of the request being answered; Azerbaijani outside a request (CLI)."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in FORMATTING else DEFAULT


def formatting(language_code=None):
    return _locale(FORMATTING[language_code or language()])


@lru_cache(maxsize=None)
def _locale(name):
    # Babel builds a new Locale on every parse; a page formats dozens of dates and amounts.
    return Locale.parse(name)
