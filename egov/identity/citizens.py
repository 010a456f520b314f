"""Citizens' portal accounts: registered by FIN, signed in by password or by a provider."""
from ..models import Citizen
from .passwords import account_with_password, hash_password, normalise_username

PASSWORD = "password"  # the means name of «istifadəçi adı və şifrə»


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
