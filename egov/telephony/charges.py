"""How a call's charge reads for a citizen: its plan, band and the sum that gave the amount.

Everything shown comes from what the call keeps (egov.models.Call: plan, price a minute,
band, factor, billed seconds), never from today's tariff book, so the explanation of
a past call stays what it was when it was rated. Only the plan's names are read from
the book (data/plans.csv), once per process.
"""
from decimal import Decimal
from functools import lru_cache

from flask import current_app

from ..locales import N_, language
from ..locales import gettext as _
from .billing import (DAY, FLAT, HOLIDAY, NIGHT, WEEKEND, WHOLE, format_azn, format_exact_azn,
                      format_factor, load_tariffs)

BAND_LABELS = {
    DAY: N_("gündüz"),
    NIGHT: N_("gecə"),
    WEEKEND: N_("həftə sonu"),
    HOLIDAY: N_("bayram günü"),
    FLAT: N_("günün vaxtından asılı deyil"),
}


def band_label(band):
    label = BAND_LABELS.get(band)
    return _(label) if label else band or ""


def _plans_of(data_dir):
    return load_tariffs(data_dir).plans


# Cached outside the def: mutmut does not mutate decorated functions (docs/testing.md).
_plans = lru_cache(maxsize=8)(_plans_of)


def plan_name(code):
    """The plan's name in the page's language; the code itself for a plan no longer in
    the book (a past call keeps the code it was rated by)."""
    plan = _plans(current_app.config["DATA_DIR"]).get(code)
    return plan.name(language()) if plan else code


def charge_formula(call):
    """E.g. «3 dəq × 0,03 AZN × 0,8 = 0,072 AZN ≈ 0,07 AZN» in the page's language."""
    price = format_azn(call.qepik_per_minute)
    exact = (Decimal(call.billed_seconds) * call.qepik_per_minute * call.factor_permille
             / (60 * WHOLE * 100))
    # One message per form, no message inside another: a translator sees the whole product.
    if call.billed_seconds % 60 == 0:
        product = _("%(n)s dəq × %(price)s AZN", n=call.billed_seconds // 60, price=price)
    else:
        product = _("%(n)s san × %(price)s AZN ÷ 60", n=call.billed_seconds, price=price)
    if call.factor_permille != WHOLE:
        product += " × " + format_factor(call.factor_permille)
    rounded = format_azn(call.amount_qepik)
    if exact == Decimal(call.amount_qepik) / 100:
        return f"{product} = {rounded} AZN"
    return f"{product} = {format_exact_azn(exact)} AZN ≈ {rounded} AZN"
