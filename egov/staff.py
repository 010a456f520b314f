"""The operator's staff: their accounts and their own signed-in sessions.

Staff are not citizens. Their session token lives under its own key of the
cookie and names a StaffSession row, never a LoginSession one, so a staff
session opens no citizen page and a citizen's session opens no staff page.
Signing in as either clears the cookie, so one browser is never both at once.
"""
import secrets
from datetime import timedelta
from functools import wraps

import click
from flask import g, redirect, request, session, url_for
from flask_login import user_logged_in

from .accounts import hash_password, verify_password
from .db import database
from .models import StaffMember, StaffSession
from .timeutil import utcnow

SESSION_KEY = "staff_token"


def create_staff(username, full_name, password):
    return StaffMember.create(username=username.strip().lower(), full_name=full_name,
                              password_hash=hash_password(password))


def authenticate(username, password):
    """The staff member with this user name and password, or None (same time either way)."""
    member = StaffMember.get_or_none(StaffMember.username == (username or "").strip().lower())
    if not verify_password(member.password_hash if member else None, password):
        return None
    return member


def sign_in(member):
    sign_out()  # a session left open in this browser ends on the server too
    now = utcnow()
    row = StaffSession.create(token=secrets.token_urlsafe(32), staff=member,
                              created_at=now, last_seen_at=now)
    session[SESSION_KEY] = row.token


def sign_out():
    token = session.pop(SESSION_KEY, None)
    if token:
        StaffSession.delete().where(StaffSession.token == token).execute()
    session.clear()


def current_staff(idle_minutes):
    """The signed-in staff member of this request, or None; idle sessions end."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    row = (StaffSession.select(StaffSession, StaffMember).join(StaffMember)
           .where(StaffSession.token == token).first())
    now = utcnow()
    if row is None or now - row.last_seen_at > timedelta(minutes=idle_minutes):
        StaffSession.delete().where(StaffSession.token == token).execute()
        session.pop(SESSION_KEY, None)
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
        row.save(only=[StaffSession.last_seen_at])
    return row.staff


def staff_required(view):
    """A staff page: without a staff session, the staff sign-in page (a citizen's won't do)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("staff") is None:
            return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper


def init_app(app):
    @app.before_request
    def _load_staff():
        g.staff_token = session.get(SESSION_KEY)
        g.staff = current_staff(app.config["SESSION_IDLE_MINUTES"])

    @user_logged_in.connect_via(app)
    def _citizen_signed_in(sender, user, **extra):
        # The citizen's sign-in cleared the cookie; the staff session row goes as well.
        if g.get("staff_token"):
            StaffSession.delete().where(StaffSession.token == g.staff_token).execute()

    @app.context_processor
    def _staff_in_templates():
        return {"current_staff": g.get("staff")}

    @app.cli.command("create-staff")
    @click.argument("username")
    @click.option("--name", "full_name", required=True, help="Full name shown to colleagues")
    @click.password_option(help="Asked for when not given")
    def create_staff_command(username, full_name, password):
        """Create an account for an employee of the operator who answers claims."""
        with database.connection_context():
            create_staff(username, full_name, password)
        click.echo(f"Staff account {username} created.")
