"""The service: this month's intercity and international calls of the citizen's lines."""
from flask import Blueprint, abort, make_response, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import catalogue, exports
from ..access import NotVisible, line_of, lines_of
from ..htmx import render
from ..reports import call_report
from ..timeutil import Month, utcnow

bp = Blueprint("calls", __name__, url_prefix="/calls")

SERVICE_TITLE = "Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat"


def _service():
    return catalogue.service_for_endpoint("calls.report")


def chosen_line(citizen, month, number):
    """The held line named by `number`, the first one when none is named; 404 if not theirs."""
    held_lines = lines_of(citizen, month)
    if not number:
        return held_lines, (held_lines[0] if held_lines else None)
    try:
        return held_lines, line_of(citizen, number, month)
    except NotVisible:
        abort(404)


@bp.route("")
@login_required
def report():
    month = Month.current()
    held_lines, held = chosen_line(current_user.citizen, month, request.args.get("line"))
    service = _service()
    usage_count = catalogue.count_use(service)
    return render(
        "calls/report.html",
        {"main": "calls/_service.html", "call-report": "calls/_report.html"},
        title=_(SERVICE_TITLE),
        service=service,
        usage_count=usage_count,
        held_lines=held_lines,
        held=held,
        report=call_report(held, month) if held else None,
        month=month,
        printed_at=utcnow(),
    )


@bp.route("/export.<fmt>")
@login_required
def export(fmt):
    """The month's table to take away: the same access rule and the same rows as the page."""
    if fmt not in exports.FORMATS:
        abort(404)
    month = Month.current()
    _, held = chosen_line(current_user.citizen, month, request.args.get("line"))
    if held is None:
        abort(404)
    report = call_report(held, month)
    body, mimetype = exports.FORMATS[fmt](report, current_user.full_name, utcnow())
    response = make_response(body)
    response.mimetype = mimetype
    if mimetype.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(report, fmt)}"')
    response.headers["Cache-Control"] = "no-store"
    return response
