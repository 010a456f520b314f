"""The locale a page writes numbers and dates in, and its catalogue of texts (egov/locales.py):
what a citizen reads in az, en and ru, and what a command writes outside any request."""
from datetime import datetime

import pytest

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
