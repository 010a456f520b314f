import pytest

from egov.telephony.areas import SHIPPED_DATA_DIR, load_areas
from egov.telephony.numbering import (
    INTERCITY, INTERNATIONAL, LOCAL, MOBILE, NumberError, area, classify, format_phone,
    is_landline, normalise,
)

BAKU_LINE = "0124401234"


@pytest.mark.parametrize(
    "dialled, kind",
    [
        ("0222564321", INTERCITY),  # Ganja
        ("022 256-43-21", INTERCITY),
        ("0125551234", LOCAL),  # Baku to Baku
        ("5551234", LOCAL),
        ("0503334455", MOBILE),
        ("0074951234567", INTERNATIONAL),
        ("+7 495 123 45 67", INTERNATIONAL),
        ("00994222564321", INTERCITY),  # own country dialled internationally
    ],
)
def test_classify_from_a_baku_line(dialled, kind):
    assert classify(BAKU_LINE, dialled) == kind


def test_two_districts_of_one_region_code_are_intercity():
    # phonenumbers' geocoder: Şəki is 024 24…, Qax 024 25… (so 024 245 11 22 is in Şəki).
    assert classify("0242441122", "0242512345") == INTERCITY  # Shaki to Qakh
    assert classify("0242441122", "0242449999") == LOCAL
    assert classify("0242441122", "0242451122") == LOCAL


def _number_in(prefix):
    """A 10-digit national number beginning with the geocoder's prefix."""
    return ("0" + prefix + "123456789")[:10]


@pytest.mark.parametrize("prefix", sorted(load_areas(str(SHIPPED_DATA_DIR)).prefixes()))
def test_every_area_the_geocoder_names_is_a_landline_and_reached_by_intercity(prefix):
    number = _number_in(prefix)
    assert is_landline(number)
    assert classify("0124401234", number) == (LOCAL if prefix == "12" else INTERCITY)
    assert classify(number, "0124401234") == (LOCAL if prefix == "12" else INTERCITY)
    assert classify(number, number) == LOCAL


@pytest.mark.parametrize("calling, dialled, kind", [
    ("0124401234", "0365441234", INTERCITY),  # Baku to Naxçıvan city
    ("0365441234", "0124401234", INTERCITY),
    ("0365441234", "0365501234", LOCAL),  # Naxçıvan city's two prefixes, 036 544 and 036 550
    ("0365421234", "0365521234", LOCAL),  # Şərur's two, 036 542 and 036 552
    ("0365441234", "0365421234", INTERCITY),  # Naxçıvan city to Şərur
    ("0365491234", "0365441234", INTERCITY),  # Sədərək, the last of 036 54…
    ("0222564321", "0222664321", LOCAL),  # Gəncə's 022 25… and 022 26…
    ("0214281234", "0212012345", LOCAL),  # Hacıqabul's 021 4… and 021 20…
    ("0224281234", "0222564321", INTERCITY),  # «Agstafa/Ganja/Yevlakh» is not «Ganja»
    ("0224281234", "0224289999", LOCAL),
    ("0183456789", "0185550002", LOCAL),  # Sumqayıt is one area of the geocoder
    ("0124401234", "+994 36 544 12 34", INTERCITY),
])
def test_the_area_is_the_place_the_geocoder_names(calling, dialled, kind):
    assert classify(calling, dialled) == kind


@pytest.mark.parametrize("unnamed", ["0461234567", "0365451234", "0365401234"])
def test_a_valid_fixed_line_in_no_named_area_is_intercity_to_somewhere_unknown(unnamed):
    assert is_landline(unnamed) and area(unnamed) is None
    assert classify("0124401234", unnamed) == INTERCITY
    assert classify(unnamed, unnamed) == INTERCITY  # nobody can say it is the same place
    assert classify(unnamed, "0222564321") == INTERCITY


def test_the_first_plans_numbers_the_geocoder_does_not_name_keep_their_old_areas():
    """012, 018, 020–026 + 7 digits: the area code with the subscriber's first three digits."""
    assert area("0225550001") == "22555"  # no valid number for phonenumbers, yet imported
    assert classify("0225550001", "0225550002") == LOCAL
    assert classify("0225550001", "0225560001") == INTERCITY
    assert classify("0212912345", "0212919999") == LOCAL  # 021 29… is valid but unnamed
    assert classify("0212912345", "0212954321") == INTERCITY
    assert classify("0124401234", "0225550001") == INTERCITY


@pytest.mark.parametrize("dialled", ["0365541234", "0441234567", "0401234567", "0501234567"])
def test_a_mobile_number_is_mobile_and_no_landline(dialled):
    assert classify("0365441234", dialled) == MOBILE
    assert not is_landline(dialled)


@pytest.mark.parametrize("bad", [
    "0301234567",  # no area, no valid number
    "0361234567",  # 036 outside Naxçıvan's 036 5…
    "0365511234",  # 036 551: between Naxçıvan city's 550 and Şərur's 552
    "0881234567",  # toll-free: not a line one calls from or is billed for as a place
    "036544123",  # one digit short
    "03654412345",  # one digit over
])
def test_not_a_landline(bad):
    assert not is_landline(bad)
    with pytest.raises(NumberError):
        area(bad)
    with pytest.raises(NumberError):
        classify("0124401234", bad)


@pytest.mark.parametrize("dialled", ["0301234567", "012345"])
def test_a_number_in_no_area_is_refused_by_its_own_digits(dialled):
    """The intake's refusal quotes the error: «not a phone number: 0301234567»."""
    with pytest.raises(NumberError) as refused:
        classify(BAKU_LINE, dialled)
    assert str(refused.value) == dialled


@pytest.mark.parametrize("bad", ["", "abc", "12-ab", "0" * 25])
def test_not_a_number(bad):
    with pytest.raises(NumberError) as refused:
        normalise(bad)
    assert str(refused.value) == bad  # what the intake's refusal quotes


def test_a_number_is_twenty_digits_at_most():
    assert normalise("+7 495 123 45 67 890 12 34") == "00749512345678901234"
    with pytest.raises(NumberError):
        normalise("+7 495 123 45 67 890 12 345")


@pytest.mark.parametrize("bad", ["０１２４４０１２３４", "012٤٤01234"])
def test_only_ascii_digits_make_a_number(bad):
    with pytest.raises(NumberError):
        normalise(bad)


def test_the_schema_accepts_exactly_the_kinds_of_the_numbering_plan(world, db):
    """models.Call's CHECK spells the kinds out; it must agree with egov.telephony.numbering."""
    from peewee import IntegrityError

    from egov.models import Call
    from egov.telephony.numbering import INTERCITY, INTERNATIONAL

    line = world.line("0124401234", world.citizen("1AAAAAA", "Birinci"))
    for n, kind in enumerate((INTERCITY, INTERNATIONAL)):
        Call.create(record_id=f"K-{n}", line=line, started_at=world.in_month(), kind=kind,
                    duration_seconds=1, dialled_number="0222564321", amount_qepik=1)
    with pytest.raises(IntegrityError), db.atomic():
        Call.create(record_id="K-9", line=line, started_at=world.in_month(), kind="local",
                    duration_seconds=1, dialled_number="0222564321", amount_qepik=1)


@pytest.mark.parametrize("dialled, shown", [
    ("0124401234", "012 440 12 34"),
    ("0074951234567", "+7 495 123 45 67"),  # the country's own grouping, in spaces
    ("+7 (495) 123-45-67", "+7 495 123 45 67"),
    ("00493012345678", "+49 30 12345678"),
    ("00995322123456", "+995 32 212 34 56"),
    ("00999123456", "+999123456"),  # a country code nobody has: as dialled
])
def test_one_way_to_write_a_number(dialled, shown):
    assert format_phone(dialled) == shown


def test_the_caches_of_the_numbering_plan_are_emptied_between_tests():
    """tests/support/caches.py finds the product's caches itself, so that one added later
    is emptied too: the numbering plan's, warmed here, are among them, and come out empty
    (a warm answer would hide a mutant of the function it caches)."""
    from tests.support.caches import clear_caches, product_caches

    assert classify("0124401234", "0222564321") == INTERCITY
    assert {normalise, classify} <= set(product_caches())
    clear_caches()
    assert normalise.cache_info().currsize == 0
    assert classify.cache_info().currsize == 0
