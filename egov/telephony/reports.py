"""The month's call report of one line: rows and the three summary rows.

A row shows the amount as it stands: corrected when an accepted claim said so,
as billed otherwise; the summary rows add up what the rows show.
"""
from dataclasses import dataclass

from peewee import JOIN

from ..models import Call, Claim, ClaimCall
from . import access

SERVICE_TITLE = "Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat"


@dataclass(frozen=True)
class Summary:
    count: int
    amount_qepik: int


@dataclass(frozen=True)
class ReportRow:
    call: object
    amount_qepik: int  # as shown: corrected by an accepted claim, else as billed
    claim: object = None  # the claim disputing this call, if any (not a rejected one)

    @property
    def is_corrected(self):
        return self.amount_qepik != self.call.amount_qepik

    @property
    def is_paid(self):
        return self.call.is_paid


@dataclass(frozen=True)
class CallReport:
    held: object
    month: object
    rows: list
    unpaid: Summary
    paid: Summary
    total: Summary

    @property
    def calls(self):
        return [row.call for row in self.rows]

    @property
    def is_empty(self):
        return not self.rows


def _summary(rows):
    return Summary(len(rows), sum(row.amount_qepik for row in rows))


def _calls_with_claims(held):
    """The held line's calls (the access rule's query) with their live claims, in one query.

    A call appears once per claim not rejected that disputes it (usually none),
    oldest claim first."""
    live = (ClaimCall.select(ClaimCall.call, ClaimCall.corrected_qepik,
                             Claim.id.alias("claim_id"), Claim.reference, Claim.status,
                             Claim.created_at.alias("claimed_at"))
            .join(Claim).where(Claim.status != Claim.REJECTED).alias("live"))
    return (access.calls_query(held)
            .select_extend(live.c.corrected_qepik, live.c.claim_id, live.c.reference,
                           live.c.status)
            .join(live, JOIN.LEFT_OUTER, on=(live.c.call_id == Call.id))
            .order_by(Call.started_at, Call.id, live.c.claimed_at)
            .objects())


def call_report(held, month):
    calls, corrected, disputed = {}, {}, {}
    for call in _calls_with_claims(held):
        calls.setdefault(call.id, call)
        if call.claim_id is None:
            continue
        # The newest live claim is the one shown; an accepted one's amount stands.
        disputed[call.id] = Claim(id=call.claim_id, reference=call.reference, status=call.status)
        if call.status == Claim.ACCEPTED and call.corrected_qepik is not None:
            corrected[call.id] = call.corrected_qepik
    rows = [ReportRow(call=call, amount_qepik=corrected.get(call_id, call.amount_qepik),
                      claim=disputed.get(call_id))
            for call_id, call in calls.items()]
    return CallReport(
        held=held,
        month=month,
        rows=rows,
        unpaid=_summary([r for r in rows if not r.is_paid]),
        paid=_summary([r for r in rows if r.is_paid]),
        total=_summary(rows),
    )
