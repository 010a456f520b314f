"""The user name and password form, the same for citizens and the operator's staff, and a
citizen's forms for a new password."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

# NIST SP 800-63B asks at least 8 characters of a chosen password and recommends longer
# ones; a passphrase of a few words is easy to remember at 12. Longer than 256 is refused
# as at sign-in: each password is hashed with Argon2, whose cost the portal pays.
NEW_PASSWORD_LENGTH = (12, 256)


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


class NewPasswordForm(FlaskForm):
    """A new password, typed twice (after a sign-in with elektron imza or ASAN İmza)."""

    new_password = PasswordField(
        _l("Yeni şifrə"),
        validators=[DataRequired(_l("Yeni şifrəni yazın.")),
                    Length(*NEW_PASSWORD_LENGTH,
                           message=_l("Yeni şifrə ən azı 12, ən çoxu 256 simvol olmalıdır."))],
    )
    new_password_again = PasswordField(
        _l("Yeni şifrə bir daha"),
        validators=[DataRequired(_l("Yeni şifrəni bir daha yazın.")),
                    EqualTo("new_password", _l("İki dəfə yazdığınız yeni şifrə eyni deyil."))],
    )


class ChangePasswordForm(NewPasswordForm):
    """«Şifrəni dəyiş»: the current password, and the new one twice."""

    current_password = PasswordField(
        _l("Hazırkı şifrə"),
        validators=[DataRequired(_l("Hazırkı şifrənizi yazın.")), Length(max=256)],
    )
