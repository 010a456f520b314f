"""Where a call went, named in the reader's language.

An intercity call's destination is the place phonenumbers' geocoder names for the longest
prefix of the dialled number, in az, en or ru from data/destinations.csv
(egov.telephony.areas). An international call's is the country phonenumbers finds for the
whole number (+1 212… is the United States, +1 416… Canada; +7 495… Russia, +7 717…
Kazakhstan), named by CLDR through Babel in the reader's language («Rusiya», «Russia»,
«Россия»). A number that names nothing (+882…, a country code nobody has, an Azerbaijani
prefix the geocoder does not know, or no number at all) has no destination: None, never
an exception. Every look-up is in memory and each answer is kept.
"""
from functools import lru_cache

import phonenumbers

from ..locales import N_, formatting, language as page_language
from ..locales import gettext as _
from .areas import areas
from .numbering import INTERCITY, INTERNATIONAL, NumberError, national_digits, normalise


def destination_name(dialled, kind, language=None):
    """The name of the place or country `dialled` reaches, or None when it is unknown."""
    return _name(dialled, kind, language or page_language())


def _find_name(dialled, kind, language):
    formatting(language)  # an unknown language is a mistake of the caller's: KeyError
    try:
        digits = normalise(dialled)
    except (NumberError, TypeError):
        return None
    if kind == INTERCITY:
        return _place(digits, language)
    if kind == INTERNATIONAL and digits.startswith("00"):
        return _country(digits[2:], language)
    return None


# Cached outside the def: mutmut does not mutate decorated functions (docs/testing.md).
_name = lru_cache(maxsize=1 << 16)(_find_name)


def _place(digits, language):
    if digits.startswith("00994"):  # our own country dialled internationally
        digits = "0" + digits[5:]
    national = national_digits(digits)
    area = areas().area_of(national) if national else None
    return area.names[language] if area else None


def _country(digits, language):
    try:
        parsed = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return None
    # A country code shared by several countries (+1, +7, +44) is told apart by the whole
    # number; when it cannot be, the answer is None. Non-geographic codes (+800, +882) are
    # «001», which CLDR calls «World»: not a destination.
    region = phonenumbers.region_code_for_number(parsed)
    if not region or not region.isalpha() or region == phonenumbers.UNKNOWN_REGION:
        return None
    return formatting(language).territories.get(region)


KIND_LABELS = {
    INTERCITY: N_("şəhərlərarası"),
    INTERNATIONAL: N_("beynəlxalq"),
}


def kind_label(kind):
    """A call's kind as the citizen reads it («şəhərlərarası», «intercity», «междугородный»)."""
    label = KIND_LABELS.get(kind)
    return _(label) if label else kind


def destination(dialled, kind):
    """Where the call went, in the page's language; said so when nobody knows."""
    return destination_name(dialled, kind) or _("naməlum istiqamət")
