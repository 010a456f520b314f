"""Signing in over OpenID Connect: the portal as relying party of the ASAN İmza,
elektron imza and e-gov identity providers.

Authlib runs the authorization-code flow (PKCE S256, state, nonce) and the
token request; the ID token is then checked here, in full and on our terms:
signature against the provider's published keys (fetched again when a token
names a key we have not seen, so a rotated key is picked up), an allowed
algorithm (never `none`), issuer, audience, expiry, issue time and our nonce.
The citizen is known by the FIN claim only. Nothing is written until every
check has passed, and then the account, the login session and the ID token
(kept for signing out at the provider) are written together.
"""
import time

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from peewee import IntegrityError

from ..config import OIDC_MEANS
from ..db import database
from ..models import Citizen, ProviderSignIn
from ..public_url import external_url, origin
from . import pending_sign_ins, sessions
from .citizens import register_citizen

# Asymmetric algorithms only: `none` and shared-secret HMAC are never accepted.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                      "ES256", "ES384", "ES512", "EdDSA")
CLOCK_LEEWAY_SECONDS = 60
# Every means connected here proves who the citizen is (a qualified certificate, a SIM
# signature, or a verified identity with a second factor), so it may open an account.
ACCOUNT_OPENING_MEANS = frozenset(OIDC_MEANS)
FIN_LENGTH = 7


class SignInRefused(Exception):
    """The sign-in stopped; `reason` names the message the citizen reads."""

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


MESSAGES = {
    "state": _l("Bu giriş sorğusunu tanımadıq: onun vaxtı keçib, o artıq istifadə olunub və ya "
                "başqa pəncərədə başlanıb. Yenidən daxil olun."),
    "denied": _l("Giriş təsdiqlənmədi: ondan imtina edildi və ya təsdiq üçün vaxt bitdi."),
    "provider": _l("Giriş vasitəsinin xidməti hazırda cavab vermir. Bir az sonra yenidən cəhd "
                   "edin."),
    "token": _l("Giriş vasitəsindən gələn təsdiq yoxlamadan keçmədi, ona görə giriş "
                "dayandırıldı."),
    "identity": _l("Giriş vasitəsi FİN kodunuzu təqdim etmədi, ona görə sizi tanıya bilmədik."),
}


def _settings(config, means):
    prefix = f"OIDC_{means.upper()}_"
    issuer = config.get(prefix + "ISSUER")
    if not issuer:
        return None
    return issuer.rstrip("/"), config[prefix + "CLIENT_ID"], config[prefix + "CLIENT_SECRET"]


# How long the portal waits for a provider's answer (discovery, token, keys; per read of
# the connection) before the citizen is told it is not answering and to try again.
PROVIDER_TIMEOUT_SECONDS = 10


def init_app(app):
    # One registry per app: tests build apps that point at different providers.
    oauth = OAuth(app)
    for means in OIDC_MEANS:
        settings = _settings(app.config, means)
        if settings is None:
            continue
        issuer, client_id, client_secret = settings
        oauth.register(
            name=means,
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid profile", "code_challenge_method": "S256",
                           "default_timeout": PROVIDER_TIMEOUT_SECONDS},
        )
    app.extensions["egov_oidc"] = oauth


def _client(means):
    if means not in OIDC_MEANS:
        return None
    return current_app.extensions["egov_oidc"].create_client(means)


def available_means():
    """The means whose provider is configured (the others are shown as unavailable)."""
    return {means for means in OIDC_MEANS if _client(means) is not None}


def is_available(means):
    return _client(means) is not None


def _metadata(client, means):
    """The provider's discovery document, which must name the issuer we were configured with."""
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise SignInRefused("provider", f"discovery: {error}") from error
    issuer, _, _ = _settings(current_app.config, means)
    if str(metadata.get("issuer", "")).rstrip("/") != issuer:
        # A document naming another issuer could make us accept that issuer's tokens.
        raise SignInRefused("provider", f"discovery names issuer {metadata.get('issuer')!r}")
    return metadata


DISCOVERY_RETRY_SECONDS = 30


def _discovered(client, means):
    """The provider's discovery document if it can be had now; None while it cannot.

    Asked from every page's headers: an unreachable provider is asked again only after
    a pause, so it does not hold up pages that have nothing to do with it."""
    failed_at = client.server_metadata.get("_egov_failed_at")
    if "_loaded_at" not in client.server_metadata and failed_at is not None \
            and time.monotonic() - failed_at < DISCOVERY_RETRY_SECONDS:
        return None
    try:
        return _metadata(client, means)
    except SignInRefused:
        client.server_metadata["_egov_failed_at"] = time.monotonic()
        return None


def form_action_origins():
    """The origins a form of ours may end up at: the providers' authorization endpoints
    (the no-JavaScript "Daxil ol" posts, then is redirected there) and end-session
    endpoints (so is "Çıxış"). Taken from discovery; nothing else."""
    origins = set()
    for means in sorted(available_means()):
        metadata = _discovered(_client(means), means) or {}
        for endpoint in ("authorization_endpoint", "end_session_endpoint"):
            if isinstance(metadata.get(endpoint), str) and "://" in metadata[endpoint]:
                origins.add(origin(metadata[endpoint]))
    return sorted(origins)


def begin(means, next_url=None):
    """The provider's authorization URL; state, nonce and PKCE verifier kept for the callback."""
    client = _client(means)
    _metadata(client, means)
    redirect_uri = external_url("auth.oidc_callback", means=means)
    # The provider's pages open in the language the citizen is reading (OIDC ui_locales).
    authorization = client.create_authorization_url(redirect_uri, ui_locales=str(get_locale()))
    pending_sign_ins.keep(means, authorization["state"], authorization["nonce"],
                          authorization["code_verifier"], redirect_uri, next_url)
    return authorization["url"]


def verify_id_token(client, metadata, id_token, nonce):
    """The ID token's claims, if every check passes; SignInRefused('token') otherwise."""
    advertised = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in advertised if alg in SIGNING_ALGORITHMS]
    if not algorithms:
        # joserfc reads an empty list as "its own defaults" (RS256 among them): a provider
        # that names only algorithms we refuse gets nothing accepted, not those.
        raise SignInRefused("token", f"no algorithm we accept among {advertised!r}")

    def decode(refresh):
        keys = KeySet.import_key_set(client.fetch_jwk_set(force=refresh))
        return jwt.decode(id_token, keys, algorithms=algorithms)

    try:
        try:
            token = decode(refresh=False)
        except InvalidKeyIdError:
            # The provider may have rotated its key since we last fetched them.
            token = decode(refresh=True)
        jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY_SECONDS,
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": client.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError, TypeError) as error:
        raise SignInRefused("token", f"{type(error).__name__}: {error}") from error
    except requests.RequestException as error:
        raise SignInRefused("provider", f"keys: {error}") from error
    audience = token.claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 \
            and token.claims.get("azp") != client.client_id:
        raise SignInRefused("token", "several audiences and we are not the authorized party")
    return token.claims


def _fin_of(claims):
    fin = claims.get(current_app.config["OIDC_FIN_CLAIM"])
    if not isinstance(fin, str):
        return None
    fin = fin.strip()
    # ASCII before upper(): Unicode case mapping folds «ſ» to S and «ı» to I, which
    # would open the account of another FIN; isalnum() alone accepts «５» or «Ə».
    if not (fin.isascii() and fin.isalnum()):
        return None
    fin = fin.upper()
    return fin if len(fin) == FIN_LENGTH else None


def _full_name(claims):
    name = claims.get("name") or " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name")) if part)
    return name.strip() if isinstance(name, str) else ""


def _citizen_for(fin, claims, means):
    """The portal account of this FIN; a strong means opens it on first sign-in."""
    citizen = Citizen.get_or_none(Citizen.fin == fin)
    if citizen is not None:
        return citizen
    name = _full_name(claims)
    if means not in ACCOUNT_OPENING_MEANS or not name:
        raise SignInRefused("identity", "no account, and no verified name to open one")
    try:
        with database.atomic():
            return register_citizen(fin, name)
    except IntegrityError:
        # The same citizen signing in twice at once: the other request opened it.
        return Citizen.get(Citizen.fin == fin)


def finish(means, args):
    """Check the provider's answer to our callback and sign the citizen in.

    Returns where to go next; raises SignInRefused with nothing written when any
    check fails."""
    client = _client(means)
    pending = pending_sign_ins.take(means, args.get("state"))
    if pending is None:
        raise SignInRefused("state", "unknown, used or another provider's state")
    issuer, _, _ = _settings(current_app.config, means)
    if args.get("iss") is not None and args["iss"].rstrip("/") != issuer:
        # RFC 9207: an answer from another provider than the one we asked (a mix-up).
        raise SignInRefused("token", f"callback from issuer {args['iss']!r}")
    error = args.get("error")
    if error:
        raise SignInRefused("denied" if error == "access_denied" else "provider", error)
    if not args.get("code"):
        raise SignInRefused("provider", "no code")
    metadata = _metadata(client, means)
    try:
        token = client.fetch_access_token(
            redirect_uri=pending.redirect_uri, code=args["code"],
            code_verifier=pending.code_verifier)
    except OAuthError as error:
        raise SignInRefused("token", f"token endpoint: {error}") from error
    except (requests.RequestException, ValueError) as error:
        raise SignInRefused("provider", f"token endpoint: {error}") from error
    id_token = token.get("id_token")
    if not id_token:
        raise SignInRefused("token", "no id_token")
    claims = verify_id_token(client, metadata, id_token, pending.nonce)
    fin = _fin_of(claims)
    if fin is None:
        raise SignInRefused("identity", "no FIN claim")
    with database.atomic():
        citizen = _citizen_for(fin, claims, means)
        login_session = sessions.sign_in(sessions.CITIZEN, citizen, means=means)
        ProviderSignIn.create(login_session=login_session, provider=means, id_token=id_token)
    return pending.next_url


def end_session_url(login_session_token, post_logout_redirect_uri):
    """Where to send the browser so the provider ends its session too, or None.

    Read before the portal's session row is deleted: the ID token lives with it."""
    signed_in = ProviderSignIn.get_or_none(ProviderSignIn.login_session == login_session_token)
    client = _client(signed_in.provider) if signed_in else None
    if client is None:
        return None
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError):
        return None  # the portal's own session ends regardless
    if not metadata.get("end_session_endpoint"):
        return None
    return client.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=signed_in.id_token,
        client_id=client.client_id,
    )["url"]
