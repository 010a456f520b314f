"""İstifadə Təlimatı and Video təlimat: how to use the service, in pictures of our own pages."""
from flask import Blueprint
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import i18n, manual_steps
from ..htmx import render

bp = Blueprint("guide", __name__, url_prefix="/calls")


@bp.route("/manual")
def manual():
    return render("guide/manual.html", {"main": "guide/_manual.html"},
                  title=_("İstifadə Təlimatı"), steps=manual_steps.STEPS)


@bp.route("/video")
def video():
    return render("guide/video.html", {"main": "guide/_video.html"},
                  title=_("Video təlimat"), steps=manual_steps.STEPS, guide=manual_steps)


@bp.route("/video/captions.vtt")
def captions():
    """The captions in the page's language."""
    return captions_in(i18n.current())


@bp.route("/video/captions.<any(az, en, ru):language>.vtt")
def captions_in(language):
    """The captions, from the same steps as the manual (so they never drift from it): one
    track per language."""
    with force_locale(language):
        text = manual_steps.captions_vtt()
    return text, 200, {"Content-Type": "text/vtt; charset=utf-8", "Content-Language": language}
