"""The development identity provider, end to end: the portal and the provider served
on loopback (the portal fetches discovery, keys and tokens from it over HTTP), and
a citizen going through each means as docs/sign-in.md describes."""
import base64
import hashlib
import json
import re
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from egov import config, create_app, devidp
from egov.devidp import keys, people
from egov.devidp.models import AccessToken, AuthCode, AuthRequest
from egov.models import Citizen, LoginSession, ProviderSignIn
from egov.timeutil import utcnow
from tests.support.devidp_browser import CSRF, signed_in_as


def test_asan_imza_signs_aysel_in_to_her_password_account(visitor, db):
    code = visitor.asan_until_waiting()
    assert len(code) == 4 and "Təsdiqi gözləyirik" in visitor.page.text
    phone = visitor.phone()
    assert phone.code() == code and "PIN1" in phone.page.text
    phone.submit({"pin1": "4401", "answer": "confirm"})
    assert "Təsdiq edildi" in phone.page.text
    visitor.get(visitor.page.url)  # the waiting page, refreshed
    assert visitor.page.url.endswith("/services")
    assert signed_in_as(visitor) == "Aysel Məmmədova"
    login = LoginSession.get()
    assert login.means == "asan" and login.citizen.username == "aysel"


def test_the_waiting_page_polls_and_is_sent_on_by_htmx_when_confirmed(visitor):
    visitor.asan_until_waiting()
    wait_url = visitor.page.url
    fragment = visitor.http.get(wait_url, headers={"HX-Request": "true",
                                                   "HX-Target": "asan-status"})
    assert "<html" not in fragment.text and 'data-hx-trigger="every 2s"' in fragment.text
    visitor.phone().submit({"pin1": "4401", "answer": "confirm"})
    answer = visitor.http.get(wait_url, headers={"HX-Request": "true", "HX-Target": "asan-status"},
                              allow_redirects=False)
    assert answer.status_code == 204
    assert "/auth/oidc/asan/callback?code=" in answer.headers["HX-Redirect"]
    visitor.get(answer.headers["HX-Redirect"])
    assert signed_in_as(visitor) == "Aysel Məmmədova"


def test_asan_with_wrong_details_says_so_and_keeps_what_was_typed(visitor, db):
    visitor.start("asan")
    page = visitor.submit({"mobile": "+994 50 000 00 00", "asan_id": "100401"})
    assert page.status_code == 401 and "yanlışdır" in page.text
    assert 'value="+994 50 000 00 00"' in page.text and 'value="100401"' in page.text


def test_a_wrong_pin1_on_the_phone_does_not_confirm(visitor, db):
    visitor.asan_until_waiting()
    phone = visitor.phone()
    phone.submit({"pin1": "0000", "answer": "confirm"})
    assert "PIN1 yanlışdır" in phone.page.text
    assert "Təsdiqi gözləyirik" in visitor.get(visitor.page.url).text
    assert LoginSession.select().count() == 0


def test_three_wrong_pin1s_refuse_the_request_so_pin1_cannot_be_guessed(visitor, db):
    visitor.asan_until_waiting()
    phone = visitor.phone()
    url, token = phone.page.url, CSRF.search(phone.page.text).group(1)
    for pin1 in ("0000", "1111", "2222", "4401"):
        page = phone.http.post(url, data={"csrf_token": token, "pin1": pin1,
                                          "answer": "confirm"})
    assert "Təsdiq edildi" not in page.text and "Sorğudan imtina etdiniz." in page.text
    assert "Siz telefonda girişdən imtina etdiniz." in visitor.get(visitor.page.url).text
    assert LoginSession.select().count() == 0


def test_a_pin1_confirms_only_the_person_it_was_checked_for(visitor, db, monkeypatch):
    # Rauf confirms his own request with his PIN1 while, in a second request, he
    # names Aysel at the login step: the confirmation must not land on Aysel's name.
    visitor.asan_until_waiting("+994551234402", "100402")
    phone = visitor.phone()
    wait_url = visitor.page.url
    visitor.get(phone.page.url.replace("/asan/phone/", "/asan/login/"))
    real_same_secret, crossing = people.same_secret, []

    def same_secret_while_renamed(given, expected):
        matches = real_same_secret(given, expected)
        if expected == "4402" and not crossing:
            crossing.append(visitor.submit({"mobile": "+994501234401", "asan_id": "100401"}))
        return matches

    monkeypatch.setattr(people, "same_secret", same_secret_while_renamed)
    phone.submit({"pin1": "4402", "answer": "confirm"})
    assert crossing
    visitor.get(wait_url)
    assert signed_in_as(visitor) != "Aysel Məmmədova"
    assert LoginSession.select().count() == 0


def test_refusing_on_the_phone_signs_nobody_in(visitor, db):
    visitor.asan_until_waiting()
    visitor.phone().submit({"answer": "refuse"})
    page = visitor.get(visitor.page.url)
    assert "Siz telefonda girişdən imtina etdiniz." in page.text
    page = visitor.submit({}, action=visitor.link(r'action="([^"]*/cancel/[^"]+)"'))
    assert "Giriş alınmadı" in page.text and "Giriş təsdiqlənmədi" in page.text
    assert LoginSession.select().count() == 0


def test_the_wait_ends_after_two_minutes_and_can_be_tried_again(visitor, db):
    visitor.asan_until_waiting()
    phone = visitor.phone()
    AuthRequest.update(asan_started_at=utcnow() - timedelta(seconds=121)).execute()
    page = visitor.get(visitor.page.url)
    assert "Təsdiq üçün ayrılmış vaxt (2 dəqiqə) bitdi." in page.text
    phone.get(phone.page.url)
    assert "Sorğunun vaxtı bitdi." in phone.page.text and "PIN1" not in phone.page.text
    visitor.submit({}, action=visitor.link(r'action="([^"]*/asan/retry/[^"]+)"'))
    assert 'name="mobile"' in visitor.page.text  # the citizen starts the ASAN step again
    visitor.submit({"mobile": "+994501234401", "asan_id": "100401"})
    visitor.phone().submit({"pin1": "4401", "answer": "confirm"})
    visitor.get(visitor.page.url)
    assert signed_in_as(visitor) == "Aysel Məmmədova"


def test_elektron_imza_signs_rauf_in_with_his_certificate(visitor, db):
    visitor.start("eimza")
    assert "Rauf Əliyev — FİN 6RAUF02" in visitor.page.text
    visitor.submit({"certificate": "6RAUF02", "pin": "240402"})
    assert signed_in_as(visitor) == "Rauf Əliyev"
    assert LoginSession.get().means == "eimza"


def test_elektron_imza_with_a_wrong_pin_signs_nobody_in(visitor, db):
    visitor.start("eimza")
    page = visitor.submit({"certificate": "6RAUF02", "pin": "240401"})
    assert page.status_code == 401 and "PIN kod yanlışdır." in page.text
    # The card tried stays chosen (and only it), so a second try needs only the PIN.
    assert re.findall(r'value="(\w+)"\s+checked', page.text) == ["6RAUF02"]
    assert LoginSession.select().count() == 0


def test_egov_identity_signs_nigar_in_with_a_one_time_code(visitor, db):
    visitor.start("egov")
    visitor.submit({"username": "nigar.egov", "password": "nigar-egov-1"})
    assert "birdəfəlik kod" in visitor.page.text
    code = visitor.phone().code()
    visitor.submit({"code": code})
    assert signed_in_as(visitor) == "Nigar Hüseynova"


def test_egov_identity_gives_three_tries_at_the_code(visitor, db):
    visitor.start("egov")
    visitor.submit({"username": "nigar.egov", "password": "nigar-egov-1"})
    code = visitor.phone().code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        assert "Kod yanlışdır." in visitor.submit({"code": wrong}).text
    assert "çox dəfə yanlış" in visitor.submit({"code": wrong}).text
    page = visitor.submit({"code": code})  # even the right code, now
    assert "çox dəfə yanlış" in page.text and LoginSession.select().count() == 0


def test_egov_identity_with_a_wrong_password_says_so(visitor, db):
    visitor.start("egov")
    page = visitor.submit({"username": "nigar.egov", "password": "nigar-demo-1"})
    assert page.status_code == 401 and "yanlışdır" in page.text
    assert 'value="nigar.egov"' in page.text


def test_every_means_reaches_the_same_account(visitor, db):
    for sign_in in (visitor.sign_in_with_asan, visitor.sign_in_with_eimza,
                    visitor.sign_in_with_egov):
        sign_in()
        assert signed_in_as(visitor) == "Aysel Məmmədova"
        visitor.sign_out()
    assert Citizen.select().where(Citizen.fin == "5AYSL01").count() == 1


def test_a_first_sign_in_opens_the_account_and_shows_no_numbers(visitor, db):
    assert Citizen.get_or_none(Citizen.fin == "8ELVN04") is None
    visitor.sign_in_with_eimza("8ELVN04", "240404")
    elvin = Citizen.get(Citizen.fin == "8ELVN04")
    assert elvin.full_name == "Elvin Qasımov" and elvin.username is None
    page = visitor.get("/calls").text
    assert "ayında sizin adınıza qeydiyyatda olan telefon nömrəsi olmayıb." in page
    visitor.sign_out()
    visitor.sign_in_with_asan("+994771234404", "100404", "4404")
    assert LoginSession.get().citizen_id == elvin.id


def test_sign_out_ends_the_session_at_the_provider_too(visitor, portal, db):
    visitor.sign_in_with_egov()
    assert ProviderSignIn.get().provider == "egov"
    assert AccessToken.get().revoked is False
    page = visitor.sign_out()
    first = page.history[0]
    assert first.headers["Location"].startswith(f"{portal.idp_url}/devidp/egov/logout?")
    assert "id_token_hint=" in first.headers["Location"]
    # Home at a clean address: the provider's «state» is not left in the address bar.
    assert page.url == f"{portal.base_url}/" and "Siz portaldan çıxdınız" in page.text
    assert "state=" in page.history[-1].url
    assert LoginSession.select().count() == 0 and ProviderSignIn.select().count() == 0
    assert AccessToken.get().revoked is True
    # The session cookie is not where the ID token is kept.
    assert all("eyJ" not in cookie.value for cookie in visitor.http.cookies
               if cookie.name == "egov_session")


def test_a_rotated_signing_key_is_picked_up(visitor, portal, db):
    visitor.sign_in_with_eimza()
    visitor.sign_out()
    keys.rotate(portal.provider.config["DEV_IDP_KEYS_DIR"], "eimza")
    published = visitor.get(visitor.idp_url + "/devidp/eimza/jwks").json()["keys"]
    assert len(published) == 2
    visitor.sign_in_with_eimza()
    assert signed_in_as(visitor) == "Aysel Məmmədova"


def _pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def _authorize(visitor, portal, **changes):
    """An authorization request at the ASAN provider, made by the test itself."""
    verifier, challenge = _pkce()
    params = dict(response_type="code", client_id="egov-portal", scope="openid profile",
                  redirect_uri=f"{portal.base_url}/auth/oidc/asan/callback", state="s-1",
                  nonce=secrets.token_urlsafe(8), code_challenge=challenge,
                  code_challenge_method="S256")
    params.update(changes)
    params = {name: value for name, value in params.items() if value is not None}
    page = visitor.http.get(f"{portal.idp_url}/devidp/asan/authorize", params=params)
    return page, verifier


def _exchange(portal, code, verifier):
    return requests.post(
        f"{portal.idp_url}/devidp/asan/token",
        auth=("egov-portal", portal.config["OIDC_ASAN_CLIENT_SECRET"]),
        data=dict(grant_type="authorization_code", code=code, code_verifier=verifier,
                  redirect_uri=f"{portal.base_url}/auth/oidc/asan/callback"))


def test_an_authorization_code_is_exchanged_once_and_only_with_its_verifier(
        visitor, portal, db):
    visitor.page, verifier = _authorize(visitor, portal)
    visitor.submit({"mobile": "+994501234401", "asan_id": "100401"})
    visitor.phone().submit({"pin1": "4401", "answer": "confirm"})
    answer = visitor.http.get(visitor.page.url, allow_redirects=False)
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == ["s-1"]
    code = query["code"][0]
    assert _exchange(portal, code, None).status_code == 400
    assert _exchange(portal, code, _pkce()[0]).json()["error"] == "invalid_grant"
    first = _exchange(portal, code, verifier)
    assert first.status_code == 200 and first.json()["id_token"]
    second = _exchange(portal, code, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert AuthCode.select().count() == 0
    # The portal never started this sign-in: its callback refuses the (spent) code.
    assert "Giriş alınmadı" in visitor.get(answer.headers["Location"]).text
    assert LoginSession.select().count() == 0


@pytest.mark.parametrize("redirect_uri", [
    "https://evil.example/auth/oidc/asan/callback",
    "http://127.0.0.1:1/auth/oidc/asan/callback?next=https://evil.example",
    "http://127.0.0.1:1/elsewhere",
])
def test_the_provider_refuses_a_redirect_anywhere_else(visitor, portal, db, redirect_uri):
    page, _ = _authorize(visitor, portal, redirect_uri=redirect_uri)
    assert page.status_code == 400 and not page.history
    assert AuthRequest.select().count() == 0


@pytest.mark.parametrize("changes", [
    {"code_challenge": None, "code_challenge_method": None},
    {"code_challenge_method": "plain"},
    {"code_challenge_method": None},
    {"nonce": None},
    {"client_id": "someone-else"},
], ids=["no PKCE", "plain PKCE", "PKCE without method", "no nonce", "unknown client"])
def test_the_provider_refuses_an_incomplete_request(visitor, portal, db, changes):
    page, _ = _authorize(visitor, portal, **changes)
    assert page.status_code == 400 and AuthRequest.select().count() == 0


def test_userinfo_gives_the_fin_to_the_bearer_of_the_access_token(visitor, portal, db):
    visitor.sign_in_with_asan()
    token = AccessToken.get()
    info = requests.get(f"{portal.idp_url}/devidp/asan/userinfo",
                        headers={"Authorization": f"Bearer {token.access_token}"}).json()
    assert info["fin"] == "5AYSL01" and info["name"] == "Aysel Məmmədova"
    assert requests.get(f"{portal.idp_url}/devidp/asan/userinfo",
                        headers={"Authorization": "Bearer guess"}).status_code == 401


def test_each_means_is_its_own_issuer(visitor, portal):
    issuers = {means: visitor.get(
        f"{visitor.idp_url}/devidp/{means}/.well-known/openid-configuration").json()
               for means in ("asan", "eimza", "egov")}
    for means, metadata in issuers.items():
        assert metadata["issuer"] == f"{portal.idp_url}/devidp/{means}"
        assert metadata["code_challenge_methods_supported"] == ["S256"]
        assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    kids = {means: {key["kid"] for key in
                    visitor.get(f"{visitor.idp_url}/devidp/{means}/jwks").json()["keys"]}
            for means in issuers}
    assert not kids["asan"] & kids["eimza"] and not kids["eimza"] & kids["egov"]


def test_keys_are_generated_into_the_keys_folder_and_never_published_private(visitor, portal):
    published = json.dumps(visitor.get(visitor.idp_url + "/devidp/asan/jwks").json())
    assert '"d"' not in published and '"kty": "RSA"' in published


def test_production_refuses_the_development_provider(tmp_path):
    with pytest.raises(config.ConfigError, match="DEV_IDP"):
        config.from_environment(tmp_path, environ={
            "EGOV_ENV": "production", "SECRET_KEY": "x", "DATABASE_URL": "postgresql://db/e",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "PUBLIC_URL": "https://portal.example", "DEV_IDP": "1"})


def test_its_own_app_refuses_production_too(app):
    with pytest.raises(config.ConfigError, match="DEV_IDP"):
        devidp.create_app({**app.config, "EGOV_ENV": "production"})


def test_production_refuses_it_even_when_set_after_the_environment(app):
    with pytest.raises(config.ConfigError, match="DEV_IDP"):
        create_app({**app.config, "EGOV_ENV": "production", "DEV_IDP": True})


def test_each_side_lets_its_forms_end_at_the_other_origin_only(portal, visitor):
    # The portal's sign-in and sign-out forms are redirected to the provider's origin; the
    # provider's forms (PIN, code, cancel) back to the portal's callback.
    portal_policy = visitor.get("/auth/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {portal.idp_url};" in portal_policy
    visitor.start("eimza")
    assert visitor.page.url.startswith(portal.idp_url)
    provider_policy = visitor.page.headers["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:* http://localhost:*;" \
        in provider_policy


@pytest.mark.parametrize("language, text", [("en", "Sign and continue"),
                                            ("ru", "Подписать и войти")])
def test_the_provider_on_its_own_origin_speaks_the_citizens_language(visitor, language, text):
    # Its own app, its own Flask-Babel binding: the portal's choice arrives as ui_locales.
    visitor.get(f"/auth/login?lang={language}")
    visitor.submit({}, action="/auth/oidc/eimza/start")
    assert visitor.page.url.startswith(visitor.idp_url)
    assert f'<html lang="{language}">' in visitor.page.text and text in visitor.page.text


def test_the_provider_keeps_its_own_session_cookie(visitor, portal):
    # Cookies are per host, not per port: one name for both would sign the portal out.
    visitor.start("eimza")
    names = {cookie.name for cookie in visitor.http.cookies}
    assert {"egov_session", "devidp_session"} <= names


def test_the_portal_points_unconfigured_means_at_the_development_provider(portal):
    assert portal.config["OIDC_ASAN_ISSUER"] == f"{portal.idp_url}/devidp/asan"


def test_without_dev_idp_there_is_no_development_provider(client):
    assert client.get("/devidp/asan/.well-known/openid-configuration").status_code == 404


def test_the_providers_pages_keep_to_the_strict_content_security_policy(visitor):
    visitor.start("asan")
    pages = [visitor.page]
    visitor.submit({"mobile": "+994501234401", "asan_id": "100401"})
    pages += [visitor.page, visitor.phone().page, visitor.start("eimza"), visitor.start("egov")]
    for page in pages:
        assert page.status_code == 200
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
        assert not re.search(r"\son[a-z]+\s*=", page.text)
        assert "hx-on" not in page.text and "style=" not in page.text
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_signing_in_again_ends_the_earlier_session(visitor, db):
    visitor.sign_in_with_eimza()
    first = LoginSession.get()
    visitor.sign_in_with_asan()
    assert [login.means for login in LoginSession.select()] == ["asan"]
    assert LoginSession.get_or_none(LoginSession.token == first.token) is None
