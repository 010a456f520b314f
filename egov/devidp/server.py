"""The three development providers on Authlib's server side: one AuthorizationServer
per means, each its own issuer, with the authorization-code grant, PKCE (S256
only), OpenID Connect ID tokens signed RS256, userinfo and RP-initiated logout."""
import hashlib
import hmac
import json
import time
from urllib.parse import urlsplit

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo, UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import current_app

from . import keys, people
from .models import AccessToken, AuthCode

MEANS = ("asan", "eimza", "egov")
CLIENT_ID = "egov-portal"
SCOPES = ("openid", "profile")
AMR = {"asan": "mca", "eimza": "hwk", "egov": "pwd otp"}  # RFC 8176 method references
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def issuer_url(config, means):
    return f"{config['DEV_IDP_URL']}/devidp/{means}"


def client_secret(config):
    """Both ends live in one app in development: the secret is derived, not configured."""
    return hmac.new(config["SECRET_KEY"].encode(), b"devidp-client-secret",
                    hashlib.sha256).hexdigest()


def return_hosts(dev_idp_url):
    """The hosts the portal may be sent back to: loopback (any port), and this provider's."""
    return LOOPBACK_HOSTS | {urlsplit(dev_idp_url).hostname}


def subject(person, means):
    """A stable, opaque subject per provider; the portal identifies citizens by FIN."""
    return hashlib.sha256(f"{means}:{person.fin}".encode()).hexdigest()[:32]


class PortalClient(ClientMixin):
    """The portal, as registered at one development provider."""

    def __init__(self, means, secret, dev_idp_url):
        self.means = means
        self.client_id = CLIENT_ID
        self._secret = secret
        self._hosts = return_hosts(dev_idp_url)

    @property
    def client_metadata(self):
        return {}

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def _is_ours(self, uri, path):
        parts = urlsplit(uri or "")
        return (parts.scheme in ("http", "https") and parts.hostname in self._hosts
                and parts.path == path and not parts.fragment)

    def check_redirect_uri(self, redirect_uri):
        return self._is_ours(redirect_uri, f"/auth/oidc/{self.means}/callback") \
            and not urlsplit(redirect_uri).query

    def check_post_logout_redirect_uri(self, uri):
        return self._is_ours(uri, "/")

    def check_client_secret(self, secret):
        return hmac.compare_digest((secret or "").encode(), self._secret.encode())

    def check_endpoint_auth_method(self, method, endpoint):
        return endpoint != "token" or method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class StoredRequest(OAuth2Request):
    """An authorization request saved while the citizen proved who they are, replayed."""

    def __init__(self, uri, params):
        super().__init__("GET", uri)
        self.payload = BasicOAuth2Payload(params)
        self._params = params

    @property
    def args(self):
        return self._params


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        AuthCode.create(
            code=code, means=self.server.means, client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri, scope=request.payload.scope or "",
            nonce=data.get("nonce"), code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"), fin=request.user.fin,
            amr=AMR[self.server.means], auth_time=int(time.time()))

    def query_authorization_code(self, code, client):
        found = AuthCode.get_or_none(code=code, means=self.server.means,
                                     client_id=client.client_id)
        return None if found is None or found.is_expired() else found

    def delete_authorization_code(self, authorization_code):
        # Used once: a second exchange of the same code finds nothing (invalid_grant).
        authorization_code.delete_instance()

    def authenticate_user(self, authorization_code):
        return people.by_fin(authorization_code.fin)


class S256Only(CodeChallenge):
    """PKCE for every client, confidential ones too, and only with S256."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required")
        super().validate_code_challenge(grant, redirect_uri)


class IdTokens(OpenIDCode):
    def __init__(self, provider):
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce, request):
        return AuthCode.select().where((AuthCode.nonce == nonce)
                                       & (AuthCode.means == self.provider.means)).exists()

    def resolve_client_private_key(self, client):
        return self.provider.signing_key()

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": self.provider.signing_key().kid}

    def get_client_claims(self, client):
        return {"iss": self.provider.issuer, "aud": [client.get_client_id()]}

    def generate_user_info(self, user, scope):
        return self.provider.user_info(user)


class TokenValidator(BearerTokenValidator):
    def __init__(self, provider):
        super().__init__()
        self.provider = provider

    def authenticate_token(self, token_string):
        return AccessToken.get_or_none(access_token=token_string, means=self.provider.means)


class DevUserInfo(UserInfoEndpoint):
    def get_issuer(self):
        return self.server.issuer

    def generate_user_info(self, user, scope):
        return self.server.user_info(user)

    def resolve_private_key(self):
        return self.server.signing_key()


class DevEndSession(EndSessionEndpoint):
    def get_server_jwks(self):
        return self.server.published_keys()

    def get_algorithms(self):
        return ["RS256"]

    def _is_valid_post_logout_redirect_uri(self, client, post_logout_redirect_uri):
        return client.check_post_logout_redirect_uri(post_logout_redirect_uri)

    def end_session(self, end_session_request):
        # The provider's session is the tokens it issued: they stop working.
        claims = end_session_request.id_token_claims or {}
        person = people.by_fin(claims.get(current_app.config["OIDC_FIN_CLAIM"]))
        if person is not None:
            AccessToken.update(revoked=True).where(
                (AccessToken.fin == person.fin) & (AccessToken.means == self.server.means)
            ).execute()


class DevProvider(AuthorizationServer):
    """One development identity provider (one means, one issuer)."""

    def __init__(self, app, means):
        super().__init__()
        self.means = means
        self.issuer = issuer_url(app.config, means)
        self.keys_dir = app.config["DEV_IDP_KEYS_DIR"]
        self.fin_claim = app.config["OIDC_FIN_CLAIM"]
        self.client = PortalClient(means, client_secret(app.config), app.config["DEV_IDP_URL"])
        self.init_app(app, query_client=self._find_client, save_token=self._store_token)
        self.register_grant(CodeGrant, [S256Only(required=True), IdTokens(self)])
        protector = ResourceProtector()
        protector.register_token_validator(TokenValidator(self))
        self.register_endpoint(DevUserInfo(self, resource_protector=protector))
        self.register_endpoint(DevEndSession(self))

    def _find_client(self, client_id):
        return self.client if client_id == CLIENT_ID else None

    def _store_token(self, token, request):
        AccessToken.create(
            access_token=token["access_token"], means=self.means, client_id=CLIENT_ID,
            fin=request.user.fin, scope=token.get("scope", ""), issued_at=int(time.time()),
            expires_in=token.get("expires_in", 3600))

    def create_oauth2_request(self, request):
        if isinstance(request, OAuth2Request):
            return request
        return super().create_oauth2_request(request)

    def signing_key(self):
        return keys.current_key(self.keys_dir, self.means)

    def published_keys(self):
        return keys.published_keys(self.keys_dir, self.means)

    def user_info(self, person):
        return UserInfo(sub=subject(person, self.means), name=person.full_name,
                        **{self.fin_claim: person.fin})

    def endpoint(self, name):
        return f"{self.issuer}/{name}"

    def metadata(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.endpoint("authorize"),
            "token_endpoint": self.endpoint("token"),
            "userinfo_endpoint": self.endpoint("userinfo"),
            "jwks_uri": self.endpoint("jwks"),
            "end_session_endpoint": self.endpoint("logout"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": list(SCOPES),
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "name", self.fin_claim, "nonce", "auth_time", "amr"],
        }

    def consent_grant(self):
        """Validate the authorization request of the current HTTP request."""
        return self.get_consent_grant(end_user=None)

    def authorize(self, params, person):
        """The redirect back to the portal for a stored request: a code, or access_denied."""
        request = StoredRequest(self.endpoint("authorize"), params)
        grant = self.get_authorization_grant(request)
        return self.create_authorization_response(request, grant_user=person, grant=grant)


def init_app(app):
    app.extensions["devidp"] = {means: DevProvider(app, means) for means in MEANS}


def provider(means):
    return current_app.extensions["devidp"][means]


def params_json(request_args):
    return json.dumps(request_args.to_dict(flat=True))
