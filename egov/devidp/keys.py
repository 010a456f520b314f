"""The providers' ID-token signing keys: RSA, generated on first run into the
instance folder (never committed), one per provider, rotatable.

After a rotation the previous key is still published, so tokens signed just
before it still verify; new tokens carry the new key's id."""
import os
from pathlib import Path

from joserfc.jwk import KeySet, RSAKey

KEY_BITS = 2048


def _path(keys_dir, means, which):
    return Path(keys_dir) / f"{means}-signing-{which}.pem"


def _write_private(path, pem):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(pem)
    temporary.replace(path)  # atomic: a concurrent reader sees the old key or the new one


def _load(path):
    key = RSAKey.import_key(path.read_bytes())
    return RSAKey.import_key(path.read_bytes(), {"kid": key.thumbprint(), "use": "sig",
                                                 "alg": "RS256"})


def ensure(keys_dir, means):
    path = _path(keys_dir, means, "current")
    if not path.exists():
        _write_private(path, RSAKey.generate_key(KEY_BITS).as_pem(private=True))


def current_key(keys_dir, means):
    return _load(_path(keys_dir, means, "current"))


def published_keys(keys_dir, means):
    """The public keys of the JWKS: the current key, and the previous one after a rotation."""
    paths = [_path(keys_dir, means, which) for which in ("current", "previous")]
    return KeySet([_load(path) for path in paths if path.exists()])


def rotate(keys_dir, means):
    """A new current key; the old one stays published as the previous key."""
    current = _path(keys_dir, means, "current")
    _write_private(_path(keys_dir, means, "previous"), current.read_bytes())
    _write_private(current, RSAKey.generate_key(KEY_BITS).as_pem(private=True))
