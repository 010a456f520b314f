"""The month's call report of one line: rows and the three summary rows."""
from dataclasses import dataclass

from .access import calls_of


@dataclass(frozen=True)
class Summary:
    count: int
    amount_qepik: int


@dataclass(frozen=True)
class CallReport:
    held: object
    month: object
    calls: list
    unpaid: Summary
    paid: Summary
    total: Summary

    @property
    def is_empty(self):
        return not self.calls


def _summary(calls):
    return Summary(len(calls), sum(call.amount_qepik for call in calls))


def call_report(held, month):
    calls = calls_of(held)
    return CallReport(
        held=held,
        month=month,
        calls=calls,
        unpaid=_summary([c for c in calls if not c.is_paid]),
        paid=_summary([c for c in calls if c.is_paid]),
        total=_summary(calls),
    )
