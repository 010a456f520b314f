"""Əks əlaqə: the toolbar's feedback form, opened in place under the toolbar."""
from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from .. import catalogue
from ..service_feedback import leave_feedback
from ..htmx import is_fragment_request, render

bp = Blueprint("feedback", __name__, url_prefix="/calls/feedback")

RATINGS = [str(n) for n in range(1, 6)]


class FeedbackForm(FlaskForm):
    rating = RadioField(_l("Xidməti qiymətləndirin (1 — çox pis, 5 — əla)"), choices=RATINGS,
                        validators=[InputRequired(_l("1-dən 5-ə qədər bir qiymət seçin."))])
    message = TextAreaField(_l("Fikriniz"), validators=[
        DataRequired(_l("Fikrinizi bir neçə sözlə yazın.")),
        Length(max=2000, message=_l("Fikriniz 2000 simvoldan uzun olmamalıdır.")),
    ])


@bp.route("", methods=["GET", "POST"])
@login_required
def form():
    form = FeedbackForm()
    if form.validate_on_submit():
        service = catalogue.calls_service()
        leave_feedback(service, current_user.citizen, int(form.rating.data), form.message.data)
        if is_fragment_request():
            return render("feedback/_thanks.html", title=_("Əks əlaqə"))
        flash(_("Təşəkkür edirik! Fikriniz xidmətin əməkdaşlarına çatdırıldı."))
        return redirect(url_for("calls.report"))
    page = render("feedback/page.html", {"toolbar-panel": "feedback/_form.html"},
                  title=_("Əks əlaqə"), form=form)
    return page, (400 if form.errors else 200)
