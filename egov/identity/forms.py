"""The user name and password form, the same for citizens and the operator's staff."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class PasswordSignInForm(FlaskForm):
    username = StringField(
        _l("İstifadəçi adı"),
        validators=[DataRequired(_l("İstifadəçi adını yazın.")), Length(max=64)],
    )
    password = PasswordField(
        _l("Şifrə"),
        validators=[DataRequired(_l("Şifrəni yazın.")), Length(max=256)],
    )
