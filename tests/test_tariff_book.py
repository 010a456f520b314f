"""The operator's tariff book: plans, time bands, holidays and transfers, at every edge.

Every moment is Baku time (the bands are Baku's hours); expected amounts are worked out by
hand in the comments, not by the code under test."""
import shutil
from datetime import date

import pytest

from egov.telephony.billing import TariffError, load_tariffs
from egov.telephony.numbering import INTERCITY, INTERNATIONAL
from egov.timeutil import baku_local, to_db

from .conftest import DATA_DIR

GANJA = "0222564321"
MOSCOW = "0074951234567"


@pytest.fixture(scope="module")
def book():
    return load_tariffs(DATA_DIR)


def at(*args):
    return to_db(baku_local(*args))


def band(book, *moment, kind=INTERCITY, plan="standard-2025"):
    rating = book.rate(kind, GANJA if kind == INTERCITY else MOSCOW, at(*moment), 60, plan)
    return rating.band, rating.factor_permille


@pytest.mark.parametrize("moment, expected", [
    ((2026, 12, 3, 21, 59, 59), ("day", 1000)),  # a Thursday, the second before the night
    ((2026, 12, 3, 22, 0, 0), ("night", 800)),  # the night band's first second
    ((2026, 12, 4, 5, 59, 59), ("night", 800)),  # its last second, past midnight
    ((2026, 12, 4, 6, 0, 0), ("day", 1000)),
    ((2026, 12, 4, 23, 59, 59), ("night", 800)),  # Friday night …
    ((2026, 12, 5, 0, 0, 0), ("weekend", 800)),  # … becomes Saturday: weekend from 00:00
    ((2026, 12, 6, 23, 59, 59), ("weekend", 800)),  # the last second of Sunday
    ((2026, 12, 7, 6, 0, 0), ("day", 1000)),  # Monday morning
    ((2027, 1, 9, 12, 0, 0), ("weekend", 800)),  # a Saturday in another month and year
])
def test_a_call_is_rated_by_the_band_of_the_second_it_starts(book, moment, expected):
    assert band(book, *moment) == expected


def test_midnight_into_a_public_holiday(book):
    # Thursday 31 December 2026 is Solidarity Day; the Wednesday before is a working day.
    assert band(book, 2026, 12, 30, 21, 59, 59) == ("day", 1000)
    assert band(book, 2026, 12, 30, 23, 59, 59) == ("night", 800)
    assert band(book, 2026, 12, 31, 0, 0, 0) == ("holiday", 800)
    assert band(book, 2026, 12, 31, 12, 0, 0) == ("holiday", 800)
    # Sunday 8 November 2026 is Victory Day on a weekend: named a holiday (same factor);
    # Monday the 9th is National Flag Day, the 10th the day off observed for the 8th.
    assert band(book, 2026, 11, 8, 23, 59, 59) == ("holiday", 800)
    assert band(book, 2026, 11, 9, 14, 0, 0) == ("holiday", 800)  # all day, not only at night
    assert band(book, 2026, 11, 10, 12, 0, 0) == ("holiday", 800)  # the observed day off
    assert band(book, 2026, 11, 11, 12, 0, 0) == ("day", 1000)


def test_a_call_running_past_the_months_last_midnight_is_rated_when_it_started(book):
    # 30 November 2026, 23:58 (a Monday night), 5 minutes into December.
    rating = book.rate(INTERCITY, GANJA, at(2026, 11, 30, 23, 58), 300, "standard-2025")
    assert (rating.band, rating.billed_seconds, rating.amount_qepik) == ("night", 300, 12)


def test_the_2025_plan_bills_per_started_minute_the_flat_plan_per_second(book):
    def billed(plan, seconds):
        rating = book.rate(INTERCITY, GANJA, at(2026, 12, 3, 12, 0), seconds, plan)
        return rating.billed_seconds, rating.amount_qepik

    assert billed("standard-2025", 0) == (0, 0)  # an unanswered call costs nothing
    assert billed("standard-2025", 1) == (60, 3)
    assert billed("standard-2025", 60) == (60, 3)
    assert billed("standard-2025", 61) == (120, 6)
    assert billed("flat-2020", 61) == (61, 5)  # 61 × 5 ÷ 60 = 5.08


def test_international_calls_have_no_bands_in_the_2025_plan(book):
    rating = book.rate(INTERNATIONAL, MOSCOW, at(2026, 12, 5, 23, 0), 64, "standard-2025")
    assert (rating.band, rating.factor_permille, rating.qepik_per_minute,
            rating.amount_qepik) == ("flat", 1000, 20, 40)


def test_a_line_without_a_plan_is_on_the_default_plan(book):
    assert book.default_plan == "standard-2025"
    assert book.rate(INTERCITY, GANJA, at(2026, 12, 3, 12, 0), 60).plan == "standard-2025"


def test_the_night_factor_applies_to_the_price_not_the_rounded_amount(book):
    # 125 s at night: 3 started minutes × 3 qəpik × 0.8 = 7.2 → 7 (not 9 × 0.8 rounded twice).
    rating = book.rate(INTERCITY, GANJA, at(2026, 12, 3, 23, 0), 125, "standard-2025")
    assert rating.amount_qepik == 7


@pytest.fixture
def data_dir(tmp_path):
    for name in ("plans.csv", "tariffs.csv", "time_bands.csv", "holiday_transfers.csv"):
        shutil.copy(f"{DATA_DIR}/{name}", tmp_path / name)
    return tmp_path


def test_a_transferred_day_off_is_a_holiday_and_a_working_saturday_loses_the_weekend(data_dir):
    (data_dir / "holiday_transfers.csv").write_text(
        "date,becomes,note\n2026-12-07,day_off,moved from Saturday 12 December\n"
        "2026-12-12,working_day,worked for Monday 7 December\n", encoding="utf-8")
    book = load_tariffs(data_dir)
    assert band(book, 2026, 12, 7, 12, 0) == ("holiday", 800)
    assert band(book, 2026, 12, 12, 12, 0) == ("day", 1000)
    assert band(book, 2026, 12, 12, 22, 30) == ("night", 800)  # its night is still night
    assert band(book, 2026, 12, 13, 12, 0) == ("weekend", 800)  # the Sunday after is not moved


def test_a_tariff_change_applies_from_its_day_in_baku(data_dir):
    with open(data_dir / "tariffs.csv", "a", encoding="utf-8") as handle:
        handle.write("standard-2025,intercity,,4,2026-12-10,\n")
    book = load_tariffs(data_dir)
    assert book.rate(INTERCITY, GANJA, at(2026, 12, 9, 23, 59, 59), 60).qepik_per_minute == 3
    assert book.rate(INTERCITY, GANJA, at(2026, 12, 10, 0, 0, 0), 60).qepik_per_minute == 4


def test_a_call_before_a_plans_first_price_is_refused_not_free(book):
    with pytest.raises(TariffError, match="no intercity tariff for 0222564321 on 2025-07-31"):
        book.rate(INTERCITY, GANJA, at(2025, 7, 31, 23, 59, 59), 60, "standard-2025")
    # Its first second is a night's: 1 minute × 3 × 0.8 = 2.4 → 2.
    assert book.rate(INTERCITY, GANJA, at(2025, 8, 1, 0, 0, 0), 60,
                     "standard-2025").amount_qepik == 2


def test_band_changes_apply_from_their_day(data_dir):
    with open(data_dir / "time_bands.csv", "a", encoding="utf-8") as handle:
        handle.write("standard-2025,intercity,night,,23:00,07:00,0.5,2026-12-10\n")
    book = load_tariffs(data_dir)
    assert band(book, 2026, 12, 9, 22, 30) == ("night", 800)
    assert band(book, 2026, 12, 10, 22, 30) == ("day", 1000)
    assert band(book, 2026, 12, 10, 23, 0) == ("night", 500)


@pytest.mark.parametrize("name, text, message", [
    ("holiday_transfers.csv", "date,becomes,note\n2026-12-08,working_day,\n",
     "holiday_transfers.csv, line 2: 2026-12-08 is a weekday already: only a Saturday or "
     "Sunday can become a working day"),
    ("holiday_transfers.csv", "date,becomes,note\n2026-12-07,holiday,\n",
     "holiday_transfers.csv, line 2: becomes must be day_off or working_day, not 'holiday'"),
    ("holiday_transfers.csv", "date,becomes,note\n2026-12-12,,\n",
     "holiday_transfers.csv, line 2: becomes must be day_off or working_day, not ''"),
    ("holiday_transfers.csv", "date,becomes,note\n,day_off,\n",
     "holiday_transfers.csv, line 2: Invalid isoformat string: ''"),
    ("holiday_transfers.csv",
     "date,becomes,note\n2026-12-12,working_day,\n2026-12-12,working_day,\n",
     "holiday_transfers.csv, line 3: 2026-12-12 is transferred twice"),
    ("time_bands.csv", "plan,kind,band,days,starts,ends,factor,valid_from\n"
     "standard-2025,intercity,night,,24:00,06:00,0.8,2025-08-01\n",
     "time_bands.csv, line 2: start '24:00' is not a time of day HH:MM"),
    ("time_bands.csv", "plan,kind,band,days,starts,ends,factor,valid_from\n"
     "standard-2025,intercity,night,,22:00,06:00,1.5,2025-08-01\n",
     "time_bands.csv, line 2: factor '1.5' is not between 0 and 1"),
    ("time_bands.csv", "plan,kind,band,days,starts,ends,factor,valid_from\n"
     "standard-2025,intercity,weekend,sab,,,0.8,2025-08-01\n",
     "time_bands.csv, line 2: unknown day 'sab'"),
    ("tariffs.csv", "plan,kind,prefix,qepik_per_minute,valid_from,destination\n"
     "premium,intercity,,3,2025-08-01,\n",
     "tariffs.csv, line 2: unknown plan 'premium'"),
    ("plans.csv", "plan,name_az,name_en,name_ru,billing_step_seconds,default\n"
     "flat-2020,a,b,c,1,yes\nstandard-2025,a,b,c,60,yes\n",
     "plans.csv, line 3: two default plans: flat-2020 and standard-2025"),
    ("plans.csv", "plan,name_az,name_en,name_ru,billing_step_seconds,default\n"
     "flat-2020,a,b,c,30,yes\n",
     "plans.csv, line 2: billing step '30' is neither 1"),
])
def test_a_mistake_in_the_book_is_named_with_its_file_and_line(data_dir, name, text, message):
    (data_dir / name).write_text(text, encoding="utf-8")
    with pytest.raises(TariffError) as error:
        load_tariffs(data_dir)
    assert message in str(error.value)


def test_no_transfers_file_means_no_transfers(data_dir):
    (data_dir / "holiday_transfers.csv").unlink()
    assert load_tariffs(data_dir).calendar.is_holiday(date(2026, 11, 9))
