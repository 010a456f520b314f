"""Writing the operator's facts: who holds a line from when, and the calls made.

The demo data and the operator's imports both go through these functions, so
the rules (a number changing hands closes the previous period; a call is
classified and rated on the way in) live in one place.
"""
from ..models import Call, LineOwnership, PhoneLine
from ..telephony.billing import TariffError
from ..telephony.numbering import (INTERCITY, INTERNATIONAL, NumberError, classify, is_landline,
                                   normalise)


class RegistryError(ValueError):
    pass


def assign_line(number, citizen, since):
    """The line `number` is the citizen's from `since` (naive UTC) on.

    The previous holder's period ends at `since`. Assigning the same holder
    from the same moment again changes nothing, so imports can be repeated.
    """
    number = normalise(number)
    if not is_landline(number):
        raise RegistryError(f"{number} is not a landline number")
    line, _ = PhoneLine.get_or_create(number=number)
    existing = LineOwnership.get_or_none(line=line, starts_at=since)
    if existing is not None:
        if existing.citizen_id != citizen.id:
            raise RegistryError(f"{number} already has another holder from {since}")
        return existing
    later = (
        LineOwnership.select()
        .where((LineOwnership.line == line) & (LineOwnership.starts_at > since))
        .order_by(LineOwnership.starts_at)
        .first()
    )
    if later is not None:
        raise RegistryError(f"{number} has a later holder from {later.starts_at}")
    (
        LineOwnership.update(ends_at=since)
        .where(
            (LineOwnership.line == line)
            & (LineOwnership.starts_at < since)
            & (LineOwnership.ends_at.is_null() | (LineOwnership.ends_at > since))
        )
        .execute()
    )
    return LineOwnership.create(line=line, citizen=citizen, starts_at=since, ends_at=None)


def release_line(number, until):
    """The line stops being anyone's at `until` (a cancelled subscription)."""
    line = PhoneLine.get(number=normalise(number))
    (
        LineOwnership.update(ends_at=until)
        .where((LineOwnership.line == line) & LineOwnership.ends_at.is_null())
        .execute()
    )


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


def record_call(tariffs, record_id, line, started_at, duration_seconds, dialled, paid_at=None,
                plan=None):
    """Store one call of `line`, rated by `tariffs`; local and mobile calls are skipped."""
    rating = rate_call(tariffs, line.number, dialled, started_at, duration_seconds, plan)
    if rating is None:
        return None
    return Call.create(
        record_id=record_id,
        line=line,
        started_at=started_at,
        duration_seconds=duration_seconds,
        dialled_number=normalise(dialled),
        paid_at=paid_at,
        **rating_columns(rating),
    )


def rating_columns(rating):
    """The Call columns that keep a Rating."""
    return dict(kind=rating.kind, amount_qepik=rating.amount_qepik, plan=rating.plan,
                qepik_per_minute=rating.qepik_per_minute, band=rating.band,
                factor_permille=rating.factor_permille, billed_seconds=rating.billed_seconds)
