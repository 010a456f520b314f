"""Citizens' accounts and signed-in sessions.

The session cookie carries only the random token of a LoginSession row. Signing
out deletes the row, so a copy of the old cookie signs nobody in, on any of the
app's processes.
"""
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import LoginManager, UserMixin

from .models import Citizen, LoginSession
from .timeutil import utcnow

PASSWORD = "password"
_hasher = PasswordHasher()
# Verified against when the user name is unknown, so both cases cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

login_manager = LoginManager()


class SignedIn(UserMixin):
    """The Flask-Login user: a citizen seen through one login session."""

    def __init__(self, login_session):
        self.login_session = login_session
        self.citizen = login_session.citizen

    def get_id(self):
        return self.login_session.token

    @property
    def full_name(self):
        return self.citizen.full_name


def hash_password(password):
    return _hasher.hash(password)


def authenticate(username, password):
    """The citizen with this user name and password, or None."""
    citizen = Citizen.get_or_none(Citizen.username == (username or "").strip().lower())
    stored = citizen.password_hash if citizen and citizen.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if citizen is None or stored is _DUMMY_HASH:
        return None
    if _hasher.check_needs_rehash(stored):
        citizen.password_hash = hash_password(password)
        citizen.save()
    return citizen


def open_session(citizen, means):
    now = utcnow()
    login_session = LoginSession.create(
        token=secrets.token_urlsafe(32),
        citizen=citizen,
        means=means,
        created_at=now,
        last_seen_at=now,
    )
    return SignedIn(login_session)


def close_session(token):
    LoginSession.delete().where(LoginSession.token == token).execute()


def find_session(token, idle_minutes):
    """The live session with this token; an idle one is closed and not returned."""
    login_session = (
        LoginSession.select(LoginSession, Citizen)
        .join(Citizen)
        .where(LoginSession.token == token)
        .first()
    )
    if login_session is None:
        return None
    now = utcnow()
    if now - login_session.last_seen_at > timedelta(minutes=idle_minutes):
        close_session(token)
        return None
    # Writing on every request would make each page view a write; once a minute is enough.
    if now - login_session.last_seen_at > timedelta(minutes=1):
        login_session.last_seen_at = now
        login_session.save(only=[LoginSession.last_seen_at])
    return SignedIn(login_session)


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # the server-side session is the protection

    @login_manager.user_loader
    def _load(token):
        return find_session(token, app.config["SESSION_IDLE_MINUTES"])


def verify_password(stored, password):
    """Whether `password` matches the Argon2 hash `stored`; None costs as much as a wrong one.

    For other kinds of accounts (the operator's staff) that keep their own hashes."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password or "") and stored is not None
    except (VerificationError, InvalidHashError):
        return False
