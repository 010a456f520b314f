"""Azerbaijan's numbering plan, as far as this service needs it.

Numbers are written as dialled from a landline:
- ``00`` + country code + number: international;
- ``0`` + a mobile operator code (50, 51, 55, 60, 70, 77, 99, 10) + 7 digits: a mobile
  call, not part of this service;
- ``0`` + a geographic code (12 Baku, 18 Absheron, 20–26 the regions) + 7 digits:
  intercity when the area differs from the calling line's, local otherwise. Outside
  Baku the first three digits of the subscriber number name the district, and a
  call between two districts is intercity;
- a subscriber number alone (no leading 0): local.
"""
import re
from functools import lru_cache

import phonenumbers

INTERCITY = "intercity"
INTERNATIONAL = "international"
LOCAL = "local"
MOBILE = "mobile"

MOBILE_CODES = ("10", "50", "51", "55", "60", "70", "77", "99")
_AREA = re.compile(r"^0(1[28]|2[0-6])([0-9]{7})$")
_DIGITS = re.compile(r"^[0-9]+$")  # ASCII only: \d also matches «٣» and «５»


class NumberError(ValueError):
    """A number that is not a valid dialled number."""


# Imports classify millions of calls between a much smaller set of numbers; these are pure.
@lru_cache(maxsize=1 << 16)
def normalise(number):
    """Strip the spaces, dashes and brackets people write numbers with; '+' means '00'."""
    cleaned = re.sub(r"[\s\-().]", "", number or "")
    if cleaned.startswith("+"):
        cleaned = "00" + cleaned[1:]
    if not cleaned or not _DIGITS.match(cleaned) or len(cleaned) > 20:
        raise NumberError(number)
    return cleaned


def area_code(landline):
    match = _AREA.match(normalise(landline))
    if not match:
        raise NumberError(landline)
    code, subscriber = match.groups()
    return code if code == "12" else code + subscriber[:3]


def is_landline(number):
    try:
        area_code(number)
    except NumberError:
        return False
    return True


@lru_cache(maxsize=1 << 16)
def classify(calling, dialled):
    """The kind of call from the landline `calling` to `dialled`."""
    dialled = normalise(dialled)
    if dialled.startswith("00"):
        if dialled.startswith("00994"):  # our own country dialled internationally
            return classify(calling, "0" + dialled[5:])
        return INTERNATIONAL
    if not dialled.startswith("0"):
        return LOCAL
    if dialled[1:3] in MOBILE_CODES:
        return MOBILE
    return INTERCITY if area_code(dialled) != area_code(calling) else LOCAL


def country_digits(dialled):
    """The digits after the international prefix, for matching a tariff zone."""
    dialled = normalise(dialled)
    return dialled[2:] if dialled.startswith("00") else ""


@lru_cache(maxsize=1 << 16)
def format_phone(number):
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


def _international(digits):
    try:
        parsed = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return "+" + digits
    if phonenumbers.region_code_for_country_code(parsed.country_code) == "ZZ":
        return "+" + digits
    grouped = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return grouped.replace("-", " ")
