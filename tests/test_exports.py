"""CSV and PDF of the month's table: the same rows and totals as the page, letters intact."""
import io

import pytest
from peewee import fn
from pypdf import PdfReader

from egov.telephony import charge_claims as claims
from egov.demo import AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, HANDED_OVER_LINE
from egov.models import Call
from egov.backoffice.staff_accounts import create_staff

from .support.claims import file_claim
from .support.pages import csv_rows, pdf_text


@pytest.fixture
def aysel(demo, auth, db):
    auth.login()


def test_csv_has_the_tables_columns_rows_and_totals(client, aysel, demo):
    response = client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}")
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="zengler-{AYSEL_FIRST_LINE}-{demo.year}-{demo.month:02d}.csv"')
    rows = csv_rows(response)
    assert rows[0] == ["#", "Tarix", "Vaxt", "Müddət (saniyə)", "Nömrə", "Zəngin növü",
                       "İstiqamət", "Dəqiqənin qiyməti (AZN)", "Vaxt zolağı", "Məbləğ (AZN)",
                       "Ödəniş*"]
    # The page's grouping, with 00 for the + so that a spreadsheet keeps it as text; the
    # flat plan's price a minute of each destination, no band.
    assert [(r[3], r[4], r[5], r[7], r[8], r[9], r[10]) for r in rows[1:]] == [
        ("72", "00 7 495 123 45 67", "beynəlxalq", "0,23", "günün vaxtından asılı deyil ×1",
         "0,28", "-"),
        ("20", "022 256 43 21", "şəhərlərarası", "0,05", "günün vaxtından asılı deyil ×1",
         "0,02", "-"),
        ("286", "022 256 43 21", "şəhərlərarası", "0,05", "günün vaxtından asılı deyil ×1",
         "0,24", "-"),
        ("108", "024 244 11 22", "şəhərlərarası", "0,05", "günün vaxtından asılı deyil ×1",
         "0,09", "-"),
        ("35", "00 49 30 12345678", "beynəlxalq", "0,29", "günün vaxtından asılı deyil ×1",
         "0,17", "-")]
    # Only data rows under the header: no totals or footnote for a spreadsheet to sum in.
    assert [r[1] for r in rows[1:]] == ["08.12.2026", "11.12.2026", "11.12.2026",
                                        "11.12.2026", "22.12.2026"]


@pytest.mark.parametrize("stored", ["=HYPERLINK(\"http://evil\";\"x\")", "+1+cmd|' /C calc'!A0",
                                    "-2+3", "@SUM(1)", "\t=1"])
def test_csv_never_starts_a_cell_with_a_formula(client, aysel, stored):
    # Dialled numbers are normalised on import; a row written any other way must
    # still not become a formula in the citizen's spreadsheet.
    Call.update(dialled_number=stored).where(Call.id == Call.select(fn.MIN(Call.id))).execute()
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}"))
    assert not any(cell[:1] in "=+-@\t\r" and cell not in ("-", "+")
                   for row in rows for cell in row if cell)


def test_csv_of_a_line_with_paid_calls(client, aysel):
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_SECOND_LINE}"))
    assert [(r[8], r[9], r[10]) for r in rows[1:]] == [
        ("həftə sonu ×0,8", "0,07", "+"), ("günün vaxtından asılı deyil ×1", "0,40", "+"),
        ("gündüz ×1", "0,30", "-"), ("günün vaxtından asılı deyil ×1", "0,20", "-")]


def test_exports_follow_the_chosen_month_kind_and_order(client, aysel):
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_SECOND_LINE}&month=2026-11"
                               "&kind=intercity&sort=-amount"))
    # November's intercity calls on the 2025 plan, dearest first: 610 s on a Wednesday
    # night (11 min × 3 × 0.8 = 26.4), 342 s on a Thursday (6 × 3), 125 s on a Tuesday
    # (3 × 3), 240 s on the last night and on the holiday (4 × 3 × 0.8 = 9.6) and the
    # weekend's 61 s (2 × 3 × 0.8).
    assert [(r[1], r[3], r[8], r[9]) for r in rows[1:]] == [
        ("11.11.2026", "610", "gecə ×0,8", "0,26"), ("12.11.2026", "342", "gündüz ×1", "0,18"),
        ("30.11.2026", "240", "gecə ×0,8", "0,10"),  # as dear: the later first
        ("08.11.2026", "240", "bayram günü ×0,8", "0,10"),
        ("03.11.2026", "125", "gündüz ×1", "0,09"),
        ("07.11.2026", "61", "həftə sonu ×0,8", "0,05")]
    assert "2026-11.csv" in client.get(
        f"/calls/export.csv?line={AYSEL_SECOND_LINE}&month=2026-11").headers[
        "Content-Disposition"]


def test_pdf_has_the_same_columns_totals_and_azerbaijani_letters(client, aysel, demo):
    response = client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}")
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert f"zengler-{AYSEL_FIRST_LINE}-{demo.year}-{demo.month:02d}.pdf" in (
        response.headers["Content-Disposition"])
    content = pdf_text(response)
    for expected in ("Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar",
                     "Aysel Məmmədova", "012 440 12 34", "Müddət (saniyə)", "Məbləğ (AZN)",
                     "Ödəniş*", "+7 495 123 45 67", "Ödənilməyib", "Ödənilib", "Cəmi", "0,80",
                     "0,28", "286",
                     "Çıxarışın tarixi", "zəng üçün ödəniş hələ daxil olmayıb"):
        assert expected in content, expected
    assert set("əğıöşüç") <= set(content)


def test_exports_follow_an_accepted_claims_correction(client, aysel):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    claims.accept(claim, create_staff("ops", "Əməkdaş", "ops-parol-1"), "",
                  {claim.claim_calls.get().id: 10})
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}"))
    # As on the page: the corrected amount, and beside it what was billed and the claim.
    assert rows[0][9:] == ["Məbləğ (AZN)", "Ödəniş*", "Hesablanmış məbləğ (AZN)", "Reklamasiya"]
    assert rows[1][9:] == ["0,10", "-", "0,28", claim.reference]
    assert rows[2][9:] == ["0,02", "-", "", ""]
    assert len(rows) == 6
    pdf = pdf_text(client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}"))
    assert "0,62" in pdf and claim.reference in pdf and "0,28" in pdf
    assert "Hesablanmış məbləğ" in pdf


def test_exports_go_through_the_access_rule(client, aysel):
    for fmt in ("csv", "pdf"):
        response = client.get(f"/calls/export.{fmt}?line={HANDED_OVER_LINE}")  # Rauf's line
        assert response.status_code == 404 and b"012 510" not in response.get_data()
    assert client.get("/calls/export.xls").status_code == 404


def test_exports_need_a_signed_in_citizen(client, demo):
    assert client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}").status_code == 302


def test_the_report_links_to_both_exports(client, aysel):
    page = client.get("/calls").get_data(as_text=True)
    assert f'href="/calls/export.csv?line={AYSEL_FIRST_LINE}&amp;month=2026-12"' in page
    assert f'href="/calls/export.pdf?line={AYSEL_FIRST_LINE}&amp;month=2026-12"' in page


@pytest.mark.parametrize("lang, words", [
    ("az", ["Ödənilməyib", "Müddət", "(saniyə)", "Hesablanmış", "Reklamasiya", "Dəqiqənin"]),
    ("en", ["Payment*", "Duration", "(seconds)", "Destination", "Claim"]),
    ("ru", ["Продолжительность", "(секунды)", "Направление", "Претензия"]),
])
def test_the_pdf_splits_no_label_number_date_or_reference(client, aysel, lang, words):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])  # a reference column too
    pages = PdfReader(io.BytesIO(client.get(
        f"/calls/export.pdf?line={AYSEL_FIRST_LINE}&lang={lang}").get_data())).pages
    tokens = {token for page in pages for token in page.extract_text().split()}
    for word in words + [claim.reference, "495", "22.12.2026" if lang != "en" else
                         "22/12/2026", "10:51"]:
        assert word in tokens, word
