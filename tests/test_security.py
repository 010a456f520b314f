"""Headers and markup that let a strict Content-Security-Policy hold."""
import re

import pytest

from egov.identity.sessions import SESSION_BY_TOKEN

from .support.pages import csrf_token
from .support.shapes import built_anew


@pytest.fixture(autouse=True)
def session_reads_built_anew():
    """The session reads are built once per process (egov.db.SameShape): each test here
    builds them itself, or mutmut, running a test after others in one process, sees none
    of what a mutant of `sessions._with_owner` changes in them."""
    built_anew(*SESSION_BY_TOKEN.values())


PAGES = ["/", "/services", "/services/nrytn", "/auth/login", "/auth/how-to-obtain/eimza",
         "/calls/manual", "/calls/video", "/staff/login"]


@pytest.mark.parametrize("path", PAGES)
def test_no_inline_scripts_or_handlers(client, path):
    page = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\son[a-z]+\s*=", page)
    assert "hx-on" not in page and "style=" not in page


def test_content_security_policy_is_strict(client):
    """Every directive, whole: a loosened one (an inline script, a foreign image, a frame
    around the portal) is a decision, made here in the open, not a side effect."""
    policy = client.get("/").headers["Content-Security-Policy"]
    assert [part.strip() for part in policy.split(";")] == [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]


@pytest.mark.parametrize("path", ["/", "/services", "/no-such-page", "/healthz"])
def test_every_answer_carries_the_browsers_safety_headers(client, path):
    """No guessing a file's type, no address sent to other sites, no frame around a page."""
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    # The same URL answers a page or an htmx fragment: a cache must not mix them up.
    assert "HX-Request" in [name.strip() for name in headers["Vary"].split(",")]


def test_the_sign_in_page_is_never_stored_and_a_public_page_may_be(client):
    """A kiosk's Back button must not bring back what the last person typed to sign in."""
    assert client.get("/auth/login").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/services").headers.get("Cache-Control", "")


def test_htmx_is_vendored_with_its_licence(client):
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200
    assert "Zero-Clause BSD" in client.get("/static/vendor/htmx-2.0.11.LICENSE").get_data(
        as_text=True)


def test_htmx_keeps_no_page_copies_in_local_storage(client):
    assert '"historyCacheSize": 0' in client.get("/").get_data(as_text=True)



def _keeps_the_policy(page):
    return ("style=" not in page and "hx-on" not in page and not re.search(r"\son[a-z]+\s*=", page)
            and not re.search(r"<script(?![^>]*\bsrc=)", page))


def test_toolbar_pages_keep_the_policy_too(client, auth, staff_auth, demo):
    """The report's toolbar pages, for a citizen and then for the operator's staff."""
    auth.login()
    for path in ("/calls", "/calls/feedback", "/calls/claims", "/calls/claims/new"):
        assert _keeps_the_policy(client.get(path).get_data(as_text=True)), path
    staff_auth.login()
    for path in ("/staff/claims", "/staff/feedback"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store"
        assert _keeps_the_policy(response.get_data(as_text=True)), path


# --- CSRF: every route that accepts a POST refuses one without the token ---

# The portal takes no POST without its CSRF token: every one comes from a page of ours.
PORTAL_CSRF_EXEMPT = set()

# The development provider is an app of its own (egov/devidp/app.py), on its own origin.
# Routes of it that rightly take a POST without its CSRF token. Each is called by another
# party than a page of its own, so no token of its could be in it:
DEVIDP_CSRF_EXEMPT = {
    # The development provider's back channel: the portal's server posts the code with
    # its client secret and PKCE verifier (RFC 6749 §3.2); that is the request's proof.
    "devidp.token",
    # Called with the access token as bearer (OIDC Core §5.3), by the relying party's server.
    "devidp.userinfo",
    # RP-initiated logout: the portal's page sends the browser here from another origin,
    # with id_token_hint (OIDC RP-Initiated Logout §2); ending a session is all it does.
    "devidp.logout",
}


# How each app refuses a POST without its token: the portal with its own error page,
# the provider with Flask-WTF's plain 400.
PORTAL_REFUSAL = "Formun vaxtı keçib"
DEVIDP_REFUSAL = "The CSRF token is missing."


def _csrf_walk_fixtures(app, tmp_path):
    """The portal with every blueprint served, the development provider as its own app
    (its tables created), a claim to answer, and two browsers of the portal: a
    citizen's and the operator's employee's."""
    from egov import create_app, devidp
    from egov.demo import AYSEL_FIRST_LINE, prepare_demo

    from .conftest import DATA_DIR, AuthActions, StaffActions
    from .support.claims import call_ids, file_claim

    prepare_demo(DATA_DIR)
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    free_call = call_ids(claim.citizen, AYSEL_FIRST_LINE)[1]
    walked = create_app({**app.config, "DEV_IDP": True,
                         "DEV_IDP_KEYS_DIR": str(tmp_path / "devidp")})
    provider = devidp.create_app({**app.config, "DEV_IDP_URL": "http://127.0.0.1:5001",
                                  "DEV_IDP_KEYS_DIR": str(tmp_path / "devidp")})
    citizen, staff = walked.test_client(), walked.test_client()
    assert AuthActions(citizen).login().status_code == 302
    assert StaffActions(staff).login().status_code == 302
    # What each form would need to succeed: so that an unchecked POST would write.
    valid = {
        "auth.login_password": {"username": "rauf", "password": "rauf-demo-1"},
        "feedback.form": {"rating": "5", "message": "Çox yaxşı xidmətdir."},
        "claims.new": {"line": AYSEL_FIRST_LINE, "calls": [str(free_call)],
                       "reason": "Bu zəngi etməmişəm."},
        "staff.login": {"username": "operator", "password": "operator-demo-1"},
        "staff.claim_detail": {"decision": "reject", "answer": "Zəng edilib."},
    }
    args = {"means": "asan", "request_id": "x", "reference": claim.reference}
    return walked, provider, citizen, staff, valid, args


def _everything_stored():
    from egov.devidp.models import DEVIDP_MODELS
    from egov.models import ALL_MODELS

    return {model.__name__: sorted(map(repr, model.select().tuples()))
            for model in (*ALL_MODELS, *DEVIDP_MODELS)}


def test_every_post_route_refuses_a_request_without_its_csrf_token(app, db, tmp_path):
    """Walks the URL map, so a route added later is held to the same rule."""
    walked, provider, citizen, staff, valid, args = _csrf_walk_fixtures(app, tmp_path)
    before = _everything_stored()
    db.close()
    posted = set()
    provider_browser = provider.test_client()
    for served, exempt, refusal in ((walked, PORTAL_CSRF_EXEMPT, PORTAL_REFUSAL),
                                    (provider, DEVIDP_CSRF_EXEMPT, DEVIDP_REFUSAL)):
        for rule in served.url_map.iter_rules():
            if "POST" not in rule.methods or rule.endpoint in exempt:
                continue
            path = rule.build({name: args[name] for name in rule.arguments})[1]
            if served is provider:
                browser = provider_browser
            else:
                browser = staff if rule.endpoint.startswith("staff.") else citizen
            response = browser.post(path, data=valid.get(rule.endpoint, {}))
            assert response.status_code == 400, f"{rule.endpoint} took a POST without a token"
            assert refusal in response.get_data(as_text=True), rule.endpoint
            posted.add(rule.endpoint)
    assert _everything_stored() == before, "a POST without a token wrote something"
    assert set(valid) | {"auth.logout", "staff.logout", "claims.new"} <= posted
    assert {"devidp.asan_login", "devidp.eimza_login", "devidp.egov_login"} <= posted


def test_the_csrf_exemptions_are_exactly_the_ones_listed(app, db, tmp_path):
    """An exemption that is no longer needed, or a new one, must be decided here."""
    walked, provider, *_ = _csrf_walk_fixtures(app, tmp_path)
    db.close()

    def exemptions(served, refusal):
        exempt = set()
        for rule in served.url_map.iter_rules():
            if "POST" in rule.methods:
                path = rule.build({"means": "asan", "request_id": "x", "reference": "RK-X"})[1]
                if refusal not in served.test_client().post(path).get_data(as_text=True):
                    exempt.add(rule.endpoint)
        return exempt

    assert exemptions(walked, PORTAL_REFUSAL) == PORTAL_CSRF_EXEMPT
    assert exemptions(provider, DEVIDP_REFUSAL) == DEVIDP_CSRF_EXEMPT


# --- Error pages: a whole page to a plain request, a fragment with its title to htmx ---


def test_an_error_is_a_whole_page_with_its_title_and_message(client):
    response = client.get("/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "<html" in page
    assert "<h1>Səhifə tapılmadı</h1>" in page
    assert "Axtardığınız səhifə yoxdur və ya sizin üçün açıq deyil." in page


def test_an_error_page_does_not_send_the_cleared_screen_back_to_the_failed_address(
        client, auth, demo):
    # Signed in, a page carries a no-script refresh to «session ended» when the session
    # runs out, with the address to come back to; an error page's address is not one.
    auth.login()
    calls = client.get("/calls").get_data(as_text=True)
    assert re.search(r'http-equiv="refresh" content="\d+; url=/auth/session-ended\?next=/calls"',
                     calls)
    missing = client.get("/no-such-page").get_data(as_text=True)
    assert re.search(r'http-equiv="refresh" content="\d+; url=/auth/session-ended"', missing)


@pytest.mark.parametrize("lang, title", [("az", "Xəta baş verdi"), ("en", "An error occurred"),
                                         ("ru", "Произошла ошибка")])
def test_an_unexpected_error_is_a_page_in_the_citizens_language_not_a_traceback(
        app, client, lang, title):
    """A bug in a view: the citizen gets a 500 page that says to try again, in their
    language, and nothing of the code."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as outside TESTING: the handler answers

    @app.route("/a-view-with-a-bug")
    def a_view_with_a_bug():
        raise ZeroDivisionError("the bug's own words")

    response = client.get(f"/a-view-with-a-bug?lang={lang}")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and f"<h1>{title}</h1>" in page
    if lang == "az":
        assert ("<p>Xidmətdə gözlənilməz xəta baş verdi. Bir az sonra yenidən cəhd edin.</p>"
                in page)
    assert "ZeroDivisionError" not in page and "the bug's own words" not in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def _refused_sign_in(client):
    return client.post("/auth/login/password", data={"username": "aysel", "password": "x"})


def _guessing(client):
    for attempt in range(6):
        response = client.post("/auth/login/password", data={
            "username": "aysel", "password": f"guess-{attempt}", "csrf_token": csrf_token(client)})
    return response


@pytest.mark.parametrize("ask, status, title, message", [
    (lambda client: client.get("/no-such-page"), 404, "Səhifə tapılmadı",
     "Axtardığınız səhifə yoxdur və ya sizin üçün açıq deyil."),
    (_refused_sign_in, 400, "Formun vaxtı keçib", "Səhifəni yeniləyin və yenidən cəhd edin."),
    (lambda client: client.get("/auth/logout"), 405, "Bu əməliyyat mümkün deyil",
     "Bu ünvan belə sorğunu qəbul etmir."),
    (_guessing, 429, "Çox sayda cəhd", "Bir neçə dəqiqə gözləyin və yenidən cəhd edin."),
], ids=["404", "400-csrf", "405", "429"])
def test_each_refusal_has_its_own_status_title_and_message(client, demo, ask, status, title,
                                                           message):
    response = ask(client)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert f"<h1>{title}</h1>\n  <p>{message}</p>" in page


def test_an_error_asked_for_by_htmx_is_a_fragment_that_brings_its_title(client):
    response = client.get("/no-such-page", headers={"HX-Request": "true", "HX-Target": "main"})
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "<html" not in page
    assert "<title>Səhifə tapılmadı — Elektron Hökumət Portalı</title>" in page
    assert "<h1>Səhifə tapılmadı</h1>" in page
    assert "Axtardığınız səhifə yoxdur və ya sizin üçün açıq deyil." in page


def form_action(response):
    policy = response.headers["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if "form-action" in part)


def test_without_providers_forms_go_nowhere_but_the_portal(client):
    assert form_action(client.get("/auth/login")) == "form-action 'self'"


def test_forms_may_end_at_exactly_the_providers_sign_in_and_sign_out_origins(app):
    # "Daxil ol" without JavaScript posts, then is redirected to the authorization
    # endpoint; "Çıxış" to the end-session endpoint: CSP form-action governs both hops.
    from egov import create_app
    from tests.support.fake_provider import CLIENT_ID, CLIENT_SECRET, FakeProvider
    from tests.support.live import serving

    signing_in, signing_out = FakeProvider(), FakeProvider()
    signing_out.end_session = True
    with serving(signing_in) as first, serving(signing_out) as second:
        signing_in.base_url, signing_out.base_url = first, second
        portal = create_app({**app.config, **{
            f"OIDC_{means}_{key}": value
            for means, provider in (("ASAN", signing_in), ("EGOV", signing_out))
            for key, value in (("ISSUER", provider.issuer), ("CLIENT_ID", CLIENT_ID),
                               ("CLIENT_SECRET", CLIENT_SECRET))}}).test_client()
        assert form_action(portal.get("/auth/login")) == \
            f"form-action 'self' {' '.join(sorted([first, second]))}"


def test_an_unreachable_provider_adds_nothing_and_is_not_asked_on_every_page(app):
    from egov import create_app
    from tests.support.live import free_port

    down = f"http://127.0.0.1:{free_port()}"
    portal = create_app({**app.config, "OIDC_ASAN_ISSUER": down, "OIDC_ASAN_CLIENT_ID": "c",
                         "OIDC_ASAN_CLIENT_SECRET": "s"}).test_client()
    assert form_action(portal.get("/auth/login")) == "form-action 'self'"
    client = portal.application.extensions["egov_oidc"].create_client("asan")
    failed_at = client.server_metadata["_egov_failed_at"]
    portal.get("/")
    assert client.server_metadata["_egov_failed_at"] == failed_at  # not asked again yet


# --- A NUL byte is invalid input: refused in the citizen's language, never a 500 ---------
# PostgreSQL cannot store a NUL, nor compare with one: before, every one of these was a 500
# there (`make test`'s second pass runs this file on PostgreSQL too).

REFUSED = {"az": ("Sorğu qəbul edilmədi",
                  "Ünvanda və ya yazdığınızda qəbul edilməyən simvol var. Onu silib yenidən cəhd "
                  "edin."),
           "en": ("The request was not accepted",
                  "The address or what you typed contains a character that is not accepted. "
                  "Remove it and try again."),
           "ru": ("Запрос не принят",
                  "В адресе или в введённом тексте есть недопустимый символ. Удалите его и "
                  "попробуйте снова.")}


def _a_free_call(claim):
    from egov.demo import AYSEL_FIRST_LINE

    from .support.claims import call_ids

    return call_ids(claim.citizen, AYSEL_FIRST_LINE)[1]  # the claim disputes the first


def _citizen_form(client, path, **fields):
    from egov.demo import AYSEL_FIRST_LINE

    return client.post(path, data={"csrf_token": csrf_token(client, "/calls/claims"),
                                   "line": AYSEL_FIRST_LINE, **fields})


NUL_AS_A_CITIZEN = {
    "claim page": lambda client, claim: client.get("/calls/claims/%00"),
    "report line": lambda client, claim: client.get("/calls?line=%00"),
    "query name": lambda client, claim: client.get("/calls?%00=1"),
    # A name given twice: each of its values is checked, not the first alone.
    "second report line": lambda client, claim: client.get("/calls?line=0183456789&line=%00"),
    "claim reason": lambda client, claim: _citizen_form(
        client, "/calls/claims/new", calls=[str(_a_free_call(claim))],
        reason="Bu zəngi\x00 etməmişəm."),
    "claim line": lambda client, claim: _citizen_form(
        client, "/calls/claims/new", line="0124401234\x00", calls=["1"], reason="Etməmişəm."),
    "second claim call": lambda client, claim: _citizen_form(
        client, "/calls/claims/new", calls=[str(_a_free_call(claim)), "1\x00"],
        reason="Etməmişəm."),
    "feedback": lambda client, claim: _citizen_form(client, "/calls/feedback", rating="5",
                                                    message="Yaxşı\x00 xidmətdir."),
}
NUL_AS_STAFF = {
    "claim page": lambda client, claim: client.get("/staff/claims/%00"),
    "status filter": lambda client, claim: client.get("/staff/claims?status=%00"),
    "answer": lambda client, claim: client.post(f"/staff/claims/{claim.reference}", data={
        "csrf_token": csrf_token(client, "/staff/claims"), "decision": "reject",
        "answer": "Zəng\x00 edilib."}),
}


@pytest.fixture
def a_claim(demo, db):
    from egov.demo import AYSEL_FIRST_LINE

    from .support.claims import file_claim

    return file_claim("aysel", AYSEL_FIRST_LINE, [0])


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
@pytest.mark.parametrize("who, ask", [("citizen", ask) for ask in NUL_AS_A_CITIZEN.values()]
                         + [("staff", ask) for ask in NUL_AS_STAFF.values()],
                         ids=[f"citizen-{name}" for name in NUL_AS_A_CITIZEN]
                         + [f"staff-{name}" for name in NUL_AS_STAFF])
def test_a_nul_anywhere_is_refused_as_invalid_input_in_the_citizens_language(
        client, auth, staff_auth, a_claim, who, ask, lang):
    from egov.models import Claim, ClaimEvent, Feedback

    auth.login() if who == "citizen" else staff_auth.login()
    client.get(f"/services?lang={lang}")
    before = (Claim.select().count(), ClaimEvent.select().count(), Feedback.select().count())
    response = ask(client, a_claim)
    page = response.get_data(as_text=True)
    title, message = REFUSED[lang]
    assert response.status_code == 400
    assert f"<h1>{title}</h1>\n  <p>{message}</p>" in page
    assert (Claim.select().count(), ClaimEvent.select().count(),
            Feedback.select().count()) == before


SIGN_IN_REFUSED = {"az": "Bu sahədə qəbul edilməyən simvol var.",
                   "en": "This field contains a character that is not accepted.",
                   "ru": "В этом поле есть недопустимый символ."}


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_a_nul_in_a_citizens_sign_in_is_the_forms_own_error_and_a_failed_attempt(
        client, demo, lang):
    client.get(f"/auth/login?lang={lang}")
    for attempt in range(10):  # each its own user name: only the address's limit counts them
        refused = client.post("/auth/login/password", data={
            "username": f"aysel\x00{attempt}", "password": "aysel-demo-1",
            "csrf_token": csrf_token(client)})
        assert refused.status_code == 303
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert SIGN_IN_REFUSED[lang] in page
    # Ten refusals from this address: the eleventh sign-in waits, right password or not.
    assert client.post("/auth/login/password", data={
        "username": "aysel", "password": "aysel-demo-1",
        "csrf_token": csrf_token(client)}).status_code == 429


def test_a_nul_in_a_staff_sign_in_is_the_forms_own_error_and_a_failed_attempt(client, demo):
    for attempt in range(5):
        refused = client.post("/staff/login?lang=en", data={
            "username": "operator\x00", "password": "operator-demo-1",
            "csrf_token": csrf_token(client, "/staff/login")})
        assert refused.status_code == 401
        assert SIGN_IN_REFUSED["en"] in refused.get_data(as_text=True)
    assert client.post("/staff/login", data={
        "username": "operator\x00", "password": "operator-demo-1",
        "csrf_token": csrf_token(client, "/staff/login")}).status_code == 429


# --- A signed-in person's pages are never stored, wherever they are ---------------------

@pytest.mark.parametrize("path", ["/services", "/auth/session", "/no-such-page", "/calls/manual"])
def test_every_page_a_signed_in_staff_member_gets_is_no_store(client, staff_auth, demo, path):
    """Staff pages under /staff were; a staff member's catalogue, session clock or 404 were
    not, so Back on a shared computer could show them after sign-out."""
    assert staff_auth.login().status_code == 302
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_any_other_bad_request_is_the_portals_page_in_the_citizens_language(app, client):
    from flask import abort

    @app.route("/a-view-refusing-its-request")
    def a_view_refusing_its_request():
        abort(400)

    response = client.get("/a-view-refusing-its-request?lang=ru")
    assert response.status_code == 400
    assert ("<h1>Запрос не принят</h1>\n  <p>Запрос некорректен. Обновите страницу и попробуйте "
            "снова.</p>") in response.get_data(as_text=True)
