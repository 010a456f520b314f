"""The call table by month on PostgreSQL: a partition per month, made ahead, dropped whole.

At national scale the operator sends about ten million calls a month. On PostgreSQL
`call` is partitioned by RANGE of `started_at` (naive UTC), one partition per month
(call_2026_12), so that retention drops a month's table instead of deleting millions of
rows one by one, and a month's report reads one partition. SQLite (development, the
suite's first pass) keeps a plain table: nothing here runs there.

A partition is a *Baku* month (egov.timeutil.Month), from 20:00 UTC on the evening
before its 1st. The report, the claim window and the retention all count Baku months,
so a report's range lies in exactly one partition and dropping a month drops that
month's calls and no others. UTC months would put each Baku month's first four hours in
the partition of the month before: every report would read two partitions, and
dropping a month would drop four hours of the month after it.

There is no DEFAULT partition. A call for a month without a partition is refused by the
intake, which names the month and the command that makes it; a default partition would
instead take it quietly, and then the month's own partition could not be created until
its calls were moved out of the default, and old calls in the default could only go by
a row-by-row DELETE again.

Keys: a unique key of a partitioned table must contain the partition key. The primary
key is (id, started_at), ids still coming from the one sequence; the operator's record
id is unique with its start, (record_id, started_at), and that a record id is imported
once across all months is the intake's own look-up before it inserts
(egov.backoffice.intake.calls); a claim refers to a call by (call_id, call_started_at).
"""
import re
from dataclasses import dataclass

from .config import DEFAULT_CALL_RETENTION_MONTHS
from .db import database, is_postgres
from .models import Claim, ClaimCall
from .timeutil import Month

AHEAD = 3  # months made ahead: a timer that stops for two months still loses no call
# Making or dropping a partition takes a brief exclusive lock on `call`. Waiting for it
# behind a long import would queue every citizen's report behind the wait: give up instead
# (the timer runs again) and say so.
LOCK_TIMEOUT = "5s"
OPEN = (Claim.RECEIVED, Claim.UNDER_REVIEW)
_NAME = re.compile(r"call_(\d{4})_(\d{2})")
_SCANNED = re.compile(r" on (call_\d{4}_\d{2})\b")


def partition_name(month):
    return f"call_{month.year:04d}_{month.month:02d}"


def scanned(plan):
    """The partitions a query plan (PostgreSQL's EXPLAIN, one line a step) reads."""
    return sorted({name for line in plan for name in _SCANNED.findall(line)})


def _literal(moment):
    # Partition bounds are DDL, where no value can be bound: the text of a naive UTC time.
    return f"'{moment:%Y-%m-%d %H:%M:%S}'"


def _relation_kind(name):
    row = database.execute_sql("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)",
                               (name,)).fetchone()
    return row[0] if row else None


def is_partitioned():
    """True when the call table is the partitioned one (PostgreSQL)."""
    return is_postgres() and _relation_kind("call") == "p"


def months():
    """The months the call table has a partition for, oldest first."""
    rows = database.execute_sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass('call')").fetchall()
    found = (_NAME.fullmatch(name) for (name,) in rows)
    return sorted(Month(int(m[1]), int(m[2])) for m in found if m)


def _month_range(first, last):
    month = first
    while month <= last:
        yield month
        month = month.shifted(1)


def _create_partition(month):
    database.execute_sql(
        f'CREATE TABLE "{partition_name(month)}" PARTITION OF "call" '
        f"FOR VALUES FROM ({_literal(month.start)}) TO ({_literal(month.end)})")


def create_months(first, last):
    """Make the partition of each month from `first` to `last` that has none; the months made."""
    have = set(months())
    made = []
    for month in _month_range(first, last):
        if month in have:
            continue
        with database.atomic():
            database.execute_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            _create_partition(month)
        made.append(month)
    return made


def ensure(now, retention_months=None, ahead=AHEAD):
    """Every month of the retention period (the current month and `retention_months`
    before it) and the `ahead` after it gets its partition; the months made.

    Without `retention_months` (a caller that does not know CALL_RETENTION_MONTHS), the
    default period's months are made for a table that has none, and otherwise only
    those from its oldest month on: a shorter period an operator chose is kept."""
    current = Month.containing(now)
    first = current.shifted(-(retention_months if retention_months is not None
                              else DEFAULT_CALL_RETENTION_MONTHS))
    held = months()
    if retention_months is None and held:
        first = max(first, held[0])
    return create_months(first, current.shifted(ahead))


def convert(now, retention_months=None, ahead=AHEAD):
    """Turn a plain call table (a database made before partitions) into the partitioned
    one, in one transaction; {month: calls moved}. Nothing to do (None) when it is one.

    The partitioned table is made LIKE the plain one (its columns, defaults and checks,
    so the model stays their one description), then each month's calls are moved into
    their partition, then the claims' reference is made (call_id, call_started_at), the
    id sequence handed over and the plain table dropped. A fresh database takes the same
    path with an empty plain table (peewee made it a moment before)."""
    if not is_postgres() or _relation_kind("call") != "r":
        return None
    with database.atomic():
        database.execute_sql('LOCK TABLE "call" IN ACCESS EXCLUSIVE MODE')
        sequence = database.execute_sql(
            "SELECT pg_get_serial_sequence('call', 'id')").fetchone()[0]
        oldest, newest, total = database.execute_sql(
            'SELECT min(started_at), max(started_at), count(*) FROM "call"').fetchone()
        _rename_plain_table()
        foreign_keys = database.execute_sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'call_unpartitioned'::regclass AND contype = 'f'").fetchall()
        database.execute_sql(
            'CREATE TABLE "call" (LIKE "call_unpartitioned" INCLUDING DEFAULTS '
            "INCLUDING CONSTRAINTS) PARTITION BY RANGE (started_at)")
        database.execute_sql('ALTER TABLE "call" ADD CONSTRAINT "call_pkey" '
                             "PRIMARY KEY (id, started_at)")
        database.execute_sql('ALTER TABLE "call" ADD CONSTRAINT "call_record_id_started_at" '
                             "UNIQUE (record_id, started_at)")
        # Every report reads one line's calls over a time range: this index serves it.
        database.execute_sql('CREATE INDEX "call_line_id_started_at" ON "call" '
                             "(line_id, started_at)")
        for name, definition in foreign_keys:
            database.execute_sql(f'ALTER TABLE "call" ADD CONSTRAINT "{name}" {definition}')
        current = Month.containing(now)
        first = current.shifted(-(retention_months if retention_months is not None
                                  else DEFAULT_CALL_RETENTION_MONTHS))
        if oldest is not None:
            first = min(first, Month.containing(oldest))
        last = max(current.shifted(ahead), Month.containing(newest or now))
        for month in _month_range(first, last):
            _create_partition(month)
        moved = _move_rows(first, last) if total else {}
        if sum(moved.values()) != total:
            raise RuntimeError(f"moved {sum(moved.values())} calls of {total}: nothing changed")
        _refer_to_calls_by_start()
        database.execute_sql(f'ALTER SEQUENCE {sequence} OWNED BY "call".id')
        database.execute_sql('DROP TABLE "call_unpartitioned"')
    return moved


def _rename_plain_table():
    """The plain table and its indexes step aside, so the new ones can take their names."""
    database.execute_sql('ALTER TABLE "call" RENAME TO "call_unpartitioned"')
    indexes = database.execute_sql(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = 'call_unpartitioned'::regclass").fetchall()
    for (name,) in indexes:
        database.execute_sql(f'ALTER INDEX "{name}" RENAME TO "{name[:40]}_unpartitioned"')


def _move_rows(first, last):
    """Each month's calls into its partition; {month: calls moved} for months with calls."""
    # The plain table has no index on started_at alone: one, for the months' ranges.
    database.execute_sql('CREATE INDEX "call_unpartitioned_started_at" '
                         'ON "call_unpartitioned" (started_at)')
    moved = {}
    for month in _month_range(first, last):
        cursor = database.execute_sql(
            'INSERT INTO "call" SELECT * FROM "call_unpartitioned" '
            "WHERE started_at >= %s AND started_at < %s", (month.start, month.end))
        if cursor.rowcount:
            moved[month] = cursor.rowcount
    return moved


def _refer_to_calls_by_start():
    """ClaimCall refers to a call by (call_id, call_started_at); None once the call is gone."""
    old = database.execute_sql(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'claim_call'::regclass "
        "AND confrelid = 'call_unpartitioned'::regclass").fetchall()
    for (name,) in old:
        database.execute_sql(f'ALTER TABLE "claim_call" DROP CONSTRAINT "{name}"')
    database.execute_sql('ALTER TABLE "claim_call" ALTER COLUMN call_id DROP NOT NULL')
    database.execute_sql(
        'ALTER TABLE "claim_call" ADD CONSTRAINT "claim_call_call_id_call_started_at_fkey" '
        'FOREIGN KEY (call_id, call_started_at) REFERENCES "call" (id, started_at) '
        "ON DELETE CASCADE")


@dataclass(frozen=True)
class Dropped:
    month: Month
    calls: int
    released: int  # disputed calls whose closed claims keep their facts without them


@dataclass(frozen=True)
class Kept:
    month: Month
    references: list  # of the claims still open on its calls


def prune(now, keep_months):
    """Detach and drop every month before the current one and the `keep_months` before
    it, oldest first, each in a transaction of its own; yields Dropped or Kept for each
    as it goes. A month with a call disputed by a claim still open (received, under
    review) is kept.

    A closed claim keeps what it decided: its ClaimCall rows keep the call's start,
    duration, number and amounts; only their reference to the call becomes None. (A
    partition still referred to cannot be detached, and a cascade would delete them.)"""
    oldest_kept = Month.containing(now).shifted(-keep_months)
    for month in months():
        if month >= oldest_kept:
            return
        in_month = ((ClaimCall.call_started_at >= month.start)
                    & (ClaimCall.call_started_at < month.end))
        name = partition_name(month)
        with database.atomic():
            database.execute_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            open_claims = sorted({reference for (reference,) in (
                Claim.select(Claim.reference).join(ClaimCall)
                .where(in_month & Claim.status.in_(OPEN)).tuples())})
            if open_claims:
                step = Kept(month, open_claims)
            else:
                released = (ClaimCall.update(call=None)
                            .where(in_month & ClaimCall.call.is_null(False)).execute())
                calls = database.execute_sql(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                database.execute_sql(f'ALTER TABLE "call" DETACH PARTITION "{name}"')
                database.execute_sql(f'DROP TABLE "{name}"')
                step = Dropped(month, calls, released)
        yield step
