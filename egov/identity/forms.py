"""The user name and password form, the same for citizens and the operator's staff."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError


def no_nul(form, field):
    """A NUL is refused as the field's own error: PostgreSQL cannot even look one up. Other
    forms are refused whole before their view (egov.security); a sign-in says it here, so
    that the refusal is a failed attempt like any other (limit_sign_in_attempts)."""
    if field.data and "\x00" in field.data:
        raise ValidationError(_l("Bu sahədə qəbul edilməyən simvol var."))


class PasswordSignInForm(FlaskForm):
    username = StringField(
        _l("İstifadəçi adı"),
        validators=[DataRequired(_l("İstifadəçi adını yazın.")), Length(max=64), no_nul],
    )
    password = PasswordField(
        _l("Şifrə"),
        validators=[DataRequired(_l("Şifrəni yazın.")), Length(max=256), no_nul],
    )
