"""The `flask` commands that prepare and keep a database; the factory registers them."""
import click
from flask import current_app
from flask.cli import with_appcontext
from peewee import OperationalError

from . import access_log, call_partitions
from .catalogue import CatalogueError, load_catalogue
from .db import database, is_postgres
from .schema import create_tables
from .timeutil import utcnow

SQLITE_CALLS = ("SQLite keeps a plain call table: months are partitions on PostgreSQL only "
                "(docs/operators.md, \"Retention and scheduled jobs\"). Nothing to do.")


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the tables, or bring an older database up to date (safe to repeat), and load
    the catalogue. On PostgreSQL a plain call table is converted into months."""
    converted = create_tables(current_app.config["CALL_RETENTION_MONTHS"])
    if converted:
        click.echo("Partitioned the call table by month: " + ", ".join(
            f"{month} {_calls(count)}" for month, count in sorted(converted.items())) + ".")
    with database.connection_context():
        try:
            load_catalogue(current_app.config["DATA_DIR"])
        except CatalogueError as error:  # the line and the value, not a traceback
            raise click.ClickException(str(error)) from None
        if is_postgres():
            click.echo(_holds())
    click.echo("Database ready.")


def _calls(count):
    return f"{count} call" if count == 1 else f"{count} calls"


def _holds():
    held = call_partitions.months()
    return f"The call table has {len(held)} months' partitions, from {held[0]} to {held[-1]}."


def _partitioned():
    """True on a partitioned call table; otherwise says why there is nothing to do."""
    if not is_postgres():
        click.echo(SQLITE_CALLS)
        return False
    if not call_partitions.is_partitioned():
        click.echo("The call table is not partitioned yet: run `flask init-db` first.", err=True)
        raise SystemExit(1)
    return True


def _pruned(step):
    """What the prune did with one month, as the operator reads it."""
    if isinstance(step, call_partitions.Kept):
        claims = "claim" if len(step.references) == 1 else "claims"
        verb = "is" if len(step.references) == 1 else "are"
        return f"Kept {step.month}: {claims} {', '.join(step.references)} {verb} still open."
    disputed = ""
    if step.released == 1:
        disputed = " (1 disputed by a closed claim, which keeps its details and amounts)"
    elif step.released:
        disputed = (f" ({step.released} disputed by closed claims, which keep their details "
                    "and amounts)")
    return f"Dropped {step.month}: {_calls(step.calls)}{disputed}."


def _busy(error):
    click.echo(f"The call table is busy (an import?); nothing changed, try again later. "
               f"({str(error).strip()})", err=True)
    raise SystemExit(1)


@click.command("create-call-partitions")
@click.option("--ahead", type=click.IntRange(1, 24), default=call_partitions.AHEAD,
              show_default=True, help="Make the partitions of this many coming months.")
@with_appcontext
def create_call_partitions_command(ahead):
    """Make the call table's partition of every month of the retention period
    (CALL_RETENTION_MONTHS) and of the coming months, where missing (PostgreSQL)."""
    with database.connection_context():
        if not _partitioned():
            return
        try:
            made = call_partitions.ensure(utcnow(), current_app.config["CALL_RETENTION_MONTHS"],
                                          ahead)
        except OperationalError as error:
            _busy(error)
        if not made:
            click.echo("Every month already has its partition.")
        elif len(made) <= 6:
            click.echo(f"Made the partitions of {', '.join(map(str, made))}.")
        else:
            click.echo(f"Made the partitions of {len(made)} months, {made[0]} to {made[-1]}.")
        click.echo(_holds())


@click.command("prune-calls")
@click.option("--keep-months", type=click.IntRange(0), default=None,
              help="Keep the current month and this many before it "
                   "(default: CALL_RETENTION_MONTHS).")
@with_appcontext
def prune_calls_command(keep_months):
    """Detach and drop the call table's months past the retention period, whole
    (PostgreSQL); a month with a claim still open is kept, and named."""
    config = current_app.config
    keep = config["CALL_RETENTION_MONTHS"] if keep_months is None else keep_months
    if keep < config["CLAIM_WINDOW_MONTHS"]:
        raise click.BadParameter(
            f"{keep} is inside the claim window (CLAIM_WINDOW_MONTHS="
            f"{config['CLAIM_WINDOW_MONTHS']}): citizens can still open and dispute those "
            "months", param_hint="--keep-months")
    with database.connection_context():
        if not _partitioned():
            return
        steps = 0
        try:
            for step in call_partitions.prune(utcnow(), keep):
                steps += 1
                click.echo(_pruned(step))
        except OperationalError as error:
            _busy(error)
        if not steps:
            click.echo(f"Nothing to drop: every month is within the {keep} months kept.")
        click.echo(_holds())


@click.command("prune-access-log")
@click.option("--months", type=click.IntRange(1), default=None,
              help="Keep this many months (default: ACCESS_LOG_RETENTION_MONTHS, 12).")
@with_appcontext
def prune_access_log_command(months):
    """Delete access-log entries older than the retention period; say how many."""
    months = months or current_app.config["ACCESS_LOG_RETENTION_MONTHS"]
    create_tables(current_app.config["CALL_RETENTION_MONTHS"])
    with database.connection_context():
        now = utcnow()
        before, pruned = access_log.cutoff(months, now), access_log.prune(months, now)
    click.echo(f"Pruned {pruned} access-log entries older than {months} months "
               f"(before {before:%Y-%m-%d %H:%M} UTC).")
