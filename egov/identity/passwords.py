"""Password hashing (Argon2id), the same for citizens and the operator's staff."""
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError


class _Hashing:
    """A hasher and the hash verified against when the user name is unknown, made with the
    same parameters, so that an unknown name and a wrong password cost the same time."""

    def __init__(self, parameters):
        self.hasher = PasswordHasher.from_parameters(parameters)
        self.dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))


# RFC 9106's second recommendation (64 MiB, three passes, four lanes; argon2-cffi's default).
_PRODUCTION = _Hashing(profiles.RFC_9106_LOW_MEMORY)
# argon2's cheapest parameters: the same code for the test suite, where each hash of the
# production parameters (0.12 s here) made every test that signs someone in wait for it.
_FOR_TESTS = _Hashing(profiles.CHEAPEST)
_hashing = _PRODUCTION


def init_app(app):
    """A TESTING app with FAST_PASSWORD_HASHING uses the cheapest parameters; every other
    app, whatever its configuration says, the production ones."""
    global _hashing
    fast = app.testing and app.config.get("FAST_PASSWORD_HASHING", False)
    _hashing = _FOR_TESTS if fast else _PRODUCTION


def hash_password(password):
    return _hashing.hasher.hash(password)


def normalise_username(username):
    return (username or "").strip().lower()


def verify_password(stored, password):
    """Whether `password` matches the hash `stored`; a missing hash costs as much as a wrong one."""
    try:
        return (_hashing.hasher.verify(stored or _hashing.dummy_hash, password or "")
                and stored is not None)
    except (VerificationError, InvalidHashError):
        return False


def account_with_password(model, username, password):
    """The account of `model` (Citizen, StaffMember) with this user name and password, or None.

    An unknown name and a wrong password take the same time. A hash made with other
    parameters is replaced on the way, while the password is at hand."""
    account = model.get_or_none(model.username == normalise_username(username))
    stored = account.password_hash if account is not None else None
    if not verify_password(stored, password):
        return None
    if _hashing.hasher.check_needs_rehash(stored):
        account.password_hash = hash_password(password)
        account.save(only=[model.password_hash])
    return account
