"""The citizen's own account: «Məlumatlarıma kim baxıb?», their open sessions (each can be
ended) and «Şifrəni dəyiş»."""
from flask import Blueprint, flash, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import access_log
from ..extensions import limiter
from ..htmx import navigate, render
from ..identity import citizens, sessions
from ..identity.forms import ChangePasswordForm, NewPasswordForm
from ..identity.means import BY_KEY

bp = Blueprint("account", __name__, url_prefix="/account")

# Per citizen. A wrong current password is a guess at it, as at sign-in; and every
# change, right or wrong, costs an Argon2 hash and ends the citizen's other sessions.
WRONG_CURRENT_PASSWORDS = "5 per 15 minutes"
PASSWORD_CHANGES = "10 per hour"


@bp.route("/access-log")
@login_required
def access():
    """Who other than the citizen touched their data, a page at a time; their own sign-ins
    and open sessions."""
    before = access_log.parse_cursor(request.args.get("before"))
    citizen = current_user.citizen
    entries, more = access_log.others_access(citizen, before)
    first_page = before is None
    return render(
        "account/access.html", {"access-more": "account/_entries.html"},
        title=_("Məlumatlarıma kim baxıb?"), entries=entries, more=more, before=before,
        sign_ins=access_log.recent_sign_ins(citizen) if first_page else [],
        open_sessions=(sessions.open_sessions(citizen, current_user.get_id())
                       if first_page else []))


@bp.route("/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    """Sign out every other browser of this citizen, on the server."""
    ended = sessions.end_my_other_sessions()
    flash(_("Digər sessiyalarınız bitirildi: %(num)d.", num=ended) if ended
          else _("Başqa açıq sessiyanız yox idi."))
    return navigate(url_for("account.access"))


@bp.route("/sessions/<reference>/end", methods=["POST"])
@login_required
def end_session(reference):
    """Sign out one other browser of this citizen («Bu sessiyanı bitir»); `reference` is
    sessions.session_ref, never the session's token."""
    flash(_("Sessiya bitirildi.") if sessions.end_my_session(reference)
          else _("Bu sessiya artıq bitib."))
    return navigate(url_for("account.access"))


def _citizen_key():
    return f"citizen:{current_user.citizen.id}" if current_user.is_authenticated else "-"


def _wrong_current_password(response):
    return g.get("wrong_current_password", False)


def limit_password_changes(view):
    per_change = limiter.limit(PASSWORD_CHANGES, key_func=_citizen_key, methods=["POST"])
    per_guess = limiter.limit(WRONG_CURRENT_PASSWORDS, key_func=_citizen_key,
                              methods=["POST"], deduct_when=_wrong_current_password)
    return per_change(per_guess(view))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limit_password_changes
def password():
    """«Şifrəni dəyiş»: with the current password; within 15 minutes of signing in with
    elektron imza or ASAN İmza, without it (a forgotten password is renewed so)."""
    citizen, login_session = current_user.citizen, current_user.login_session
    means = login_session.means
    way = citizens.password_change_way(citizen, login_session)
    form = ChangePasswordForm() if way == citizens.CHANGE else NewPasswordForm()
    settable = way in (citizens.CHANGE, citizens.RENEW)
    if settable and form.validate_on_submit() and _acceptable(form, citizen, way):
        ended = citizens.change_password(citizen, form.new_password.data,
                                         current_user.get_id(), means)
        flash(_("Şifrəniz dəyişdirildi."))
        if ended:
            flash(_("Digər sessiyalarınız bitirildi: %(num)d.", num=ended))
        return navigate(url_for("account.access"))
    page = render("account/password.html", title=_("Şifrəni dəyiş"), form=form, way=way,
                  means=BY_KEY.get(means), username=citizen.username)
    return page, 400 if request.method == "POST" else 200


def _acceptable(form, citizen, way):
    """The checks a form cannot make alone; each refusal is said at its field."""
    new = form.new_password.data
    if way == citizens.CHANGE:
        if not citizens.is_current_password(citizen, form.current_password.data):
            g.wrong_current_password = True  # counted by WRONG_CURRENT_PASSWORDS
            form.current_password.errors.append(_("Hazırkı şifrə yanlışdır."))
            return False
        if new == form.current_password.data:
            form.new_password.errors.append(_("Yeni şifrə hazırkı şifrədən fərqli olmalıdır."))
            return False
    if new.strip().lower() == citizen.username:
        form.new_password.errors.append(_("Şifrə istifadəçi adınızla eyni olmamalıdır."))
        return False
    return True
