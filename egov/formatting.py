"""How values read on the citizen's screen: every Jinja filter, registered by the factory."""
from flask_babel import lazy_gettext as _l

from .models import Claim
from .telephony.billing import format_azn
from .telephony.numbering import NumberError, normalise
from .timeutil import to_baku


def format_phone(number):
    """A national number in groups: 0124401234 → 012 440 12 34."""
    try:
        digits = normalise(number)
    except NumberError:
        return number
    if digits.startswith("00"):
        return "+" + digits[2:]
    if len(digits) == 10:
        return f"{digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}"
    return digits


def baku_date(stored):
    return to_baku(stored).strftime("%d.%m")


def baku_full_date(stored):
    return to_baku(stored).strftime("%d.%m.%Y")


def baku_time(stored):
    return to_baku(stored).strftime("%H:%M")


CLAIM_STATUS_LABELS = {
    Claim.RECEIVED: _l("qəbul olunub"),
    Claim.UNDER_REVIEW: _l("baxılır"),
    Claim.ACCEPTED: _l("təmin edilib — məbləğ düzəldilib"),
    Claim.REJECTED: _l("rədd edilib"),
}


def claim_status(status):
    return CLAIM_STATUS_LABELS.get(status, status)


FILTERS = {
    "azn": format_azn,
    "phone": format_phone,
    "baku_date": baku_date,
    "baku_full_date": baku_full_date,
    "baku_time": baku_time,
    "claim_status": claim_status,
}
