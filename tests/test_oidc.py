"""The portal as relying party, against a real provider on loopback that serves
tokens these tests craft: every forged or mismatched answer is refused with a
message in Azerbaijani, and nobody is signed in or given an account."""
import base64
import hashlib
import hmac
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine

from egov import config, create_app
from egov.models import Citizen, LoginSession, PendingSignIn, ProviderSignIn
from egov.timeutil import utcnow
from tests.support.pages import CSRF_INPUT, csrf_token
from tests.support.fake_provider import CLIENT_ID, other_key
from tests.support.live import serving
from tests.support.sign_in import NEW_FIN, callback, followed, provider_config, start

REFUSED = "Giriş alınmadı"
def assert_refused(response, message):
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert REFUSED in page and message in page
    assert "Yenidən cəhd edin" in page
    assert LoginSession.select().count() == 0
    assert ProviderSignIn.select().count() == 0
    assert Citizen.get_or_none(Citizen.fin == NEW_FIN) is None


def test_the_authorization_request_uses_pkce_state_and_nonce(rp, provider):
    query = start(rp)
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["state"] and query["nonce"] and "openid" in query["scope"]
    assert query["redirect_uri"] == "http://localhost/auth/oidc/asan/callback"


def test_a_well_signed_token_signs_in_and_opens_the_account(rp, provider, db):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    response = callback(rp, "asan", query["state"])
    assert response.status_code == 302 and response.headers["Location"] == "/services"
    citizen = Citizen.get(Citizen.fin == NEW_FIN)
    assert citizen.full_name == "Yeni Vətəndaş" and citizen.password_hash is None
    login = LoginSession.get()
    assert login.citizen_id == citizen.id and login.means == "asan"
    assert ProviderSignIn.get().id_token == provider.id_token
    assert "Yeni Vətəndaş" in rp.get("/services").get_data(as_text=True)


def test_a_later_sign_in_by_another_means_reaches_the_same_account(
        rp, provider, other_provider, world, auth, db):
    aysel = world.citizen("5AYSL01", "Aysel Məmmədova", "aysel", "aysel-demo-1")
    for means, issuer in (("asan", provider), ("eimza", other_provider)):
        query = start(rp, means)
        issuer.id_token = issuer.sign(issuer.claims(query["nonce"], fin="5aysl01", name="X"))
        assert callback(rp, means, query["state"]).status_code == 302
        assert LoginSession.select().order_by(LoginSession.created_at.desc()).first() \
            .citizen_id == aysel.id
    assert Citizen.select().count() == 1 and Citizen.get().full_name == "Aysel Məmmədova"


def test_the_citizen_is_found_by_fin_never_by_name_or_email(rp, provider, world, db, caplog):
    world.citizen("5AYSL01", "Aysel Məmmədova", "aysel", "aysel-demo-1")
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(
        query["nonce"], fin=None, name="Aysel Məmmədova", email="aysel@example.az"))
    assert_refused(callback(rp, "asan", query["state"]), "FİN kodunuzu təqdim etmədi")
    assert "sign-in with asan refused: identity: no FIN claim" in caplog.messages


def test_a_token_answer_without_an_id_token_signs_nobody_in(rp, provider, db, caplog):
    start(rp)
    query = start(rp)
    provider.id_token = None
    assert_refused(callback(rp, "asan", query["state"]), "yoxlamadan keçmədi")
    assert "sign-in with asan refused: token: no id_token" in caplog.messages


@pytest.mark.parametrize("language", ["az", "en", "ru"])
def test_the_providers_pages_open_in_the_citizens_language(rp, provider, language):
    rp.set_cookie("lang", language)
    assert start(rp)["ui_locales"] == language


@pytest.mark.parametrize("fin", ["5AYſL01", "5AYıL01", "5AYSL0１", "ƏAYSL01", "5AYSL0",
                                 "5AYSL012"])
def test_a_fin_that_is_not_plain_latin_letters_and_digits_reaches_no_account(
        rp, provider, world, db, fin):
    # Unicode upper() folds «ſ» to S: «5AYſL01» would be Aysel's 5AYSL01.
    world.citizen("5AYSL01", "Aysel Məmmədova", "aysel", "aysel-demo-1")
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"], fin=fin, name="X"))
    assert_refused(callback(rp, "asan", query["state"]), "FİN kodunuzu təqdim etmədi")
    assert Citizen.select().count() == 1


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(claims):
    header, body = (_b64(json.dumps(d).encode()) for d in ({"alg": "none"}, claims))
    return f"{header}.{body}."


def _hmac_with_public_key(provider, claims):
    """The old algorithm-confusion attack: HS256 keyed with the provider's public key."""
    header, body = (_b64(json.dumps(d).encode())
                    for d in ({"alg": "HS256", "kid": "key-1"}, claims))
    secret = provider.key.as_pem(private=False)
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


FORGERIES = {
    "signed with another key": lambda p, c: p.sign(c, other_key("key-1")),
    "alg none": lambda p, c: _unsigned(c),
    "HS256 keyed with the public key": _hmac_with_public_key,
    "not a JWT at all": lambda p, c: "this.is.not-a-token",
}


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_a_forged_token_is_refused(rp, provider, db, forgery):
    query = start(rp)
    provider.id_token = FORGERIES[forgery](provider, provider.claims(query["nonce"]))
    assert_refused(callback(rp, "asan", query["state"]), "yoxlamadan keçmədi")


WRONG_CLAIMS = {
    "wrong audience": {"aud": "someone-else"},
    "several audiences, not authorized party": {"aud": [CLIENT_ID, "other"], "azp": "other"},
    "wrong issuer": {"iss": "http://127.0.0.1:1/elsewhere"},
    "no issuer": {"iss": None},
    "no audience": {"aud": None},
    "no subject": {"sub": None},
    "expired": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
    "issued in the future": {"iat": int(time.time()) + 3600},
    "no expiry": {"exp": None},
    "no issue time": {"iat": None},
    "missing nonce": {"nonce": None},
    "another sign-in's nonce": {"nonce": "nonce-of-an-earlier-sign-in"},
}


@pytest.mark.parametrize("case", WRONG_CLAIMS, ids=list(WRONG_CLAIMS))
def test_a_token_with_wrong_claims_is_refused(rp, provider, db, case):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"], **WRONG_CLAIMS[case]))
    assert_refused(callback(rp, "asan", query["state"]), "yoxlamadan keçmədi")


@pytest.mark.parametrize("audience", [
    {"aud": [CLIENT_ID]},  # a list of one: us
    {"aud": [CLIENT_ID, "other"], "azp": CLIENT_ID}])  # several, and we are the party
def test_a_token_for_us_among_audiences_is_accepted(rp, provider, db, audience):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"], **audience))
    assert callback(rp, "asan", query["state"]).headers["Location"] == "/services"


def test_several_audiences_without_us_as_the_party_are_logged_so(rp, provider, db, caplog):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(
        query["nonce"], **WRONG_CLAIMS["several audiences, not authorized party"]))
    assert_refused(callback(rp, "asan", query["state"]), "yoxlamadan keçmədi")
    assert ("sign-in with asan refused: token: several audiences and we are not the "
            "authorized party") in caplog.messages


def test_a_refused_token_is_logged_with_the_check_it_failed(rp, provider, db, caplog):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"], **WRONG_CLAIMS["expired"]))
    assert_refused(callback(rp, "asan", query["state"]), "yoxlamadan keçmədi")
    assert "sign-in with asan refused: token: ExpiredTokenError: expired_token: The token is " \
           "expired" in caplog.messages, caplog.messages


def test_a_token_replayed_into_a_new_sign_in_is_refused(rp, provider, db):
    first = start(rp)
    provider.id_token = provider.sign(provider.claims(first["nonce"]))
    second = start(rp)  # the provider hands the same (old) token again
    assert_refused(callback(rp, "asan", second["state"]), "yoxlamadan keçmədi")


def test_a_state_we_never_issued_is_refused_before_any_token_is_fetched(rp, provider, db):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    assert_refused(callback(rp, "asan", "forged-state"), "tanımadıq")
    assert "/token" not in provider.requests


def test_a_callback_without_state_is_refused(rp, provider, db):
    start(rp)
    response = rp.get("/auth/oidc/asan/callback", query_string={"code": "code-1"})
    assert_refused(followed(rp, response), "tanımadıq")


def test_one_providers_state_is_refused_at_another_providers_callback(
        rp, provider, other_provider, db):
    query = start(rp, "asan")
    for issuer in (provider, other_provider):
        issuer.id_token = issuer.sign(issuer.claims(query["nonce"]))
    assert_refused(callback(rp, "eimza", query["state"]), "tanımadıq")
    assert "/token" not in other_provider.requests


def test_a_replayed_callback_is_refused(rp, provider, db):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    assert callback(rp, "asan", query["state"]).status_code == 302
    rp.post("/auth/logout", data={"csrf_token": csrf_token(rp, "/services")})
    assert LoginSession.select().count() == 0
    Citizen.delete().execute()
    assert_refused(callback(rp, "asan", query["state"]), "tanımadıq")


def test_a_callback_replayed_with_the_cookie_saved_before_it_is_refused(rp, provider, db):
    # A provider that accepts a code twice, and a saved copy of the cookie that still holds
    # the state: the server-side pending sign-in is gone, so the replay finds nothing.
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    saved = rp.get_cookie("egov_session").value
    assert callback(rp, "asan", query["state"]).status_code == 302
    rp.post("/auth/logout", data={"csrf_token": csrf_token(rp, "/services")})
    Citizen.delete().execute()
    rp.set_cookie("egov_session", saved)
    assert_refused(callback(rp, "asan", query["state"]), "tanımadıq")
    assert PendingSignIn.select().count() == 0


def test_a_pending_sign_in_expires_after_a_few_minutes(rp, provider, db):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    PendingSignIn.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    assert_refused(callback(rp, "asan", query["state"]), "tanımadıq")
    assert "/token" not in provider.requests


def test_a_state_started_in_another_browser_is_refused(app, rp, provider, db):
    # An attacker's own sign-in, its callback link sent to a victim: not this browser's.
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    victim = rp.application.test_client()
    assert_refused(callback(victim, "asan", query["state"]), "tanımadıq")
    assert PendingSignIn.select().count() == 1  # the real sign-in can still come back


def test_simultaneous_callbacks_with_one_state_sign_in_once(app, provider, db):
    served = create_app({**app.config, **provider_config("asan", provider)})
    with serving(served) as base_url:
        browser = requests.Session()
        token = CSRF_INPUT.search(browser.get(f"{base_url}/auth/login").text).group(1)
        start = browser.post(f"{base_url}/auth/oidc/asan/start", data={"csrf_token": token},
                             allow_redirects=False)
        query = parse_qs(urlsplit(start.headers["Location"]).query)
        provider.id_token = provider.sign(provider.claims(query["nonce"][0]))
        url = f"{base_url}/auth/oidc/asan/callback?code=c&state={query['state'][0]}"
        barrier = threading.Barrier(6)

        def replay(cookies):
            barrier.wait()
            return requests.get(url, cookies=cookies, allow_redirects=False).status_code

        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(replay, [browser.cookies.get_dict()] * 6))
    # One callback signs in; the other five are refused (to /auth/refused, a 303).
    assert sorted(statuses) == [302] + [303] * 5
    assert LoginSession.select().count() == 1


def test_a_callback_naming_another_issuer_is_refused(rp, provider, other_provider, db):
    query = start(rp, "asan")
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    response = rp.get("/auth/oidc/asan/callback", query_string={
        "code": "code-1", "state": query["state"], "iss": other_provider.issuer})
    assert_refused(followed(rp, response), "yoxlamadan keçmədi")
    assert "/token" not in provider.requests


def test_a_callback_naming_our_issuer_with_a_trailing_slash_signs_in(
        rp, provider, db, caplog):
    query = start(rp, "asan")
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    response = rp.get("/auth/oidc/asan/callback", query_string={
        "code": "code-1", "state": query["state"], "iss": provider.issuer + "/"})
    assert response.headers["Location"] == "/services"
    query = start(rp, "asan")
    response = rp.get("/auth/oidc/asan/callback", query_string={
        "code": "code-1", "state": query["state"], "iss": "https://elsewhere.example"})
    refused = followed(rp, response)
    assert refused.status_code == 400 and "yoxlamadan keçmədi" in refused.get_data(as_text=True)
    assert ("sign-in with asan refused: token: callback from issuer "
            "'https://elsewhere.example'") in caplog.messages


def test_a_code_the_provider_refuses_signs_nobody_in(rp, provider, db, caplog):
    query = start(rp)
    provider.token_error = "invalid_grant"  # e.g. a code already exchanged
    assert_refused(callback(rp, "asan", query["state"]), "yoxlamadan keçmədi")
    assert "sign-in with asan refused: token: token endpoint: invalid_grant: " in caplog.messages


def test_an_error_of_the_provider_other_than_a_refusal_says_it_is_not_answering(
        rp, provider, db, caplog):
    query = start(rp)
    response = rp.get("/auth/oidc/asan/callback", query_string={
        "error": "temporarily_unavailable", "state": query["state"]})
    assert_refused(followed(rp, response), "cavab vermir")
    assert "sign-in with asan refused: provider: temporarily_unavailable" in caplog.messages


def test_the_token_request_proves_the_start_redirect_and_pkce(rp, provider, db):
    """A real provider refuses a code redeemed without the start's redirect_uri and the
    verifier of its code_challenge; the fake records what it was sent."""
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    assert callback(rp, "asan", query["state"]).status_code == 302
    [sent] = provider.token_requests
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(sent["code_verifier"].encode()).digest()).rstrip(b"=").decode()
    assert (sent["grant_type"], sent["code"], sent["redirect_uri"], challenge) == (
        "authorization_code", "code-1", query["redirect_uri"], query["code_challenge"])


def test_the_citizen_refusing_at_the_provider_is_told_so(rp, provider, db):
    query = start(rp)
    response = rp.get("/auth/oidc/asan/callback", query_string={
        "error": "access_denied", "error_description": "End-User aborted interaction",
        "state": query["state"]})
    # Not left at the callback's address with the provider's English words in it.
    assert response.status_code == 303 and response.headers["Location"] == "/auth/refused"
    page = followed(rp, response)
    assert_refused(page, "Giriş təsdiqlənmədi")
    assert "End-User" not in page.get_data(as_text=True)
    assert rp.get("/auth/refused").headers["Location"] == "/auth/login"  # shown once


def test_a_rotated_key_is_fetched_again(rp, provider, db):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    assert callback(rp, "asan", query["state"]).status_code == 302
    provider.rotate()
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    assert callback(rp, "asan", query["state"]).status_code == 302
    assert provider.requests.count("/jwks") == 2


def test_a_discovery_document_naming_another_issuer_is_refused(rp, provider, db):
    provider.issuer_override = "https://elsewhere.example"
    response = rp.post("/auth/oidc/asan/start", data={"csrf_token": csrf_token(rp)})
    assert_refused(response, "cavab vermir")


def test_an_unreachable_provider_is_a_message_not_an_error(app, db):
    rp = create_app({**app.config, "OIDC_EGOV_ISSUER": "http://127.0.0.1:9",
                     "OIDC_EGOV_CLIENT_ID": "x", "OIDC_EGOV_CLIENT_SECRET": "y"}).test_client()
    response = rp.post("/auth/oidc/egov/start", data={"csrf_token": csrf_token(rp)})
    assert_refused(response, "cavab vermir")
    # Asked over htmx, the refusal replaces the page's main area, not the button's form.
    response = rp.post("/auth/oidc/egov/start", data={"csrf_token": csrf_token(rp)},
                       headers={"HX-Request": "true"})
    assert_refused(response, "cavab vermir")
    assert response.headers["HX-Retarget"] == "#main"
    assert response.headers["HX-Reselect"] == "#main"


def test_an_unconfigured_means_is_shown_as_unavailable(rp):
    page = rp.get("/auth/login").get_data(as_text=True)
    assert page.count("hazırda əlçatan deyil") == 1  # e-gov identity: no provider here
    assert 'action="/auth/oidc/asan/start"' in page and 'action="/auth/oidc/eimza/start"' in page
    assert rp.post("/auth/oidc/egov/start",
                   data={"csrf_token": csrf_token(rp)}).status_code == 404


def test_the_sign_in_redirect_works_from_an_htmx_page(rp, provider):
    response = rp.post("/auth/oidc/asan/start", data={"csrf_token": csrf_token(rp)},
                       headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith(f"{provider.base_url}/authorize?")


def test_sign_in_returns_to_the_page_asked_for(rp, provider, db):
    response = rp.post("/auth/oidc/asan/start",
                       data={"csrf_token": csrf_token(rp), "next": "/calls"})
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    provider.id_token = provider.sign(provider.claims(query["nonce"][0]))
    assert callback(rp, "asan", query["state"][0]).headers["Location"] == "/calls"


@pytest.mark.parametrize("next_url", ["/calls\r\nSet-Cookie: x=1", "/calls\n"])
def test_a_return_address_with_a_control_character_ends_on_the_services_page(
        rp, provider, db, next_url):
    response = rp.post("/auth/oidc/asan/start",
                       data={"csrf_token": csrf_token(rp), "next": next_url})
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    provider.id_token = provider.sign(provider.claims(query["nonce"][0]))
    response = callback(rp, "asan", query["state"][0])
    assert response.status_code == 302 and response.headers["Location"] == "/services"
    assert LoginSession.select().count() == 1


def test_starting_a_sign_in_needs_the_csrf_token(rp):
    assert rp.post("/auth/oidc/asan/start").status_code == 400


def test_sign_out_without_end_session_endpoint_stays_on_the_portal(rp, provider, db):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    callback(rp, "asan", query["state"])
    response = rp.post("/auth/logout", data={"csrf_token": csrf_token(rp, "/services")})
    assert response.headers["Location"] == "/"
    assert LoginSession.select().count() == 0 and ProviderSignIn.select().count() == 0


def test_a_half_configured_provider_stops_the_app_at_start(tmp_path):
    with pytest.raises(config.ConfigError, match="OIDC_ASAN_CLIENT_SECRET"):
        config.from_environment(tmp_path, environ={
            "OIDC_ASAN_ISSUER": "https://asan.example", "OIDC_ASAN_CLIENT_ID": "portal"})


def test_production_needs_https_providers(tmp_path):
    with pytest.raises(config.ConfigError, match="https"):
        config.from_environment(tmp_path, environ={
            "EGOV_ENV": "production", "SECRET_KEY": "x", "DATABASE_URL": "postgresql://db/e",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "PUBLIC_URL": "https://portal.example",
            "OIDC_EGOV_ISSUER": "http://egov.example", "OIDC_EGOV_CLIENT_ID": "portal",
            "OIDC_EGOV_CLIENT_SECRET": "s"})


def test_the_fin_claim_name_is_configurable(app, provider, db):
    rp = create_app({**app.config, **provider_config("asan", provider),
                     "OIDC_FIN_CLAIM": "pin"}).test_client()
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"], fin=None, pin="9newc01"))
    assert callback(rp, "asan", query["state"]).status_code == 302
    assert Citizen.get().fin == NEW_FIN


# --- A provider is another machine: its clock, its keys and its sign-out host differ ---

SKEWS = {"59 s ahead": (59, 302), "61 s ahead": (61, 400),
         "359 s behind (its token expired 59 s ago)": (-359, 302),
         "361 s behind (its token expired 61 s ago)": (-361, 400)}


@pytest.mark.parametrize("skew", SKEWS, ids=list(SKEWS))
def test_a_provider_clock_off_by_up_to_a_minute_is_allowed_and_not_more(rp, provider, db, skew):
    provider.clock_skew, expected = SKEWS[skew]
    with time_machine.travel(1798110000, tick=False):  # 24 December 2026, 11:00 UTC
        query = start(rp)
        provider.id_token = provider.sign(provider.claims(query["nonce"]))
        response = callback(rp, "asan", query["state"])
    assert response.status_code == expected
    assert LoginSession.select().count() == (1 if expected == 302 else 0)


def test_while_a_key_is_rotated_both_are_published_and_each_is_accepted(rp, provider, db):
    old = provider.key
    provider.rotate()
    provider.published = [old, provider.key]  # as real providers publish during a rotation
    for key in (provider.key, old):
        query = start(rp)
        provider.id_token = provider.sign(provider.claims(query["nonce"]), key=key)
        assert callback(rp, "asan", query["state"]).status_code == 302
    assert provider.requests.count("/jwks") == 1  # both found in one fetch


def test_sign_out_at_a_provider_host_other_than_its_sign_in_is_allowed_and_used(
        app, provider, db):
    provider.end_session_url = "http://127.0.0.2:9/session/end"  # never reached by the test
    rp = create_app({**app.config, **provider_config("asan", provider)}).test_client()
    policy = rp.get("/auth/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.base_url} http://127.0.0.2:9;" in policy
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    assert callback(rp, "asan", query["state"]).status_code == 302
    response = rp.post("/auth/logout", data={"csrf_token": csrf_token(rp, "/services")})
    assert response.headers["Location"].startswith("http://127.0.0.2:9/session/end?")


# --- A slow provider --------------------------------------------------------------------
# A real provider answers late sometimes (a queue at ASAN İmza, a slow key server). The
# portal waits oidc.PROVIDER_TIMEOUT_SECONDS (10) for each answer; here a second, so that
# the edges cost seconds, not twenty.
NOT_ANSWERING = {
    "az": ("Giriş alınmadı", "Giriş vasitəsinin xidməti hazırda cavab vermir. Bir az sonra "
           "yenidən cəhd edin.", "Yenidən cəhd edin"),
    "en": ("Sign-in failed", "The means of signing in is not responding at the moment. "
           "Please try again a little later.", "Try again"),
    "ru": ("Не удалось войти", "Служба способа входа сейчас не отвечает. Повторите попытку "
           "немного позже.", "Повторить попытку"),
}


@pytest.fixture
def impatient_rp(app, provider, monkeypatch):
    from egov.identity import oidc

    monkeypatch.setattr(oidc, "PROVIDER_TIMEOUT_SECONDS", 1)
    return create_app({**app.config, **provider_config("asan", provider)}).test_client()


def _words(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_the_portal_waits_ten_seconds_for_a_provider(rp):
    from flask import current_app

    with rp.application.app_context():
        client = current_app.extensions["egov_oidc"].create_client("asan")
        assert client.client_kwargs["default_timeout"] == 10


@pytest.mark.parametrize("endpoint", ["/token", "/jwks"])
@pytest.mark.parametrize("language", ["az", "en", "ru"])
def test_a_provider_answering_after_the_timeout_is_a_message_in_the_citizens_language(
        impatient_rp, provider, db, endpoint, language, caplog):
    impatient_rp.set_cookie("lang", language)
    query = start(impatient_rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    provider.delays[endpoint] = 1.5
    response = callback(impatient_rp, "asan", query["state"])
    assert response.status_code == 400
    heading, message, again = NOT_ANSWERING[language]
    assert heading in _words(response) and message in _words(response)
    assert again in _words(response)
    assert LoginSession.select().count() == 0 and Citizen.get_or_none(fin=NEW_FIN) is None
    logged = {"/token": "provider: token endpoint: ", "/jwks": "provider: keys: "}[endpoint]
    assert any(m.startswith("sign-in with asan refused: " + logged) and "timed out" in m
               for m in caplog.messages), caplog.messages
    # The sign-in it answered is used up (its code may well have been spent at the
    # provider): the same answer again is not taken, a new start signs in.
    assert PendingSignIn.select().count() == 0
    provider.delays.clear()
    replayed = callback(impatient_rp, "asan", query["state"])
    assert replayed.status_code == 400 and LoginSession.select().count() == 0
    query = start(impatient_rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    assert callback(impatient_rp, "asan", query["state"]).headers["Location"] == "/services"
    assert LoginSession.select().count() == 1


@pytest.mark.parametrize("endpoint", ["/token", "/jwks"])
def test_a_provider_answering_just_inside_the_timeout_signs_in(impatient_rp, provider, db,
                                                               endpoint):
    query = start(impatient_rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    provider.delays[endpoint] = 0.7
    response = callback(impatient_rp, "asan", query["state"])
    assert response.status_code == 302 and response.headers["Location"] == "/services"
    assert Citizen.get(fin=NEW_FIN).full_name == "Yeni Vətəndaş"
    assert PendingSignIn.select().count() == 0


def test_a_slow_provider_does_not_hold_up_the_pages_of_a_signed_in_citizen(
        impatient_rp, provider, db):
    """Every page's CSP names the providers' origins from discovery; the discovery a page
    asks for is the one the start already had (cached), so a provider going slow later does
    not slow or break the citizen's pages."""
    query = start(impatient_rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    assert callback(impatient_rp, "asan", query["state"]).status_code == 302
    provider.delays["/.well-known/openid-configuration"] = 1.5
    started = time.monotonic()
    assert impatient_rp.get("/services").status_code == 200
    assert time.monotonic() - started < 1


def test_a_provider_slow_at_discovery_costs_one_page_the_timeout_then_none_for_a_while(
        impatient_rp, provider, db):
    provider.delays["/.well-known/openid-configuration"] = 1.5
    timings = []
    for _ in range(3):
        started = time.monotonic()
        assert impatient_rp.get("/services").status_code == 200
        timings.append(time.monotonic() - started)
    assert 1 <= timings[0] < 1.5 and max(timings[1:]) < 0.5, timings
    assert provider.requests.count("/.well-known/openid-configuration") == 1


# --- Names, and the account a FIN reaches ---------------------------------------------

@pytest.mark.parametrize("names, full_name", [
    ({"given_name": "Yeni", "family_name": "Vətəndaş"}, "Yeni Vətəndaş"),
    ({"family_name": " Vətəndaş "}, "Vətəndaş"),
    ({"given_name": "Yeni"}, "Yeni")])
def test_without_a_name_claim_the_given_and_family_names_open_the_account(
        rp, provider, db, names, full_name):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"], name=None, **names))
    assert callback(rp, "asan", query["state"]).headers["Location"] == "/services"
    assert Citizen.get(fin=NEW_FIN).full_name == full_name


@pytest.mark.parametrize("name", [None, 42, "   "])
def test_a_new_fin_without_a_usable_name_opens_no_account(rp, provider, db, name, caplog):
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"], name=name))
    assert_refused(callback(rp, "asan", query["state"]), "FİN kodunuzu təqdim etmədi")
    # The operator's log says why, in words the citizen's page does not use.
    assert ("sign-in with asan refused: identity: no account, and no verified name to open "
            "one") in caplog.messages


def test_each_refusal_is_logged_with_its_reason_and_what_happened(rp, provider, db, caplog):
    query = start(rp)
    response = callback(rp, "asan", query["state"], code="")
    assert_refused(response, "cavab vermir")
    assert "sign-in with asan refused: provider: no code" in caplog.messages
    assert_refused(callback(rp, "asan", query["state"]), "Bu giriş sorğusunu tanımadıq")
    assert ("sign-in with asan refused: state: unknown, used or another provider's state"
            in caplog.messages)


def test_a_known_fin_signs_in_without_a_name_claim(rp, provider, world, db):
    aysel = world.citizen("5AYSL01", "Aysel Məmmədova", "aysel", "aysel-demo-1")
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"], fin="5AYSL01", name=None))
    assert callback(rp, "asan", query["state"]).headers["Location"] == "/services"
    assert LoginSession.get().citizen_id == aysel.id


def test_a_first_sign_in_that_loses_the_race_to_open_the_account_lands_in_it(
        rp, provider, world, db, monkeypatch):
    """Two first sign-ins of one FIN at once: both look the FIN up and find nothing, the
    other opens the account first; this one's insert fails and it takes that account."""
    from egov.identity import oidc

    world.citizen("1AAAAAA", "Başqa Vətəndaş")  # someone else, whom it must not land in
    opened = world.citizen(NEW_FIN, "Yeni Vətəndaş")
    monkeypatch.setattr(oidc.Citizen, "get_or_none", classmethod(lambda cls, *a: None))
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]))
    assert callback(rp, "asan", query["state"]).headers["Location"] == "/services"
    assert LoginSession.get().citizen_id == opened.id and Citizen.select().count() == 2


def test_sign_out_at_the_provider_names_the_citizens_own_token_and_the_way_back(
        app, provider, db):
    provider.end_session = True
    browsers = [create_app({**app.config, **provider_config("asan", provider)}).test_client()
                for _ in range(2)]
    tokens = []
    for n, browser in enumerate(browsers):
        query = start(browser)
        provider.id_token = provider.sign(provider.claims(query["nonce"], fin=f"9NEWC0{n}"))
        tokens.append(provider.id_token)
        assert callback(browser, "asan", query["state"]).status_code == 302
    response = browsers[1].post("/auth/logout",
                                data={"csrf_token": csrf_token(browsers[1], "/services")})
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.base_url}/logout"
    query = parse_qs(location.query)
    assert len(query.pop("state")[0]) == 20  # Authlib's, random
    assert query == {"post_logout_redirect_uri": ["http://localhost/"],
                     "id_token_hint": [tokens[1]], "client_id": [CLIENT_ID]}


@pytest.mark.parametrize("advertised, alg, accepted", [
    (["PS256"], "PS256", True),  # a provider that signs with RSA-PSS only
    (["PS256"], "RS256", False),  # an algorithm it does not say it uses
    (None, "RS256", True),  # discovery silent: RS256, OpenID Connect's default
    (None, "PS256", False),
    # Only algorithms we never accept: nothing is, not joserfc's defaults for an empty list.
    (["HS256", "none"], "RS256", False)])
def test_only_the_algorithms_discovery_names_are_accepted(
        rp, provider, db, advertised, alg, accepted):
    provider.signing_algs = advertised
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"]), alg=alg)
    response = callback(rp, "asan", query["state"])
    if accepted:
        assert response.headers["Location"] == "/services"
    else:
        assert_refused(response, "yoxlamadan keçmədi")


def test_a_discovery_document_naming_our_issuer_with_a_trailing_slash_is_ours(
        rp, provider, db):
    provider.issuer_override = provider.issuer + "/"
    query = start(rp)
    provider.id_token = provider.sign(provider.claims(query["nonce"], iss=provider.issuer + "/"))
    assert callback(rp, "asan", query["state"]).headers["Location"] == "/services"


def test_an_unreachable_provider_is_logged_as_its_discovery_failing(app, db, caplog):
    rp = create_app({**app.config, "OIDC_EGOV_ISSUER": "http://127.0.0.1:9",
                     "OIDC_EGOV_CLIENT_ID": "x", "OIDC_EGOV_CLIENT_SECRET": "y"}).test_client()
    rp.post("/auth/oidc/egov/start", data={"csrf_token": csrf_token(rp)})
    assert any(m.startswith("sign-in with egov refused: provider: discovery: ")
               for m in caplog.messages), caplog.messages
