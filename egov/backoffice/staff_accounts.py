"""Accounts of the operator's staff, who answer claims; they are not citizens.

Their sessions are kept by egov.identity.sessions (kind STAFF), apart from
citizens' sessions, so a staff session opens no citizen page and a citizen's
session opens no staff page.
"""
import click
from flask.cli import with_appcontext

from ..db import database
from ..identity.passwords import account_with_password, hash_password, normalise_username
from ..models import StaffMember


def create_staff(username, full_name, password):
    return StaffMember.create(username=normalise_username(username), full_name=full_name,
                              password_hash=hash_password(password))


def authenticate(username, password):
    """The staff member with this user name and password, or None (same time either way)."""
    return account_with_password(StaffMember, username, password)


@click.command("create-staff")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name shown to colleagues")
@click.password_option(help="Asked for when not given")
@with_appcontext
def create_staff_command(username, full_name, password):
    """Create an account for an employee of the operator who answers claims."""
    with database.connection_context():
        create_staff(username, full_name, password)
    click.echo(f"Staff account {username} created.")
