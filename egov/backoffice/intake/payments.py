"""The operator's payments: each row marks one imported call paid.

Format (UTF-8 CSV with a header row):

    record_id,paid_at
    CDR-2026110800001,2026-11-20 12:00:00

`paid_at` is Baku local time. The record id is the one of the calls file; a
payment for a call that was never imported (or was a local call, which this
service does not keep) is refused, so payments cannot run ahead of their calls.
"""
from dataclasses import dataclass
from datetime import datetime

from ...models import Call
from ...timeutil import utcnow
from .source import (
    Problem,
    checked_rows,
    local_text,
    parse_not_future,
    parse_record_id,
    refuse_if_any,
)
from .writer import (BATCH_SIZE, ImportResult, import_transaction, imported_calls, no_progress,
                     select_in, update_batches)

COLUMNS = ("record_id", "paid_at")


@dataclass(slots=True)
class Payment:
    line_no: int
    record_id: str
    paid_at: datetime


def _parse(line_no, row, now):
    return Payment(line_no, parse_record_id(row["record_id"]),
                   parse_not_future(row["paid_at"], now, "payment time"))


def import_payments(source, now=None, progress=no_progress, batch_size=BATCH_SIZE):
    """Mark calls paid, all or nothing; ImportRefused lists every bad row."""
    now = now or utcnow()
    problems = []
    with import_transaction():
        payments = checked_rows(
            source, COLUMNS, lambda line_no, row: _parse(line_no, row, now),
            lambda p: (p.record_id, f"record id {p.record_id}"), problems, progress, "payments")
        by_id = {p.record_id: p for p in payments}
        calls = {
            record_id: (call_id, started_at, paid_at)
            for record_id, call_id, started_at, paid_at in select_in(
                lambda b: imported_calls(b, Call.record_id, Call.id, Call.started_at,
                                         Call.paid_at), by_id)
        }
        marks, unchanged = {}, 0
        for p in payments:
            if p.record_id not in calls:
                problems.append(Problem(p.line_no, (
                    f"no intercity or international call with record id {p.record_id} "
                    "has been imported; import the calls first")))
                continue
            call_id, started_at, paid_at = calls[p.record_id]
            if p.paid_at < started_at:
                problems.append(Problem(p.line_no, (
                    f"payment time {local_text(p.paid_at)} is before the call started "
                    f"({local_text(started_at)})")))
            elif paid_at == p.paid_at:
                unchanged += 1
            elif paid_at is not None:
                problems.append(Problem(p.line_no, (
                    f"record id {p.record_id} was already marked paid at "
                    f"{local_text(paid_at)}")))
            else:
                marks[call_id] = p.paid_at
        refuse_if_any(source, problems)
        with progress("Writing payments", len(marks)) as bar:
            update_batches(Call, Call.paid_at, marks, bar, batch_size)
    return ImportResult(updated=len(marks), unchanged=unchanged, updated_as="marked paid",
                        only_updates=True)
