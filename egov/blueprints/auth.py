"""Signing in and out, and how a citizen obtains each means of signing in."""
import math

from flask import (Blueprint, abort, current_app, flash, g, jsonify, make_response, redirect,
                   render_template, request, session, url_for)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import i18n
from ..extensions import limit_sign_in_attempts, limiter
from ..htmx import is_fragment_request, navigate, render
from ..identity import citizens, oidc, sessions
from ..identity.forms import PasswordSignInForm
from ..identity.means import BY_KEY, SIGN_IN_MEANS
from ..identity.next_url import safe_next
from ..public_url import external_url

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_page(form=None, expanded=None, status=200):
    page = render(
        "auth/login.html",
        {f"how-{expanded.key}": "auth/_how_to_obtain.html"} if expanded else None,
        title=_("Portala giriş"),
        means_list=SIGN_IN_MEANS,
        available=oidc.available_means() | {citizens.PASSWORD},
        means=expanded,
        expanded=expanded.key if expanded else None,
        form=form or PasswordSignInForm(),
        next=safe_next(request.values.get("next")),
    )
    return page, status


# A refused password sign-in is sent back to /auth/login (post, redirect, get): the address
# bar keeps the sign-in page, so reload neither asks to send the form again nor meets a 405.
# What was typed in the user-name field and the message ride along in the session, once.
_ATTEMPT = "password_sign_in_attempt"


@bp.route("/login")
def login():
    """The four means; a visitor already signed in goes on to where they were going."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("portal.all_services"))
    attempt = session.pop(_ATTEMPT, None)
    if attempt is None:
        return _login_page()
    form = PasswordSignInForm(formdata=None, username=attempt["username"])
    for name, errors in attempt["errors"].items():
        form[name].errors = list(errors)
    return _login_page(form)


@bp.route("/how-to-obtain/<key>")
def how_to_obtain(key):
    return _login_page(expanded=BY_KEY.get(key) or abort(404))


@bp.route("/login/password", methods=["GET", "POST"])
@limit_sign_in_attempts
def login_password():
    if request.method == "GET":  # an old bookmark or a copied address: the sign-in page
        return redirect(url_for("auth.login", next=safe_next(request.args.get("next"))))
    form = PasswordSignInForm()
    if not form.validate_on_submit():
        return _back_to_sign_in(form)
    citizen = citizens.authenticate(form.username.data, form.password.data)
    if citizen is None:
        form.password.errors.append(_("İstifadəçi adı və ya şifrə yanlışdır."))
        return _back_to_sign_in(form)
    sessions.sign_in(sessions.CITIZEN, citizen, means=citizens.PASSWORD)
    return redirect(safe_next(request.form.get("next")) or url_for("portal.all_services"))


def _back_to_sign_in(form):
    g.sign_in_refused = True  # counted by the attempt limits
    session[_ATTEMPT] = {
        "username": (form.username.data or "")[:64],
        "errors": {name: [str(e) for e in form[name].errors]
                   for name in ("username", "password") if form[name].errors},
    }
    return redirect(url_for("auth.login", next=safe_next(request.form.get("next"))), 303)


@bp.route("/oidc/<means>/start", methods=["POST"])
@limiter.limit("30 per minute")
def oidc_start(means):
    if not oidc.is_available(means):
        abort(404)
    next_url = safe_next(request.form.get("next"))
    try:
        return navigate(oidc.begin(means, next_url))
    except oidc.SignInRefused as refused:
        return _refused(means, refused, next_url)


@bp.route("/oidc/<means>/callback")
@limiter.limit("30 per minute")
def oidc_callback(means):
    if not oidc.is_available(means):
        abort(404)
    try:
        next_url = oidc.finish(means, request.args)
    except oidc.SignInRefused as refused:
        # Shown at a clean address: the callback's own (code, state, the provider's English
        # error_description) would stay in the address bar and be sent again on reload.
        current_app.logger.warning("sign-in with %s refused: %s", means, refused)
        session[_REFUSAL] = {"means": means, "reason": refused.reason}
        return redirect(url_for("auth.refused"), 303)
    return redirect(safe_next(next_url) or url_for("portal.all_services"))


_REFUSAL = "oidc_refusal"


@bp.route("/refused")
def refused():
    """Why the last sign-in at a provider did not go through, shown once."""
    refusal = session.pop(_REFUSAL, None)
    if refusal is None or refusal["means"] not in BY_KEY:
        return redirect(url_for("auth.login"))
    return _refusal_page(refusal["means"], refusal["reason"])


def _refused(means, refused, next_url=None):
    current_app.logger.warning("sign-in with %s refused: %s", means, refused)
    return _refusal_page(means, refused.reason, next_url)


def _refusal_page(means, reason, next_url=None):
    page = render_template("auth/signin_refused.html", title=_("Giriş alınmadı"),
                           means=BY_KEY[means], message=oidc.MESSAGES[reason], next=next_url)
    response = make_response(page, 400)
    if is_fragment_request():
        # "Daxil ol" asked over htmx: the refusal takes the page's main area, not the form's.
        response.headers.update({"HX-Retarget": "#main", "HX-Reswap": "outerHTML",
                                 "HX-Reselect": "#main"})
    return response


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    token = current_user.get_id()
    # Read before the session row goes: the provider's ID token is kept with it.
    provider_logout = oidc.end_session_url(token, external_url("portal.index"))
    sessions.end_browser_sessions()
    # A kiosk's next citizen starts in the default language; this goodbye is in it too.
    i18n.forget()
    flash(_("Siz portaldan çıxdınız. İctimai kompüterdə brauzeri də bağlaya bilərsiniz."))
    return sessions.forget_browser(navigate(provider_logout or url_for("portal.index")))


def _ends_message(seconds):
    minutes = math.ceil(seconds / 60)
    if minutes <= 1:
        return _("Sessiyanız bir dəqiqədən az vaxtda başa çatacaq.")
    return ngettext("Sessiyanız %(num)d dəqiqədən sonra başa çatacaq.",
                    "Sessiyanız %(num)d dəqiqədən sonra başa çatacaq.", minutes)


def _session_status():
    clock = sessions.clock()
    if clock is None:
        return jsonify(signed_in=False, remaining=0)
    return jsonify(signed_in=True, remaining=clock["remaining"], warning=clock["warning"],
                   message=_ends_message(clock["remaining"]))


@bp.route("/session")
@sessions.not_activity
def session_status():
    """How long this browser's session has left (asked by the idle warning; not activity)."""
    return _session_status()


@bp.route("/session/renew", methods=["POST"])
def session_renew():
    """«Davam et»: the session is used now, on the server, so every tab of it goes on."""
    sessions.renew()
    return _session_status()


@bp.route("/session-ended")
def session_ended():
    """Where an idle screen clears itself to: no personal data, a way back in."""
    next_url = safe_next(request.args.get("next"))
    if sessions.browser_session()[1] is not None:
        # Another tab of the same session was used meanwhile: the session goes on.
        return redirect(next_url or url_for("portal.index"))
    sessions.end_browser_sessions()
    if not i18n.requested():  # this page's own switch is the next person's choice
        i18n.forget()  # as at «Çıxış»: the kiosk's next person starts in the default language
    staff = bool(next_url and next_url.startswith("/staff"))
    sign_in_url = url_for("staff.login" if staff else "auth.login", next=next_url)
    response = make_response(render_template(
        "auth/session_ended.html", title=_("Sessiya başa çatdı"), sign_in_url=sign_in_url))
    return sessions.forget_browser(response)
