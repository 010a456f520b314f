"""The portal's own address comes from PUBLIC_URL, never from the request's Host header,
and a request naming another host is refused; production adds Strict-Transport-Security."""
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response

from egov import create_app
from egov.identity.sessions import SESSION_BY_TOKEN
from tests.support.pages import csrf_token
from tests.support.fake_provider import CLIENT_ID, CLIENT_SECRET, FakeProvider
from tests.support.live import serving
from tests.support.shapes import built_anew


@pytest.fixture(autouse=True)
def session_reads_built_anew():
    """The session reads are built once per process (egov.db.SameShape): each test here
    builds them itself, or mutmut, running a test after others in one process, sees none
    of what a mutant of `sessions._with_owner` changes in them."""
    built_anew(*SESSION_BY_TOKEN.values())


PUBLIC_URL = "https://portal.example"


@pytest.fixture
def provider():
    provider = FakeProvider()
    provider.end_session = True
    with serving(provider) as base_url:
        provider.base_url = base_url
        yield provider


def portal(app, provider=None, **config):
    settings = {**app.config, "PUBLIC_URL": PUBLIC_URL, "TRUSTED_HOSTS": None, **config}
    if provider is not None:
        settings.update({"OIDC_ASAN_ISSUER": provider.issuer, "OIDC_ASAN_CLIENT_ID": CLIENT_ID,
                         "OIDC_ASAN_CLIENT_SECRET": CLIENT_SECRET})
    return create_app(settings).test_client()


def query_of(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


@pytest.mark.parametrize("path", ["/", "/auth/login", "/services", "/healthz"])
def test_a_request_for_another_host_is_refused(app, path):
    client = portal(app)
    assert client.get(path, headers={"Host": "evil.example"}).status_code == 400
    assert client.get(path, headers={"Host": "portal.example"}).status_code in (200, 302)


@pytest.mark.parametrize("lang, title, message", [
    ("az", "Sorğu qəbul edilmədi", "Portal bu ünvanda açılmır. Ünvanı yoxlayın."),
    ("en", "The request was not accepted",
     "The portal is not served at this address. Check the address."),
    ("ru", "Запрос не принят", "Портал не открывается по этому адресу. Проверьте адрес."),
])
def test_another_host_gets_the_portals_own_page_in_the_citizens_language(
        app, lang, title, message):
    """Not Werkzeug's bare English «Bad Request»: Flask refuses the Host before it can build
    a URL, so no page of ours could be drawn, not even for a form without its token."""
    client = portal(app)
    for response in (client.get("/services", headers={"Host": "evil.example",
                                                      "Accept-Language": lang}),
                     client.get(f"/no-such-page?lang={lang}", headers={"Host": "evil.example"}),
                     client.post("/auth/logout", headers={"Host": "evil.example",
                                                          "Accept-Language": lang})):
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert f'<html lang="{lang}">' in page
        assert f"<h1>{title}</h1>\n  <p>{message}</p>" in page
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert "evil.example" not in page  # links go to the portal's own host


def test_another_host_is_refused_behind_a_proxy_as_the_proxy_forwarded_it(app):
    client = portal(app, TRUSTED_PROXY_COUNT=1)
    forwarded = {"Host": "127.0.0.1:8000", "X-Forwarded-Host": "evil.example"}
    assert client.get("/services", headers=forwarded).status_code == 400
    forwarded["X-Forwarded-Host"] = "portal.example"
    assert client.get("/services", headers=forwarded).status_code == 200


def test_the_operators_log_names_each_refused_host_as_it_came(app, caplog):
    """One line per refusal, naming the host the request asked for (behind the proxy, the
    one it forwarded): what an operator looks for when a citizen says the portal refused
    them, or to see who probes it."""
    direct, proxied = portal(app), portal(app, TRUSTED_PROXY_COUNT=1)
    direct.get("/services", headers={"Host": "evil.example"})
    proxied.get("/services", headers={"Host": "127.0.0.1:8000",
                                      "X-Forwarded-Host": "portal.example.evil:8443"})
    direct.get("/services", headers={"Host": "portal.example"})  # served: not logged
    assert [r.getMessage() for r in caplog.records if r.name == "egov"] == [
        "refused a request for host 'evil.example'",
        "refused a request for host 'portal.example.evil:8443'"]


def test_a_request_with_no_host_header_is_logged_as_naming_none(app, caplog):
    """HTTP/1.0 lets a client leave Host out: the server's own name stands in, and here
    that name is not one the portal serves. The refusal is the same page; the operator's
    line says the request named no host, not a host it did not name."""
    environ = EnvironBuilder("/services", base_url="http://10.9.8.7:8000/").get_environ()
    del environ["HTTP_HOST"]
    response = Response.from_app(portal(app).application, environ)
    assert response.status_code == 400
    assert "Portal bu ünvanda açılmır." in response.get_data(as_text=True)
    assert [r.getMessage() for r in caplog.records if r.name == "egov"] == [
        "refused a request for host ''"]


def test_a_refused_form_under_a_trusted_domain_switches_language_at_its_page(app):
    """TRUSTED_HOSTS may name a domain («.example.az», any host under it); a refused
    request goes on as one for that domain's own name, so a refused form's language
    switch still finds the portal page it was sent from, as on any refused form."""
    client = portal(app, TRUSTED_HOSTS=[".example.az", "portal.example"])
    response = client.post("/auth/logout", headers={
        "Host": "evil.example", "Referer": "http://example.az/services"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="/services?lang=en" hreflang="en"' in page


def test_a_request_for_another_host_changes_nothing_of_the_signed_in_citizen(app, demo):
    """The refusal comes before every other step: a `?lang=` sent to another host with a
    citizen's session cookie (a browser would not send it there; a script may) is not
    kept as their language, as it would be on the portal."""
    from egov.demo import AYSEL
    from egov.i18n import account_language
    from egov.models import Citizen

    client = portal(app, EXTRA_TRUSTED_HOSTS=["localhost"])  # the test client's own host
    client.post("/auth/login/password", data={
        "username": AYSEL["username"], "password": AYSEL["password"],
        "csrf_token": csrf_token(client)})
    aysel = Citizen.get(Citizen.fin == AYSEL["fin"])
    name = client.application.config["SESSION_COOKIE_NAME"]
    session = client.get_cookie(name)
    script = client.application.test_client(use_cookies=False)
    assert script.get("/services?lang=ru", headers={
        "Host": "evil.example", "Cookie": f"{name}={session.value}"}).status_code == 400
    assert account_language(aysel) is None
    assert client.get("/services?lang=ru").status_code == 200  # the portal's own host
    assert account_language(aysel) == "ru"


def test_trusted_hosts_set_outright_are_kept_as_given(app):
    """An app created with Flask's own TRUSTED_HOSTS (create_app's mapping, as a wsgi
    script of the operator's may pass) answers those hosts only, not PUBLIC_URL's too."""
    client = portal(app, TRUSTED_HOSTS=["intranet.example"])
    assert client.get("/healthz", headers={"Host": "intranet.example"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "portal.example"}).status_code == 400


def test_further_hosts_can_be_trusted_by_name(app):
    client = portal(app, EXTRA_TRUSTED_HOSTS=["10.0.0.5"])
    assert client.get("/healthz", headers={"Host": "10.0.0.5:8000"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


def test_the_providers_return_addresses_come_from_public_url_not_the_host_header(
        app, provider, db):
    # localhost is trusted here only to reach the app at all; PUBLIC_URL still decides.
    client = portal(app, provider, EXTRA_TRUSTED_HOSTS=["localhost"])
    start = client.post("/auth/oidc/asan/start", data={"csrf_token": csrf_token(client)})
    query = query_of(start.headers["Location"])
    assert query["redirect_uri"] == f"{PUBLIC_URL}/auth/oidc/asan/callback"
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    client.get("/auth/oidc/asan/callback", query_string={"code": "c", "state": query["state"]})
    logout = client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/services")})
    assert logout.headers["Location"].startswith(f"{provider.base_url}/logout?")
    assert query_of(logout.headers["Location"])["post_logout_redirect_uri"] == f"{PUBLIC_URL}/"


def test_production_sends_strict_transport_security_with_its_max_age(app):
    production = portal(app, EGOV_ENV="production", HSTS_MAX_AGE=600)
    response = production.get("/", headers={"Host": "portal.example"})
    assert response.headers["Strict-Transport-Security"] == "max-age=600"


def test_development_sends_no_strict_transport_security(client):
    # Over plain http on loopback it would only stick the browser to https on 127.0.0.1.
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_without_public_url_development_builds_addresses_from_the_request(app):
    from egov.public_url import external_url, trusted_hosts

    development = create_app({**app.config, "PUBLIC_URL": None})
    with development.test_request_context("/", base_url="http://127.0.0.1:5000"):
        assert external_url("auth.oidc_callback", means="asan") == \
            "http://127.0.0.1:5000/auth/oidc/asan/callback"
    assert trusted_hosts({"PUBLIC_URL": "https://portal.example"}) == ["portal.example"]
    assert trusted_hosts({"PUBLIC_URL": None}) is None
