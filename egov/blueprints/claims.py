"""Reklamasiya: a citizen disputes the charge of calls in the month's table, and follows it."""
from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from .. import access_log
from ..htmx import navigate, render
from ..telephony import access, charge_claims
from ..telephony.reports import call_report, open_month, open_months
from ..timeutil import utcnow

bp = Blueprint("claims", __name__, url_prefix="/calls/claims")

class ClaimForm(FlaskForm):
    line = HiddenField()
    month = HiddenField()
    reason = TextAreaField(_l("Etirazınızın səbəbi"), validators=[
        DataRequired(_l("Etirazınızın səbəbini yazın.")),
        Length(max=2000, message=_l("Səbəb 2000 simvoldan uzun olmamalıdır.")),
    ])


def _chosen_ids():
    """The ticked calls; a value that is not a number is a tampered form: 404."""
    values = request.form.getlist("calls")
    # isascii(): isdigit() also accepts «²», which int() refuses.
    if not all(value.isascii() and value.isdigit() and len(value) < 19 for value in values):
        abort(404)
    return {int(value) for value in values}


@bp.route("")
@login_required
def index():
    return render("claims/index.html", {"main": "claims/_index.html"},
                  title=_("Mənim reklamasiyalarım"), claims=access.claims_of(current_user.citizen))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    months = open_months(utcnow(), current_app.config["CLAIM_WINDOW_MONTHS"])
    form = ClaimForm()
    posted = request.method == "POST"
    # A call of any month still open to claims can be disputed (the claim window).
    month = open_month(form.month.data if posted else request.args.get("month"), months)
    number = form.line.data if posted else request.args.get("line")
    held_lines, held = access.chosen_line(current_user.citizen, month, number)
    chosen, calls_error = set(), None
    if request.method == "POST":
        chosen = _chosen_ids()
        valid = form.validate_on_submit()
        if not chosen:
            calls_error = _("Etiraz etdiyiniz zəngi (və ya zəngləri) cədvəldə seçin.")
        elif held is not None:
            held, calls = access.claimable_calls(current_user.citizen, held.number, month,
                                                 chosen)
            if valid:
                try:
                    claim = charge_claims.file_claim(current_user.citizen, held, calls,
                                                     form.reason.data)
                except charge_claims.CallsTaken as taken:
                    # The reference lets the citizen find the claim that already has it.
                    calls_error = _("Seçdiyiniz zənglərdən birinə artıq reklamasiya verilib: "
                                    "%(references)s.", references=", ".join(taken.args[0]))
                except charge_claims.ClaimError:  # no free reference after five draws
                    calls_error = _("Reklamasiyanı indi qeydə almaq mümkün olmadı. Bir azdan "
                                    "yenidən göndərin.")
                else:
                    access_log.citizen_acted(current_user.citizen, access_log.CLAIM_FILED,
                                             reason=claim.reference, detail=held.number)
                    flash(_("Reklamasiyanız qəbul olundu. Onun nömrəsi: %(ref)s.",
                            ref=claim.reference))
                    return navigate(url_for("claims.show", reference=claim.reference))
    form.line.data = held.number if held else ""
    form.month.data = str(month)
    page = render("claims/new.html", {"main": "claims/_new.html"},
                  title=_("Reklamasiya"), form=form, held_lines=held_lines, held=held,
                  report=call_report(held, month) if held else None, month=month,
                  months=months, chosen=chosen, calls_error=calls_error)
    return page, (400 if form.errors or calls_error else 200)


@bp.route("/<reference>")
@login_required
def show(reference):
    claim = access.claim_of(current_user.citizen, reference)
    return render("claims/show.html", {"main": "claims/_show.html"},
                  title=_("Reklamasiya %(ref)s", ref=claim.reference), claim=claim,
                  disputed=charge_claims.disputed_calls(claim),
                  history=charge_claims.history(claim))
