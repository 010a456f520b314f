"""The portal signs in against an independent, certified OpenID provider
(panva's oidc-provider on Node), not only against our own development provider:
a real authorization-code flow with PKCE, state and nonce, through the
provider's own login and consent pages, ending signed in as the citizen whose
FIN the provider returned; and RP-initiated logout at that provider."""
import re
from html import unescape
from urllib.parse import urljoin

import pytest

from egov import create_app
from egov.models import Citizen, LoginSession
from tests.support.devidp_browser import Visitor
from tests.interop.conftest import InteropProvider
from tests.support.live import free_port, serving

FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


def submit_provider_form(visitor, **fields):
    """Fill and send the provider's form (its pages carry no csrf_token of ours)."""
    action, body = FORM.search(visitor.page.text).groups()
    data = {name: unescape(value) for name, value in HIDDEN.findall(body)}
    data.update(fields)
    visitor.page = visitor.http.post(urljoin(visitor.page.url, unescape(action)), data=data)
    return visitor.page


@pytest.fixture
def portal_and_provider(app, node, tmp_path):
    rp_port = free_port()
    provider = InteropProvider(node, free_port(), f"http://127.0.0.1:{rp_port}",
                               tmp_path / "oidc-provider.log")
    portal = create_app({**app.config, **provider.config()})
    try:
        with serving(portal, rp_port) as base_url:
            yield base_url, provider
    finally:
        provider.stop()


def sign_in_at_the_provider(visitor, fin):
    visitor.start("egov")
    assert visitor.page.url.startswith(visitor.provider_url + "/interaction/")
    submit_provider_form(visitor, login=fin, password="any")  # the provider's login page
    if "/interaction/" in visitor.page.url:
        submit_provider_form(visitor)  # its consent page
    return visitor.page


def test_the_portal_signs_in_with_an_independent_certified_provider(
        portal_and_provider, world, db):
    base_url, provider = portal_and_provider
    aysel = world.citizen("5AYSL01", "Aysel Məmmədova", "aysel", "aysel-demo-1")
    visitor = Visitor(base_url)
    visitor.provider_url = provider.url
    page = sign_in_at_the_provider(visitor, "5AYSL01")
    assert page.url == f"{base_url}/services"
    assert 'class="who">Aysel Məmmədova<' in page.text
    login = LoginSession.get()
    assert login.citizen_id == aysel.id and login.means == "egov"

    # RP-initiated logout: the portal sends the browser to the provider with the ID token.
    page = visitor.sign_out()
    assert page.history[0].headers["Location"].startswith(provider.url + "/session/end?")
    assert "id_token_hint=" in page.history[0].headers["Location"]
    assert LoginSession.select().count() == 0
    page = submit_provider_form(visitor, logout="yes")  # the provider asks to confirm
    assert page.url.startswith(f"{base_url}/") and "Siz portaldan çıxdınız" in page.text


def test_a_new_citizen_from_the_certified_provider_gets_an_account(portal_and_provider, db):
    base_url, provider = portal_and_provider
    visitor = Visitor(base_url)
    visitor.provider_url = provider.url
    sign_in_at_the_provider(visitor, "3NEWF05")
    citizen = Citizen.get(Citizen.fin == "3NEWF05")
    assert citizen.full_name == "Sınaq Vətəndaş"
    assert "ayında sizin adınıza qeydiyyatda olan telefon nömrəsi olmayıb." in visitor.get(
        "/calls").text
