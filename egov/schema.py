"""The schema on disk: every table created, and a database made by an older version brought
up to date (safe to repeat).

It sits above egov.models and egov.call_partitions, which both need the other otherwise:
the partitions are made of the models' tables, and creating the tables on PostgreSQL
makes the call table's partitions.
"""
from peewee import BooleanField, CharField, DateTimeField, IntegerField

from . import call_partitions
from .db import database, is_postgres
from .models import (ACCESS_LOG_GUARD, ALL_MODELS, Call, Claim, ClaimCall, LineOwnership,
                     LoginSession, Service)
from .timeutil import utcnow


def create_tables(call_retention_months=None):
    """Create every table that does not exist yet, and bring a database made by an older
    version up to date (safe to repeat).

    On PostgreSQL the call table is partitioned by month (egov.call_partitions): a plain
    one, new or made before, is converted, and every month of the retention period
    (CALL_RETENTION_MONTHS, given by the commands) and the coming ones gets its
    partition. Returns the conversion's {month: calls moved} when one ran, else None."""
    with database.connection_context():
        _add_claim_call_disputing()
        _add_missing_columns()
        _add_claim_call_facts()
        # Peewee's description of the call table is the plain one (SQLite's, and the
        # one a PostgreSQL conversion starts from): once partitioned, it is left alone.
        partitioned = call_partitions.is_partitioned()
        database.create_tables([model for model in ALL_MODELS
                                if not (partitioned and model is Call)], safe=True)
        converted = None
        if is_postgres():
            now = utcnow()
            converted = call_partitions.convert(now, call_retention_months)
            call_partitions.ensure(now, call_retention_months)
            database.execute_sql(ACCESS_LOG_GUARD)
        return converted


# Columns added after a table first shipped: a database made before gets them, empty.
# (A Service without offered_at is listed without a link until the catalogue is loaded
# again by `flask init-db` or `flask prepare-demo`, as before.)
LATER_COLUMNS = (
    (LineOwnership, LineOwnership.plan),
    (Call, Call.plan), (Call, Call.qepik_per_minute), (Call, Call.band),
    (Call, Call.factor_permille), (Call, Call.billed_seconds),
    (Service, Service.offered_at),
    (LoginSession, LoginSession.browser),  # sessions made before say "": «naməlum brauzer»
)


def _add_missing_columns():
    for model, field in LATER_COLUMNS:
        with database.atomic():
            _add_column(model, field.column_name, field)


def _add_column(model, name, field):
    """Add `name` to the table of a database made before the field existed; True if it was
    added now (inside the caller's transaction), False if the table has it or is not there
    yet (create_tables makes it whole)."""
    table = model._meta.table_name
    if not database.table_exists(table):
        return False
    if name in {column.name for column in database.get_columns(table)}:
        return False
    from playhouse.migrate import SchemaMigrator, migrate

    migrate(SchemaMigrator.from_database(database).add_column(table, name, field))
    return True


def _add_claim_call_facts():
    """A database made before ClaimCall kept its call's facts gets them, copied from the
    calls; its indexes on the call reference are dropped, to be made again with the
    call's start by create_tables."""
    table = ClaimCall._meta.table_name
    if not database.table_exists(table):
        return
    if "call_started_at" in {column.name for column in database.get_columns(table)}:
        return
    from playhouse.migrate import SchemaMigrator, migrate

    copies = (("call_started_at", "started_at", DateTimeField(null=True)),
              ("call_duration_seconds", "duration_seconds", IntegerField(null=True)),
              ("call_dialled_number", "dialled_number", CharField(max_length=32, null=True)))
    migrator = SchemaMigrator.from_database(database)
    with database.atomic():
        for index in ("claim_call_one_standing_dispute", "claim_call_call_id"):
            database.execute_sql(f'DROP INDEX IF EXISTS "{index}"')
        migrate(*[migrator.add_column(table, name, field) for name, _, field in copies])
        database.execute_sql(f'UPDATE "{table}" SET ' + ", ".join(
            f'"{name}" = (SELECT "{source}" FROM "call" WHERE "call"."id" = "{table}"."call_id")'
            for name, source, _ in copies))
        migrate(*[migrator.add_not_null(table, name) for name, _, _ in copies])


def _add_claim_call_disputing():
    """A database made before ClaimCall.disputing gets the column, filled from the claims."""
    with database.atomic():
        if not _add_column(ClaimCall, "disputing", BooleanField(default=True)):
            return
        (ClaimCall.update(disputing=False)
         .where(ClaimCall.claim.in_(Claim.select(Claim.id)
                                    .where(Claim.status == Claim.REJECTED))).execute())
