"""Server-side sessions, for citizens and the operator's staff alike.

The cookie carries only the random token of a session row (LoginSession for a
citizen, StaffSession for staff; kept apart so that neither opens the other's
pages). Ending a session deletes the row, so a copy of the cookie signs nobody
in, on any of the app's processes. A session ends when idle for
SESSION_IDLE_MINUTES and, however active, SESSION_MAX_HOURS after sign-in.

Signing a browser in ends whatever session it held before, of either kind, and
starts the cookie afresh: nothing planted in it earlier carries over.
"""
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, session
from flask_login import UserMixin, login_user, logout_user

from ..models import LoginSession, StaffSession
from ..timeutil import utcnow


@dataclass(frozen=True)
class Kind:
    """One kind of signed-in user: its session table, the owner column, the cookie key."""

    model: type
    owner: object  # the foreign key field naming the person
    cookie_key: str


# Flask-Login keeps the citizen's token under "_user_id"; staff have a key of their own.
CITIZEN = Kind(LoginSession, LoginSession.citizen, "_user_id")
STAFF = Kind(StaffSession, StaffSession.staff, "staff_token")
KINDS = (CITIZEN, STAFF)


@dataclass(frozen=True)
class Limits:
    idle: timedelta
    absolute: timedelta

    @property
    def touch_after(self):
        """How stale last_seen_at may grow before a request writes it again.

        Writing on every request would make each page view a write; a quarter of
        the idle limit keeps an active session alive whatever the limit is."""
        return self.idle / 4

    @classmethod
    def from_config(cls, config):
        return cls(idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
                   absolute=timedelta(hours=config["SESSION_MAX_HOURS"]))


class SignedIn(UserMixin):
    """The Flask-Login user: a citizen seen through one session."""

    def __init__(self, login_session):
        self.login_session = login_session
        self.citizen = login_session.citizen

    def get_id(self):
        return self.login_session.token

    @property
    def full_name(self):
        return self.citizen.full_name


def open_session(kind, owner, **fields):
    now = utcnow()
    return kind.model.create(token=secrets.token_urlsafe(32), created_at=now, last_seen_at=now,
                             **{kind.owner.name: owner}, **fields)


def end_session(kind, token):
    kind.model.delete().where(kind.model.token == token).execute()


def end_other_sessions(kind, owner, keep_token=None):
    """End every session of `owner` but the one with `keep_token`; how many ended."""
    query = kind.model.delete().where(kind.owner == owner)
    if keep_token is not None:
        query = query.where(kind.model.token != keep_token)
    return query.execute()


def find_session(kind, token, limits, now=None):
    """The live session with this token, its owner joined; an expired one ends and is None."""
    owner_model = kind.owner.rel_model
    row = (kind.model.select(kind.model, owner_model).join(owner_model)
           .where(kind.model.token == token).first())
    if row is None:
        return None
    now = now or utcnow()
    if now - row.last_seen_at > limits.idle or now - row.created_at > limits.absolute:
        end_session(kind, token)
        return None
    if now - row.last_seen_at > limits.touch_after:
        row.last_seen_at = now
        row.save(only=[kind.model.last_seen_at])
    return row


def sign_in(kind, owner, **fields):
    """Sign this browser in as `owner`; the session it held before ends on the server."""
    end_browser_sessions()
    row = open_session(kind, owner, **fields)
    if kind is CITIZEN:
        login_user(SignedIn(row))
    else:
        session[kind.cookie_key] = row.token
        g.staff = row.staff
    return row


def end_browser_sessions():
    """Sign this browser out: its sessions of either kind end, and the cookie is emptied."""
    for kind in KINDS:
        token = session.get(kind.cookie_key)
        if token:
            end_session(kind, token)
    logout_user()
    session.clear()
    g.staff = None


def current_staff():
    """The staff member signed in in this browser, or None (loaded once per request)."""
    if "staff" not in g:
        token = session.get(STAFF.cookie_key)
        row = token and find_session(STAFF, token, Limits.from_config(current_app.config))
        if token and row is None:
            session.pop(STAFF.cookie_key, None)
        g.staff = row.staff if row else None
    return g.staff


def load_citizen(token):
    """Flask-Login's user loader: the citizen's live session, or None."""
    row = find_session(CITIZEN, token, Limits.from_config(current_app.config))
    return SignedIn(row) if row else None

