"""Every Jinja filter, in one table the factory registers.

How each value reads lives with its kind of value (money in telephony.billing,
numbers in telephony.numbering, Baku dates in timeutil), so the CSV and PDF
exports format them exactly as the page does.
"""
from flask_babel import lazy_gettext as _l

from .access_log import describe as access_action
from .identity.means import BY_KEY as MEANS_BY_KEY
from .models import Claim
from .telephony.billing import format_azn, format_factor
from .telephony.charges import band_label, charge_formula, plan_name
from .telephony.destinations import destination, kind_label
from .telephony.numbering import format_phone
from .timeutil import baku_date, baku_full_date, baku_time


CLAIM_STATUS_LABELS = {
    Claim.RECEIVED: _l("qəbul olunub"),
    Claim.UNDER_REVIEW: _l("baxılır"),
    Claim.ACCEPTED: _l("təmin edilib — məbləğ düzəldilib"),
    Claim.REJECTED: _l("rədd edilib"),
}


def claim_status(status):
    return CLAIM_STATUS_LABELS.get(status, status)


def means_title(key):
    """A sign-in means by its key («asan» → «asan imza»)."""
    means = MEANS_BY_KEY.get(key)
    return means.title if means else key


FILTERS = {
    "azn": format_azn,
    "phone": format_phone,
    "baku_date": baku_date,
    "baku_full_date": baku_full_date,
    "baku_time": baku_time,
    "claim_status": claim_status,
    "kind_label": kind_label,
    "destination": destination,
    "access_action": access_action,
    "means_title": means_title,
    "band_label": band_label,
    "plan_name": plan_name,
    "charge_formula": charge_formula,
    "factor": format_factor,
}
