"""Claims on charges («reklamasiya»): filing, the status history, and corrected amounts.

A claim moves received → under review → accepted or rejected; every step is a
ClaimEvent with the staff's answer and its date. Accepting stores the corrected
amount beside the disputed call: Call.amount_qepik keeps what was billed, so the
history always shows the original. Which calls may be disputed is decided by
egov.telephony.access (claimable_calls), not here.
"""
import secrets

from peewee import IntegrityError

from ..db import database
from ..models import Call, Claim, ClaimCall, ClaimEvent
from ..timeutil import utcnow

# No 0/O, 1/I/L: a reference read aloud over the phone must not be misheard.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

NEXT_STEPS = {
    Claim.RECEIVED: (Claim.UNDER_REVIEW, Claim.ACCEPTED, Claim.REJECTED),
    Claim.UNDER_REVIEW: (Claim.ACCEPTED, Claim.REJECTED),
    Claim.ACCEPTED: (),
    Claim.REJECTED: (),
}


class ClaimError(ValueError):
    """A step the claim cannot take (a finished claim, a call already disputed)."""


def new_reference(now):
    """E.g. RK-2611-7KQ4M: year and month of filing, then five unambiguous characters."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(5))
    return f"RK-{now:%y%m}-{suffix}"


def open_disputes(calls):
    """{call id: claim} for the calls already disputed by a claim not yet rejected."""
    rows = (ClaimCall.select(ClaimCall, Claim).join(Claim)
            .where(ClaimCall.call.in_([c.id for c in calls])
                   & (Claim.status != Claim.REJECTED))
            .order_by(Claim.created_at))
    return {row.call_id: row.claim for row in rows}


def file_claim(citizen, held, calls, reason):
    """A new claim of the citizen on these calls of a line they hold (checked by egov.access)."""
    taken = open_disputes(calls)
    if taken:
        raise ClaimError(sorted({claim.reference for claim in taken.values()}))
    now = utcnow()
    for _ in range(5):
        try:
            with database.atomic():
                claim = Claim.create(reference=new_reference(now), citizen=citizen,
                                     line=held.line, reason=reason.strip(), created_at=now)
                ClaimCall.insert_many([
                    {"claim": claim, "call": call, "original_qepik": call.amount_qepik}
                    for call in calls
                ]).execute()
                ClaimEvent.create(claim=claim, status=Claim.RECEIVED, created_at=now)
                return claim
        except IntegrityError:
            continue  # a reference drawn twice: draw again
    raise ClaimError("no free reference")


def disputed_calls(claim):
    """The calls a claim disputes: the only calls the operator's staff ever see.

    The claim itself comes from access.claim_of for a citizen, or from the claims
    desk for staff."""
    return list(
        ClaimCall.select(ClaimCall, Call).join(Call)
        .where(ClaimCall.claim == claim)
        .order_by(Call.started_at, Call.id)
    )


def history(claim):
    return list(claim.events.order_by(ClaimEvent.created_at, ClaimEvent.id))


def _step(claim, staff, status, answer):
    if status not in NEXT_STEPS[claim.status]:
        raise ClaimError(f"{claim.status} → {status}")
    now = utcnow()
    claim.status = status
    claim.save(only=[Claim.status])
    ClaimEvent.create(claim=claim, status=status, answer=answer.strip(), staff=staff,
                      created_at=now)


def start_review(claim, staff, answer=""):
    with database.atomic():
        _step(claim, staff, Claim.UNDER_REVIEW, answer)


def reject(claim, staff, answer):
    with database.atomic():
        _step(claim, staff, Claim.REJECTED, answer)


def accept(claim, staff, answer, corrected):
    """Accept, with the corrected amount in qəpik of each disputed call ({ClaimCall id: qəpik})."""
    with database.atomic():
        _step(claim, staff, Claim.ACCEPTED, answer)
        for row in claim.claim_calls:
            row.corrected_qepik = corrected[row.id]
            row.save(only=[ClaimCall.corrected_qepik])
