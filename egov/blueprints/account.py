"""The citizen's own account: «Məlumatlarıma kim baxıb?» and ending their other sessions."""
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
    """Who other than the citizen touched their data, a page at a time; their own sign-ins."""
    before = access_log.parse_cursor(request.args.get("before"))
    entries, more = access_log.others_access(current_user.citizen, before)
    return render(
        "account/access.html", {"access-more": "account/_entries.html"},
        title=_("Məlumatlarıma kim baxıb?"), entries=entries, more=more, before=before,
        sign_ins=[] if before else access_log.recent_sign_ins(current_user.citizen))


@bp.route("/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    """Sign out every other browser of this citizen, on the server."""
    ended = sessions.end_my_other_sessions()
    flash(_("Digər sessiyalarınız bitirildi: %(num)d.", num=ended) if ended
          else _("Başqa açıq sessiyanız yox idi."))
    return navigate(url_for("account.access"))
