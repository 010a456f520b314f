from datetime import datetime, timezone

import pytest
import time_machine

from egov.timeutil import (BAKU, Month, baku_date, baku_full_date, baku_local, baku_time, to_baku,
                           to_db, utcnow)


def test_month_bounds_are_baku_midnights_in_utc():
    november = Month(2026, 11)
    assert november.start == datetime(2026, 10, 31, 20, 0)  # Baku is UTC+4
    assert november.end == datetime(2026, 11, 30, 20, 0)


def test_december_rolls_into_next_year():
    assert Month(2026, 12).end == datetime(2026, 12, 31, 20, 0)


def test_a_call_after_baku_midnight_belongs_to_the_new_month():
    # 31 October 20:30 UTC is 1 November 00:30 in Baku.
    assert Month.containing(datetime(2026, 10, 31, 20, 30)) == Month(2026, 11)
    assert Month.containing(datetime(2026, 10, 31, 19, 59)) == Month(2026, 10)


def test_baku_local_time_is_shown():
    assert to_baku(datetime(2026, 11, 8, 12, 11)).strftime("%d.%m %H:%M") == "08.11 16:11"


@pytest.mark.parametrize("text, month", [
    ("2026-11", Month(2026, 11)),
    ("2027-01", Month(2027, 1)),  # month 1 and month 12: the edges of 1–12
    ("2026-12", Month(2026, 12)),
    ("1900-01", Month(1900, 1)),  # the first year read
    ("1899-12", None),
    ("2026-00", None),
    ("2026-13", None),
    ("2026-1", None),  # "-" where it belongs, one digit short
    ("2026-011", None),
    ("2026/11", None),
    ("2026-1a", None),
    ("2026-ab", None),
    ("20x6-11", None),
    ("２０２６-11", None),  # full-width digits are digits, not ASCII ones
    ("2026-１１", None),
    (None, None),
])
def test_a_month_is_read_only_as_yyyy_mm(text, month):
    """The report's ?month=: anything else, hostile or mistyped, is no month (never an
    error)."""
    assert Month.parse(text) == month


def test_month_label_in_azerbaijani():
    assert Month(2026, 7).label() == "iyul 2026"


def test_month_label_in_each_language():
    assert [Month(2026, 11).label(language) for language in ("az", "ru", "en")] == [
        "noyabr 2026", "ноябрь 2026", "November 2026"]


@pytest.mark.parametrize("utc, month", [
    (datetime(2026, 11, 30, 19, 59, 59), Month(2026, 11)),  # 23:59:59 on 30 November in Baku
    (datetime(2026, 11, 30, 20, 0), Month(2026, 12)),       # Baku midnight of 1 December
    (datetime(2026, 11, 30, 21, 0), Month(2026, 12)),
    (datetime(2026, 12, 31, 20, 0), Month(2027, 1)),
])
def test_this_month_is_read_off_bakus_calendar(utc, month):
    """The process clock is frozen (time-machine), so any way of reading it reads `utc`."""
    with time_machine.travel(utc.replace(tzinfo=timezone.utc), tick=False):
        assert Month.current() == month
        assert utcnow() == utc


def test_the_machines_own_time_zone_changes_nothing():
    """On a server set to Baku time, now is still stored as UTC (time-machine sets the
    process's local zone from the destination's)."""
    with time_machine.travel(datetime(2026, 12, 1, 1, 0, tzinfo=BAKU), tick=False):
        assert utcnow() == datetime(2026, 11, 30, 21, 0)
        assert to_db(baku_local(2026, 12, 1, 1, 0)) == datetime(2026, 11, 30, 21, 0)
        assert Month.current() == Month(2026, 12)


def test_a_baku_moment_keeps_its_minutes_and_seconds():
    moment = baku_local(2026, 11, 8, 16, 11, 30)
    assert moment == datetime(2026, 11, 8, 16, 11, 30, tzinfo=BAKU)
    assert to_db(moment) == datetime(2026, 11, 8, 12, 11, 30)


def test_a_naive_moment_is_refused_for_storage():
    with pytest.raises(ValueError, match="^an aware datetime is needed$"):
        to_db(datetime(2026, 11, 8, 16, 11))


def test_dates_are_written_as_each_language_writes_them():
    stored = datetime(2026, 12, 1, 21, 0)  # 2 December, 01:00 in Baku
    assert [baku_date(stored, language) for language in ("az", "ru", "en")] == [
        "02.12", "02.12", "02/12"]
    assert [baku_full_date(stored, language) for language in ("az", "ru", "en")] == [
        "02.12.2026", "02.12.2026", "02/12/2026"]
    assert baku_full_date(datetime(2019, 3, 1, 8, 0), "az") == "01.03.2019"


def test_times_are_baku_hours_and_minutes_on_a_24_hour_clock():
    assert [baku_time(datetime(2026, 12, 1, hour, minute, 59)) for hour, minute in
            ((19, 59), (20, 0), (5, 5), (8, 30))] == ["23:59", "00:00", "09:05", "12:30"]


def test_a_year_before_1000_is_written_as_it_is_in_a_full_date():
    # CLDR's «y» is the year without padding: what Babel writes, the format string too.
    assert baku_full_date(datetime(999, 3, 1, 8, 0), "ru") == "01.03.999"


def test_a_numeric_patterns_literal_text_is_kept_braces_and_percent_signs_too():
    from babel.dates import parse_pattern

    from egov.timeutil import _numeric_writer

    write = _numeric_writer(parse_pattern("dd'{'MM'}' '%'y"))
    assert write(datetime(2026, 12, 2, 1, 0)) == "02{12} %2026"
    assert _numeric_writer(parse_pattern("d MMM")) is None


def test_a_pattern_with_a_months_name_is_left_to_babel():
    # Only patterns of numbers and separators are turned into format strings.
    from egov.timeutil import _date_writer

    moment = datetime(2026, 12, 2, 1, 0, tzinfo=BAKU)
    assert _date_writer("MMMd", "en")(moment) == "2 Dec"
    assert _date_writer("MMMd", "ru")(moment) == "2 дек."


# --- The format strings made from CLDR's patterns write what Babel writes ---

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(moment=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30)),
       language=st.sampled_from(["az", "en", "ru"]))
def test_dates_read_as_babel_writes_them_in_each_language(moment, language):
    from babel.dates import format_skeleton

    from egov.locales import formatting

    local = to_baku(moment)
    assert baku_date(moment, language) == format_skeleton(
        "MMdd", local, locale=formatting(language))
    assert baku_full_date(moment, language) == format_skeleton(
        "yMMdd", local, locale=formatting(language))
