"""Sign-ins sent to a provider and awaited at the callback: each used once, for a few minutes.

The row (state, nonce, PKCE verifier, means, return address, expiry) lives on the
server and is taken by a DELETE whose row count decides: of two callbacks with the
same state, concurrent or replayed with a saved cookie, only one gets it. The browser
that started the sign-in also keeps the state in its cookie, so a callback link made
in another browser (an attacker's own sign-in, sent to a victim) finds nothing either.
"""
from datetime import timedelta

from flask import session

from ..models import PendingSignIn
from ..timeutil import utcnow

# Long enough for ASAN İmza's 2-minute wait and e-gov identity's 5-minute SMS code.
LIFETIME = timedelta(minutes=10)
COOKIE_KEY = "oidc_pending"
KEPT_IN_COOKIE = 5  # sign-ins started in several tabs of one browser


def keep(means, state, nonce, code_verifier, redirect_uri, next_url):
    now = utcnow()
    # Abandoned sign-ins go when a new one starts: the table stays small without a cron.
    PendingSignIn.delete().where(PendingSignIn.expires_at <= now).execute()
    PendingSignIn.create(state=state, means=means, nonce=nonce, code_verifier=code_verifier,
                         redirect_uri=redirect_uri, next_url=next_url,
                         expires_at=now + LIFETIME)
    session[COOKIE_KEY] = [*session.get(COOKIE_KEY, [])[-(KEPT_IN_COOKIE - 1):], state]


def take(means, state):
    """The pending sign-in of this state for this means, removed; None if there is none."""
    if not isinstance(state, str) or state not in session.get(COOKIE_KEY, []):
        return None
    session[COOKIE_KEY] = [kept for kept in session[COOKIE_KEY] if kept != state]
    pending = PendingSignIn.get_or_none(PendingSignIn.state == state)
    if pending is None or pending.means != means:
        return None
    taken = PendingSignIn.delete().where(
        (PendingSignIn.state == state) & (PendingSignIn.means == means)
        & (PendingSignIn.expires_at > utcnow())).execute()
    return pending if taken == 1 else None
