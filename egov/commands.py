"""The `flask` commands that prepare and keep a database; the factory registers them."""
import click
from flask import current_app
from flask.cli import with_appcontext

from . import access_log
from .catalogue import CatalogueError, load_catalogue
from .db import database
from .models import create_tables
from .timeutil import utcnow


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the tables (safe to repeat) and load the catalogue."""
    create_tables()
    with database.connection_context():
        try:
            load_catalogue(current_app.config["DATA_DIR"])
        except CatalogueError as error:  # the line and the value, not a traceback
            raise click.ClickException(str(error)) from None
    click.echo("Database ready.")


@click.command("prune-access-log")
@click.option("--months", type=click.IntRange(1), default=None,
              help="Keep this many months (default: ACCESS_LOG_RETENTION_MONTHS, 12).")
@with_appcontext
def prune_access_log_command(months):
    """Delete access-log entries older than the retention period; say how many."""
    months = months or current_app.config["ACCESS_LOG_RETENTION_MONTHS"]
    create_tables()
    with database.connection_context():
        now = utcnow()
        before, pruned = access_log.cutoff(months, now), access_log.prune(months, now)
    click.echo(f"Pruned {pruned} access-log entries older than {months} months "
               f"(before {before:%Y-%m-%d %H:%M} UTC).")
