"""The service: this month's intercity and international calls of the citizen's lines.

The current month is the default (it is the service's name); the months of the claim
window before it can be opened too, and the rows filtered, searched and ordered, all
as GET parameters (egov.telephony.reports.ReportOptions): bookmarkable, and swapped in
place by htmx with the URL pushed."""
from flask import Blueprint, abort, current_app, make_response, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import access_log, catalogue
from ..htmx import render
from ..telephony import access, exports
from ..telephony.reports import SERVICE_TITLE, ReportOptions, call_report, open_months
from ..timeutil import utcnow

bp = Blueprint("calls", __name__, url_prefix="/calls")


def _usage_count(service):
    """İstifadə sayı: one use per sign-in, however often the report is viewed meanwhile.

    The sign-in starts a fresh cookie session, so a mark kept there lasts exactly one
    sign-in. The count is read with its write (UPDATE … RETURNING) and kept in that mark:
    the report's later views show the count as of this sign-in's use, without asking the
    database again (a statement fewer on every view)."""
    counted = session.get("usage_count")
    if counted is not None:
        return counted
    session["usage_count"] = catalogue.count_use(service)
    return session["usage_count"]


def report_options():
    """The open months and what the request asks to see of one (NotVisible for a month
    outside the claim window)."""
    months = open_months(utcnow(), current_app.config["CLAIM_WINDOW_MONTHS"])
    return months, ReportOptions.from_args(request.args, months)


@bp.route("")
@login_required
def report():
    """A month's calls of the chosen line (the first one by default), as the URL asks."""
    months, options = report_options()
    month = options.month
    held_lines, held = access.chosen_line(current_user.citizen, month, request.args.get("line"))
    service = catalogue.calls_service()
    return render(
        "calls/report.html",
        {"main": "calls/_service.html", "call-report": "calls/_report.html"},
        title=_(SERVICE_TITLE),
        service=service,
        usage_count=_usage_count(service),
        held_lines=held_lines,
        held=held,
        report=call_report(held, month, options) if held else None,
        month=month,
        months=months,
        options=options,
        printed_at=utcnow(),
    )


@bp.route("/export.<fmt>")
@login_required
def export(fmt):
    """The month's table to take away: the same access rule and the same rows as the page."""
    if fmt not in exports.FORMATS:
        abort(404)
    _, options = report_options()
    _, held = access.chosen_line(current_user.citizen, options.month, request.args.get("line"))
    if held is None:
        abort(404)
    report = call_report(held, options.month, options)
    access_log.citizen_acted(current_user.citizen, access_log.EXPORT, reason=held.number,
                             detail=fmt.upper())
    body, mimetype = exports.FORMATS[fmt](report, current_user.full_name, utcnow())
    response = make_response(body)
    response.mimetype = mimetype
    if mimetype.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(report, fmt)}"')
    response.headers["Cache-Control"] = "no-store"
    return response
