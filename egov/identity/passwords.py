"""Password hashing (Argon2id), the same for citizens and the operator's staff."""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so both cases cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password):
    return _hasher.hash(password)


def normalise_username(username):
    return (username or "").strip().lower()


def verify_password(stored, password):
    """Whether `password` matches the hash `stored`; a missing hash costs as much as a wrong one."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password or "") and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def account_with_password(model, username, password):
    """The account of `model` (Citizen, StaffMember) with this user name and password, or None.

    An unknown name and a wrong password take the same time. A hash made with older
    parameters is replaced on the way, while the password is at hand."""
    account = model.get_or_none(model.username == normalise_username(username))
    stored = account.password_hash if account is not None else None
    if not verify_password(stored, password):
        return None
    if _hasher.check_needs_rehash(stored):
        account.password_hash = hash_password(password)
        account.save(only=[model.password_hash])
    return account
