"""Azerbaijan's numbering plan, as far as this service needs it.

Numbers are written as dialled from a landline:
- ``00`` + country code + number: international;
- ``0`` + a mobile code (50, 51, 55, 60, 70, 77, 99, 10, and whatever else phonenumbers
  calls mobile, such as Naxçıvan's 036 554) + 7 digits: a mobile call, not part of this
  service;
- ``0`` + 9 digits of a geographic number (012 Baku, 018 Sumqayıt, 020–026 the regions,
  036 Naxçıvan): intercity when its area differs from the calling line's, local otherwise;
- a subscriber number alone (no leading 0): local.

A geographic number's area is, in this order:
1. the place phonenumbers' geocoder names for its longest prefix (egov.telephony.areas):
   024 24… is Şəki and 024 25… Qax, so a call between them is intercity; two prefixes
   naming the same place (Gəncə's 022 25… and 022 26…) are one area;
2. for a number of the plan this service began with (020–026 + 7 digits) that the geocoder
   does not name, the area code with the subscriber number's first three digits, as
   before (so that the lines and calls already imported keep their kind);
3. any other number phonenumbers holds a valid Azerbaijani fixed line (046…, 036 540…):
   an area nobody names, so a call to it is intercity, to an unknown destination.
Anything else is not a landline number (NumberError).
"""
import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberType

from .areas import areas

INTERCITY = "intercity"
INTERNATIONAL = "international"
LOCAL = "local"
MOBILE = "mobile"

MOBILE_CODES = ("10", "50", "51", "55", "60", "70", "77", "99")
_OLD_PLAN = re.compile(r"^0(1[28]|2[0-6])[0-9]{7}$")
_NATIONAL = re.compile(r"^0([1-9][0-9]{8})$")
_DIGITS = re.compile(r"^[0-9]+$")  # ASCII only: \d also matches «٣» and «５»
_FIXED = (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
AZ_COUNTRY_CODE = 994


class NumberError(ValueError):
    """A number that is not a valid dialled number."""


# Imports classify millions of calls between a much smaller set of numbers; these are pure.
# Each is cached outside its def: mutmut does not mutate decorated functions (docs/testing.md).
def _normalise(number):
    """Strip the spaces, dashes and brackets people write numbers with; '+' means '00'."""
    cleaned = re.sub(r"[\s\-().]", "", number or "")
    if cleaned.startswith("+"):
        cleaned = "00" + cleaned[1:]
    if not cleaned or not _DIGITS.match(cleaned) or len(cleaned) > 20:
        raise NumberError(number)
    return cleaned


normalise = lru_cache(maxsize=1 << 16)(_normalise)


def national_digits(number):
    """The 9 digits after the trunk 0 of a national number (0222564321 → 222564321), or None."""
    match = _NATIONAL.match(normalise(number))
    return match.group(1) if match else None


def _type(national):
    """phonenumbers' PhoneNumberType of +994 `national`, UNKNOWN when it is no valid number."""
    parsed = PhoneNumber(country_code=AZ_COUNTRY_CODE, national_number=int(national))
    if not phonenumbers.is_valid_number(parsed):
        return PhoneNumberType.UNKNOWN
    return phonenumbers.number_type(parsed)


def _area(landline):
    """The area of a geographic number (see the module's docstring): the geocoder's name of
    the place, the old plan's code, or None for a valid fixed line in no named area."""
    national = national_digits(landline)
    if national is None:
        raise NumberError(landline)
    named = areas().area_of(national)
    if named is not None:
        return named.key
    if _OLD_PLAN.match("0" + national):  # 020–026: 012 and 018 are named above
        return national[:5]
    if _type(national) in _FIXED:
        return None
    raise NumberError(landline)


area = lru_cache(maxsize=1 << 16)(_area)


def is_landline(number):
    try:
        area(number)
    except NumberError:
        return False
    return True


def _is_mobile(dialled):
    if dialled[1:3] in MOBILE_CODES:
        return True
    national = _NATIONAL.match(dialled)
    return national is not None and _type(national.group(1)) == PhoneNumberType.MOBILE


def _classify(calling, dialled):
    """The kind of call from the landline `calling` to `dialled`."""
    dialled = normalise(dialled)
    if dialled.startswith("00"):
        if dialled.startswith("00994"):  # our own country dialled internationally
            return classify(calling, "0" + dialled[5:])
        return INTERNATIONAL
    if not dialled.startswith("0"):
        return LOCAL
    if _is_mobile(dialled):
        return MOBILE
    to, home = area(dialled), area(calling)
    return INTERCITY if to is None or to != home else LOCAL


classify = lru_cache(maxsize=1 << 16)(_classify)


def country_digits(dialled):
    """The digits after the international prefix, for matching a tariff zone."""
    dialled = normalise(dialled)
    return dialled[2:] if dialled.startswith("00") else ""


def _format_phone(number):
    """The one way a number reads, on the page, in the PDF and (see exports) in the CSV.

    National numbers in groups: 0124401234 → 012 440 12 34. International ones with
    their country code and that country's own grouping, as libphonenumber (Google's
    plan data, kept current for every country) knows it, in spaces like ours:
    0074951234567 → +7 495 123 45 67. A country code it does not know stays ungrouped.
    """
    try:
        digits = normalise(number)
    except NumberError:
        return number
    if digits.startswith("00"):
        return _international(digits[2:])
    if len(digits) == 10:
        return f"{digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}"
    return digits


format_phone = lru_cache(maxsize=1 << 16)(_format_phone)


def _international(digits):
    try:
        parsed = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return "+" + digits
    if phonenumbers.region_code_for_country_code(parsed.country_code) == "ZZ":
        return "+" + digits
    grouped = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return grouped.replace("-", " ")
