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
from ..models import Claim, ClaimCall, ClaimEvent
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


class CallsTaken(ClaimError):
    """A chosen call is already disputed by another claim: its references are in .args[0]."""


class ClaimChanged(ClaimError):
    """The claim left the status a decision was made from (a colleague decided meanwhile)."""


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
    _refuse_if_taken(calls)
    now = utcnow()
    for _ in range(5):
        try:
            with database.atomic():
                claim = Claim.create(reference=new_reference(now), citizen=citizen,
                                     line=held.line, reason=reason.strip(), created_at=now)
                ClaimCall.insert_many([claim_call_row(claim, call) for call in calls]).execute()
                ClaimEvent.create(claim=claim, status=Claim.RECEIVED, created_at=now)
                return claim
        except IntegrityError:
            # The check above ran before the transaction: a simultaneous filing on the same
            # call can pass it too, and then the database's unique index refuses this one.
            _refuse_if_taken(calls)
            continue  # otherwise a reference drawn twice: draw again
    raise ClaimError("no free reference")


def claim_call_row(claim, call):
    """The ClaimCall row of a call a claim disputes: the call's facts and amount are kept
    with the claim, which outlives the call (egov.call_partitions drops old months)."""
    return {"claim": claim, "call": call, "call_started_at": call.started_at,
            "call_duration_seconds": call.duration_seconds,
            "call_dialled_number": call.dialled_number, "original_qepik": call.amount_qepik}


def _refuse_if_taken(calls):
    taken = open_disputes(calls)
    if taken:
        raise CallsTaken(sorted({claim.reference for claim in taken.values()}))


def disputed_calls(claim):
    """The calls a claim disputes: the only calls the operator's staff ever see.

    The claim itself comes from access.claim_of for a citizen, or from the claims
    desk for staff. Each row keeps its call's facts, so the claim reads the same after
    the call's month was dropped."""
    return list(ClaimCall.select().where(ClaimCall.claim == claim)
                .order_by(ClaimCall.call_started_at, ClaimCall.id))


def history(claim):
    return list(claim.events.order_by(ClaimEvent.created_at, ClaimEvent.id))


def _step(claim, staff, status, answer, seen=None):
    """Move the claim on, from the status `seen` (by default the one it was read with).

    Two colleagues may decide on one claim at the same moment, each from the status
    their page showed. The change is one conditional UPDATE (compare-and-set): it
    applies only while the claim still has that status, and the row count says whether
    it did. On PostgreSQL the second UPDATE waits for the first transaction and then
    finds no row; on SQLite writers take turns. The loser writes nothing, not even its
    corrected amounts, since the caller's transaction is rolled back by ClaimChanged.
    """
    seen = claim.status if seen is None else seen
    if status not in NEXT_STEPS.get(seen, ()):
        raise ClaimError(f"{seen} → {status}")
    changed = (Claim.update(status=status)
               .where((Claim.id == claim.id) & (Claim.status == seen)).execute())
    if changed != 1:
        raise ClaimChanged(claim.reference)
    claim.status = status
    if status == Claim.REJECTED:  # the calls may be disputed again
        ClaimCall.update(disputing=False).where(ClaimCall.claim == claim).execute()
    ClaimEvent.create(claim=claim, status=status, answer=answer.strip(), staff=staff,
                      created_at=utcnow())


def start_review(claim, staff, answer="", seen=None):
    with database.atomic():
        _step(claim, staff, Claim.UNDER_REVIEW, answer, seen)


def reject(claim, staff, answer, seen=None):
    with database.atomic():
        _step(claim, staff, Claim.REJECTED, answer, seen)


def accept(claim, staff, answer, corrected, seen=None):
    """Accept, with the corrected amount in qəpik of each disputed call ({ClaimCall id: qəpik})."""
    with database.atomic():
        _step(claim, staff, Claim.ACCEPTED, answer, seen)
        for row in claim.claim_calls:
            row.corrected_qepik = corrected[row.id]
            row.save(only=[ClaimCall.corrected_qepik])
