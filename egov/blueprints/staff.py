"""The operator's staff: their own sign-in, the claims to answer, and citizens' feedback.

Staff reach calls only through the claims that dispute them
(egov.telephony.charge_claims.disputed_calls); they have no way to a citizen's report.
"""
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from .. import access_log, i18n
from ..backoffice import claims_desk, staff_accounts
from ..extensions import limit_sign_in_attempts
from ..identity import sessions
from ..identity.forms import PasswordSignInForm
from ..identity.next_url import safe_next
from ..models import Claim
from ..service_feedback import feedback_by_service
from ..telephony import charge_claims
from ..telephony.billing import format_azn, parse_azn

bp = Blueprint("staff", __name__, url_prefix="/staff")

DECISIONS = [
    ("review", _l("Baxılmağa götür")),
    ("accept", _l("Təmin et (məbləği düzəlt)")),
    ("reject", _l("Rədd et")),
]


class AnswerForm(FlaskForm):
    decision = RadioField(_l("Qərar"), choices=[value for value, _label in DECISIONS],
                          validators=[DataRequired(_l("Qərarı seçin."))])
    answer = TextAreaField(_l("Vətəndaşa cavab"), validators=[
        Length(max=2000, message=_l("Cavab 2000 simvoldan uzun olmamalıdır."))])
    # The status the page showed: the decision is made from it, and applies only if the
    # claim still has it when the answer arrives (charge_claims._step).
    seen = HiddenField()


def staff_required(view):
    """A staff page: without a staff session, the staff sign-in page (a citizen's won't do)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if sessions.current_staff() is None:
            return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper


@bp.after_request
def _not_cached(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
@limit_sign_in_attempts
def login():
    form = PasswordSignInForm()
    next_url = safe_next(request.values.get("next"))
    if form.validate_on_submit():
        member = staff_accounts.authenticate(form.username.data, form.password.data)
        if member is not None:
            sessions.sign_in(sessions.STAFF, member)
            return redirect(next_url if next_url and next_url.startswith("/staff")
                            else url_for("staff.claim_list"))
        form.password.errors.append(_("İstifadəçi adı və ya şifrə yanlışdır."))
    status = 200 if request.method == "GET" else 401
    return render_template("staff/login.html", title=_("Əməkdaşların girişi"), form=form,
                             next=next_url), status


@bp.route("/logout", methods=["POST"])
@staff_required
def logout():
    sessions.end_browser_sessions()
    i18n.forget()  # a shared computer's next user starts in the default language
    flash(_("Siz çıxdınız."))
    return sessions.forget_browser(redirect(url_for("staff.login")))


@bp.route("")
@staff_required
def home():
    return redirect(url_for("staff.claim_list"))


@bp.route("/claims")
@staff_required
def claim_list():
    status = request.args.get("status")
    return render_template("staff/claims.html", title=_("Reklamasiyalar"),
                             claims=claims_desk.claims_for_staff(status), status=status,
                             statuses=list(charge_claims.NEXT_STEPS))


def _amount_errors(disputed):
    """{ClaimCall id: qəpik} typed for an accepted claim, and the errors to show."""
    amounts, errors = {}, {}
    for row in disputed:
        typed = request.form.get(f"amount-{row.id}", "")
        try:
            amounts[row.id] = parse_azn(typed)
        except ValueError:
            errors[row.id] = _("Məbləği manatla yazın, məsələn 0,15.")
    return amounts, errors


@bp.route("/claims/<reference>", methods=["GET", "POST"])
@staff_required
def claim_detail(reference):
    claim = claims_desk.claim_for_staff(reference) or abort(404)
    disputed = charge_claims.disputed_calls(claim)
    form = AnswerForm()
    amount_errors, typed = {}, {row.id: format_azn(row.corrected_qepik if row.corrected_qepik
                                                   is not None else row.original_qepik)
                                for row in disputed}
    changed = False
    if request.method == "POST":
        typed.update({row.id: request.form.get(f"amount-{row.id}", "") for row in disputed})
        if form.validate_on_submit():
            decision, answer = form.decision.data, form.answer.data or ""
            amounts, amount_errors = _amount_errors(disputed)
            seen = form.seen.data or claim.status
            try:
                if decision == "reject" and not answer.strip():
                    form.answer.errors.append(_("Rədd etməyin səbəbini vətəndaşa yazın."))
                elif decision == "accept" and not amount_errors:
                    return _decide(claim, charge_claims.accept, answer, amounts, seen=seen)
                elif decision == "reject":
                    return _decide(claim, charge_claims.reject, answer, seen=seen)
                elif decision == "review":
                    return _decide(claim, charge_claims.start_review, answer, seen=seen)
            except charge_claims.ClaimChanged:
                # A colleague decided first: show the claim as it is now, with what this
                # member typed, and let them decide again from there.
                changed = True
                claim = claims_desk.claim_for_staff(reference)
                disputed = charge_claims.disputed_calls(claim)
                form.decision.data = None
    form.seen.data = claim.status
    # The claim and its calls are on the screen (a first look, or an answer sent back with
    # its errors): the citizen sees who, once for each page shown.
    access_log.staff_acted(sessions.current_staff(), claim.citizen, access_log.CLAIM_OPENED,
                           reason=claim.reference)
    page = render_template("staff/claim.html", title=_("Reklamasiya %(ref)s", ref=claim.reference),
                             claim=claim, disputed=disputed, history=charge_claims.history(claim),
                             form=form, typed=typed, amount_errors=amount_errors, changed=changed,
                             choices=[c for c in DECISIONS if _allowed(claim, c[0])])
    return page, (409 if changed else 400 if form.errors or amount_errors else 200)


_STATUS_OF = {"review": Claim.UNDER_REVIEW, "accept": Claim.ACCEPTED, "reject": Claim.REJECTED}


def _allowed(claim, decision):
    return _STATUS_OF[decision] in charge_claims.NEXT_STEPS[claim.status]


def _decide(claim, step, *args, seen):
    """Apply the decision; ClaimChanged (a colleague was first) goes up to the view."""
    staff = sessions.current_staff()
    try:
        step(claim, staff, *args, seen=seen)
    except charge_claims.ClaimChanged:
        raise
    except charge_claims.ClaimError:
        flash(_("Bu reklamasiya artıq bu vəziyyətdə ola bilməz."))
    else:
        access_log.staff_acted(staff, claim.citizen, access_log.CLAIM_ANSWERED,
                               reason=claim.reference, detail=claim.status)
        flash(_("Cavab yadda saxlanıldı."))
    return redirect(url_for("staff.claim_detail", reference=claim.reference))


@bp.route("/feedback")
@staff_required
def feedback():
    return render_template("staff/feedback.html", title=_("Əks əlaqə"),
                             services=feedback_by_service())


@bp.route("/my-actions")
@staff_required
def my_actions():
    """The staff member's own entries of the access log: the only part of it staff see."""
    before = access_log.parse_cursor(request.args.get("before"))
    entries, more = access_log.own_actions(sessions.current_staff(), before)
    return render_template("staff/my_actions.html", title=_("Mənim əməliyyatlarım"),
                           entries=entries, more=more)
