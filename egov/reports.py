"""The month's call report of one line: rows and the three summary rows.

A row shows the amount as it stands: corrected when an accepted claim said so,
as billed otherwise; the summary rows add up what the rows show.
"""
from dataclasses import dataclass

from .access import calls_of
from .claims import corrections, open_disputes


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


def call_report(held, month):
    calls = calls_of(held)
    corrected, disputed = corrections(calls), open_disputes(calls)
    rows = [
        ReportRow(
            call=call,
            amount_qepik=(corrected[call.id].corrected_qepik if call.id in corrected
                          else call.amount_qepik),
            claim=disputed.get(call.id),
        )
        for call in calls
    ]
    return CallReport(
        held=held,
        month=month,
        rows=rows,
        unpaid=_summary([r for r in rows if not r.is_paid]),
        paid=_summary([r for r in rows if r.is_paid]),
        total=_summary(rows),
    )
