"""The page's locale and catalogue (egov/locales.py), read once Flask-Babel has settled them:
a language changed in the middle of a request, or forced for a while, is followed."""
from flask_babel import force_locale

from egov import i18n, locales
from egov.telephony.billing import format_azn
from egov.timeutil import Month


def test_outside_a_request_the_default_language_and_its_texts(app):
    with app.app_context():
        assert locales.language() == "az"
        assert locales.gettext("Ödənilib") == "Ödənilib"


def test_a_request_reads_its_own_language(app):
    with app.test_request_context("/services?lang=ru"):
        app.preprocess_request()
        assert locales.language() == "ru"
        assert locales.gettext("Ödənilib") == "Оплачено"
        assert format_azn(-1250) == "-12,50"
    with app.test_request_context("/services?lang=en"):
        app.preprocess_request()
        assert locales.language() == "en"
        assert locales.gettext("Ödənilib") == "Paid"
        assert format_azn(-1250) == "-12.50"
        assert Month(2027, 1).label() == "January 2027"


def test_a_language_changed_mid_request_is_followed_at_once(app):
    """Sign-in restores an account's language and sign-out the browser's: the rest of that
    same answer is in the new one, though the first was already read (and remembered)."""
    with app.test_request_context("/services", headers={"Accept-Language": "ru"}):
        app.preprocess_request()
        assert (locales.language(), locales.gettext("Ödənilib")) == ("ru", "Оплачено")
        i18n.forget()  # the browser says ru: still ru
        assert locales.gettext("Ödənilib") == "Оплачено"
        i18n.choose("lang", "en")  # an extra candidate, as the provider's ui_locales
        assert (locales.language(), locales.gettext("Ödənilib")) == ("en", "Paid")
        assert format_azn(80) == "0.80" and Month(2026, 12).label() == "December 2026"


def test_a_forced_language_holds_inside_and_ends_with_its_block(app):
    with app.test_request_context("/services?lang=az"):
        app.preprocess_request()
        assert locales.gettext("Ödənilib") == "Ödənilib"
        with force_locale("ru"):
            assert (locales.language(), locales.gettext("Ödənilib")) == ("ru", "Оплачено")
            assert Month(2026, 12).label() == "декабрь 2026"
        assert (locales.language(), locales.gettext("Ödənilib")) == ("az", "Ödənilib")
        assert format_azn(80) == "0,80" and Month(2026, 12).label() == "dekabr 2026"
