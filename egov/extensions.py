"""Flask extensions, created unbound here and bound in create_app."""
from flask import g, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Storage comes from RATELIMIT_STORAGE_URI: memory for one process, Redis for several.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def _username_key():
    return (request.form.get("username") or "").strip().lower() or "-"


def _refused(response):
    return response.status_code in (400, 401) or g.get("sign_in_refused", False)


def limit_sign_in_attempts(view):
    """Failed sign-ins are limited per address and per user name.

    Only failures count: on a shared kiosk citizens sign in one after another, and
    they are not guessing passwords.
    """
    per_name = limiter.limit("5 per minute", key_func=_username_key, methods=["POST"],
                             deduct_when=_refused)
    per_address = limiter.limit("10 per minute", methods=["POST"], deduct_when=_refused)
    limited = per_address(per_name(view))
    # Its form refuses a NUL itself, as a failed attempt (egov.security._refuse_nul).
    limited.refuses_nul_itself = True
    return limited
