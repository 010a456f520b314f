"""The operator's call detail records: one call a row, classified and rated on the way in.

Format (UTF-8 CSV with a header row; column order is free, extra columns ignored):

    record_id,calling_number,called_number,started_at,duration_seconds
    CDR-2026110800001,0124401234,0074951234567,2026-11-08 16:11:00,72

`started_at` is Baku local time. Local and mobile calls are counted as skipped:
this service reports intercity and international calls only.
"""
import os
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from ... import access_log, call_partitions
from ...db import is_postgres
from ...models import Call
from ...telephony.billing import TariffError
from ...telephony.numbering import INTERCITY, INTERNATIONAL, NumberError, classify, normalise
from ...timeutil import Month, utcnow
from ..registry import rating_columns
from .lines import registry_of
from .source import (
    Problem,
    RowError,
    checked_rows,
    local_text,
    parse_count,
    parse_landline,
    parse_not_future,
    parse_record_id,
    refuse_if_any,
)
from .writer import (BATCH_SIZE, ImportResult, import_transaction, imported_calls, insert_batches,
                     no_progress, select_in)

COLUMNS = ("record_id", "calling_number", "called_number", "started_at", "duration_seconds")
MAX_DURATION = 24 * 3600  # a longer "call" is a fault in the exchange's record, not a call
FIELDS = [Call.record_id, Call.line, Call.started_at, Call.duration_seconds,
          Call.dialled_number, Call.kind, Call.amount_qepik, Call.plan, Call.qepik_per_minute,
          Call.band, Call.factor_permille, Call.billed_seconds]


@dataclass(slots=True)  # a whole file's rows are held while it is checked: keep them small
class CallRow:
    line_no: int
    record_id: str
    calling: str
    dialled: str
    started_at: datetime
    duration: int
    kind: str = None  # None: a local or mobile call, outside this service
    rating: object = None  # egov.telephony.billing.Rating, once the holder's plan is known
    line_id: int = None
    citizen_id: int = None  # who held the line when the call was made


def _parse(line_no, row, now):
    record_id = parse_record_id(row["record_id"])
    calling = parse_landline(row["calling_number"], "calling number")
    started_at = parse_not_future(row["started_at"], now, "start time")
    duration = parse_count(row["duration_seconds"], "duration", MAX_DURATION)
    try:
        kind = classify(calling, row["called_number"])
    except NumberError as error:
        raise RowError(f"called number {row['called_number']!r}: not a phone number: "
                       f"{error}") from None
    call = CallRow(line_no, record_id, calling, row["called_number"], started_at, duration)
    if kind in (INTERCITY, INTERNATIONAL):
        call.kind = kind
        call.dialled = normalise(call.dialled)
    return call


def _holding_at(periods, moment):
    """(citizen id, plan) of the holding of the line at `moment`, or None."""
    index = bisect_right(periods, moment, key=lambda period: period[0]) - 1
    if index < 0:
        return None
    _starts_at, ends_at, citizen_id, _id, plan = periods[index]
    return (citizen_id, plan) if ends_at is None or moment < ends_at else None


def _check_holders_and_rate(calls, tariffs, problems):
    """Each call's holder, and its Rating on the holder's plan when it was made."""
    periods = registry_of({c.calling for c in calls})
    for call in calls:
        if call.calling not in periods:
            problems.append(Problem(call.line_no, (
                f"calling number {call.calling} is not in the line registry (unknown line); "
                "import the line registry first")))
            continue
        call.line_id, held = periods[call.calling]
        holding = _holding_at(held, call.started_at)
        if holding is None:
            problems.append(Problem(call.line_no, (
                f"nobody holds line {call.calling} at {local_text(call.started_at)} "
                "according to the line registry")))
            continue
        call.citizen_id, plan = holding
        try:
            call.rating = tariffs.rate(call.kind, call.dialled, call.started_at,
                                       call.duration, plan)
        except TariffError as error:
            problems.append(Problem(call.line_no, f"called number {call.dialled!r}: {error}"))


def _check_existing(calls, problems):
    """Calls already imported: the same content is fine (a repeat), other content is not.

    This look-up is what keeps a record id to one call. On PostgreSQL the call table is
    partitioned by month (egov.call_partitions) and its unique key is (record_id,
    started_at): the database alone would take the same record id again in another month.
    The look-up searches every month, and imports take turns (writer.import_transaction), so no
    other import adds a record id between this look-up and the insert."""
    by_id = {c.record_id: c for c in calls}
    known = select_in(
        lambda b: imported_calls(b, Call.record_id, Call.line, Call.started_at,
                                 Call.duration_seconds, Call.dialled_number),
        by_id,
    )
    existing = set()
    for record_id, line_id, started_at, duration, dialled in known:
        call = by_id[record_id]
        existing.add(record_id)
        if call.kind is None:
            problems.append(Problem(call.line_no, (
                f"record id {record_id} was imported before as an intercity or international "
                "call; here it is a local or mobile call")))
        elif (line_id, started_at, duration, dialled) != (
                call.line_id, call.started_at, call.duration, call.dialled):
            problems.append(Problem(call.line_no, (
                f"record id {record_id} was imported before with different content "
                f"(line {call.calling if line_id == call.line_id else 'another line'}, "
                f"{local_text(started_at)}, {duration} s, {dialled})")))
    return existing


def _check_months(calls, problems):
    """On PostgreSQL every call's Baku month needs its partition: one problem per month
    without one, naming the month and what to do (egov.call_partitions)."""
    if not is_postgres():
        return
    by_month = {}
    for call in calls:
        by_month.setdefault(Month.containing(call.started_at), []).append(call.line_no)
    held = call_partitions.months()
    for month, line_numbers in sorted(by_month.items()):
        if month in held:
            continue
        if held and month < held[0]:
            why = (f"older than the oldest month the call table keeps ({held[0]}): past the "
                   "retention period (CALL_RETENTION_MONTHS), its calls are not taken again")
        else:
            why = ("the call table has no partition for that month yet: run "
                   "`flask create-call-partitions`, then this import again")
        problems.append(Problem(min(line_numbers), (
            f"{len(line_numbers)} call(s) of {month} (Baku time), the first on this line: "
            f"{why}")))


_RATING_COLUMNS = [field.name for field in FIELDS[5:]]


def _columns(rating):
    """The Rating's values in the order of FIELDS' rating columns."""
    values = rating_columns(rating)
    return tuple(values[name] for name in _RATING_COLUMNS)


def _file_name(source):
    if isinstance(source, (str, os.PathLike)):
        return os.path.basename(source)
    return os.path.basename(getattr(source, "name", "") or "") or "calls.csv"


def import_calls(source, tariffs, now=None, progress=no_progress, batch_size=BATCH_SIZE,
                 file_name=None):
    """Import a call detail file, all or nothing; ImportRefused lists every bad row.

    Each citizen whose line got calls has one entry in their access log (the file's
    name and how many calls), written in the same transaction as the calls."""
    now = now or utcnow()
    problems = []
    with import_transaction():
        calls = checked_rows(
            source, COLUMNS, lambda line_no, row: _parse(line_no, row, now),
            lambda c: (c.record_id, f"record id {c.record_id}"), problems, progress, "calls")
        rated = [c for c in calls if c.kind is not None]
        _check_holders_and_rate(rated, tariffs, problems)
        existing = _check_existing([c for c in calls if c.line_id or c.kind is None], problems)
        _check_months([c for c in rated if c.rating and c.record_id not in existing], problems)
        refuse_if_any(source, problems)
        new = [(c.record_id, c.line_id, c.started_at, c.duration, c.dialled,
                *_columns(c.rating)) for c in rated if c.record_id not in existing]
        with progress("Writing calls", len(new)) as bar:
            insert_batches(Call, FIELDS, new, bar, batch_size)
        access_log.calls_imported(file_name or _file_name(source), Counter(
            c.citizen_id for c in rated if c.record_id not in existing))
    return ImportResult(added=len(new), unchanged=len(existing), skipped=len(calls) - len(rated))
