"""The development providers' pages: each means as its citizen knows it, and the
OpenID Connect endpoints (discovery, JWKS, authorize, token, userinfo, logout).

A sign-in at a provider is an AuthRequest row: the authorization request,
validated by Authlib and kept while the citizen proves who they are (on the
"phone", with the card, with a one-time code); when they have, the same request
is replayed to Authlib, which answers the portal with a code."""
import json
import secrets
from datetime import timedelta

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .. import i18n
from ..db import database
from ..extensions import csrf
from ..htmx import navigate, render
from ..timeutil import utcnow
from . import lockout, people, pki
from .models import AuthRequest
from .server import provider

bp = Blueprint("devidp", __name__, url_prefix="/devidp", template_folder="templates",
               static_folder="static", static_url_path="/static")

REQUEST_LIFETIME = timedelta(minutes=10)
OTP_LIFETIME = timedelta(minutes=5)
TITLES = {"asan": "ASAN İmza", "eimza": _l("elektron imza"), "egov": _l("e-gov identity")}


# The provider's own language choice: its own cookie (cookies do not keep ports apart, and
# the portal's choice is the portal's), and the relying party's ui_locales when it asks.
COOKIE = "devidp_lang"


@bp.before_request
def _choose_language():
    asked = [tag.split("-")[0].lower() for tag in request.args.get("ui_locales", "").split()]
    language = i18n.choose(COOKIE, *asked)
    if not i18n.requested() and language in asked:
        i18n.remember(language, COOKIE)


bp.context_processor(i18n.template_context)
bp.after_request(i18n.send_language)


@bp.after_request
def _not_stored(response):
    # Codes, challenges and form tokens: nothing of a sign-in belongs in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(429)
def _too_many(error):
    # Only the sign-in forms are limited: devidp.asan_login, devidp.egov_login.
    means = request.endpoint.split(".")[-1].split("_")[0]
    return _page(means, "devidp/error.html", _("Çox sayda cəhd"), status=429,
                 message=_("Cəhdlərin sayı həddi keçib. 15 dəqiqədən sonra yenidən cəhd edin."))


# --- OpenID Connect endpoints -------------------------------------------------------

@bp.route("/<any(asan, eimza, egov):means>/.well-known/openid-configuration")
def discovery(means):
    return jsonify(provider(means).metadata())


@bp.route("/<any(asan, eimza, egov):means>/jwks")
def jwks(means):
    return jsonify(provider(means).published_keys().as_dict(private=False))


@bp.route("/<any(asan, eimza, egov):means>/token", methods=["POST"])
@csrf.exempt
def token(means):
    return provider(means).create_token_response()


@bp.route("/<any(asan, eimza, egov):means>/userinfo", methods=["GET", "POST"])
@csrf.exempt
def userinfo(means):
    return provider(means).create_endpoint_response("userinfo")


@bp.route("/<any(asan, eimza, egov):means>/logout", methods=["GET", "POST"])
@csrf.exempt
def logout(means):
    return provider(means).create_endpoint_response("end_session") or _page(
        means, "devidp/signed_out.html", _("Çıxış edildi"))


@bp.route("/<any(asan, eimza, egov):means>/authorize")
def authorize(means):
    try:
        provider(means).consent_grant()
    except OAuth2Error as error:
        return _page(means, "devidp/error.html", _("Sorğu qəbul edilmədi"),
                     message=error.description or error.error, status=400)
    auth_request = AuthRequest.create(
        id=secrets.token_urlsafe(24), means=means, created_at=utcnow(),
        params=json.dumps(request.args.to_dict(flat=True)))
    return navigate(url_for(f"devidp.{means}_login", request_id=auth_request.id))


# --- shared steps ------------------------------------------------------------------------

def _page(means, template, title, status=200, fragments=None, **context):
    body = render(template, fragments, title=title, means=means, means_title=TITLES[means],
                  **context)
    return body, status


def _pending(means, request_id):
    """The live sign-in with this id at this provider, or 404."""
    auth_request = AuthRequest.get_or_none(id=request_id, means=means)
    if auth_request is None or utcnow() - auth_request.created_at > REQUEST_LIFETIME:
        abort(404)
    return auth_request


def _one_time_code(digits):
    return f"{secrets.randbelow(10 ** digits):0{digits}d}"


def _answer_portal(auth_request, person):
    """Back to the portal with a code (or access_denied when `person` is None), once."""
    with database.atomic():
        taken = AuthRequest.delete().where(AuthRequest.id == auth_request.id).execute()
    if not taken:
        abort(404)  # already answered (two polls crossing)
    response = provider(auth_request.means).authorize(json.loads(auth_request.params), person)
    location = response.headers.get("Location")
    return navigate(location) if location else response


@bp.route("/<any(asan, eimza, egov):means>/cancel/<request_id>", methods=["POST"])
def cancel(means, request_id):
    return _answer_portal(_pending(means, request_id), None)


# --- ASAN İmza -----------------------------------------------------------------------------

def _asan_state(auth_request):
    timeout = timedelta(seconds=current_app.config["DEV_IDP_ASAN_TIMEOUT_SECONDS"])
    if auth_request.asan_status == "waiting" and utcnow() - auth_request.asan_started_at > timeout:
        return "timeout"
    return auth_request.asan_status


@bp.route("/asan/login/<request_id>", methods=["GET", "POST"], endpoint="asan_login")
@lockout.limit_asan_requests
def asan_login(request_id):
    auth_request = _pending("asan", request_id)
    error = None
    if request.method == "POST":
        person = people.by_asan(request.form.get("mobile", ""), request.form.get("asan_id", ""))
        if person is None:
            error = _("Mobil nömrə və ya ASAN İstifadəçi ID-si yanlışdır.")
        else:
            auth_request.fin = person.fin
            auth_request.asan_code = _one_time_code(4)
            auth_request.asan_started_at = utcnow()
            auth_request.asan_status = "waiting"
            auth_request.save()
            return navigate(url_for("devidp.asan_wait", request_id=request_id))
    return _page("asan", "devidp/asan_login.html", _("ASAN İmza ilə giriş"),
                 status=401 if error else 200, auth_request=auth_request, error=error,
                 form=request.form)


@bp.route("/asan/wait/<request_id>", endpoint="asan_wait")
def asan_wait(request_id):
    auth_request = _pending("asan", request_id)
    state = _asan_state(auth_request)
    if state is None:
        return navigate(url_for("devidp.asan_login", request_id=request_id))
    if state == "confirmed":
        return _answer_portal(auth_request, people.by_fin(auth_request.fin))
    return _page("asan", "devidp/asan_wait.html", _("Telefonunuzda təsdiq edin"),
                 fragments={"asan-status": "devidp/_asan_status.html"},
                 auth_request=auth_request, state=state, time_limit=_time_limit())


def _time_limit():
    seconds = current_app.config["DEV_IDP_ASAN_TIMEOUT_SECONDS"]
    if seconds % 60 == 0:
        return ngettext("%(num)d dəqiqə", "%(num)d dəqiqə", seconds // 60)
    return ngettext("%(num)d saniyə", "%(num)d saniyə", seconds)


@bp.route("/asan/phone/<request_id>", methods=["GET", "POST"], endpoint="asan_phone")
def asan_phone(request_id):
    """Stands in for the citizen's phone with the ASAN İmza SIM."""
    auth_request = _pending("asan", request_id)
    state, error = _asan_state(auth_request), None
    person = people.by_fin(auth_request.fin)
    if request.method == "POST" and state == "waiting":
        if request.form.get("answer") == "refuse":
            state = "refused"
        else:
            state, error = _check_pin1(auth_request, person)
        if state != "waiting":
            # Only if it still names the person whose PIN1 was checked, for the same code:
            # a login step crossing this request must not inherit the confirmation.
            AuthRequest.update(asan_status=state).where(
                (AuthRequest.id == request_id) & (AuthRequest.asan_status == "waiting")
                & (AuthRequest.fin == auth_request.fin)
                & (AuthRequest.asan_code == auth_request.asan_code)).execute()
    return _page("asan", "devidp/asan_phone.html", _("ASAN İmza — telefon"),
                 status=401 if error else 200, auth_request=auth_request, state=state,
                 error=error)


def _check_pin1(auth_request, person):
    """(state, error) after one PIN1: whoever started a sign-in in someone's name must not
    try every PIN1 (a real SIM blocks): three tries per request, counted before the check."""
    try:
        left = lockout.take_secret_try(
            auth_request, AuthRequest.asan_status == "waiting",
            AuthRequest.fin == auth_request.fin, AuthRequest.asan_code == auth_request.asan_code)
    except lockout.NoTriesLeft:
        return "refused", None
    if people.same_secret(request.form.get("pin1"), person.pin1):
        return "confirmed", None
    return ("waiting" if left else "refused"), _("PIN1 yanlışdır.")


@bp.route("/asan/retry/<request_id>", methods=["POST"], endpoint="asan_retry")
def asan_retry(request_id):
    auth_request = _pending("asan", request_id)
    auth_request.asan_status = auth_request.asan_code = auth_request.asan_started_at = None
    auth_request.save()
    return navigate(url_for("devidp.asan_login", request_id=request_id))


# --- elektron imza ----------------------------------------------------------------------

def _certificates():
    keys_dir = current_app.config["DEV_IDP_KEYS_DIR"]
    found = ((person, pki.certificate_pem(keys_dir, person.fin)) for person in people.PEOPLE)
    return [dict(pki.describe(pem), fin=person.fin, blocked=lockout.is_blocked(person.fin))
            for person, pem in found if pem]


@bp.route("/eimza/login/<request_id>", methods=["GET", "POST"], endpoint="eimza_login")
def eimza_login(request_id):
    auth_request = _pending("eimza", request_id)
    keys_dir = current_app.config["DEV_IDP_KEYS_DIR"]
    error = None
    if request.method == "POST":
        fin, challenge = request.form.get("certificate", ""), auth_request.challenge
        # The challenge is used once, whatever the outcome.
        taken = AuthRequest.update(challenge=None).where(
            (AuthRequest.id == request_id) & (AuthRequest.challenge == challenge)).execute()
        cert_pem = pki.certificate_pem(keys_dir, fin) if fin.isalnum() else None
        if not taken or not challenge:
            error = _("Sorğunun vaxtı keçib. Yenidən imzalayın.")
        elif cert_pem is None:
            error = _("Sertifikat seçin.")
        else:
            try:
                left = lockout.take_pin_try(fin)
                signature = pki.Card(keys_dir, fin).sign(request.form.get("pin"),
                                                         bytes.fromhex(challenge))
                lockout.pin_was_right(fin)
                signer = pki.verify(keys_dir, cert_pem, bytes.fromhex(challenge), signature)
                return _answer_portal(auth_request, people.by_fin(signer))
            except lockout.CardBlocked:
                error = _("Kart bloklanıb: PIN kod 3 dəfə yanlış yığılıb.")
            except pki.WrongPin:
                error = (_("PIN kod yanlışdır. Qalan cəhd sayı: %(left)d.", left=left) if left
                         else _("Kart bloklanıb: PIN kod 3 dəfə yanlış yığılıb."))
            except pki.CertificateRefused:
                error = _("Sertifikat yoxlamadan keçmədi.")
    auth_request.challenge = secrets.token_hex(32)
    auth_request.save()
    return _page("eimza", "devidp/eimza_login.html", _("Elektron imza ilə giriş"),
                 status=401 if error else 200, auth_request=auth_request,
                 certificates=_certificates(), error=error, form=request.form)


# --- e-gov identity -----------------------------------------------------------------------

@bp.route("/egov/login/<request_id>", methods=["GET", "POST"], endpoint="egov_login")
@lockout.limit_egov_passwords
def egov_login(request_id):
    auth_request = _pending("egov", request_id)
    error = None
    if request.method == "POST":
        person = people.by_egov(request.form.get("username"), request.form.get("password"))
        if person is None:
            error = _("İstifadəçi adı və ya şifrə yanlışdır.")
        else:
            try:
                lockout.take_code(person.fin)
            except lockout.TooManyCodes:
                return _too_many(None)
            # A new code, with its own three tries (lockout.take_secret_try).
            AuthRequest.update(fin=person.fin, otp=_one_time_code(6), otp_sent_at=utcnow(),
                               otp_attempts=0).where(AuthRequest.id == request_id).execute()
            return navigate(url_for("devidp.egov_code", request_id=request_id))
    return _page("egov", "devidp/egov_login.html", _("e-gov identity ilə giriş"),
                 status=401 if error else 200, auth_request=auth_request, error=error,
                 form=request.form)


def _otp_live(auth_request):
    return (auth_request.otp is not None and auth_request.otp_attempts < lockout.SECRET_TRIES
            and utcnow() - auth_request.otp_sent_at <= OTP_LIFETIME)


@bp.route("/egov/code/<request_id>", methods=["GET", "POST"], endpoint="egov_code")
def egov_code(request_id):
    auth_request = _pending("egov", request_id)
    if auth_request.otp is None:
        return navigate(url_for("devidp.egov_login", request_id=request_id))
    error, refused = None, False
    if request.method == "POST" and _otp_live(auth_request):
        try:
            # Only this code's tries: a new code sent meanwhile is not guessed with them.
            lockout.take_secret_try(auth_request, AuthRequest.otp == auth_request.otp)
        except lockout.NoTriesLeft:
            refused = True
        else:
            if people.same_secret(request.form.get("code", "").strip(), auth_request.otp):
                return _answer_portal(auth_request, people.by_fin(auth_request.fin))
            error = _("Kod yanlışdır.")
        auth_request = _pending("egov", request_id)  # the count as the tries left it
    return _page("egov", "devidp/egov_code.html", _("Birdəfəlik kod"),
                 status=401 if error or refused else 200, auth_request=auth_request,
                 error=error, live=_otp_live(auth_request))


@bp.route("/egov/sms/<request_id>", endpoint="egov_sms")
def egov_sms(request_id):
    """Stands in for the citizen's phone receiving the one-time code by SMS."""
    auth_request = _pending("egov", request_id)
    return _page("egov", "devidp/egov_sms.html", _("SMS"), auth_request=auth_request,
                 person=people.by_fin(auth_request.fin))
