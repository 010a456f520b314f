"""Where a call went: the place of an intercity call, the country of an international one."""
import csv

import pytest
from flask import g

from egov.telephony import areas, destinations
from egov.telephony.areas import AreaTableError, load_areas
from egov.telephony.destinations import destination_name
from egov.telephony.numbering import INTERCITY, INTERNATIONAL, LOCAL, MOBILE

from .conftest import DATA_DIR

LANGUAGES = ("az", "en", "ru")


def _geocoder_prefixes():
    """phonenumbers' Azerbaijani geocoder prefixes, as digits after 994, with the English name."""
    from phonenumbers.geodata import GEOCODE_DATA  # every country's table: only the test loads it

    return {key[3:]: names["en"] for key, names in GEOCODE_DATA.items() if key.startswith("994")}


def _rows():
    with open(f"{DATA_DIR}/destinations.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_file_has_exactly_the_geocoders_prefixes_with_its_english_names():
    geocoder = _geocoder_prefixes()
    in_file = {row["prefix"]: row["name_en"] for row in _rows()}
    assert sorted(set(geocoder) - set(in_file)) == [], "prefixes missing from destinations.csv"
    assert sorted(set(in_file) - set(geocoder)) == [], "prefixes the geocoder does not have"
    assert in_file == geocoder
    assert len(in_file) == 81
    assert load_areas(DATA_DIR).prefixes() == set(in_file)  # the table read, not the file


def test_every_prefix_is_named_in_every_language_once():
    rows = _rows()
    assert len({row["prefix"] for row in rows}) == len(rows)
    for row in rows:
        assert all(row[f"name_{language}"].strip() for language in LANGUAGES), row


@pytest.mark.parametrize("dialled, kind, az, en, ru", [
    ("0222564321", INTERCITY, "Gəncə", "Ganja", "Гянджа"),
    ("022 266-43-21", INTERCITY, "Gəncə", "Ganja", "Гянджа"),  # Gəncə's other prefix
    ("00994222564321", INTERCITY, "Gəncə", "Ganja", "Гянджа"),
    ("0124401234", INTERCITY, "Bakı", "Baku", "Баку"),
    ("0183456789", INTERCITY, "Sumqayıt", "Sumgayit", "Сумгайыт"),
    ("0242441122", INTERCITY, "Şəki", "Shaki", "Шеки"),
    ("0252512345", INTERCITY, "Lənkəran", "Lankaran", "Ленкорань"),
    ("0262612345", INTERCITY, "Şuşa", "Shusha", "Шуша"),
    ("0262212345", INTERCITY, "Xankəndi", "Khankandi", "Ханкенди"),
    ("0365441234", INTERCITY, "Naxçıvan şəhəri", "Nakhchivan city", "город Нахчыван"),
    ("0365501234", INTERCITY, "Naxçıvan şəhəri", "Nakhchivan city", "город Нахчыван"),
    ("0365491234", INTERCITY, "Sədərək", "Sadarak", "Садарак"),
    ("0224281234", INTERCITY, "Ağstafa/Gəncə/Yevlax", "Agstafa/Ganja/Yevlakh",
     "Агстафа/Гянджа/Евлах"),
    ("0074951234567", INTERNATIONAL, "Rusiya", "Russia", "Россия"),
    ("+7 717 212 34 56", INTERNATIONAL, "Qazaxıstan", "Kazakhstan", "Казахстан"),  # also +7
    ("0012125551234", INTERNATIONAL, "Amerika Birləşmiş Ştatları", "United States",
     "Соединенные Штаты"),
    ("0014165551234", INTERNATIONAL, "Kanada", "Canada", "Канада"),  # also +1
    ("00905321234567", INTERNATIONAL, "Türkiyə", "Türkiye", "Турция"),
    ("00493012345678", INTERNATIONAL, "Almaniya", "Germany", "Германия"),
])
def test_a_destination_is_named_in_each_language(dialled, kind, az, en, ru):
    assert [destination_name(dialled, kind, language) for language in LANGUAGES] == [az, en, ru]


@pytest.mark.parametrize("dialled, kind", [
    ("008821234567", INTERNATIONAL),  # +882: international networks, no country
    ("0080012345678", INTERNATIONAL),  # +800: freephone of no country (CLDR's «World»)
    ("00999123456", INTERNATIONAL),  # a country code nobody has
    ("001234", INTERNATIONAL),  # +1, too short to tell the United States from Canada
    ("0461234567", INTERCITY),  # a valid fixed line of no area the geocoder names
    ("0365451234", INTERCITY),  # 036 545: between Naxçıvan city's 544 and Culfa's 546
    ("0225550001", INTERCITY),  # the first plan's 022, not a prefix of the geocoder
    ("022256432", INTERCITY),  # one digit short of Gəncə
    ("02225643210", INTERCITY),  # one over
    ("0222564321", INTERNATIONAL),  # a kind that does not fit the number
    ("0074951234567", INTERCITY),
    ("0222564321", LOCAL),
    ("0503334455", MOBILE),
    ("0222564321", "fax"),
])
def test_a_number_that_names_nothing_has_no_destination(dialled, kind):
    assert [destination_name(dialled, kind, language) for language in LANGUAGES] == [None] * 3


HOSTILE = ["", None, "abc", "+", "00", "0", " ", "0" * 25, "9" * 20, "00" + "9" * 18,
           "1" * 100_000, "٠٢٢٢٥٦٤٣٢١", "０２２２５６４３２１", "0222564321\x00", "0222564321'--",
           "00<script>", "+7 495 123 45 67 ext. 5", "0-0-0-0", 222564321, b"0222564321"]


@pytest.mark.parametrize("dialled", HOSTILE)
@pytest.mark.parametrize("kind", [INTERCITY, INTERNATIONAL])
def test_hostile_input_has_no_destination_and_raises_nothing(dialled, kind):
    assert destination_name(dialled, kind, "az") is None


@pytest.mark.parametrize("dialled", ["abc", "0503334455"])
def test_a_language_without_names_is_the_callers_mistake_even_for_no_destination(dialled):
    with pytest.raises(KeyError):
        destination_name(dialled, INTERCITY, "de")


def _render(app, language, source, **values):
    with app.test_request_context():
        g.language = language
        return app.jinja_env.from_string(source).render(**values)


FILTERS = "{{ number | destination(kind) }} · {{ kind | kind_label }}"


@pytest.mark.parametrize("language, known, unknown", [
    ("az", "Gəncə · şəhərlərarası", "naməlum istiqamət · beynəlxalq"),
    ("en", "Ganja · intercity", "unknown destination · international"),
    ("ru", "Гянджа · междугородный", "неизвестное направление · международный"),
])
def test_the_filters_speak_the_pages_language(app, language, known, unknown):
    assert _render(app, language, FILTERS, number="0222564321", kind=INTERCITY) == known
    assert _render(app, language, FILTERS, number="008821234567", kind=INTERNATIONAL) == unknown


def test_without_a_language_the_page_of_the_request_decides(app):
    source = "{{ number | destination(kind) }}"
    assert _render(app, "ru", source, number="0074951234567", kind=INTERNATIONAL) == "Россия"
    assert _render(app, "en", source, number="0074951234567", kind=INTERNATIONAL) == "Russia"
    assert destination_name("0074951234567", INTERNATIONAL) == "Rusiya"  # no request: az


def test_the_table_is_read_once_however_many_calls_are_named(monkeypatch):
    reads = []
    original = areas.AreaTable.from_csv.__func__
    monkeypatch.setattr(areas.AreaTable, "from_csv",
                        classmethod(lambda cls, path: (reads.append(path), original(cls, path))[1]))
    # Both caches: another test may have named these numbers already (mutmut runs them in
    # another order than pytest), and then no table would be read at all.
    load_areas.cache_clear()
    destinations._name.cache_clear()
    try:
        names = {destination_name(f"02225{n:05d}", INTERCITY, "az") for n in range(2000)}
    finally:
        load_areas.cache_clear()
        destinations._name.cache_clear()
    assert names == {"Gəncə"} and len(reads) == 1


def test_the_longest_prefix_names_the_place():
    table = areas.AreaTable([areas.Area("22", {"en": "Region"}),
                             areas.Area("2225", {"en": "Town"})])
    assert table.area_of("222564321").key == "Town"
    assert table.area_of("222464321").key == "Region"
    assert table.area_of("232564321") is None


def _write(tmp_path, text):
    (tmp_path / "destinations.csv").write_text(text, encoding="utf-8")
    return str(tmp_path)


def test_the_running_apps_data_directory_gives_the_names(app, tmp_path):
    """An operator's EGOV_DATA_DIR holds its own copy of the file, names edited."""
    app.config["DATA_DIR"] = _write(tmp_path, "prefix,name_az,name_en,name_ru\n"
                                              "2225,Gəncə şəhəri,Ganja,город Гянджа\n")
    with app.app_context():
        assert areas.areas().area_of("222564321").names["az"] == "Gəncə şəhəri"
    assert areas.areas().area_of("222564321").names["az"] == "Gəncə"  # outside: the shipped one


@pytest.mark.parametrize("text, reason", [
    ("prefix,name_az,name_en\n12,Bakı,Baku\n", "no column name_ru"),
    ("prefix,name_az\n12,Bakı\n", "no column name_en, name_ru"),
    ("prefix,name_az,name_en,name_ru\n12a,Bakı,Baku,Баку\n", "line 2: prefix '12a' is not"),
    ("prefix,name_az,name_en,name_ru\n,Bakı,Baku,Баку\n", "line 2: prefix '' is not"),
    ("prefix,name_az,name_en,name_ru\n1234567890,Bakı,Baku,Баку\n", "line 2: prefix '1234567"),
    ("prefix,name_az,name_en,name_ru\n12,Bakı,Baku,Баку\n18,Sumqayıt,Sumgayit,\n",
     "line 3: name_ru is empty"),
    ("prefix,name_az,name_en,name_ru\n12,Bakı,Baku,Баку\n12,Bakı,Baku,Баку\n",
     "line 3: prefix 12 is on line 2 too"),
])
def test_a_broken_file_is_refused_with_its_line(tmp_path, text, reason):
    with pytest.raises(AreaTableError) as refused:
        load_areas(_write(tmp_path, text))
    assert str(refused.value).startswith(f"{tmp_path / 'destinations.csv'}")  # which file
    assert reason in str(refused.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(AreaTableError, match="destinations.csv: No such file"):
        load_areas(str(tmp_path))
