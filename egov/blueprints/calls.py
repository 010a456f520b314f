"""The service: this month's intercity and international calls of the citizen's lines."""
from flask import Blueprint, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import catalogue
from ..access import NotVisible, line_of, lines_of
from ..htmx import render
from ..reports import call_report
from ..timeutil import Month

bp = Blueprint("calls", __name__, url_prefix="/calls")

SERVICE_TITLE = "Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat"

# The toolbar's buttons; their pages are being built (feedback, claims, manual, video).
TOOLBAR_PAGES = {
    "feedback": (
        "Əks əlaqə",
        "Burada xidmət haqqında qiymətinizi və fikrinizi göndərə biləcəksiniz.",
    ),
    "video": (
        "Video təlimat",
        "Burada xidmətdən istifadəni addım-addım göstərən qısa video təlimat olacaq.",
    ),
    "manual": (
        "İstifadə Təlimatı",
        "Burada xidmətdən istifadə qaydası şəkillərlə izah olunacaq.",
    ),
    "claim": (
        "Reklamasiya",
        "Burada cədvəldəki zənglərin məbləğinə etiraz edib şikayət (reklamasiya) "
        "göndərə biləcəksiniz.",
    ),
}


def _service():
    return catalogue.service_for_endpoint("calls.report")


@bp.route("")
@login_required
def report():
    month = Month.current()
    citizen = current_user.citizen
    held_lines = lines_of(citizen, month)
    number = request.args.get("line")
    if number:
        try:
            held = line_of(citizen, number, month)
        except NotVisible:
            abort(404)
    else:
        held = held_lines[0] if held_lines else None
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
    )


@bp.route("/<page>")
@login_required
def toolbar_page(page):
    heading, text = TOOLBAR_PAGES.get(page) or abort(404)
    return render(
        "calls/toolbar_page.html",
        {"main": "calls/_toolbar_page.html"},
        title=_(heading),
        text=_(text),
    )
