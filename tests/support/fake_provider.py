"""A tiny but real OpenID provider on loopback that answers whatever a test tells it.

The security tests craft ID tokens themselves (their own keys, algorithms and
claims) and let the portal fetch them from here over HTTP, exactly as it would
from a real provider: discovery, JWKS and token endpoints."""
import json
import time
from functools import lru_cache

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.wrappers import Request, Response

CLIENT_ID = "portal-test"
CLIENT_SECRET = "portal-test-secret"


@lru_cache(maxsize=None)
def _rsa_key(kid):
    """Keys are made once per test run: generating RSA keys is the slow part of these tests."""
    return RSAKey.generate_key(2048, parameters={"kid": kid})


def other_key(kid="key-1"):
    """A key nobody published, under a name the provider does use."""
    forger = _rsa_key(f"forger:{kid}")
    return RSAKey.import_key(forger.as_dict(private=True) | {"kid": kid})


class FakeProvider:
    def __init__(self):
        self.base_url = None  # set once served
        self.key = _rsa_key("key-1")
        self.published = [self.key]
        self.id_token = None  # a string, or a function of the nonce the portal sent
        self.token_error = None
        self.issuer_override = None
        self.requests = []
        self.end_session = False  # advertise an end_session_endpoint (set before discovery)
        # A real provider serves sign-out from wherever it likes, often another host than
        # its sign-in; set before discovery to advertise an end_session_endpoint there.
        self.end_session_url = None
        # A real provider's code belongs to one sign-in: the token given for it, when set.
        self.tokens_by_code = {}
        # A real provider's clock is not ours: its iat/exp are off by this many seconds.
        self.clock_skew = 0
        # A real provider is sometimes slow: seconds it waits before answering, by path.
        self.delays = {}
        # The forms of the token requests received (grant, code, redirect_uri, PKCE verifier).
        self.token_requests = []
        # What discovery says it signs ID tokens with (set before discovery); None: unsaid.
        self.signing_algs = ["RS256", "none", "HS256"]

    @property
    def issuer(self):
        return self.base_url

    def claims(self, expected_nonce, **changes):
        now = int(time.time()) + self.clock_skew
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": "subject-1", "iat": now,
                  "exp": now + 300, "nonce": expected_nonce, "fin": "9NEWC01",
                  "name": "Yeni Vətəndaş"}
        claims.update(changes)
        return {name: value for name, value in claims.items() if value is not None}

    def sign(self, claims, key=None, header=None, alg="RS256"):
        key = key or self.key
        header = header or {"alg": alg, "kid": key.kid}
        return jwt.encode(header, claims, key, algorithms=[header["alg"]])

    def rotate(self):
        self.key = _rsa_key(f"key-{len(self.published) + 1}")
        self.published = [self.key]

    def _json(self, data, status=200):
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.requests.append(request.path)
        time.sleep(self.delays.get(request.path, 0))
        if request.path == "/.well-known/openid-configuration":
            response = self._json({
                **({"end_session_endpoint": self.end_session_url or f"{self.base_url}/logout"}
                   if self.end_session or self.end_session_url else {}),
                "issuer": self.issuer_override or self.issuer,
                "authorization_endpoint": f"{self.base_url}/authorize",
                "token_endpoint": f"{self.base_url}/token",
                "jwks_uri": f"{self.base_url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                # A provider that lists `none` must still not get an unsigned token through.
                **({"id_token_signing_alg_values_supported": self.signing_algs}
                   if self.signing_algs is not None else {}),
            })
        elif request.path == "/jwks":
            response = self._json(KeySet(self.published).as_dict(private=False))
        elif request.path == "/token":
            self.token_requests.append(request.form.to_dict())
            if self.token_error:
                response = self._json({"error": self.token_error}, status=400)
            else:
                id_token = self.tokens_by_code.get(request.form.get("code"), self.id_token)
                response = self._json({"access_token": "access", "token_type": "Bearer",
                                       "expires_in": 300, "id_token": id_token})
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)
