"""Why a call cost what it did: the explanation a citizen opens under each amount, read
from what the call kept when it was imported, never from today's tariff book."""
import re
import shutil

import pytest

from egov.backoffice.intake import import_calls, import_lines, text_source
from egov.backoffice.intake.source import ImportRefused
from egov.demo import AYSEL_SECOND_LINE
from egov.models import Call
from egov.telephony.billing import load_tariffs

from .conftest import DATA_DIR
from .support.pages import text


@pytest.fixture
def aysel(demo, auth):
    auth.login()


def explanations(page):
    """Each opened <details class="charge"> as plain text, in the table's order."""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip()
            for block in re.findall(r'<details class="charge">(.*?)</details>', page, re.S)]


def test_each_amount_opens_on_its_plan_price_band_and_sum(client, aysel):
    page = text(client.get(f"/calls?line={AYSEL_SECOND_LINE}&month=2026-11"))
    night = explanations(page)[3]  # 11 November 23:15, 610 s to Şəki
    assert night == ("Məbləğ necə hesablanıb: hesablama Tarif Standart tarif (avqust 2025) "
                     "Dəqiqənin qiyməti 0,03 AZN Vaxt zolağı gecə (×0,8) Hesablanan müddət "
                     "660 saniyə Məbləğ: 11 dəq × 0,03 AZN × 0,8 = 0,264 AZN ≈ 0,26 AZN")
    assert "bayram günü (×0,8)" in explanations(page)[2]  # 8 November, Victory Day
    assert "həftə sonu (×0,8)" in explanations(page)[1]
    assert "gündüz (×1)" in explanations(page)[0]


@pytest.mark.parametrize("lang, expected", [
    ("en", "Plan Flat plan (2020) Price per minute 0.23 AZN Time band same at any time (×1) "
           "Length charged 72 seconds Amount: 72 s × 0.23 AZN ÷ 60 = 0.276 AZN ≈ 0.28 AZN"),
    ("ru", "Тариф Простой тариф (2020) Цена минуты 0,23 AZN Тарифный период не зависит от "
           "времени (×1) Оплачиваемая длительность 72 с Сумма: 72 с × 0,23 AZN ÷ 60 = "
           "0,276 AZN ≈ 0,28 AZN"),
])
def test_picture_5s_first_call_explained_in_each_language(client, aysel, lang, expected):
    first = explanations(text(client.get(f"/calls?lang={lang}")))[0]
    assert first.endswith(expected)


def test_a_later_change_of_the_book_never_changes_a_past_calls_amount_or_explanation(
        client, aysel, tmp_path):
    before = explanations(text(client.get(f"/calls?line={AYSEL_SECOND_LINE}&month=2026-11")))
    amounts = dict(Call.select(Call.record_id, Call.amount_qepik).tuples())
    # The operator raises the 2025 plan's intercity price and drops the night band.
    for name in ("plans.csv", "tariffs.csv", "time_bands.csv", "holiday_transfers.csv"):
        shutil.copy(f"{DATA_DIR}/{name}", tmp_path / name)
    with open(tmp_path / "tariffs.csv", "a", encoding="utf-8") as handle:
        handle.write("standard-2025,intercity,,9,2026-01-01,\n")
    (tmp_path / "time_bands.csv").write_text(
        "plan,kind,band,days,starts,ends,factor,valid_from\n", encoding="utf-8")
    new_book = load_tariffs(tmp_path)
    import_calls(text_source(
        "record_id,calling_number,called_number,started_at,duration_seconds\n"
        f"LATER-1,{AYSEL_SECOND_LINE},0222564321,2026-12-23 23:00:00,60\n"), new_book)
    assert Call.get(Call.record_id == "LATER-1").amount_qepik == 9  # rated by the new book
    after = explanations(text(client.get(f"/calls?line={AYSEL_SECOND_LINE}&month=2026-11")))
    assert after == before
    assert {k: v for k, v in Call.select(Call.record_id, Call.amount_qepik).tuples()
            if k != "LATER-1"} == amounts


def test_a_call_rated_before_details_were_kept_says_so(client, aysel):
    Call.update(plan=None, qepik_per_minute=None, band=None, factor_permille=None,
                billed_seconds=None).execute()
    first = explanations(text(client.get("/calls")))[0]
    assert "hesablama təfərrüatları saxlanmağa başlamazdan əvvəl qeydə alınıb" in first
    assert "0,28" in text(client.get("/calls"))  # the amount itself stays


def test_the_line_registry_names_the_plan_and_refuses_one_the_book_lacks(db):
    tariffs = load_tariffs(DATA_DIR)
    import_lines(text_source("fin,full_name,number,since,plan\n"
                             "1AAAAAA,Ad Soyad,0124931122,2026-01-01,flat-2020\n"
                             "2BBBBBB,Ad İkinci,0222567788,2026-01-01,\n"), tariffs=tariffs)
    import_calls(text_source(
        "record_id,calling_number,called_number,started_at,duration_seconds\n"
        "P-1,0124931122,0222564321,2026-10-07 12:00:00,61\n"
        "P-2,0222567788,0124401234,2026-10-07 12:00:00,61\n"), tariffs)
    rated = {c.record_id: (c.plan, c.billed_seconds, c.amount_qepik) for c in Call.select()}
    # Flat: per second, 61 × 5 ÷ 60 = 5.08; the default 2025 plan: 2 started minutes × 3.
    assert rated == {"P-1": ("flat-2020", 61, 5), "P-2": ("standard-2025", 120, 6)}
    with pytest.raises(ImportRefused) as refused:
        import_lines(text_source("fin,full_name,number,since,plan\n"
                                 "3CCCCCC,Ad Üçüncü,0242441122,2026-01-01,premium\n"),
                     tariffs=tariffs)
    assert [str(p) for p in refused.value.problems] == [
        "line 2: plan 'premium' is not a plan of the tariff book (data/plans.csv)"]


def _formula(app, language, **call):
    from types import SimpleNamespace

    from flask import g

    from egov.telephony.charges import charge_formula

    with app.test_request_context():
        g.language = language
        return charge_formula(SimpleNamespace(**{"factor_permille": 1000, **call}))


def test_a_sum_that_is_already_whole_qepik_is_not_said_twice(app):
    assert _formula(app, "az", billed_seconds=180, qepik_per_minute=3,
                    amount_qepik=9) == "3 dəq × 0,03 AZN = 0,09 AZN"


def test_an_unending_sum_is_shown_to_four_places_then_rounded(app):
    # 73 s × 0.23 AZN ÷ 60 = 0.279833…: four places, then the amount charged.
    assert _formula(app, "az", billed_seconds=73, qepik_per_minute=23, amount_qepik=28) == (
        "73 san × 0,23 AZN ÷ 60 = 0,2798 AZN ≈ 0,28 AZN")
    assert _formula(app, "en", billed_seconds=73, qepik_per_minute=23, amount_qepik=28) == (
        "73 s × 0.23 AZN ÷ 60 = 0.2798 AZN ≈ 0.28 AZN")


def test_a_plan_no_longer_in_the_book_is_named_by_its_code(app):
    from flask import g

    from egov.telephony.charges import band_label, plan_name

    with app.test_request_context():
        g.language = "az"
        assert plan_name("standard-2019") == "standard-2019"  # a past call keeps its code
        assert band_label("evening") == "evening"  # a band this version has no name for
        assert band_label(None) == ""
