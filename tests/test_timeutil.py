from datetime import datetime

from egov.timeutil import Month, to_baku


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


def test_month_label_in_azerbaijani():
    assert Month(2026, 7).label() == "iyul 2026"
