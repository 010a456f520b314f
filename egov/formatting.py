"""How values read on the citizen's screen (registered as Jinja filters)."""
from .billing import format_azn
from .numbering import NumberError, normalise
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


FILTERS = {
    "azn": format_azn,
    "phone": format_phone,
    "baku_date": baku_date,
    "baku_full_date": baku_full_date,
    "baku_time": baku_time,
}


def init_app(app):
    app.jinja_env.filters.update(FILTERS)
