"""The catalogue: E-xidmətlər → Bütün xidmətlər → an agency's services, drilled down in place."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import catalogue
from ..htmx import render

bp = Blueprint("portal", __name__)


@bp.route("/")
def index():
    if request.args:  # e.g. the «state» a provider adds on its way back after signing out
        return redirect(url_for("portal.index"))
    return render_template("portal/index.html", title=_("Elektron Hökumət Portalı"))


@bp.route("/services")
def all_services():
    return render(
        "portal/catalogue.html",
        {"main": "portal/_catalogue.html"},
        title=_("Bütün xidmətlər"),
        agencies=catalogue.agencies_with_counts(),
        open_agency=None,
        services=[],
    )


@bp.route("/services/<slug>")
def agency(slug):
    agencies = catalogue.agencies_with_counts()
    agency = catalogue.current().agency(slug) or abort(404)
    return render(
        "portal/catalogue.html",
        {f"agency-{slug}": "portal/_agency.html", "main": "portal/_catalogue.html"},
        title=agency.local_name,
        agencies=agencies,
        agency=agency,
        open_agency=agency,
        services=catalogue.services_of(agency),
    )
