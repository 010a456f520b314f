import pytest

from egov.telephony.numbering import (
    INTERCITY, INTERNATIONAL, LOCAL, MOBILE, NumberError, classify, format_phone, normalise,
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
    assert classify("0242441122", "0242451122") == INTERCITY  # Shaki to Qakh
    assert classify("0242441122", "0242449999") == LOCAL


@pytest.mark.parametrize("bad", ["", "abc", "12-ab", "0" * 25])
def test_not_a_number(bad):
    with pytest.raises(NumberError):
        normalise(bad)


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
