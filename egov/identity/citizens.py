"""Citizens' portal accounts: registered by FIN, signed in by password or by a provider,
and their password changed or, after a sign-in with a strong means, renewed."""
from datetime import timedelta

from .. import access_log
from ..db import database
from ..models import Citizen
from ..timeutil import utcnow
from . import sessions
from .passwords import (
    account_with_password,
    hash_password,
    normalise_username,
    verify_password,
)

PASSWORD = "password"  # the means name of «istifadəçi adı və şifrə»

# The sign-in page's how-to promises: a forgotten password is renewed after signing in
# with elektron imza or ASAN İmza (each proves who the citizen is on its own), without
# the old one. Signed in by password or by e-gov identity, the current one is asked.
PASSWORD_RENEWING_MEANS = frozenset({"eimza", "asan"})
# ...and only soon after that sign-in: a session left open on a shared computer must not
# let the next person take the account over for good with a password of their own.
RENEW_WITHIN = timedelta(minutes=15)

# What «Şifrəni dəyiş» offers a citizen (password_change_way).
CHANGE = "change"  # the current password, and the new one twice
RENEW = "renew"  # the new one twice: signed in by a means in PASSWORD_RENEWING_MEANS
NO_USERNAME = "no_username"  # no user name: the account is used with the other means only
STRONG_MEANS_NEEDED = "strong_means_needed"  # no password to check, and no fresh strong sign-in


def register_citizen(fin, full_name, username=None, password=None):
    return Citizen.create(
        fin=fin.upper(),
        full_name=full_name,
        username=normalise_username(username) if username else None,
        password_hash=hash_password(password) if password else None,
    )


def set_credentials(fin, username, password):
    """Let a citizen the line registry created sign in with a user name and password."""
    citizen = Citizen.get(Citizen.fin == fin.upper())
    citizen.username, citizen.password_hash = username, hash_password(password)
    citizen.save()
    return citizen


def authenticate(username, password):
    """The citizen with this user name and password, or None (same time either way)."""
    return account_with_password(Citizen, username, password)


def password_change_way(citizen, login_session, now=None):
    """How this citizen, signed in by `login_session`, may set a new password (CHANGE,
    RENEW…): RENEW within RENEW_WITHIN of a sign-in by a means that renews."""
    if not citizen.username:
        return NO_USERNAME
    if (login_session.means in PASSWORD_RENEWING_MEANS
            and (now or utcnow()) - login_session.created_at <= RENEW_WITHIN):
        return RENEW
    return CHANGE if citizen.password_hash else STRONG_MEANS_NEEDED


def is_current_password(citizen, password):
    return verify_password(Citizen.get_by_id(citizen.id).password_hash, password)


def change_password(citizen, password, keep_token, means):
    """Set the citizen's new password: its Argon2 hash replaces the old one, every session
    but `keep_token`'s ends, and the change goes into their access log (detail: the means
    of the session that made it). How many sessions ended."""
    password_hash = hash_password(password)  # before the transaction: it takes a while
    with database.atomic():
        Citizen.update(password_hash=password_hash).where(Citizen.id == citizen.id).execute()
        ended = sessions.end_sessions_but(citizen, keep_token)
        access_log.citizen_acted(citizen, access_log.PASSWORD_CHANGED, detail=means)
    citizen.password_hash = password_hash
    return ended
