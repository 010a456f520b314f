"""Writing an accepted file: batched statements inside the caller's transaction.

Rows go in a batch at a time: on SQLite one prepared INSERT executed for the
whole batch (executemany), on PostgreSQL multi-row INSERTs (execute_values), so
a batch costs one round trip, not one per row. Peewee's insert_many was the
first version; profiling showed it spending three quarters of an import building
the SQL text of each value, so the statement is now built once per table. The
caller holds one transaction around everything, so an exception between two
batches (a crash, Ctrl-C) rolls all of them back.
"""
import csv
import io
from contextlib import contextmanager, nullcontext
from datetime import datetime
from dataclasses import dataclass

from peewee import Case

from ...db import database, is_postgres
from ...models import Call

# 8 columns × 500 rows stays far below SQLite's limit of bound parameters.
BATCH_SIZE = 500
# Imports take turns, whatever their kind. Each checks its file against what is in the
# database, then writes; two interleaved would each check against what the other is about
# to change: two handovers of one number would both leave the holder before them open (two
# citizens seeing each other's calls), two files could both add one record id.
INTAKE_LOCK = 0x696E74616B65  # "intake"


def _import_transaction():
    """The one transaction of an import, begun when no other import holds one.

    PostgreSQL: a transaction-scoped advisory lock, the second import waits for the first's
    commit. SQLite: the write lock taken at BEGIN (IMMEDIATE), so the second waits (the
    busy timeout, egov.db) instead of failing with «database is locked» when its read
    transaction, begun before the first's commit, tries to write."""
    if is_postgres():
        with database.atomic():
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (INTAKE_LOCK,))
            yield
    else:
        with database.atomic("IMMEDIATE"):
            yield


# Made from a plain function: mutmut does not mutate decorated ones (docs/testing.md).
import_transaction = contextmanager(_import_transaction)


@dataclass
class ImportResult:
    added: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows outside this service (local and mobile calls)
    updated: int = 0  # existing rows changed (a payment mark, a closed holder period)

    updated_as: str = "updated"
    # A payments file adds no rows, it only marks calls: «0 marked paid», never «0 added».
    only_updates: bool = False

    def summary(self):
        counts_added = not self.only_updates and (self.added or not self.updated)
        parts = [f"{self.added} added"] if counts_added else []
        if self.updated or self.only_updates:
            parts.append(f"{self.updated} {self.updated_as}")
        parts.append(f"{self.unchanged} already there")
        if self.skipped:
            parts.append(f"{self.skipped} skipped (local or mobile calls)")
        return ", ".join(parts)


class _Silent:
    def update(self, n):
        pass


def no_progress(label, total):
    """The default progress: nothing shown (tests, cron jobs, the demo)."""
    return nullcontext(_Silent())


def chunks(items, size=BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def insert_batches(model, fields, rows, bar, batch_size=BATCH_SIZE):
    """INSERT `rows` (tuples in the order of `fields`) a batch at a time."""
    from psycopg2.extras import execute_values

    table = model._meta.table_name
    names = ", ".join(f'"{field.column_name}"' for field in fields)
    for batch in chunks(rows, batch_size):
        cursor = database.cursor()
        if is_postgres():
            execute_values(cursor, f'INSERT INTO "{table}" ({names}) VALUES %s', batch,
                           page_size=batch_size)
        else:
            marks = ", ".join("?" for _ in fields)
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                               [tuple(map(_sqlite_value, row)) for row in batch])
        bar.update(len(batch))


def _sqlite_value(value):
    # The text form peewee itself stores and reads back for a DateTimeField.
    return str(value) if isinstance(value, datetime) else value


def update_batches(model, field, values, bar, batch_size=BATCH_SIZE):
    """Set `field` per row: {id: value} as one UPDATE … CASE id … per batch."""
    items = sorted(values.items())
    for batch in chunks(items, batch_size):
        ids = [row_id for row_id, _ in batch]
        case = Case(model._meta.primary_key, [(row_id, field.to_value(v)) for row_id, v in batch])
        model.update({field: case}).where(model._meta.primary_key.in_(ids)).execute()
        bar.update(len(batch))


def select_in(query_for, keys, size=BATCH_SIZE):
    """Rows of `query_for(batch_of_keys)` for many keys, a bounded IN (…) at a time."""
    keys = list(keys)
    for batch in chunks(keys, size):
        yield from query_for(batch)


def imported_calls(record_ids, *fields):
    """Rows (tuples of `fields`) of the calls already imported under these record ids,
    to tell a repeat from a conflict. The operator's intake only: never shown to a citizen."""
    return Call.select(*fields).where(Call.record_id.in_(record_ids)).tuples()


def copy_rows(model, columns, rows):
    """The bulk path for generated data: COPY on PostgreSQL, executemany on SQLite.

    `rows` are tuples already in the database's text form (datetimes as
    'YYYY-MM-DD HH:MM:SS', None for NULL). One call writes one batch.
    """

    table = model._meta.table_name
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = database.cursor()
    if is_postgres():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        buffer.seek(0)
        cursor.copy_expert(f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT csv)', buffer)
    else:
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
