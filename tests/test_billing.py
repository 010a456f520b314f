from datetime import date, datetime

import pytest

from egov.telephony.billing import Tariff, TariffBook, TariffError, format_azn, per_second_amount
from egov.telephony.numbering import INTERCITY, INTERNATIONAL

from .conftest import DATA_DIR

NOV = datetime(2026, 11, 8, 12, 0)


@pytest.mark.parametrize(
    "kind, dialled, seconds, qepik",
    [  # picture 5 of the manual, rated by data/tariffs.csv
        (INTERNATIONAL, "0074951234567", 72, 28),
        (INTERCITY, "0222564321", 20, 2),
        (INTERCITY, "0222564321", 286, 24),
        (INTERCITY, "0242441122", 108, 9),
        (INTERNATIONAL, "00493012345678", 35, 17),
    ],
)
def test_picture_5_amounts_come_out_of_the_tariffs(kind, dialled, seconds, qepik):
    from egov.telephony.billing import load_tariffs

    rating = load_tariffs(DATA_DIR).rate(kind, dialled, NOV, seconds, "flat-2020")
    assert (rating.plan, rating.band, rating.factor_permille, rating.billed_seconds,
            rating.amount_qepik) == ("flat-2020", "flat", 1000, seconds, qepik)


def test_per_second_billing_rounds_half_up_to_the_qepik():
    assert per_second_amount(6, 5) == 1  # 0.5 qəpik rounds up
    assert per_second_amount(5, 5) == 0  # 0.41(6)
    assert per_second_amount(0, 29) == 0
    with pytest.raises(ValueError):
        per_second_amount(-1, 5)


def test_tariff_in_force_at_the_start_of_the_call():
    book = TariffBook([
        Tariff(INTERCITY, "", 5, date(2020, 1, 1)),
        Tariff(INTERCITY, "", 6, date(2026, 11, 10)),
    ])
    # 9 November 23:59 in Baku is still the old tariff; 10 November 00:00 the new one.
    old, new = datetime(2026, 11, 9, 19, 59), datetime(2026, 11, 9, 20, 0)
    assert book.rate(INTERCITY, "0222564321", old, 60).amount_qepik == 5
    assert book.rate(INTERCITY, "0222564321", new, 60).amount_qepik == 6


def test_longest_country_prefix_wins_and_rest_of_world_is_the_default():
    book = TariffBook([
        Tariff(INTERNATIONAL, "", 29, date(2020, 1, 1)),
        Tariff(INTERNATIONAL, "9", 10, date(2020, 1, 1)),
        Tariff(INTERNATIONAL, "90", 23, date(2020, 1, 1)),
    ])
    assert book.tariff_for(INTERNATIONAL, "00905321234567", NOV).qepik_per_minute == 23
    assert book.tariff_for(INTERNATIONAL, "00971501234567", NOV).qepik_per_minute == 10
    assert book.tariff_for(INTERNATIONAL, "0044207123456", NOV).qepik_per_minute == 29


def test_no_tariff_yet_is_an_error_not_a_free_call():
    book = TariffBook([Tariff(INTERCITY, "", 5, date(2027, 1, 1))])
    with pytest.raises(TariffError, match="^no intercity tariff for 0222564321 on 2026-11-08$"):
        book.rate(INTERCITY, "0222564321", NOV, 60)


def test_a_book_without_intercity_prices_refuses_an_intercity_call_by_name():
    # The import names the problem for the operator; a TypeError would be a traceback.
    book = TariffBook([Tariff(INTERNATIONAL, "", 29, date(2020, 1, 1))])
    with pytest.raises(TariffError, match="no intercity tariff"):
        book.rate(INTERCITY, "0222564321", NOV, 60)


def test_the_tariffs_in_force_on_a_day_include_those_starting_that_day():
    # `flask check-tariffs --on 2026-11-10` shows the price that starts that very day.
    book = TariffBook([
        Tariff(INTERCITY, "", 5, date(2020, 1, 1)),
        Tariff(INTERCITY, "", 6, date(2026, 11, 10)),
        Tariff(INTERNATIONAL, "7", 23, date(2026, 11, 11)),
    ])
    assert [t.qepik_per_minute for t in book.in_force(date(2026, 11, 9))] == [5]
    assert [t.qepik_per_minute for t in book.in_force(date(2026, 11, 10))] == [6]
    assert [t.qepik_per_minute for t in book.in_force(date(2026, 11, 11))] == [6, 23]


@pytest.mark.parametrize("qepik, text", [(80, "0,80"), (0, "0,00"), (1234, "12,34"), (5, "0,05")])
def test_money_reads_with_a_decimal_comma(qepik, text):
    assert format_azn(qepik) == text


@pytest.mark.parametrize("language, text", [("az", "1234,56"), ("ru", "1234,56"),
                                            ("en", "1234.56")])
def test_money_reads_as_the_language_writes_it_without_grouping(language, text):
    assert format_azn(123456, language) == text


@pytest.mark.parametrize("typed, qepik", [("0,15", 15), ("0.15", 15), ("1", 100), ("2,5", 250),
                                          (" 0,08 ", 8), ("12,34", 1234)])
def test_money_as_staff_type_it(typed, qepik):
    from egov.telephony.billing import parse_azn

    assert parse_azn(typed) == qepik


@pytest.mark.parametrize("typed", ["", "-1", "0,155", "on qəpik", "1e3", "0,1,2"])
def test_money_that_is_not_an_amount_is_refused(typed):
    from egov.telephony.billing import parse_azn

    with pytest.raises(ValueError):
        parse_azn(typed)


# Properties of rating, for any duration, price and moment (Hypothesis).
from datetime import timezone  # noqa: E402
from decimal import ROUND_HALF_UP, Decimal  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

durations = st.integers(min_value=0, max_value=24 * 3600)
prices = st.integers(min_value=0, max_value=10_000)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31))


@given(durations, prices)
def test_an_amount_is_never_negative(seconds, price):
    assert per_second_amount(seconds, price) >= 0


@given(durations, durations, prices)
def test_a_longer_call_never_costs_less(a, b, price):
    short, long = sorted((a, b))
    assert per_second_amount(short, price) <= per_second_amount(long, price)


@given(durations, prices)
def test_per_second_amount_is_the_exact_half_up_qepik(seconds, price):
    exact = Decimal(seconds) * Decimal(price) / Decimal(60)
    assert per_second_amount(seconds, price) == int(exact.quantize(Decimal(1), ROUND_HALF_UP))


@given(
    versions=st.dictionaries(st.dates(date(2020, 1, 2), date(2035, 1, 1)), prices, max_size=6),
    moment=moments,
    seconds=durations,
)
def test_the_tariff_in_force_at_the_calls_start_in_baku_applies(versions, moment, seconds):
    book = TariffBook([Tariff(INTERCITY, "", 5, date(2020, 1, 1))] + [
        Tariff(INTERCITY, "", price, valid_from) for valid_from, price in versions.items()])
    baku_day = moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Asia/Baku")).date()
    in_force = max([(date(2020, 1, 1), 5)] + [(d, p) for d, p in versions.items()
                                              if d <= baku_day])[1]
    assert book.rate(INTERCITY, "0222564321", moment, seconds).amount_qepik == (
        per_second_amount(seconds, in_force))


@pytest.mark.parametrize("typed", ["٣", "０,５０"])
def test_amounts_in_other_scripts_digits_are_refused(typed):
    from egov.telephony.billing import parse_azn

    with pytest.raises(ValueError):
        parse_azn(typed)


@pytest.mark.parametrize("price", ["7_2", "٧٢", "+5"])
def test_a_tariff_price_is_ascii_digits_only(tmp_path, price):
    path = tmp_path / "tariffs.csv"
    path.write_text(f"kind,prefix,qepik_per_minute,valid_from\nintercity,,{price},2020-01-01\n",
                    encoding="utf-8")
    with pytest.raises(TariffError, match="line 2: price"):
        TariffBook.from_csv(path)


def test_a_tariff_of_an_unknown_kind_is_named_with_its_line(tmp_path):
    path = tmp_path / "tariffs.csv"
    path.write_text("kind,prefix,qepik_per_minute,valid_from\nintercity,,5,2020-01-01\n"
                    "mobile,,9,2020-01-01\n", encoding="utf-8")
    with pytest.raises(TariffError) as error:
        TariffBook.from_csv(path)
    assert str(error.value) == f"{path}, line 3: unknown kind 'mobile'"


def test_a_negative_duration_price_or_factor_is_refused_and_a_free_band_costs_nothing():
    from egov.telephony.billing import amount

    for billed, price, factor in ((-60, 3, 1000), (60, -3, 1000), (60, 3, -800)):
        with pytest.raises(ValueError):
            amount(billed, price, factor)
    assert amount(60, 3, 0) == 0  # a band at ×0 (a free night) is a price, not a mistake


@pytest.mark.parametrize("billed, price, factor, qepik", [
    (53, 29, 800, 20),  # 53 s at 29 qəpik ×0.8 = 20.493: down, per second with a band
    (59, 1, 500, 0),  # 0.4917 qəpik: down
    (45, 2, 500, 1),  # 0.75: up
    (75, 2, 800, 2),  # exactly 2
])
def test_a_banded_per_second_amount_rounds_half_up_from_the_exact_product(billed, price, factor,
                                                                         qepik):
    from egov.telephony.billing import amount

    assert amount(billed, price, factor) == qepik


def test_a_book_without_international_prices_refuses_an_international_call_by_name():
    book = TariffBook([Tariff(INTERCITY, "", 5, date(2020, 1, 1))])
    with pytest.raises(TariffError, match="^no international tariff for 0074951234567 on "
                                          "2026-11-08$"):
        book.rate(INTERNATIONAL, "0074951234567", NOV, 60)


@pytest.mark.parametrize("language, text", [("az", "-1,50"), ("en", "-1.50"), ("ru", "-1,50")])
def test_a_negative_sum_keeps_its_minus(language, text):
    assert format_azn(-150, language) == text


@pytest.mark.parametrize("manat, language, text", [
    ("0.2798333333333333333333333333", "az", "0,2798"),  # four places, then cut
    ("0.27985", "az", "0,2798"),  # a half goes to the even digit, as Babel's «0.####»
    ("0.27995", "en", "0.28"),  # … and the zeros it leaves are dropped
    ("0.27975", "ru", "0,2798"),
    ("0.276", "en", "0.276"),
    ("12", "az", "12"),  # whole manat: no decimal sign
    ("0.00004", "az", "0"),
    ("1234.5", "en", "1234.5"),  # no grouping, as every amount on the page
])
def test_an_exact_sum_reads_to_four_places_without_trailing_zeros(manat, language, text):
    from egov.telephony.billing import format_exact_azn

    assert format_exact_azn(Decimal(manat), language) == text


@given(st.decimals(min_value=-10_000, max_value=10_000, places=8),
       st.sampled_from(["az", "en", "ru"]))
def test_an_exact_sum_reads_as_babels_pattern_would_write_it(manat, language):
    """Babel's «0.####» is what the explanation wrote before it was written by hand."""
    from babel.numbers import format_decimal

    from egov.locales import formatting
    from egov.telephony.billing import format_exact_azn

    assert format_exact_azn(manat, language) == format_decimal(
        manat, format="0.####", locale=formatting(language))
