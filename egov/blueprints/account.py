"""The citizen's own account: «Məlumatlarıma kim baxıb?», their open sessions (each can be
ended) and their password."""
from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import access_log
from ..htmx import navigate, render
from ..identity import sessions

bp = Blueprint("account", __name__, url_prefix="/account")


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


@bp.route("/sessions/<ref>/end", methods=["POST"])
@login_required
def end_session(ref):
    """Sign out one other browser of this citizen («Bu sessiyanı bitir»)."""
    flash(_("Sessiya bitirildi.") if sessions.end_my_session(ref)
          else _("Bu sessiya artıq bitib."))
    return navigate(url_for("account.access"))
