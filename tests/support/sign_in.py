"""Signing in through an OpenID provider in tests: a fake provider served on loopback,
the portal's settings for it, and the two steps a citizen takes (start, callback)."""
from urllib.parse import parse_qs, urlsplit

from .fake_provider import CLIENT_ID, CLIENT_SECRET, FakeProvider
from .live import serving
from .pages import csrf_token

NEW_FIN = "9NEWC01"


def served_provider():
    """A FakeProvider on a free loopback port (the body of the `provider` fixtures)."""
    provider = FakeProvider()
    with serving(provider) as base_url:
        provider.base_url = base_url
        yield provider


def provider_config(means, provider):
    prefix = f"OIDC_{means.upper()}_"
    return {prefix + "ISSUER": provider.issuer, prefix + "CLIENT_ID": CLIENT_ID,
            prefix + "CLIENT_SECRET": CLIENT_SECRET}


def start(client, means="asan"):
    """Press "Daxil ol": the query of the provider's authorization URL."""
    response = client.post(f"/auth/oidc/{means}/start",
                           data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    return {name: values[0] for name, values in parse_qs(urlsplit(
        response.headers["Location"]).query).items()}


def callback(client, means, state, code="code-1"):
    return followed(client, client.get(f"/auth/oidc/{means}/callback",
                                       query_string={"code": code, "state": state}))


def followed(client, response):
    """A refused callback goes on to /auth/refused, a clean address: the page shown there."""
    if response.status_code == 303 and response.headers["Location"] == "/auth/refused":
        return client.get("/auth/refused")
    return response
