"""The operator's tariff book: plans, time bands, holidays and transfers, at every edge.

Every moment is Baku time (the bands are Baku's hours); expected amounts are worked out by
hand in the comments, not by the code under test."""
import shutil
from datetime import date

import pytest

from egov.telephony.billing import TariffBook, TariffError, format_factor, load_tariffs
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


# --- The operator's view of the book (`flask check-tariffs`) and the rest of its rules, on a
# small book of the operator's own: a night from 00:00 to 06:30 (not past midnight), a
# holiday at the full price, a price and a band that start after the day shown. ---

SMALL_PLANS = ("plan,name_az,name_en,name_ru,billing_step_seconds,default\n"
               "flat-2020,Sadə tarif,Flat plan,Простой тариф,1,\n"
               "early-2026,Səhər tarifi,Early plan,Утренний тариф,60,yes\n")
SMALL_TARIFFS = ("plan,kind,prefix,qepik_per_minute,valid_from,destination\n"
                 "flat-2020,intercity,,5,2020-01-01,Şəhərlərarası\n"
                 "flat-2020,international,,29,2020-01-01,Digər ölkələr\n"
                 "early-2026,intercity,,3,2026-12-01,Şəhərlərarası\n"
                 "early-2026,intercity,,4,2026-12-04,Şəhərlərarası\n"
                 "early-2026,international,7 90,20,2026-12-01,Zona 1\n")
SMALL_BANDS = ("plan,kind,band,days,starts,ends,factor,valid_from\n"
               "early-2026,intercity,night,,00:00,06:30,0.5,2026-12-01\n"
               "early-2026,intercity,weekend,sat sun,,,0.8,2026-12-01\n"
               "early-2026,intercity,holiday,,,,1,2026-12-01\n"
               "early-2026,intercity,night,,22:00,06:00,0.8,2026-12-10\n")


@pytest.fixture
def small_book_dir(data_dir):
    (data_dir / "plans.csv").write_text(SMALL_PLANS, encoding="utf-8")
    (data_dir / "tariffs.csv").write_text(SMALL_TARIFFS, encoding="utf-8")
    (data_dir / "time_bands.csv").write_text(SMALL_BANDS, encoding="utf-8")
    return data_dir


def test_check_tariffs_shows_each_plans_prices_and_bands_in_force_on_the_day(app, small_book_dir):
    app.config["DATA_DIR"] = str(small_book_dir)
    result = app.test_cli_runner().invoke(args=["check-tariffs", "--on", "2026-12-03"])
    assert (result.exit_code, result.output) == (0, (
        "Tariff book in force on 2026-12-03 (qəpik a minute):\n"
        "plan flat-2020: Flat plan, billed per second\n"
        "  intercity     any       5   since 2020-01-01  Şəhərlərarası\n"
        "  international any      29   since 2020-01-01  Digər ölkələr\n"
        "plan early-2026 (default): Early plan, billed per started minute\n"
        "  intercity     any       3   since 2026-12-01  Şəhərlərarası\n"
        "  international +7       20   since 2026-12-01  Zona 1\n"
        "  international +90      20   since 2026-12-01  Zona 1\n"
        "  intercity     night    00:00-06:30  x0.5   since 2026-12-01\n"
        "  intercity     weekend  all day      x0.8   since 2026-12-01\n"
        "  intercity     holiday  all day      x1   since 2026-12-01\n"
        "2026-12-03 is not a holiday.\n"))


@pytest.mark.parametrize("moment, expected", [
    ((2026, 12, 2, 23, 59, 59), ("day", 1000)),  # a Wednesday's last second
    ((2026, 12, 3, 0, 0, 0), ("night", 500)),  # the night's first second, at midnight
    ((2026, 12, 3, 6, 29, 59), ("night", 500)),  # its last, at 06:29:59 (not 05:59:59)
    ((2026, 12, 3, 6, 30, 0), ("day", 1000)),  # its end is day again
    ((2026, 12, 3, 22, 0, 0), ("day", 1000)),  # no night in the evening until the 10th
    ((2026, 12, 10, 22, 0, 0), ("night", 800)),  # from the 10th, 22:00-06:00 at ×0.8
    ((2026, 12, 31, 12, 0, 0), ("holiday", 1000)),  # Solidarity Day, at the full price
])
def test_a_night_that_does_not_pass_midnight_holds_from_its_start_to_its_end(
        small_book_dir, moment, expected):
    assert band(load_tariffs(small_book_dir), *moment, plan="early-2026") == expected


def test_a_plan_is_named_in_the_citizens_language(small_book_dir):
    book = load_tariffs(small_book_dir)
    assert [book.plan("early-2026").name(lang) for lang in ("az", "en", "ru")] == [
        "Səhər tarifi", "Early plan", "Утренний тариф"]
    assert book.plan().name("ru") == "Утренний тариф"  # the default plan


def test_a_book_of_prices_alone_names_its_plans_by_their_codes(tmp_path):
    path = tmp_path / "tariffs.csv"
    path.write_text("plan,kind,prefix,qepik_per_minute,valid_from\n"
                    "night-2026,intercity,,3,2026-01-01\n"
                    "flat-2020,intercity,,5,2020-01-01\n", encoding="utf-8")
    book = TariffBook.from_csv(path)
    assert [(t.plan, t.qepik_per_minute, t.destination)
            for t in book.in_force(date(2026, 12, 3))] == [
        ("flat-2020", 5, ""), ("night-2026", 3, "")]
    # A plan with no name in a language is named as in Azerbaijani: here, by its code.
    assert [book.plan("night-2026").name(lang) for lang in ("az", "en", "ru")] == [
        "night-2026", "night-2026", "night-2026"]
    path.write_text("kind,prefix,qepik_per_minute,valid_from\nintercity,,5,2020-01-01\n",
                    encoding="utf-8")
    assert [(t.plan, t.destination) for t in TariffBook.from_csv(path).in_force(
        date(2026, 12, 3))] == [("flat-2020", "")]


@pytest.mark.parametrize("permille, language, text", [
    (800, "en", "0.8"), (800, "az", "0,8"), (800, "ru", "0,8"), (1000, "en", "1"),
    (125, "en", "0.125")])
def test_a_factor_reads_as_the_language_writes_it(permille, language, text):
    assert format_factor(permille, language) == text


BANDS_HEADER = "plan,kind,band,days,starts,ends,factor,valid_from\n"
PLANS_HEADER = "plan,name_az,name_en,name_ru,billing_step_seconds,default\n"
TARIFFS_HEADER = "plan,kind,prefix,qepik_per_minute,valid_from,destination\n"


@pytest.mark.parametrize("name, text, message", [
    ("plans.csv", PLANS_HEADER + "Flat-2020,a,b,c,1,yes\n",
     "line 2: plan code 'Flat-2020' is not lower-case letters, digits, '-'"),
    ("plans.csv", PLANS_HEADER + "flat-2020,a,b,c,1,yes\nflat-2020,a,b,c,60,\n",
     "line 3: plan 'flat-2020' is listed twice"),
    ("plans.csv", PLANS_HEADER + "flat-2020,a,b,c,30,yes\n",
     "line 2: billing step '30' is neither 1 (per second) nor 60 (per started minute)"),
    ("plans.csv", PLANS_HEADER + "flat-2020,a,,c,1,yes\n",
     "line 2: the plan needs a name in az, en and ru"),
    ("plans.csv", "plan,name_az,name_en,name_ru,billing_step_seconds\nflat-2020,a,b,c,1\n",
     "line 2: \"no column 'default'\""),  # a KeyError's text, in quotes
    ("tariffs.csv", TARIFFS_HEADER + "flat-2020,intercity,7,5,2020-01-01,\n",
     "line 2: an intercity price has no country prefix"),
    ("tariffs.csv", TARIFFS_HEADER + "flat-2020,international,7 +90,20,2020-01-01,\n",
     "line 2: prefix '+90' is not a country code"),
    ("time_bands.csv", BANDS_HEADER + "premium,intercity,night,,22:00,06:00,0.8,2025-08-01\n",
     "line 2: unknown plan 'premium' (not in plans.csv)"),
    ("time_bands.csv", BANDS_HEADER + "flat-2020,mobile,night,,22:00,06:00,0.8,2025-08-01\n",
     "line 2: unknown kind 'mobile'"),
    ("time_bands.csv", BANDS_HEADER + "flat-2020,intercity,evening,,18:00,22:00,0.9,2025-08-01\n",
     "line 2: band 'evening' is not night, weekend or holiday"),
    ("time_bands.csv", BANDS_HEADER + "flat-2020,intercity,night,,22:00,,0.8,2025-08-01\n",
     "line 2: a band has both a start and an end time, or neither"),
    ("time_bands.csv", BANDS_HEADER + "flat-2020,intercity,holiday,sun,,,0.8,2025-08-01\n",
     "line 2: a holiday band is the whole day off: no days or hours"),
    ("time_bands.csv", BANDS_HEADER + "flat-2020,intercity,holiday,,09:00,18:00,0.8,2025-08-01\n",
     "line 2: a holiday band is the whole day off: no days or hours"),
    ("time_bands.csv", BANDS_HEADER + "flat-2020,intercity,night,,22:00,06:00,1.5,2025-08-01\n",
     "line 2: factor '1.5' is not between 0 and 1 (at most three decimals)"),
    ("time_bands.csv", BANDS_HEADER + "flat-2020,intercity,night,,22:00,6:00,0.8,2025-08-01\n",
     "line 2: end '6:00' is not a time of day HH:MM"),
    ("time_bands.csv", BANDS_HEADER + "flat-2020,intercity,night,,22:00,22:00,0.8,2025-08-01\n",
     "line 2: a band's start and end are the same time"),
])
def test_a_mistake_in_the_book_reads_in_full(data_dir, name, text, message):
    (data_dir / name).write_text(text, encoding="utf-8")
    with pytest.raises(TariffError) as error:
        load_tariffs(data_dir)
    assert str(error.value) == f"{data_dir / name}, {message}"


@pytest.mark.parametrize("text, message", [
    (PLANS_HEADER, "no plan"),
    (PLANS_HEADER + "flat-2020,a,b,c,1,\nstandard-2025,a,b,c,60,no\n",
     "no plan is the default (default = yes)"),
])
def test_a_book_without_plans_or_a_default_plan_is_refused(data_dir, text, message):
    (data_dir / "plans.csv").write_text(text, encoding="utf-8")
    with pytest.raises(TariffError) as error:
        load_tariffs(data_dir)
    assert str(error.value) == f"{data_dir / 'plans.csv'}: {message}"


def test_a_missing_file_of_the_book_is_named(data_dir):
    (data_dir / "time_bands.csv").unlink()
    with pytest.raises(TariffError) as error:
        load_tariffs(data_dir)
    assert str(error.value) == f"{data_dir / 'time_bands.csv'}: No such file or directory"


def test_a_call_on_a_plan_the_book_does_not_have_is_refused_by_its_name(book):
    with pytest.raises(TariffError, match="^unknown plan 'premium'$"):
        book.rate(INTERCITY, GANJA, at(2026, 12, 3, 12, 0), 60, "premium")


def test_in_a_book_of_two_plans_a_missing_price_names_its_plan(small_book_dir):
    book = load_tariffs(small_book_dir)
    with pytest.raises(TariffError, match="^no intercity tariff for 0222564321 on 2026-11-30 "
                                          "in plan early-2026$"):
        book.rate(INTERCITY, GANJA, at(2026, 11, 30, 23, 59, 59), 60, "early-2026")


def test_the_newest_band_applies_whatever_the_order_of_the_rows(data_dir):
    (data_dir / "time_bands.csv").write_text(
        BANDS_HEADER + "standard-2025,intercity,night,,23:00,07:00,0.5,2026-12-10\n"
        "standard-2025,intercity,night,,22:00,06:00,0.8,2025-08-01\n", encoding="utf-8")
    book = load_tariffs(data_dir)
    assert band(book, 2026, 12, 9, 22, 30) == ("night", 800)
    assert band(book, 2026, 12, 10, 22, 30) == ("day", 1000)
    assert band(book, 2026, 12, 10, 23, 0) == ("night", 500)
