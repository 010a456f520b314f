"""A call's rating outside an import (`rate_call`: the scale bench, the population
generator's tests) and the Call columns that keep a Rating (`rating_columns`: the intake).

Lines, holders and calls are written by one writer, the intake (intake/lines.py: a number
changing hands closes the previous holder's period; intake/calls.py: a call is classified
and rated on the way in); the demo and the tests' World go through it too.
"""
from ..telephony.billing import TariffError
from ..telephony.numbering import INTERCITY, INTERNATIONAL, NumberError, classify


class RegistryError(ValueError):
    pass


def rate_call(tariffs, calling, dialled, started_at, duration_seconds, plan=None):
    """The call's Rating (egov.telephony.billing) on the line's plan (None: the default),
    or None for a call outside this service (local, mobile)."""
    try:
        kind = classify(calling, dialled)
    except NumberError as error:
        raise RegistryError(f"not a phone number: {error}") from error
    if kind not in (INTERCITY, INTERNATIONAL):
        return None
    try:
        return tariffs.rate(kind, dialled, started_at, duration_seconds, plan)
    except TariffError as error:
        raise RegistryError(str(error)) from error


def rating_columns(rating):
    """The Call columns that keep a Rating."""
    return dict(kind=rating.kind, amount_qepik=rating.amount_qepik, plan=rating.plan,
                qepik_per_minute=rating.qepik_per_minute, band=rating.band,
                factor_permille=rating.factor_permille, billed_seconds=rating.billed_seconds)
