"""Values the client controls are hostile here, once for each place of egov/ that reads them:
X-Forwarded-For (the access log's address and the sign-in limit's key), X-Forwarded-Host and
-Proto, Accept-Language, the language and session cookies, HX-* headers and every query
parameter a view reads. Nothing answers 500, nothing a client typed is echoed as markup, and
the address recorded is the one TRUSTED_PROXY_COUNT allows: with 0 the connection's own
(X-Forwarded-For ignored), with 1 only the hop the trusted proxy added."""
import pytest

from egov import access_log, create_app
from egov.demo import AYSEL_FIRST_LINE
from egov.models import AccessEntry, Claim

from .conftest import AuthActions, StaffActions, csrf_token

PROXY = "10.0.0.5"  # the address the app's connection comes from (the proxy, when there is one)
FORGED = "6.6.6.6, 7.7.7.7"  # what a client sends in X-Forwarded-For itself


def _portal(app, proxies):
    portal = create_app({**app.config, "TRUSTED_PROXY_COUNT": proxies}).test_client()
    portal.environ_base["REMOTE_ADDR"] = PROXY
    return portal


@pytest.mark.parametrize("proxies, forwarded_for, recorded", [
    (0, FORGED, PROXY),  # no proxy trusted: the header is the client's own words
    (1, f"{FORGED}, 203.0.113.7", "203.0.113.7"),  # the proxy appended the real client
])
def test_the_access_log_records_the_address_the_trusted_proxies_allow(
        app, demo, proxies, forwarded_for, recorded):
    portal = _portal(app, proxies)
    portal.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert AuthActions(portal).login().status_code == 302
    sign_in = AccessEntry.get(AccessEntry.action == access_log.SIGN_IN)
    assert sign_in.address == recorded


def test_a_forged_x_forwarded_for_does_not_escape_the_limit_per_address(app, demo):
    portal = _portal(app, 0)
    statuses = []
    for i in range(11):  # ten names, each under its own limit of five, from one address
        portal.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{i}"
        statuses.append(AuthActions(portal).login(f"guess-{i}", "wrong").status_code)
    assert statuses == [303] * 10 + [429]


def test_behind_one_proxy_the_limit_per_address_is_the_clients_not_the_proxys(app, demo):
    portal = _portal(app, 1)
    for i in range(10):
        portal.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
        assert AuthActions(portal).login(f"guess-{i}", "wrong").status_code == 303
    assert AuthActions(portal).login("guess-x", "wrong").status_code == 429
    portal.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.7, {FORGED}, 203.0.113.8"
    assert AuthActions(portal).login("guess-y", "wrong").status_code == 303  # another citizen


def test_forwarded_host_and_proto_are_ignored_without_a_trusted_proxy(app, demo):
    portal = create_app({**app.config, "TRUSTED_PROXY_COUNT": 0,
                         "PUBLIC_URL": "https://portal.example", "TRUSTED_HOSTS": None}
                        ).test_client()
    response = portal.get("/services", headers={
        "Host": "portal.example", "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "javascript", "X-Forwarded-Prefix": "/evil"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "evil" not in page and "javascript" not in page
    assert "evil" not in response.headers.get("Link", "")


HOSTILE_LANGUAGES = ["xx;q=abc,,,;;", "en;q=nan, ru;q=-1", "en-US," * 2000, "*;q=0", "\u0259z"]


@pytest.mark.parametrize("header", HOSTILE_LANGUAGES, ids=range(len(HOSTILE_LANGUAGES)))
def test_a_hostile_accept_language_gets_a_page_in_one_of_the_three(client, demo, header):
    response = client.get("/services", headers={"Accept-Language": header})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert any(f'<html lang="{lang}">' in page for lang in ("az", "en", "ru"))
    assert response.headers["Content-Language"] in ("az", "en", "ru")


@pytest.mark.parametrize("value", ["../../etc/passwd", "en\u0000", "<b>ru</b>", "x" * 4000, ""])
def test_a_hostile_language_cookie_is_ignored(app, client, demo, value):
    client.set_cookie("lang", value)
    response = client.get("/services")
    assert response.status_code == 200 and '<html lang="az">' in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["garbage", "e30.aGVsbG8.c2ln", "\u0259" * 100, "x" * 3000])
def test_a_forged_session_cookie_signs_nobody_in(app, client, demo, value):
    client.set_cookie("egov_session", value)
    assert client.get("/calls").status_code == 302
    assert client.get("/services").status_code == 200


HOSTILE = ["", "<script>alert(1)</script>", "../../../etc/passwd", "-1",
           "99999999999999999999999", "2026-13", "٢٠٢٦-١٢", "\u202e", "https://evil.example/",
           "x" * 5000]
# Each query parameter a view of egov/ reads (request.args, request.values).
CITIZEN_PARAMETERS = [("/calls", "line"), ("/calls", "month"), ("/calls", "kind"),
                      ("/calls", "sort"), ("/calls", "q"), ("/calls/export.csv", "line"),
                      ("/calls/export.pdf", "month"), ("/calls/claims/new", "line"),
                      ("/calls/claims/new", "month"), ("/account/access-log", "before"),
                      ("/services", "lang"), ("/auth/session-ended", "next")]
VISITOR_PARAMETERS = [("/auth/login", "next"), ("/", "state"), ("/staff/login", "next"),
                      ("/auth/session-ended", "next"), ("/services", "lang")]
STAFF_PARAMETERS = [("/staff/claims", "status"), ("/staff/my-actions", "before")]


def _assert_harmless(response):
    body = response.get_data().decode(errors="replace")  # the PDF is bytes
    assert response.status_code in (200, 302, 303, 400, 404), response.status_code
    assert "Traceback" not in body and "<script>alert(1)" not in body
    assert "evil.example" not in response.headers.get("Location", "")


@pytest.mark.parametrize("path, name", CITIZEN_PARAMETERS + VISITOR_PARAMETERS
                         + STAFF_PARAMETERS)
def test_every_query_parameter_read_is_harmless_when_hostile(app, demo, path, name):
    browser = app.test_client()
    if (path, name) in CITIZEN_PARAMETERS:
        AuthActions(browser).login()
    elif (path, name) in STAFF_PARAMETERS:
        StaffActions(browser).login()
    for value in HOSTILE:
        _assert_harmless(browser.get(path, query_string={name: value}))
        _assert_harmless(browser.get(path, query_string=[(name, value), (name, "2")]))
        _assert_harmless(browser.get(path, headers={"HX-Request": "true", "HX-Target": value,
                                                    "HX-Current-URL": value},
                                     query_string={name: value}))


def test_hostile_callback_arguments_are_refused_in_azerbaijani(client, demo):
    for query in ({"state": "x" * 5000, "code": "c"}, {"state": ["a", "b"], "code": "c"},
                  {"error": "<script>alert(1)</script>", "state": "s"},
                  {"iss": "https://evil.example", "state": "s", "code": "c"}):
        response = client.get("/auth/oidc/asan/callback", query_string=query,
                              follow_redirects=True)
        _assert_harmless(response)


def test_a_hostile_claim_form_files_nothing(client, auth, demo):
    auth.login()
    for line, calls in ((AYSEL_FIRST_LINE, ["-1"]), (AYSEL_FIRST_LINE, ["1e9"]),
                        ("<script>alert(1)</script>", ["1"]), (AYSEL_FIRST_LINE, ["٣"])):
        response = client.post("/calls/claims/new", data={
            "csrf_token": csrf_token(client, "/calls/claims"), "line": line, "calls": calls,
            "reason": "x"})
        _assert_harmless(response)
    assert Claim.select().count() == 0
