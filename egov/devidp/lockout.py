"""What stops guessing at the development providers, as the real ones stop it.

- elektron imza: the card counts wrong PINs in its chip and blocks after three, for good
  (a real card then needs its PUK at the issuer; here `flask devidp-unblock-card FIN`).
  A right PIN resets the count. A try is counted *before* the PIN is checked, in one
  UPDATE that fails at the limit, so simultaneous tries cannot get past it either.
- e-gov identity: wrong passwords are limited per account (and per address). Each
  one-time code allows three tries, and an account gets at most
  EGOV_CODES_PER_ACCOUNT codes (each password accepted sends one), so a known password
  does not buy unlimited tries at the 10⁶ codes.
- ASAN İmza: each request allows three PIN1s (views.asan_phone); new requests are limited
  per person (the mobile number named) and per address, so no one gets through the
  10 000 PIN1s by asking again and again.

Every counter of tries is taken as the card's is: one conditional UPDATE (… SET n = n + 1
WHERE n < limit) before the secret is compared, whose row count decides. Read, add one
and save would let simultaneous guesses all read the same count and all be compared.

The request limits use Flask-Limiter, the portal's own limiter and storage
(RATELIMIT_STORAGE_URI), so they hold across processes as the portal's do. The codes
sent per account are counted in the database (CodesSent), which every process shares
whatever the limiter's storage is.
"""
from datetime import timedelta

import click
import limits
from flask import current_app, request
from flask_limiter.util import get_remote_address
from peewee import fn

from ..db import database
from ..extensions import limiter
from ..timeutil import utcnow
from .models import AuthRequest, CardCounter, CodesSent
from .people import normalise_mobile

PIN_TRIES = 3
SECRET_TRIES = 3  # per e-gov one-time code, and per ASAN İmza request (PIN1)
EGOV_CODES_PER_ACCOUNT = "3 per 15 minutes"
EGOV_PASSWORD_TRIES = "5 per 15 minutes"
EGOV_PASSWORD_TRIES_PER_ADDRESS = "20 per 15 minutes"
ASAN_REQUESTS_PER_PERSON = "5 per 15 minutes"
ASAN_REQUESTS_PER_ADDRESS = "20 per 15 minutes"


class CardBlocked(Exception):
    """The card has had PIN_TRIES wrong PINs in a row."""


def take_pin_try(fin):
    """Counts one PIN try on the card before it is checked; CardBlocked at the limit.

    Returns the tries left after this one, should it be wrong."""
    with database.atomic():
        CardCounter.insert(fin=fin, tries_used=0).on_conflict_ignore().execute()
        taken = CardCounter.update(tries_used=CardCounter.tries_used + 1).where(
            (CardCounter.fin == fin) & (CardCounter.tries_used < PIN_TRIES)).execute()
    if not taken:
        raise CardBlocked(fin)
    return PIN_TRIES - CardCounter.get_by_id(fin).tries_used


def pin_was_right(fin):
    CardCounter.update(tries_used=0).where(CardCounter.fin == fin).execute()


class NoTriesLeft(Exception):
    """The one-time code, or the ASAN İmza request, has had SECRET_TRIES tries."""


def take_secret_try(auth_request, *still):
    """Counts one try at the request's secret before it is compared; NoTriesLeft when
    SECRET_TRIES have been taken, or when the request no longer matches `still` (a new
    code was sent, the phone's request was answered meanwhile): then nothing is compared.

    Returns the tries left after this one, should it be wrong."""
    taken = AuthRequest.update(otp_attempts=AuthRequest.otp_attempts + 1).where(
        (AuthRequest.id == auth_request.id) & (AuthRequest.otp_attempts < SECRET_TRIES),
        *still).execute()
    if not taken:
        raise NoTriesLeft(auth_request.id)
    row = AuthRequest.get_or_none(AuthRequest.id == auth_request.id)  # None: answered already
    return SECRET_TRIES - row.otp_attempts if row else 0


class TooManyCodes(Exception):
    """The account has been sent its EGOV_CODES_PER_ACCOUNT codes in this window."""


def _codes_limit():
    configured = current_app.config.get("DEV_IDP_EGOV_CODES_PER_ACCOUNT")
    item = limits.parse(configured or EGOV_CODES_PER_ACCOUNT)
    return item.amount, timedelta(seconds=item.get_expiry())


def take_code(fin, now=None):
    """Counts one one-time code sent to this account; TooManyCodes at the limit.

    A window starts with the first code and lasts the limit's period; each step is one
    statement whose WHERE decides, so simultaneous sign-ins cannot send more."""
    amount, period = _codes_limit()
    now = now or utcnow()
    with database.atomic():
        CodesSent.insert(account=fin, window_started_at=now, sent=0).on_conflict_ignore(
        ).execute()
        CodesSent.update(window_started_at=now, sent=0).where(
            (CodesSent.account == fin) & (CodesSent.window_started_at <= now - period)).execute()
        taken = CodesSent.update(sent=CodesSent.sent + 1).where(
            (CodesSent.account == fin) & (CodesSent.sent < amount)).execute()
    if not taken:
        raise TooManyCodes(fin)


def is_blocked(fin):
    return CardCounter.select().where((CardCounter.fin == fin)
                                      & (CardCounter.tries_used >= PIN_TRIES)).exists()


def _egov_account():
    return "egov:" + ((request.form.get("username") or "").strip().lower() or "-")


def _asan_person():
    return "asan:" + (normalise_mobile(request.form.get("mobile")) or "-")


def _refused(response):
    return response.status_code == 401


def limit_egov_passwords(view):
    """Only wrong passwords count: a citizen who signs in often is not guessing."""
    per_account = limiter.limit(EGOV_PASSWORD_TRIES, key_func=_egov_account, methods=["POST"],
                                deduct_when=_refused)
    per_address = limiter.limit(EGOV_PASSWORD_TRIES_PER_ADDRESS, key_func=get_remote_address,
                                methods=["POST"], deduct_when=_refused)
    return per_address(per_account(view))


def _configured(name, default):
    """The limit DEV_IDP_<name> sets (a browser suite signs one person in by ASAN İmza many
    times from one address in a quarter of an hour), else the provider's own."""
    return lambda: current_app.config.get(f"DEV_IDP_{name}") or default


def limit_asan_requests(view):
    """Every request counts, sent or refused: each is three more PIN1s, or an ID guessed."""
    per_person = limiter.limit(_configured("ASAN_REQUESTS_PER_PERSON", ASAN_REQUESTS_PER_PERSON),
                               key_func=_asan_person, methods=["POST"])
    per_address = limiter.limit(
        _configured("ASAN_REQUESTS_PER_ADDRESS", ASAN_REQUESTS_PER_ADDRESS),
        key_func=get_remote_address, methods=["POST"])
    return per_address(per_person(view))


@click.command("devidp-unblock-card")
@click.argument("fin")
def unblock_card_command(fin):
    """Unblock a test certificate after three wrong PINs (the PUK of a real card)."""
    with database.connection_context():
        done = CardCounter.update(tries_used=0).where(
            fn.UPPER(CardCounter.fin) == fin.strip().upper()).execute()
    click.echo(f"{fin}: unblocked" if done else f"{fin}: no PIN has been tried on this card")
