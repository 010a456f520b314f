"""The `flask` commands that prepare a database; the factory registers them with the rest."""
import click
from flask import current_app
from flask.cli import with_appcontext

from .catalogue import load_catalogue
from .db import database
from .models import create_tables


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the tables (safe to repeat) and load the catalogue."""
    create_tables()
    with database.connection_context():
        load_catalogue(current_app.config["DATA_DIR"])
    click.echo("Database ready.")
