"""The locale a page writes numbers and dates in, and its catalogue of texts (egov/locales.py):
what a citizen reads in az, en and ru, and what a command writes outside any request; both
read once Flask-Babel has settled them, and a language changed in the middle of a request,
or forced for a while, followed."""
from datetime import datetime

import pytest
from flask_babel import force_locale

from egov import i18n, locales
from egov.locales import N_, gettext
from egov.telephony.billing import format_azn, format_factor
from egov.timeutil import Month, baku_date, baku_full_date

# 8 November 2026, 14:05 in Baku, stored as naive UTC as the database keeps it.
STORED = datetime(2026, 11, 8, 10, 5)


def test_a_command_outside_any_request_writes_azerbaijani():
    """No app, no request (a command's own code): the default language, not an error."""
    assert Month(2026, 12).label() == "dekabr 2026"
    assert format_azn(-80) == "-0,80"


@pytest.mark.parametrize("language, month, amount, factor, day, full_day", [
    ("az", "dekabr 2026", "-0,80", "0,8", "08.11", "08.11.2026"),
    # English the British way: day before month.
    ("en", "December 2026", "-0.80", "0.8", "08/11", "08/11/2026"),
    ("ru", "декабрь 2026", "-0,80", "0,8", "08.11", "08.11.2026"),
])
def test_a_page_writes_months_amounts_and_dates_in_its_language(
        app, language, month, amount, factor, day, full_day):
    with app.test_request_context(f"/services?lang={language}"):
        app.preprocess_request()
        assert Month(2026, 12).label() == month
        assert format_azn(-80) == amount and format_factor(800) == factor
        assert baku_date(STORED) == day and baku_full_date(STORED) == full_day


def test_a_language_the_caller_names_wins_over_the_pages(app):
    with app.test_request_context("/services?lang=en"):
        app.preprocess_request()
        assert Month(2026, 12).label("ru") == "декабрь 2026"
        assert format_azn(80, "az") == "0,80"
        assert Month(2026, 12).label() == "December 2026"


def test_each_request_reads_its_own_languages_catalogue(app):
    """The catalogue found once is kept per language: a Russian request after an English
    one, in the same app, is not served the English texts."""
    for language, date_heading, seconds in (("en", "Date", "3 seconds"), ("ru", "Дата", "3 с"),
                                            ("az", "Tarix", "3 saniyə"),
                                            ("en", "Date", "3 seconds")):
        with app.test_request_context(f"/services?lang={language}"):
            app.preprocess_request()
            assert gettext("Tarix") == date_heading
            assert gettext("%(n)s saniyə", n=3) == seconds


def test_a_text_without_values_is_left_as_written(app):
    """As Flask-Babel's gettext: «%» is only read as a placeholder when values are given."""
    with app.test_request_context("/services?lang=en"):
        app.preprocess_request()
        assert gettext("100% of 5 AZN") == "100% of 5 AZN"


def test_a_label_marked_for_translation_is_the_text_itself_until_shown():
    assert N_("Güzəştli") == "Güzəştli"


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
